"""A lead's round is chosen by a real worker through the real broker, never in the web request."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from annotator import ingest
from annotator.models import Role
from sampling.models import RoundRequest, SamplingRound
from tests import factories as f
from tests.services import wait_until
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_chooses_the_requested_round(tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    project = f.make_project(
        "rounds on a worker", batch_size=4, audit_fraction=0.0, double_annotation_fraction=0.0
    )
    lead = f.make_user("lead")
    f.add_member(project, lead, Role.LEAD)
    folder = tmp_path / "audio"
    folder.mkdir()
    f.write_tone(folder / "a.wav", samplerate=48_000, duration_s=60, seed=1)
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    client = APIClient()
    client.force_authenticate(lead)
    response = client.post(
        f"/api/projects/{project.pk}/sampling-rounds/", {"batch_size": 3}, format="json"
    )
    assert response.status_code == 202 and not SamplingRound.objects.exists()
    with celery_worker(name="rounds", queues="score"):
        wait_until(
            lambda: RoundRequest.objects.get(pk=response.json()["id"]).status in ("done", "failed"),
            timeout=120,
            what="the worker to choose the round",
        )
    done = client.get(response.json()["url"]).json()
    assert done["status"] == "done", done["error"]
    assert done["round"]["batch_size"] == 3 and len(done["round"]["picks"]) == 3


def test_a_repeated_request_is_chosen_once_by_the_worker(tmp_path):
    """Two "start a round" clicks before any worker runs: one request, one message, one round."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    project = f.make_project(
        "clicked twice", batch_size=4, audit_fraction=0.0, double_annotation_fraction=0.0
    )
    lead = f.make_user("lead")
    f.add_member(project, lead, Role.LEAD)
    folder = tmp_path / "audio"
    folder.mkdir()
    f.write_tone(folder / "a.wav", samplerate=48_000, duration_s=60, seed=2)
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    client = APIClient()
    client.force_authenticate(lead)
    url = f"/api/projects/{project.pk}/sampling-rounds/"
    first = client.post(url, {"batch_size": 3}, format="json")
    second = client.post(url, {"batch_size": 3}, format="json")
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    with celery_worker(name="rounds-once", queues="score"):
        wait_until(
            lambda: RoundRequest.objects.get(pk=first.json()["id"]).status in ("done", "failed"),
            timeout=120,
            what="the worker to choose the round",
        )
    done = client.get(first.json()["url"]).json()
    assert done["status"] == "done", done["error"]
    # The lead's rounds (the import's own low-water refill may add a round of its own).
    assert SamplingRound.objects.filter(project=project, created_by=lead).count() == 1
    assert RoundRequest.objects.filter(project=project).count() == 1
