"""Behaviour of the sampling strategies (pure numpy, seeded, fast)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling import geometry
from sampling import strategies as S
from sampling.strategies import Pool


def make_pool(n: int = 300, *, seed: int = 0, n_labelled: int = 10) -> Pool:
    """A pool with every field filled, so any strategy can run on it."""
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal((n + n_labelled, 8)).astype(np.float32)
    wu = rng.random((n, 6)).astype(np.float32)
    wu[:, 3:][rng.random((n, 3)) < 0.5] = np.nan
    return Pool(
        ids=np.arange(1000, 1000 + n, dtype=np.int64),
        probs=rng.random((n, 4)).astype(np.float32),
        window_uncertainty=wu,
        embeddings=emb[:n],
        features=rng.standard_normal((n, 5)).astype(np.float32),
        strata={"site": rng.integers(0, 3, n), "hour": rng.integers(0, 4, n)},
        labelled_embeddings=emb[n:],
        labelled_strata={
            "site": rng.integers(0, 3, n_labelled),
            "hour": rng.integers(0, 4, n_labelled),
        },
    )


def blobs(n_clusters: int, per: int, *, spread: float = 100.0, seed: int = 0):
    """Tight clusters far apart: returns (points, cluster of each point, centres)."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((n_clusters, 4)).astype(np.float32) * spread
    which = np.repeat(np.arange(n_clusters), per)
    x = centres[which] + rng.standard_normal((len(which), 4)).astype(np.float32)
    return x, which, centres


@pytest.mark.parametrize("name", sorted(S.REGISTRY))
@pytest.mark.parametrize("n,k", [(300, 25), (7, 25)])
def test_every_strategy_returns_unique_valid_indices(name: str, n: int, k: int) -> None:
    pool = make_pool(n)
    sel = S.select(name, pool, k, rng=np.random.default_rng(0))
    assert len(sel) == min(n, k) == len(sel.reasons) == len(sel.scores)
    assert sel.indices.dtype == np.int64
    assert len(np.unique(sel.indices)) == len(sel)
    assert sel.indices.min() >= 0 and sel.indices.max() < n
    assert all(isinstance(r, str) and r for r in sel.reasons)


