"""Curation in the Django admin: every curation model listed, filtered, searchable, with bulk actions."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages

from annotator import ingest, recut
from annotator.models import (
    AnnotationRevision,
    AnnotationTask,
    AudioRoot,
    Clip,
    ClipAnnotation,
    Dataset,
    ImportJob,
    Membership,
    Project,
    Recording,
    Site,
    SoundEventAnnotation,
    Tag,
    TaskStatus,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


class TagInline(admin.TabularInline):
    model = Tag
    extra = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "clip_length_s",
        "time_expansion",
        "sampling_strategy",
        "batch_size",
        "created_at",
    ]
    search_fields = ["name", "description"]
    inlines = [MembershipInline, TagInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "joined_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["value", "key", "display_name", "hotkey", "project"]
    list_filter = ["project", "key"]
    search_fields = ["value", "display_name"]


@admin.register(AudioRoot)
class AudioRootAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "path", "bucket"]
    list_filter = ["kind"]
    search_fields = ["name", "path", "bucket"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "created_at"]
    list_filter = ["project"]
    search_fields = ["name", "description"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "latitude", "longitude", "habitat"]
    list_filter = ["project", "habitat"]
    search_fields = ["name", "habitat"]


class AssignSiteForm(forms.Form):
    site = forms.ModelChoiceField(queryset=Site.objects.all())


class RecordingUploadForm(forms.ModelForm):
    """Upload a few files by hand: they get the same checks as an import, reported on the form."""

    upload = forms.FileField(help_text="A WAV or FLAC file (copied into media storage).")

    class Meta:
        model = Recording
        fields = ["project", "dataset", "site"]

    def clean(self):
        from django.conf import settings

        data = super().clean()
        upload, project = data.get("upload"), data.get("project")
        if upload is None or project is None:
            return data
        if upload.size > settings.ECHOLOOP_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"Larger than the {settings.ECHOLOOP_MAX_UPLOAD_BYTES}-byte limit."
            )
        for field in ("dataset", "site"):
            if data.get(field) is not None and data[field].project_id != project.pk:
                self.add_error(field, "Must belong to the chosen project.")
        try:
            upload.seek(0)
            sha256 = ingest.inspect_audio(upload).sha256
        except ingest.AudioError as exc:
            raise forms.ValidationError(f"{upload.name}: {exc}") from exc
        if Recording.objects.filter(project=project, sha256=sha256).exists():
            raise forms.ValidationError(f"{upload.name} is already in this project (same sha256).")
        return data


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "project",
        "dataset",
        "site",
        "samplerate",
        "channels",
        "duration_s",
        "recorded_at",
    ]
    list_filter = ["project", "dataset", "site", "samplerate", "channels"]
    search_fields = ["name", "path", "sha256"]
    readonly_fields = [
        "sha256",
        "format",
        "samplerate",
        "channels",
        "frames",
        "duration_s",
        "metadata",
        "root",
        "path",
    ]
    actions = ["recut_clips", "assign_site"]
    date_hierarchy = "recorded_at"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RecordingUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["project", "dataset", "site", "upload"]
        return super().get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = _ingest_upload(data["project"], data["dataset"], data["upload"], data.get("site"))
        obj.__dict__.update(created.__dict__)  # the admin goes on with the row ingest made

    @admin.action(description="Re-cut clips with the project's clip length (keeps annotated clips)")
    def recut_clips(self, request, queryset):
        created = kept = 0
        for recording in queryset.select_related("project"):
            done = recut.recut_clips(recording)
            created, kept = created + done.created, kept + done.kept
        self.message_user(
            request, f"Created {created} clip(s); kept {kept} clip(s) that carry work."
        )

    @admin.action(description="Assign a site")
    def assign_site(self, request, queryset):
        site_id = request.POST.get("site")
        if site_id:
            site = Site.objects.filter(pk=site_id).first()
            if site is None or queryset.exclude(project=site.project).exists():
                self.message_user(
                    request, "The site must belong to the recordings' project.", messages.ERROR
                )
                return None
            self.message_user(
                request, f"Assigned {queryset.update(site=site)} recording(s) to {site}."
            )
            return None
        from django.shortcuts import render

        form = AssignSiteForm()
        form.fields["site"].queryset = Site.objects.filter(project__in=queryset.values("project"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "queryset": queryset,
            "action": "assign_site",
            "opts": self.model._meta,
        }
        return render(request, "admin/annotator/assign_site.html", context)


def _ingest_upload(project, dataset, upload, site) -> Recording:
    """Run an admin upload through ingest (the form already checked it) into media storage."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        root = AudioRoot(name="upload", kind=AudioRoot.Kind.FOLDER, path=tmp)
        recording = ingest.import_one(
            project, dataset, ingest.Source(root, path.name), site=site, copy=True
        )
    ingest.announce_clips_added(project)
    return recording


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ["__str__", "project", "start_s", "end_s"]
    list_filter = ["project", "recording__dataset"]
    search_fields = ["recording__name"]
    raw_id_fields = ["recording"]


@admin.register(AnnotationTask)
class AnnotationTaskAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "clip",
        "project",
        "slot",
        "status",
        "priority",
        "source",
        "is_audit",
        "lease_holder",
        "lease_expires_at",
    ]
    list_filter = ["project", "status", "source", "is_audit"]
    search_fields = ["clip__recording__name", "reason"]
    raw_id_fields = ["clip"]
    actions = ["return_to_queue"]

    @admin.action(description="Return to the queue (drop leases)")
    def return_to_queue(self, request, queryset):
        n = queryset.filter(status=TaskStatus.LEASED).update(
            status=TaskStatus.QUEUED, lease_holder=None, lease_expires_at=None
        )
        self.message_user(request, f"Returned {n} task(s) to the queue.")


class EventInline(admin.TabularInline):
    model = SoundEventAnnotation
    extra = 0


@admin.register(ClipAnnotation)
class ClipAnnotationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "clip",
        "annotator",
        "version",
        "no_calls",
        "uncertain",
        "review_status",
        "updated_at",
    ]
    list_filter = ["project", "review_status", "no_calls", "uncertain"]
    search_fields = ["clip__recording__name", "annotator__username", "notes"]
    raw_id_fields = ["clip", "task"]
    inlines = [EventInline]


@admin.register(AnnotationRevision)
class AnnotationRevisionAdmin(admin.ModelAdmin):
    list_display = ["clip_annotation", "version", "action", "author", "created_at"]
    list_filter = ["action"]
    readonly_fields = ["clip_annotation", "version", "data", "author", "action", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Imports and their progress (read-only: a job is started by ``import_recordings``)."""

    list_display = [
        "pk",
        "project",
        "location",
        "status",
        "done",
        "total",
        "imported",
        "clips",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "project"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
