"""A lead's review of submitted annotations: accept, reject with a note, correct, or settle a
double-annotated clip with a consensus; and the list of answers awaiting review.

Every review is a new version of the annotation with a revision that keeps the state before it,
who acted (the lead) and the action ("review", "reject", "correct"), with the lead's note in the
revision's data. Nothing is deleted. A rejection sends the clip back to the queue, returned to
the annotator who made it first: the queue offers it to them before anything else, with the
lead's note, their earlier answer loaded, and to nobody else while they are on the project.
"""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery

from annotator import agreement, queue
from annotator.access import LEAD_ROLES, check_role
from annotator.models import (
    AnnotationRevision,
    AnnotationTask,
    ClipAnnotation,
    Consensus,
    TaskStatus,
)
from annotator.queue import EventInput, StaleVersion, Submission

ACCEPT, REJECT, CORRECT = "accept", "reject", "correct"
ACTIONS = (ACCEPT, REJECT, CORRECT)
# The revision action each review writes (the revision's `action` field).
REVISION_ACTIONS = {ACCEPT: "review", REJECT: "reject", CORRECT: "correct"}


def require_lead(annotation: ClipAnnotation, user) -> None:
    check_role(annotation.project, user, LEAD_ROLES, "Only the project's leads review annotations.")


def review(
    annotation: ClipAnnotation,
    lead,
    action: str,
    *,
    version: int,
    note: str = "",
    submission: Submission | None = None,
) -> ClipAnnotation:
    """Apply one review action; StaleVersion if ``version`` is not the annotation's version."""
    if action == ACCEPT:
        return accept(annotation, lead, version=version, note=note)
    if action == REJECT:
        return reject(annotation, lead, version=version, note=note)
    if action == CORRECT:
        if submission is None:
            raise ValidationError({"events": "A correction needs the corrected annotation."})
        return correct(annotation, lead, submission, note=note)
    raise ValidationError(
        {"action": f"Unknown action {action!r}; use one of {', '.join(ACTIONS)}."}
    )


def accept(annotation: ClipAnnotation, lead, *, version: int, note: str = "") -> ClipAnnotation:
    """Mark the annotation accepted and its task reviewed."""
    require_lead(annotation, lead)
    with transaction.atomic():
        current = _new_version(annotation, lead, version, REVISION_ACTIONS[ACCEPT], note)
        current.review_status = ClipAnnotation.Review.ACCEPTED
        current.save(update_fields=["review_status", "updated_at"])
        _mark_reviewed(current)
    return current


def reject(annotation: ClipAnnotation, lead, *, version: int, note: str) -> ClipAnnotation:
    """Mark the annotation rejected (kept, with the note) and put its clip back in the queue."""
    require_lead(annotation, lead)
    if not note.strip():
        raise ValidationError({"note": "Say why the annotation is rejected."})
    with transaction.atomic():
        current = _new_version(annotation, lead, version, REVISION_ACTIONS[REJECT], note)
        current.review_status = ClipAnnotation.Review.REJECTED
        current.save(update_fields=["review_status", "updated_at"])
        requeue(current, reason=f"rejected: {note}")
    return current


def correct(
    annotation: ClipAnnotation, lead, data: Submission, *, note: str = ""
) -> ClipAnnotation:
    """Save the lead's corrected content as a new version of the annotator's annotation.

    The annotation stays the annotator's (agreement and exports still credit them); the revision
    names the lead as author with action "correct". The corrected version counts as accepted.
    """
    require_lead(annotation, lead)
    queue.validate_submission(annotation.project, annotation.clip, data)
    with transaction.atomic():
        # Race: as in _new_version; save_annotation then checks the version under the lock.
        ClipAnnotation.objects.select_for_update().get(pk=annotation.pk)
        current = queue.save_annotation(
            annotation.project,
            annotation.clip,
            annotation.annotator,
            data,
            author=lead,
            action=REVISION_ACTIONS[CORRECT],
        )
        if note:
            _add_note(current, current.version - 1, note)
        current.review_status = ClipAnnotation.Review.ACCEPTED
        current.save(update_fields=["review_status", "updated_at"])
        _mark_reviewed(current)
    return current


# --- what awaits review ---------------------------------------------------------------------------

LIST_STATUSES = ("pending", "accepted", "rejected", "all")


