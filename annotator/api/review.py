"""Review and agreement endpoints: a lead accepts, rejects or corrects; members see agreement."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from annotator import agreement, review
from annotator.access import check_role, project_for, projects_of
from annotator.api import serializers as s
from annotator.api.views import conflict, django_errors
from annotator.models import AnnotationRevision, Clip, ClipAnnotation, Role, Tag
from annotator.queue import StaleVersion


class ReviewSerializer(s.SubmissionSerializer):
    """accept / reject (with a note) / correct (with the corrected submission fields)."""

    action = serializers.ChoiceField(choices=review.ACTIONS)
    note = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    version = serializers.IntegerField(help_text="The version the lead reviewed.")


class RevisionSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.username", read_only=True, default=None)
    note = serializers.SerializerMethodField()

    class Meta:
        model = AnnotationRevision
        fields = ["version", "action", "author", "author_name", "note", "created_at", "data"]
        read_only_fields = fields

    def get_note(self, revision: AnnotationRevision) -> str:
        return revision.data.get("note", "") if isinstance(revision.data, dict) else ""


def annotation_for(user, pk: int, roles: tuple[str, ...] | None = None) -> ClipAnnotation:
    """The annotation if ``user`` is a member of its project (404 otherwise; 403 for a role)."""
    annotation = (
        ClipAnnotation.objects.filter(pk=pk, project__in=projects_of(user))
        .select_related("project", "clip__recording", "annotator")
        .first()
    )
    if annotation is None:
        raise Http404("No such annotation.")
    if roles is not None:
        check_role(annotation.project, user, roles)
    return annotation


@extend_schema(
    request=ReviewSerializer,
    responses={200: s.ClipAnnotationSerializer, 409: OpenApiResponse(description="Stale version")},
)
@api_view(["POST"])
def review_annotation(request, pk: int):
    """Accept, reject (note required; the clip goes back to the queue) or correct an annotation."""
    annotation = annotation_for(request.user, pk, roles=(Role.LEAD,))
    body = ReviewSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    action = body.validated_data["action"]
    try:
        updated = review.review(
            annotation,
            request.user,
            action,
            version=body.validated_data["version"],
            note=body.validated_data["note"],
            submission=body.to_submission() if action == review.CORRECT else None,
        )
    except StaleVersion as exc:
        return conflict(exc)
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        raise ValidationError(django_errors(exc)) from exc
    return Response(s.ClipAnnotationSerializer(updated).data)


@extend_schema(responses={200: RevisionSerializer(many=True)})
@api_view(["GET"])
def annotation_revisions(request, pk: int):
    """Every earlier state of the annotation: who changed it, how, and the lead's note."""
    annotation = annotation_for(request.user, pk)
    revisions = annotation.revisions.select_related("author").order_by("version")
    return Response(RevisionSerializer(revisions, many=True).data)


THRESHOLD = OpenApiParameter(
    "threshold", float, required=False, description="IoU a box match needs (default 0.5)"
)


def _threshold(request) -> float:
    raw = request.query_params.get("threshold", agreement.DEFAULT_THRESHOLD)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 < value <= 1:
        raise ValidationError({"threshold": "A number in (0, 1]."})
    return value


@extend_schema(parameters=[THRESHOLD], responses={200: dict})
@api_view(["GET"])
def project_agreement(request, pk: int):
    """Cohen's kappa per tag and box F1 per annotator pair on the double-annotated clips."""
    project = project_for(request.user, pk)
    result = agreement.agreement(agreement.load_answers(project), _threshold(request))
    return Response(_Json(project).agreement(result))


@extend_schema(parameters=[THRESHOLD], responses={200: dict})
@api_view(["GET"])
def project_disagreements(request, pk: int):
    """Double-annotated clips where two annotators differ (leads: it is the review worklist)."""
    project = project_for(request.user, pk, roles=(Role.LEAD,))
    found = agreement.disagreements(agreement.load_answers(project), _threshold(request))
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(found, request)
    return paginator.get_paginated_response(_Json(project).disagreements(page))


