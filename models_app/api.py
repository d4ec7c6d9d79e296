"""API of model versions, training runs and predictions (members read; leads activate)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from annotator.access import LEAD_ROLES, project_for, projects_of
from annotator.api.exchange import IgnoreFormatParameter
from annotator.api.permissions import ProjectScoped
from annotator.formats import FormatError
from annotator.models import Clip, Tag
from models_app import exporting, liveness, versions
from models_app.models import ModelVersion, Prediction, TrainingRun


class ModelVersionSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "project",
            "number",
            "name",
            "source",
            "parent",
            "class_names",
            "n_labels",
            "metrics",
            "threshold",
            "calibration",
            "is_active",
            "forced",
            "created_at",
        ]
        read_only_fields = fields


class TrainingRunSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "project",
            "kind",
            "status",
            "trigger",
            "force_activate",
            "parent",
            "result",
            "n_labels",
            "epoch",
            "n_epochs",
            "progress",
            "phase",
            "phase_progress",
            "eta_s",
            "phase_seconds",
            "heartbeat_at",
            "worker",
            "attempt",
            "retry_of",
            "cancel_requested",
            "budget",
            "history",
            "log",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ModelVersionViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Model versions; a lead activates one (``get_object``: ProjectRole)."""

    queryset = ModelVersion.objects.all()
    serializer_class = ModelVersionSerializer
    filterset_fields = ["project", "is_active", "source"]

    @extend_schema(request=None, responses={200: ModelVersionSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """A lead makes this version active even if it scored worse (recorded as forced)."""
        version = self.get_object()
        active = versions.active_version(version.project)
        versions.activate_version(version, forced=active is not None and active.pk != version.pk)
        return Response(ModelVersionSerializer(version).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, description="aoef, raven, audacity, batdetect2 or csv"),
            OpenApiParameter(
                "threshold", float, description="default: the version's served threshold"
            ),
        ],
        responses={200: bytes},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="predictions/export",
        content_negotiation_class=IgnoreFormatParameter,
    )
    def export(self, request, pk=None):
        """The version's detections at its served threshold (or ``threshold``) as a file."""
        version = self.get_object()
        try:
            threshold = (
                float(request.query_params["threshold"])
                if "threshold" in request.query_params
                else None
            )
        except ValueError as exc:
            raise FormatError(
                f"threshold must be a number, not {request.query_params['threshold']!r}",
                field="threshold",
            ) from exc
        exported = exporting.export_predictions(
            version, request.query_params.get("format", "csv"), threshold=threshold
        )
        response = HttpResponse(exported.data, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.name}"'
        return response


class TrainingRunViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Training runs; a lead cancels one (``get_object``: ProjectRole)."""

    queryset = TrainingRun.objects.all()
    serializer_class = TrainingRunSerializer
    filterset_fields = ["project", "status"]

    @extend_schema(request=None, responses={200: TrainingRunSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A lead cancels a training: a queued one at once, a running one at its next progress
        report (seconds). The active version stays; 409 if the run has already ended."""
        run = self.get_object()
        if not run.is_unfinished:
            return Response(
                {"detail": f"the training has already ended ({run.status})."}, status=409
            )
        run = liveness.request_cancel(run)
        return Response(TrainingRunSerializer(run).data)


@extend_schema(responses={200: dict})
@api_view(["GET"])
def clip_predictions(request, pk: int):
    """The active version's detections on a clip, as dashed boxes for the annotation page."""
    clip = Clip.objects.filter(pk=pk, project__in=projects_of(request.user)).first()
    if clip is None:
        raise Http404("No such clip.")
    version = versions.active_version(clip.project)
    prediction = Prediction.objects.filter(clip=clip, version=version).first() if version else None
    if prediction is None:
        return Response({"model_version": None, "events": []})
    tags = {t.value: t.pk for t in Tag.objects.filter(project=clip.project)}
    events = [{**d, "tag": tags.get(d.get("label"))} for d in prediction.detections]
    # Every stored detection (down to a low floor) with the version's served threshold: the page
    # shows those at or above it unless its annotator moves the slider.
    return Response(
        {
            "model_version": {
                "id": version.pk,
                "name": version.name,
                "threshold": version.threshold,
            },
            "events": events,
        }
    )


class PredictionImportSerializer(serializers.Serializer):
    file = serializers.FileField()


@extend_schema(
    request={"multipart/form-data": PredictionImportSerializer},
    responses={201: ModelVersionSerializer},
)
@api_view(["POST"])
def import_predictions(request, pk: int):
    """A lead imports an external model's outputs (BatDetect2 JSON, BirdNET tables, AOEF prediction
    sets) as a read-only version; the format is sniffed from the content. All or nothing."""
    from annotator import formats
    from models_app import external

    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = PredictionImportSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    upload = body.validated_data["file"]
    data = upload.read(
        formats.base.MAX_BYTES + 1
    )  # one byte over the limit makes the reader refuse it
    format_name, annset = formats.read(upload.name, data, recording=upload.name)
    version = external.import_predictions(project, annset, format_name)
    return Response(ModelVersionSerializer(version).data, status=201)
