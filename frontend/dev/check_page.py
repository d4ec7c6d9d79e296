"""Drive the built annotation page in headless Chromium against the mock server and check that
what is POSTed is right in seconds and Hz. Screenshots go to /tmp/echoloop_*.png.

    .venv/bin/python frontend/dev/check_page.py            # needs static/annotator built

The lead turns this into a pytest browser test against Django; the steps are the same.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mock_server import make_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path("/tmp")


@contextmanager
def mock(**kwargs: Any) -> Iterator[str]:
    server = make_server(0, **kwargs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5).read()


def submissions(base: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(base + "/mock/submissions", timeout=5) as r:
        return json.load(r)


def wait_ready(page: Page) -> None:
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=15_000)


def status(page: Page) -> str:
    return page.locator(".el-status").inner_text()


def mel(hz: float) -> float:
    return 2595 * math.log10(1 + hz / 700)


def to_client(page: Page, t: float, hz: float) -> tuple[float, float]:
    """Page coordinates of (t s, hz) computed here, from the canvas box and the hook's view."""
    rect = page.locator("#spectrogram-canvas").bounding_box()
    assert rect
    ext = page.evaluate("window.echoloop.extent()")
    v = ext["view"]
    w = mel if ext["scale"] == "mel" else (lambda f: f)
    x = rect["x"] + (t - v["start"]) / (v["end"] - v["start"]) * rect["width"]
    y = rect["y"] + (w(v["high"]) - w(hz)) / (w(v["high"]) - w(v["low"])) * rect["height"]
    return x, y


def tolerance(page: Page, px: float = 1.5) -> tuple[float, float]:
    """Seconds and Hz (at the top of the view, where a pixel spans most Hz) that `px` pixels cover."""
    rect = page.locator("#spectrogram-canvas").bounding_box()
    assert rect
    ext = page.evaluate("window.echoloop.extent()")
    v = ext["view"]
    dt = (v["end"] - v["start"]) / rect["width"] * px
    if ext["scale"] == "mel":
        per_px = (mel(v["high"]) - mel(v["low"])) / rect["height"]
        top = 700 * (10 ** ((mel(v["high"])) / 2595) - 1) - 700 * (
            10 ** ((mel(v["high"]) - per_px * px) / 2595) - 1
        )
        return dt, top
    return dt, (v["high"] - v["low"]) / rect["height"] * px


def drag_box(page: Page, t0: float, t1: float, f_low: float, f_high: float) -> None:
    x0, y0 = to_client(page, t0, f_high)
    x1, y1 = to_client(page, t1, f_low)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def assert_event(
    ev: dict[str, Any], t0: float, t1: float, lo: float, hi: float, tol: tuple[float, float]
) -> None:
    dt, df = tol
    assert abs(ev["start_s"] - t0) <= dt, (ev, t0, dt)
    assert abs(ev["end_s"] - t1) <= dt, (ev, t1, dt)
    assert abs(ev["low_hz"] - lo) <= df, (ev, lo, df)
    assert abs(ev["high_hz"] - hi) <= df, (ev, hi, df)


def last_ok(base: str) -> dict[str, Any]:
    done = [s for s in submissions(base) if s["received"] == 200]
    assert done, submissions(base)
    return done[-1]


