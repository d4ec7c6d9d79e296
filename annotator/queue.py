"""The annotation queue: enqueue clips, lease the next task, skip or release it, submit an annotation."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from annotator import long_events
from annotator.access import WRITE_ROLES, check_role
from annotator.models import (
    AnnotationRevision,
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Project,
    SkipReason,
    SoundEventAnnotation,
    Tag,
    TaskSkip,
    TaskStatus,
)
from annotator.signals import labels_submitted


class StaleVersion(Exception):
    """The annotation was changed since the client read it (HTTP 409)."""

    def __init__(self, current: ClipAnnotation):
        super().__init__(f"annotation {current.pk} is at version {current.version}")
        self.current = current


class NotYourTask(Exception):
    """A submission for a task its caller never leased."""

    def __init__(self, task: AnnotationTask):
        super().__init__(f"task {task.pk} was never leased to you: take it with tasks/next first")
        self.task = task


@dataclass(frozen=True)
class EventInput:
    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None
    tag: int | None = None
    confidence: float | None = None
    notes: str = ""


@dataclass(frozen=True)
class Submission:
    """What an annotator sends for a clip. ``version`` is the version they edited (None: new)."""

    version: int | None = None
    tags: list[int] = field(default_factory=list)
    no_calls: bool = False
    noise: bool = False
    uncertain: bool = False
    notes: str = ""
    events: list[EventInput] = field(default_factory=list)


# --- enqueue ----------------------------------------------------------------------------------


def enqueue(
    project: Project,
    clips: list[Clip],
    *,
    priorities: list[float] | None = None,
    reasons: list[str] | None = None,
    source: str = "manual",
    audit: list[bool] | None = None,
    round_number: int | None = None,
    rng: random.Random | None = None,
) -> list[AnnotationTask]:
    """Queue clips (skipping ones already queued); the project's fraction get a second slot."""
    rng = rng or random.Random()
    queued = set(
        AnnotationTask.objects.filter(project=project, clip__in=clips).values_list(
            "clip_id", flat=True
        )
    )
    tasks = []
    for i, clip in enumerate(clips):
        if clip.pk in queued or clip.project_id != project.pk:
            continue
        needed = 2 if rng.random() < project.double_annotation_fraction else 1
        for slot in range(1, needed + 1):
            tasks.append(
                AnnotationTask(
                    project=project,
                    clip=clip,
                    slot=slot,
                    annotations_needed=needed,
                    priority=priorities[i] if priorities else 0.0,
                    reason=reasons[i] if reasons else "",
                    source=source,
                    is_audit=bool(audit[i]) if audit else False,
                    round_number=round_number,
                )
            )
    created = AnnotationTask.objects.bulk_create(tasks)
    _prerender_after_commit(sorted({t.clip_id for t in created}))
    return created


def _prerender_after_commit(clip_ids: list[int]) -> None:
    """Ask the render queue to draw the new tasks' views once the tasks are committed."""
    if not clip_ids:
        return
    from annotator.tasks import render_clip_views

    transaction.on_commit(lambda: render_clip_views.delay(clip_ids))


# --- the queue's state -----------------------------------------------------------------------

DEFAULT_SECONDS_PER_CLIP = 20.0  # before a project has a pace of its own (experts: 5–60 s a clip)


def open_tasks(project: Project) -> int:
    """Tasks waiting for or held by an annotator."""
    return AnnotationTask.objects.filter(
        project=project, status__in=[TaskStatus.QUEUED, TaskStatus.LEASED]
    ).count()


