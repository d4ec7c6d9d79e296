"""Import and export of annotation files (AOEF, Raven, Audacity, BatDetect2, CSV)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view, content_negotiation_class, parser_classes
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from annotator import exchange
from annotator.access import LEAD_ROLES, WRITE_ROLES, project_for
from annotator.formats.base import MAX_BYTES
from annotator.models import Dataset, Membership, Recording


class ImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The annotation file, or a zip of them.")
    format = serializers.ChoiceField(
        choices=exchange.FORMATS, required=False, help_text="Default: told by the content."
    )
    recording = serializers.IntegerField(
        required=False, help_text="The recording a table without a file column describes."
    )
    annotator = serializers.CharField(
        required=False, help_text="Id or username of a lead or annotator of the project."
    )
    create_tags = serializers.BooleanField(required=False, default=False)

    def validate_file(self, upload):
        if upload.size > MAX_BYTES:
            raise serializers.ValidationError(f"File too large (limit {MAX_BYTES} bytes).")
        return upload


class ImportReportSerializer(serializers.Serializer):
    format = serializers.CharField()
    annotator = serializers.CharField()
    files = serializers.IntegerField()
    recordings = serializers.IntegerField()
    boxes = serializers.IntegerField()
    clip_labels = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    tags_created = serializers.ListField(child=serializers.CharField())


@extend_schema(
    request={"multipart/form-data": ImportSerializer},
    responses={201: ImportReportSerializer, 400: OpenApiResponse(description="Nothing imported")},
)
@api_view(["POST"])
@parser_classes([MultiPartParser, FormParser])
def import_annotations(request, pk: int):
    """A lead imports annotations into the project; a bad file imports nothing (400 says where)."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = ImportSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    upload = data["file"]
    report = exchange.import_annotations(
        project,
        exchange.Upload(upload.name or "", upload.read()),
        format_name=data.get("format"),
        recording=_recording(project, data.get("recording")),
        annotator=_annotator(project, data.get("annotator")),
        create_tags=data["create_tags"],
        author=request.user,
    )
    return Response(report.as_dict(), status=201)


def _recording(project, pk: int | None) -> Recording | None:
    if pk is None:
        return None
    recording = Recording.objects.filter(project=project, pk=pk).first()
    if recording is None:
        raise serializers.ValidationError({"recording": "No such recording in this project."})
    return recording


def _annotator(project, who: str | None):
    """A lead or annotator of the project, by id or username."""
    if not who:
        return None
    members = Membership.objects.filter(project=project, role__in=WRITE_ROLES)
    lookup = {"user_id": int(who)} if who.isdigit() else {"user__username": who}
    membership = members.filter(**lookup).select_related("user").first()
    if membership is None:
        raise serializers.ValidationError({"annotator": "Not an annotator of this project."})
    return membership.user


class IgnoreFormatParameter(DefaultContentNegotiation):
    """``?format=`` names the file format here, not DRF's renderer: always answer in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportQuerySerializer(serializers.Serializer):
    """The export's query: a format and optional filters (an empty value means no filter, as a
    form's "all" option sends it)."""

    format = serializers.ChoiceField(choices=exchange.FORMATS)
    dataset = serializers.IntegerField(required=False)
    annotator = serializers.IntegerField(required=False, help_text="A user id of an author here.")
    recording = serializers.IntegerField(required=False)
    reviewed = serializers.BooleanField(
        required=False, default=False, help_text="Only annotations a lead accepted."
    )


@extend_schema(
    parameters=[ExportQuerySerializer],
    responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")},
)
@api_view(["GET"])
@content_negotiation_class(IgnoreFormatParameter)
def export_annotations(request, pk: int):
    """The project's annotations (rejected ones left out) as a file to download."""
    project = project_for(request.user, pk)
    given = {k: v for k, v in request.query_params.items() if v != ""}
    query = ExportQuerySerializer(data=given)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    export = exchange.export_annotations(
        project,
        data["format"],
        dataset=_in_project(Dataset.objects.filter(project=project), data.get("dataset")),
        recording=_in_project(Recording.objects.filter(project=project), data.get("recording")),
        annotator=_annotator_filter(project, data.get("annotator")),
        reviewed_only=data["reviewed"],
    )
    response = HttpResponse(export.data, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    return response


def _in_project(rows, pk: int | None):
    if pk is None:
        return None
    row = rows.filter(pk=pk).first()
    if row is None:
        raise serializers.ValidationError(f"No such row in this project: {pk!r}.")
    return row


def _authors(project):
    """Everyone with annotations in the project (import users included)."""
    return get_user_model().objects.filter(clip_annotations__project=project).distinct()


def _annotator_filter(project, pk: int | None):
    if pk is None:
        return None
    found = _authors(project).filter(pk=pk).first()
    if found is None:
        raise serializers.ValidationError({"annotator": "No annotations by this user here."})
    return found


FORMAT_LABELS = {
    "aoef": "AOEF (Whombat)",
    "raven": "Raven tables",
    "audacity": "Audacity labels",
    "batdetect2": "BatDetect2 JSON",
    "csv": "CSV",
}


class ExportOptionsSerializer(serializers.Serializer):
    formats = serializers.ListField(child=serializers.DictField())
    datasets = serializers.ListField(child=serializers.DictField())
    annotators = serializers.ListField(child=serializers.DictField())


@extend_schema(responses={200: ExportOptionsSerializer})
@api_view(["GET"])
def export_options(request, pk: int):
    """What the export can be narrowed to: its formats, the project's datasets and its authors."""
    project = project_for(request.user, pk)
    datasets = Dataset.objects.filter(project=project).order_by("name")
    authors = _authors(project).order_by("username")
    return Response(
        {
            "formats": [{"name": f, "label": FORMAT_LABELS.get(f, f)} for f in exchange.FORMATS],
            "datasets": [{"id": d.pk, "name": d.name} for d in datasets],
            "annotators": [{"id": u.pk, "username": u.get_username()} for u in authors],
        }
    )