@pytest.mark.parametrize("name", sorted(S.REGISTRY))
def test_every_strategy_is_deterministic_given_rng(name: str) -> None:
    pool = make_pool()
    a = S.select(name, pool, 20, rng=np.random.default_rng(42))
    b = S.select(name, pool, 20, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.reasons == b.reasons


def test_k_zero_and_empty_pool_select_nothing() -> None:
    assert len(S.select("entropy", make_pool(), 0, rng=np.random.default_rng(0))) == 0
    assert len(S.select("random", make_pool(0, n_labelled=0), 5, rng=np.random.default_rng(0))) == 0


def test_missing_field_gives_clear_error() -> None:
    pool = Pool(ids=np.arange(10))
    with pytest.raises(ValueError, match="needs Pool.probs"):
        S.select("margin", pool, 3, rng=np.random.default_rng(0))


def test_registry_marks_strategies_that_need_a_model() -> None:
    needs = {name for name, s in S.REGISTRY.items() if s.needs_model}
    assert needs == {
        "entropy",
        "balanced_entropy",
        "margin",
        "least_confidence",
        "top_windows",
        "hybrid",
    }


def test_kcenter_picks_one_point_per_far_cluster() -> None:
    x, which, _ = blobs(6, 40)
    pool = Pool(ids=np.arange(len(x)), embeddings=x)
    sel = S.select("kcenter", pool, 6, rng=np.random.default_rng(3))
    assert sorted(which[sel.indices]) == list(range(6))


def test_kcenter_seeded_with_labelled_avoids_covered_clusters() -> None:
    x, which, centres = blobs(5, 30)
    pool = Pool(ids=np.arange(len(x)), embeddings=x, labelled_embeddings=centres[:3])
    sel = S.select("kcenter", pool, 2, rng=np.random.default_rng(0))
    assert sorted(which[sel.indices]) == [3, 4]


def test_lazy_kcenter_equals_brute_force_greedy() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((9000, 6)).astype(np.float32)  # spans several blocks
    seeds = rng.standard_normal((4, 6)).astype(np.float32)
    got, _ = geometry.kcenter_greedy(x, 30, rng=rng, seeds=seeds)
    d = np.min(((x[:, None, :] - seeds[None]) ** 2).sum(-1), axis=1)
    expected = []
    for _ in range(30):
        i = int(np.argmax(d))
        expected.append(i)
        d = np.minimum(d, ((x - x[i]) ** 2).sum(1))
    np.testing.assert_array_equal(got, expected)


def test_top_windows_ranks_one_very_uncertain_event_first() -> None:
    wu = np.full((3, 10), np.nan, np.float32)
    wu[0] = 0.3  # uniformly mild
    wu[1, :] = 0.05
    wu[1, 4] = 0.98  # one very uncertain event among confident windows
    wu[2, :2] = 0.1  # two confident events only
    pool = Pool(ids=np.arange(3), window_uncertainty=wu)
    sel = S.select("top_windows", pool, 3, rng=np.random.default_rng(0))
    assert sel.indices.tolist()[0] == 1
    assert np.nanmean(wu[1]) < np.nanmean(wu[0])  # a plain mean would rank it below


def test_uncertainty_scores_rank_the_obvious_case() -> None:
    probs = np.array([[0.99, 0.01], [0.5, 0.02], [0.55, 0.45]], np.float32)
    pool = Pool(ids=np.arange(3), probs=probs)
    rng = np.random.default_rng(0)
    assert S.select("entropy", pool, 1, rng=rng).indices[0] in (1, 2)
    assert S.select("margin", pool, 1, rng=rng).indices[0] == 2
    assert S.select("least_confidence", pool, 1, rng=rng).indices[0] == 1
    assert S.entropy_scores(probs[1:2])[0] == pytest.approx(1.0, abs=1e-6)


def test_balanced_entropy_gives_a_rare_class_its_turn() -> None:
    # Class 0 (common) has 50 clips near its boundary; class 1 (rare) never exceeds 0.2,
    # so by raw entropy every top pick goes to class 0.
    rng = np.random.default_rng(0)
    probs = np.zeros((200, 2), np.float32)
    probs[:, 0] = rng.uniform(0.0, 0.05, 200)
    probs[:50, 0] = rng.uniform(0.4, 0.6, 50)
    probs[:, 1] = rng.uniform(0.0, 0.02, 200)
    probs[150:155, 1] = [0.2, 0.18, 0.16, 0.14, 0.12]
    pool = Pool(ids=np.arange(200), probs=probs)
    plain = S.select("entropy", pool, 10, rng=np.random.default_rng(0)).indices
    balanced = S.select("balanced_entropy", pool, 10, rng=np.random.default_rng(0)).indices
    assert set(plain) <= set(range(50))
    assert set(balanced) & set(range(150, 155)) == set(range(150, 155))
    assert len(set(balanced) & set(range(50))) == 5  # the common class keeps its share


def test_balanced_entropy_scores_are_best_per_class_ranks() -> None:
    probs = np.array([[0.5, 0.01], [0.9, 0.02], [0.1, 0.3], [0.6, 0.001]], np.float32)
    # class 0 ranks clips 0, 3, 1|2; class 1 ranks clips 2, 1, 0, 3.
    np.testing.assert_allclose(S.balanced_entropy_scores(probs), [1.0, 0.75, 1.0, 0.75])
    pool = Pool(ids=np.arange(4), probs=probs, embeddings=np.eye(4, dtype=np.float32))
    sel = S.select(
        "hybrid", pool, 2, rng=np.random.default_rng(0), uncertainty="balanced_entropy", factor=1
    )
    assert sorted(sel.indices.tolist()) == [0, 2]


def test_stratified_quotas_hold_for_the_long_tail() -> None:
    codes = np.repeat([0, 1, 2, 3], [1000, 100, 5, 1])
    pool = Pool(ids=np.arange(len(codes)), strata={"site": codes})
    sel = S.select("stratified", pool, 20, rng=np.random.default_rng(0), min_per_stratum=3)
    counts = np.bincount(codes[sel.indices], minlength=4)
    assert counts.sum() == 20
    assert counts[2] >= 3 and counts[3] == 1  # rare strata get their minimum (or all they have)
    assert all(r.startswith("a site/time not yet covered (site ") for r in sel.reasons)


def test_stratified_favours_strata_with_fewer_labels() -> None:
    codes = np.repeat([0, 1], 500)
    pool = Pool(
        ids=np.arange(1000),
        strata={"site": codes},
        labelled_strata={"site": np.zeros(50, np.int64)},  # site 0 already well labelled
    )
    sel = S.select("stratified", pool, 40, rng=np.random.default_rng(0))
    counts = np.bincount(codes[sel.indices], minlength=2)
    assert counts[1] > 5 * counts[0]


def test_stratified_can_rank_by_uncertainty_within_strata() -> None:
    pool = make_pool()
    sel = S.select("stratified", pool, 12, rng=np.random.default_rng(0), within="entropy")
    assert all("; the model is unsure here (entropy " in r for r in sel.reasons)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 50), min_size=1, max_size=12),
    k=st.integers(0, 200),
    min_per=st.integers(0, 4),
)
def test_allocate_respects_sizes_minimum_and_total(sizes: list[int], k: int, min_per: int) -> None:
    sizes_arr = np.array(sizes)
    weights = np.random.default_rng(0).random(len(sizes)) + 0.1
    quotas = S.allocate(sizes_arr, weights, k, min_per, np.random.default_rng(1))
    assert quotas.sum() == min(k, sizes_arr.sum())
    assert (quotas <= sizes_arr).all() and (quotas >= 0).all()
    if np.minimum(min_per, sizes_arr).sum() <= k:
        assert (quotas >= np.minimum(min_per, sizes_arr)).all()


