"""The annotation page in Debian's Chromium against the real Django app (live server)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator import queue
from annotator.models import Clip, ClipAnnotation, Role, Tag
from tests import factories as f
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-pw-1"
SHOTS = Path(os.environ.get("TMPDIR", "/tmp"))


@pytest.fixture
def chromium(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls here are still sync.
    # Set for this test only: a leaked value would fail `check --deploy` in later tests.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "Browser bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.import_whombat(project)
    tag = Tag.objects.get(project=project, value="Carollia castanea")
    tag.hotkey = "1"
    tag.save()
    people = {name: f.make_user(name, password=PASSWORD) for name in ("annie", "outsider")}
    f.add_member(project, people["annie"], Role.ANNOTATOR)
    f.add_member(f.make_project("Elsewhere"), people["outsider"], Role.LEAD)
    clips = list(Clip.objects.filter(project=project, recording__name__contains="castanea"))
    clips += list(Clip.objects.filter(project=project, recording__name__contains="sowelli"))
    queue.enqueue(project, clips, priorities=[len(clips) - i for i in range(len(clips))])
    return project, tag, people, clips


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def open_annotator(page, base: str, project) -> None:
    page.goto(f"{base}/projects/{project.pk}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)


def to_page(page, t: float, hz: float) -> tuple[float, float]:
    rect = page.locator("#spectrogram-canvas").bounding_box()
    view = page.evaluate("window.echoloop.extent()")["view"]
    x = rect["x"] + (t - view["start"]) / (view["end"] - view["start"]) * rect["width"]
    y = rect["y"] + (view["high"] - hz) / (view["high"] - view["low"]) * rect["height"]
    return x, y


def pixel_size(page) -> tuple[float, float]:
    rect = page.locator("#spectrogram-canvas").bounding_box()
    view = page.evaluate("window.echoloop.extent()")["view"]
    return (view["end"] - view["start"]) / rect["width"], (view["high"] - view["low"]) / rect[
        "height"
    ]


def drag(page, t0: float, t1: float, f0: float, f1: float) -> None:
    x0, y0 = to_page(page, t0, f1)
    x1, y1 = to_page(page, t1, f0)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(x1, y1, steps=4)
    page.mouse.up()


def test_annotator_draws_a_box_tags_it_by_key_and_submits(chromium, live_server, bats):
    project, tag, _people, clips = bats
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    login(page, live_server.url, "annie")
    open_annotator(page, live_server.url, project)
    drag(page, 0.20, 0.26, 40_000, 90_000)
    page.keyboard.press("1")
    page.screenshot(path=str(SHOTS / "echoloop_browser_annotate.png"))
    dt, dhz = pixel_size(page)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('#echoloop-annotator').dataset.state !== 'submitting'"
    )
    annotation = _wait_for_annotation(clips[0])
    event = annotation.events.get()
    assert event.tag == tag
    assert abs(event.start_s - 0.20) <= dt and abs(event.end_s - 0.26) <= dt
    assert abs(event.low_hz - 40_000) <= dhz and abs(event.high_hz - 90_000) <= dhz
    # Enter opened the next task: the sowelli clip
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    assert page.evaluate("window.echoloop.state().task") != annotation.task_id


def _wait_for_annotation(clip, timeout: float = 30.0) -> ClipAnnotation:
    wait_until(
        lambda: ClipAnnotation.objects.filter(clip=clip).exists(),
        timeout=timeout,
        what="the submission to reach the database",
    )
    return ClipAnnotation.objects.get(clip=clip)


def test_reload_mid_annotation_keeps_the_draft(chromium, live_server, bats):
    project, _tag, _people, _clips = bats
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    login(page, live_server.url, "annie")
    open_annotator(page, live_server.url, project)
    drag(page, 0.40, 0.45, 50_000, 80_000)
    page.keyboard.press("u")
    before = page.evaluate("window.echoloop.state()")
    assert len(before["events"]) == 1 and before["uncertain"]
    page.reload()
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    after = page.evaluate("window.echoloop.state()")
    assert (
        after["task"] == before["task"]
        and after["events"] == before["events"]
        and after["uncertain"]
    )
    assert not ClipAnnotation.objects.exists()  # a draft, not a submission


def test_outsider_gets_404_for_another_projects_image_and_audio(chromium, live_server, bats):
    _project, _tag, _people, clips = bats
    page = chromium.new_page()
    login(page, live_server.url, "outsider")
    rid = clips[0].recording_id
    for path in (
        "spectrogram.png?start=0&end=0.5",
        "scalogram.png?start=0&end=0.5",
        "audio.wav?start=0&end=0.5",
    ):
        status = page.evaluate(f"fetch('/api/recordings/{rid}/{path}').then(r => r.status)")
        assert status == 404, path
    assert page.goto(f"{live_server.url}/projects/{_project.pk}/annotate/").status == 404


def test_page_renews_the_lease_while_its_annotator_works(chromium, live_server, bats):
    """A long look at one clip must not lose it: the page renews the lease at half its length
    when there was input since (the page's clock is Playwright's, fast-forwarded)."""
    from annotator.models import AnnotationTask

    project, _tag, _people, _clips = bats
    project.lease_minutes = 2
    project.save()
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    page.clock.install()
    login(page, live_server.url, "annie")
    open_annotator(page, live_server.url, project)
    task_id = page.evaluate("window.echoloop.state().task")
    claimed = AnnotationTask.objects.get(pk=task_id).lease_expires_at
    page.clock.fast_forward("00:05")
    page.keyboard.press("u")  # the annotator is at work
    page.clock.fast_forward("00:56")  # past half of the 2-minute lease
    wait_until(
        lambda: AnnotationTask.objects.get(pk=task_id).lease_expires_at > claimed,
        timeout=30,
        what="the page to renew its lease",
    )
    task = AnnotationTask.objects.get(pk=task_id)
    assert task.status == "leased" and task.lease_holder.username == "annie"