def wait_for(predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def check_linear(page: Page, base: str) -> None:
    page.goto(base + "/")
    wait_ready(page)
    ext = page.evaluate("window.echoloop.extent()")
    # The mock snaps the requested window to its frame grid; the page must use the headers.
    assert (ext["start"], ext["end"], ext["low"], ext["high"]) == (
        9.0,
        16.0,
        10_000.0,
        120_000.0,
    ), ext
    assert ext["view"] == {k: ext[k] for k in ("start", "end", "low", "high")}, ext
    page.screenshot(path=str(SHOTS / "echoloop_01_loaded.png"))

    # Draw a box, tag it with "1".
    drag_box(page, 10.50, 10.62, 30_000, 80_000)
    page.keyboard.press("1")
    state = page.evaluate("window.echoloop.state()")
    assert state["task"] == 101 and state["version"] is None, state
    assert len(state["events"]) == 1 and state["events"][0]["tag"] == 21, state
    tol = tolerance(page)
    assert_event(state["events"][0], 10.50, 10.62, 30_000, 80_000, tol)

    # Flags and undo.
    page.keyboard.press("u")
    assert page.evaluate("window.echoloop.state().uncertain") is True
    page.keyboard.press("Control+z")
    assert page.evaluate("window.echoloop.state().uncertain") is False
    page.keyboard.press("Control+Shift+z")
    assert page.evaluate("window.echoloop.state().uncertain") is True
    page.keyboard.press("u")
    # Hotkeys are off while typing notes.
    page.locator(".el-notes").fill("two passes; n and x typed here")
    page.keyboard.press("n")
    page.keyboard.press("Escape")
    state = page.evaluate("window.echoloop.state()")
    assert state["no_calls"] is False and state["notes"].startswith("two passes"), state
    page.mouse.move(*to_client(page, 12.0, 50_000))
    page.screenshot(path=str(SHOTS / "echoloop_02_box.png"))

    # Reload: the draft comes back.
    page.reload()
    wait_ready(page)
    restored = page.evaluate("window.echoloop.state()")
    assert restored["events"] == state["events"] and restored["notes"] == state["notes"], restored
    assert "Restored" in page.locator(".el-notice").inner_text()

    # The first submit hits a 503: the page says so and retries by itself.
    post(base + "/mock/fail?status=503&count=1")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.el-status').textContent.includes('retrying')", timeout=5000
    )
    page.screenshot(path=str(SHOTS / "echoloop_03_retrying.png"))
    page.wait_for_function(
        "window.echoloop.state() && window.echoloop.state().task === 102", timeout=10_000
    )
    wait_ready(page)
    body = last_ok(base)["body"]
    assert body["version"] is None and body["tags"] == [] and body["notes"] == state["notes"], body
    assert len(body["events"]) == 1 and body["events"][0]["tag"] == 21, body
    assert_event(body["events"][0], 10.50, 10.62, 30_000, 80_000, tol)
    assert [s["received"] for s in submissions(base)] == [503, 200]
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('echoloop:draft:'))")
    assert keys == [], keys
    print("linear: box submitted with", body["events"][0])

    # Task 102: zoom in, draw with a pending tag (m), get a 409, merge, submit.
    page.keyboard.press("m")
    for _ in range(3):
        page.keyboard.press("+")
    page.mouse.move(*to_client(page, 22.0, 60_000))
    page.keyboard.down("Shift")
    page.mouse.wheel(0, -300)  # Shift+wheel zooms frequency
    page.keyboard.up("Shift")
    view = page.evaluate("window.echoloop.extent().view")
    assert view["end"] - view["start"] < 7 / 3 and view["high"] - view["low"] < 110_000, view
    t0 = view["start"] + 0.3 * (view["end"] - view["start"])
    t1 = view["start"] + 0.4 * (view["end"] - view["start"])
    f0 = view["low"] + 0.3 * (view["high"] - view["low"])
    f1 = view["low"] + 0.6 * (view["high"] - view["low"])
    drag_box(page, t0, t1, f0, f1)
    zoom_tol = tolerance(page)
    mine = page.evaluate("window.echoloop.state()")["events"]
    assert len(mine) == 1 and mine[0]["tag"] == 22, mine
    assert_event(mine[0], t0, t1, f0, f1, zoom_tol)
    time.sleep(0.6)  # let the sharper zoomed image arrive
    page.screenshot(path=str(SHOTS / "echoloop_04_zoomed.png"))

    post(base + "/mock/conflict")
    page.keyboard.press("Enter")
    page.wait_for_selector(".el-conflict:not([hidden])", timeout=5000)
    page.screenshot(path=str(SHOTS / "echoloop_05_conflict.png"))
    page.get_by_role("button", name="Merge (theirs + your boxes)").click()
    merged = page.evaluate("window.echoloop.state()")
    assert merged["version"] == 1 and len(merged["events"]) == 2, merged
    page.keyboard.press("Enter")
    page.wait_for_function(
        "window.echoloop.state() && window.echoloop.state().task === 103", timeout=10_000
    )
    wait_ready(page)
    body = last_ok(base)["body"]
    assert body["version"] == 1 and len(body["events"]) == 2 and body["tags"] == [22], body
    print(
        "linear: merged after 409, submitted",
        len(body["events"]),
        "events at version",
        body["version"],
    )

    # Task 103: accept predictions, undo, skip (release), then "no calls" and submit.
    page.wait_for_function(
        "document.querySelector('.el-pred-info').textContent.includes('detector')", timeout=5000
    )
    page.keyboard.press("Shift+A")
    accepted = page.evaluate("window.echoloop.state().events")
    assert accepted and all(e["tag"] == 21 for e in accepted), accepted
    page.keyboard.press("s")  # scalogram
    page.wait_for_function(
        "window.echoloop.extent() && window.echoloop.extent().kind === 'scalogram'", timeout=5000
    )
    time.sleep(0.3)
    page.screenshot(path=str(SHOTS / "echoloop_06_scalogram_predictions.png"))
    page.keyboard.press("s")
    page.keyboard.press("Control+z")
    assert page.evaluate("window.echoloop.state().events") == []
    page.keyboard.press("k")
    page.wait_for_function(
        "document.querySelector('.el-status').textContent.includes('Skipped')", timeout=5000
    )
    wait_ready(page)
    page.keyboard.press("n")
    page.keyboard.press("Enter")
    page.wait_for_selector('#echoloop-annotator[data-state="empty"]', timeout=10_000)
    assert "Queue empty" in page.locator("#echoloop-annotator").inner_text()
    body = last_ok(base)["body"]
    assert body["no_calls"] is True and body["events"] == [], body
    page.screenshot(path=str(SHOTS / "echoloop_07_empty.png"))
    print("linear: skip, no-calls submit and empty queue ok")


