"""The lead's review page in Debian's Chromium against the real Django app: keyboard verdicts,
a correction drawn on the spectrogram, a stale verdict shown as such, and a one-key consensus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from annotator import queue
from annotator.models import AnnotationTask, Clip, ClipAnnotation, Consensus, Role, Tag, TaskStatus
from models_app.models import ModelVersion, Prediction
from tests import factories as f
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

E = queue.EventInput
SHOTS = Path(os.environ.get("TMPDIR", "/tmp"))


@pytest.fixture
def bats(settings, tmp_path):
    """The three Whombat recordings; lena leads, annie and bert annotate."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "Review bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.import_whombat(project)
    tag = Tag.objects.get(project=project, value="Carollia castanea")
    other = Tag.objects.get(project=project, value="Carollia sowelli")
    people = {name: f.make_user(name) for name in ("lena", "annie", "bert")}
    f.add_member(project, people["lena"], Role.LEAD)
    f.add_member(project, people["annie"], Role.ANNOTATOR)
    f.add_member(project, people["bert"], Role.ANNOTATOR)
    clips = {
        name: Clip.objects.get(project=project, recording__name__contains=name, start_s=start)
        for name, start in (("Desmodus", 0.0), ("castanea", 0.0), ("sowelli", 0.0))
    }
    clips["Desmodus later"] = Clip.objects.get(
        project=project, recording__name__contains="Desmodus", start_s=1.0
    )
    return project, tag, other, people, clips


def submit(project, user, clip, events):
    """``user`` takes ``clip``'s task from the queue and submits ``events`` (as the page would)."""
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, user)
    assert task.clip == clip
    return queue.submit(task, user, queue.Submission(events=events))


def box(clip, t0, t1, lo, hi, tag):
    return E(clip.start_s + t0, clip.start_s + t1, lo, hi, tag.pk)


def open_review(page, base, project) -> None:
    page.goto(f"{base}/projects/{project.pk}/review/")
    wait_ready(page)


def wait_ready(page) -> None:
    page.wait_for_selector(
        '#echoloop-annotator[data-page="review"][data-state="ready"]', timeout=60_000
    )


def state(page) -> dict:
    return page.evaluate("window.echoloopReview.state()")


def to_page(page, t: float, hz: float) -> tuple[float, float]:
    rect = page.locator('[data-panel="0"] canvas.el-review-canvas').bounding_box()
    view = page.evaluate("window.echoloopReview.extent(0)")["view"]
    x = rect["x"] + (t - view["start"]) / (view["end"] - view["start"]) * rect["width"]
    y = rect["y"] + (view["high"] - hz) / (view["high"] - view["low"]) * rect["height"]
    return x, y


def seconds_per_pixel(page) -> float:
    rect = page.locator('[data-panel="0"] canvas.el-review-canvas').bounding_box()
    view = page.evaluate("window.echoloopReview.extent(0)")["view"]
    return (view["end"] - view["start"]) / rect["width"]


