"""Forms of the lead's pages. They validate through the models (``full_clean``), like the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from annotator.api.serializers import SETTINGS_FIELDS
from annotator.models import Project, Role, Tag


class ProjectForm(forms.ModelForm):
    """The project's name, description and settings, checked together by ``Project.clean``."""

    class Meta:
        model = Project
        fields = ["name", "description", *SETTINGS_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class NewProjectForm(forms.ModelForm):
    """What a new project needs first; the rest keeps its defaults until the settings page."""

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "annotation_mode",
            "clip_length_s",
            "clip_overlap_s",
            "time_expansion",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ProjectRowForm(forms.ModelForm):
    """A row the page attaches to its project (the form never names a project). A ModelForm skips
    the constraints of fields it does not show, so they are checked here with the project."""

    def validate_unique(self) -> None:
        super().validate_unique()
        try:
            self.instance.validate_constraints(exclude=set(self._errors))
        except ValidationError as exc:
            self._update_errors(exc)


class TagForm(ProjectRowForm):
    class Meta:
        model = Tag
        fields = ["key", "value", "display_name", "hotkey", "color"]
        widgets = {
            "color": forms.TextInput(attrs={"type": "color"}),
            "hotkey": forms.TextInput(attrs={"size": 2, "autocomplete": "off"}),
        }


class AddMemberForm(forms.Form):
    account = forms.CharField(
        max_length=254,
        label="Username or e-mail",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
