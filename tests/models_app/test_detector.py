"""The detector network's outputs and the decoding of heatmaps into events."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from models_app.detector import (
    DetectorConfig,
    DetectorNet,
    count_parameters,
    decode,
    fuse_for_inference,
)
from models_app.features import FeatureConfig, freq_to_row, time_to_col

CLASSES = ["a", "b", "c"]


@pytest.fixture
def cfg() -> DetectorConfig:
    return DetectorConfig(class_names=CLASSES)


def blank_outputs(cfg: DetectorConfig, width: int = 500, batch: int = 1) -> dict[str, torch.Tensor]:
    """Network-shaped outputs with no event anywhere (heatmap logit -10)."""
    fo = cfg.features.n_freq_bins // cfg.stride
    return {
        "heatmap": torch.full((batch, 1, fo, width), -10.0),
        "extent": torch.zeros((batch, 4, fo, width)),
        "classes": torch.zeros((batch, cfg.n_classes, fo, width)),
    }


def put_event(
    out, cfg, *, b=0, t=0.3, f=50_000.0, dur=0.004, bw=20_000.0, prob=0.9, cls=1, low_frac=0.5
):
    """Write an event centred at (t, f) into constructed outputs; returns its cell.

    ``low_frac`` is the share of the bandwidth below ``f`` (0.5: ``f`` is the centre).
    """
    s = cfg.stride
    col = int(round((time_to_col(t, cfg.features) - (s - 1) / 2) / s))
    row = int(round((freq_to_row(f, cfg.features) - (s - 1) / 2) / s))
    out["heatmap"][b, 0, row, col] = math.log(prob / (1 - prob))
    half_t = math.log(dur / 2 * cfg.features.frames_per_second / s)
    cells_f = bw / (s * cfg.features.bin_hz)
    out["extent"][b, :, row, col] = torch.tensor(
        [half_t, half_t, math.log(cells_f * low_frac), math.log(cells_f * (1 - low_frac))]
    )
    out["classes"][b, cls, row, col] = 5.0
    return row, col


def test_outputs_have_expected_shapes_for_odd_widths(cfg):
    net = DetectorNet(cfg).eval()
    with torch.inference_mode():
        out = net(torch.randn(2, 1, 128, 997))
    assert out["heatmap"].shape == (2, 1, 64, 499)
    assert out["extent"].shape == (2, 4, 64, 499)
    assert out["classes"].shape == (2, 3, 64, 499)
    assert out["clip_logits"].shape == (2, 3)
    assert out["any_event"].shape == (2,)
    assert out["embedding"].shape == (2, cfg.embedding_dim)
    assert not any(k.startswith("meta/") for k in out)


def test_meta_heads_only_when_configured():
    cfg = DetectorConfig(
        class_names=CLASSES, meta_classes={"site": ["x", "y"], "season": ["s", "w", "a"]}
    )
    out = DetectorNet(cfg).eval()(torch.randn(1, 1, 128, 64))
    assert out["meta/site"].shape == (1, 2) and out["meta/season"].shape == (1, 3)


def test_model_is_compact(cfg):
    assert 30_000 < count_parameters(DetectorNet(cfg)) < 500_000


def test_frequency_coordinate_breaks_translation_equivariance(cfg):
    # The same pattern at two frequencies must be able to produce different class maps.
    net = DetectorNet(cfg).eval()
    x = torch.zeros(2, 1, 128, 64)
    x[0, 0, 20:24, 30:34] = 1.0
    x[1, 0, 80:84, 30:34] = 1.0
    with torch.inference_mode():
        out = net(x)
    a = out["classes"][0, :, 11, 16]
    b = out["classes"][1, :, 41, 16]
    assert not torch.allclose(a, b)


def test_config_round_trips_through_json(cfg):
    full = DetectorConfig(
        class_names=CLASSES,
        features=FeatureConfig(representation="scalogram", fmin=1_000, fmax=12_000),
        channels=(8, 16, 32),
        meta_classes={"site": ["x", "y"]},
    )
    assert DetectorConfig.from_dict(json.loads(json.dumps(full.to_dict()))) == full


def test_fused_model_matches_unfused(cfg):
    net = DetectorNet(cfg)
    for m in net.modules():  # non-trivial BatchNorm statistics
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    net.eval()
    x = torch.randn(2, 1, 128, 80)
    with torch.inference_mode():
        a, b = net(x), fuse_for_inference(net)(x)
    for key in a:
        torch.testing.assert_close(a[key], b[key], atol=1e-4, rtol=1e-4)


def test_decode_recovers_time_frequency_size_and_class(cfg):
    out = blank_outputs(cfg)
    put_event(out, cfg, t=0.301, f=52_000.0, dur=0.004, bw=20_000.0, prob=0.9, cls=1)
    (events,) = decode(out, cfg, threshold=0.5, top_k=10)
    assert len(events) == 1
    e = events[0]
    assert e.class_name == "b" and e.score == pytest.approx(0.9, abs=1e-5)
    assert (e.start_s + e.end_s) / 2 == pytest.approx(0.301, abs=0.002)  # 2 ms output cells
    assert e.end_s - e.start_s == pytest.approx(0.004, rel=1e-4)
    assert (e.low_hz + e.high_hz) / 2 == pytest.approx(52_000, abs=cfg.features.bin_hz * 2)
    assert e.high_hz - e.low_hz == pytest.approx(20_000, rel=1e-4)
    assert e.class_probs["b"] > 0.9 and sum(e.class_probs.values()) == pytest.approx(1.0)


def test_decode_nms_keeps_one_peak_per_blob(cfg):
    out = blank_outputs(cfg)
    row, col = put_event(out, cfg, prob=0.9)
    out["heatmap"][0, 0, row, col + 1] = 1.0  # weaker neighbour: suppressed by max-pool NMS
    out["heatmap"][0, 0, row + 1, col] = 1.5
    put_event(out, cfg, t=0.6, f=80_000.0, prob=0.7, cls=2)  # a separate call
    (events,) = decode(out, cfg, threshold=0.5, top_k=10)
    assert [round(e.score, 2) for e in events] == [0.9, 0.7]
    assert [e.class_name for e in events] == ["b", "c"]


def test_decode_threshold_top_k_and_batches(cfg):
    out = blank_outputs(cfg, batch=2)
    for i, t in enumerate(np.linspace(0.1, 0.9, 6)):
        put_event(out, cfg, b=0, t=float(t), prob=0.5 + 0.08 * i)
    put_event(out, cfg, b=1, t=0.5, prob=0.4)
    first, second = decode(out, cfg, threshold=0.45, top_k=3)
    assert len(first) == 3 and first[0].score > first[1].score > first[2].score
    assert second == []
    assert len(decode(out, cfg, threshold=0.35, top_k=10)[1]) == 1


def test_decode_clamps_boxes_to_the_band(cfg):
    out = blank_outputs(cfg)
    put_event(out, cfg, t=0.0011, f=cfg.features.fmax - 1_000, dur=0.01, bw=50_000.0)
    (e,) = decode(out, cfg, threshold=0.5, top_k=5)[0]
    assert e.start_s == 0.0 and e.high_hz == cfg.features.fmax


def test_peaks_stacked_along_one_sweep_become_one_event(cfg):
    out = blank_outputs(cfg)
    put_event(out, cfg, t=0.3, f=50_000.0, dur=0.004, bw=30_000.0, prob=0.9)
    put_event(out, cfg, t=0.3005, f=62_000.0, dur=0.004, bw=10_000.0, prob=0.6)  # same call
    put_event(out, cfg, t=0.3, f=110_000.0, dur=0.004, bw=5_000.0, prob=0.7)  # another bat, higher
    (events,) = decode(out, cfg, threshold=0.5, top_k=10)
    assert [round(e.score, 1) for e in events] == [0.9, 0.7]
    assert len(decode(out, cfg, threshold=0.5, top_k=10, box_nms=None)[0]) == 3


def test_decode_reads_box_edges_from_a_peak_off_the_box_centre(cfg):
    # The peak sits at 40 kHz on a call spanning 30–70 kHz (a quarter of it below).
    out = blank_outputs(cfg)
    put_event(out, cfg, f=40_000.0, bw=40_000.0, low_frac=0.25)
    (e,) = decode(out, cfg, threshold=0.5)[0]
    assert e.low_hz == pytest.approx(30_000, abs=cfg.features.bin_hz * 2)
    assert e.high_hz == pytest.approx(70_000, abs=cfg.features.bin_hz * 2)
    assert e.high_hz - e.low_hz == pytest.approx(40_000, rel=1e-4)


def test_old_size_head_checkpoints_load_to_the_same_boxes(cfg):
    # A state dict from before box edges (a 2-channel "size" head: log duration and
    # log bandwidth of a box centred on the cell) loads into the 4-edge head.
    net = DetectorNet(cfg)
    old = {k: v for k, v in net.state_dict().items() if not k.startswith("extent.")}
    old["size.weight"] = torch.randn(2, cfg.channels[0], 1, 1) * 0.1
    old["size.bias"] = torch.tensor([math.log(2.0), math.log(10.0)])  # 2 × 10 cells
    fresh = DetectorNet(cfg)
    fresh.load_state_dict(old)
    x = torch.randn(1, 1, 128, 64)
    with torch.inference_mode():
        ext = fresh.eval()(x)["extent"]
        hid_size = F.conv2d(_head_input(fresh, x), old["size.weight"], old["size.bias"])
    # Half the old duration/bandwidth on either side of the cell.
    torch.testing.assert_close(ext[:, 0], hid_size[:, 0] - math.log(2.0))
    torch.testing.assert_close(ext[:, 1], hid_size[:, 0] - math.log(2.0))
    torch.testing.assert_close(ext[:, 2], hid_size[:, 1] - math.log(2.0))
    torch.testing.assert_close(ext[:, 3], hid_size[:, 1] - math.log(2.0))


def _head_input(net: DetectorNet, x: torch.Tensor) -> torch.Tensor:
    """The features the box head reads (captured with a forward hook)."""
    seen = {}
    handle = net.extent.register_forward_hook(lambda m, inp, out: seen.setdefault("x", inp[0]))
    net(x)
    handle.remove()
    return seen["x"]


def test_edge_targets_decode_back_to_the_box_from_cells_off_its_centre(cfg):
    from models_app.targets import build_targets
    from models_app.training import Box, _boxes_to_grid

    truth = Box(0.3012, 0.3093, 41_000.0, 77_000.0, "a")
    grid, labels = _boxes_to_grid([truth], cfg.features, {"a": 0})
    t = build_targets([grid], [labels], (cfg.features.n_freq_bins, 1000), cfg)
    cells = np.argwhere(t["extent_w"][0] > 0)
    assert len(cells) > 5  # taught around the centre, not at one cell
    for row, col in cells[:: max(1, len(cells) // 6)]:
        out = blank_outputs(cfg)
        out["heatmap"][0, 0, row, col] = 3.0
        out["extent"][0, :, row, col] = torch.from_numpy(t["extent"][0, :, row, col])
        (e,) = decode(out, cfg, threshold=0.5)[0]
        assert (e.start_s, e.end_s) == (pytest.approx(0.3012, abs=1e-6), pytest.approx(0.3093))
        assert (e.low_hz, e.high_hz) == (pytest.approx(41_000), pytest.approx(77_000))


def test_warm_start_from_an_old_checkpoint_keeps_its_box_head(cfg):
    from models_app.training import warm_start

    old = {k: v for k, v in DetectorNet(cfg).state_dict().items() if not k.startswith("extent.")}
    old["size.weight"] = torch.randn(2, cfg.channels[0], 1, 1)
    old["size.bias"] = torch.tensor([0.5, 2.0])
    net = DetectorNet(cfg)
    assert warm_start(net, old) == []
    torch.testing.assert_close(net.extent.weight, old["size.weight"][[0, 0, 1, 1]])
    assert "size.weight" in old  # the caller's state dict is left as it was