# --- translation to JSON ------------------------------------------------------------------------


class _Json:
    """Agreement results as JSON, with tag labels and usernames looked up once per request."""

    def __init__(self, project):
        self.tags = {t.pk: t.label for t in Tag.objects.filter(project=project)}
        self.users = dict(
            ClipAnnotation.objects.filter(project=project).values_list(
                "annotator_id", "annotator__username"
            )
        )

    def agreement(self, result: agreement.Agreement) -> dict:
        return {
            "threshold": result.threshold,
            "double_annotated_clips": result.clips,
            "compared": sum(p.clips for p in result.pairs),
            "disagreements": result.disagreements,
            "kappa": [self.kappa(t, c) for t, c in result.kappa.items()],
            "f1_by_tag": [self.tag(t, c.as_dict()) for t, c in result.f1_by_tag.items()],
            "pairs": [self.pair(pair) for pair in result.pairs],
        }

    def tag(self, tag: int | None, counts: dict) -> dict:
        return {"tag": tag, "label": self.tags.get(tag), **counts}

    def kappa(self, tag: int, table: agreement.TagCounts) -> dict:
        counts = {"kappa": table.kappa, "observed": table.observed, "n": table.n, **vars(table)}
        return self.tag(tag, counts)

    def user(self, pk: int) -> dict:
        return {"id": pk, "username": self.users.get(pk)}

    def pair(self, pair: agreement.PairSummary) -> dict:
        return {
            "first": self.user(pair.annotators[0]),
            "second": self.user(pair.annotators[1]),
            "clips": pair.clips,
            **pair.boxes.as_dict(),
            "tagged_matches": pair.tagged.matches,
            "f1_tagged": pair.tagged.f1,
            "f1_by_tag": [self.tag(t, c.as_dict()) for t, c in pair.by_tag.items()],
            "kappa": [self.kappa(t, c) for t, c in sorted(pair.kappa.items())],
        }

    def disagreements(self, page: list[agreement.Disagreement]) -> list[dict]:
        clips = Clip.objects.select_related("recording").in_bulk([d.clip for d in page])
        return [self.disagreement(d, clips[d.clip]) for d in page]

    def disagreement(self, d: agreement.Disagreement, clip: Clip) -> dict:
        return {
            "clip": {
                "id": clip.pk,
                "recording": clip.recording_id,
                "recording_name": clip.recording.name,
                "start_s": clip.start_s,
                "end_s": clip.end_s,
            },
            "first": self.answer(d.first),
            "second": self.answer(d.second),
            "tags_only_first": self.tag_list(d.tags_only_first),
            "tags_only_second": self.tag_list(d.tags_only_second),
            "unmatched_first": [self.event(e) for e in d.unmatched_first],
            "unmatched_second": [self.event(e) for e in d.unmatched_second],
            "tag_mismatches": [
                {"first": self.event(a), "second": self.event(b)} for a, b in d.tag_mismatches
            ],
            "box_f1": d.box_f1,
            "tagged_f1": d.tagged_f1,
        }

    def answer(self, a: agreement.ClipAnswer) -> dict:
        return {
            "annotation": a.annotation,
            "version": a.version,
            "annotator": a.annotator,
            "username": self.users.get(a.annotator),
            "tags": sorted(a.tag_set),
            "no_calls": a.no_calls,
            "events": len(a.events),
        }

    def tag_list(self, ids) -> list[dict]:
        return [{"id": t, "label": self.tags.get(t)} for t in sorted(ids)]

    def event(self, e: agreement.EventBox) -> dict:
        return {
            "id": e.id,
            "start_s": e.start_s,
            "end_s": e.end_s,
            "low_hz": e.low_hz,
            "high_hz": e.high_hz,
            "tag": e.tag,
            "label": self.tags.get(e.tag),
        }