def review_list(
    project, *, status: str = "pending", annotator: int | None = None, dataset: int | None = None
) -> QuerySet[ClipAnnotation]:
    """The project's annotators' answers by review status, oldest first (a queue, not a feed).

    Consensus annotations are the leads' own verdicts and answers a consensus settled are
    reviewed, so neither awaits review (a settled answer its annotator edited since does). Each row carries ``answers``: how many annotators
    answered its clip (two or more: the page shows them side by side).
    """
    rows = ClipAnnotation.objects.filter(project=project, consensus__isnull=True)
    if status == "pending":
        # Settled, unless its annotator changed it after the consensus was saved.
        settled = Consensus.objects.filter(
            sources=OuterRef("pk"), annotation__updated_at__gte=OuterRef("updated_at")
        )
        rows = rows.filter(review_status=ClipAnnotation.Review.PENDING).exclude(Exists(settled))
    elif status != "all":
        rows = rows.filter(review_status=status)
    if annotator is not None:
        rows = rows.filter(annotator_id=annotator)
    if dataset is not None:
        rows = rows.filter(clip__recording__dataset_id=dataset)
    answers = (
        ClipAnnotation.objects.filter(clip=OuterRef("clip"), consensus__isnull=True)
        .order_by()
        .values("clip")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        rows.annotate(answers=Subquery(answers))
        .select_related("annotator", "clip__recording")
        .order_by("created_at", "pk")
    )


def clip_answers(annotation: ClipAnnotation) -> list[ClipAnnotation]:
    """Every answer on the annotation's clip (consensus included), the annotation first."""
    rows = (
        ClipAnnotation.objects.filter(clip=annotation.clip_id)
        .select_related("annotator", "consensus")
        .prefetch_related("events", "tags")
        .order_by("created_at", "pk")
    )
    return sorted(rows, key=lambda a: a.pk != annotation.pk)


# --- consensus of a double-annotated clip -------------------------------------------------------


def consensus(
    first: ClipAnnotation,
    second: ClipAnnotation,
    lead,
    rule: str,
    *,
    versions: tuple[int, int],
    threshold: float = agreement.DEFAULT_THRESHOLD,
) -> ClipAnnotation:
    """Save the lead's reviewed consensus of two answers on one clip (StaleVersion if either moved on).

    The consensus is the lead's own annotation of the clip, accepted, linked to its sources by a
    `Consensus` row; the sources keep what their annotators said and leave the review list. A
    second consensus on the clip replaces the first as a new version (the revision keeps it).
    """
    require_lead(first, lead)
    _check_pair(first, second, lead, rule)
    with transaction.atomic():
        # Race: an annotator's edit or another lead's review of a source while the lead decided;
        # the locks make either the edit or this consensus see the other's version.
        # Locked in pk order, so two leads settling the same pair wait rather than deadlock.
        rows = ClipAnnotation.objects.select_for_update().filter(pk__in=[first.pk, second.pk])
        locked = {a.pk: a for a in rows.order_by("pk")}
        sources = (locked[first.pk], locked[second.pk])
        for source, version in zip(sources, versions, strict=True):
            if source.version != version:
                raise StaleVersion(source)
        data = consensus_submission(*sources, rule, threshold)
        queue.validate_submission(first.project, first.clip, data)
        return _save_consensus(sources, lead, rule, data)


def _check_pair(first: ClipAnnotation, second: ClipAnnotation, lead, rule: str) -> None:
    if rule not in Consensus.Rule.values:
        raise ValidationError({"rule": f"Use one of {', '.join(Consensus.Rule.values)}."})
    if first.clip_id != second.clip_id or first.pk == second.pk:
        raise ValidationError({"second": "Two different answers on the same clip."})
    if Consensus.objects.filter(annotation__in=[first, second]).exists():
        raise ValidationError({"second": "A consensus is not one of the answers it settles."})
    mine = ClipAnnotation.objects.filter(clip=first.clip, annotator=lead)
    if mine.filter(consensus__isnull=True).exists():
        raise ValidationError(
            {"detail": "You annotated this clip yourself; another lead settles it."}
        )


def consensus_submission(
    first: ClipAnnotation, second: ClipAnnotation, rule: str, threshold: float
) -> Submission:
    """The consensus content: one answer as it is, or the matched union of both."""
    if rule != Consensus.Rule.UNION:
        chosen = first if rule == Consensus.Rule.FIRST else second
        return Submission(
            tags=sorted(chosen.tags.values_list("pk", flat=True)),
            no_calls=chosen.no_calls,
            noise=chosen.noise,
            uncertain=chosen.uncertain,
            notes=chosen.notes,
            events=[_event_input(e) for e in chosen.events.order_by("start_s", "pk")],
        )
    a, b = agreement.answer_of(first), agreement.answer_of(second)
    originals = {e.pk: e for e in [*first.events.all(), *second.events.all()]}
    events = agreement.merged_union(a.events, b.events, threshold)
    return Submission(
        tags=sorted(a.tags | b.tags),
        no_calls=a.no_calls and b.no_calls and not events,
        noise=first.noise or second.noise,
        uncertain=first.uncertain or second.uncertain,
        notes="\n---\n".join(n for n in (first.notes, second.notes) if n),
        events=[_union_event(e, originals) for e in events],
    )


