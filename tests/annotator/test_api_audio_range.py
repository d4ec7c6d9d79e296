"""Range requests on the audio endpoint cost what they return: only the samples of the bytes asked
for are decoded (plus the band-pass filter's margin), and the bytes are those of the whole file."""

from __future__ import annotations

import numpy as np
import pytest

from annotator import dsp, ingest, rendering, wavio
from annotator.models import Recording
from tests import factories as f
from tests.conftest import DATA

WAV = (
    DATA / "whombat" / "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"
)  # 2.3 s at 384 kHz


@pytest.fixture
def bat(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(project, f.make_dataset(project), str(WAV))
    return Recording.objects.get()


@pytest.fixture
def decoded(monkeypatch):
    """How many samples each request decoded, in order."""
    counts: list[int] = []
    real = dsp.read_window

    def counting(*args, **kwargs):
        samples, rate = real(*args, **kwargs)
        counts.append(len(samples))
        return samples, rate

    monkeypatch.setattr(rendering.dsp, "read_window", counting)
    return counts


def test_header_is_the_one_wav_bytes_writes():
    samples = np.linspace(-1, 1, 1234, dtype=np.float32)
    whole = wavio.wav_bytes(samples, 384_000, time_expansion=10)
    assert wavio.wav_header(1234, 384_000, time_expansion=10) == whole[: wavio.WAV_HEADER_BYTES]
    assert wavio.pcm16(samples) == whole[wavio.WAV_HEADER_BYTES :]


def test_one_byte_range_decodes_nothing_and_a_part_decodes_only_its_samples(
    bat, cast, api, decoded
):
    client = api(cast["ann1"])
    url = f"/api/recordings/{bat.pk}/audio.wav?start=0&end=2&expansion=10"
    full = client.get(url)
    assert full.status_code == 200 and decoded == [round(2 * bat.samplerate)]
    one = client.get(url, HTTP_RANGE="bytes=0-0")
    assert one.status_code == 206 and one.content == full.content[:1]
    assert one["Content-Range"] == f"bytes 0-0/{len(full.content)}"
    assert len(decoded) == 1  # the header alone is known without reading the file
    part = client.get(url, HTTP_RANGE="bytes=100001-200000")  # odd start: half a sample
    assert part.status_code == 206 and part.content == full.content[100001:200001]
    assert decoded[-1] <= 100_000 // 2 + 2
    tail = client.get(url, HTTP_RANGE="bytes=-7")
    assert tail.content == full.content[-7:] and decoded[-1] <= 4


def test_band_passed_range_reads_a_bounded_margin_and_matches_the_whole_file(
    bat, cast, api, decoded
):
    client = api(cast["ann1"])
    url = f"/api/recordings/{bat.pk}/audio.wav?start=0&end=2&low=20000&high=80000"
    full = client.get(url)
    part = client.get(url, HTTP_RANGE="bytes=400044-440043")  # samples 200000..219999
    assert part.status_code == 206
    margin = 2 * rendering._FILTER_MARGIN_PERIODS * bat.samplerate / 20_000
    assert decoded[-1] <= 20_000 + margin + 2
    got = np.frombuffer(part.content, "<i2").astype(int)
    want = np.frombuffer(full.content[400044:440044], "<i2").astype(int)
    assert np.abs(got - want).max() <= 1  # the filter settled within the margin


def test_range_past_the_end_is_416_with_the_size(bat, cast, api, decoded):
    url = f"/api/recordings/{bat.pk}/audio.wav?start=0&end=1"
    response = api(cast["ann1"]).get(url, HTTP_RANGE="bytes=99999999-")
    size = wavio.WAV_HEADER_BYTES + 2 * bat.samplerate
    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{size}"
    assert decoded == []
