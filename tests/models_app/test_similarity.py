"""Exact search against a brute-force sort, per-clip reduction, and the optional index's recall."""

from __future__ import annotations

import numpy as np

from models_app import similarity


def _clustered(n: int, d: int = 64, centres: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, d))
    x = c[rng.integers(0, centres, n)] + 0.3 * rng.standard_normal((n, d))
    return similarity.normalise(x).astype(np.float16)


def test_exact_top_k_matches_a_full_sort_across_chunks():
    m = _clustered(5000)
    q = m[17].astype(np.float32)
    hits = similarity.top_k(similarity.similarities(m, q, chunk_rows=333), 25)
    brute = np.argsort(-(m.astype(np.float32) @ similarity.normalise(q)), kind="stable")[:25]
    assert hits.indices[0] == 17
    assert set(hits.indices.tolist()) == set(brute.tolist())
    assert np.all(np.diff(hits.similarities) <= 0)
    np.testing.assert_allclose(hits.distances, 1 - hits.similarities)


def test_excluded_rows_are_never_returned_and_k_is_capped():
    m = _clustered(30)
    exclude = np.zeros(30, bool)
    exclude[:25] = True
    hits = similarity.exact_top_k(m, m[0].astype(np.float32), 10, exclude=exclude)
    assert sorted(hits.indices.tolist()) == list(range(25, 30))


def test_per_group_best_picks_each_groups_best_row():
    scores = np.array([0.1, 0.9, 0.3, 0.5, 0.5, 0.2], np.float32)
    starts = np.array([0, 2, 5])
    np.testing.assert_allclose(similarity.per_group_best(scores, starts), [0.9, 0.5, 0.2])
    assert [similarity.best_row(scores, starts, g) for g in range(3)] == [1, 3, 5]


def test_index_recall_against_exact_search():
    m = _clustered(20_000, seed=1)
    index = similarity.UsearchIndex(m)
    rng = np.random.default_rng(2)
    recalls = []
    for i in rng.choice(len(m), 50, replace=False):
        q = m[i].astype(np.float32) + 0.05 * rng.standard_normal(m.shape[1]).astype(np.float32)
        recalls.append(
            similarity.recall_at_k(similarity.exact_top_k(m, q, 10), index.search(q, 10))
        )
    assert np.mean(recalls) >= 0.9