def test_lead_accepts_rejects_and_corrects_by_keyboard(browser_page, live_server, log_in, bats):
    project, tag, _other, people, clips = bats
    annie = people["annie"]
    first = submit(
        project, annie, clips["Desmodus"], [box(clips["Desmodus"], 0.1, 0.12, 30_000, 80_000, tag)]
    )
    second = submit(
        project,
        annie,
        clips["Desmodus later"],
        [box(clips["Desmodus later"], 0.2, 0.22, 30_000, 80_000, tag)],
    )
    third = submit(
        project, annie, clips["castanea"], [box(clips["castanea"], 0.3, 0.33, 40_000, 90_000, tag)]
    )
    page = browser_page
    log_in("lena", f"/projects/{project.pk}/")
    assert page.locator(f'a[href="/projects/{project.pk}/review/"]').count() == 1  # the nav link
    open_review(page, live_server.url, project)
    assert state(page)["annotation"] == first.pk
    [drawn] = page.evaluate("window.echoloopReview.panels()")[0]["boxes"]
    assert (
        drawn["answer"] == first.pk
        and drawn["label"].startswith("annie: ")
        and drawn["mark"] == "agreed"
    )

    # The annotator saves a new version meanwhile: accepting the old one is refused, visibly.
    queue.save_annotation(
        project,
        first.clip,
        annie,
        queue.Submission(version=1, events=[box(first.clip, 0.1, 0.13, 30_000, 80_000, tag)]),
    )
    page.keyboard.press("a")
    page.wait_for_selector(".el-conflict:not([hidden])")
    conflict = page.inner_text(".el-conflict")
    assert "Nothing was saved" in conflict and "now version 2" in conflict
    assert ClipAnnotation.objects.get(pk=first.pk).review_status == "pending"
    page.click("text=Reload this clip")
    wait_ready(page)

    # a: accept; the page moves on to the next answer.
    page.keyboard.press("a")
    wait_until(
        lambda: ClipAnnotation.objects.get(pk=first.pk).review_status == "accepted",
        timeout=20,
        what="the accept",
    )
    page.wait_for_function(f"window.echoloopReview.state().annotation === {second.pk}")
    wait_ready(page)

    # r: reject; an empty note is refused, then the note is sent with Enter.
    page.keyboard.press("r")
    page.keyboard.press("Enter")
    assert "needs a note" in page.inner_text(".el-status")
    assert ClipAnnotation.objects.get(pk=second.pk).review_status == "pending"
    page.keyboard.type("an echo of the previous call, not a new one")
    page.screenshot(path=str(SHOTS / "echoloop_browser_review_reject.png"))
    page.keyboard.press("Enter")
    wait_until(
        lambda: ClipAnnotation.objects.get(pk=second.pk).review_status == "rejected",
        timeout=20,
        what="the rejection",
    )
    revision = ClipAnnotation.objects.get(pk=second.pk).revisions.get(action="reject")
    assert revision.data["note"] == "an echo of the previous call, not a new one"
    assert AnnotationTask.objects.get(clip=second.clip).status == TaskStatus.QUEUED
    page.wait_for_function(f"window.echoloopReview.state().annotation === {third.pk}")
    wait_ready(page)

    # e: correct; the box is dragged 20 ms later, Enter saves the corrected version.
    page.keyboard.press("e")
    assert state(page)["mode"] == "edit"
    page.screenshot(path=str(SHOTS / "echoloop_browser_review_correct.png"))
    event = third.events.get()
    x, y = to_page(page, (event.start_s + event.end_s) / 2, (event.low_hz + event.high_hz) / 2)
    x2, _ = to_page(page, (event.start_s + event.end_s) / 2 + 0.02, 0)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move((x + x2) / 2, y, steps=4)
    page.mouse.move(x2, y, steps=4)
    page.mouse.up()
    dt = seconds_per_pixel(page)
    # ... and a box the annotator missed is added, then given the second tag by its key.
    a0, b0 = to_page(page, clips["castanea"].start_s + 0.60, 90_000)
    a1, b1 = to_page(page, clips["castanea"].start_s + 0.64, 40_000)
    page.mouse.move(a0, b0)
    page.mouse.down()
    page.mouse.move(a1, b1, steps=6)
    page.mouse.up()
    page.keyboard.press("2")
    second_tag = Tag.objects.filter(project=project).order_by("key", "value")[1]
    page.keyboard.press("Enter")
    wait_until(
        lambda: ClipAnnotation.objects.get(pk=third.pk).version == 2,
        timeout=20,
        what="the correction",
    )
    corrected = ClipAnnotation.objects.get(pk=third.pk)
    moved, added = corrected.events.order_by("start_s")
    assert (
        added.tag == second_tag
        and abs(added.start_s - (clips["castanea"].start_s + 0.60)) <= 2 * dt
    )
    assert corrected.review_status == "accepted" and corrected.annotator == annie
    assert (
        abs(moved.start_s - (event.start_s + 0.02)) <= 2 * dt
        and abs(moved.end_s - (event.end_s + 0.02)) <= 2 * dt
    )
    assert abs(moved.low_hz - event.low_hz) < 1 and abs(moved.high_hz - event.high_hz) < 1
    assert corrected.revisions.get().action == "correct"
    # The browser logs the refused request; nothing else went wrong on the page.
    assert [e for e in page.console_errors if "status of 409" not in e] == []


