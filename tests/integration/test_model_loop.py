"""The model loop on a real Celery worker through Redis: train → rescore (chord) → sample."""

import os
import signal
import subprocess

import pytest
from django.conf import settings

from annotator.models import AnnotationTask, Clip
from models_app import registry
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun
from models_app.tasks import rescore_pool
from sampling import loop
from sampling.models import SamplingRound
from tests import factories as f
from tests.services import wait_until
from tests.workers import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TINY = {"model": {"epochs": 1, "batch_size": 4, "n_freq_bins": 64, "num_threads": 1,
                  "pretrain_clips": 4, "pretrain_epochs": 1}}  # the synthetic start, shrunk


@pytest.fixture
def bats(settings, tmp_path):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project("loop", sampling_params=TINY, batch_size=2, retrain_every=0, audit_fraction=0.0,
                             double_annotation_fraction=0.0, fmin_hz=10_000, fmax_hz=120_000)
    expert = f.make_user("expert")
    f.import_whombat(project, annotate=("Desmodus", "castanea"), annotator=expert)
    return project


def test_one_epoch_training_then_rescore_then_sample_on_a_real_worker(bats):
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with celery_worker(env=env, name="loop"):
        from django.db import transaction

        with transaction.atomic():
            run = loop.start(bats, trigger="request")
        wait_until(lambda: SamplingRound.objects.filter(project=bats).exists(), timeout=600,
                   what=f"the loop to queue a sampling round ({_state(run)})")
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert run.epoch == 1 and run.n_labels == 4 and run.history
    assert "pretraining on 4 synthetic clips" in run.log  # the first training's starting point
    assert list((settings.MEDIA_ROOT / "starts").glob("synthetic-*.pt")), "the start was not stored"
    version = ModelVersion.objects.get(project=bats, is_active=True)
    assert version.class_names == ["Carollia castanea", "Desmodus rotundus"]
    assert version.metrics["validation"] in ("recordings", "none")
    unlabelled = set(Clip.objects.for_project(bats).unlabeled().values_list("pk", flat=True))
    assert set(Prediction.objects.filter(version=version).values_list("clip_id", flat=True)) == unlabelled
    assert RescoreJob.objects.get(version=version).status == "done"
    rnd = SamplingRound.objects.get(project=bats)
    assert rnd.model_version == version and AnnotationTask.objects.filter(round_number=rnd.number).count() == 2


def _state(run):
    run.refresh_from_db()
    return f"run {run.status} {run.error} {run.log}"


def test_rescore_survives_a_worker_process_killed_mid_chunk(bats, monkeypatch):
    """The pool child dies during a chunk: the chunk is redelivered, nothing is scored twice."""
    from models_app import tasks

    project = bats
    for i in range(40):  # more pool: clips of the unlabelled recording at several offsets
        rec = Clip.objects.for_project(project).unlabeled().first().recording
        Clip.objects.get_or_create(project=project, recording=rec, start_s=round(0.01 * (i + 1), 3),
                                   end_s=round(0.01 * (i + 1) + 0.5, 3))
    labelled = registry.labelled_clips(project)
    cfg = registry.train_config(project, ["Carollia castanea", "Desmodus rotundus"], 375_000)
    from models_app.training import train

    result = train(cfg, [lc.example for lc in labelled])
    version = registry._store(project, result, cfg, {}, None, len(labelled))
    registry.activate_version(version)
    monkeypatch.setattr(tasks, "CHUNK_SIZE", 6)
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "ECHOLOOP_SCORE_CHUNK_SIZE": "6"}
    with celery_worker(env=env, name="kill", queues="score,celery") as worker:
        result = rescore_pool.delay(project.pk)
        wait_until(lambda: Prediction.objects.filter(version=version).exists(), timeout=300,
                   what="the first chunk's predictions")
        children = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
        assert children, "the prefork pool has a child process"
        os.kill(int(children[0]), signal.SIGKILL)
        pending = Clip.objects.for_project(project).unlabeled().count()
        wait_until(lambda: Prediction.objects.filter(version=version).count() == pending, timeout=600,
                   what="every unlabelled clip to be scored after the kill")
        wait_until(lambda: RescoreJob.objects.filter(version=version, status="done").exists(), timeout=120,
                   what="the rescore job to finish")
        result.forget()
    counts = list(Prediction.objects.filter(version=version).values_list("clip_id", flat=True))
    assert len(counts) == len(set(counts)) == pending


def test_failed_training_keeps_the_active_version(bats, monkeypatch):
    old = ModelVersion.objects.create(project=bats, number=1, is_active=True, class_names=["x"], source="birdnet")
    run = registry.request_training(bats, trigger="request")

    def boom(*args, **kwargs):
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(registry, "train", boom)
    run = registry.run_training(run)
    assert run.status == TrainingRun.Status.FAILED and "out of memory" in run.error
    assert ModelVersion.objects.get(project=bats, is_active=True) == old
    assert registry.request_training(bats, trigger="request").status == "queued"  # not stuck


def test_second_training_while_one_runs_is_refused(bats):
    registry.request_training(bats, trigger="request")
    with pytest.raises(registry.TrainingBusy):
        registry.request_training(bats, trigger="labels")
