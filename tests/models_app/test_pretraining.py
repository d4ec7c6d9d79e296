"""A project's self-supervised pretraining: a training run on the train queue that resumes after its
worker is killed, and whose encoder the next first training starts from (real worker, real Redis)."""

from datetime import timedelta

import pytest
import torch
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from models_app import liveness, pretraining, registry
from models_app.detector import DetectorConfig, DetectorNet
from models_app.features import FeatureConfig
from models_app.models import TrainingRun
from models_app.options import ModelOptions
from models_app.training import TrainConfig, TrainResult
from sampling import loop
from tests import factories as f
from tests.integration.test_faults import kill_whole_worker
from tests.services import wait_until
from tests.workers import celery_worker

# Four clips a step, 60 short epochs: long enough to be killed in the middle, seconds in all.
TINY = {
    "model": {
        "epochs": 1,
        "batch_size": 4,
        "n_freq_bins": 64,
        "num_threads": 1,
        "ssl_epochs": 60,
        "ssl_batch_size": 4,
        "start_from": "self-supervised",
    }
}


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "ssl",
        sampling_params=TINY,
        batch_size=2,
        retrain_every=0,
        audit_fraction=0.0,
        double_annotation_fraction=0.0,
        fmin_hz=10_000,
        fmax_hz=120_000,
    )
    f.import_whombat(project, annotate=("Desmodus", "castanea"), annotator=f.make_user("expert"))
    return project


def _state(run: TrainingRun) -> str:
    run.refresh_from_db()
    return f"run {run.pk} {run.status} epoch {run.epoch} {run.error} {run.log}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_pretraining_resumes_after_a_kill_and_the_next_training_starts_from_its_encoder(bats):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    with celery_worker(env=env, name="ssl-first", queues="train") as worker:
        with transaction.atomic():
            run = loop.start_pretraining(bats)
        wait_until(
            lambda: TrainingRun.objects.get(pk=run.pk).epoch >= 3,
            timeout=300,
            what=lambda: f"three epochs of pretraining ({_state(run)})",
        )
        kill_whole_worker(worker)
    run.refresh_from_db()
    assert (
        run.kind == "pretrain" and run.status == TrainingRun.Status.RUNNING and run.phase == "ssl"
    )
    killed_at = run.epoch
    assert killed_at < 60, "the pretraining ended before it could be killed"
    assert list((settings.MEDIA_ROOT / "ssl" / str(bats.pk)).glob("state-*.pt")), (
        "no checkpoint was stored"
    )

    # The beat's sweep finds the heartbeat stale and retries the run once; the retry resumes.
    swept = liveness.sweep(now=timezone.now() + timedelta(seconds=liveness.STALE_AFTER_SECONDS + 1))
    assert [r.pk for r in swept] == [run.pk]
    with transaction.atomic():
        heir = loop.retry(swept[0])
    assert heir is not None and heir.kind == "pretrain" and heir.attempt == 2
    with celery_worker(env=env, name="ssl-heir", queues="train"):
        wait_until(
            lambda: not TrainingRun.objects.get(pk=heir.pk).is_unfinished,
            timeout=300,
            what=lambda: f"the resumed pretraining to end ({_state(heir)})",
        )
        heir.refresh_from_db()
        assert heir.status == TrainingRun.Status.SUCCEEDED, heir.error
        resumed_after = int(heir.log.split("resuming after epoch ")[1].split()[0])
        assert resumed_after >= killed_at - 1  # at most the epoch being reported was lost
        assert [h["epoch"] for h in heir.history] == list(
            range(1, 61)
        )  # the dead run's epochs kept
        assert not list(
            (settings.MEDIA_ROOT / "ssl" / str(bats.pk)).glob("state-*.pt")
        )  # cleaned up
        encoder = pretraining.stored_encoder(bats)
        assert encoder is not None and encoder.config.class_names == []

        # The next first training (start_from self-supervised) starts from that encoder.
        with transaction.atomic():
            training = loop.start(bats, trigger="request")
        with celery_worker(env=env, name="ssl-loop", queues="celery,render,score"):
            wait_until(
                lambda: not TrainingRun.objects.get(pk=training.pk).is_unfinished,
                timeout=600,
                what=lambda: f"the training to end ({_state(training)})",
            )
    training.refresh_from_db()
    assert training.status == TrainingRun.Status.SUCCEEDED, training.error
    assert (
        f"starting from the self-supervised encoder {pretraining.encoder_path(bats)}"
        in training.log
    )
    assert "pretraining on" not in training.log  # no synthetic pretraining was needed


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


