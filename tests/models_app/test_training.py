"""Targets, losses, warm starts, checkpoints and (slow) short training runs."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from models_app.detector import DetectorConfig, DetectorNet
from models_app.features import FeatureConfig, freq_to_row, time_to_col
from models_app.inference import Detector
from models_app.synthetic import make_dataset
from models_app.training import (
    Box,
    Example,
    TrainConfig,
    TrainResult,
    build_targets,
    focal_loss,
    load_checkpoint,
    save_checkpoint,
    train,
    warm_start,
)

CLASSES = ["a", "b", "c"]


def grid_box(cfg: FeatureConfig, start, end, low, high) -> np.ndarray:
    """A box in input-grid edge coordinates (what ``build_targets`` takes)."""
    return np.array(
        [
            [
                time_to_col(start, cfg) + 0.5,
                time_to_col(end, cfg) + 0.5,
                freq_to_row(low, cfg) + 0.5,
                freq_to_row(high, cfg) + 0.5,
            ]
        ]
    )


def fresh_result(classes=CLASSES, **kwargs) -> TrainResult:
    cfg = DetectorConfig(class_names=list(classes), **kwargs)
    net = DetectorNet(cfg)
    return TrainResult({k: v.clone() for k, v in net.state_dict().items()}, cfg, {"loss": 1.0}, [])


def synthetic_examples(n: int, seed: int, **kwargs) -> list[Example]:
    clips = make_dataset(n, seed=seed, **kwargs)
    return [
        Example(c.events, c.audio, c.samplerate, is_empty=c.is_empty, meta=c.meta) for c in clips
    ]


def test_targets_put_a_peak_size_and_class_at_the_box_centre():
    cfg = DetectorConfig(class_names=CLASSES)
    fc = cfg.features
    box = grid_box(fc, 0.300, 0.304, 40_000, 60_000)
    t = build_targets([box], [np.array([2])], (128, 1000), cfg)
    row, col = np.unravel_index(np.argmax(t["heat"][0, 0]), t["heat"].shape[-2:])
    assert t["heat"][0, 0, row, col] == 1.0 and t["heat"][0, 0].sum() > 1  # a Gaussian bump
    assert abs(col * 2 + 0.5 - time_to_col(0.302, fc)) <= 1.5
    assert abs(row * 2 + 0.5 - freq_to_row(50_000, fc)) <= 1.5
    assert np.exp(t["size"][0, 0, row, col]) == pytest.approx(2.0, rel=0.01)  # 4 ms = 2 cells
    assert np.exp(t["size"][0, 1, row, col]) * 2 * fc.bin_hz == pytest.approx(20_000, rel=0.01)
    assert t["cls"][0, row, col] == 2 and t["size_mask"][0].sum() == 1
    assert t["clip"][0].tolist() == [0.0, 0.0, 1.0]


def test_boxes_without_frequencies_span_the_band_and_unknown_labels_teach_only_detection():
    from models_app.training import _boxes_to_grid

    fc = FeatureConfig()
    boxes, labels = _boxes_to_grid(
        [Box(0.1, 0.2), Box(0.3, 0.31, 20_000, 30_000, "zzz")], fc, {"a": 0}
    )
    assert boxes[0, 2] == pytest.approx(0.0) and boxes[0, 3] == pytest.approx(fc.n_freq_bins)
    assert labels.tolist() == [-1, -1]
    t = build_targets([boxes], [labels], (128, 500), DetectorConfig(class_names=["a"]))
    assert t["heat"].max() == 1.0 and (t["cls"] == -1).all() and t["clip"].sum() == 0


def test_focal_loss_prefers_the_right_heatmap():
    target = torch.zeros(1, 1, 8, 8)
    target[0, 0, 3, 3] = 1.0
    good = torch.full_like(target, -6.0)
    good[0, 0, 3, 3] = 6.0
    assert focal_loss(good, target) < focal_loss(torch.zeros_like(target), target)


def test_warm_start_remaps_class_heads_by_name():
    old = fresh_result(["a", "b", "c"])
    new_net = DetectorNet(DetectorConfig(class_names=["c", "a", "new"]))
    untouched = new_net.classes.weight.detach().clone()
    skipped = warm_start(new_net, old)
    w_old = old.state_dict["classes.weight"]
    torch.testing.assert_close(new_net.classes.weight[0], w_old[2])  # c
    torch.testing.assert_close(new_net.classes.weight[1], w_old[0])  # a
    torch.testing.assert_close(new_net.classes.weight[2], untouched[2])  # new: fresh init
    torch.testing.assert_close(
        new_net.stem.conv.conv.weight, old.state_dict["stem.conv.conv.weight"]
    )
    assert skipped == []


def test_warm_start_from_bare_state_dict_reinitialises_changed_heads():
    old = fresh_result(["a", "b", "c"])
    net = DetectorNet(DetectorConfig(class_names=["a", "b"]))
    skipped = warm_start(net, old.state_dict)
    assert "classes.weight" in skipped and "clip_logits.weight" in skipped


def test_checkpoint_round_trips_with_identical_outputs(tmp_path):
    result = fresh_result(meta_classes={"site": ["x", "y"]})
    result.metrics = {"val": {"f1": np.float64(0.5), "class_ap": {"a": np.float32(0.25)}}}
    path = tmp_path / "model.pt"
    save_checkpoint(path, result)
    loaded = load_checkpoint(path)
    assert loaded.config == result.config and loaded.metrics["val"]["f1"] == 0.5
    x = torch.randn(1, 1, 128, 100)
    a, b = result.build_model()(x), loaded.build_model()(x)
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0)


def test_load_checkpoint_accepts_bytes_and_refuses_foreign_files():
    buf = io.BytesIO()
    save_checkpoint(buf, fresh_result())
    assert load_checkpoint(buf.getvalue()).config.class_names == CLASSES
    other = io.BytesIO()
    torch.save({"state_dict": {}}, other)
    with pytest.raises(ValueError):
        load_checkpoint(other.getvalue())


def test_train_config_round_trips():
    cfg = TrainConfig(detector=DetectorConfig(class_names=CLASSES), epochs=3, use_metadata=True)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.slow
def test_short_training_lowers_the_loss_and_checkpoint_reproduces_scores():
    examples = synthetic_examples(32, seed=5, n_species=3)
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=[]),
        epochs=4,
        batch_size=8,
        crop_s=0.5,
        use_metadata=True,
        num_threads=2,
    )
    seen = []
    result = train(cfg, examples, progress=lambda e, n, m: seen.append((e, n, m["loss"])))
    assert [s[:2] for s in seen] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert seen[-1][2] < seen[0][2]
    assert result.config.class_names == sorted({b.label for ex in examples for b in ex.events})
    assert (
        set(result.config.meta_classes) <= {"site", "hour", "season"} and result.config.meta_classes
    )
    buf = io.BytesIO()
    save_checkpoint(buf, result)
    again = Detector.load(buf.getvalue(), device="cpu")
    first = Detector.from_result(result, device="cpu")
    audio, sr = examples[0].audio, examples[0].samplerate
    a, b = first.score_clip(audio, sr), again.score_clip(audio, sr)
    np.testing.assert_array_equal(a.class_probs, b.class_probs)
    np.testing.assert_array_equal(a.embedding, b.embedding)
    assert a.events == b.events


@pytest.mark.slow
def test_warm_start_training_with_a_new_class_and_precomputed_features():
    first = train(
        TrainConfig(detector=DetectorConfig(class_names=["x"]), epochs=1, crop_s=0.3),
        [
            Example(
                [Box(0.1, 0.104, 30_000, 60_000, "x")],
                np.random.default_rng(0).standard_normal(256_000).astype(np.float32),
                256_000,
            )
        ],
    )
    feats = np.zeros((128, 300), np.float32)
    feats[40:60, 100:104] = 2.0
    second = train(
        TrainConfig(detector=DetectorConfig(class_names=["x", "y"]), epochs=1),
        [Example([Box(0.1, 0.104, 30_000, 60_000, "y")], features=feats)],
        init_state=first,
    )
    assert second.config.class_names == ["x", "y"]
    score = Detector.from_result(second).score_features(feats)
    assert score.class_probs.shape == (2,) and np.isfinite(score.embedding).all()


@pytest.mark.parametrize("epochs", [1, 2, 5, 6])
def test_any_number_of_steps_trains(epochs):
    """Five steps in all once divided the one-cycle schedule by zero."""
    feats = np.zeros((128, 200), np.float32)
    feats[40:60, 100:104] = 2.0
    examples = [Example([Box(0.1, 0.104, 30_000, 60_000, "x")], features=feats)]
    result = train(
        TrainConfig(detector=DetectorConfig(class_names=["x"]), epochs=epochs, augment=False),
        examples,
    )
    assert len(result.history) == epochs and np.isfinite(result.history[-1]["loss"])


def _tiny_examples(n: int) -> list[Example]:
    feats = np.zeros((128, 200), np.float32)
    feats[40:60, 100:104] = 2.0
    return [Example([Box(0.1, 0.104, 30_000, 60_000, "x")], features=feats) for _ in range(n)]


def test_the_step_budget_bounds_a_training_whatever_the_number_of_labels():
    """Twelve labels in batches of 2 would be 6 steps × 15 epochs; the budget cuts it to 8."""
    plans, steps = [], []
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=["x"]),
        epochs=15,
        batch_size=2,
        augment=False,
        max_steps=8,
    )
    result = train(cfg, _tiny_examples(12), on_plan=plans.append, on_step=lambda: steps.append(1))
    assert len(steps) == 8 and len(result.history) == 2  # one whole epoch, then 2 steps of the next
    assert plans == [
        {
            "steps": 8,
            "asked_steps": 90,
            "epochs": 1.33,
            "asked_epochs": 15,
            "seconds_per_step": None,
            "max_seconds": None,
            "max_steps": 8,
            "cut": True,
        }
    ]


def test_the_time_budget_is_turned_into_steps_after_timing_the_first_ones(monkeypatch):
    steps = []  # a step takes one second on this clock
    monkeypatch.setattr("models_app.training.time.perf_counter", lambda: float(len(steps)))
    plans = []
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=["x"]),
        epochs=50,
        batch_size=2,
        augment=False,
        max_seconds=10,
    )
    train(cfg, _tiny_examples(12), on_plan=plans.append, on_step=lambda: steps.append(1))
    assert (
        plans[0]["cut"] and plans[0]["asked_steps"] == 300 and plans[0]["seconds_per_step"] == 1.0
    )
    assert plans[0]["steps"] == len(steps) == 10


def test_a_cancel_seen_at_a_step_stops_the_training():
    class Cancelled(Exception):
        pass

    steps = []

    def on_step():
        steps.append(1)
        if len(steps) == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        train(
            TrainConfig(
                detector=DetectorConfig(class_names=["x"]), epochs=10, batch_size=2, augment=False
            ),
            _tiny_examples(12),
            on_step=on_step,
        )
    assert len(steps) == 3  # within the first epoch, not at its end


def test_a_frequency_shift_moves_calls_and_boxes_together_and_forgets_the_species():
    from models_app.training import _shift_freq

    x = np.zeros((128, 50), np.float32)
    x[30:40, 10:20] = 1.0
    boxes = np.array([[10.0, 20.0, 30.0, 40.0], [10.0, 20.0, 120.0, 128.0]])
    rng = np.random.default_rng(3)
    moved, b, labels = _shift_freq(x, boxes, np.array([0, 1]), 0.25, rng)
    k = int(b[0, 2] - 30)
    assert k != 0 and moved.shape == x.shape
    assert np.array_equal(moved[30 + k : 40 + k, 10:20], x[30:40, 10:20])
    assert moved.sum() == x.sum()  # the call moved whole, nothing wrapped round
    assert b[0].tolist() == [10.0, 20.0, 30.0 + k, 40.0 + k]
    assert len(b) == (2 if k < 0 else 1) and (labels == -1).all() and len(labels) == len(b)


def test_frequency_shifted_clips_teach_no_clip_level_species():
    from models_app.targets import compute_losses

    out = {
        "heatmap": torch.zeros(2, 1, 4, 4),
        "extent": torch.zeros(2, 4, 4, 4),
        "classes": torch.zeros(2, 3, 4, 4),
        "clip_logits": torch.tensor([[5.0, -5.0, -5.0], [-5.0, -5.0, -5.0]]),
        "any_event": torch.zeros(2),
    }
    batch = {
        "heat": torch.zeros(2, 1, 4, 4),
        "extent": torch.zeros(2, 4, 4, 4),
        "extent_w": torch.zeros(2, 4, 4),
        "cls": torch.full((2, 4, 4), -1),
        "cls_w": torch.zeros(2, 4, 4),
        "clip": torch.tensor([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),  # clip 1 says "a" wrongly
        "any": torch.zeros(2),
        "meta": torch.zeros(2, 0, dtype=torch.long),
    }
    wrong = compute_losses(out, batch, {}, torch.ones(3))["clip"]
    batch["clip_w"] = torch.tensor([1.0, 0.0])  # clip 1 was shifted: its species are unknown
    assert compute_losses(out, batch, {}, torch.ones(3))["clip"] < wrong / 10
