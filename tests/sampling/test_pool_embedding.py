"""A round's diversity reads the project's embedding (its adapter's window store), not the active
version's, and falls back to the version's while that store covers too little of the pool."""

import numpy as np
import pytest
from django.core.cache import cache

from annotator.models import AnnotationTask, Clip
from models_app import adapters, embeddings_store
from sampling import pool, rounds
from tests.sampling.test_rounds import add_predictions, pool_project  # noqa: F401 (fixture)

SOURCE = embeddings_store.adapter_source(adapters.BAND_STATS)  # the default before a pretraining


@pytest.fixture
def clustered(pool_project, settings, tmp_path):  # noqa: F811
    """The 60 clips, a version whose embeddings are noise (no structure), and band-stats windows in
    two far-apart clusters: 56 clips near one point, 4 ("rare") near its opposite."""
    settings.MEDIA_ROOT = tmp_path / "media"
    pool_project.audit_fraction = 0.0
    pool_project.sampling_strategy = "kcenter"
    pool_project.save()
    version = add_predictions(pool_project, np.random.default_rng(0))
    ids = list(
        Clip.objects.filter(project=pool_project).order_by("pk").values_list("pk", flat=True)
    )
    rng = np.random.default_rng(1)
    rare = set(rng.choice(ids, 4, replace=False).tolist())
    centre = np.eye(48, dtype=np.float32)[0]
    windows = [
        np.stack([(-centre if i in rare else centre) + 0.01 * rng.standard_normal(48)] * 3)
        for i in ids
    ]
    return pool_project, version, ids, rare, windows


def _store(project, ids, windows) -> None:
    embeddings_store.write_chunk(project.pk, SOURCE, ids, windows, 0.1)
    embeddings_store.compact(project.pk, SOURCE)


def _rare_picked(project, rare, seeds) -> list[bool]:
    """For each seed, whether a round of two picks a rare clip (its tasks withdrawn after, so
    every round chooses from the whole pool)."""
    picked = []
    for seed in seeds:
        rnd = rounds.start_round(project, k=2, seed=seed)
        picked.append(bool({p.clip_id for p in rnd.picks.all()} & rare))
        AnnotationTask.objects.filter(project=project).delete()
    return picked


@pytest.mark.django_db
def test_diversity_reads_the_adapters_store_and_finds_the_rare_cluster(clustered):
    project, version, ids, rare, windows = clustered
    _store(project, ids, windows)
    # k-center with k = 2 takes the farthest clip second: always one of the rare cluster.
    assert _rare_picked(project, rare, range(6)) == [True] * 6
    rnd = rounds.start_round(project, k=2, seed=9)
    assert rnd.params["embedding"] == SOURCE


@pytest.mark.django_db
def test_with_the_detector_chosen_the_versions_embedding_serves_and_misses_the_cluster(clustered):
    project, version, ids, rare, windows = clustered
    _store(project, ids, windows)
    adapters.choose(project, adapters.DETECTOR)
    picked = _rare_picked(project, rare, range(6))
    assert not all(picked)  # noise embeddings: the rare clips are found by chance only
    rnd = rounds.start_round(project, k=2, seed=9)
    assert rnd.params["embedding"] == embeddings_store.version_source(version.pk)


@pytest.mark.django_db
def test_a_store_covering_under_half_the_pool_leaves_the_round_to_the_versions(clustered):
    project, version, ids, rare, windows = clustered
    _store(project, ids[:20], windows[:20])
    rnd = rounds.start_round(project, k=2, seed=0)
    assert rnd.params["embedding"] == embeddings_store.version_source(version.pk)


