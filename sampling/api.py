"""API of sampling rounds and of starting the loop (members read; leads start)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from annotator.access import LEAD_ROLES, project_for
from annotator.api.permissions import ProjectScoped
from models_app.api import TrainingRunSerializer
from sampling import loop, rounds
from sampling.models import SamplingPick, SamplingRound


class PickSerializer(serializers.ModelSerializer):
    class Meta:
        model = SamplingPick
        fields = ["rank", "clip", "task", "score", "reason", "is_audit"]


class SamplingRoundSerializer(serializers.ModelSerializer):
    picks = PickSerializer(many=True, read_only=True)

    class Meta:
        model = SamplingRound
        fields = ["id", "project", "number", "model_version", "strategy", "params", "cold_start", "trigger",
                  "candidates", "batch_size", "audit_fraction", "selection_seconds", "created_at", "picks"]
        read_only_fields = fields


class SamplingRoundViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    queryset = SamplingRound.objects.prefetch_related("picks")
    serializer_class = SamplingRoundSerializer
    filterset_fields = ["project"]


class StartRoundSerializer(serializers.Serializer):
    strategy = serializers.CharField(required=False)
    batch_size = serializers.IntegerField(required=False, min_value=1, max_value=10_000)


@extend_schema(request=StartRoundSerializer, responses={201: SamplingRoundSerializer})
@api_view(["POST"])
def start_round(request, pk: int):
    """A lead starts a sampling round now: the next batch is chosen and queued."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = StartRoundSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    rnd = rounds.start_round(project, user=request.user, strategy=body.validated_data.get("strategy"),
                             k=body.validated_data.get("batch_size"))
    return Response(SamplingRoundSerializer(rnd).data, status=status.HTTP_201_CREATED)


class RetrainSerializer(serializers.Serializer):
    force = serializers.BooleanField(required=False, default=False)


@extend_schema(request=RetrainSerializer, responses={202: TrainingRunSerializer})
@api_view(["POST"])
def retrain(request, pk: int):
    """A lead asks for a retrain now (then rescoring and sampling follow); 409 while one runs."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = RetrainSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    run = loop.start(project, trigger="request", user=request.user, force=body.validated_data["force"])
    return Response(TrainingRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