def check_mel(page: Page, base: str) -> None:
    page.goto(base + "/")
    wait_ready(page)
    assert page.evaluate("window.echoloop.extent().scale") == "mel"
    drag_box(page, 10.30, 10.42, 20_000, 40_000)
    page.keyboard.press("2")
    tol = tolerance(page)
    page.screenshot(path=str(SHOTS / "echoloop_08_mel.png"))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "window.echoloop.state() && window.echoloop.state().task === 102", timeout=10_000
    )
    body = last_ok(base)["body"]
    assert_event(body["events"][0], 10.30, 10.42, 20_000, 40_000, tol)
    assert body["events"][0]["tag"] == 22
    print("mel: box submitted with", body["events"][0])


def check_interval(page: Page, base: str) -> None:
    page.goto(base + "/")
    wait_ready(page)
    x0, y = to_client(page, 11.0, 50_000)
    x1, _ = to_client(page, 11.5, 50_000)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y + 2, steps=5)
    page.mouse.up()
    page.keyboard.press("3")
    page.screenshot(path=str(SHOTS / "echoloop_09_interval.png"))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "window.echoloop.state() && window.echoloop.state().task === 102", timeout=10_000
    )
    ev = last_ok(base)["body"]["events"][0]
    assert ev["low_hz"] is None and ev["high_hz"] is None and ev["tag"] == 23, ev
    assert abs(ev["start_s"] - 11.0) < 0.02 and abs(ev["end_s"] - 11.5) < 0.02, ev
    print("interval: submitted", ev)


