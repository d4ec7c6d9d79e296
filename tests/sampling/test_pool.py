"""The pool as columns: a round reads arrays, never an IN list of every clip and never one
object per clip, and reads a version's scores from packed chunks (or legacy rows)."""

import re

import numpy as np
import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from annotator.models import Clip
from models_app import poolscores
from models_app.models import ModelVersion, Prediction
from sampling import pool, rounds
from tests.sampling.test_rounds import add_predictions, pool_project  # noqa: F401 (fixture)


def _largest_in_list(queries) -> int:
    sizes = [
        len(group.split(","))
        for q in queries
        for group in re.findall(r"\bIN \(([^()]*)\)", q["sql"])
    ]
    return max(sizes, default=0)


def _count_clip_objects():
    made = []

    def count(sender, **kwargs):
        made.append(1)

    post_init.connect(count, sender=Clip, weak=False)
    return made, lambda: post_init.disconnect(count, sender=Clip)


@pytest.mark.parametrize("with_model", [False, True])
def test_round_builds_no_in_list_of_the_pool(pool_project, monkeypatch, with_model):  # noqa: F811
    if with_model:
        add_predictions(pool_project, np.random.default_rng(0))
    monkeypatch.setattr(pool, "ID_BATCH", 4)  # as if the backend took 4 variables per query
    with CaptureQueriesContext(connection) as queries:
        rnd = rounds.start_round(pool_project, k=10, seed=1)
    assert rnd.batch_size == 10 and rnd.candidates > 40
    assert (
        _largest_in_list(queries.captured_queries) <= 10
    )  # the 10 picks at most, never the 60 clips


def test_round_makes_objects_only_of_the_picked_clips(pool_project):  # noqa: F811
    add_predictions(pool_project, np.random.default_rng(0))
    made, stop = _count_clip_objects()
    try:
        rnd = rounds.start_round(pool_project, k=6, seed=2)
    finally:
        stop()
    assert rnd.batch_size == 6 and rnd.candidates > 40
    assert (
        len(made) <= 2 * 6
    )  # picks and audits (and the queue's own reads of them), not the pool of 60


def test_scores_come_from_chunks_and_legacy_rows(pool_project):  # noqa: F811
    version = ModelVersion.objects.create(
        project=pool_project, number=1, class_names=["a", "b"], is_active=True
    )
    ids = list(
        Clip.objects.filter(project=pool_project).order_by("pk").values_list("pk", flat=True)
    )
    rng = np.random.default_rng(3)
    probs = rng.random((30, 2)).astype(np.float32)
    emb = rng.standard_normal((30, 8)).astype(np.float16)
    windows = [rng.random(1 + i % 3).astype(np.float32) for i in range(30)]
    poolscores.chunk_row(version, ids[10:40], probs, windows, emb).save()
    # As a rescore writes them: every chunk's clips have their prediction rows too.
    Prediction.objects.bulk_create(Prediction(clip_id=i, version=version) for i in ids[10:40])
    legacy = [
        Prediction(
            clip_id=i,
            version=version,
            class_probs=[0.5, 0.25],
            window_uncertainty=[0.1],
            embedding=Prediction.pack_embedding(np.ones(8)),
        )
        for i in ids[:10]
    ]
    Prediction.objects.bulk_create(legacy)

    scores = poolscores.read(version)
    assert scores.ids.tolist() == ids[:40]
    np.testing.assert_allclose(scores.probs[10:], probs)
    np.testing.assert_allclose(scores.probs[:10], [[0.5, 0.25]] * 10)
    assert scores.windows.shape == (40, 3) and np.isnan(scores.windows[10, 1:]).all()
    np.testing.assert_array_equal(scores.embeddings[10:], emb)


def test_a_redelivered_chunk_counts_its_clips_once(pool_project):  # noqa: F811
    version = ModelVersion.objects.create(
        project=pool_project, number=1, class_names=["a"], is_active=True
    )
    ids = list(
        Clip.objects.filter(project=pool_project).order_by("pk").values_list("pk", flat=True)
    )[:5]
    for _ in range(2):
        poolscores.chunk_row(version, ids, np.full((5, 1), 0.3), [np.zeros(2)] * 5, None).save()
    scores = poolscores.read(version)
    assert scores.ids.tolist() == ids and scores.embeddings is None


