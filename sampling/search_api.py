"""API of search by example: find similar clips, label matches from the strip, queue them as a round,
and the embedding adapters a lead may choose from (with their licences)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from annotator.access import check_role, project_for
from annotator.models import Clip, Role, Tag
from models_app import adapters, light_head, search
from sampling import rounds

WRITERS = (Role.LEAD, Role.ANNOTATOR)
MAX_BATCH = search.MAX_K  # matches labelled or queued by one request


class SimilarQuerySerializer(serializers.Serializer):
    clip = serializers.IntegerField()
    start_s = serializers.FloatField(required=False)
    end_s = serializers.FloatField(required=False)
    low_hz = serializers.FloatField(required=False, allow_null=True)
    high_hz = serializers.FloatField(required=False, allow_null=True)
    k = serializers.IntegerField(required=False, default=20, min_value=1, max_value=search.MAX_K)
    level = serializers.ChoiceField(["clip", "window"], required=False, default="clip")
    unlabelled_only = serializers.BooleanField(required=False, default=False)


def _clip(project, pk) -> Clip:
    clip = Clip.objects.filter(pk=pk, project=project).select_related("recording").first()
    if clip is None:
        raise Http404("No such clip in this project.")
    return clip


def _match(m: search.Match) -> dict:
    return {
        "clip": m.clip.pk,
        "recording": m.clip.recording_id,
        "start_s": m.clip.start_s,
        "end_s": m.clip.end_s,
        "window_start_s": m.window_start_s,
        "window_end_s": m.window_end_s,
        "similarity": round(m.similarity, 5),
        "distance": round(m.distance, 5),
    }


@extend_schema(request=SimilarQuerySerializer, responses={200: dict})
@api_view(["POST"])
def similar(request, pk: int):
    """The clips (or windows) of the project most similar to a box of a clip, or to the whole clip,
    with cosine distances (0 = same). 400 when the project has no embeddings yet or the box is bad."""
    project = project_for(request.user, pk)
    body = SimilarQuerySerializer(data=request.data)
    body.is_valid(raise_exception=True)
    q = body.validated_data
    clip = _clip(project, q["clip"])
    box = None
    if "start_s" in q or "end_s" in q:
        box = search.Box(
            q.get("start_s", clip.start_s),
            q.get("end_s", clip.end_s),
            q.get("low_hz"),
            q.get("high_hz"),
        )
    try:
        result = search.find_similar(
            project, clip, box, k=q["k"], level=q["level"], unlabelled_only=q["unlabelled_only"]
        )
    except search.SearchUnavailable as exc:
        return Response({"detail": str(exc)}, status=400)
    return Response(
        {
            "query_clip": clip.pk,
            "source": result.source,
            "n_windows": result.n_windows,
            "method": result.method,
            "seconds": round(result.seconds, 4),
            "matches": [_match(m) for m in result.matches],
        }
    )


class MatchSerializer(serializers.Serializer):
    clip = serializers.IntegerField()
    start_s = serializers.FloatField(required=False)
    end_s = serializers.FloatField(required=False)
    similarity = serializers.FloatField(required=False, default=0.0)


class LabelSerializer(serializers.Serializer):
    tag = serializers.IntegerField()
    matches = MatchSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)
    low_hz = serializers.FloatField(required=False, allow_null=True)
    high_hz = serializers.FloatField(required=False, allow_null=True)


@extend_schema(request=LabelSerializer, responses={201: dict})
@api_view(["POST"])
def label(request, pk: int):
    """Label matches with a tag (a box over each matched window, pending review). One match: any
    annotator; several at once (accepting a whole batch): leads only. All or nothing; 409 if you
    already annotated one of the clips (edit it on its page instead)."""
    project = project_for(request.user, pk, roles=WRITERS)
    body = LabelSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    if len(data["matches"]) > 1 and project.role_of(request.user) != Role.LEAD:
        return Response({"detail": "only leads label a batch of matches at once"}, status=403)
    tag = Tag.objects.filter(pk=data["tag"], project=project).first()
    if tag is None:
        return Response({"detail": "no such tag in this project"}, status=400)
    matches = []
    for m in data["matches"]:
        clip = _clip(project, m["clip"])
        matches.append(
            search.MatchLabel(
                clip,
                m.get("start_s", clip.start_s),
                m.get("end_s", clip.end_s),
                data.get("low_hz"),
                data.get("high_hz"),
            )
        )
    try:
        saved = search.label_matches(project, request.user, tag, matches)
    except search.AlreadyLabelled as exc:
        return Response({"detail": str(exc)}, status=409)
    except (search.SearchUnavailable, ValidationError) as exc:
        return Response({"detail": getattr(exc, "message_dict", None) or str(exc)}, status=400)
    return Response({"annotations": [{"id": a.pk, "clip": a.clip_id} for a in saved]}, status=201)


class QueueSerializer(serializers.Serializer):
    query_clip = serializers.IntegerField()
    matches = MatchSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


@extend_schema(request=QueueSerializer, responses={201: dict})
@api_view(["POST"])
def queue_these(request, pk: int):
    """Queue the matches as a sampling round with the reason "similar to clip X" (leads and
    annotators); matches already labelled or queued are left out, 409 if none is left."""
    project = project_for(request.user, pk, roles=WRITERS)
    body = QueueSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    query = _clip(project, data["query_clip"])
    clips = [_clip(project, m["clip"]) for m in data["matches"]]
    try:
        rnd = rounds.queue_similar(
            project, query, clips, [m["similarity"] for m in data["matches"]], user=request.user
        )
    except rounds.RoundError as exc:
        return Response({"detail": str(exc)}, status=409)
    return Response({"round": rnd.pk, "number": rnd.number, "queued": rnd.batch_size}, status=201)


class AdapterChoiceSerializer(serializers.Serializer):
    adapter = serializers.CharField(allow_null=True, allow_blank=True)


@extend_schema(request=AdapterChoiceSerializer, responses={200: dict})
@api_view(["GET", "PUT"])
def embedding_adapters(request, pk: int):
    """The embedding the project uses for sampling, search and the light head (``embedding``: its
    name, ``chosen_by`` lead or default, and the reason), the lead's choice (``chosen``), and the
    adapters installed here with their licences (``available`` false, with the reason, for one the
    project cannot use yet). A lead PUTs ``{"adapter": name}`` (``"detector"``: the active version's
    own embedding; null: back to the project's default); the pool is then embedded with it on the
    score queue. 400 for an adapter that is not installed or not usable yet."""
    project = project_for(request.user, pk)
    if request.method == "PUT":
        check_role(project, request.user, (Role.LEAD,))
        body = AdapterChoiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        name = body.validated_data["adapter"] or None
        try:
            embedding = adapters.choose(project, name)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=400)
        transaction.on_commit(lambda: adapters.embed_pool(project.pk, embedding.name))
    return Response(
        {
            "chosen": (project.sampling_params or {}).get("embedding_adapter"),
            "embedding": adapters.project_embedding(project).as_dict(),
            "adapters": adapters.listing(project),
        }
    )


@extend_schema(responses={200: dict})
@api_view(["GET"])
def head_status(request, pk: int):
    """The project's light head: when it was fitted, on how many labels, in how many seconds."""
    project = project_for(request.user, pk)
    return Response(light_head.status(project))
