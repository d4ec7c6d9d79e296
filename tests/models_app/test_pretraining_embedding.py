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
from tests.models_app.test_pretraining import TINY as PRETRAIN_TINY
from tests.models_app.test_pretraining import _state
from tests.services import wait_until
from tests.workers import celery_worker

# The resume test's settings, with two epochs: this test needs a finished pretraining, not a long one.
TINY = {"model": {**PRETRAIN_TINY["model"], "ssl_epochs": 2}}


@pytest.fixture
def birds(settings, tmp_path):
    """An audible-range project (48 kHz: its default changes when a pretraining finishes), two
    4-s recordings cut into 1-s clips, one clip labelled."""
    from annotator import ingest, queue

    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "ssl-embedding",
        sampling_params=TINY,
        batch_size=2,
        retrain_every=5,  # the loop is on
        audit_fraction=0.0,
        double_annotation_fraction=0.0,
        fmin_hz=500,
        fmax_hz=12_000,
    )
    folder = tmp_path / "songs"
    folder.mkdir()
    for i, freq in enumerate((2_000, 5_000)):
        f.write_tone(folder / f"s{i}.wav", samplerate=48_000, duration_s=4, freq_hz=freq, seed=i)
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    clip = Clip.objects.for_project(project).order_by("pk").first()
    queue.save_annotation(
        project, clip, f.make_user("expert"), queue.Submission(events=[], no_calls=True)
    )
    return project


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_finished_pretraining_embeds_the_pool_with_the_new_default_and_queues_a_training(birds):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    assert adapters.project_embedding(birds).name == adapters.BAND_STATS  # nothing pretrained yet
    with celery_worker(env=env, name="ssl-pretrain", queues="train"):
        with transaction.atomic():
            run = loop.start_pretraining(birds)
        wait_until(
            lambda: not TrainingRun.objects.get(pk=run.pk).is_unfinished,
            timeout=300,
            what=lambda: f"the pretraining to end ({_state(run)})",
        )
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    # 48 kHz recordings, now pretrained: the self-supervised encoder.
    embedding = adapters.project_embedding(birds)
    assert embedding.name == adapters.SELF_SUPERVISED and embedding.chosen_by == "default"
    clips = set(Clip.objects.for_project(birds).values_list("pk", flat=True))
    source = embeddings_store.adapter_source(adapters.SELF_SUPERVISED)
    assert not len(embeddings_store.load(birds.pk, source))  # the next step embeds, not the run

    # The chain's next step (score queue) embeds the pool and queues the training: no train
    # worker runs now, so the training stays queued where the test can see it.
    with celery_worker(env=env, name="ssl-embed", queues="celery,score"):
        wait_until(
            lambda: set(embeddings_store.load(birds.pk, source).clip_ids.tolist()) == clips,
            timeout=300,
            what="the pool embedded with the self-supervised encoder",
        )
        wait_until(
            lambda: TrainingRun.objects.filter(project=birds, kind="train").exists(),
            timeout=60,
            what="the next training queued",
        )
        wait_until(  # the chord's last step compacts: rounds then read one row per clip
            lambda: embeddings_store.has_clip_means(birds.pk, source),
            timeout=60,
            what="the store compacted with its clip means",
        )
    windows = embeddings_store.load(birds.pk, source)
    assert len(windows) == 8 * 10  # eight 1-s clips, one window per 0.1 s
    assert windows.vectors.shape[1] == 152  # the encoder's pooled deep and fine maps
    np.testing.assert_allclose(
        np.linalg.norm(windows.vectors.astype(np.float32), axis=1), 1, atol=1e-2
    )
    training = TrainingRun.objects.get(project=birds, kind="train")
    assert training.trigger == "pretraining" and training.status == TrainingRun.Status.QUEUED
