"""The label snapshot a training learns from: one chosen annotation per labelled clip, its audio
read and its boxes put in clip time.

Bounded before any audio is read: at most ``max_examples`` labels (the evaluation clips first,
then consensus and accepted labels, then a fixed hash of the clip so the rest is an unbiased,
repeatable sample), and reading stops at a deadline that is a share of the training's time
budget, so a huge import cannot make the snapshot alone outlast the budget.
"""

from __future__ import annotations

import hashlib
import time
import zlib
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from annotator import dsp
from annotator.models import AnnotationTask, Clip, ClipAnnotation, Consensus, Project
from models_app.evaluating import MAX_EVAL_CLIPS
from models_app.training import Box, Example

SEASONS = ["DJF", "DJF", "MAM", "MAM", "MAM", "JJA", "JJA", "JJA", "SON", "SON", "SON", "DJF"]


@dataclass
class LabelledClip:
    clip: Clip
    example: Example
    is_audit: bool
    annotation_id: int = 0
    annotation_version: int = 0


@dataclass
class Snapshot:
    """The labelled clips read, and how many there were to read before the bounds."""

    labelled: list[LabelledClip] = field(default_factory=list)
    learnable: int = 0  # labels with boxes or a negative answer
    planned: int = 0  # of those, within ``max_examples``
    max_examples: int | None = None
    max_seconds: float | None = None
    seconds: float = 0.0
    out_of_time: bool = False

    @property
    def cut(self) -> bool:
        return len(self.labelled) < self.learnable

    def message(self) -> str:
        """A run log line saying which bound cut the snapshot (empty when none did)."""
        if not self.cut:
            return ""
        why = []
        if self.planned < self.learnable:
            why.append(f"max_examples {self.max_examples}")
        if self.out_of_time:
            why.append(f"{self.max_seconds:g} s to read labels")
        return (
            f"labels: read {len(self.labelled)} of {self.learnable} labelled clips in "
            f"{self.seconds:.0f} s ({', '.join(why)}); the rest waits for a later training"
        )


def _clock() -> float:
    """The snapshot's own clock (tests replace this, not ``time.monotonic`` for the whole process)."""
    return time.monotonic()


def chosen_annotations(project: Project) -> list[ClipAnnotation]:
    """One annotation per labelled clip: a lead's consensus if there is one, else an accepted
    one, else the first submitted."""
    chosen: dict[int, ClipAnnotation] = {}
    rows = (
        ClipAnnotation.objects.filter(project=project)
        .exclude(review_status=ClipAnnotation.Review.REJECTED)
        .annotate(is_consensus=Exists(Consensus.objects.filter(annotation=OuterRef("pk"))))
        .select_related("clip__recording__root", "clip__recording__site")
        .prefetch_related("events__tag", "tags")
        .order_by("clip_id", "created_at")
    )
    for ann in rows:
        current = chosen.get(ann.clip_id)
        if current is None or _rank(ann) > _rank(current):
            chosen[ann.clip_id] = ann
    return list(chosen.values())


def _rank(ann: ClipAnnotation) -> int:
    return 2 if ann.is_consensus else 1 if ann.review_status == "accepted" else 0


def labelled_clips(
    project: Project, *, with_metadata: bool = False, progress=None
) -> list[LabelledClip]:
    """Every label's clip, unbounded (tests and tools; a training takes ``take``)."""
    return take(project, with_metadata=with_metadata, progress=progress).labelled


def take(
    project: Project,
    *,
    with_metadata: bool = False,
    progress=None,
    max_examples: int | None = None,
    max_seconds: float | None = None,
) -> Snapshot:
    """The label snapshot a training run learns from, within ``max_examples`` labels (chosen
    before any audio is read) and ``max_seconds`` of reading."""
    began = _clock()
    learnable = [  # .all(): the prefetched rows
        a for a in chosen_annotations(project) if a.events.all() or a.no_calls or a.noise
    ]
    planned = _order(project, learnable)[:max_examples] if max_examples else learnable
    audit = set(
        AnnotationTask.objects.filter(project=project, is_audit=True).values_list(
            "clip_id", flat=True
        )
    )
    snap = Snapshot(
        learnable=len(learnable),
        planned=len(planned),
        max_examples=max_examples,
        max_seconds=max_seconds,
    )
    for ann in planned:
        if max_seconds is not None and _clock() - began > max_seconds:
            snap.out_of_time = True
            break
        snap.labelled.append(
            LabelledClip(
                ann.clip, _example(ann, with_metadata), ann.clip_id in audit, ann.pk, ann.version
            )
        )
        if progress:
            progress(len(snap.labelled) / len(planned))
    snap.seconds = _clock() - began
    return snap


def _order(project: Project, annotations: list[ClipAnnotation]) -> list[ClipAnnotation]:
    """Which labels a capped snapshot reads first: the evaluation clips ``evaluation_set``
    keeps (same hash), then consensus, accepted, the rest, each in a fixed hash order."""
    evaluation = set(Clip.objects.for_project(project).evaluation().values_list("pk", flat=True))
    key = lambda ann: hashlib.sha256(str(ann.clip_id).encode()).digest()  # noqa: E731
    in_eval = sorted((a for a in annotations if a.clip_id in evaluation), key=key)
    first, extra = in_eval[:MAX_EVAL_CLIPS], in_eval[MAX_EVAL_CLIPS:]
    rest = [a for a in annotations if a.clip_id not in evaluation] + extra
    return first + sorted(rest, key=lambda a: (-_rank(a), key(a)))


def _example(ann: ClipAnnotation, with_metadata: bool) -> Example:
    clip = ann.clip
    with clip.recording.open() as fh:
        audio, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
    boxes = [
        Box(
            start_s=max(0.0, e.start_s - clip.start_s),
            end_s=min(clip.duration, e.end_s - clip.start_s),
            low_hz=e.low_hz,
            high_hz=e.high_hz,
            label=e.tag.value if e.tag else None,
        )
        for e in ann.events.all()
        if e.end_s > clip.start_s and e.start_s < clip.end_s
    ]
    meta = _metadata(clip) if with_metadata else None
    return Example(events=boxes, audio=audio, samplerate=samplerate, is_empty=not boxes, meta=meta)


def _metadata(clip: Clip) -> dict:
    """Site, hour and season of the clip: auxiliary targets, never inputs."""
    rec = clip.recording
    meta = {"site": rec.site.name if rec.site else "unknown"}
    if rec.recorded_at:
        moment = rec.recorded_at + timezone.timedelta(seconds=clip.start_s)
        meta["hour"] = str(moment.hour)
        meta["season"] = SEASONS[moment.month - 1]
    return meta


def split(labelled: list[LabelledClip]) -> tuple[list[LabelledClip], list[LabelledClip], str]:
    """Train/validation: the random audit slice when there is one, else held-out recordings."""
    audit = [lc for lc in labelled if lc.is_audit]
    if audit and len(audit) < len(labelled):
        return [lc for lc in labelled if not lc.is_audit], audit, "audit"
    recordings = sorted({lc.clip.recording_id for lc in labelled})
    if len(recordings) < 2:
        return labelled, [], "none"
    # A fixed hash of the id (not Python's salted hash) keeps the split stable across runs.
    held = {r for r in recordings if zlib.crc32(str(r).encode()) % 5 == 0} or {recordings[-1]}
    if len(held) == len(recordings):
        held = {recordings[-1]}
    train_part = [lc for lc in labelled if lc.clip.recording_id not in held]
    return train_part, [lc for lc in labelled if lc.clip.recording_id in held], "recordings"
