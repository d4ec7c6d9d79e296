"""The waveform strip, the box spectrum and the box measurements on the annotation page, checked
against numpy computed directly on the audio (not through annotator.measurements)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import soundfile as sf

from annotator import ingest, queue
from annotator.models import Clip, Role
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SR = 384_000
SHOTS = Path(os.environ.get("TMPDIR", "/tmp"))
CALL_AT, CF_S, FM_S = 0.300, 0.015, 0.003  # a 100 kHz tone, then a sweep down to 80 kHz


def cf_fm_recording(path) -> None:
    t = np.arange(int((CF_S + FM_S) * SR)) / SR
    tail = np.clip(t - CF_S, 0, None)
    phase = 2 * np.pi * (100_000 * t + (80_000 - 100_000) / (2 * FM_S) * tail**2)
    call = 0.5 * scipy.signal.windows.tukey(t.size, 2 * 0.0003 / (CF_S + FM_S)) * np.sin(phase)
    x = 1e-3 * np.random.default_rng(3).standard_normal(SR)
    start = int(CALL_AT * SR)
    x[start : start + call.size] += call
    sf.write(path, x.astype(np.float32), SR, subtype="FLOAT")


@pytest.fixture
def call_page(settings, tmp_path, browser_page, log_in, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "calls"
    folder.mkdir()
    cf_fm_recording(folder / "cf_fm.wav")
    project = f.make_project(
        "Measured bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    queue.enqueue(project, list(Clip.objects.filter(project=project)))
    f.add_member(project, f.make_user("annie"), Role.ANNOTATOR)
    log_in("annie")
    page = browser_page
    page.goto(f"{live_server.url}/projects/{project.pk}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    return page, folder / "cf_fm.wav"


def to_page(page, t: float, hz: float) -> tuple[float, float]:
    rect = page.locator("#spectrogram-canvas").bounding_box()
    view = page.evaluate("window.echoloop.extent()")["view"]
    x = rect["x"] + (t - view["start"]) / (view["end"] - view["start"]) * rect["width"]
    y = rect["y"] + (view["high"] - hz) / (view["high"] - view["low"]) * rect["height"]
    return x, y


def draw(page, t0: float, t1: float, f0: float, f1: float) -> None:
    (x0, y0), (x1, y1) = to_page(page, t0, f1), to_page(page, t1, f0)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=6)
    page.mouse.up()


def shown(page) -> dict[str, float | None]:
    cells = page.eval_on_selector_all(
        ".el-measurements td[data-field]",
        "tds => tds.map(td => [td.dataset.field, td.dataset.value])",
    )
    return {field: (float(value) if value else None) for field, value in cells}


def zero_crossing_hz(x: np.ndarray) -> float:
    """Frequency of a clean tone from its zero crossings (two per period)."""
    crossings = np.flatnonzero(np.signbit(x[:-1]) != np.signbit(x[1:]))
    return (crossings.size - 1) / 2 / ((crossings[-1] - crossings[0]) / SR)


def test_waveform_spectrum_and_measurements_of_a_drawn_box(call_page):
    page, wav = call_page
    page.wait_for_function(
        "Number(document.querySelector('.el-waveform').dataset.columns) > 0", timeout=30_000
    )
    wave, image = (
        page.locator(".el-waveform").bounding_box(),
        page.locator("#spectrogram-canvas").bounding_box(),
    )
    assert (
        abs(wave["x"] - image["x"]) <= 1 and abs(wave["width"] - image["width"]) <= 1
    )  # one time axis
    assert wave["y"] >= image["y"] + image["height"]  # under the image

    draw(page, CALL_AT - 0.004, CALL_AT + CF_S + FM_S + 0.004, 70_000, 110_000)
    page.wait_for_selector('.el-analysis[data-state="ready"]', timeout=30_000)
    page.screenshot(path=str(SHOTS / "echoloop_analysis_panels.png"))
    box = page.evaluate("window.echoloop.state()")["events"][0]
    got = shown(page)

    # numpy on the audio: the box's samples, the call where |x| stays above a tenth of its peak.
    audio, sr = sf.read(wav, dtype="float64")
    assert sr == SR
    inside = audio[round(box["start_s"] * SR) : round(box["end_s"] * SR)]
    spectrum = np.abs(np.fft.rfft(inside * np.hanning(inside.size), n=1 << 18))
    freqs = np.fft.rfftfreq(1 << 18, 1 / SR)
    band = (freqs >= box["low_hz"]) & (freqs <= box["high_hz"])
    peak = freqs[band][np.argmax(spectrum[band])]
    loud = np.flatnonzero(np.abs(inside) > 0.1 * np.abs(inside).max())
    duration = (loud[-1] - loud[0]) / SR
    call = inside[loud[0] : loud[-1]]
    tone = zero_crossing_hz(call[: int(0.010 * SR)])
    end = zero_crossing_hz(call[-int(0.0003 * SR) :])

    assert got["peak_hz"] == pytest.approx(peak, abs=500)
    assert got["duration_s"] == pytest.approx(duration, rel=0.05)
    assert got["characteristic_hz"] == pytest.approx(tone, abs=1_000)
    assert got["high_hz"] == pytest.approx(tone, abs=1_000)
    assert got["end_hz"] == pytest.approx(end, abs=4_000)
    assert got["low_hz"] == got["end_hz"]
    assert got["bandwidth_hz"] == pytest.approx(got["high_hz"] - got["low_hz"])
    spectrum_peak = float(page.locator(".el-spectrum").get_attribute("data-peak-hz"))
    assert int(page.locator(".el-spectrum").get_attribute("data-bins")) > 10
    assert spectrum_peak == pytest.approx(peak, abs=1_500)

    # Moved off the call, the box measures nothing and says why.
    page.fill(".el-inspector [name=end_s]", "0.47")
    page.press(".el-inspector [name=end_s]", "Enter")
    page.fill(".el-inspector [name=start_s]", "0.45")
    page.press(".el-inspector [name=start_s]", "Enter")
    page.wait_for_function(
        "document.querySelector('.el-measurements td[data-field=peak_hz]')?.dataset.value === ''",
        timeout=30_000,
    )
    assert "no call above the noise" in page.locator(".el-measure-note").inner_text()
    assert page.console_errors == []
