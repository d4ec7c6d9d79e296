"""API of sampling rounds and of starting the loop (members read; leads start)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from annotator.access import LEAD_ROLES, project_for
from annotator.api.permissions import ProjectScoped
from models_app.api import TrainingRunSerializer
from sampling import loop, rounds
from sampling.models import RoundRequest, SamplingPick, SamplingRound


class PickSerializer(serializers.ModelSerializer):
    class Meta:
        model = SamplingPick
        fields = ["rank", "clip", "task", "score", "reason", "is_audit"]


class SamplingRoundSerializer(serializers.ModelSerializer):
    picks = PickSerializer(many=True, read_only=True)

    class Meta:
        model = SamplingRound
        fields = [
            "id",
            "project",
            "number",
            "model_version",
            "strategy",
            "params",
            "cold_start",
            "trigger",
            "candidates",
            "batch_size",
            "audit_fraction",
            "selection_seconds",
            "created_at",
            "picks",
        ]
        read_only_fields = fields


class SamplingRoundViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    queryset = SamplingRound.objects.prefetch_related("picks")
    serializer_class = SamplingRoundSerializer
    filterset_fields = ["project"]


class StartRoundSerializer(serializers.Serializer):
    strategy = serializers.CharField(required=False)
    batch_size = serializers.IntegerField(required=False, min_value=1, max_value=10_000)


class RoundRequestSerializer(serializers.ModelSerializer):
    round = SamplingRoundSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = RoundRequest
        fields = [
            "id",
            "project",
            "status",
            "strategy",
            "batch_size",
            "error",
            "created_at",
            "finished_at",
            "round",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, req) -> str:
        return reverse("round-request", args=[req.project_id, req.pk])


@extend_schema(
    request=StartRoundSerializer,
    responses={202: RoundRequestSerializer, 200: RoundRequestSerializer},
)
@api_view(["POST"])
def start_round(request, pk: int):
    """A lead starts a sampling round now: a worker chooses and queues the next batch. Answers 202
    with the request to poll (``url``): its ``status`` becomes done (with the round) or failed
    (with the error). While an identical request (same strategy and size) is pending, answers
    200 with that one instead of queuing the round twice."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = StartRoundSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    req, created = rounds.request_round(
        project,
        user=request.user,
        strategy=body.validated_data.get("strategy"),
        k=body.validated_data.get("batch_size"),
    )
    data = RoundRequestSerializer(req).data
    return Response(
        data,
        status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
        headers={"Location": data["url"]},
    )


@extend_schema(responses={200: RoundRequestSerializer})
@api_view(["GET"])
def round_request(request, pk: int, request_id: int):
    """A requested round: queued, running, done (with the round and its picks) or failed."""
    project = project_for(request.user, pk)
    req = get_object_or_404(
        RoundRequest.objects.select_related("round"), project=project, pk=request_id
    )
    return Response(RoundRequestSerializer(req).data)


class RetrainSerializer(serializers.Serializer):
    force = serializers.BooleanField(required=False, default=False)


@extend_schema(request=RetrainSerializer, responses={202: TrainingRunSerializer})
@api_view(["POST"])
def retrain(request, pk: int):
    """A lead asks for a retrain now (then rescoring and sampling follow); 409 while one runs."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    body = RetrainSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    run = loop.start(
        project, trigger="request", user=request.user, force=body.validated_data["force"]
    )
    return Response(TrainingRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(request=None, responses={202: TrainingRunSerializer})
@api_view(["POST"])
def pretrain(request, pk: int):
    """A lead asks for a self-supervised pretraining of the project's encoder on its unlabelled pool
    (train queue; the next first training starts from it when ``start_from`` is self-supervised or
    both); 409 while a training or pretraining of the project runs."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    run = loop.start_pretraining(project, user=request.user)
    return Response(TrainingRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
