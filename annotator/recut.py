"""Re-cutting a recording's clips to its project's clip length and overlap, labels and all.

Labels belong to the recording by time, so a re-cut moves them instead of leaving labelled clips
at their old length:

- each event moves (the same row, same id) to the new clip containing its start (the one holding
  most of it when clips overlap), as imports file them;
- a clip-level answer (tags, notes, "uncertain") goes to the new clip the old one starts in (the
  one holding most of it when clips overlap); its tags go to every new clip that contains the old clip whole (a species heard in
  0–1 s was heard in 0–2 s), and when the old clip was longer than its new home, the tags arrive
  with "uncertain" set and a note saying which span they were given for;
- "no calls" and "noise" hold for a new clip only if the annotator's old "no calls" (or
  "noise") clips cover it whole, and "no calls" never beside events;
- one annotator's contributions to one new clip become one annotation (merged into the one they
  already have there), its version past every source's, with a revision (action "recut") that
  keeps every source annotation's snapshot, span and revisions: nothing is lost;
- review: accepted (or rejected) only if every source was; otherwise pending again;
- tasks: each moved annotation gets a completed task on its new clip (reviewed when its review is
  settled); open tasks of an old clip are queued again on the new clips it mostly covers, with
  their skips; apps that keep clip ids hear where each old clip went (``signals.clips_recut``:
  sampling moves its picks to the new clip their old one starts in);
- a new clip overlapping an old held-out clip that carried work is held out too, so evaluation
  labels never reach training.

Clips a re-cut must not touch stay as they are and the rest is cut around them: a clip under a
live lease (the annotator's page would lose its task) and a clip whose answers a lead's consensus
settled (the consensus links those exact answers).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from annotator.ingest import announce_clips_added
from annotator.models import (
    AnnotationRevision,
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Project,
    Recording,
    SoundEventAnnotation,
    TaskSkip,
    TaskStatus,
)
from annotator.models.audio import home_clip
from annotator.signals import clips_recut

SLIVER_S = 1e-3  # a gap under a millisecond between kept clips is no clip


@dataclass
class Recut:
    created: int = 0
    removed: int = 0
    kept: int = 0  # clips left as they were: under a live lease, or settled by a consensus
    moved_annotations: int = 0  # answers whose labels moved to the new clips
    moved_events: int = 0
    requeued: int = 0  # open tasks queued again on the new clips

    def add(self, other: Recut) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def recut_clips(recording: Recording) -> Recut:
    """Re-cut a recording to its project's clip length and overlap, keeping every label (see the
    module's docstring for where each kind of work goes). Idempotent: a second run changes
    nothing."""
    with transaction.atomic():
        # Two re-cuts of one recording at once would both cut and move the same clips.
        Recording.objects.select_for_update().filter(pk=recording.pk).first()
        clips = list(recording.clips.order_by("start_s", "end_s"))
        pinned = _pinned(clips)
        bounds = _bounds_around(recording, sorted((c.start_s, c.end_s) for c in pinned))
        by_span = {(c.start_s, c.end_s): c for c in clips if c.pk not in {p.pk for p in pinned}}
        reused = [by_span.pop(b) for b in bounds if b in by_span]
        old = list(by_span.values())
        created = _create_clips(recording, [b for b in bounds if b not in _spans(reused)], old)
        final = sorted([*pinned, *reused, *created], key=lambda c: (c.start_s, c.end_s))
        done = Recut(created=len(created), kept=len(pinned))
        if old:
            _Mover(recording.project, final, done).move(old)
            done.removed = (
                Clip.objects.filter(pk__in=[c.pk for c in old]).delete()[1].get("annotator.Clip", 0)
            )
    return done


def recut_project(project: Project) -> Recut:
    """Re-cut every recording of the project (after its clip length or overlap changed)."""
    total = Recut()
    for recording in Recording.objects.filter(project=project).select_related("project").iterator():
        total.add(recut_clips(recording))
    if total.created:
        announce_clips_added(project)
    return total


def _pinned(clips: list[Clip]) -> list[Clip]:
    ids = [c.pk for c in clips]
    live = AnnotationTask.objects.filter(
        clip__in=ids, status=TaskStatus.LEASED, lease_expires_at__gt=timezone.now()
    ).values_list("clip_id", flat=True)
    settled = ClipAnnotation.objects.filter(clip__in=ids).filter(
        Q(consensus__isnull=False) | Q(settled_by__isnull=False)
    )
    keep = set(live) | set(settled.values_list("clip_id", flat=True))
    return [c for c in clips if c.pk in keep]


def _spans(clips: list[Clip]) -> set[tuple[float, float]]:
    return {(c.start_s, c.end_s) for c in clips}


def _bounds_around(recording: Recording, kept: list[tuple[float, float]]) -> list:
    """The project's cut of the audio between the kept clips (all of it when none are kept)."""
    bounds, edge = [], 0.0
    for start, end in [*kept, (recording.duration_s, recording.duration_s)]:
        if start - edge > SLIVER_S:
            bounds += _cut_gap(recording, edge, start)
        edge = max(edge, end)
    return bounds


