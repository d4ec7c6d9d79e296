"""The active-learning simulation: metrics, learner and loop on a tiny made-up set (fast)."""

from __future__ import annotations

import numpy as np
import pytest

from sampling import simulation as sim


def toy_clipset(n: int = 160, *, seed: int = 0) -> sim.ClipSet:
    """Two classes that live in different feature directions, some empty clips."""
    rng = np.random.default_rng(seed)
    labels = np.zeros((n, 2), bool)
    labels[: n // 3, 0] = True
    labels[n // 3 : 2 * n // 3, 1] = True
    windows = rng.standard_normal((n, 3, 6)).astype(np.float32)
    windows[labels[:, 0], 1, 0] += 4.0  # one loud window: class 0
    windows[labels[:, 1], :, 1] += 2.0  # spread over the clip: class 1
    return sim.ClipSet(
        name="toy",
        windows=windows,
        labels=labels,
        is_test=np.arange(n) % 4 == 0,
        n_events=labels.sum(1) * 2,
        strata={"site": np.arange(n) % 3},
        class_names=["a", "b"],
    )


def test_average_precision_matches_hand_computed_values() -> None:
    y = np.array([1, 0, 1, 0], bool)
    assert sim.average_precision(y, np.array([0.9, 0.8, 0.7, 0.1])) == pytest.approx(
        (1 + 2 / 3) / 2
    )
    assert sim.average_precision(y, np.array([0.9, 0.1, 0.8, 0.2])) == pytest.approx(1.0)


def test_mean_average_precision_skips_classes_absent_from_the_test_set() -> None:
    labels = np.array([[1, 0], [0, 0], [1, 0]], bool)
    probs = np.array([[0.9, 0.5], [0.1, 0.5], [0.8, 0.5]])
    assert sim.mean_average_precision(labels, probs) == pytest.approx(1.0)


def test_aulc_is_normalised_and_labels_to_reach_finds_the_first_budget() -> None:
    budgets = np.array([10, 20, 30])
    assert sim.aulc(budgets, np.array([0.5, 0.5, 0.5])) == pytest.approx(0.5)
    assert sim.aulc(budgets, np.array([0.0, 1.0, 1.0])) == pytest.approx(0.75)
    assert sim.labels_to_reach(budgets, np.array([0.2, 0.6, 0.9]), 0.5) == 20
    assert sim.labels_to_reach(budgets, np.array([0.2, 0.3, 0.4]), 0.5) is None


def test_linear_model_learns_separable_classes() -> None:
    data = toy_clipset()
    emb = sim.Embedding.of(data.windows)
    score = sim.full_data_score(data, emb, l2=1e-2)
    assert score > 0.9


def test_embedding_scores_windows_in_the_clip_space() -> None:
    emb = sim.Embedding.of(toy_clipset().windows)
    assert emb.windows.shape == (160, 3, emb.clips.shape[1])


def test_run_simulation_gives_paired_curves_and_a_table() -> None:
    data = toy_clipset()
    cfg = sim.SimulationConfig(seed_size=6, batch_size=6, budget=30, seeds=(0, 1))
    runs = {
        "random": sim.StrategyConfig("random", cold_start=None),
        "hybrid": sim.StrategyConfig("hybrid", cold_start="stratified"),
        "top_windows": sim.StrategyConfig("top_windows", audit_fraction=0.2),
    }
    result = sim.run_simulation(data, runs, cfg)
    assert set(result.curves) == set(runs)
    for curves in result.curves.values():
        assert len(curves) == 2
        assert all(
            c.scores.shape == (5,) and np.all((c.scores >= 0) & (c.scores <= 1)) for c in curves
        )
    rows = sim.summarise(result)
    assert rows[0].label == "random" and rows[0].aulc_diff_mean == 0.0
    table = sim.markdown_table(result, rows)
    assert table.count("\n") == 1 + len(runs) and "| hybrid |" in table


def test_simulation_is_deterministic() -> None:
    data = toy_clipset()
    cfg = sim.SimulationConfig(seed_size=6, batch_size=6, budget=18, seeds=(3,))
    run = {"entropy": sim.StrategyConfig("entropy")}
    a = sim.run_simulation(data, run, cfg).curves["entropy"][0].scores
    b = sim.run_simulation(data, run, cfg).curves["entropy"][0].scores
    np.testing.assert_array_equal(a, b)


def test_first_batch_is_chosen_without_a_model() -> None:
    data = toy_clipset()
    emb = sim.Embedding.of(data.windows)
    train = np.flatnonzero(~data.is_test)
    pool = sim.make_pool(data, emb, None, train, np.zeros(0, np.int64))
    assert pool.probs is None and pool.window_uncertainty is None
    scores = sim.cold_start_scores(
        data, 6, {"random": sim.StrategyConfig("random", cold_start=None)}, range(3), 1e-2
    )
    assert scores["random"].shape == (3,)


def test_clipset_round_trips_through_npz(tmp_path) -> None:
    data = toy_clipset(20)
    path = str(tmp_path / "toy.npz")
    data.save(path)
    back = sim.ClipSet.load(path)
    np.testing.assert_array_equal(back.windows, data.windows)
    np.testing.assert_array_equal(back.strata["site"], data.strata["site"])
    assert back.class_names == data.class_names and back.name == "toy"


def test_window_features_have_fixed_shape() -> None:
    rng = np.random.default_rng(0)
    audio = rng.standard_normal(32_000).astype(np.float32)
    feats = sim.window_features(audio, 32_000, n_windows=4, fmin=500, fmax=12_000, n_mels=16)
    assert feats.shape == (4, 64) and np.isfinite(feats).all()


def test_random_cold_start_starts_exactly_where_random_does() -> None:
    data = toy_clipset()
    cfg = sim.SimulationConfig(seed_size=6, batch_size=6, budget=18, seeds=(0, 1, 2))
    runs = {
        "random": sim.StrategyConfig("random", cold_start=None),
        "hybrid": sim.StrategyConfig("hybrid", cold_start="random"),
    }
    rows = {r.label: r for r in sim.summarise(sim.run_simulation(data, runs, cfg))}
    assert rows["hybrid"].first_round_diff == 0.0


def test_build_clipset_can_use_another_window_embedding() -> None:
    rng = np.random.default_rng(0)
    clips = [
        sim.LabelledClip(rng.standard_normal(800).astype(np.float32), 8000, frozenset(lab), 1, t)
        for lab, t in ((["a"], False), ([], True), (["a", "b"], False))
    ]
    data = sim.build_clipset(
        "toy",
        clips,
        ["a", "b"],
        n_windows=3,
        fmin=100,
        fmax=3000,
        featurize=lambda clip, w: np.full((w, 5), clip.audio[0], np.float32),
    )
    assert data.windows.shape == (3, 3, 5)
    assert data.windows[1, 2, 4] == clips[1].audio[0]
    assert data.labels.tolist() == [[True, False], [False, False], [True, True]]


def test_paired_interval_is_the_student_t_interval() -> None:
    lo, hi = sim.paired_interval(0.03, 0.02, 10)
    half = 2.2622 * 0.02 / np.sqrt(10)  # t(0.975, 9)
    assert lo == pytest.approx(0.03 - half, abs=1e-4) and hi == pytest.approx(0.03 + half, abs=1e-4)
    assert sim.paired_interval(0.01, 0.0, 1) == (0.01, 0.01)
