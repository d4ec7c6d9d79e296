"""A finished pretraining changes the project's default embedding: the pool is embedded with the new
one on the score workers, and with the loop on the next training is queued (real workers, Redis)."""

import numpy as np
import pytest
from django.conf import settings
from django.db import transaction

from annotator.models import Clip
from models_app import adapters, embeddings_store
from models_app.models import TrainingRun
from sampling import loop
from tests import factories as f
from tests.services import wait_until
from tests.workers import celery_worker

TINY = {
    "model": {
        "epochs": 1,
        "batch_size": 4,
        "n_freq_bins": 64,
        "num_threads": 1,
        "ssl_epochs": 2,
        "ssl_batch_size": 4,
        "start_from": "self-supervised",
    }
}


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "ssl-embedding",
        sampling_params=TINY,
        batch_size=2,
        retrain_every=5,  # the loop is on
        audit_fraction=0.0,
        double_annotation_fraction=0.0,
        fmin_hz=10_000,
        fmax_hz=120_000,
    )
    f.import_whombat(project, annotate=("Desmodus",), annotator=f.make_user("expert"))
    return project


def _run_state(run: TrainingRun) -> str:
    run.refresh_from_db()
    return f"run {run.pk} {run.status} epoch {run.epoch} {run.error}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_finished_pretraining_embeds_the_pool_with_the_new_default_and_queues_a_training(bats):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    assert adapters.project_embedding(bats).name == adapters.BAND_STATS  # nothing pretrained yet
    with celery_worker(env=env, name="ssl-pretrain", queues="train"):
        with transaction.atomic():
            run = loop.start_pretraining(bats)
        wait_until(
            lambda: not TrainingRun.objects.get(pk=run.pk).is_unfinished,
            timeout=300,
            what=lambda: f"the pretraining to end ({_run_state(run)})",
        )
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    # 375-384 kHz recordings, now pretrained: band statistics and the encoder side by side.
    embedding = adapters.project_embedding(bats)
    assert embedding.name == adapters.COMBINED and embedding.chosen_by == "default"
    clips = set(Clip.objects.for_project(bats).values_list("pk", flat=True))
    source = embeddings_store.adapter_source(adapters.COMBINED)
    assert not len(embeddings_store.load(bats.pk, source))  # the next step embeds, not the run

    # The chain's next step (score queue) embeds the pool and queues the training: no train
    # worker runs now, so the training stays queued where the test can see it.
    with celery_worker(env=env, name="ssl-embed", queues="celery,score"):
        wait_until(
            lambda: set(embeddings_store.load(bats.pk, source).clip_ids.tolist()) == clips,
            timeout=300,
            what="the pool embedded with band-stats+selfsupervised",
        )
        wait_until(
            lambda: TrainingRun.objects.filter(project=bats, kind="train").exists(),
            timeout=60,
            what="the next training queued",
        )
    windows = embeddings_store.load(bats.pk, source)
    assert windows.vectors.shape[1] == 48 + 152  # band statistics + the encoder's pooled maps
    np.testing.assert_allclose(
        np.linalg.norm(windows.vectors.astype(np.float32), axis=1), 1, atol=1e-2
    )
    training = TrainingRun.objects.get(project=bats, kind="train")
    assert training.trigger == "pretraining" and training.status == TrainingRun.Status.QUEUED
