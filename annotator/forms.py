"""Forms of the lead's pages. They validate through the models (``full_clean``), like the API."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from annotator.models import Project, Role, Tag

LABELS = {
    "clip_length_s": "Clip length (s)",
    "clip_overlap_s": "Clip overlap (s)",
    "context_s": "Context shown around a clip (s)",
    "fmin_hz": "Lowest frequency (Hz)",
    "fmax_hz": "Highest frequency (Hz)",
    "window_s": "Spectrogram window (s)",
    "overlap": "Window overlap (0–0.95)",
    "freq_scale": "Frequency scale",
    "db_min": "Colour scale floor (dB)",
    "db_max": "Colour scale top (dB)",
    "time_expansion": "Playback slow-down (×)",
    "lease_minutes": "A claimed clip is held for (min)",
    "double_annotation_fraction": "Share of clips labelled twice",
    "batch_size": "Clips per sampling round",
    "audit_fraction": "Share picked at random (audit)",
    "retrain_every": "Retrain every (labels)",
    "low_water_minutes": "Refill the queue below (min)",
}
# Settings shown together on the page; any other setting goes under "More".
SECTIONS = [
    ("Project", ["name", "description"]),
    ("Clips", ["clip_length_s", "clip_overlap_s", "context_s", "annotation_mode"]),
    (
        "Views and playback",
        [
            "fmin_hz",
            "fmax_hz",
            "window_s",
            "overlap",
            "freq_scale",
            "colormap",
            "db_min",
            "db_max",
            "time_expansion",
        ],
    ),
    (
        "Queue and loop",
        [
            "lease_minutes",
            "double_annotation_fraction",
            "batch_size",
            "audit_fraction",
            "retrain_every",
            "low_water_minutes",
            "sampling_strategy",
            "sampling_params",
        ],
    ),
]


class ProjectForm(forms.ModelForm):
    """The project's name, description and settings, checked together by ``Project.clean``."""

    class Meta:
        model = Project
        fields = ["name", "description", *Project.SETTINGS_FIELDS]
        labels = LABELS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "sampling_params": forms.Textarea(attrs={"rows": 2}),
        }

    def sections(self) -> list[tuple[str, list]]:
        """(title, bound fields) in the page's order; settings no section names come last."""
        placed = {name for _title, names in SECTIONS for name in names}
        rest = [name for name in self.fields if name not in placed]
        groups = [*SECTIONS, ("More", rest)] if rest else SECTIONS
        return [(title, [self[n] for n in names if n in self.fields]) for title, names in groups]


class NewProjectForm(forms.ModelForm):
    """What a new project needs first; the rest keeps its defaults until the settings page."""

    class Meta:
        model = Project
        labels = LABELS
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
