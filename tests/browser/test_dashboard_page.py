"""The dashboard page in Chromium: charts load with a size, numbers match, progress refreshes live."""

import numpy as np
import pytest
from django.utils import timezone

from models_app import poolscores
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun, VersionEvaluation
from tests import factories as f
from tests.dashboard_data import labelling_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/echoloop_dashboard.png"
ALL_OBJECTS_LOADED = """() => [...document.querySelectorAll('object.chart-object')].every(
    o => o.contentDocument && o.contentDocument.querySelector('svg'))"""


@pytest.fixture
def world(project, cast):
    """The labelling world, three versions scored on one evaluation set (30 clips, 75 calls), a
    training at epoch 3 of 12, a rescoring at 7 of 20 clips, and a sampling round."""
    from tests.sampling.test_dashboard import make_round

    labelling_world(project, cast)
    for number, labels, det_ap, map_ in (
        (1, 40, 0.31, 0.22),
        (2, 120, 0.55, 0.41),
        (3, 200, 0.72, 0.6),
    ):
        version = ModelVersion.objects.create(
            project=project,
            number=number,
            n_labels=labels,
            is_active=number == 3,
            metrics={
                "det_ap": det_ap,
                "map": map_,
                "validation": "audit",
                "n_val": 30,
                "class_ap": {"Myotis myotis": 0.81, "Nyctalus noctula": 0.64, "Rare bat": None},
            },
        )
        VersionEvaluation.objects.create(
            version=version,
            eval_key="set-1",
            n_clips=30,
            n_events=75,
            metrics={
                "det_ap": det_ap,
                "map": map_,
                "f1": det_ap - 0.05,
                "ci": {
                    "det_ap": [det_ap - 0.1, det_ap + 0.1],
                    "f1": [det_ap - 0.15, det_ap + 0.05],
                },
            },
        )
    run = TrainingRun.objects.create(
        project=project,
        status="running",
        phase="training",
        phase_progress=0.25,
        epoch=3,
        n_epochs=12,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    job = RescoreJob.objects.create(version=version, n_chunks=4, n_clips=20)
    scored = [f.make_clip(project) for _ in range(7)]  # 7 of the job's 20 clips: one chunk stored
    Prediction.objects.bulk_create(Prediction(clip=clip, version=version) for clip in scored)
    poolscores.chunk_row(
        version, [c.pk for c in scored], np.full((7, 1), 0.5), [np.zeros(1)] * 7, None
    ).save()
    make_round(
        project,
        1,
        ["typical: cluster 0 of 2 (5 clips)", "fill: random", "audit"],
        [0, 0, 0],
        cold=True,
    )
    make_round(
        project,
        2,
        ["uncertain: entropy 0.9", "uncertain: entropy 0.7", "audit"],
        [0.9, 0.7, 0],
        version=version,
        done=1,
    )
    return {"run": run, "job": job}


def size(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return (box["width"], box["height"]) if box else (0, 0)


def test_lead_sees_charts_numbers_and_live_progress(
    world, project, live_server, browser_page, log_in
):
    page = browser_page
    log_in("lead", f"/projects/{project.pk}/dashboard/")
    assert page.url.endswith(f"/projects/{project.pk}/dashboard/")

    # labelling charts are inline SVG, model and sampling charts load by URL into <object>s
    for name in ("labels_over_time", "throughput", "species", "queue"):
        svg = page.locator(f"#fig-{name} svg").first
        assert svg.is_visible() and min(size(svg)) > 50, name
    page.wait_for_function(ALL_OBJECTS_LOADED, timeout=15_000)
    for name in ("learning_curve", "class_ap", "rounds"):
        obj = page.locator(f"#fig-{name} object")
        assert obj.is_visible() and min(size(obj)) > 50, name
        marks = obj.evaluate("o => o.contentDocument.querySelectorAll('.mark').length")
        assert marks > 0, name

    # numbers beside the charts match the fixture
    assert page.locator("[data-total=events]").inner_text() == "12"
    assert page.locator('[data-species="Myotis myotis"]').inner_text() == "6"
    assert (
        page.locator(
            "#fig-throughput [data-annotator=ann1] [data-field=clips_per_hour]"
        ).inner_text()
        == "90.0"
    )
    assert page.locator("[data-queue=submitted]").inner_text() == "8"  # 7 labelled + 1 of round 2
    page.wait_for_selector("#versions-table >> text=v3 (active)")
    assert "0.720 (0.62–0.82)" in page.locator("#versions-table").inner_text()
    assert (
        "0.670 (0.57–0.77)" in page.locator("#versions-table").inner_text()
    )  # F1 and its interval
    assert (
        page.locator("#eval-set").inner_text()
        == "Evaluation set: 30 clips, 75 calls; 95 % intervals."
    )
    assert "0.810" in page.locator("#class-ap-table").inner_text()
    page.wait_for_selector("#rounds-table >> text=uncertain 2")

    # progress of the running training and rescoring, refreshed without a reload
    training = page.locator("#training-progress .figure-text")
    page.wait_for_function(
        "() => document.querySelector('#training-status').textContent.includes('epoch 3 / 12')",
        timeout=10_000,
    )
    assert training.inner_text().startswith("Training · 25 %")
    assert "7 / 20" in page.locator("#rescore-progress .figure-text").inner_text()
    page.evaluate("() => { window.notReloaded = true; }")
    page.screenshot(path=SCREENSHOT, full_page=True)

    TrainingRun.objects.filter(pk=world["run"].pk).update(epoch=9, phase_progress=0.75)
    page.wait_for_function(
        "() => document.querySelector('#training-status').textContent.includes('epoch 9 / 12')",
        timeout=15_000,
    )
    assert page.evaluate("() => window.notReloaded") is True
    assert page.locator("#training-progress progress").evaluate(
        "p => p.value / p.max"
    ) == pytest.approx(0.75)

    TrainingRun.objects.filter(pk=world["run"].pk).update(
        status="succeeded", epoch=12, phase="done", finished_at=timezone.now()
    )
    RescoreJob.objects.filter(pk=world["job"].pk).update(status="done")
    page.wait_for_selector(
        "#progress-idle >> text=No training or rescoring is running", timeout=15_000
    )
    assert not training.is_visible() and not page.locator("#rescore-progress").is_visible()
    assert "Finished: the new version is active" in page.locator("#training-status").inner_text()
    assert page.evaluate("() => window.notReloaded") is True
    assert page.console_errors == []


def test_viewer_sees_the_dashboard_link_and_page(world, project, live_server, browser_page, log_in):
    page = browser_page
    log_in("viewer", f"/projects/{project.pk}/")
    page.click("nav >> text=Dashboard")
    page.wait_for_url(f"**/projects/{project.pk}/dashboard/")
    assert page.locator("[data-total=labelled_clips]").inner_text() == "9"
    page.wait_for_function(ALL_OBJECTS_LOADED, timeout=15_000)
    assert page.console_errors == []