def _union_event(box: agreement.EventBox, originals: dict) -> EventInput:
    """A box kept as it was keeps its confidence and notes; a merged pair is a new box."""
    if box.id in originals:
        return _event_input(originals[box.id])
    return EventInput(box.start_s, box.end_s, box.low_hz, box.high_hz, box.tag)


def _event_input(event) -> EventInput:
    return EventInput(
        event.start_s,
        event.end_s,
        event.low_hz,
        event.high_hz,
        event.tag_id,
        event.confidence,
        event.notes,
    )


def _save_consensus(
    sources: tuple[ClipAnnotation, ClipAnnotation], lead, rule: str, data: Submission
) -> ClipAnnotation:
    source = sources[0]
    mine = ClipAnnotation.objects.filter(clip=source.clip, annotator=lead).first()
    version = None if mine is None else mine.version
    current = queue.save_annotation(
        source.project,
        source.clip,
        lead,
        replace(data, version=version),
        author=lead,
        action="consensus",
    )
    current.review_status = ClipAnnotation.Review.ACCEPTED
    current.save(update_fields=["review_status", "updated_at"])
    settled, _ = Consensus.objects.update_or_create(annotation=current, defaults={"rule": rule})
    settled.sources.set(sources)
    for answer in sources:
        _mark_reviewed(answer)
    return current


def _new_version(
    annotation: ClipAnnotation, author, version: int, action: str, note: str
) -> ClipAnnotation:
    """Keep the current state as a revision and bump the version; StaleVersion if it moved on."""
    # Race: an author's edit or another lead's review of the same version; the row lock makes
    # the second one see the new version and get 409 instead of overwriting.
    current = ClipAnnotation.objects.select_for_update().get(pk=annotation.pk)
    return queue.bump_version(current, version, author, action, note=note)


def _add_note(annotation: ClipAnnotation, version: int, note: str) -> None:
    revision = AnnotationRevision.objects.get(clip_annotation=annotation, version=version)
    revision.data = {**revision.data, "note": note}
    revision.save(update_fields=["data"])


def task_of(annotation: ClipAnnotation) -> AnnotationTask | None:
    """The queue task the annotation answered: its own, else the slot its annotator completed."""
    if annotation.task_id is not None:
        return annotation.task
    return AnnotationTask.objects.filter(
        project=annotation.project, clip=annotation.clip, completed_by=annotation.annotator
    ).first()


def _mark_reviewed(annotation: ClipAnnotation) -> None:
    task = task_of(annotation)
    if task is not None:
        AnnotationTask.objects.filter(pk=task.pk, status=TaskStatus.SUBMITTED).update(
            status=TaskStatus.REVIEWED
        )


def requeue(annotation: ClipAnnotation, *, reason: str) -> AnnotationTask:
    """Queue the annotation's clip again, returned to its annotator first with the lead's note:
    its task back to queued, or a new task if it had none."""
    note = _rejection_note(annotation)
    task = task_of(annotation)
    if task is None:
        return _new_task(annotation, reason, note)
    # Race: the task may already be queued or leased again (an earlier rejection); only a finished
    # or still-waiting task is (re)opened, so a live lease is never taken from its holder.
    AnnotationTask.objects.filter(
        pk=task.pk, status__in=[TaskStatus.SUBMITTED, TaskStatus.REVIEWED, TaskStatus.QUEUED]
    ).update(
        status=TaskStatus.QUEUED,
        lease_holder=None,
        lease_expires_at=None,
        completed_by=None,
        completed_at=None,
        reason=reason[:300],
        returned_to=annotation.annotator,
        return_note=note,
    )
    task.refresh_from_db()
    return task


def _rejection_note(annotation: ClipAnnotation) -> str:
    """The lead's note of the annotation's latest rejection (kept in its revision)."""
    revision = (
        annotation.revisions.filter(action=REVISION_ACTIONS[REJECT]).order_by("-version").first()
    )
    return revision.data.get("note", "") if revision and isinstance(revision.data, dict) else ""


def _new_task(annotation: ClipAnnotation, reason: str, note: str) -> AnnotationTask:
    """A task returning the clip to its annotator, for an annotation that came without one (an
    import); a returned task still open for them gets the new note instead."""
    fields = {"reason": reason[:300], "return_note": note}
    open_task = AnnotationTask.objects.filter(
        project=annotation.project,
        clip=annotation.clip,
        returned_to=annotation.annotator,
        status__in=[TaskStatus.QUEUED, TaskStatus.LEASED],
    ).first()
    if open_task is not None:
        AnnotationTask.objects.filter(pk=open_task.pk).update(**fields)
        open_task.refresh_from_db()
        return open_task
    last = AnnotationTask.objects.filter(clip=annotation.clip).aggregate(n=Max("slot"))["n"] or 0
    return AnnotationTask.objects.create(
        project=annotation.project,
        clip=annotation.clip,
        slot=last + 1,
        source="review",
        returned_to=annotation.annotator,
        **fields,
    )