@pytest.mark.parametrize(
    "k,fraction", [(20, 0.1), (25, 0.1), (10, 0.25), (7, 0.5), (5, 1.0), (30, 0.0)]
)
def test_audit_fraction_is_exact(k: int, fraction: float) -> None:
    pool = make_pool()
    audited = S.with_audit(S.REGISTRY["entropy"].fn, fraction)
    sel = audited(pool, k, rng=np.random.default_rng(0))
    assert len(sel) == k and len(np.unique(sel.indices)) == k
    assert sel.reasons.count(S.AUDIT_REASON) == round(k * fraction)
    strategy_picks = sel.indices[[r != S.AUDIT_REASON for r in sel.reasons]]
    assert all(
        r.startswith("the model is unsure here (") for r in sel.reasons if r != S.AUDIT_REASON
    )
    assert len(strategy_picks) == k - round(k * fraction)


def test_audit_picks_are_random_not_the_strategys() -> None:
    probs = np.zeros((1000, 1), np.float32)
    probs[:100] = 0.5  # the 100 most uncertain clips
    pool = Pool(ids=np.arange(1000), probs=probs)
    sel = S.with_audit(S.REGISTRY["entropy"].fn, 0.5)(pool, 100, rng=np.random.default_rng(0))
    audits = sel.indices[[r == S.AUDIT_REASON for r in sel.reasons]]
    assert (audits >= 100).mean() > 0.7  # uniform over the pool, ~90 % outside the top 100


def test_cold_start_never_uses_uncertainty() -> None:
    pool = make_pool()
    # Opposite model outputs would flip any uncertainty ranking; a cold start must not care.
    flipped = dataclasses.replace(
        pool, probs=pool.probs[::-1].copy(), window_uncertainty=1 - pool.window_uncertainty
    )
    blind = dataclasses.replace(pool, probs=None, window_uncertainty=None)
    for method in ("coverage", "stratified", "random"):
        picks = [
            S.cold_start(p, 15, rng=np.random.default_rng(7), method=method)
            for p in (pool, flipped, blind)
        ]
        for other in picks[1:]:
            np.testing.assert_array_equal(picks[0].indices, other.indices)
        assert not any("unsure" in r for r in picks[0].reasons)
    for bad in ({"method": "entropy"}, {"method": "hybrid"}):
        with pytest.raises(ValueError):
            S.cold_start(pool, 5, rng=np.random.default_rng(0), **bad)
    with pytest.raises(ValueError, match="needs a trained model"):
        S.cold_start(pool, 5, rng=np.random.default_rng(0), method="stratified", within="margin")