@pytest.mark.django_db
def test_clips_the_store_lacks_get_the_pools_mean(clustered):
    project, version, ids, rare, windows = clustered
    missing = [i for i in ids if i not in rare][:5]
    kept = [(i, w) for i, w in zip(ids, windows, strict=True) if i not in missing]
    _store(project, [i for i, _ in kept], [w for _, w in kept])
    chosen = pool.project_embeddings(project)
    assert chosen.source == SOURCE and len(chosen.ids) == 55
    rows = chosen.rows_for(np.array(ids, dtype=np.int64))
    lacking = np.isin(ids, missing)
    assert np.all(rows[lacking] == 0)  # the pool's mean: typical, neither sought nor avoided
    np.testing.assert_allclose(np.linalg.norm(rows[~lacking], axis=1), 1, atol=2e-3)
    # Still the adapter's space for the round: 55 of 60 clips is past the coverage bound.
    assert _rare_picked(project, rare, range(3)) == [True] * 3


@pytest.mark.django_db
def test_compaction_stores_the_clip_means_the_round_reads(clustered):
    project, version, ids, rare, windows = clustered
    _store(project, ids, windows)
    means = embeddings_store._files(project.pk, SOURCE, embeddings_store.MEANS)
    assert len(means) == 1  # one row per clip, written on the score worker with the pool file
    embeddings_store._CACHE.clear()
    from_file = embeddings_store.load_clip_means(project.pk, SOURCE)
    from_windows = embeddings_store.load(project.pk, SOURCE).clip_means()
    np.testing.assert_array_equal(from_file[0], from_windows[0])
    np.testing.assert_array_equal(from_file[1], from_windows[1])
    # A chunk written since (new clips): a round still reads the one row per clip of the last
    # compaction (the new clip counts as not embedded yet), the clips left to embed see it.
    extra = np.eye(48, dtype=np.float32)[5][None]
    embeddings_store.write_chunk(project.pk, SOURCE, [10**9], [extra], 0.1)
    ids_now, _ = embeddings_store.load_clip_means(project.pk, SOURCE)
    assert 10**9 not in ids_now and len(ids_now) == len(ids)
    assert embeddings_store.stored_clip_ids(project.pk, SOURCE)[-1] == 10**9
    embeddings_store.compact(project.pk, SOURCE)
    assert embeddings_store.load_clip_means(project.pk, SOURCE)[0][-1] == 10**9
    embeddings_store.delete(project.pk, SOURCE)
    assert not embeddings_store._files(project.pk, SOURCE, embeddings_store.MEANS)


@pytest.mark.django_db
def test_only_the_clips_the_store_lacks_are_left_to_embed(clustered):
    project, version, ids, rare, windows = clustered
    assert [i for chunk in adapters.pending_chunks(project) for i in chunk] == ids
    _store(project, ids[:50], windows[:50])  # compacted: the ids come from the means file
    assert [i for chunk in adapters.pending_chunks(project) for i in chunk] == ids[50:]
    embeddings_store.write_chunk(project.pk, SOURCE, ids[50:55], windows[50:55], 0.1)
    assert [i for chunk in adapters.pending_chunks(project) for i in chunk] == ids[55:]
    adapters.choose(project, adapters.DETECTOR)  # the rescore stores the version's windows
    assert adapters.pending_chunks(project) == []


@pytest.mark.django_db
def test_a_first_embedding_under_way_leaves_the_round_to_the_versions(clustered):
    project, version, ids, rare, windows = clustered
    embeddings_store.write_chunk(project.pk, SOURCE, ids, windows, 0.1)  # not compacted yet
    embedding = adapters.project_embedding(project)
    cache.set(adapters._in_flight_key(project.pk, embedding.name), 1)
    try:
        assert pool.project_embeddings(project) is None
        rnd = rounds.start_round(project, k=2, seed=0)
        assert rnd.params["embedding"] == embeddings_store.version_source(version.pk)
    finally:
        cache.delete(adapters._in_flight_key(project.pk, embedding.name))
    # Not in flight (its chord died, say): the windows serve, averaged once.
    assert pool.project_embeddings(project).source == SOURCE