def _cut_gap(recording: Recording, start_s: float, end_s: float) -> list[tuple[float, float]]:
    """The project's cut of the stretch start_s..end_s (a recording of that length, shifted)."""
    project = recording.project
    if start_s == 0.0 and end_s == recording.duration_s:
        return recording.clip_bounds(project.clip_length_s, project.clip_overlap_s)
    stretch = Recording(duration_s=end_s - start_s, samplerate=recording.samplerate, channels=1)
    return [
        (round(start_s + a, 6), min(round(start_s + b, 6), end_s))
        for a, b in stretch.clip_bounds(project.clip_length_s, project.clip_overlap_s)
    ]


def _create_clips(recording: Recording, bounds: list, old: list[Clip]) -> list[Clip]:
    project = recording.project
    # Evaluation labels stay out of training: held-out work keeps its new clips held out.
    worked = set(
        ClipAnnotation.objects.filter(clip__in=old).values_list("clip_id", flat=True)
    ) | set(AnnotationTask.objects.filter(clip__in=old).values_list("clip_id", flat=True))
    held = [(c.start_s, c.end_s) for c in old if c.held_out and c.pk in worked]
    return Clip.objects.bulk_create(
        Clip(
            project=project,
            recording=recording,
            start_s=start,
            end_s=end,
            held_out=Clip.draw_held_out(recording.sha256, start, project.audit_fraction)
            or any(s < end and start < e for s, e in held),
        )
        for start, end in bounds
    )


@dataclass
class _Share:
    """What one annotator's old answers give one new clip."""

    sources: list[ClipAnnotation] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    tags: set[int] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    uncertain: bool = False