def test_round_chooses_from_chunk_scores(pool_project):  # noqa: F811
    """Only the clips the version scored take part; the most uncertain are picked first."""
    version = ModelVersion.objects.create(
        project=pool_project, number=1, class_names=["a", "b"], is_active=True
    )
    ids = list(
        Clip.objects.filter(project=pool_project, held_out=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    probs = np.tile([[0.99, 0.01]], (len(ids), 1)).astype(np.float32)
    probs[[3, 7]] = [0.5, 0.5]  # the two most uncertain
    poolscores.chunk_row(version, ids, probs, [np.zeros(1)] * len(ids), None).save()
    pool_project.audit_fraction = 0.0
    pool_project.save()
    rnd = rounds.start_round(pool_project, k=2, strategy="entropy", seed=0)
    assert rnd.model_version == version and rnd.candidates == len(ids)
    assert sorted(p.clip_id for p in rnd.picks.all()) == [ids[3], ids[7]]


def _sql_of(fn) -> str:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return " ".join(q["sql"].upper() for q in queries.captured_queries)


def test_pool_sized_anti_joins_are_not_exists_never_not_in(pool_project):  # noqa: F811
    """NOT IN over a subquery turned quadratic on PostgreSQL past ~250k rows; NOT EXISTS does not."""
    from models_app.tasks import next_ranges, pending_clips

    version = add_predictions(pool_project, np.random.default_rng(0))
    rounds.start_round(pool_project, k=5, seed=0)
    for sql in (
        _sql_of(lambda: pending_clips(version).count()),
        _sql_of(lambda: next_ranges(version, 0, 4, 8)),
        _sql_of(lambda: rounds.withdraw_stale_picks(pool_project, version)),
        _sql_of(lambda: rounds.start_round(pool_project, k=5, seed=1)),
    ):
        assert " NOT IN (" not in sql and not re.search(r"NOT \([^()]*\bIN \(SELECT", sql), sql


def test_one_scan_splits_the_pool_as_the_querysets_do(project, cast):
    """Candidates and audit candidates from one scan equal the querysets' definitions, with every
    role (recording's or dataset's), held-out clips, labelled and queued clips in play."""
    from annotator.models import AnnotationTask, ClipAnnotation
    from tests import factories as f

    recordings = [f.make_recording(project, duration_s=10.0) for _ in range(5)]
    for i, rec in enumerate(recordings):  # a dataset each, so a dataset's role is one recording's
        rec.dataset = f.make_dataset(project, name=f"dataset {i}")
        rec.save()
    recordings[1].role = "evaluation"
    recordings[1].save()
    recordings[2].role = "excluded"
    recordings[2].save()
    recordings[3].dataset.role = "evaluation"
    recordings[3].dataset.save()
    recordings[4].dataset.role = "excluded"
    recordings[4].dataset.save()
    for rec in recordings:
        Clip.objects.bulk_create(
            Clip(project=project, recording=rec, start_s=i, end_s=i + 1, held_out=i % 4 == 0)
            for i in range(10)
        )
    clips = list(Clip.objects.filter(project=project).order_by("pk"))
    for clip in clips[1::7]:
        ClipAnnotation.objects.create(project=project, clip=clip, annotator=cast["ann1"])
    AnnotationTask.objects.bulk_create(AnnotationTask(project=project, clip=c) for c in clips[2::5])
    f.make_clip(f.make_project("elsewhere"))

    candidates, audits = pool.split_pool(project)
    expected = rounds.candidate_clips(project).order_by("pk")
    assert candidates.ids.tolist() == list(expected.values_list("pk", flat=True))
    assert candidates.start_s.tolist() == list(expected.values_list("start_s", flat=True))
    expected_audits = rounds.audit_candidates(project).order_by("pk")
    assert audits.tolist() == list(expected_audits.values_list("pk", flat=True))
    assert len(candidates) and len(audits)


def test_chunks_are_read_in_batches_into_one_array(pool_project, monkeypatch):  # noqa: F811
    monkeypatch.setattr(poolscores, "BATCH", 2)
    version = ModelVersion.objects.create(
        project=pool_project, number=1, class_names=["a"], is_active=True
    )
    ids = list(
        Clip.objects.filter(project=pool_project).order_by("pk").values_list("pk", flat=True)
    )[:25]
    for start in range(0, 25, 5):  # five chunks, written newest clips first
        part = ids[::-1][start : start + 5]
        poolscores.chunk_row(
            version,
            part,
            np.array(part, np.float32)[:, None],
            [np.zeros(1 + start // 5)] * 5,
            np.ones((5, 4)),
        ).save()
    scores = poolscores.read(version)
    assert scores.ids.tolist() == ids and scores.probs[:, 0].tolist() == ids
    assert scores.windows.shape == (25, 5) and scores.embeddings.shape == (25, 4)
