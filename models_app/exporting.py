"""A version's predictions as an exchange file, at the version's served threshold.

The page draws, the validation counts and the export writes the same detections: those whose
calibrated score reaches ``ModelVersion.threshold`` (a caller may ask for another threshold).
"""

from __future__ import annotations

from django.utils.text import slugify

from annotator.exchange.exporting import ExportFile, recording_refs, write_set
from annotator.exchange.reading import FORMATS, HASH_COLUMN
from annotator.formats import csvfmt, raven
from annotator.formats.base import AnnotationSet, Box, FormatError, recording_name
from annotator.models import Recording
from models_app.models import ModelVersion, Prediction


def export_predictions(
    version: ModelVersion, format_name: str, *, threshold: float | None = None
) -> ExportFile:
    """Every stored detection of ``version`` scoring at least ``threshold`` (default: the
    version's own), in recording time, with its score as the box's confidence."""
    if format_name not in FORMATS:
        raise FormatError(f"unknown format {format_name!r}; use one of {', '.join(FORMATS)}")
    cut = version.threshold if threshold is None else threshold
    if not 0.0 <= cut <= 1.0:
        raise FormatError(f"threshold must be in [0, 1], not {cut!r}", field="threshold")
    annset = prediction_set(
        version,
        cut,
        tables=format_name in (raven.NAME, csvfmt.NAME),
        file_column=format_name == raven.NAME,
    )
    base = slugify(f"{version.project.name} {version.name} predictions") or "predictions"
    return write_set(annset, format_name, base=base, title=f"{version.project.name} {version.name}")


def prediction_set(
    version: ModelVersion, threshold: float, *, tables: bool = False, file_column: bool = False
) -> AnnotationSet:
    rows = (
        Prediction.objects.filter(version=version)
        .values_list("clip__recording_id", "detections")
        .order_by("clip__recording_id", "clip__start_s")
    )
    kept: dict[int, list[dict]] = {}
    for recording_id, detections in rows.iterator(chunk_size=2000):
        kept.setdefault(recording_id, []).extend(
            d for d in detections if d.get("score", 0.0) >= threshold
        )
    refs = recording_refs(
        list(Recording.objects.filter(pk__in=[r for r, d in kept.items() if d]).order_by("name"))
    )
    boxes = []
    for recording_id, detections in kept.items():
        ref = refs.get(recording_id)
        if ref is None:
            continue
        extra = {HASH_COLUMN: ref.sha256} if tables else {}
        extra |= {raven.FILE_COLUMNS[1]: recording_name(ref.path)} if file_column else {}
        boxes += [
            Box(
                recording=ref.name,
                start_s=d["start_s"],
                end_s=d["end_s"],
                low_hz=d.get("low_hz"),
                high_hz=d.get("high_hz"),
                label=d.get("label") or None,
                confidence=min(max(float(d["score"]), 0.0), 1.0),
                annotator=version.name,
                extra=dict(extra),
            )
            for d in detections
        ]
    return AnnotationSet(
        recordings=list(refs.values()),
        boxes=boxes,
        tags=sorted({b.label for b in boxes if b.label}),
        is_prediction=True,
        source_format="echoloop",
    )
