"""Clip cutting at awkward durations, and every clip of every real recording opens.

The bound that matters: no clip ends past its recording (its image, scalogram and audio would
answer 400 and the annotator given it would be stuck), and the clips cover the recording."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.models import Clip, Recording
from annotator.rendering import last_end
from tests import factories as f
from tests.conftest import SHARED

RATES = [
    8_000,
    22_050,
    32_000,
    44_100,
    48_000,
    96_000,
    192_000,
    250_000,
    256_000,
    375_000,
    384_000,
    500_000,
]


@st.composite
def cuts(draw):
    samplerate = draw(st.sampled_from(RATES))
    n_samples = draw(st.integers(min_value=1, max_value=samplerate * 120))
    length = draw(st.floats(min_value=0.01, max_value=10.0, allow_nan=False))
    overlap = draw(st.floats(min_value=0.0, max_value=0.9)) * length
    return samplerate, n_samples, length, overlap


@settings(max_examples=400, deadline=None, database=None)
@given(cut=cuts())
def test_clips_stay_inside_the_recording_and_cover_it(cut):
    samplerate, n_samples, length, overlap = cut
    recording = Recording(duration_s=n_samples / samplerate, samplerate=samplerate, channels=1)
    bounds = recording.clip_bounds(length, overlap)
    duration, one_sample = recording.duration_s, 1 / samplerate
    assert bounds and bounds[0][0] == 0.0
    for start, end in bounds:
        assert 0.0 <= start < end <= duration  # never past the audio
        assert end <= last_end(recording)  # and every view accepts it
        # A clip is never longer than asked, except a last one that took in a short remainder.
        assert end - start <= length * 1.1 + 1e-6
    assert duration - bounds[-1][1] <= max(one_sample, 1e-6)  # to the last sample (µs storage)
    for (s0, e0), (s1, _e1) in zip(bounds, bounds[1:]):
        assert s0 < s1 <= e0 + 1e-6  # in order, no gap between neighbours


def test_a_step_that_does_not_advance_is_refused():
    recording = Recording(duration_s=2.0, samplerate=48_000, channels=1)
    with pytest.raises(ValueError):
        recording.clip_bounds(1.0, 1.0)


SHARED_FOLDERS = [
    "bats/whombat-example",
    "bats/batdetect2-example/audio",
    "birds/bengalese-finch-gy6or6",
    "birds/chronister-2021-snippet",
    "birds/spinetail-maad",
]


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("clip_length, overlap", [(1.0, 0.0), (0.37, 0.11)])
def test_every_clip_of_every_shared_recording_opens(
    settings, tmp_path, cast, project, api, clip_length, overlap
):
    """Image, scalogram and audio of every clip (the page's window: the clip and its context)."""
    from annotator import ingest

    settings.MEDIA_ROOT = tmp_path / "media"
    project.clip_length_s, project.clip_overlap_s, project.fmin_hz, project.fmax_hz = (
        clip_length,
        overlap,
        0.0,
        None,
    )
    project.save()
    f.make_root(SHARED)
    for folder in SHARED_FOLDERS:
        report = ingest.import_location(
            project, f.make_dataset(project, folder), str(SHARED / folder)
        )
        assert report.imported and not report.failed, report.failed
    client = api(cast["viewer"])
    clips = Clip.objects.for_project(project).select_related("recording")
    assert clips.count() > 100
    # Every clip at 1 s; at the awkward length the last clip of each recording (where it ends).
    if clip_length != 1.0:
        clips = [c for c in clips if c.end_s == max(x.end_s for x in c.recording.clips.all())]
    failures = []
    for clip in clips:
        start, end = (
            max(0.0, clip.start_s - project.context_s),
            min(clip.recording.duration_s, clip.end_s + project.context_s),
        )
        for kind, window in (
            ("spectrogram.png", (start, end)),
            ("scalogram.png", (clip.start_s, clip.end_s)),
            ("audio.wav", (clip.start_s, clip.end_s)),
        ):
            url = f"/api/recordings/{clip.recording_id}/{kind}?start={window[0]}&end={window[1]}"
            response = client.get(url)
            if response.status_code != 200:
                failures.append(
                    (
                        clip.recording.name,
                        clip.start_s,
                        clip.end_s,
                        kind,
                        response.status_code,
                        getattr(response, "data", b""),
                    )
                )
    assert not failures, failures[:10]
