"""Serializers: translate between JSON and the annotator's models, nothing more."""

from __future__ import annotations

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings

from annotator import long_events
from annotator.models import (
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Dataset,
    Membership,
    Project,
    Recording,
    Site,
    SkipReason,
    SoundEventAnnotation,
    Tag,
    TaskSkip,
)
from annotator.queue import EventInput, Submission, last_skip

SETTINGS_FIELDS = Project.SETTINGS_FIELDS


class ModelValidated:
    """Validates through the model: the row with the request's values applied must pass
    ``full_clean`` (field validators, ``clean()``, unique constraints), so the API refuses exactly
    what the admin and the pages refuse. Values ``clean()`` normalises are saved normalised."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        row = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            setattr(row, name, value)
        try:
            row.full_clean()
        except DjangoValidationError as exc:
            errors = exc.message_dict
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(self.place_errors(errors)) from exc
        return {name: getattr(row, name) for name in attrs}

    def place_errors(self, errors: dict) -> dict:
        return errors


class TagSerializer(ModelValidated, serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "project", "key", "value", "display_name", "hotkey", "color"]


class ProjectSettingsSerializer(serializers.ModelSerializer):
    """The settings part of a project; validated with the rest of the project by ProjectSerializer."""

    # Plain strings: the view settings are checked all together by Project.clean (dsp.limits' rule).
    window_type = serializers.CharField(required=False)
    sharpen = serializers.CharField(required=False)

    class Meta:
        model = Project
        fields = SETTINGS_FIELDS

    def to_internal_value(self, data):
        unknown = sorted(set(data) - set(SETTINGS_FIELDS)) if isinstance(data, dict) else []
        if unknown:
            raise serializers.ValidationError({name: "Not a project setting." for name in unknown})
        return super().to_internal_value(data)


class ProjectSerializer(ModelValidated, serializers.ModelSerializer):
    """A project; its ``settings`` are fields of the same row, so a PATCH of name and settings is
    checked as one (``Project.clean`` sees both) and saved in one UPDATE, or not at all."""

    settings = ProjectSettingsSerializer(source="*", required=False)
    tags = TagSerializer(many=True, read_only=True)
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "settings", "tags", "role"]
        read_only_fields = ["created_at"]

    def get_role(self, project: Project) -> str | None:
        request = self.context.get("request")
        return project.role_of(request.user) if request else None

    def place_errors(self, errors: dict) -> dict:
        placed = {k: v for k, v in errors.items() if k not in SETTINGS_FIELDS}
        settings = {k: v for k, v in errors.items() if k in SETTINGS_FIELDS}
        return placed | ({"settings": settings} if settings else {})


class MembershipSerializer(serializers.ModelSerializer):
    """A member. New members are named by ``account``, a username or e-mail address, never by id
    (``user`` is read-only), so a lead cannot probe which account ids exist."""

    username = serializers.CharField(source="user.username", read_only=True)
    account = serializers.CharField(
        write_only=True, required=False, max_length=254, help_text="Username or e-mail address."
    )

    class Meta:
        model = Membership
        fields = ["id", "project", "user", "username", "account", "role", "joined_at"]
        read_only_fields = ["user", "joined_at"]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("account", "").strip():
            raise serializers.ValidationError({"account": "Name the account to add."})
        if self.instance is not None and "account" in attrs:
            raise serializers.ValidationError({"account": "Members are added, not renamed."})
        return attrs


class DatasetSerializer(ModelValidated, serializers.ModelSerializer):
    class Meta:
        model = Dataset
        fields = ["id", "project", "name", "description", "role", "created_at"]
        read_only_fields = ["created_at"]


class SiteSerializer(ModelValidated, serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "project", "name", "latitude", "longitude", "habitat"]


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = [
            "id",
            "project",
            "dataset",
            "site",
            "name",
            "sha256",
            "format",
            "samplerate",
            "channels",
            "frames",
            "duration_s",
            "recorded_at",
            "time_expansion",
            "metadata",
            "role",
            "created_at",
        ]
        # A lead may say what a recording is for (pool, evaluation only, excluded); the rest is
        # what ingest measured.
        read_only_fields = [f for f in fields if f != "role"]


class RecordingBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["id", "name", "samplerate", "duration_s", "time_expansion"]


class ClipSerializer(serializers.ModelSerializer):
    recording = RecordingBriefSerializer(read_only=True)

    class Meta:
        model = Clip
        fields = ["id", "project", "recording", "start_s", "end_s"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = SoundEventAnnotation
        fields = ["id", "start_s", "end_s", "low_hz", "high_hz", "tag", "confidence", "notes"]


class ClipAnnotationSerializer(serializers.ModelSerializer):
    events = EventSerializer(many=True, read_only=True)
    annotator_name = serializers.CharField(source="annotator.username", read_only=True)

    class Meta:
        model = ClipAnnotation
        fields = [
            "id",
            "project",
            "clip",
            "annotator",
            "annotator_name",
            "task",
            "version",
            "tags",
            "no_calls",
            "noise",
            "uncertain",
            "notes",
            "review_status",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class TaskSerializer(serializers.ModelSerializer):
    clip = ClipSerializer(read_only=True)
    annotation = serializers.SerializerMethodField()
    your_last_skip = serializers.SerializerMethodField(
        help_text="When and why you skipped this task before (null if you never did)."
    )
    continuing = serializers.SerializerMethodField(
        help_text="Your events of this recording filed under other clips that overlap this one "
        "(long events): from_clip, annotation, continues (started before this clip), runs_on."
    )

    class Meta:
        model = AnnotationTask
        fields = [
            "id",
            "project",
            "clip",
            "slot",
            "annotations_needed",
            "status",
            "priority",
            "reason",
            "source",
            "is_audit",
            "round_number",
            "lease_holder",
            "lease_expires_at",
            "completed_by",
            "completed_at",
            "returned_to",
            "return_note",
            "annotation",
            "your_last_skip",
            "continuing",
        ]
        read_only_fields = fields

    def get_annotation(self, task: AnnotationTask) -> dict | None:
        request = self.context.get("request")
        if request is None:
            return None
        if "own_annotation" in task.__dict__:  # a fresh claim looked it up (queue._try_claim)
            existing = task.own_annotation
        else:
            existing = ClipAnnotation.objects.filter(
                clip=task.clip_id, annotator=request.user
            ).first()
        return ClipAnnotationSerializer(existing).data if existing else None

    def get_continuing(self, task: AnnotationTask) -> list[dict]:
        request = self.context.get("request")
        if request is None:
            return []
        events = long_events.continuing_into(task.clip, request.user)
        return [long_events.as_continuing(e, task.clip) for e in events]

    def get_your_last_skip(self, task: AnnotationTask) -> dict | None:
        request = self.context.get("request")
        if request is None:
            return None
        if "your_last_skip" in task.__dict__:  # a fresh claim looked it up (queue._try_claim)
            skip = task.your_last_skip
        else:
            skip = last_skip(task, request.user)
        return {"reason": skip.reason, "why": skip.why, "at": skip.created_at} if skip else None


class SkipSerializer(serializers.Serializer):
    """Why the annotator skips the task."""

    reason = serializers.ChoiceField(choices=SkipReason.choices)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)


class SkippedTaskSerializer(serializers.ModelSerializer):
    """One skip, for the leads' list: the clip, who skipped it and why."""

    task = serializers.IntegerField(source="task_id", read_only=True)
    task_status = serializers.CharField(source="task.status", read_only=True)
    clip = ClipSerializer(source="task.clip", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = TaskSkip
        fields = [
            "id",
            "task",
            "task_status",
            "clip",
            "user",
            "username",
            "reason",
            "reason_label",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class EventInputSerializer(serializers.Serializer):
    start_s = serializers.FloatField()
    end_s = serializers.FloatField()
    low_hz = serializers.FloatField(allow_null=True, required=False, default=None)
    high_hz = serializers.FloatField(allow_null=True, required=False, default=None)
    tag = serializers.IntegerField(allow_null=True, required=False, default=None)
    confidence = serializers.FloatField(
        allow_null=True, required=False, default=None, min_value=0, max_value=1
    )
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class SubmissionSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True, required=False, default=None)
    tags = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=200
    )
    no_calls = serializers.BooleanField(required=False, default=False)
    noise = serializers.BooleanField(required=False, default=False)
    uncertain = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    events = EventInputSerializer(many=True, required=False, default=list)

    def validate_events(self, value):
        if len(value) > 2000:
            raise serializers.ValidationError("At most 2000 events per clip.")
        return value

    def to_submission(self) -> Submission:
        data = self.validated_data
        return Submission(
            version=data["version"],
            tags=list(dict.fromkeys(data["tags"])),
            no_calls=data["no_calls"],
            noise=data["noise"],
            uncertain=data["uncertain"],
            notes=data["notes"],
            events=[EventInput(**event) for event in data["events"]],
        )
