"""Placing imported boxes in the project's clips and saving them, all or nothing."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db import transaction

from annotator import measurements, queue
from annotator.exchange import kept
from annotator.exchange.reading import (
    HASH_COLUMN,
    ParsedFile,
    Upload,
    import_user,
    match_recordings,
    read_upload,
    resolve_tags,
    unpack,
)
from annotator.formats import batdetect2, raven
from annotator.formats.aoef.schema import EVALUATION_TYPE
from annotator.formats.base import (
    AnnotationSet,
    Box,
    ClipLabel,
    FormatError,
)
from annotator.models import (
    Clip,
    ClipAnnotation,
    Project,
    Recording,
    Tag,
)
from annotator.models.audio import home_clip
from annotator.signals import labels_submitted

TOLERANCE_S = 1e-3  # as Clip.contains: clip bounds are rounded to microseconds
# Extra columns our own exports write and any import can recompute: not reported as dropped.
DERIVED_FIELDS = frozenset(
    {
        *raven.MEASUREMENTS,
        *raven.MEASUREMENTS.values(),
        *measurements.FIELDS,
        *raven.FILE_COLUMNS,
        raven.OFFSET,
        raven.DELTA_TIME,
        raven.DELTA_FREQ,
        raven.ANNOTATOR,
        HASH_COLUMN,
        "channel",
    }
)

# Values that say nothing: BatDetect2's default call type and "no individual" (what its export
# writes back anyway).
DEFAULT_VALUES = {
    "event": (batdetect2.DEFAULT_EVENT,),
    "individual": (batdetect2.DEFAULT_INDIVIDUAL, -1),
}

# --- placing boxes in clips ---------------------------------------------------------------------


@dataclass
class _ClipPlan:
    """What the file says about one clip, labels still as text."""

    clip: Clip
    events: list[tuple[queue.EventInput, str | None]] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    no_calls: bool = False
    notes: list[str] = field(default_factory=list)

    def submission(self, tags: dict[str, Tag], version: int | None) -> queue.Submission:
        events = [replace(e, tag=tags[label].pk if label else None) for e, label in self.events]
        return queue.Submission(
            version=version,
            tags=sorted({tags[label].pk for label in self.labels}),
            no_calls=self.no_calls and not events,
            notes="\n".join(self.notes),
            events=events,
        )


class _Planner:
    """Puts a file's boxes and clip labels on the project's clips, checking every box."""

    def __init__(self, project: Project):
        self.project = project
        self.plans: dict[int, _ClipPlan] = {}
        self.clips: dict[int, list[Clip]] = {}
        self.problems: list[FormatError] = []
        self.clip_labels = 0
        self.past_the_end: list[str] = []  # rows for a longer recording than the one imported
        self.kept: dict[str, int] = {}  # extra columns and tags: field -> boxes that had one
        self.notes_not_kept: list[str] = []

    def add(self, file: ParsedFile, matched: dict[str, Recording], many: bool) -> None:
        for box, (line, where) in zip(file.annset.boxes, file.places, strict=True):
            recording = matched[box.recording]
            if box.end_s > recording.duration_s + TOLERANCE_S:
                self.past_the_end.append(_past_the_end(box, recording, line, where, file, many))
                continue
            fields = _fields_to_keep(box.extra)
            for key in fields:
                self.kept[key] = self.kept.get(key, 0) + 1
            problem = self._add_box(box, recording, fields)
            if problem:
                error = FormatError(
                    f"box {box.start_s:.4f}–{box.end_s:.4f} s: {problem}", line, where
                )
                self.problems.append(_in_file(error, file) if many else error)
        for label in file.annset.clips:
            self._add_clip_label(label, matched[label.recording])

    def _clips_of(self, recording: Recording) -> list[Clip]:
        if recording.pk not in self.clips:
            self.clips[recording.pk] = list(
                recording.clips.select_related("recording").order_by("start_s", "end_s")
            )
        return self.clips[recording.pk]

    def _add_box(self, box: Box, recording: Recording, fields: dict) -> str | None:
        """File the box under the clip it starts in (it may run on past that clip's end), its
        extra ``fields`` kept in its notes."""
        clip = home_clip(self._clips_of(recording), box.start_s, box.end_s)
        if clip is None:
            return f"starts after the end of {recording.name} ({recording.duration_s:.4f} s)"
        notes = kept.with_fields(box.notes, fields)
        event = queue.EventInput(
            box.start_s, box.end_s, box.low_hz, box.high_hz, None, box.confidence, notes
        )
        try:
            # Tags are resolved later and are the project's own; the geometry rules are queue's.
            queue.validate_submission(self.project, clip, queue.Submission(events=[event]))
        except ValidationError as exc:
            return "; ".join(m.removeprefix("event 0: ") for m in exc.messages)
        self._plan(clip).events.append((event, box.label))
        return None

    def _add_clip_label(self, label: ClipLabel, recording: Recording) -> None:
        """Tags and notes go to a clip the label's span coincides with; "no calls" to every
        clip inside the span (a species heard somewhere in a long stretch is not in each clip).
        The label's other fields (non-species tags) are kept in its notes; with no clip of ours
        coinciding, its species go there too, as "#clip tags: …" (exchange.kept)."""
        label = replace(label, notes=kept.with_fields(label.notes, label.extra), extra={})
        end = min(label.end_s, recording.duration_s)
        clips = self._clips_of(recording)
        first = bisect_left([c.start_s for c in clips], label.start_s - TOLERANCE_S)
        applied = tagged = False
        for clip in clips[first:]:
            if clip.start_s > end:
                break
            if clip.end_s > end + TOLERANCE_S:
                continue
            same = (
                abs(clip.start_s - label.start_s) <= TOLERANCE_S
                and abs(clip.end_s - end) <= TOLERANCE_S
            )
            if label.no_calls:
                self._plan(clip).no_calls = applied = True
            if same and (label.labels or label.notes):
                plan = self._plan(clip)
                plan.labels.update(label.labels)
                plan.notes += [label.notes] if label.notes else []
                applied = tagged = True
        note = label.notes
        if label.labels and not tagged:
            note = kept.with_fields(note, {"clip tags": "; ".join(label.labels)})
        if note and not any(note in p.notes for p in self.plans.values()):
            # No clip of ours coincides with the file's (other lengths, a remainder joined to
            # the last clip): the note goes to the clip its span starts in, saying where it was.
            home = home_clip(clips, label.start_s, max(end, label.start_s))
            if home is None:
                self.notes_not_kept.append(
                    f"{recording.name} {label.start_s:.3f}–{label.end_s:.3f} s: {note}"
                )
            else:
                span = f"(for {label.start_s:g}–{label.end_s:g} s) "
                self._plan(home).notes.append(span + note)
                applied = True
        self.clip_labels += applied

    def _plan(self, clip: Clip) -> _ClipPlan:
        return self.plans.setdefault(clip.pk, _ClipPlan(clip))

    def labels(self) -> set[str]:
        used = {label for plan in self.plans.values() for _, label in plan.events if label}
        return used | {label for plan in self.plans.values() for label in plan.labels}

    def raise_problems(self) -> None:
        if self.past_the_end and not self.plans:
            raise FormatError(
                f"every box lies past the end of its recording ({self.past_the_end[0]}): "
                "is this the table of another recording?"
            )
        if self.problems:
            first = self.problems[0]
            more = len(self.problems) - 1
            suffix = f" (and {more} more bad box{'es' if more > 1 else ''})" if more else ""
            raise FormatError(first.message + suffix, line=first.line, field=first.field)


# --- importing ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    format: str
    annotator: str
    files: int
    recordings: int
    boxes: int
    clip_labels: int
    created: int
    updated: int
    tags_created: list[str]
    # Fields Echoloop has no column for (extra columns, non-species tags, scores): kept as
    # "#key: value" lines in the boxes' notes (exchange.kept), counted per field.
    fields_kept_in_notes: dict[str, int] = field(default_factory=dict)
    # Not imported, and said so: rows past the end of their recording (a table made for a
    # longer recording than the excerpt imported), and their clip notes.
    past_the_end: list[str] = field(default_factory=list)
    notes_not_kept: list[str] = field(default_factory=list)
    evaluation_clips: int = 0  # clips an evaluation set put in the project's evaluation set

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def import_annotations(
    project: Project,
    upload: Upload,
    *,
    format_name: str | None = None,
    recording: Recording | None = None,
    annotator=None,
    create_tags: bool = False,
    author=None,
) -> ImportReport:
    """Import one annotation file (or a zip of them) into ``project``; all or nothing.

    Boxes become ``annotator``'s ClipAnnotations (default: the format's import user); ``author``
    (the requesting lead) is recorded on the revisions of annotations that existed already.
    Raises FormatError, naming the line or field, and then nothing is written.
    """
    files = [read_upload(u, format_name) for u in unpack(upload)]
    if not files:
        raise FormatError("the zip holds no files")
    many = len(files) > 1
    with transaction.atomic():
        user = annotator or import_user(files[0].format)
        planner = _Planner(project)
        recordings: set[int] = set()
        held_out = 0
        for file in files:
            try:
                matched = match_recordings(project, file, recording=recording)
            except FormatError as error:
                raise _in_file(error, file) if many else error from None
            recordings |= {r.pk for r in matched.values()}
            planner.add(file, matched, many)
            if file.annset.collection == EVALUATION_TYPE:
                held_out += hold_out(file.annset, matched)
        planner.raise_problems()
        tags, created_tags = resolve_tags(project, planner.labels(), create=create_tags)
        created, updated = _save(project, planner.plans.values(), tags, user, author or user)
        transaction.on_commit(
            lambda: labels_submitted.send(sender=ClipAnnotation, project=project, annotation=None)
        )
    return ImportReport(
        format=files[0].format,
        annotator=user.get_username(),
        files=len(files),
        recordings=len(recordings),
        boxes=sum(len(f.annset.boxes) for f in files) - len(planner.past_the_end),
        clip_labels=planner.clip_labels,
        created=created,
        updated=updated,
        tags_created=created_tags,
        past_the_end=planner.past_the_end,
        fields_kept_in_notes=dict(sorted(planner.kept.items())),
        notes_not_kept=planner.notes_not_kept,
        evaluation_clips=held_out,
    )


def hold_out(annset: AnnotationSet, matched: dict[str, Recording]) -> int:
    """An evaluation set (Whombat's ``evaluation_set``) becomes part of the project's: every clip
    overlapping one of its clips is held out (never sampled or trained on). Returns how many
    clips were newly held out."""
    by_recording: dict[int, list[tuple[float, float]]] = {}
    for label in annset.clips:
        by_recording.setdefault(matched[label.recording].pk, []).append(
            (label.start_s, label.end_s)
        )
    changed = 0
    for recording_id, spans in by_recording.items():  # one recording's clips at a time
        clips = Clip.objects.filter(recording_id=recording_id, held_out=False)
        ids = [
            pk
            for pk, c0, c1 in clips.values_list("pk", "start_s", "end_s")
            if any(start < c1 and c0 < end for start, end in spans)
        ]
        for i in range(0, len(ids), 500):
            changed += Clip.objects.filter(pk__in=ids[i : i + 500]).update(held_out=True)
    return changed


def _fields_to_keep(extra: dict) -> dict:
    """The box's fields worth keeping: not ones an export recomputes, not a format's default."""
    return {
        key: value
        for key, value in extra.items()
        if key not in DERIVED_FIELDS and value not in DEFAULT_VALUES.get(key, ())
    }


def _past_the_end(box: Box, recording: Recording, line, where, file: ParsedFile, many: bool) -> str:
    place = f"line {line}" if line is not None else (where or "a box")
    if many:
        place = f"{file.upload.name} {place}"
    return (
        f"{place}: {box.start_s:.3f}–{box.end_s:.3f} s ({box.label or 'no label'}) runs past the "
        f"end of {recording.name} ({recording.duration_s:.3f} s)"
    )


def _in_file(error: FormatError, file: ParsedFile) -> FormatError:
    """The error, naming the file it is in (for zips of several files)."""
    return FormatError(f"{file.upload.name}: {error.message}", error.line, error.field)


def _save(
    project: Project, plans: Iterable[_ClipPlan], tags: dict[str, Tag], user, author
) -> tuple[int, int]:
    plans = sorted(plans, key=lambda p: (p.clip.recording_id, p.clip.start_s))
    # Race: the annotator editing one of these clips during the import; the lock makes their
    # save wait, then get 409 against the imported version.
    existing = {
        a.clip_id: a
        for a in ClipAnnotation.objects.select_for_update().filter(
            annotator=user, clip__in=[p.clip for p in plans]
        )
    }
    for plan in plans:
        current = existing.get(plan.clip.pk)
        submission = plan.submission(tags, current.version if current else None)
        try:
            queue.validate_submission(project, plan.clip, submission)
        except ValidationError as exc:
            raise FormatError(f"{plan.clip}: {'; '.join(exc.messages)}") from None
        queue.save_annotation(project, plan.clip, user, submission, author=author, action="import")
    return len(plans) - len(existing), len(existing)