def test_cold_start_coverage_takes_typical_points_of_each_cluster() -> None:
    x, which, centres = blobs(4, 60, spread=50.0)
    x[::60] += 30.0  # one outlier per cluster: k-center would love them, TypiClust should not
    pool = Pool(ids=np.arange(len(x)), features=x)
    sel = S.cold_start(pool, 4, rng=np.random.default_rng(0), method="coverage")
    assert sorted(which[sel.indices]) == [0, 1, 2, 3]
    assert np.linalg.norm(x[sel.indices] - centres[which[sel.indices]], axis=1).max() < 3.0


def test_hybrid_skips_near_duplicates_of_labelled_clips() -> None:
    rng = np.random.default_rng(0)
    emb = rng.standard_normal((400, 8)).astype(np.float32) * 5
    probs = np.full((400, 1), 0.05, np.float32)
    probs[:50] = 0.5  # the most uncertain clips ...
    labelled = emb[:50] + 1e-3  # ... were (almost) labelled already
    probs[50:100] = 0.3  # next most uncertain, and new
    pool = Pool(ids=np.arange(400), probs=probs, embeddings=emb, labelled_embeddings=labelled)
    sel = S.select("hybrid", pool, 10, rng=np.random.default_rng(0), factor=5)
    assert (sel.indices >= 50).all() and (sel.indices < 100).all()
    assert all(
        r.startswith("the model is unsure here and nothing like it is labelled yet (")
        for r in sel.reasons
    )


def test_hybrid_spreads_the_batch_within_the_uncertain_candidates() -> None:
    x, which, _ = blobs(5, 40)
    probs = np.full((len(x), 1), 0.5, np.float32)  # all equally uncertain
    pool = Pool(ids=np.arange(len(x)), probs=probs, embeddings=x)
    sel = S.select("hybrid", pool, 5, rng=np.random.default_rng(0), factor=40)
    assert sorted(which[sel.indices]) == [0, 1, 2, 3, 4]


def test_stratified_accepts_any_integer_codes_and_names_strata_by_them() -> None:
    codes = np.repeat([-7, 300], 50)
    pool = Pool(
        ids=np.arange(100),
        strata={"site": codes},
        labelled_strata={"site": np.array([300] * 20 + [999])},  # 999: not in the pool
    )
    sel = S.select("stratified", pool, 10, rng=np.random.default_rng(0))
    assert {r for r in sel.reasons} == {
        "a site/time not yet covered (site -7)",
        "a site/time with few labels so far (site 300; 20 labelled)",
    }
    assert (codes[sel.indices] == -7).sum() > (codes[sel.indices] == 300).sum()


def test_stratified_without_strata_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least one stratum"):
        S.select("stratified", Pool(ids=np.arange(5), strata={}), 2, rng=np.random.default_rng(0))


def test_hybrid_names_the_missing_uncertainty_input() -> None:
    pool = Pool(ids=np.arange(20), embeddings=np.zeros((20, 3), np.float32))
    with pytest.raises(ValueError, match="needs Pool.probs"):
        S.select("hybrid", pool, 2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="needs Pool.window_uncertainty"):
        S.select("hybrid", pool, 2, rng=np.random.default_rng(0), uncertainty="top_windows")


def test_stratified_reasons_name_strata_in_words() -> None:
    pool = Pool(
        ids=np.arange(4),
        strata={"site": np.array([3, 3, 5, 5]), "hour": np.array([7, 7, -1, -1])},
        stratum_words={
            "site": {3: "North cave", 5: "River"},
            "hour": {7: "21–24 h", -1: "time unknown"},
        },
    )
    sel = S.select("stratified", pool, 2, rng=np.random.default_rng(0))
    assert sorted(sel.reasons) == [
        "a site/time not yet covered (North cave, 21–24 h)",
        "a site/time not yet covered (River, time unknown)",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "random",
        "entropy",
        "margin",
        "least_confidence",
        "balanced_entropy",
        "top_windows",
        "kcenter",
        "typiclust",
        "hybrid",
    ],
)
def test_reasons_are_words_not_developer_strings(name) -> None:
    """No "key=value", no "inf", no bare strategy jargon: each reason starts with a phrase."""
    pool = make_pool()
    sel = S.select(name, pool, 12, rng=np.random.default_rng(0))
    for reason in sel.reasons:
        assert "=" not in reason and "inf" not in reason.split() and reason[0].islower()
        assert len(reason.split("(")[0].split()) >= 3  # a phrase, e.g. "the model is unsure here"