FEATURES = FeatureConfig(fmin=15_000, fmax=120_000, n_freq_bins=32)
CFG = TrainConfig(detector=DetectorConfig(class_names=["a"], features=FEATURES), epochs=1)


def _store_encoder(project, features: FeatureConfig) -> None:
    from models_app.selfsupervised import SSLConfig, pretrain
    from models_app.training import save_checkpoint

    pool = [torch.rand(32, 60).numpy() for _ in range(4)]
    result = pretrain(
        SSLConfig(features=features, epochs=1, batch_size=2, crop_s=0.02, num_threads=1), pool
    )
    path = settings.MEDIA_ROOT / pretraining.encoder_path(project)
    path.parent.mkdir(parents=True)
    save_checkpoint(path, result)


@pytest.mark.django_db
def test_self_supervised_start_loads_the_stored_encoder(media):
    project = f.make_project("p")
    _store_encoder(project, FEATURES)
    log = []
    result = registry.starting_point(
        CFG, 384_000, ModelOptions(start_from="self-supervised"), log.append, project=project
    )
    assert result is not None and result.config.features == FEATURES
    assert log == [f"starting from the self-supervised encoder {pretraining.encoder_path(project)}"]


@pytest.mark.django_db
def test_without_a_usable_encoder_the_start_falls_back_and_says_so(media, monkeypatch):
    from models_app import starts

    project = f.make_project("p")
    log = []
    assert (
        registry.starting_point(
            CFG, 44_100, ModelOptions(start_from="self-supervised"), log.append, project=project
        )
        is None
    )
    assert log == ["no self-supervised encoder of these features yet: starting from scratch"]
    _store_encoder(
        project, FeatureConfig(fmin=20_000, fmax=120_000, n_freq_bins=32)
    )  # other features
    synthetic = TrainResult(
        DetectorNet(CFG.detector).state_dict(), CFG.detector, {"synthetic": True}, []
    )
    monkeypatch.setattr(starts, "train_synthetic_start", lambda spec, progress=None: synthetic)
    log.clear()
    result = registry.starting_point(
        CFG, 250_000, ModelOptions(start_from="both"), log.append, project=project
    )
    assert result.metrics == {"synthetic": True}
    assert "trained on other features: not used" in log[0]
    assert log[1] == "no self-supervised encoder of these features yet: starting from synthetic"


@pytest.mark.django_db
def test_a_second_run_while_a_pretraining_is_queued_is_refused(media):
    project = f.make_project("p")
    run = registry.request_training(project, trigger="pretrain", kind=TrainingRun.Kind.PRETRAIN)
    assert run.parent is None and run.kind == "pretrain"
    with pytest.raises(registry.TrainingBusy):
        registry.request_training(project, trigger="request")


@pytest.mark.django_db
def test_the_projects_settings_size_the_pretraining_within_its_bounds():
    project = f.make_project(
        "p",
        fmin_hz=10_000,
        fmax_hz=120_000,
        sampling_params={
            "model": {
                "ssl_clips": 10**9,
                "ssl_epochs": 10**6,
                "ssl_views": "overlapping",
                "n_freq_bins": 64,
            }
        },
    )
    cfg = pretraining.ssl_config(project, 384_000, 1.0)
    assert (cfg.max_clips, cfg.epochs) == (pretraining.MAX_CLIPS, pretraining.MAX_EPOCHS)
    assert cfg.disjoint_views is False and cfg.features.n_freq_bins == 64
    assert cfg.crop_cols() == 128  # 40 % of a 1-s clip is 400 columns: capped
    assert (
        registry.train_config(project, ["a"], 384_000).detector.features == cfg.features
    )  # loads into it
    project.sampling_params = {"model": {}}
    assert pretraining.ssl_config(project, 384_000, 1.0).disjoint_views is True  # bats: disjoint
    assert (
        pretraining.ssl_config(project, 32_000, 1.0).disjoint_views is False
    )  # birds: overlapping
    project.sampling_params = {"model": {"ssl_views": "sideways"}}
    with pytest.raises(ValueError, match="ssl_views must be disjoint or overlapping"):
        pretraining.ssl_config(project, 384_000, 1.0)
