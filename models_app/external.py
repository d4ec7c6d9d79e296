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
from models_app.models import ModelVersion, Prediction
from models_app.uncertainty import binary_entropy, clip_uncertainty

SOURCES = {"batdetect2": ModelVersion.Source.BATDETECT2, "birdnet": ModelVersion.Source.BIRDNET,
           "birdnet-raven": ModelVersion.Source.BIRDNET, "aoef": ModelVersion.Source.AOEF}


def import_predictions(project: Project, annset: AnnotationSet, format_name: str) -> ModelVersion:
    """Store ``annset``'s boxes as predictions of a new external version; all or nothing.

    Recordings are matched by sha256, then by path, then by file name. A set naming no
    recording of the project is refused with FormatError.
    """
    matched = _match_recordings(project, annset)
    if not matched:
        raise FormatError("none of the file's recordings is in this project (matched by hash, path or name)")
    class_names = sorted({b.label for b in annset.boxes if b.label})
    boxes = defaultdict(list)
    for box in annset.boxes:
        if box.recording in matched:
            boxes[matched[box.recording].pk].append(box)
    with transaction.atomic():
        number = (ModelVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ModelVersion.objects.create(
            project=project, number=number, source=SOURCES.get(format_name, ModelVersion.Source.AOEF),
            class_names=class_names, metrics={"imported_boxes": len(annset.boxes)},
        )
        clips = Clip.objects.filter(recording_id__in=[r.pk for r in matched.values()])
        Prediction.objects.bulk_create(_prediction(version, clip, boxes[clip.recording_id], class_names)
                                       for clip in clips)
    return version


def _match_recordings(project: Project, annset: AnnotationSet) -> dict[str, Recording]:
    """The project's recording for each of the set's recordings that has one (by hash, path or
    a file name only one recording has); the others are left out."""
    index = RecordingIndex(Recording.objects.filter(project=project))
    matched = {ref.name: index.lookup(ref) for ref in annset.recordings}
    return {name: hit for name, hit in matched.items() if hit is not None}


def _prediction(version: ModelVersion, clip: Clip, boxes: list[Box], class_names: list[str]) -> Prediction:
    inside = [b for b in boxes if b.end_s > clip.start_s and b.start_s < clip.end_s]
    scores = [b.confidence if b.confidence is not None else 1.0 for b in inside]
    probs = np.zeros(len(class_names), dtype=np.float32)
    for box, score in zip(inside, scores, strict=True):
        if box.label in class_names:
            i = class_names.index(box.label)
            probs[i] = max(probs[i], score)
    detections = [
        {"start_s": b.start_s, "end_s": b.end_s, "low_hz": b.low_hz, "high_hz": b.high_hz, "label": b.label,
         "score": s}
        for b, s in zip(inside, scores, strict=True)
    ]
    window = binary_entropy(np.array(scores, dtype=np.float64)).round(4).tolist()
    return Prediction(
        clip=clip, version=version, class_probs=probs.round(5).tolist(),
        any_event=float(max(scores, default=0.0)), detections=detections,
        uncertainty=clip_uncertainty(probs), window_uncertainty=window, embedding=None,
    )
