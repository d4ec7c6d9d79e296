"""GET /api/model-versions/{id}/predictions/export/: the detections the page shows, as a file."""

import csv
import io

import pytest

from models_app.models import ModelVersion, Prediction
from tests import factories as f


@pytest.fixture
def version(project):
    clip = f.make_clip(project, start_s=0.0, end_s=1.0)
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=["Myotis"], threshold=0.6, is_active=True
    )
    detections = [
        {
            "start_s": 0.1,
            "end_s": 0.12,
            "low_hz": 30_000,
            "high_hz": 60_000,
            "label": "Myotis",
            "score": 0.7,
        },
        {
            "start_s": 0.5,
            "end_s": 0.52,
            "low_hz": 30_000,
            "high_hz": 60_000,
            "label": "Myotis",
            "score": 0.5,
        },
    ]
    Prediction.objects.create(clip=clip, version=version, class_probs=[0.7], detections=detections)
    return version


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_export_uses_the_versions_threshold_by_default(version, cast, api):
    response = api(cast["ann1"]).get(
        f"/api/model-versions/{version.pk}/predictions/export/?format=csv"
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert [(float(r["start_s"]), float(r["confidence"])) for r in rows(response)] == [(0.1, 0.7)]


def test_export_at_another_threshold_and_in_raven(version, cast, api):
    both = api(cast["ann1"]).get(
        f"/api/model-versions/{version.pk}/predictions/export/?format=csv&threshold=0.4"
    )
    assert len(rows(both)) == 2
    raven = api(cast["ann1"]).get(
        f"/api/model-versions/{version.pk}/predictions/export/?format=raven"
    )
    assert (
        raven.status_code == 200 and raven.content.decode().count("\n") == 2
    )  # header + one selection


@pytest.mark.parametrize(
    "query", ["format=xls", "format=csv&threshold=2", "format=csv&threshold=abc"]
)
def test_bad_export_requests_are_refused_clearly(version, cast, api, query):
    response = api(cast["ann1"]).get(
        f"/api/model-versions/{version.pk}/predictions/export/?{query}"
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_outsiders_cannot_export(version, cast, api):
    response = api(cast["outsider"]).get(
        f"/api/model-versions/{version.pk}/predictions/export/?format=csv"
    )
    assert response.status_code == 404
