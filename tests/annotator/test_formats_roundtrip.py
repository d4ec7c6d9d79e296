"""Property: whatever valid boxes we hold, every writer's output reads back to the same boxes."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.formats import aoef, audacity, batdetect2, birdnet, csvfmt, raven
from annotator.formats.base import AnnotationSet, Box, RecordingRef

REF = RecordingRef.from_path("site/a.wav", duration_s=60.0, samplerate=384_000)
ROUND_TRIP = settings(max_examples=40, deadline=None, database=None)

# Labels as people type them: any printable text, no line breaks or tabs, trimmed.
labels = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
times = st.floats(0, 3600, allow_nan=False, allow_infinity=False)
freqs = st.floats(0, 250_000, allow_nan=False, allow_infinity=False)
scores = st.floats(0, 1, allow_nan=False)


@st.composite
def boxes(draw: st.DrawFn, *, band: bool | None = None, scored: bool = False) -> Box:
    start, end = sorted((draw(times), draw(times)))
    with_band = draw(st.booleans()) if band is None else band
    low, high = sorted((draw(freqs), draw(freqs))) if with_band else (None, None)
    return Box(
        recording=REF.name,
        start_s=start,
        end_s=end,
        low_hz=low,
        high_hz=high,
        label=draw(st.none() | labels),
        confidence=draw(scores) if scored else None,
    )


def annotation_sets(**box_options: object) -> st.SearchStrategy[AnnotationSet]:
    return st.lists(boxes(**box_options), max_size=8).map(
        lambda found: AnnotationSet(recordings=[REF], boxes=found)
    )


@ROUND_TRIP
@given(annotation_sets(scored=True))
def test_csv(annset: AnnotationSet):
    assert csvfmt.read(csvfmt.write(annset)).boxes == annset.boxes


@ROUND_TRIP
@given(annotation_sets(scored=True))
def test_raven(annset: AnnotationSet):
    assert raven.read(raven.write(annset), recording=REF).boxes == annset.boxes


@ROUND_TRIP
@given(annotation_sets())
def test_audacity(annset: AnnotationSet):
    assert audacity.read(audacity.write(annset), recording=REF).boxes == annset.boxes


@ROUND_TRIP
@given(annotation_sets())
def test_aoef(annset: AnnotationSet):
    assert aoef.read(aoef.write(annset)).boxes == annset.boxes


@ROUND_TRIP
@given(annotation_sets(scored=True))
def test_aoef_predictions(annset: AnnotationSet):
    predictions = replace(annset, is_prediction=True)
    assert aoef.read(aoef.write(predictions)).boxes == annset.boxes


@ROUND_TRIP
@given(annotation_sets(band=True, scored=True))
def test_batdetect2(annset: AnnotationSet):
    again = batdetect2.read(batdetect2.write(annset), as_predictions=True).boxes
    assert [replace(box, extra={}) for box in again] == annset.boxes


@ROUND_TRIP
@given(annotation_sets(band=False, scored=True))
def test_birdnet(annset: AnnotationSet):
    assert birdnet.read(birdnet.write(annset)).boxes == annset.boxes