def check_editing(page: Page, base: str) -> None:
    """Move, resize, delete, undo; draw over a prediction; a 400 is shown and nothing is lost."""
    page.goto(base + "/")
    wait_ready(page)
    drag_box(page, 11.0, 11.2, 40_000, 60_000)
    page.keyboard.press("2")
    dt, df = tolerance(page)
    rect = page.locator("#spectrogram-canvas").bounding_box()
    assert rect
    ext = page.evaluate("window.echoloop.extent()")
    s_per_px = (ext["end"] - ext["start"]) / rect["width"]
    hz_per_px = (ext["high"] - ext["low"]) / rect["height"]

    # Move: drag the middle 40 px right and 20 px up.
    x, y = to_client(page, 11.1, 50_000)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y - 10, steps=3)
    page.mouse.move(x + 40, y - 20, steps=3)
    page.mouse.up()
    ev = page.evaluate("window.echoloop.state().events[0]")
    moved = (
        11.0 + 40 * s_per_px,
        11.2 + 40 * s_per_px,
        40_000 + 20 * hz_per_px,
        60_000 + 20 * hz_per_px,
    )
    assert_event(ev, *moved, (dt, df))

    # Resize: drag the east edge to 11.5 s.
    x, y = to_client(page, ev["end_s"], (ev["low_hz"] + ev["high_hz"]) / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(*to_client(page, 11.5, 50_000), steps=4)
    page.mouse.up()
    ev = page.evaluate("window.echoloop.state().events[0]")
    assert_event(ev, moved[0], 11.5, moved[2], moved[3], (dt, df))
    assert ev["tag"] == 22, ev

    # Delete, undo, redo, undo.
    page.keyboard.press("Delete")
    assert page.evaluate("window.echoloop.state().events") == []
    page.keyboard.press("Control+z")
    assert page.evaluate("window.echoloop.state().events") == [ev]
    page.keyboard.press("Control+y")
    assert page.evaluate("window.echoloop.state().events") == []
    page.keyboard.press("Control+z")

    # A drag that starts on a prediction draws a box; a click on it selects it, "a" accepts it.
    pred = page.evaluate("fetch('/api/clips/11/predictions/').then(r => r.json())")["events"]
    top = max(pred, key=lambda p: p["score"])
    drag_box(
        page,
        top["start_s"] - 0.02,
        top["end_s"] + 0.02,
        top["low_hz"] + 1000,
        top["high_hz"] - 1000,
    )
    assert len(page.evaluate("window.echoloop.state().events")) == 2
    page.keyboard.press("1")
    page.keyboard.press("Escape")
    inside_prediction = to_client(page, (top["start_s"] + top["end_s"]) / 2, top["low_hz"] + 500)
    page.mouse.click(*inside_prediction)
    page.keyboard.press("a")
    events = page.evaluate("window.echoloop.state().events")
    assert (
        len(events) == 3
        and events[-1]["start_s"] == top["start_s"]
        and events[-1]["tag"] == top["tag"]
    ), events

    # Tab cycles the selection by time.
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert "start s" in page.locator(".el-inspector").inner_text()
    page.screenshot(path=str(SHOTS / "echoloop_10_editing_hidpi.png"))

    # A 400 is shown, nothing retried, the draft kept.
    post(base + "/mock/fail?status=400&count=1")
    before = page.evaluate("window.echoloop.state()")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.el-status').textContent.includes('Not saved')", timeout=5000
    )
    assert "2000 characters" in status(page), status(page)
    assert page.evaluate("window.echoloop.state()") == before
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('echoloop:draft:'))")
    assert stored, stored
    page.keyboard.press("Enter")
    page.wait_for_function(
        "window.echoloop.state() && window.echoloop.state().task === 102", timeout=10_000
    )
    assert [s["received"] for s in submissions(base)] == [400, 200]
    print("editing: move, resize, delete/undo, predictions, 400 ok")


def main() -> None:
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            checks = [
                (check_linear, {}, 1),
                (check_mel, {"freq_scale": "mel"}, 1),
                (check_interval, {"mode": "interval"}, 1),
                (check_editing, {}, 2),  # on a HiDPI screen
            ]
            for check, kwargs, dpr in checks:
                with mock(**kwargs) as base:
                    page = browser.new_page(
                        viewport={"width": 1440, "height": 900}, device_scale_factor=dpr
                    )
                    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
                    page.on(
                        "console",
                        lambda m: (
                            m.type == "error"
                            and not any(f"status of {c}" in m.text for c in (400, 409, 503))
                            and errors.append(f"console: {m.text} {m.location}")
                        ),
                    )
                    check(page, base)
                    page.close()
        finally:
            browser.close()
    assert not errors, errors
    print("all page checks passed; screenshots in /tmp/echoloop_*.png")


if __name__ == "__main__":
    main()
