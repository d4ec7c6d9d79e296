"""Sampling rounds on the dashboard: what each round chose and why, as JSON, CSV and a chart."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from annotator.models import AnnotationTask, TaskStatus
from models_app.models import ModelVersion
from sampling import dashboard
from sampling.models import SamplingPick, SamplingRound
from tests import factories as f

SVG = "{http://www.w3.org/2000/svg}"

ROUND_2_REASONS = [
    "uncertain: entropy 0.91",
    "uncertain: entropy 0.80",
    "stratum north; uncertain: entropy 0.50",
    "audit",
]


def make_round(project, number, reasons, scores, *, version=None, cold=False, done=0):
    rnd = SamplingRound.objects.create(
        project=project,
        number=number,
        model_version=version,
        strategy="coverage" if cold else "entropy",
        cold_start=cold,
        candidates=100 - 10 * number,
        batch_size=len(reasons),
    )
    for rank, (reason, score) in enumerate(zip(reasons, scores, strict=True), start=1):
        clip = f.make_clip(project)
        status = TaskStatus.SUBMITTED if rank <= done else TaskStatus.QUEUED
        task = AnnotationTask.objects.create(
            project=project,
            clip=clip,
            status=status,
            round_number=number,
            reason=reason,
            is_audit=reason == "audit",
        )
        SamplingPick.objects.create(
            round=rnd,
            clip=clip,
            task=task,
            rank=rank,
            score=score,
            reason=reason,
            is_audit=reason == "audit",
        )
    return rnd


@pytest.fixture
def rounds(project):
    v1 = ModelVersion.objects.create(project=project, number=1)
    first = make_round(
        project,
        1,
        ["typical: cluster 0 of 3 (5 clips)", "typical: cluster 1 of 3 (2 clips)", "fill: random"],
        [0.0, 0.0, 0.0],
        cold=True,
        done=3,
    )
    second = make_round(project, 2, ROUND_2_REASONS, [0.91, 0.8, 0.5, 0.0], version=v1, done=1)
    return first, second


def url(project, suffix=""):
    return f"/api/projects/{project.pk}/dashboard/rounds/{suffix}"


@pytest.mark.parametrize(
    "reason, category",
    [
        ("uncertain: entropy 0.91", "uncertain"),
        ("uncertain+diverse: margin 0.20, 1.50 from nearest", "uncertain+diverse"),
        ("stratum north|hour 3; diverse: 0.4 from nearest", "stratum"),
        ("typical: cluster 2 of 5 (40 clips)", "typical"),
        ("audit", "audit"),
        ("random", "random"),
        ("", "other"),
    ],
)
def test_reason_category(reason, category):
    assert dashboard.reason_category(reason) == category


def test_rounds_summarise_what_was_chosen_and_why(project, rounds):
    data = dashboard.rounds_dashboard(project)
    assert data["categories"] == ["audit", "fill", "stratum", "typical", "uncertain"]
    first, second = data["rounds"]
    assert (
        first["round"],
        first["cold_start"],
        first["model_version"],
        first["picks"],
        first["labelled"],
    ) == (1, True, None, 3, 3)
    assert first["reasons"] == {"typical": 2, "fill": 1}
    assert (second["strategy"], second["model_version"], second["candidates"]) == ("entropy", 1, 80)
    assert (second["picks"], second["audit"], second["labelled"]) == (4, 1, 1)
    assert second["reasons"] == {"uncertain": 2, "stratum": 1, "audit": 1}
    # scores of the audit pick (chosen at random) are left out of the score range
    assert (second["score_min"], second["score_median"], second["score_max"]) == (0.5, 0.8, 0.91)
    assert [p["reason"] for p in second["chosen"]] == ROUND_2_REASONS
    assert [p["task_status"] for p in second["chosen"]] == [
        "submitted",
        "queued",
        "queued",
        "queued",
    ]


def test_endpoint_json_and_csv_agree(project, cast, rounds, api):
    client = api(cast["viewer"])
    data = client.get(url(project)).json()
    table = list(
        csv.DictReader(
            io.StringIO(client.get(url(project, "?format=csv&table=rounds")).content.decode())
        )
    )
    assert [
        (int(r["round"]), r["strategy"], int(r["picks"]), int(r["audit"]), int(r["labelled"]))
        for r in table
    ] == [
        (r["round"], r["strategy"], r["picks"], r["audit"], r["labelled"]) for r in data["rounds"]
    ]
    for row, rnd in zip(table, data["rounds"], strict=True):
        assert {c: int(row[c]) for c in data["categories"]} == {
            c: rnd["reasons"].get(c, 0) for c in data["categories"]
        }
    picks = list(
        csv.DictReader(
            io.StringIO(client.get(url(project, "?format=csv&table=picks")).content.decode())
        )
    )
    assert [(int(p["round"]), int(p["rank"]), p["reason"]) for p in picks] == [
        (r["round"], p["rank"], p["reason"]) for r in data["rounds"] for p in r["chosen"]
    ]


def test_outsiders_get_404(project, cast, rounds, api):
    client = api(cast["outsider"])
    assert client.get(url(project)).status_code == 404
    assert client.get(f"/api/projects/{project.pk}/dashboard/charts/rounds.svg").status_code == 404


def test_rounds_chart_stacks_picks_by_reason(project, cast, rounds, api):
    response = api(cast["ann1"]).get(f"/api/projects/{project.pk}/dashboard/charts/rounds.svg")
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    marks = [el for el in root.iter() if el.get("class") == "mark"]
    assert len(marks) == 2 + 3  # round 1: typical, fill; round 2: uncertain, stratum, audit
    assert "round 2 · uncertain: 2" in [m.find(f"{SVG}title").text for m in marks]


def test_no_rounds_yet(project, cast, api):
    assert api(cast["lead"]).get(url(project)).json()["rounds"] == []
    body = (
        api(cast["lead"])
        .get(f"/api/projects/{project.pk}/dashboard/charts/rounds.svg")
        .content.decode()
    )
    assert "No sampling rounds yet" in body


def test_rounds_dashboard_and_chart_answer_with_more_than_999_picks(project, cast, api):
    """On SQLite the old prefetch's IN list of every pick's clip failed past ~1,000 picks (503)."""
    from annotator.models import Clip

    rec = f.make_recording(project, duration_s=2000.0)
    Clip.objects.bulk_create(
        Clip(project=project, recording=rec, start_s=i, end_s=i + 1) for i in range(1050)
    )
    clips = list(Clip.objects.filter(project=project).order_by("pk"))
    tasks = AnnotationTask.objects.bulk_create(
        AnnotationTask(project=project, clip=c, round_number=1 + i // 21)
        for i, c in enumerate(clips)
    )
    made = SamplingRound.objects.bulk_create(
        SamplingRound(project=project, number=n, strategy="entropy") for n in range(1, 51)
    )
    SamplingPick.objects.bulk_create(
        SamplingPick(
            round=made[i // 21],
            clip=c,
            task=t,
            rank=1 + i % 21,
            score=0.5,
            reason="uncertain: entropy 0.5",
        )
        for i, (c, t) in enumerate(zip(clips, tasks, strict=True))
    )
    response = api(cast["viewer"]).get(url(project))
    assert response.status_code == 200, response.content[:300]
    data = response.json()
    assert len(data["rounds"]) == 50 and sum(r["picks"] for r in data["rounds"]) == 1050
    assert data["rounds"][-1]["chosen"][-1]["clip"] == clips[-1].pk
    chart = api(cast["viewer"]).get(f"/api/projects/{project.pk}/dashboard/charts/rounds.svg")
    assert chart.status_code == 200 and b"round 50" in chart.content
