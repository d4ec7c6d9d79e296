"""The annotation page's view options in Chromium: automatic levels and window by default, and
changing the window (by its control and by key) changes the image on the canvas."""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from annotator import queue
from annotator.models import Clip, Role
from tests import factories as f
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "View options",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.import_whombat(project)
    f.add_member(project, f.make_user("vera", password="pw-for-tests-only"), Role.ANNOTATOR)
    clip = (
        Clip.objects.filter(project=project, recording__name__contains="sowelli")
        .order_by("start_s")
        .first()
    )
    queue.enqueue(project, [clip])
    return project


def _canvas(page) -> np.ndarray:
    url = page.evaluate("document.querySelector('#spectrogram-canvas').toDataURL('image/png')")
    png = base64.b64decode(url.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _spectrograms(responses) -> list:
    return [r for r in responses if "/spectrogram.png" in r.url and r.status == 200]


def _params(response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(response.url).query).items()}


def _asks(response, **wanted: str) -> bool:
    """A spectrogram response whose request asked for ``wanted``."""
    asked = _params(response)
    return (
        "/spectrogram.png" in response.url
        and response.status == 200
        and all(asked.get(k) == v for k, v in wanted.items())
    )


def test_changing_the_window_changes_the_image_and_levels_are_automatic(
    browser_page, live_server, log_in, bats
):
    page = browser_page
    responses = []
    page.on("response", lambda response: responses.append(response))
    log_in("vera")
    page.goto(f"{live_server.url}/projects/{bats.pk}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)

    first = _spectrograms(responses)[0]
    asked = _params(first)
    assert asked["levels"] == "auto" and asked["window_s"] == "auto"  # the page's defaults
    low, high = map(float, first.headers["x-levels"].split())
    assert high - low >= 20  # chosen by the server from the view, not the project's -90..-20
    assert page.is_checked("input[name=auto_levels]")
    assert page.locator(".el-levels-text").inner_text().strip() != ""
    # zoomed out, "auto" is the project's 2 ms (768 samples at this recording's 375 kHz)
    assert re.fullmatch(
        r"auto \(2(\.\d+)? ms\)",
        page.locator("select[name=window] option[value=auto]").inner_text(),
    )
    wait_until(
        lambda: _canvas(page).std() > 5,
        timeout=30,
        what="the spectrogram to be drawn on the canvas",
    )
    before, before_png = _canvas(page), page.request.get(first.url).body()
    assert before_png.startswith(b"\x89PNG")

    with page.expect_response(lambda r: _asks(r, window_s="0.0005"), timeout=30_000) as short:
        page.select_option("select[name=window]", "0.0005")
    short = short.value
    assert page.request.get(short.url).body() != before_png and float(
        short.headers["x-window"]
    ) == pytest.approx(0.0005, rel=0.2)
    wait_until(
        lambda: np.abs(_canvas(page) - before).mean() > 1,
        timeout=30,
        what="the canvas to show the new window",
    )

    # ] steps to the next longer window: a new image again
    shown = _canvas(page)
    page.locator("#spectrogram-canvas").focus()
    with page.expect_response(lambda r: _asks(r, window_s="0.001"), timeout=30_000):
        page.keyboard.press("]")
    assert page.eval_on_selector("select[name=window]", "s => s.value") == "0.001"
    wait_until(
        lambda: np.abs(_canvas(page) - shown).mean() > 1,
        timeout=30,
        what="the canvas to show the 1-ms window",
    )

    # a dB slider hands the levels back to the annotator
    with page.expect_response(lambda r: _asks(r, levels="fixed"), timeout=30_000):
        page.locator("input[type=range]").first.fill("-100")
    assert not page.is_checked("input[name=auto_levels]")
    assert page.console_errors == []