class _Mover:
    """Moves the work of old clips onto the final clips of a recording."""

    def __init__(self, project: Project, final: list[Clip], done: Recut):
        self.project, self.final, self.done = project, final, done
        self.tasks: dict[int, AnnotationTask] = {}  # new clip -> the task its moved work got

    def home(self, start_s: float, end_s: float) -> Clip:
        found = home_clip(self.final, start_s, end_s)
        # Past the last clip's end only by rounding (clip ends are rounded down to microseconds).
        return found or self.final[-1]

    def move(self, old: list[Clip]) -> None:
        answers = list(
            ClipAnnotation.objects.filter(clip__in=old)
            .select_related("clip", "task")
            .prefetch_related("tags", "events", "revisions")
            .order_by("clip__start_s", "pk")
        )
        # As they were before anything moves (one answer may be split over several new clips).
        self.sources = {a.pk: _source(a) for a in answers}
        shares: dict[tuple[int, int], _Share] = defaultdict(_Share)
        for answer in answers:
            self._share(answer, shares)
        quiet = _covers(answers, "no_calls"), _covers(answers, "noise")
        clips = {c.pk: c for c in self.final}
        for (clip_id, _user), share in sorted(shares.items()):
            self._write(clips[clip_id], share, quiet)
        self._requeue(old)
        self._announce(old)
        self.done.moved_annotations += len(answers)

    def _share(self, answer: ClipAnnotation, shares: dict) -> None:
        old = answer.clip

        def share_of(clip: Clip) -> _Share:
            share = shares[(clip.pk, answer.annotator_id)]
            if answer not in share.sources:
                share.sources.append(answer)
            return share

        home_clip_ = self.home(old.start_s, old.end_s)
        home = share_of(home_clip_)
        tags = {t.pk for t in answer.tags.all()}
        whole = [c for c in self.final if c.start_s <= old.start_s and old.end_s <= c.end_s]
        for clip in whole:
            share_of(clip).tags |= tags
        if tags and home_clip_ not in whole:
            home.tags |= tags
            home.uncertain = True
            home.notes.append(
                f"(re-cut: the clip tags were given for {old.start_s:g}–{old.end_s:g} s)"
            )
        if answer.notes:
            same = (old.start_s, old.end_s) == (home_clip_.start_s, home_clip_.end_s)
            home.notes.append(
                answer.notes if same else f"(for {old.start_s:g}–{old.end_s:g} s) {answer.notes}"
            )
        home.uncertain |= answer.uncertain
        if answer.no_calls or answer.noise:  # true of every new clip inside the old one
            for clip in self.final:
                if old.start_s <= clip.start_s and clip.end_s <= old.end_s:
                    share_of(clip)
        for event in answer.events.all():
            share_of(self.home(event.start_s, event.end_s)).events.append(event.pk)

    def _write(self, clip: Clip, share: _Share, quiet) -> None:
        user_id = share.sources[0].annotator_id
        current = ClipAnnotation.objects.filter(clip=clip, annotator_id=user_id).first()
        before = current.snapshot() if current else None
        version = max([a.version for a in share.sources] + [current.version if current else 0])
        statuses = {a.review_status for a in share.sources}
        if current:
            statuses.add(current.review_status)
        annotation = current or ClipAnnotation(project=self.project, clip=clip)
        annotation.annotator_id = user_id
        annotation.version = version + 1
        annotation.review_status = statuses.pop() if len(statuses) == 1 else "pending"
        annotation.uncertain = annotation.uncertain or share.uncertain
        annotation.notes = "\n".join([n for n in [annotation.notes, *share.notes] if n])
        annotation.save()
        AnnotationRevision.objects.create(
            clip_annotation=annotation,
            version=version,
            data={"recut_from": [self.sources[a.pk] for a in share.sources], "before": before},
            action="recut",
        )
        moved = SoundEventAnnotation.objects.filter(pk__in=share.events)
        self.done.moved_events += moved.update(clip_annotation=annotation)
        annotation.tags.add(*share.tags)
        has_events = annotation.events.exists()
        no_calls, noise = (_covered(q.get(user_id, []), clip) for q in quiet)
        annotation.no_calls = (annotation.no_calls or no_calls) and not has_events
        annotation.noise = annotation.noise or noise
        annotation.save(update_fields=["no_calls", "noise"])
        if annotation.task_id is None:
            annotation.task = self._completed_task(clip, annotation, share.sources)
            annotation.save(update_fields=["task"])

    def _completed_task(self, clip: Clip, annotation: ClipAnnotation, sources) -> AnnotationTask:
        model = next((a.task for a in sources if a.task is not None), None)
        settled = annotation.review_status != ClipAnnotation.Review.PENDING
        task = AnnotationTask.objects.create(
            project=self.project,
            clip=clip,
            slot=_free_slot(clip),
            annotations_needed=max([a.task.annotations_needed for a in sources if a.task] + [1]),
            status=TaskStatus.REVIEWED if settled else TaskStatus.SUBMITTED,
            priority=model.priority if model else 0.0,
            reason=(model.reason if model else "") or "re-cut",
            source=model.source if model else "recut",
            is_audit=model.is_audit if model else False,
            round_number=model.round_number if model else None,
            claimed_by_id=annotation.annotator_id,
            completed_by_id=annotation.annotator_id,
            completed_at=max(
                [a.task.completed_at for a in sources if a.task and a.task.completed_at]
                or [timezone.now()]
            ),
        )
        self.tasks.setdefault(clip.pk, task)
        return task

    def _requeue(self, old: list[Clip]) -> None:
        """Open tasks (queued, or a lease that ran out) go to the new clips their clip mostly
        covers, with their skips."""
        open_tasks = AnnotationTask.objects.filter(
            clip__in=old, status__in=[TaskStatus.QUEUED, TaskStatus.LEASED]
        ).select_related("clip")
        for task in open_tasks:
            old_clip = task.clip
            targets = [
                c
                for c in self.final
                if _overlap(c, old_clip) >= 0.5 * (c.end_s - c.start_s)
                or c == self.home(old_clip.start_s, old_clip.end_s)
            ]
            made = [self._queue_copy(task, c) for c in targets]
            made = [t for t in made if t is not None]
            if made:
                TaskSkip.objects.filter(task=task).update(task=made[0])
            self.done.requeued += len(made)

    def _queue_copy(self, task: AnnotationTask, clip: Clip) -> AnnotationTask | None:
        if AnnotationTask.objects.filter(clip=clip, slot=task.slot).exists():
            return None
        copy = AnnotationTask.objects.create(
            project=self.project,
            clip=clip,
            slot=task.slot,
            annotations_needed=task.annotations_needed,
            priority=task.priority,
            reason=task.reason,
            source=task.source,
            is_audit=task.is_audit,
            round_number=task.round_number,
            returned_to_id=task.returned_to_id,
            return_note=task.return_note,
        )
        self.tasks.setdefault(clip.pk, copy)
        return copy

    def _announce(self, old: list[Clip]) -> None:
        """Tell the apps that keep clip ids (sampling's picks) where each old clip went, before
        the old clips are deleted (inside this transaction)."""
        moves = {c.pk: self.home(c.start_s, c.end_s).pk for c in old}  # where each starts
        clips_recut.send(
            sender=Clip,
            project=self.project,
            moves=moves,
            tasks={k: t.pk for k, t in self.tasks.items()},
        )


