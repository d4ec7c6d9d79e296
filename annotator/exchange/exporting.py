"""Writing a project's annotations in each exchange format."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.utils.text import slugify

from annotator import measurements, measuring
from annotator.exchange import kept
from annotator.exchange.reading import FORMATS, HASH_COLUMN
from annotator.formats import aoef, audacity, batdetect2, csvfmt, raven
from annotator.formats.base import (
    AnnotationSet,
    Box,
    ClipLabel,
    ExtraValue,
    FormatError,
    RecordingRef,
    recording_name,
)
from annotator.models import (
    ClipAnnotation,
    Dataset,
    Project,
    Recording,
)

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
    reviewed_only: bool = False,
) -> ExportFile:
    """The annotations of ``project`` (narrowed to a dataset, annotator or recording, or to those a
    lead accepted) as a file.

    Rejected annotations are left out. Raven and Audacity hold one recording per file: several
    recordings give a zip of files named after them. Raven tables and CSV carry each box's call
    measurements (`measurement_columns`). FormatError if the format cannot hold the annotations
    (BatDetect2 needs a frequency band on every box).
    """
    if format_name not in FORMATS:
        raise FormatError(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    tables = format_name in (raven.NAME, csvfmt.NAME)
    annset = annotation_set(
        project,
        dataset=dataset,
        annotator=annotator,
        recording=recording,
        reviewed_only=reviewed_only,
        all_recordings=format_name == aoef.NAME,
        hash_column=tables,
        file_column=format_name == raven.NAME,
        measure=tables,
    )
    base = slugify(f"{project.name} {dataset.name if dataset else ''}") or "annotations"
    return write_set(annset, format_name, base=base, title=project.name)


def write_set(annset: AnnotationSet, format_name: str, *, base: str, title: str) -> ExportFile:
    """An annotation (or prediction) set as a file of ``format_name``, named from ``base``."""
    if format_name == aoef.NAME:
        return _file(f"{base}.aoef.json", "application/json", aoef.write(annset, name=title))
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
    reviewed_only: bool = False,
    all_recordings: bool = False,
    hash_column: bool = False,
    file_column: bool = False,
    measure: bool = False,
) -> AnnotationSet:
    """The neutral form of the project's non-rejected annotations, in recording time.

    Recordings carry path (relative to their root), sha256, duration and sample rate; with
    `hash_column` every box carries the sha256 too (tables have no other place for it), with
    `file_column` Raven's 'Begin File', with `measure` the call measurements of every box.
    Recordings without annotations only with `all_recordings`.
    """
    recordings = Recording.objects.filter(project=project).order_by("name", "pk")
    annotations = (
        ClipAnnotation.objects.filter(project=project)
        .exclude(review_status=ClipAnnotation.Review.REJECTED)
        .select_related("clip__recording", "annotator")
        .prefetch_related("tags", "events__tag")
        .order_by("clip__recording_id", "clip__start_s", "annotator_id")
    )
    if dataset is not None:
        recordings = recordings.filter(dataset=dataset)
    if recording is not None:
        recordings = recordings.filter(pk=recording.pk)
    if annotator is not None:
        annotations = annotations.filter(annotator=annotator)
    if reviewed_only:
        annotations = annotations.filter(review_status=ClipAnnotation.Review.ACCEPTED)
    annotations = list(annotations.filter(clip__recording__in=recordings))
    annotated = {a.clip.recording_id for a in annotations}
    refs = recording_refs([r for r in recordings if all_recordings or r.pk in annotated])
    measured = _measure_events(annotations) if measure else {}
    boxes, clips = [], []
    for annotation in annotations:
        ref = refs[annotation.clip.recording_id]
        extra = {HASH_COLUMN: ref.sha256} if hash_column else {}
        extra |= {raven.FILE_COLUMNS[1]: recording_name(ref.path)} if file_column else {}
        boxes += [
            _box(event, ref.name, annotation, extra | measured.get(event.pk, {}))
            for event in annotation.events.all()
        ]
        clips.append(_clip_label(annotation, ref.name))
    return AnnotationSet(
        recordings=list(refs.values()),
        boxes=boxes,
        clips=clips,
        tags=sorted({b.label for b in boxes if b.label} | {x for c in clips for x in c.labels}),
        source_format="echoloop",
    )


def _measure_events(annotations: list[ClipAnnotation]) -> dict[int, dict[str, ExtraValue]]:
    """The measurement columns of every event, by event id (cached by `measuring`), each box
    within the measurements' cost bound and at most EXPORT_NEW_BOXES measured afresh."""
    by_recording: dict[int, tuple[Recording, list]] = {}
    for annotation in annotations:
        recording = annotation.clip.recording
        by_recording.setdefault(recording.pk, (recording, []))[1].extend(annotation.events.all())
    columns: dict[int, dict[str, ExtraValue]] = {}
    budget = measuring.Budget(measuring.EXPORT_NEW_BOXES)
    for recording, events in by_recording.values():
        bands = [measurements.Band(e.start_s, e.end_s, e.low_hz, e.high_hz) for e in events]
        results = measuring.measure_boxes(recording, bands, budget)
        for event, result in zip(events, results, strict=True):
            columns[event.pk] = measurement_columns(event, result)
    return columns


def measurement_columns(event, result: measurements.Measurements) -> dict[str, ExtraValue]:
    """Raven's box columns (Delta Time, Delta Freq) and the call measurements, rounded to what
    the audio can tell (a microsecond, a tenth of a hertz)."""
    columns: dict[str, ExtraValue] = {raven.DELTA_TIME: round(event.end_s - event.start_s, 6)}
    if event.low_hz is not None:
        columns[raven.DELTA_FREQ] = round(event.high_hz - event.low_hz, 1)
    for name, column in raven.MEASUREMENTS.items():
        value = getattr(result, name)
        columns[column] = (
            round(value, 6 if name.endswith("_s") else 2) if isinstance(value, float) else value
        )
    return columns


def recording_refs(recordings: list[Recording]) -> dict[int, RecordingRef]:
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
    notes, fields = kept.split_fields(event.notes)  # an import's extra fields, given back
    return Box(
        recording=recording,
        start_s=event.start_s,
        end_s=event.end_s,
        low_hz=event.low_hz,
        high_hz=event.high_hz,
        label=event.tag.value if event.tag else None,
        confidence=event.confidence,
        annotator=annotation.annotator.get_username(),
        notes=notes,
        extra=dict(extra) | fields,
    )


def _clip_label(annotation: ClipAnnotation, recording: str) -> ClipLabel:
    notes, fields = kept.split_fields(annotation.notes)
    return ClipLabel(
        recording=recording,
        start_s=annotation.clip.start_s,
        end_s=annotation.clip.end_s,
        labels=tuple(sorted(tag.value for tag in annotation.tags.all())),
        no_calls=annotation.no_calls,
        annotator=annotation.annotator.get_username(),
        notes=notes,
        extra=fields,
    )
