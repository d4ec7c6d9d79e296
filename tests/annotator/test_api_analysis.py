"""The page's analysis endpoints: waveform envelope, box spectrum and box measurements."""

import numpy as np
import pytest
import soundfile as sf

from annotator import ingest
from annotator import measurements as m
from annotator.models import Recording
from tests import factories as f
from tests.conftest import DATA

DESMODUS = "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"
# One of its hand-drawn boxes (tests/data/whombat/annotations_boxes.csv).
BOX = {"start": 0.0311247, "end": 0.0327798, "low": 46_560, "high": 72_000}


@pytest.fixture
def bat(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(project, f.make_dataset(project), str(DATA / "whombat" / DESMODUS))
    return Recording.objects.get()


def url(bat, what, **query):
    return f"/api/recordings/{bat.pk}/{what}/?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_envelope_is_min_and_max_per_column_of_the_samples(bat, cast, api):
    response = api(cast["viewer"]).get(url(bat, "envelope", start=0.03, end=0.035, width=50))
    assert response.status_code == 200
    body = response.json()
    assert len(body["min"]) == len(body["max"]) == 50
    samples, sr = sf.read(DATA / "whombat" / DESMODUS, dtype="float32")
    window = samples[round(0.03 * sr) : round(0.035 * sr)]
    assert body["start"] == pytest.approx(0.03, abs=1 / sr)
    assert max(body["max"]) == pytest.approx(float(window.max()), abs=1e-4)
    assert min(body["min"]) == pytest.approx(float(window.min()), abs=1e-4)
    column = np.array_split(window, 50)[10]
    assert body["max"][10] == pytest.approx(float(column.max()), abs=0.02)


def test_measurements_of_an_unsaved_box(bat, cast, api):
    response = api(cast["ann1"]).get(url(bat, "measurements", **BOX))
    assert response.status_code == 200
    body = response.json()
    assert body["reason"] is None
    assert BOX["low"] <= body["low_hz"] <= body["peak_hz"] <= body["high_hz"] <= BOX["high"]
    assert 0 < body["duration_s"] <= BOX["end"] - BOX["start"]
    assert set(m.FIELDS) <= set(body)


def test_measurements_of_a_quiet_stretch_say_why_they_are_empty(bat, cast, api):
    body = (
        api(cast["ann1"])
        .get(url(bat, "measurements", start=0.0215, end=0.0235, low=100_000, high=120_000))
        .json()
    )
    assert body["peak_hz"] is None and body["reason"].startswith("no call above the noise")


def test_spectrum_of_a_box_is_bounded_and_in_its_band(bat, cast, api):
    body = api(cast["ann1"]).get(url(bat, "spectrum", bins=64, **BOX)).json()
    assert 0 < len(body["freqs_hz"]) <= 64
    assert BOX["low"] - 1_000 <= body["freqs_hz"][0] and body["freqs_hz"][-1] <= BOX["high"] + 1_000
    assert all(db < 0 for db in body["db"])  # full scale is 0 dB


@pytest.mark.parametrize(
    "what, query, says",
    [
        ("envelope", {"start": 0, "end": 1, "width": 100_000}, "width"),
        ("envelope", {"start": 0, "end": 1}, "width"),
        ("envelope", {"start": 0.5, "end": 0.2, "width": 10}, "end"),
        ("measurements", {"start": 0, "end": 20, "low": 1, "high": 2}, "end"),
        ("measurements", {"start": 0.1, "end": 0.2, "low": 5_000}, "low and high"),
        ("measurements", {"start": 0.1, "end": 0.2, "low": 5_000, "high": 10}, "high"),
        ("measurements", {"start": "x", "end": 0.2}, "start"),
        ("spectrum", {"end": 0.2}, "start and end"),
        ("spectrum", {"start": 0, "end": 0.1, "bins": 100_000, "low": 1, "high": 2}, "bins"),
    ],
)
def test_bad_parameters_get_400_naming_them(bat, cast, api, what, query, says):
    response = api(cast["ann1"]).get(url(bat, what, **query))
    assert response.status_code == 400
    assert says in response.json()["detail"]


def test_costs_beyond_the_bounds_are_refused_before_reading(bat, cast, api, monkeypatch):
    monkeypatch.setattr(m, "MAX_SAMPLES", 10_000)
    monkeypatch.setattr(m, "MAX_ENVELOPE_SAMPLES", 10_000)

    def never(*args, **kwargs):
        raise AssertionError("audio was read")

    monkeypatch.setattr(Recording, "open", never)
    client = api(cast["ann1"])
    for what in ("measurements", "spectrum"):
        response = client.get(url(bat, what, start=0.0, end=0.1, low=10_000, high=20_000))
        assert response.status_code == 400 and "limited to 10000" in response.json()["detail"]
    response = client.get(url(bat, "envelope", start=0.0, end=0.1, width=100))
    assert response.status_code == 400 and "limited to 10000" in response.json()["detail"]


def test_outsiders_and_anonymous_get_404_or_401(bat, cast, api):
    for what in ("envelope", "spectrum", "measurements"):
        query = {"width": 10, **BOX}
        assert api(cast["outsider"]).get(url(bat, what, **query)).status_code == 404
        assert api().get(url(bat, what, **query)).status_code in (401, 403)


def test_recording_without_audio_is_a_clear_answer(project, cast, api):
    silent = f.make_recording(project)
    client = api(cast["ann1"])
    assert client.get(url(silent, "envelope", start=0, end=0.1, width=10)).status_code == 400
    body = client.get(url(silent, "measurements", start=0, end=0.01, low=1_000, high=2_000)).json()
    assert body["peak_hz"] is None and "no audio" in body["reason"]


def test_every_saved_box_of_an_annotation_is_measured(project, cast, api, settings, tmp_path):
    from annotator.models import ClipAnnotation

    settings.MEDIA_ROOT = tmp_path / "media"
    f.import_whombat(project, annotate=("Desmodus",), annotator=cast["ann1"])
    annotation = ClipAnnotation.objects.filter(events__isnull=False).distinct().first()
    response = api(cast["viewer"]).get(f"/api/annotations/{annotation.pk}/measurements/")
    assert response.status_code == 200
    body = response.json()
    assert [e["id"] for e in body["events"]] == list(annotation.events.values_list("pk", flat=True))
    event = annotation.events.first()
    first = body["events"][0]
    assert first["reason"] is None and event.low_hz <= first["peak_hz"] <= event.high_hz
    outsider = api(cast["outsider"]).get(f"/api/annotations/{annotation.pk}/measurements/")
    assert outsider.status_code == 404
