"""The model loop on a real Celery worker through Redis: train → rescore (chord) → sample."""

import os
import signal
import subprocess

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from annotator.models import AnnotationTask, Clip
from models_app import registry
from models_app.calibration import Calibration
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun
from models_app.tasks import rescore_pool
from sampling import loop
from sampling.models import SamplingRound
from tests import factories as f
from tests.services import wait_until
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TINY = {
    "model": {
        "epochs": 1,
        "batch_size": 4,
        "n_freq_bins": 64,
        "num_threads": 1,
        "pretrain_clips": 4,
        "pretrain_epochs": 1,
    }
}  # the synthetic start, shrunk


@pytest.fixture
def bats(settings, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "loop",
        sampling_params=TINY,
        batch_size=2,
        retrain_every=0,
        audit_fraction=0.0,
        double_annotation_fraction=0.0,
        fmin_hz=10_000,
        fmax_hz=120_000,
    )
    expert = f.make_user("expert")
    f.import_whombat(project, annotate=("Desmodus", "castanea"), annotator=expert)
    return project


def test_one_epoch_training_then_rescore_then_sample_on_a_real_worker(bats):
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with celery_worker(env=env, name="loop"):
        from django.db import transaction

        with transaction.atomic():
            run = loop.start(bats, trigger="request")
        wait_until(
            lambda: SamplingRound.objects.filter(
                project=bats, trigger__startswith="after training"
            ).exists(),
            timeout=600,
            what=lambda: f"the loop to queue a sampling round ({_state(run)})",
        )
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.epoch == 1 and run.n_labels == 4 and run.history
    assert "pretraining on 4 synthetic clips" in run.log  # the first training's starting point
    assert list((settings.MEDIA_ROOT / "starts").glob("synthetic-*.pt")), "the start was not stored"
    version = ModelVersion.objects.get(project=bats, is_active=True)
    assert version.class_names == ["Carollia castanea", "Desmodus rotundus"]
    assert version.metrics["validation"] in ("recordings", "none")
    # Every clip is scored, labelled ones too (their embeddings keep the hybrid away from them).
    every = set(Clip.objects.for_project(bats).values_list("pk", flat=True))
    assert (
        set(Prediction.objects.filter(version=version).values_list("clip_id", flat=True)) == every
    )
    assert RescoreJob.objects.get(version=version).status == "done"
    rnd = SamplingRound.objects.get(project=bats, trigger__startswith="after training")
    assert rnd.model_version == version and rnd.params["low_water"]["mark"] >= 2
    assert AnnotationTask.objects.filter(round_number=rnd.number).count() == rnd.batch_size >= 2


def _state(run):
    run.refresh_from_db()
    return f"run {run.status} {run.error} {run.log}"


