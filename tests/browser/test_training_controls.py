"""Training controls in Chromium: a lead starts, follows and cancels a training on the dashboard;
the annotation page filters the model's predictions at the version's calibrated threshold.

The phases are driven by updating the TrainingRun row, as a worker would: no worker runs here, and
the chain a start sends is caught (``sent``) so it reaches no broker.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from annotator import queue
from annotator.models import Clip
from models_app.models import ModelVersion, Prediction, TrainingRun
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/echoloop_training_controls.png"
THRESHOLD_SCREENSHOT = "/tmp/echoloop_annotate_threshold.png"
STATUS = "#training-status"
PHASE = "#training-progress .figure-text"


@pytest.fixture
def sent(monkeypatch):
    """The runs whose chain a start would send to the broker (nothing is sent)."""
    from sampling import loop

    runs: list[int] = []
    monkeypatch.setattr(loop, "_send", lambda run, signature: runs.append(run.pk))
    return runs


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def wait_for_text(page, selector: str, text: str, timeout: float = 15_000) -> None:
    """Wait until ``selector`` shows ``text`` (the page polls; it is never reloaded)."""
    page.wait_for_function(
        "([sel, text]) => { const el = document.querySelector(sel); return !!el && el.textContent.includes(text); }",
        arg=[selector, text],
        timeout=timeout,
    )


def move(run: TrainingRun, **fields) -> None:
    """What a worker writes as it goes: a heartbeat with every report."""
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now(), **fields)


def test_lead_starts_follows_and_cancels_a_training(
    project, cast, sent, live_server, browser_page, log_in
):
    page = browser_page
    log_in("lead", f"/projects/{project.pk}/dashboard/")
    wait_for_text(page, "#progress-idle", "No training or rescoring is running")
    page.evaluate("() => { window.notReloaded = true; }")

    page.click("#start-training")
    wait_for_text(page, "#training-message", "Training queued")
    run = TrainingRun.objects.get(project=project)
    assert (run.status, run.trigger, sent) == ("queued", "request", [run.pk])
    wait_for_text(page, PHASE, "Queued")
    assert "waiting for a training worker" in text_of(page, STATUS)
    assert page.locator("#start-training").is_disabled()
    assert page.locator("#cancel-training").is_enabled()

    move(
        run,
        status="running",
        started_at=timezone.now(),
        phase="preparing",
        phase_progress=0.5,
        phase_seconds={},
    )
    wait_for_text(page, PHASE, "Reading labels")
    move(run, phase="pretraining", phase_progress=0.4, eta_s=12, phase_seconds={"preparing": 3.2})
    wait_for_text(page, PHASE, "Pretraining on synthetic calls")
    assert "40 %" in text_of(page, PHASE) and "12 s left" in text_of(page, PHASE)
    assert page.locator("#training-progress progress").evaluate(
        "p => p.value / p.max"
    ) == pytest.approx(0.4)
    assert "heartbeat" in text_of(page, STATUS)

    move(
        run,
        phase="training",
        phase_progress=0.25,
        eta_s=95,
        epoch=3,
        n_epochs=12,
        attempt=2,
        phase_seconds={"preparing": 3.2, "pretraining": 61.0},
    )
    wait_for_text(page, PHASE, "Training")
    wait_for_text(page, STATUS, "epoch 3 / 12")
    assert "1 min 35 s left" in text_of(page, PHASE)
    assert "retry 2 of 2" in text_of(page, STATUS)
    move(run, phase="evaluating", phase_progress=0.5, eta_s=None, epoch=12)
    wait_for_text(page, PHASE, "Evaluating on the evaluation set")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.click("#cancel-training")
    wait_for_text(page, "#training-message", "Cancel requested")
    assert TrainingRun.objects.get(pk=run.pk).cancel_requested
    wait_for_text(page, "#cancel-training", "Cancelling")
    assert page.locator("#cancel-training").is_disabled()

    # the worker notices at its next report and stops (liveness.finish)
    move(
        run,
        status="cancelled",
        phase="done",
        eta_s=None,
        finished_at=timezone.now(),
        error="cancelled by a lead",
        phase_seconds={"preparing": 3.2, "pretraining": 61.0, "training": 140.5, "evaluating": 4.0},
    )
    wait_for_text(page, STATUS, "Cancelled")
    phases = text_of(page, "#training-phases")
    assert (
        "pretraining 1 min 1 s" in phases
        and "training 2 min 21 s" in phases
        and "evaluating 4 s" in phases
    )
    assert not page.locator("#cancel-training").is_visible()
    assert page.locator("#start-training").is_enabled()
    assert page.evaluate("() => window.notReloaded") is True
    assert page.console_errors == []


def test_a_failed_training_shows_its_error(project, cast, live_server, browser_page, log_in):
    TrainingRun.objects.create(
        project=project,
        status="failed",
        phase="done",
        attempt=2,
        finished_at=timezone.now(),
        phase_seconds={"preparing": 1.0, "training": 30.0},
        error="worker lost during training (no heartbeat for 90 s)",
    )
    page = browser_page
    log_in("lead", f"/projects/{project.pk}/dashboard/")
    wait_for_text(page, STATUS, "Failed: worker lost during training (no heartbeat for 90 s)")
    assert "training 30 s" in text_of(page, "#training-phases")
    assert page.console_errors == []


def test_start_while_a_training_runs_shows_the_servers_answer(
    project, cast, sent, live_server, browser_page, log_in
):
    page = browser_page
    log_in("lead", f"/projects/{project.pk}/dashboard/")
    wait_for_text(page, "#progress-idle", "No training or rescoring is running")
    # A training starts by itself (new labels) before the page's next refresh: the page still
    # offers "Start training" and the server refuses it.
    page.route("**/dashboard/model/", lambda route: route.abort())
    other = TrainingRun.objects.create(
        project=project, status="running", phase="training", heartbeat_at=timezone.now()
    )
    page.click("#start-training")
    wait_for_text(page, "#training-message", "Not started:")
    assert TrainingRun.objects.get() == other and sent == []
    page.unroute("**/dashboard/model/")
    wait_for_text(page, PHASE, "Training")


def test_non_lead_sees_the_training_but_no_controls(
    project, cast, live_server, browser_page, log_in
):
    TrainingRun.objects.create(
        project=project,
        status="running",
        phase="training",
        phase_progress=0.5,
        heartbeat_at=timezone.now(),
        epoch=2,
        n_epochs=4,
    )
    page = browser_page
    for who in ("ann1", "viewer"):
        page.context.clear_cookies()
        log_in(who, f"/projects/{project.pk}/dashboard/")
        wait_for_text(page, PHASE, "Training")
        assert page.locator("#cancel-training").count() == 0
        assert page.locator("#start-training").count() == 0
    assert page.console_errors == []


# --- the annotation page: predictions at the version's calibrated threshold --------------------


@pytest.fixture
def predicted(settings, tmp_path, project, cast):
    """One queued clip of a real recording, and the active version's prediction on it: two boxes
    scoring 0.6 and 0.8 from a version whose served threshold is 0.7."""
    settings.MEDIA_ROOT = tmp_path / "media"
    f.import_whombat(project)
    clip = (
        Clip.objects.filter(project=project, recording__name__contains="castanea")
        .order_by("start_s")
        .first()
    )
    queue.enqueue(project, [clip])
    version = ModelVersion.objects.create(
        project=project,
        number=1,
        n_labels=40,
        is_active=True,
        threshold=0.7,
        class_names=["Carollia castanea"],
    )
    t = clip.start_s
    boxes = [(0.1, 0.6), (0.3, 0.8)]
    Prediction.objects.create(
        clip=clip,
        version=version,
        detections=[
            {
                "start_s": t + start,
                "end_s": t + start + 0.05,
                "low_hz": 40_000,
                "high_hz": 80_000,
                "label": "Carollia castanea",
                "score": score,
            }
            for start, score in boxes
        ],
    )
    return clip


def test_annotation_page_starts_at_the_versions_threshold(
    predicted, cast, live_server, browser_page, log_in
):
    page = browser_page
    log_in("ann1", f"/projects/{predicted.project_id}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    page.wait_for_function("() => window.echoloop.predictions().shown.length > 0", timeout=15_000)
    drawn = page.evaluate("window.echoloop.predictions()")
    assert drawn["threshold"] == pytest.approx(0.7)
    assert [p["score"] for p in drawn["shown"]] == [0.8]
    assert page.locator(".el-threshold").input_value() == "0.7"
    assert "model's calibrated threshold" in text_of(page, ".el-threshold-text")
    assert "v1: 1/2" in text_of(page, ".el-pred-info")
    page.screenshot(path=THRESHOLD_SCREENSHOT)

    # the annotator lowers it: both boxes, and it is theirs now
    page.locator(".el-threshold").evaluate(
        "el => { el.value = '0.55'; el.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_function("() => window.echoloop.predictions().shown.length === 2")
    assert "0.55 (yours)" in text_of(page, ".el-threshold-text")
    assert page.console_errors == []
