"""Liveness of trainings: one claim per run, heartbeats and phases, cancel, and the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone

from models_app import liveness
from models_app.models import TrainingRun

pytestmark = pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection


def queued(project) -> TrainingRun:
    return TrainingRun.objects.create(project=project, trigger="request")


def test_a_run_is_claimed_once(project):
    run = queued(project)
    assert liveness.claim(run, "w1@host:1")
    again = TrainingRun.objects.get(pk=run.pk)
    assert not liveness.claim(again, "w2@host:2")  # a second delivery finds it taken
    assert TrainingRun.objects.get(pk=run.pk).worker == "w1@host:1"


def test_phases_report_progress_eta_and_time_spent(project):
    run = queued(project)
    liveness.claim(run, "w@h:1")
    with liveness.RunMonitor(run, heartbeat_s=0.05) as monitor:
        monitor.phase(TrainingRun.Phase.TRAINING, n_epochs=10)
        monitor.progress(0.5, epoch=5)
        row = TrainingRun.objects.get(pk=run.pk)
        assert (row.phase, row.phase_progress, row.epoch, row.n_epochs) == ("training", 0.5, 5, 10)
        assert row.eta_s is not None and row.eta_s >= 0
    assert set(monitor.phase_seconds) == {"preparing", "training"}


def test_a_cancel_stops_the_run_at_its_next_report(project):
    run = queued(project)
    liveness.claim(run, "w@h:1")
    with liveness.RunMonitor(run, heartbeat_s=0.05) as monitor:
        liveness.request_cancel(TrainingRun.objects.get(pk=run.pk))
        with pytest.raises(liveness.Stopped) as stop:
            monitor.progress(0.2)
        assert stop.value.cancelled
    assert liveness.finish(run, TrainingRun.Status.CANCELLED, monitor, error=str(stop.value))
    row = TrainingRun.objects.get(pk=run.pk)
    assert (row.status, row.phase, row.error) == ("cancelled", "done", "cancelled by a lead")


def test_a_queued_run_is_cancelled_at_once_and_never_claimed(project):
    run = liveness.request_cancel(queued(project))
    assert run.status == "cancelled" and run.finished_at is not None
    assert not liveness.claim(run, "w@h:1")


def test_the_heartbeat_keeps_a_slow_phase_alive(project):
    from tests.services import wait_until

    run = queued(project)
    liveness.claim(run, "w@h:1")
    began = TrainingRun.objects.get(pk=run.pk).heartbeat_at
    with liveness.RunMonitor(run, heartbeat_s=0.05):
        # No progress report here: only the thread's beats can move the heartbeat.
        wait_until(
            lambda: TrainingRun.objects.get(pk=run.pk).heartbeat_at > began,
            timeout=10,
            what="the heartbeat thread to beat",
        )


def test_sweep_fails_runs_whose_heartbeat_stopped_and_spares_live_ones(project, monkeypatch):
    other = type(project).objects.create(name="other")
    dead, alive = queued(project), queued(other)
    liveness.claim(dead, "train@a:1")
    liveness.claim(alive, "train@b:2")
    old = timezone.now() - timedelta(seconds=liveness.STALE_AFTER_SECONDS + 5)
    TrainingRun.objects.filter(pk=dead.pk).update(heartbeat_at=old, phase="pretraining")
    swept = liveness.sweep()
    assert [r.pk for r in swept] == [dead.pk]
    dead.refresh_from_db()
    assert dead.status == "failed" and "worker lost during pretraining" in dead.error
    assert TrainingRun.objects.get(pk=alive.pk).status == "running"


def test_a_restarted_worker_gives_up_its_earlier_runs_at_once(project):
    run = queued(project)
    liveness.claim(run, "train@box:123")
    other = queued(type(project).objects.create(name="elsewhere"))
    liveness.claim(other, "train@box2:7")  # another machine's worker, alive
    assert [r.pk for r in liveness.sweep(restarted_worker="train@box")] == [run.pk]
    assert TrainingRun.objects.get(pk=other.pk).status == "running"
    assert "its worker restarted" in TrainingRun.objects.get(pk=run.pk).error


def test_a_swept_worker_that_was_only_slow_stops_and_leaves_the_outcome_alone(project):
    run = queued(project)
    liveness.claim(run, "train@slow:1")
    with liveness.RunMonitor(run, heartbeat_s=60) as monitor:
        TrainingRun.objects.filter(pk=run.pk).update(status="failed", error="swept")
        with pytest.raises(liveness.Stopped) as stop:
            monitor.progress(0.9)
        assert not stop.value.cancelled
    assert not liveness.finish(run, TrainingRun.Status.SUCCEEDED, monitor)
    assert TrainingRun.objects.get(pk=run.pk).status == "failed"
