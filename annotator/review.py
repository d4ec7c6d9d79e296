"""A lead's review of submitted annotations: accept, reject with a note, or correct.

Every review is a new version of the annotation with a revision that keeps the state before it,
who acted (the lead) and the action ("review", "reject", "correct"), with the lead's note in the
revision's data. Nothing is deleted. A rejection sends the clip back to the queue: the task of
the annotator's slot becomes queued again so that someone else annotates the clip (the queue
never gives a clip back to an annotator who already has an annotation on it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from annotator import queue
from annotator.models import (
    AnnotationRevision,
    AnnotationTask,
    ClipAnnotation,
    Role,
    TaskStatus,
)
from annotator.queue import StaleVersion, Submission

ACCEPT, REJECT, CORRECT = "accept", "reject", "correct"
ACTIONS = (ACCEPT, REJECT, CORRECT)
# The revision action each review writes (the revision's `action` field).
REVISION_ACTIONS = {ACCEPT: "review", REJECT: "reject", CORRECT: "correct"}


def require_lead(annotation: ClipAnnotation, user) -> None:
    if annotation.project.role_of(user) != Role.LEAD:
        raise PermissionDenied("Only the project's leads review annotations.")


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


def _new_version(
    annotation: ClipAnnotation, author, version: int, action: str, note: str
) -> ClipAnnotation:
    """Keep the current state as a revision and bump the version; StaleVersion if it moved on."""
    # Race: an author's edit or another lead's review of the same version; the row lock makes
    # the second one see the new version and get 409 instead of overwriting.
    current = ClipAnnotation.objects.select_for_update().get(pk=annotation.pk)
    if version != current.version:
        raise StaleVersion(current)
    AnnotationRevision.objects.create(
        clip_annotation=current,
        version=current.version,
        data={**current.snapshot(), "note": note},
        author=author,
        action=action,
    )
    current.version += 1
    current.save(update_fields=["version", "updated_at"])
    return current


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
