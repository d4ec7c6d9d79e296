import io
import wave

import numpy as np
import pytest
from PIL import Image

from annotator import ingest
from annotator.models import Recording
from tests import factories as f
from tests.conftest import DATA


@pytest.fixture
def bat(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(
        project,
        f.make_dataset(project),
        str(DATA / "whombat" / "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"),
    )
    return Recording.objects.get()


def test_spectrogram_png_with_exact_extent_and_cache(bat, cast, api):
    client = api(cast["ann1"])
    url = f"/api/recordings/{bat.pk}/spectrogram.png?start=0.5&end=1.5&fmin=10000&fmax=150000"
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first["X-Cache"] == "miss"
    image = Image.open(io.BytesIO(first.content))
    start, end = float(first["X-Extent-Start"]), float(first["X-Extent-End"])
    low, high = float(first["X-Extent-Low"]), float(first["X-Extent-High"])
    hop = round(0.002 * bat.samplerate * 0.25) / bat.samplerate
    assert start == pytest.approx(0.5 - hop / 2, abs=1e-6) and end == pytest.approx(1.5, abs=hop)
    assert low <= 10_000 <= high and high >= 150_000 - bat.samplerate / 768
    assert image.width == pytest.approx((end - start) / hop, abs=1)
    second = client.get(url)
    assert second["X-Cache"] == "hit" and second.content == first.content
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_fmax_above_nyquist_is_clamped_and_null_means_default(bat, cast, api):
    response = api(cast["ann1"]).get(
        f"/api/recordings/{bat.pk}/spectrogram.png?start=0&end=0.2&fmax=400000&fmin=null"
    )
    assert response.status_code == 200
    assert float(response["X-Extent-High"]) <= bat.samplerate / 2 + bat.samplerate / 768
    assert response["X-Freq-Scale"] == "linear"


def test_scalogram_png(bat, cast, api):
    response = api(cast["viewer"]).get(
        f"/api/recordings/{bat.pk}/scalogram.png?start=0&end=0.5&width=400&height=128"
    )
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (400, 128)


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=2&end=1", "end"),
        ("fmin=abc", "fmin"),
        ("fmax=900000", "fmax"),
        ("cmap=rainbow", "cmap"),
        ("fmin=100000&fmax=50000", "fmax"),
        ("width=100000", "width"),
        ("end=100", "end"),
    ],
)
def test_bad_view_parameters_get_400_naming_the_field(bat, cast, api, query, field):
    response = api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/spectrogram.png?{query}")
    assert response.status_code == 400 and response.json()["detail"].startswith(field)


def test_outsider_and_anonymous_cannot_see_or_hear(bat, cast, api):
    for path in ("spectrogram.png", "scalogram.png", "audio.wav"):
        assert api(cast["outsider"]).get(f"/api/recordings/{bat.pk}/{path}").status_code == 404
        assert api().get(f"/api/recordings/{bat.pk}/{path}").status_code == 401


def test_audio_is_time_expanded_and_supports_range(bat, cast, api):
    client = api(cast["ann1"])
    url = f"/api/recordings/{bat.pk}/audio.wav?start=0&end=0.5&expansion=10"
    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    with wave.open(io.BytesIO(full.content)) as w:
        assert w.getframerate() == round(bat.samplerate / 10)
        assert w.getnframes() == round(0.5 * bat.samplerate)
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part.content == full.content[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(full.content)}"
    assert client.get(url, HTTP_RANGE=f"bytes={len(full.content) + 5}-").status_code == 416


def test_bandpassed_audio_removes_energy_outside_the_band(bat, cast, api):
    client = api(cast["ann1"])
    plain = client.get(f"/api/recordings/{bat.pk}/audio.wav?start=0&end=0.5")
    filtered = client.get(
        f"/api/recordings/{bat.pk}/audio.wav?start=0&end=0.5&low=150000&high=180000"
    )

    def energy(content):
        with wave.open(io.BytesIO(content)) as w:
            return float(
                np.sum(
                    np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(float) ** 2
                )
            )

    assert energy(filtered.content) < 0.5 * energy(plain.content)
    assert client.get(f"/api/recordings/{bat.pk}/audio.wav?low=9e9").status_code == 400


def test_audio_over_its_sample_bound_is_refused_before_anything_is_read(
    bat, cast, api, settings, monkeypatch
):
    """The cost is the samples decoded, whatever part of the answer a Range header keeps."""
    from annotator import dsp

    settings.ECHOLOOP_MAX_AUDIO_SAMPLES = int(0.5 * bat.samplerate)
    read = []
    original = dsp.read_window
    monkeypatch.setattr(dsp, "read_window", lambda *a, **k: read.append(a) or original(*a, **k))
    client = api(cast["viewer"])
    refused = client.get(
        f"/api/recordings/{bat.pk}/audio.wav?start=0&end=0.6", HTTP_RANGE="bytes=0-0"
    )
    assert (
        refused.status_code == 400 and "samples a request" in refused.json()["detail"] and not read
    )
    assert (
        client.get(f"/api/recordings/{bat.pk}/audio.wav?start=0&end=0.5").status_code == 200
        and read
    )
