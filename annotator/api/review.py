"""Review and agreement endpoints: a lead lists what awaits review, compares the answers on a clip,
accepts, rejects, corrects or settles them with a consensus; members see agreement."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from annotator import agreement, review
from annotator.access import LEAD_ROLES, check_role, project_for, projects_of
from annotator.api import serializers as s
from annotator.models import AnnotationRevision, Clip, ClipAnnotation, Consensus, Tag


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
    annotation = annotation_for(request.user, pk, roles=LEAD_ROLES)
    body = ReviewSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    action = body.validated_data["action"]
    updated = review.review(
        annotation,
        request.user,
        action,
        version=body.validated_data["version"],
        note=body.validated_data["note"],
        submission=body.to_submission() if action == review.CORRECT else None,
    )
    return Response(s.ClipAnnotationSerializer(updated).data)


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


class ReviewListQuery(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=review.LIST_STATUSES, required=False, default="pending"
    )
    annotator = serializers.IntegerField(required=False, default=None, min_value=1)
    dataset = serializers.IntegerField(required=False, default=None, min_value=1)


class ReviewItemSerializer(serializers.ModelSerializer):
    annotator_name = serializers.CharField(source="annotator.username", read_only=True)
    clip = s.ClipSerializer(read_only=True)
    dataset = serializers.IntegerField(source="clip.recording.dataset_id", read_only=True)
    answers = serializers.IntegerField(read_only=True)

    class Meta:
        model = ClipAnnotation
        fields = [
            "id",
            "version",
            "review_status",
            "annotator",
            "annotator_name",
            "clip",
            "dataset",
            "answers",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema(parameters=[ReviewListQuery], responses={200: ReviewItemSerializer(many=True)})
@api_view(["GET"])
def project_review_list(request, pk: int):
    """Leads: the answers awaiting review (or reviewed), oldest first, by annotator and dataset."""
    project = project_for(request.user, pk, roles=LEAD_ROLES)
    query = ReviewListQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    rows = review.review_list(project, **query.validated_data)
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(rows, request)
    return paginator.get_paginated_response(ReviewItemSerializer(page, many=True).data)


class AnswerSerializer(s.ClipAnnotationSerializer):
    """An answer on the review page: who, what, and whether it is a lead's consensus."""

    consensus = serializers.SerializerMethodField()

    class Meta(s.ClipAnnotationSerializer.Meta):
        fields = [*s.ClipAnnotationSerializer.Meta.fields, "consensus"]
        read_only_fields = fields

    def get_consensus(self, annotation: ClipAnnotation) -> dict | None:
        settled = getattr(annotation, "consensus", None)
        if settled is None:
            return None
        return {"rule": settled.rule, "sources": sorted(a.pk for a in settled.sources.all())}


@extend_schema(parameters=[THRESHOLD], responses={200: dict})
@api_view(["GET"])
def annotation_comparison(request, pk: int):
    """Leads: every answer on the annotation's clip and, for each pair, which boxes match."""
    annotation = annotation_for(request.user, pk, roles=LEAD_ROLES)
    threshold = _threshold(request)
    answers = review.clip_answers(annotation)
    plain = [a for a in answers if getattr(a, "consensus", None) is None]
    return Response(
        {
            "annotation": annotation.pk,
            "clip": s.ClipSerializer(annotation.clip).data,
            "threshold": threshold,
            "answers": AnswerSerializer(answers, many=True).data,
            "comparisons": [
                _comparison(
                    agreement.compare(agreement.answer_of(x), agreement.answer_of(y), threshold)
                )
                for i, x in enumerate(plain)
                for y in plain[i + 1 :]
            ],
        }
    )


def _comparison(pair: agreement.PairOnClip) -> dict:
    """Matches and the boxes left over, by event id (what the page highlights)."""
    a, b = pair.first.events, pair.second.events
    tagged = {(i, j) for i, j, _ in pair.tagged_matches}
    return {
        "first": pair.first.annotation,
        "second": pair.second.annotation,
        "agrees": pair.agrees,
        "box_f1": pair.box_f1,
        "tagged_f1": pair.tagged_f1,
        "matches": [
            {"first": a[i].id, "second": b[j].id, "iou": iou, "same_tag": (i, j) in tagged}
            for i, j, iou in pair.matches
        ],
        "unmatched_first": [a[i].id for i in range(len(a)) if i not in {x for x, _ in tagged}],
        "unmatched_second": [b[j].id for j in range(len(b)) if j not in {y for _, y in tagged}],
    }


class ConsensusSerializer(serializers.Serializer):
    second = serializers.IntegerField(help_text="The other answer on the same clip.")
    rule = serializers.ChoiceField(choices=Consensus.Rule.values)
    version = serializers.IntegerField(help_text="The version of this answer the lead saw.")
    second_version = serializers.IntegerField(help_text="The version of the other answer.")


@extend_schema(
    request=ConsensusSerializer,
    parameters=[THRESHOLD],
    responses={201: s.ClipAnnotationSerializer, 409: OpenApiResponse(description="Stale version")},
)
@api_view(["POST"])
def annotation_consensus(request, pk: int):
    """Leads: settle a double-annotated clip with this answer, the other one, or their union."""
    first = annotation_for(request.user, pk, roles=LEAD_ROLES)
    body = ConsensusSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    second = ClipAnnotation.objects.filter(pk=data["second"], project=first.project).first()
    if second is None:
        raise ValidationError({"second": "No such answer in this project."})
    saved = review.consensus(
        first,
        second,
        request.user,
        data["rule"],
        versions=(data["version"], data["second_version"]),
        threshold=_threshold(request),
    )
    return Response(s.ClipAnnotationSerializer(saved).data, status=201)


@extend_schema(responses={200: RevisionSerializer(many=True)})
@api_view(["GET"])
def annotation_revisions(request, pk: int):
    """Every earlier state of the annotation: who changed it, how, and the lead's note."""
    annotation = annotation_for(request.user, pk)
    revisions = annotation.revisions.select_related("author").order_by("version")
    return Response(RevisionSerializer(revisions, many=True).data)


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
    project = project_for(request.user, pk, roles=LEAD_ROLES)
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