def test_double_annotated_clip_side_by_side_and_union_consensus(
    browser_page, live_server, log_in, bats
):
    project, tag, other, people, clips = bats
    clip = clips["sowelli"]
    queue.enqueue(project, [clip], audit=[False])
    AnnotationTask.objects.filter(clip=clip).update(annotations_needed=2)
    a = queue.save_annotation(
        project,
        clip,
        people["annie"],
        queue.Submission(
            events=[
                box(clip, 0.10, 0.12, 40_000, 80_000, tag),
                box(clip, 0.50, 0.52, 40_000, 80_000, tag),
            ]
        ),
    )
    b = queue.save_annotation(
        project,
        clip,
        people["bert"],
        queue.Submission(
            events=[
                box(clip, 0.10, 0.12, 42_000, 80_000, tag),
                box(clip, 0.50, 0.52, 40_000, 80_000, other),
                box(clip, 0.80, 0.82, 30_000, 60_000, other),
            ]
        ),
    )
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=["Carollia sowelli"], threshold=0.6, is_active=True
    )
    detections = [
        {
            "start_s": clip.start_s + s,
            "end_s": clip.start_s + s + 0.02,
            "low_hz": 40_000,
            "high_hz": 80_000,
            "label": "Carollia sowelli",
            "score": score,
        }
        for s, score in ((0.3, 0.9), (0.6, 0.4))
    ]
    Prediction.objects.create(clip=clip, version=version, class_probs=[0.9], detections=detections)
    page = browser_page
    log_in("lena", f"/projects/{project.pk}/")
    open_review(page, live_server.url, project)
    # The active model's predictions above its threshold, drawn dashed with their scores.
    page.wait_for_function("window.echoloopReview.predictions().length === 1")
    assert page.evaluate("window.echoloopReview.predictions()")[0]["score"] == 0.9
    page.keyboard.press("m")
    assert page.evaluate("window.echoloopReview.predictions()") == []
    page.keyboard.press("m")
    panels = page.evaluate("window.echoloopReview.panels()")
    assert [p["answers"] for p in panels] == [[a.pk], [b.pk]]  # side by side: annie, then bert
    marks = {
        (p["answers"][0], round(x["start_s"] - clip.start_s, 2)): x["mark"]
        for p in panels
        for x in p["boxes"]
    }
    assert marks == {
        (a.pk, 0.10): "agreed",
        (a.pk, 0.50): "label",
        (b.pk, 0.10): "agreed",
        (b.pk, 0.50): "label",
        (b.pk, 0.80): "unmatched",
    }
    assert "1 with different labels" in page.inner_text(".el-review-summary")
    page.screenshot(path=str(SHOTS / "echoloop_browser_review_double.png"))
    page.keyboard.press("v")
    page.wait_for_function("window.echoloopReview.panels().length === 1")
    page.keyboard.press("v")
    page.wait_for_function("window.echoloopReview.panels().length === 2")
    wait_ready(page)

    page.keyboard.press("u")
    wait_until(lambda: Consensus.objects.exists(), timeout=20, what="the consensus")
    settled = Consensus.objects.get()
    assert settled.rule == "union" and set(settled.sources.all()) == {a, b}
    consensus = settled.annotation
    assert consensus.annotator == people["lena"] and consensus.review_status == "accepted"
    got = sorted(
        (round(e.start_s - clip.start_s, 3), e.low_hz, e.tag_id) for e in consensus.events.all()
    )
    assert got == sorted(
        [
            (0.1, 41_000, tag.pk),
            (0.5, 40_000, tag.pk),
            (0.5, 40_000, other.pk),
            (0.8, 30_000, other.pk),
        ]
    )
    # Both answers are settled at once; the clip stays open with the consensus among its answers.
    page.wait_for_function(
        "window.echoloopReview.state().items.every((it) => it.status === 'settled')"
    )
    page.wait_for_selector(f'.el-review-answer[data-answer="{consensus.pk}"]')
    assert "consensus (union) by lena" in page.inner_text(".el-review-legend")
    assert page.console_errors == []
