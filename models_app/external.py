"""Predictions of external models (BatDetect2, BirdNET, soundevent prediction sets) as a read-only
model version, so a project can sample from an existing model's scores before training its own."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import Max

from annotator.exchange.reading import RecordingIndex
from annotator.formats import AnnotationSet, Box, FormatError
from annotator.models import Clip, Project, Recording
from models_app import poolscores
from models_app.models import ModelVersion, Prediction, ScoreChunk
from models_app.uncertainty import binary_entropy, clip_uncertainty

SOURCES = {
    "batdetect2": ModelVersion.Source.BATDETECT2,
    "birdnet": ModelVersion.Source.BIRDNET,
    "birdnet-raven": ModelVersion.Source.BIRDNET,
    "aoef": ModelVersion.Source.AOEF,
}


def import_predictions(project: Project, annset: AnnotationSet, format_name: str) -> ModelVersion:
    """Store ``annset``'s boxes as predictions of a new external version; all or nothing.

    Recordings are matched by sha256, then by path, then by file name; a file naming any
    recording that is not in the project is refused whole (FormatError), storing nothing.
    Only clips the model scored get a prediction: those overlapping the file's scored clips
    (AOEF clip predictions) where it has them, else every clip of a recording it names.
    """
    matched = _match_recordings(project, annset)
    if not matched:
        raise FormatError(
            "none of the file's recordings is in this project (matched by hash, path or name)"
        )
    unknown = [ref.path or ref.name for ref in annset.recordings if ref.name not in matched]
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        raise FormatError(
            f"{len(unknown)} of the file's recordings are not in this project ({shown}); "
            "nothing was imported"
        )
    class_names = sorted({b.label for b in annset.boxes if b.label})
    boxes = defaultdict(list)
    for box in annset.boxes:
        boxes[matched[box.recording].pk].append(box)
    spans = defaultdict(list)
    for clip in annset.clips:
        spans[matched[clip.recording].pk].append((clip.start_s, clip.end_s))
    metrics = {"imported_boxes": len(annset.boxes), "scored_clips": 0}
    if annset.title:
        metrics["model"] = annset.title
    with transaction.atomic():
        number = (
            ModelVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = ModelVersion.objects.create(
            project=project,
            number=number,
            source=SOURCES.get(format_name, ModelVersion.Source.AOEF),
            class_names=class_names,
            metrics=metrics,
        )
        clips = Clip.objects.filter(recording_id__in=[r.pk for r in matched.values()])
        scored = [c for c in clips if _was_scored(c, spans, bool(annset.clips))]
        rows = [
            _prediction(version, clip, boxes[clip.recording_id], class_names) for clip in scored
        ]
        Prediction.objects.bulk_create(rows, batch_size=500)
        _store_chunks(version, rows)
        version.metrics["scored_clips"] = len(scored)
        version.save(update_fields=["metrics"])
    return version


def _store_chunks(version: ModelVersion, rows: list[Prediction]) -> None:
    """The predictions' packed scores, as a rescore stores them: a round reads these, never the
    rows' JSON (an imported million-clip run is ~1,000 chunk rows)."""
    size = poolscores.BACKFILL_ROWS
    ScoreChunk.objects.bulk_create(
        poolscores.chunk_row(
            version,
            [p.clip_id for p in part],
            np.array([p.class_probs for p in part], dtype=np.float32).reshape(len(part), -1),
            [np.asarray(p.window_uncertainty, np.float32) for p in part],
            None,
        )
        for part in (rows[i : i + size] for i in range(0, len(rows), size))
    )


def _was_scored(clip: Clip, spans: dict[int, list[tuple[float, float]]], has_spans: bool) -> bool:
    """Whether the file scored ``clip``: it overlaps one of the file's clips of its recording, or
    the file has no clips (BatDetect2, BirdNET: each file covers its recording whole)."""
    if not has_spans:
        return True
    return any(start < clip.end_s and clip.start_s < end for start, end in spans[clip.recording_id])


def _match_recordings(project: Project, annset: AnnotationSet) -> dict[str, Recording]:
    """The project's recording for each of the set's recordings that has one (by hash, path or
    a file name only one recording has); the others are left out."""
    index = RecordingIndex(Recording.objects.filter(project=project))
    matched = {ref.name: index.lookup(ref) for ref in annset.recordings}
    return {name: hit for name, hit in matched.items() if hit is not None}


def _prediction(
    version: ModelVersion, clip: Clip, boxes: list[Box], class_names: list[str]
) -> Prediction:
    inside = [b for b in boxes if b.end_s > clip.start_s and b.start_s < clip.end_s]
    scores = [b.confidence if b.confidence is not None else 1.0 for b in inside]
    probs = np.zeros(len(class_names), dtype=np.float32)
    for box, score in zip(inside, scores, strict=True):
        if box.label in class_names:
            i = class_names.index(box.label)
            probs[i] = max(probs[i], score)
    detections = [
        {
            "start_s": b.start_s,
            "end_s": b.end_s,
            "low_hz": b.low_hz,
            "high_hz": b.high_hz,
            "label": b.label,
            "score": s,
        }
        for b, s in zip(inside, scores, strict=True)
    ]
    window = binary_entropy(np.array(scores, dtype=np.float64)).round(4).tolist()
    return Prediction(
        clip=clip,
        version=version,
        class_probs=probs.round(5).tolist(),
        any_event=float(max(scores, default=0.0)),
        detections=detections,
        uncertainty=clip_uncertainty(probs),
        window_uncertainty=window,
        embedding=None,
    )