@pytest.mark.django_db
def test_keeping_the_pool_embedded_compacts_a_store_without_clip_means(clustered):
    project, version, ids, rare, windows = clustered
    embeddings_store.write_chunk(project.pk, SOURCE, ids, windows, 0.1)
    assert not embeddings_store.has_clip_means(project.pk, SOURCE)
    adapters.keep_embedded(project)  # nothing left to embed: no task is sent
    assert embeddings_store.has_clip_means(project.pk, SOURCE)


@pytest.mark.django_db
def test_a_pool_is_embedded_in_bounded_waves_that_cover_it_once(clustered, monkeypatch):
    """Each wave takes at most WAVE_CHUNKS chunks above the last one's end, reads only the last
    compaction's clip ids (never the windows written since), and the waves together cover every
    clip the store lacks exactly once, in id order."""
    project, version, ids, rare, windows = clustered
    _store(project, ids[:10], windows[:10])  # compacted before: these are done
    monkeypatch.setattr(adapters, "CHUNK_SIZE", 4)
    monkeypatch.setattr(adapters, "WAVE_CHUNKS", 3)
    reads = []
    real_load = embeddings_store.load
    monkeypatch.setattr(
        embeddings_store, "load", lambda *a, **k: reads.append(a) or real_load(*a, **k)
    )
    waves, after = [], 0
    while chunks := adapters.embed_wave(project, adapters.BAND_STATS, after):
        assert len(chunks) <= 3 and all(len(c) <= 4 for c in chunks)
        waves.append(chunks)
        flat = [i for c in chunks for i in c]
        # The wave's clips are stored as the chunk tasks would (not compacted until the end).
        embeddings_store.write_chunk(
            project.pk, SOURCE, flat, [windows[ids.index(i)] for i in flat], 0.1
        )
        after = flat[-1]
    done = [i for chunks in waves for c in chunks for i in c]
    assert done == ids[10:]
    assert len(waves) == -(-50 // 12)  # 50 clips, 12 a wave
    assert reads == []  # no wave read the windows written so far
    assert cache.get(adapters._in_flight_key(project.pk, adapters.BAND_STATS)) is not None
    assert adapters.embedding_finished(project.pk, adapters.BAND_STATS) == 60 * 3
    assert cache.get(adapters._in_flight_key(project.pk, adapters.BAND_STATS)) is None
    assert adapters.pending_chunks(project) == []


@pytest.mark.django_db
def test_choosing_an_embedding_sends_one_small_message(clustered, monkeypatch):
    project, *_ = clustered
    sent = []
    monkeypatch.setattr(
        adapters,
        "signature",
        lambda name, args: type("S", (), {"apply_async": lambda self: sent.append((name, args))})(),
    )
    adapters.embed_pool(project.pk, adapters.BAND_STATS)
    adapters.embed_pool(project.pk, adapters.DETECTOR)  # the rescore stores its windows
    assert sent == [("models_app.tasks.embed_wave", (project.pk, adapters.BAND_STATS, 0))]
    cache.delete(adapters._in_flight_key(project.pk, adapters.BAND_STATS))


@pytest.mark.django_db
def test_a_finished_embedding_refits_the_light_head_only_for_the_projects_embedding(
    clustered, monkeypatch
):
    from models_app import light_head, tasks

    project, version, ids, rare, windows = clustered
    scheduled = []
    monkeypatch.setattr(light_head, "schedule", lambda p: scheduled.append(p.pk))
    embeddings_store.write_chunk(project.pk, SOURCE, ids, windows, 0.1)
    assert tasks.embed_finished(project.pk, adapters.BAND_STATS) == 60 * 3  # the default
    assert scheduled == [project.pk]
    adapters.choose(project, adapters.DETECTOR)  # a lead chose another embedding meanwhile
    tasks.embed_finished(project.pk, adapters.BAND_STATS)
    assert scheduled == [project.pk]
