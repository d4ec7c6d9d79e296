"""Model figures of the dashboard: learning curve on the audit slice, per-class AP, live progress."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from models_app import dashboard
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun, VersionEvaluation
from tests import factories as f

SVG = "{http://www.w3.org/2000/svg}"


def audit(det_ap, map_, n_val=30, **extra):
    return {
        "det_ap": det_ap,
        "map": map_,
        "precision": 0.8,
        "recall": 0.6,
        "f1": 0.69,
        "validation": "audit",
        "n_val": n_val,
        **extra,
    }


@pytest.fixture
def versions(project):
    """Four trained versions (three validated on the audit slice, one on held-out recordings) and an
    imported one; v4 is active."""
    rows = [
        (1, 40, audit(0.31, 0.22)),
        (2, 80, {"det_ap": 0.5, "map": 0.4, "validation": "recordings", "n_val": 12}),
        (3, 120, audit(0.55, 0.41)),
        (
            4,
            200,
            audit(
                0.72,
                None,
                class_ap={"Myotis myotis": 0.81, "<b>Nyctalus</b>": 0.64, "Rare bat": None},
            ),
        ),
    ]
    made = [
        ModelVersion.objects.create(project=project, number=n, n_labels=labels, metrics=m)
        for n, labels, m in rows
    ]
    ModelVersion.objects.create(project=project, number=5, source="birdnet", metrics={})
    ModelVersion.objects.filter(pk=made[-1].pk).update(is_active=True)
    # v2 was scored only on an older evaluation set; v1, v3 and v4 on the current one.
    VersionEvaluation.objects.create(
        version=made[1], eval_key="old", n_clips=12, metrics=rows[1][2]
    )
    for version, (_n, _labels, metrics) in zip(made, rows):
        if version.number != 2:
            metrics = {
                **metrics,
                "ci": {"det_ap": [metrics["det_ap"] - 0.1, metrics["det_ap"] + 0.1]},
            }
            VersionEvaluation.objects.create(
                version=version, eval_key="now", n_clips=30, n_events=75, metrics=metrics
            )
    return made


@pytest.fixture
def running(project, versions):
    """A training at epoch 3 of 12 and a rescoring by v4 that has scored 7 of 20 clips."""
    run = TrainingRun.objects.create(
        project=project,
        status="running",
        epoch=3,
        n_epochs=12,
        n_labels=210,
        started_at=timezone.now(),
        history=[{"epoch": 3, "loss": 0.42}],
    )
    v4 = versions[-1]
    old = Prediction.objects.create(
        clip=f.make_clip(project), version=v4
    )  # scored by an earlier, killed job
    Prediction.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=1)
    )
    _chunk(v4, [old.clip_id], created_at=timezone.now() - timezone.timedelta(hours=1))
    job = RescoreJob.objects.create(version=v4, n_chunks=4, n_clips=20)
    made = Prediction.objects.bulk_create(
        Prediction(clip=f.make_clip(project), version=v4) for _ in range(7)
    )
    _chunk(
        v4, [p.clip_id for p in made[:4]]
    )  # as a rescore stores them: predictions and their chunk
    _chunk(v4, [p.clip_id for p in made[4:]])
    return run, job


def _chunk(version, clip_ids, created_at=None):
    import numpy as np

    from models_app import poolscores
    from models_app.models import ScoreChunk

    chunk = poolscores.chunk_row(
        version, clip_ids, np.zeros((len(clip_ids), 1)), [np.zeros(1)] * len(clip_ids), None
    )
    chunk.save()
    if created_at:
        ScoreChunk.objects.filter(pk=chunk.pk).update(created_at=created_at)


def url(project, suffix=""):
    return f"/api/projects/{project.pk}/dashboard/model/{suffix}"


def test_learning_curve_has_every_version_scored_on_the_newest_evaluation_set(project, versions):
    curve = dashboard.model_dashboard(project)["learning_curve"]
    assert [(p["version"], p["n_labels"], p["det_ap"], p["map"]) for p in curve["points"]] == [
        (1, 40, 0.31, 0.22),
        (3, 120, 0.55, 0.41),
        (4, 200, 0.72, None),
    ]
    assert (curve["eval_key"], curve["n_clips"], curve["n_events"]) == ("now", 30, 75)
    assert curve["points"][1]["ci"]["det_ap"] == [0.45, 0.65]
    assert curve["excluded"] == 1 and curve["validation"] == "evaluation set"


def test_learning_curve_follows_the_evaluation_set_a_later_training_scored(project, versions):
    for version in versions:
        VersionEvaluation.objects.create(
            version=version, eval_key="later", n_clips=40, metrics={"det_ap": 0.1 * version.number}
        )
    curve = dashboard.model_dashboard(project)["learning_curve"]
    assert curve["eval_key"] == "later" and curve["n_clips"] == 40 and curve["excluded"] == 0
    assert [p["det_ap"] for p in curve["points"]] == [0.1, 0.2, 0.3, 0.4]


def test_versions_table_lists_every_version_with_its_validation(project, versions):
    rows = dashboard.model_dashboard(project)["versions"]
    assert [(v["version"], v["validation"], v["is_active"]) for v in rows] == [
        (1, "audit", False),
        (2, "recordings", False),
        (3, "audit", False),
        (4, "audit", True),
        (5, "", False),
    ]
    assert rows[-1]["source"] == "birdnet" and rows[-1]["det_ap"] is None


def test_class_ap_of_the_active_version_best_first_unscored_last(project, versions):
    per_class = dashboard.model_dashboard(project)["class_ap"]
    assert per_class["version"] == 4 and per_class["validation"] == "audit"
    assert [(c["class"], c["ap"]) for c in per_class["classes"]] == [
        ("Myotis myotis", 0.81),
        ("<b>Nyctalus</b>", 0.64),
        ("Rare bat", None),
    ]


def test_no_training_or_rescoring_when_idle(project, versions):
    data = dashboard.model_dashboard(project)
    assert data["training"] is None and data["rescoring"] is None


def test_progress_of_a_running_training_and_rescoring(project, running):
    run, job = running
    data = dashboard.model_dashboard(project)
    assert data["training"]["id"] == run.pk
    assert (
        data["training"]["epoch"],
        data["training"]["n_epochs"],
        data["training"]["progress"],
    ) == (3, 12, 0.25)
    assert data["training"]["last_epoch"] == {"epoch": 3, "loss": 0.42}
    rescoring = data["rescoring"]
    assert rescoring["id"] == job.pk and rescoring["version"] == 4
    # the prediction made before this job started does not count towards it
    assert (rescoring["scored"], rescoring["n_clips"], rescoring["progress"]) == (7, 20, 0.35)


def test_finished_runs_are_not_progress(project, running):
    run, job = running
    TrainingRun.objects.filter(pk=run.pk).update(status="succeeded")
    RescoreJob.objects.filter(pk=job.pk).update(status="done")
    data = dashboard.model_dashboard(project)
    assert data["training"] is None and data["rescoring"] is None


def test_rescoring_never_reports_more_than_it_set_out_to_score(project, running):
    _run, job = running
    RescoreJob.objects.filter(pk=job.pk).update(n_clips=5)
    assert dashboard.rescore_progress(project)["scored"] == 5


def test_endpoint_json_and_csv_agree(project, cast, running, api):
    client = api(cast["viewer"])
    data = client.get(url(project)).json()
    assert data["training"]["epoch"] == 3 and data["rescoring"]["scored"] == 7

    curve = list(
        csv.DictReader(
            io.StringIO(
                client.get(url(project, "?format=csv&table=learning_curve")).content.decode()
            )
        )
    )
    assert [
        (int(r["version"]), int(r["n_labels"]), float(r["det_ap"]), r["map"]) for r in curve
    ] == [
        (p["version"], p["n_labels"], p["det_ap"], "" if p["map"] is None else str(p["map"]))
        for p in data["learning_curve"]["points"]
    ]
    classes = list(
        csv.DictReader(
            io.StringIO(client.get(url(project, "?format=csv&table=class_ap")).content.decode())
        )
    )
    assert [(r["class"], r["ap"]) for r in classes] == [
        (c["class"], "" if c["ap"] is None else str(c["ap"])) for c in data["class_ap"]["classes"]
    ]
    progress = list(
        csv.DictReader(
            io.StringIO(client.get(url(project, "?format=csv&table=progress")).content.decode())
        )
    )
    assert [(r["job"], r["done"], r["total"]) for r in progress] == [
        ("training", "3", "12"),
        ("rescoring", "7", "20"),
    ]
    versions = list(
        csv.DictReader(
            io.StringIO(client.get(url(project, "?format=csv&table=versions")).content.decode())
        )
    )
    assert [int(r["version"]) for r in versions] == [v["version"] for v in data["versions"]]


def test_outsiders_get_404(project, cast, versions, api):
    client = api(cast["outsider"])
    assert client.get(url(project)).status_code == 404
    for name in dashboard.CHARTS:
        assert (
            client.get(f"/api/projects/{project.pk}/dashboard/charts/{name}.svg").status_code == 404
        )


def test_learning_curve_chart_has_a_point_per_metric_value(project, cast, versions, api):
    response = api(cast["ann1"]).get(
        f"/api/projects/{project.pk}/dashboard/charts/learning_curve.svg"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    marks = [el for el in root.iter() if el.get("class") == "mark"]
    assert len(marks) == 3 + 3  # det_ap and f1 of v1, v3, v4 (no f1_iou in these metrics)
    assert (
        "v3: det_ap 0.550 (95 % CI 0.450–0.650) with 120 labels (evaluation set of 30 clips)"
        in [m.find(f"{SVG}title").text for m in marks]
    )


def test_class_ap_chart_escapes_class_names(project, cast, versions, api):
    body = (
        api(cast["ann1"])
        .get(f"/api/projects/{project.pk}/dashboard/charts/class_ap.svg")
        .content.decode()
    )
    root = ET.fromstring(body)
    assert "<b>" not in body and len([el for el in root.iter() if el.get("class") == "mark"]) == 2


def test_charts_without_versions_say_so(project, cast, api):
    for name, message in (
        ("learning_curve", "No version evaluated"),
        ("class_ap", "No active version"),
    ):
        body = (
            api(cast["lead"])
            .get(f"/api/projects/{project.pk}/dashboard/charts/{name}.svg")
            .content.decode()
        )
        ET.fromstring(body)
        assert message in body
