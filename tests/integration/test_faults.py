"""Faults on real servers: a Celery worker killed whole mid-training, Redis restarted mid-run, and
PostgreSQL stopped while annotators submit.

Each test stops and restarts a private server (tests/services.py) rather than the machine's shared
PostgreSQL and Redis, which other test runs use at the same time; the servers are the same
programs, stopped the same way. Every wait is bounded and says what it was waiting for.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests
from celery import Celery
from django.conf import settings

from annotator.models import Clip
from models_app import registry
from models_app.calibration import Calibration
from models_app.models import ModelVersion, TrainingRun
from models_app.training import load_checkpoint, train
from sampling import loop
from tests import factories as f
from tests.services import ROOT, app_env, gunicorn, private_postgres, private_redis, wait_until
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

TINY = {
    "model": {
        "epochs": 2,
        "batch_size": 4,
        "n_freq_bins": 64,
        "num_threads": 1,
        "start_from": "scratch",
    }
}


def client_app(broker_url: str) -> Celery:
    """A producer of our own on the private broker (the project's app is bound to settings')."""
    # set_as_current=False: otherwise shared tasks (ping.delay() in later tests) would bind to
    # this app and its private Redis, which is stopped when the test ends.
    app = Celery("faults", broker=broker_url, backend=broker_url, set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    return app


def kill_whole_worker(worker: subprocess.Popen) -> None:
    """SIGKILL the worker's pool processes and the worker itself: nothing gets to clean up."""
    children = subprocess.run(
        ["pgrep", "-P", str(worker.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in [*map(int, children), worker.pid]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    worker.wait(timeout=10)


def weights_load(version: ModelVersion) -> bool:
    with version.weights.open("rb") as fh:
        return load_checkpoint(fh.read()) is not None


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "faults",
        sampling_params=TINY,
        retrain_every=0,
        audit_fraction=0.0,
        double_annotation_fraction=0.0,
        fmin_hz=10_000,
        fmax_hz=120_000,
    )
    f.import_whombat(project, annotate=("Desmodus", "castanea"), annotator=f.make_user("expert"))
    return project


def active_v1(project) -> ModelVersion:
    """A trained, active version (one epoch, in this process) for the run under test to replace."""
    labelled = registry.labelled_clips(project)
    names = sorted({b.label for lc in labelled for b in lc.example.events if b.label})
    cfg = registry.train_config(project, names, min(lc.example.samplerate for lc in labelled))
    cfg.epochs = 1
    result = train(cfg, [lc.example for lc in labelled])
    version = registry._store(project, result, cfg, {}, None, len(labelled), Calibration())
    registry.activate_version(version)
    return version


# --- a worker killed whole during a training -------------------------------------------------------


@pytest.mark.slow
def test_training_is_failed_and_retried_after_its_worker_is_killed_whole(bats):
    """The worker dies whole mid-training: its heartbeat stops, the beat's sweep fails the run
    within the stale bound and retries it once; the retry finishes on another worker."""
    # Epochs to spare after the first: the kill must land mid-run even when the machine is
    # quiet and an epoch of these few clips takes a fraction of a second.
    bats.sampling_params = {"model": {**TINY["model"], "epochs": 8}}
    bats.save()
    v1 = active_v1(bats)
    env = {
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "ECHOLOOP_HEARTBEAT_SECONDS": "1",
        "ECHOLOOP_STALE_AFTER_SECONDS": "4",
    }
    with private_redis() as broker:
        env["REDIS_URL"] = broker.url
        app = client_app(broker.url)
        with celery_worker(queues="train", env=env, name="doomed") as worker:
            run = registry.request_training(bats, trigger="request")
            app.send_task("models_app.tasks.train_model", args=[run.pk], queue="train")
            wait_until(
                lambda: TrainingRun.objects.filter(pk=run.pk, epoch__gte=1).exists(),
                timeout=240,
                what="the training to finish its first epoch",
            )
            kill_whole_worker(worker)
        killed_at = time.monotonic()
        run.refresh_from_db()
        assert run.status == TrainingRun.Status.RUNNING and run.phase == "training"
        # Meanwhile the active version is untouched and usable, and nothing half-made exists.
        assert ModelVersion.objects.get(project=bats, is_active=True) == v1 and weights_load(v1)
        assert ModelVersion.objects.filter(project=bats).count() == 1
        with celery_worker(queues="train,score", env=env, name="heir"):
            # The beat's round, sent as celery beat sends it every 30 s (to the heir's broker). The
            # heir's own start may sweep first: a train worker coming up fails every run whose
            # heartbeat is already stale. Either way the run is failed and retried once.
            def retried() -> bool:
                app.send_task("sampling.tasks.tend_loop", queue="score").get(timeout=60)
                return TrainingRun.objects.filter(retry_of=run).exists()

            wait_until(retried, timeout=60, what="the sweep to retry the run")
            found_after = time.monotonic() - killed_at
            run.refresh_from_db()
            assert run.status == "failed" and "worker lost during training" in run.error
            retry = TrainingRun.objects.get(retry_of=run)
            assert retry.attempt == 2 and retry.trigger == "retry"
            wait_until(
                lambda: TrainingRun.objects.get(pk=retry.pk).status in ("succeeded", "kept_old"),
                timeout=300,
                what=lambda: f"the retried training to finish ({_state(retry)})",
            )
    assert found_after < 4.0 + 30  # stale bound plus the beat's period
    retry.refresh_from_db()
    assert retry.result is not None and weights_load(retry.result)
    active = ModelVersion.objects.filter(project=bats, is_active=True)
    assert active.count() == 1 and weights_load(active.get())
    assert ModelVersion.objects.filter(project=bats).count() == 2  # v1 and the retry's
    assert registry.request_training(bats, trigger="request").status == "queued"  # not stuck


def _state(run: TrainingRun) -> str:
    run.refresh_from_db()
    return f"run {run.pk} {run.status} epoch {run.epoch} {run.error}"


# --- Redis restarted mid-run -----------------------------------------------------------------------


def test_tasks_complete_across_a_redis_restart(project, settings, tmp_path):
    """With Redis persistent as in docker/compose.yaml: a task queued before the restart, a task
    running during it, and a task sent during the outage (publish with retry) all complete."""
    settings.MEDIA_ROOT = tmp_path / "media"
    f.import_whombat(project)
    clip_ids = list(Clip.objects.for_project(project).values_list("pk", flat=True)[:6])
    views = settings.MEDIA_ROOT / "views"
    with private_redis(appendonly=True) as broker:
        app = client_app(broker.url)
        queued = app.send_task("echoloop.ping", queue="celery")
        broker.stop()
        broker.start()  # no worker has taken it yet: it lives in the append-only file
        env = {"REDIS_URL": broker.url, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
        with celery_worker(queues="celery,render", env=env, name="redis-restart"):
            assert queued.get(timeout=60) == "pong"
            running = app.send_task(
                "annotator.tasks.render_clip_views", args=[clip_ids], queue="render"
            )
            wait_until(
                lambda: views.exists() and any(views.rglob("*.png")),
                timeout=120,
                what="the render task to start drawing",
            )
            broker.stop()
            sent_during = {}
            sender = threading.Thread(
                target=lambda: sent_during.update(
                    result=app.send_task(
                        "echoloop.ping",
                        queue="celery",
                        retry=True,
                        retry_policy={
                            "max_retries": 60,
                            "interval_start": 0.5,
                            "interval_step": 0.5,
                            "interval_max": 1,
                        },
                    )
                )
            )
            sender.start()
            time.sleep(3)  # the outage itself: Redis stays down this long, then comes back
            broker.start()
            sender.join(timeout=60)
            assert "result" in sent_during, "publishing with retry did not get through"
            # Results as the worker stored them, read through a client connected after the
            # restart (this test's own result subscriptions died with the old server).
            results = client_app(broker.url)
            assert results.AsyncResult(sent_during["result"].id).get(timeout=90) == "pong"
            assert results.AsyncResult(running.id).get(timeout=120) == len(clip_ids)
    assert len(list(views.rglob("*.png"))) == 2 * len(clip_ids)  # spectrogram and scalogram each


def test_a_retrain_asked_for_while_redis_is_down_leaves_no_queued_run(project, monkeypatch):
    from kombu.exceptions import OperationalError

    class Unreachable:  # what publishing does while Redis is down, once kombu's retries give up
        def apply_async(self, *args, **kwargs):
            raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(loop, "chain", lambda *steps: Unreachable())
    with pytest.raises(OperationalError):
        loop.start(project, trigger="request")
    assert not TrainingRun.objects.filter(project=project, status="queued").exists()
    assert "task queue" in TrainingRun.objects.get(project=project).error


# --- PostgreSQL stopped while annotators work -----------------------------------------------------


def run_django(env: dict, code: str, *args: str) -> str:
    script = f"import django, json, sys\ndjango.setup()\nfrom benchmarks import load\n{code}"
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_requests_fail_cleanly_while_the_database_is_down(tmp_path):
    from benchmarks import load

    with private_postgres() as pg:
        env = app_env(
            DATABASE_URL=pg.create_database("echoloop"),
            MEDIA_ROOT=str(tmp_path / "media"),
            ECHOLOOP_DATA_DIR=str(tmp_path / "data"),
            DJANGO_SETTINGS_MODULE="echoloop.settings",
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=180,
        )
        load.make_audio(tmp_path / "audio", recordings=2, seconds=8.0)
        seed = (
            "from pathlib import Path\nplan = load.seed(Path(sys.argv[1]), annotators=4, label='x')"
        )
        plan = json.loads(
            run_django(env, seed + "\nprint(json.dumps(plan))", str(tmp_path / "audio"))
        )
        outage = {}

        def stop_for_a_while() -> None:
            # The fault's schedule, not a wait for a condition: let the load run 3 s, then keep
            # PostgreSQL down for 4 s in the middle of it.
            time.sleep(3)
            outage["start"] = time.monotonic()
            try:
                pg.stop()

                def health_says_down() -> bool:
                    outage["health"] = requests.get(f"{base}/healthz", timeout=10).status_code
                    return outage["health"] == 503

                wait_until(health_says_down, timeout=10, what="/healthz to report the outage")
                # The rest of the fault's 4 s schedule, so the load keeps meeting the outage.
                time.sleep(max(0.0, outage["start"] + 4 - time.monotonic()))
            finally:
                pg.start()  # even if the stop failed halfway; start() waits until it answers
                outage["end"] = time.monotonic()

        with gunicorn(env, log_path=tmp_path / "gunicorn.log", extra=["--workers", "2"]) as base:
            fault = threading.Thread(target=stop_for_a_while)
            fault.start()
            result = load.run_load(base, plan, annotators=4, seconds=14)
            fault.join(timeout=60)
            token = next(iter(plan["tokens"].values()))
            after = requests.get(
                f"{base}/api/projects/", headers={"Authorization": f"Token {token}"}, timeout=10
            )
        load.save_run(tmp_path / "run.json", plan, result)
        problems = json.loads(
            run_django(
                env,
                "plan, result = load.load_run(sys.argv[1])\n"
                "print(json.dumps(load.verify(plan, result, strict=False)))",
                str(tmp_path / "run.json"),
            )
        )
    statuses = {call[1] for call in result.calls}
    assert "end" in outage, "the database was not restarted"
    assert 503 in statuses, f"no request met the outage: {statuses}"
    for error in result.errors:  # every failure is a short JSON answer, never a traceback page
        assert ": 503 " in error and '"detail"' in error and "Traceback" not in error, error
    assert problems == []  # nothing half-written: each annotation whole with its task completed
    assert after.status_code == 200, "the service did not recover"
    assert outage.get("health") == 503, "the health check did not report the database outage"
    done_after = [s for s in result.submits if s.status == 200]
    assert done_after, "no submission succeeded"
