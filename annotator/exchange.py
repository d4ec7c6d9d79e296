"""Annotation files in and out of a project: AOEF, Raven, Audacity, BatDetect2 and CSV.

Import: `annotator.formats` reads the file (format sniffed by content); its recordings are matched
to the project's by sha256, then path relative to the root, then file name (paths in the file
are only compared, never opened); labels are mapped to the project's tags; each box goes to the
clip that contains its start and is checked with the rules of `queue.validate_submission`. Then
the boxes are saved as ClipAnnotations of one annotator, in one transaction: any bad box refuses
the whole file with a FormatError naming its line or JSON field. An annotation the annotator
already has on a clip gets a new version (the old one kept as a revision), never overwritten.

Export: the project's (or a dataset's) annotations, rejected ones left out, as one file, or a zip
with one table per recording for the one-recording-per-file formats (Raven, Audacity).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from annotator import formats, queue
from annotator.formats import aoef, audacity, batdetect2, csvfmt, raven
from annotator.formats.base import (
    MAX_BYTES,
    AnnotationSet,
    Box,
    ClipLabel,
    FormatError,
    RecordingRef,
    recording_name,
)
from annotator.formats.text import decode, read_table, split_lines
from annotator.models import (
    Clip,
    ClipAnnotation,
    Dataset,
    Project,
    Recording,
    Tag,
)
from annotator.signals import labels_submitted

FORMATS = (aoef.NAME, raven.NAME, audacity.NAME, batdetect2.NAME, csvfmt.NAME)
HASH_COLUMN = "sha256"  # written by table exports so that re-imports match by content
TOLERANCE_S = 1e-3  # as Clip.contains: clip bounds are rounded to microseconds
MAX_ZIP_MEMBERS = 1000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TABLE_SUFFIX = re.compile(r"(\.Table\.\d+\.selections)?\.(txt|tsv|csv|json)$", re.IGNORECASE)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name (only used to match a recording) and its bytes."""

    name: str
    data: bytes


@dataclass
class _File:
    upload: Upload
    format: str
    annset: AnnotationSet
    places: list[tuple[int | None, str | None]] = field(default_factory=list)