def seconds_per_clip(project: Project, *, recent: int = 50) -> float:
    """The project's labelling pace: median lease-to-submit time of its last ``recent`` tasks
    (bounded to 2 s–10 min, so a lunch break does not count as slow labelling)."""
    rows = (
        AnnotationTask.objects.filter(project=project, status=TaskStatus.SUBMITTED)
        .exclude(leased_at=None)
        .exclude(completed_at=None)
        .order_by("-completed_at")
        .values_list("leased_at", "completed_at")[:recent]
    )
    spans = sorted(min(max((done - began).total_seconds(), 2.0), 600.0) for began, done in rows)
    if len(spans) < 5:
        return DEFAULT_SECONDS_PER_CLIP
    return spans[len(spans) // 2]


# --- claim and release ------------------------------------------------------------------------


def require_annotator(project: Project, user) -> None:
    check_role(project, user, WRITE_ROLES, "Only the project's annotators and leads can annotate.")


def claim_next(project: Project, user) -> AnnotationTask | None:
    """Lease the next task to ``user``; a task they already hold comes back first.

    Then, in turn: a clip a lead's rejection returned to them, any task they have not skipped
    (highest priority first), and last the tasks they skipped, the one skipped longest ago
    first. So a skip always moves on while anything else is open, and one bad clip can never
    trap anyone. The task comes with its clip and recording loaded (what the page needs next).
    """
    require_annotator(project, user)
    tasks = AnnotationTask.objects.for_project(project).select_related("clip__recording")
    held = tasks.held_by(user).order_by("-priority", "id").first()
    if held:
        return held
    expire_leases(project)
    for tier in _tiers(project, user):
        task = _claim_from(project, user, tier)
        if task is not None:
            return task
    return None


def _tiers(project: Project, user) -> list:
    """The claimable tasks in the order ``user`` is offered them, as querysets to try in turn.

    The first tiers are index scans in priority order (ordering one query by "skipped?" would
    sort the whole queue on every claim); the last holds only this user's skipped tasks.
    Returned clips are rare: one cheap look decides whether their tier is tried at all.
    """
    mine = TaskSkip.objects.filter(task=OuterRef("pk"), user=user)
    last_skip = mine.order_by("-created_at").values("created_at")[:1]
    returned = AnnotationTask.objects.filter(
        project=project, status=TaskStatus.QUEUED, returned_to=user
    ).exists()
    tiers = [lambda q: q.filter(~Exists(mine), returned_to=user)] if returned else []
    return tiers + [
        lambda q: q.filter(~Exists(mine)),
        lambda q: (
            q.filter(Exists(mine))
            .annotate(skipped_at=Subquery(last_skip))
            .order_by("skipped_at", "-priority", "id")
        ),
    ]


def _claim_from(project: Project, user, tier) -> AnnotationTask | None:
    """Claim the first task of one tier, trying again if another annotator took it meanwhile."""
    for _attempt in range(5):
        task = _try_claim(project, user, tier)
        if task is not False:
            return task
    return None


def expire_leases(project: Project) -> int:
    """Return tasks whose lease ran out to the queue; the number returned."""
    # Race: the holder may submit at this moment; _complete accepts a task with no holder, so
    # their work still completes it, and the conditional update never touches a live lease.
    return (
        AnnotationTask.objects.for_project(project)
        .expired()
        .update(status=TaskStatus.QUEUED, lease_holder=None, lease_expires_at=None)
    )


def _try_claim(project: Project, user, tier) -> AnnotationTask | None | bool:
    """One attempt on one tier: the claimed task, None if it has nothing claimable, False if
    the task was taken meanwhile."""
    now = timezone.now()
    expires = now + timedelta(minutes=project.lease_minutes)
    with transaction.atomic():
        # Race: two annotators asking at once. skip_locked hands each a different row; on SQLite
        # (no row locks) the IMMEDIATE transaction serialises claims instead.
        candidate = (
            tier(
                AnnotationTask.objects.for_project(project)
                .claimable_by(user)
                .order_by("-priority", "id")
            )
            .select_related("clip__recording")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if candidate is None:
            return None
        # Race: the row may have been claimed between the read and the lock on backends without
        # skip_locked; the conditional update's row count tells.
        updated = AnnotationTask.objects.filter(
            pk=candidate.pk, status=candidate.status, lease_expires_at=candidate.lease_expires_at
        ).update(
            status=TaskStatus.LEASED,
            lease_holder=user,
            lease_expires_at=expires,
            leased_at=now,
            claimed_by=user,
        )
        if updated != 1:
            return False
    # The row now holds exactly what the update wrote: no need to read it back.
    candidate.status, candidate.lease_holder, candidate.lease_expires_at = (
        TaskStatus.LEASED,
        user,
        expires,
    )
    candidate.leased_at = now
    # claimable_by hides the clips the user annotated, except one a lead returned to them.
    returned = candidate.returned_to_id == user.pk
    candidate.own_annotation = (
        ClipAnnotation.objects.filter(clip=candidate.clip_id, annotator=user).first()
        if returned
        else None
    )
    # Only the last tier holds tasks this user skipped (it annotates when they last did).
    skipped = getattr(candidate, "skipped_at", None) is not None
    candidate.your_last_skip = last_skip(candidate, user) if skipped else None
    return candidate


def renew(task: AnnotationTask, user) -> AnnotationTask | None:
    """Extend the user's live lease by the project's lease length (the page calls this while its
    annotator works); None if they no longer hold it. The task is returned with its new expiry."""
    now = timezone.now()
    expires = now + timedelta(minutes=task.project.lease_minutes)
    # Race: the lease may run out and pass to someone else at this moment; only a live lease of
    # this holder is extended, so an expired one is never revived over another annotator's claim.
    renewed = AnnotationTask.objects.filter(
        pk=task.pk, status=TaskStatus.LEASED, lease_holder=user, lease_expires_at__gt=now
    ).update(lease_expires_at=expires)
    if renewed != 1:
        return None
    task.lease_expires_at = expires
    return task


def release(task: AnnotationTask, user) -> bool:
    """Give a leased task back to the queue. Returns whether the user held it."""
    # Race: the lease may have expired and been taken by someone else; only the holder releases.
    released = AnnotationTask.objects.filter(
        pk=task.pk, status=TaskStatus.LEASED, lease_holder=user
    ).update(status=TaskStatus.QUEUED, lease_holder=None, lease_expires_at=None)
    return released == 1


def skip(task: AnnotationTask, user, reason: str, note: str = "") -> TaskSkip | None:
    """Release the user's task and record why; the queue then offers it to them only after
    every other open task. None (and nothing recorded) if they did not hold it.

    A reason outside ``SkipReason``, or "other" without a note, raises ValidationError and
    changes nothing.
    """
    note = note.strip()
    if reason not in SkipReason.values:
        choices = ", ".join(f"{v!r} ({label})" for v, label in SkipReason.choices)
        raise ValidationError({"reason": f"Unknown reason {reason!r}; use one of {choices}."})
    if reason == SkipReason.OTHER and not note:
        raise ValidationError({"note": "Say why in a few words when the reason is 'other'."})
    with transaction.atomic():
        if not release(task, user):
            return None
        return TaskSkip.objects.create(task=task, user=user, reason=reason, note=note[:500])


def last_skip(task: AnnotationTask, user) -> TaskSkip | None:
    """The user's latest skip of this task (the page says they skipped it before, and why)."""
    return TaskSkip.objects.filter(task=task, user=user).order_by("-created_at", "-id").first()


def skipped_tasks(project: Project):
    """Skips of the project's tasks, newest first, with who skipped and the clip (leads' list)."""
    return (
        TaskSkip.objects.filter(task__project=project)
        .select_related("user", "task__clip__recording")
        .order_by("-created_at", "-id")
    )


def returned_to_count(project: Project, user) -> int:
    """Open tasks a lead's rejection returned to ``user`` ("returned to you" on the project page)."""
    return AnnotationTask.objects.filter(
        project=project, returned_to=user, status__in=[TaskStatus.QUEUED, TaskStatus.LEASED]
    ).count()


# --- submit -------------------------------------------------------------------------------------


def submit(task: AnnotationTask, user, data: Submission) -> ClipAnnotation:
    """Save the user's annotation of the task's clip atomically and complete the task.

    The annotation is saved even if the lease ran out (nothing an annotator submitted is lost);
    the task is completed unless someone else holds a live lease on it. A stale ``version``
    raises StaleVersion and changes nothing; a task the user never leased raises NotYourTask
    (one person must not fill both slots of a double-annotated clip, or answer past the queue).
    """
    project = task.project
    require_annotator(project, user)
    if user.pk not in (task.lease_holder_id, task.claimed_by_id):
        raise NotYourTask(task)
    validate_submission(project, task.clip, data)
    long_events.refuse_duplicates(task.clip, user, data.events)
    with transaction.atomic():
        annotation = save_annotation(project, task.clip, user, data, task=task)
        _complete(task, user)
        # The label is saved: what follows (a refill, a training) must never turn the answer into
        # an error, or the page's retry would be told "nothing was saved". A receiver that fails
        # (the broker unreachable) is logged by send_robust; the beat catches up later.
        transaction.on_commit(
            lambda: labels_submitted.send_robust(
                sender=AnnotationTask, project=project, annotation=annotation
            ),
            robust=True,
        )
    return annotation


def _complete(task: AnnotationTask, user) -> None:
    now = timezone.now()
    # Race: another annotator took over an expired lease; their live lease wins the task.
    from django.db.models import Q

    AnnotationTask.objects.filter(pk=task.pk).filter(
        Q(lease_holder=user) | Q(lease_holder__isnull=True) | Q(lease_expires_at__lte=now)
    ).exclude(status__in=[TaskStatus.SUBMITTED, TaskStatus.REVIEWED]).update(
        status=TaskStatus.SUBMITTED,
        completed_by=user,
        completed_at=now,
        lease_holder=None,
        lease_expires_at=None,
    )


def save_annotation(
    project: Project,
    clip: Clip,
    user,
    data: Submission,
    *,
    task: AnnotationTask | None = None,
    author=None,
    action: str = "edit",
) -> ClipAnnotation:
    """Create or update ``user``'s annotation of ``clip``, keeping the old state as a revision."""
    existing = ClipAnnotation.objects.filter(clip=clip, annotator=user).first()
    if existing is None:
        if data.version not in (None, 0):
            raise ValidationError({"version": "There is no annotation to update yet; send null."})
        return _create_annotation(project, clip, user, data, task)
    existing.annotator = user
    annotation = bump_version(existing, data.version, author or user, action)
    if action in ("edit", "import") and annotation.review_status != ClipAnnotation.Review.PENDING:
        _reopen_review(annotation)
    _write_fields(annotation, data)
    return annotation


def _reopen_review(annotation: ClipAnnotation) -> None:
    """A reviewed annotation was edited or re-imported: the lead's verdict was on the old content
    (kept in the revision), so the new content waits for review again instead of passing as
    accepted. Only the lead's own correction keeps the verdict (``review.correct``)."""
    annotation.review_status = ClipAnnotation.Review.PENDING
    AnnotationTask.objects.filter(
        project=annotation.project_id,
        clip=annotation.clip_id,
        completed_by=annotation.annotator_id,
        status=TaskStatus.REVIEWED,
    ).update(status=TaskStatus.SUBMITTED)


def _create_annotation(
    project: Project, clip: Clip, user, data: Submission, task: AnnotationTask | None
) -> ClipAnnotation:
    try:
        with transaction.atomic():
            annotation = ClipAnnotation.objects.create(
                project=project,
                clip=clip,
                annotator=user,
                task=task,
                no_calls=data.no_calls,
                noise=data.noise,
                uncertain=data.uncertain,
                notes=data.notes,
            )
    except IntegrityError as exc:  # Race: the same user's double submit created it first.
        raise StaleVersion(ClipAnnotation.objects.get(clip=clip, annotator=user)) from exc
    # A new row has no tags or events to replace: insert them, nothing to read or delete first.
    links = ClipAnnotation.tags.through
    links.objects.bulk_create(
        links(clipannotation_id=annotation.pk, tag_id=tag) for tag in dict.fromkeys(data.tags)
    )
    _create_events(annotation, data.events)
    return annotation


def bump_version(
    existing: ClipAnnotation, version: int | None, author, action: str, *, note: str | None = None
) -> ClipAnnotation:
    """Keep ``existing``'s current state as a revision (with the lead's ``note``, if any) and move
    it to the next version; StaleVersion if the client's ``version`` is not the current one.
    The one place an annotation's version moves (edits, imports, reviews)."""
    if version != existing.version:
        raise StaleVersion(existing)
    data = existing.snapshot() if note is None else {**existing.snapshot(), "note": note}
    AnnotationRevision.objects.create(
        clip_annotation=existing, version=existing.version, data=data, author=author, action=action
    )
    # Race: two tabs editing the same version; only one conditional update succeeds.
    moved = ClipAnnotation.objects.filter(pk=existing.pk, version=version).update(
        version=version + 1, updated_at=timezone.now()
    )
    if moved != 1:
        existing.refresh_from_db()
        raise StaleVersion(existing)
    existing.version = version + 1
    return existing


def _write_fields(annotation: ClipAnnotation, data: Submission) -> None:
    annotation.no_calls = data.no_calls
    annotation.noise = data.noise
    annotation.uncertain = data.uncertain
    annotation.notes = data.notes
    annotation.save(
        update_fields=["no_calls", "noise", "uncertain", "notes", "review_status", "updated_at"]
    )
    annotation.tags.set(data.tags)
    annotation.events.all().delete()
    _create_events(annotation, data.events)


def _create_events(annotation: ClipAnnotation, events: list[EventInput]) -> None:
    SoundEventAnnotation.objects.bulk_create(
        SoundEventAnnotation(
            clip_annotation=annotation,
            start_s=e.start_s,
            end_s=e.end_s,
            low_hz=e.low_hz,
            high_hz=e.high_hz,
            tag_id=e.tag,
            confidence=e.confidence,
            notes=e.notes,
        )
        for e in events
    )


def validate_submission(project: Project, clip: Clip, data: Submission) -> None:
    """Refuse boxes outside the recording or not overlapping the clip, bad bands, and tags of
    other projects.

    An event belongs to the recording: a bird's song longer than a clip is one event, filed
    under the clip it starts in, and may run past that clip's end (and its neighbours')."""
    errors: dict[str, list[str]] = {}
    tag_ids = set(data.tags) | {e.tag for e in data.events if e.tag is not None}
    known = set(
        Tag.objects.filter(project=project, pk__in=tag_ids).order_by().values_list("pk", flat=True)
    )
    if tag_ids - known:
        errors.setdefault("tags", []).append(
            f"Tags not in this project: {sorted(tag_ids - known)}."
        )
    lo_t, hi_t = (
        0.0,
        clip.recording.duration_s,
    )  # an event belongs to the recording (it may span clips)
    nyquist = clip.recording.nyquist_hz
    for i, e in enumerate(data.events):
        problem = _event_problem(e, clip, lo_t, hi_t, nyquist, project)
        if problem:
            errors.setdefault("events", []).append(f"event {i}: {problem}")
    if data.no_calls and data.events:
        errors.setdefault("no_calls", []).append("A clip with events cannot be marked 'no calls'.")
    if errors:
        raise ValidationError(errors)


def _event_problem(
    e: EventInput, clip: Clip, lo_t: float, hi_t: float, nyquist: float, project
) -> str | None:
    if not e.end_s > e.start_s:
        return "end_s must be after start_s"
    if e.start_s < lo_t - 1e-6 or e.end_s > hi_t + 1e-6:
        return (
            f"times {e.start_s:.4f}–{e.end_s:.4f} s are outside the recording "
            f"({lo_t:.4f}–{hi_t:.4f} s)"
        )
    if e.end_s <= clip.start_s or e.start_s >= clip.end_s:
        return "the event does not overlap the clip"
    if (e.low_hz is None) != (e.high_hz is None):
        return "give both low_hz and high_hz, or neither"
    if e.low_hz is None and project.annotation_mode == Project.AnnotationMode.BOX:
        return "this project annotates time–frequency boxes: low_hz and high_hz are required"
    if e.low_hz is not None and not (0 <= e.low_hz < e.high_hz <= nyquist + 1e-6):
        return f"band {e.low_hz:.0f}–{e.high_hz:.0f} Hz is outside 0–{nyquist:.0f} Hz"
    if e.confidence is not None and not 0 <= e.confidence <= 1:
        return "confidence must be between 0 and 1"
    return None
