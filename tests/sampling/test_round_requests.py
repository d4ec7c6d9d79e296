"""A lead's round request is queued once: an identical request still pending is answered with
the pending one; requests pending past their bound are failed by the beat with the reason, and
finished ones are deleted after some days."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from sampling import loop, rounds
from sampling.models import RoundRequest, SamplingRound
from tests import factories as f
from tests.sampling.test_rounds import pool_project  # noqa: F401 (fixture)


def _post(api, lead, project, **body):
    return api(lead).post(f"/api/projects/{project.pk}/sampling-rounds/", body, format="json")


def _age(req, seconds: float) -> None:
    RoundRequest.objects.filter(pk=req.pk).update(
        created_at=timezone.now() - timezone.timedelta(seconds=seconds)
    )


def test_a_second_identical_request_returns_the_pending_one(project, cast, api):
    first = _post(api, cast["lead"], project, batch_size=3)
    again = _post(api, cast["lead"], project, batch_size=3)
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"] and again["Location"] == first["Location"]
    other = _post(api, cast["lead"], project, batch_size=4)  # another round: queued on its own
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]
    assert RoundRequest.objects.filter(project=project).count() == 2


def test_a_finished_request_does_not_hold_back_the_next(project, cast, api):
    first = _post(api, cast["lead"], project, batch_size=3).json()
    RoundRequest.objects.filter(pk=first["id"]).update(status="done", finished_at=timezone.now())
    second = _post(api, cast["lead"], project, batch_size=3)
    assert second.status_code == 202 and second.json()["id"] != first["id"]


def test_the_beat_fails_requests_pending_past_their_bound(project, settings):
    settings.ECHOLOOP_ROUND_SECONDS = 60  # expiry: 4 x 60 s
    stuck_queued, _ = rounds.request_round(project, k=3)
    stuck_running, _ = rounds.request_round(project, k=4)
    RoundRequest.objects.filter(pk=stuck_running.pk).update(status="running")
    fresh, _ = rounds.request_round(project, k=5)
    _age(stuck_queued, 241)
    _age(stuck_running, 300)
    _age(fresh, 200)
    assert loop.tend()["expired_round_requests"] == 2
    for req in (stuck_queued, stuck_running):
        req.refresh_from_db()
        assert req.status == "failed" and req.finished_at is not None
        assert "not finished 240 s after it was asked for" in req.error
    fresh.refresh_from_db()
    assert fresh.status == "queued" and not fresh.error
    again, created = rounds.request_round(project, k=3)  # the expired one is not pending any more
    assert created and again.pk != stuck_queued.pk


def test_an_expired_request_delivered_late_never_runs(pool_project, settings):  # noqa: F811
    settings.ECHOLOOP_ROUND_SECONDS = 60
    req, _ = rounds.request_round(pool_project, k=3)
    _age(req, 1000)
    rounds.expire_requests()
    assert rounds.run_request(req) is None
    assert not SamplingRound.objects.filter(project=pool_project).exists()


def test_old_finished_requests_are_pruned_and_their_rounds_stay(pool_project, settings):  # noqa: F811
    settings.ECHOLOOP_ROUND_REQUEST_DAYS = 30
    old, _ = rounds.request_round(pool_project, k=3)
    old = rounds.run_request(old)
    assert old.status == "done" and old.round_id
    recent, _ = rounds.request_round(pool_project, k=2)
    recent = rounds.run_request(recent)
    failed_unsent = RoundRequest.objects.create(project=pool_project, status="failed")
    pending = RoundRequest.objects.create(project=pool_project, batch_size=9)
    month_ago = timezone.now() - timezone.timedelta(days=31)
    RoundRequest.objects.filter(pk=old.pk).update(finished_at=month_ago)
    RoundRequest.objects.filter(pk__in=[failed_unsent.pk, pending.pk]).update(created_at=month_ago)
    assert rounds.prune_requests() == 2
    assert set(RoundRequest.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert SamplingRound.objects.filter(pk=old.round_id).exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_requests_queue_one(settings):
    if connection.vendor != "postgresql":
        pytest.fail("run on PostgreSQL (DATABASE_URL): the race needs real row locks")
    project = f.make_project("two clicks")
    barrier, results = threading.Barrier(4), []

    def click():
        try:
            barrier.wait(timeout=10)
            results.append(rounds.request_round(project, k=3))
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 4 and sum(created for _, created in results) == 1
    assert len({req.pk for req, _ in results}) == 1
    assert RoundRequest.objects.filter(project=project).count() == 1