def unpack(upload: Upload) -> list[Upload]:
    """The files of a zip (e.g. an exported set of Raven tables), or the upload itself."""
    if not upload.data.startswith(b"PK\x03\x04"):
        return [upload]
    try:
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            members = [m for m in archive.infolist() if not _skipped(m)]
            if len(members) > MAX_ZIP_MEMBERS:
                raise FormatError(f"more than {MAX_ZIP_MEMBERS} files in the zip")
            # A zip bomb is refused by the sizes it declares before anything is inflated.
            if sum(m.file_size for m in members) > MAX_BYTES:
                raise FormatError(f"the zip unpacks to more than {MAX_BYTES} bytes")
            return [Upload(m.filename, archive.read(m)) for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise FormatError(f"{upload.name or 'file'}: not a readable zip ({exc})") from None


def _skipped(member: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(member.filename)
    return member.is_dir() or name.name.startswith(".") or "__MACOSX" in name.parts


def read_upload(upload: Upload, format_name: str | None = None) -> _File:
    """Read one file with the named format, or the one its content shows."""
    if format_name is None:
        format_name = formats.sniff(upload.name, upload.data[: formats.SNIFF_BYTES])
    if format_name not in FORMATS:
        raise FormatError(
            f"cannot import {format_name!r} annotations; formats: {', '.join(FORMATS)} "
            "(model outputs such as BirdNET results are imported as predictions)",
            field="format",
        )
    annset = formats.REGISTRY[format_name].read(upload.data)
    if annset.is_prediction:
        raise FormatError("this file holds predictions; import it as a model version instead")
    return _File(upload, format_name, annset, box_places(format_name, upload.data, annset))


def box_places(
    format_name: str, data: bytes, annset: AnnotationSet
) -> list[tuple[int | None, str | None]]:
    """Where each box of `annset` sits in the file: (line, None) in tables, (None, path) in JSON.

    The readers keep no positions, so tables are split again with the readers' own helpers.
    """
    try:
        places = _places(format_name, data)
    except (FormatError, ValueError, KeyError, TypeError):
        places = []
    if len(places) != len(annset.boxes):  # cannot happen for files the reader accepted
        return [(None, f"box {i + 1}") for i in range(len(annset.boxes))]
    return places


def _places(format_name: str, data: bytes) -> list[tuple[int | None, str | None]]:
    if format_name == aoef.NAME:
        count = len(json.loads(decode(data))["data"].get("sound_event_annotations") or [])
        return [(None, f"data.sound_event_annotations[{i}]") for i in range(count)]
    if format_name == batdetect2.NAME:
        root = json.loads(decode(data))
        files = root if isinstance(root, list) else [root]
        prefix = (lambda k: f"[{k}].") if isinstance(root, list) else (lambda k: "")
        return [
            (None, f"{prefix(k)}annotation[{j}]")
            for k, node in enumerate(files)
            for j in range(len(node["annotation"]))
        ]
    text = decode(data)
    if format_name == raven.NAME:
        table = read_table(text, "\t", quoting=csv.QUOTE_NONE)
        return [(row.line, None) for row in raven.collapse_views(table)]
    if format_name == audacity.NAME:
        lines = enumerate(split_lines(text), start=1)
        return [
            (n, None) for n, line in lines if line.strip() and not line.lstrip().startswith("\\")
        ]
    first = text.lstrip("\r\n").split("\n", 1)[0]
    table = read_table(text, ";" if first.count(";") > first.count(",") else ",")
    return [(row.line, None) for row in table.rows]


# --- matching recordings and tags ----------------------------------------------------------------


def match_recordings(
    project: Project, file: _File, *, recording: Recording | None = None
) -> dict[str, Recording]:
    """The project's recording for every recording the file's boxes and clips point at.

    By sha256, then path relative to the root, then file name. A table that names no file (Raven,
    Audacity, CSV without a file column) is about `recording`, or the recording its upload is
    named after (Raven names tables "<recording>.Table.1.selections.txt").
    """
    annset = file.annset
    used = {item.recording for item in (*annset.boxes, *annset.clips)}
    index = _RecordingIndex(Recording.objects.filter(project=project).select_related("root"))
    hints = _hash_hints(annset)
    matched = {}
    for ref in annset.recordings:
        if ref.name not in used:
            continue
        if not ref.path and not ref.name:
            matched[ref.name] = recording or index.from_upload_name(file.upload.name)
        else:
            matched[ref.name] = index.find(replace(ref, sha256=ref.sha256 or hints.get(ref.name)))
    return matched


class _RecordingIndex:
    def __init__(self, recordings: Iterable[Recording]):
        self.recordings = list(recordings)
        self.by_hash = {r.sha256: r for r in self.recordings}
        self.by_path = {r.path: r for r in self.recordings if r.path}
        self.by_file: dict[str, list[Recording]] = {}
        for r in self.recordings:
            for name in {r.name, PurePosixPath(r.path).name if r.path else r.name}:
                self.by_file.setdefault(name, []).append(r)

    def find(self, ref: RecordingRef) -> Recording:
        if ref.sha256 and ref.sha256 in self.by_hash:
            return self.by_hash[ref.sha256]
        path = ref.path.replace("\\", "/").removeprefix("./")
        if path in self.by_path:
            return self.by_path[path]
        candidates = self.by_file.get(recording_name(ref.path or ref.name), [])
        if len(candidates) == 1:
            return candidates[0]
        why = "several recordings have its file name" if candidates else "no recording matches"
        raise FormatError(
            f"unknown recording {ref.path or ref.name!r}: {why} (by hash, path or file name)",
            field="recording",
        )

    def from_upload_name(self, upload_name: str) -> Recording:
        stem = _TABLE_SUFFIX.sub("", PurePosixPath(upload_name.replace("\\", "/")).name)
        hits = [r for r in self.recordings if stem in (r.name, PurePosixPath(r.name).stem)]
        if len(hits) != 1:
            raise FormatError(
                f"{upload_name or 'the file'} does not say which recording it describes: "
                "give the recording, or name the file after it",
                field="recording",
            )
        return hits[0]


def _hash_hints(annset: AnnotationSet) -> dict[str, str]:
    """Recordings whose boxes all carry the same sha256 column (Echoloop's table exports)."""
    seen: dict[str, set[str]] = {}
    for box in annset.boxes:
        value = box.extra.get(HASH_COLUMN)
        seen.setdefault(box.recording, set()).add(str(value).lower() if value else "")
    hints = {name: min(values) for name, values in seen.items() if len(values) == 1}
    return {name: value for name, value in hints.items() if _SHA256.fullmatch(value)}


def resolve_tags(
    project: Project, labels: Iterable[str], *, create: bool
) -> tuple[dict[str, Tag], list[str]]:
    """The project's tag for each label (by value, then display name, then case-insensitively),
    and the labels for which a species tag was created.

    Unknown labels are refused, listing them all, unless `create` asks for new species tags.
    """
    tags = list(Tag.objects.filter(project=project).order_by("key"))
    labels = set(labels)
    found = {label: tag for label in labels if (tag := _find_tag(tags, label)) is not None}
    unknown = sorted(labels - found.keys())
    if unknown and not create:
        raise FormatError(
            f"labels that are not tags of this project: {', '.join(unknown)} "
            "(create them first, or import with create_tags)",
            field="label",
        )
    for label in unknown:
        if len(label) > Tag._meta.get_field("value").max_length:
            raise FormatError(f"label too long for a tag: {label[:40]!r}…", field="label")
        found[label] = Tag.objects.create(project=project, key="species", value=label)
    return found, unknown


def _find_tag(tags: list[Tag], label: str) -> Tag | None:
    exact = [t for t in tags if t.value == label]
    if exact:  # the same value under several keys: the species one
        return next((t for t in exact if t.key == "species"), exact[0])
    named = [t for t in tags if t.display_name == label]
    folded = [t for t in tags if t.value.casefold() == label.casefold()]
    return (named or folded or [None])[0]


def import_user(format_name: str):
    """The user imported annotations belong to by default: "import:<format>", who cannot log in."""
    user, created = get_user_model().objects.get_or_create(username=f"import:{format_name}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


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

    def add(self, file: _File, matched: dict[str, Recording], many: bool) -> None:
        for box, (line, where) in zip(file.annset.boxes, file.places, strict=True):
            problem = self._add_box(box, matched[box.recording])
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

    def _add_box(self, box: Box, recording: Recording) -> str | None:
        clip = home_clip(self._clips_of(recording), box.start_s, box.end_s)
        if clip is None:
            return f"starts after the end of {recording.name} ({recording.duration_s:.4f} s)"
        event = queue.EventInput(
            box.start_s, box.end_s, box.low_hz, box.high_hz, None, box.confidence, box.notes
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
        clip inside the span (a species heard somewhere in a long stretch is not in each clip)."""
        end = min(label.end_s, recording.duration_s)
        clips = self._clips_of(recording)
        first = bisect_left([c.start_s for c in clips], label.start_s - TOLERANCE_S)
        applied = False
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
                applied = True
        self.clip_labels += applied

    def _plan(self, clip: Clip) -> _ClipPlan:
        return self.plans.setdefault(clip.pk, _ClipPlan(clip))

    def labels(self) -> set[str]:
        used = {label for plan in self.plans.values() for _, label in plan.events if label}
        return used | {label for plan in self.plans.values() for label in plan.labels}

    def raise_problems(self) -> None:
        if self.problems:
            first = self.problems[0]
            more = len(self.problems) - 1
            suffix = f" (and {more} more bad box{'es' if more > 1 else ''})" if more else ""
            raise FormatError(first.message + suffix, line=first.line, field=first.field)


def home_clip(clips: list[Clip], start_s: float, end_s: float) -> Clip | None:
    """The clip (of clips sorted by start) that contains `start_s` and most of the box.

    With overlapping clips several contain the start; the one holding most of the box wins, the
    earlier on a tie.
    """
    starts = [clip.start_s for clip in clips]
    k = bisect_right(starts, start_s) - 1
    holding = []
    while k >= 0 and clips[k].end_s > start_s:
        holding.append(clips[k])
        k -= 1
    return max(
        holding,
        key=lambda c: (min(c.end_s, end_s) - max(c.start_s, start_s), -c.start_s),
        default=None,
    )


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
        for file in files:
            try:
                matched = match_recordings(project, file, recording=recording)
            except FormatError as error:
                raise _in_file(error, file) if many else error from None
            recordings |= {r.pk for r in matched.values()}
            planner.add(file, matched, many)
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
        boxes=sum(len(f.annset.boxes) for f in files),
        clip_labels=planner.clip_labels,
        created=created,
        updated=updated,
        tags_created=created_tags,
    )


def _in_file(error: FormatError, file: _File) -> FormatError:
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


# --- exporting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFile:
    name: str
    content_type: str
    data: bytes


def export_annotations(
    project: Project,
    format_name: str,
    *,
    dataset: Dataset | None = None,
    annotator=None,
    recording: Recording | None = None,
) -> ExportFile:
    """The annotations of ``project`` (narrowed to a dataset, annotator or recording) as a file.

    Rejected annotations are left out. Raven and Audacity hold one recording per file: several
    recordings give a zip of files named after them. FormatError if the format cannot hold the
    annotations (BatDetect2 needs a frequency band on every box).
    """
    if format_name not in FORMATS:
        raise FormatError(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    tables = format_name in (raven.NAME, csvfmt.NAME)
    annset = annotation_set(
        project,
        dataset=dataset,
        annotator=annotator,
        recording=recording,
        all_recordings=format_name == aoef.NAME,
        hash_column=tables,
        file_column=format_name == raven.NAME,
    )
    base = slugify(f"{project.name} {dataset.name if dataset else ''}") or "annotations"
    if format_name == aoef.NAME:
        return _file(f"{base}.aoef.json", "application/json", aoef.write(annset, name=project.name))
    if format_name == batdetect2.NAME:
        return _file(f"{base}.batdetect2.json", "application/json", batdetect2.write(annset))
    if format_name == csvfmt.NAME:
        return _file(f"{base}.csv", "text/csv; charset=utf-8", csvfmt.write(annset))
    return _per_recording(annset, format_name, base)


def _file(name: str, content_type: str, text: str) -> ExportFile:
    return ExportFile(name, content_type, text.encode("utf-8"))


def _per_recording(annset: AnnotationSet, format_name: str, base: str) -> ExportFile:
    suffix = ".Table.1.selections.txt" if format_name == raven.NAME else ".txt"
    module = raven if format_name == raven.NAME else audacity
    files: dict[str, str] = {}
    for ref in annset.recordings:
        name = _unique_name(f"{PurePosixPath(ref.name).stem}{suffix}", files)
        files[name] = module.write(annset, recording=ref.name)
    if not files:  # nothing annotated: one empty table (Raven's has its header)
        files[f"{base}{suffix}"] = module.write(annset)
    if len(files) == 1:
        name, text = next(iter(files.items()))
        return _file(name, "text/plain; charset=utf-8", text)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return ExportFile(f"{base}.{format_name}.zip", "application/zip", buffer.getvalue())


def _unique_name(name: str, taken: dict[str, str]) -> str:
    stem, dot, suffix = name.partition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}"
    return candidate


def annotation_set(
    project: Project,
    *,
    dataset: Dataset | None = None,
    annotator=None,
    recording: Recording | None = None,
    all_recordings: bool = False,
    hash_column: bool = False,
    file_column: bool = False,
) -> AnnotationSet:
    """The neutral form of the project's non-rejected annotations, in recording time.

    Recordings carry path (relative to their root), sha256, duration and sample rate; with
    `hash_column` every box carries the sha256 too (tables have no other place for it), with
    `file_column` Raven's 'Begin File'. Recordings without annotations only with `all_recordings`.
    """
    recordings = Recording.objects.filter(project=project).order_by("name", "pk")
    annotations = (
        ClipAnnotation.objects.filter(project=project)
        .exclude(review_status=ClipAnnotation.Review.REJECTED)
        .select_related("clip", "annotator")
        .prefetch_related("tags", "events__tag")
        .order_by("clip__recording_id", "clip__start_s", "annotator_id")
    )
    if dataset is not None:
        recordings = recordings.filter(dataset=dataset)
    if recording is not None:
        recordings = recordings.filter(pk=recording.pk)
    if annotator is not None:
        annotations = annotations.filter(annotator=annotator)
    annotations = list(annotations.filter(clip__recording__in=recordings))
    annotated = {a.clip.recording_id for a in annotations}
    refs = _refs([r for r in recordings if all_recordings or r.pk in annotated])
    boxes, clips = [], []
    for annotation in annotations:
        ref = refs[annotation.clip.recording_id]
        extra = {HASH_COLUMN: ref.sha256} if hash_column else {}
        extra |= {raven.FILE_COLUMNS[1]: recording_name(ref.path)} if file_column else {}
        boxes += [_box(event, ref.name, annotation, extra) for event in annotation.events.all()]
        clips.append(_clip_label(annotation, ref.name))
    return AnnotationSet(
        recordings=list(refs.values()),
        boxes=boxes,
        clips=clips,
        tags=sorted({b.label for b in boxes if b.label} | {x for c in clips for x in c.labels}),
        source_format="echoloop",
    )


def _refs(recordings: list[Recording]) -> dict[int, RecordingRef]:
    """A RecordingRef per recording with a unique name: its file name, else its path, else + id."""
    refs: dict[int, RecordingRef] = {}
    taken: set[str] = set()
    for r in recordings:
        path = r.path or r.name
        name = next(n for n in (recording_name(path), path, f"{path}#{r.pk}") if n not in taken)
        taken.add(name)
        refs[r.pk] = RecordingRef(
            path=path, sha256=r.sha256, duration_s=r.duration_s, samplerate=r.samplerate, name=name
        )
    return refs


def _box(event, recording: str, annotation: ClipAnnotation, extra: dict) -> Box:
    return Box(
        recording=recording,
        start_s=event.start_s,
        end_s=event.end_s,
        low_hz=event.low_hz,
        high_hz=event.high_hz,
        label=event.tag.value if event.tag else None,
        confidence=event.confidence,
        annotator=annotation.annotator.get_username(),
        notes=event.notes,
        extra=dict(extra),
    )


def _clip_label(annotation: ClipAnnotation, recording: str) -> ClipLabel:
    return ClipLabel(
        recording=recording,
        start_s=annotation.clip.start_s,
        end_s=annotation.clip.end_s,
        labels=tuple(sorted(tag.value for tag in annotation.tags.all())),
        no_calls=annotation.no_calls,
        annotator=annotation.annotator.get_username(),
        notes=annotation.notes,
    )