def _source(answer: ClipAnnotation) -> dict:
    """A moved answer as its revision keeps it: where it was, what it said, its history."""
    return {
        "annotation": answer.pk,
        "clip": answer.clip_id,
        "span": [answer.clip.start_s, answer.clip.end_s],
        "snapshot": answer.snapshot(),
        "revisions": [
            {"version": r.version, "action": r.action, "data": r.data}
            for r in answer.revisions.all()
        ],
    }


def _covers(answers: list[ClipAnnotation], flag: str) -> dict[int, list[tuple[float, float]]]:
    """Per annotator, the spans of their old clips answered with ``flag`` set."""
    spans: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for a in answers:
        if getattr(a, flag):
            spans[a.annotator_id].append((a.clip.start_s, a.clip.end_s))
    return spans


def _covered(spans: list[tuple[float, float]], clip: Clip) -> bool:
    """Whether the union of ``spans`` covers the clip whole."""
    edge = clip.start_s
    for start, end in sorted(spans):
        if start > edge + SLIVER_S:
            break
        edge = max(edge, end)
    return bool(spans) and edge >= clip.end_s - SLIVER_S


def _overlap(a: Clip, b: Clip) -> float:
    return max(0.0, min(a.end_s, b.end_s) - max(a.start_s, b.start_s))


def _free_slot(clip: Clip) -> int:
    used = AnnotationTask.objects.filter(clip=clip).aggregate(top=Max("slot"))["top"]
    return (used or 0) + 1