def test_rescore_survives_a_worker_process_killed_mid_chunk(bats, monkeypatch):
    """The pool child dies during a chunk: the chunk is redelivered, nothing is scored twice."""
    from models_app import tasks

    project = bats
    for i in range(40):  # more pool: clips of the unlabelled recording at several offsets
        rec = Clip.objects.for_project(project).unlabeled().first().recording
        Clip.objects.get_or_create(
            project=project,
            recording=rec,
            start_s=round(0.01 * (i + 1), 3),
            end_s=round(0.01 * (i + 1) + 0.5, 3),
        )
    labelled = registry.labelled_clips(project)
    cfg = registry.train_config(project, ["Carollia castanea", "Desmodus rotundus"], 375_000)
    from models_app.training import train

    result = train(cfg, [lc.example for lc in labelled])
    version = registry._store(project, result, cfg, {}, None, len(labelled), Calibration())
    registry.activate_version(version)
    monkeypatch.setattr(tasks, "CHUNK_SIZE", 6)
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "ECHOLOOP_SCORE_CHUNK_SIZE": "6"}
    with celery_worker(env=env, name="kill", queues="score,celery") as worker:
        result = rescore_pool.delay(project.pk)
        wait_until(
            lambda: Prediction.objects.filter(version=version).exists(),
            timeout=300,
            what="the first chunk's predictions",
        )
        children = subprocess.run(
            ["pgrep", "-P", str(worker.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children, "the prefork pool has a child process"
        os.kill(int(children[0]), signal.SIGKILL)
        pending = Clip.objects.for_project(project).count()
        wait_until(
            lambda: Prediction.objects.filter(version=version).count() == pending,
            timeout=600,
            what="every clip to be scored after the kill",
        )
        wait_until(
            lambda: RescoreJob.objects.filter(version=version, status="done").exists(),
            timeout=120,
            what="the rescore job to finish",
        )
        result.forget()
    counts = list(Prediction.objects.filter(version=version).values_list("clip_id", flat=True))
    assert len(counts) == len(set(counts)) == pending


def test_failed_training_keeps_the_active_version(bats, monkeypatch):
    old = ModelVersion.objects.create(
        project=bats, number=1, is_active=True, class_names=["x"], source="birdnet"
    )
    run = registry.request_training(bats, trigger="request")

    def boom(*args, **kwargs):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(registry, "train", boom)
    run = registry.run_training(run, worker="test@here:1")
    assert run.status == TrainingRun.Status.FAILED and "out of memory" in run.error
    assert ModelVersion.objects.get(project=bats, is_active=True) == old
    assert registry.request_training(bats, trigger="request").status == "queued"  # not stuck


def test_second_training_while_one_runs_is_refused(bats):
    registry.request_training(bats, trigger="request")
    with pytest.raises(registry.TrainingBusy):
        registry.request_training(bats, trigger="labels")


def test_the_queue_is_refilled_by_a_real_worker_while_a_training_runs(bats):
    """A long training holds the train worker; the score worker refills the queue meanwhile."""
    from annotator import queue

    # Far more epochs than the test lasts: the lead's cancel is what ends this training.
    bats.sampling_params = {"model": {**TINY["model"], "epochs": 100_000, "start_from": "scratch"}}
    bats.batch_size, bats.low_water_minutes = 3, 0
    bats.save()
    rec = Clip.objects.for_project(bats).unlabeled().first().recording
    for i in range(30):  # a pool larger than a few batches: clips of the unlabelled recording
        Clip.objects.get_or_create(
            project=bats,
            recording=rec,
            start_s=round(0.02 * (i + 1), 3),
            end_s=round(0.02 * (i + 1) + 0.5, 3),
        )
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "ECHOLOOP_HEARTBEAT_SECONDS": "1"}
    with (
        celery_worker(env=env, name="trainer", queues="train"),
        celery_worker(env=env, name="sampler", queues="score,celery,render"),
    ):
        run = loop.start(bats, trigger="request")
        wait_until(
            lambda: TrainingRun.objects.filter(pk=run.pk, phase="training", epoch__gte=1).exists(),
            timeout=300,
            what=lambda: f"the training to be under way ({_state(run)})",
        )
        annotator = f.make_user("busy")
        f.add_member(bats, annotator)
        rounds_before = SamplingRound.objects.filter(project=bats).count()
        claimed = queue.claim_next(bats, annotator) or _first_refill(bats, annotator)
        cache.delete(loop.refill_lock(bats))  # the import's refill was moments ago: past its burst
        queue.submit(claimed, annotator, queue.Submission(no_calls=True))
        wait_until(
            lambda: (
                SamplingRound.objects.filter(project=bats).count() > rounds_before
                and queue.open_tasks(bats) >= bats.batch_size
            ),
            timeout=120,
            what="a refill while the training runs",
        )
        assert TrainingRun.objects.get(pk=run.pk).status == "running"  # still training
        rnd = SamplingRound.objects.filter(project=bats).order_by("-number").first()
        assert rnd.trigger in ("low water", "new recordings", "beat")
        loop.liveness.request_cancel(run)
        wait_until(
            lambda: TrainingRun.objects.get(pk=run.pk).status == "cancelled",
            timeout=60,
            what="the cancel to stop the training",
        )


def _first_refill(project, user):
    """The import's own refill may not have landed yet: wait for a task to claim."""
    from annotator import queue

    box = []
    wait_until(
        lambda: box.append(queue.claim_next(project, user)) or box[-1] is not None,
        timeout=120,
        what="a task in the queue after the import",
    )
    return box[-1]


def test_a_training_longer_than_the_visibility_timeout_continues_its_chain_once(bats):
    """Redis redelivers unacknowledged messages after the visibility timeout (2 s here); the
    training is acknowledged when it starts, so it runs once and its rescore and sampling once."""
    bats.sampling_params = {"model": {**TINY["model"], "epochs": 200, "start_from": "scratch"}}
    bats.save()
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "ECHOLOOP_BROKER_VISIBILITY_TIMEOUT": "2"}
    with celery_worker(env=env, name="slow", queues="train,score,celery,render", concurrency=2):
        run = loop.start(bats, trigger="request")
        wait_until(
            lambda: SamplingRound.objects.filter(
                project=bats, trigger=f"after training {run.pk}"
            ).exists(),
            timeout=600,
            what=lambda: f"the chain to finish ({_state(run)})",
        )
        run.refresh_from_db()
        took = (run.finished_at - run.started_at).total_seconds()
        assert took > 6, (
            f"the training must outlast the visibility timeout several times ({took:.1f} s)"
        )
        # Nothing is left that the broker could deliver again: no unacknowledged message (the
        # training was acknowledged when it started) and nothing waiting in a queue.
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        wait_until(
            lambda: (
                broker.hlen("unacked") == 0
                and not any(broker.llen(q) for q in ("train", "score", "celery", "render"))
            ),
            timeout=60,
            what="the broker to hold no message that could be delivered again",
        )
    assert TrainingRun.objects.filter(project=bats).count() == 1
    assert ModelVersion.objects.filter(project=bats).count() == 1
    assert RescoreJob.objects.filter(run=run).count() == 1
    assert (
        SamplingRound.objects.filter(project=bats, trigger=f"after training {run.pk}").count() == 1
    )
