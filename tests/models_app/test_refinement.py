"""Boxes outlined on the spectrogram around each detected peak (``models_app.refinement``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from annotator.boxes import box_iou
from models_app.detector import DetectorConfig, DetectorNet, Event
from models_app.features import FeatureConfig, col_to_time, row_to_freq
from models_app.inference import Detector
from models_app.refinement import refine_events

FC = FeatureConfig()  # 1,000 columns/s, 128 rows from 10 to 120 kHz


def call_image(width: int = 200) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """Log features (dB above the floor / 20) holding one call, 30 dB at its centre falling to
    24 dB at its edges, over columns 80–99 and rows 30–49, a weaker harmonic (15 dB) on rows
    70–89 and faint noise; returns the image and the call's box in seconds and Hz."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 0.2, (FC.n_freq_bins, width)).astype(np.float32)
    cols, rows = np.arange(80, 100), np.arange(30, 50)
    bump = (
        np.exp(-(((cols - 89.5) / 20) ** 2))[None] * np.exp(-(((rows - 39.5) / 20) ** 2))[:, None]
    )
    x[30:50, 80:100] = 1.2 + 0.3 * (bump - bump.min()) / (bump.max() - bump.min())
    x[70:90, 80:100] = 0.75
    box = (
        col_to_time(79.5, FC),
        col_to_time(99.5, FC),
        row_to_freq(29.5, FC),
        row_to_freq(49.5, FC),
    )
    return x, tuple(float(v) for v in box)


def iou(e: Event, box) -> float:
    return float(box_iou([[e.start_s, e.end_s, e.low_hz, e.high_hz]], [box])[0, 0])


def event(start_s, end_s, low_hz, high_hz, score=0.9) -> Event:
    return Event(start_s, end_s, low_hz, high_hz, "event", score, {"event": 1.0}, score)


def test_a_box_too_short_and_too_tall_becomes_the_calls_outline():
    x, box = call_image()
    wrong = event(0.088, 0.091, 20_000, 110_000)  # the extent head's guess on an unseen species
    assert iou(wrong, box) < 0.1
    (refined,) = refine_events([wrong], x, FC, drop_db=18.0)
    assert iou(refined, box) > 0.95
    assert (refined.score, refined.class_name) == (wrong.score, wrong.class_name)


def test_a_peak_on_the_weaker_harmonic_outlines_the_dominant_one():
    x, box = call_image()
    on_harmonic = event(0.085, 0.095, row_to_freq(70, FC), row_to_freq(89, FC))
    (refined,) = refine_events([on_harmonic], x, FC, drop_db=18.0)
    assert iou(refined, box) > 0.95


def test_a_peak_too_faint_to_outline_keeps_its_box():
    x = np.full((FC.n_freq_bins, 100), 0.1, np.float32)
    x[40:45, 50:55] = 0.6  # 12 dB above the floor: below the outline's floor + margin
    faint = event(0.049, 0.056, 40_000, 50_000)
    assert refine_events([faint], x, FC, drop_db=18.0) == [faint]


def test_pcen_features_are_not_outlined():
    x, _ = call_image()
    guess = event(0.088, 0.091, 20_000, 110_000)
    pcen = FeatureConfig(scaling="pcen")
    assert refine_events([guess], x, pcen, drop_db=18.0) == [guess]


class PeakAtTheLoudestCell(DetectorNet):
    """A detector whose heatmap peaks where the features are loudest and whose extent head
    draws one-cell boxes (an extent head that never learned this call's shape)."""

    def forward(self, x):
        out = super().forward(x)
        x = x if x.dim() == 4 else x.unsqueeze(1)
        pooled = F.avg_pool2d(x, 2, ceil_mode=True)[..., : out["heatmap"].shape[-1]]
        out["heatmap"] = 20.0 * (pooled - 1.0)
        out["extent"] = torch.full_like(out["extent"], np.log(0.5))
        return out


def scripted_detector(box_refine_db: float | None) -> Detector:
    torch.manual_seed(0)
    cfg = DetectorConfig(class_names=[], features=FC, box_refine_db=box_refine_db)
    return Detector(PeakAtTheLoudestCell(cfg), cfg, device="cpu", threshold=0.5)


def test_the_detector_serves_outlined_boxes_and_one_event_per_call():
    x, box = call_image()
    events = scripted_detector(18.0).score_features(x).events
    assert len(events) == 1  # the call's and the harmonic's peaks outline one box
    assert iou(events[0], box) > 0.95


def test_without_a_depth_the_detector_serves_the_extent_heads_boxes():
    x, box = call_image()
    events = scripted_detector(None).score_features(x).events
    assert events and max(iou(e, box) for e in events) < 0.1


def test_a_config_saved_before_outlines_keeps_the_extent_heads_boxes():
    saved = DetectorConfig(class_names=["a"]).to_dict()
    del saved["box_refine_db"]
    assert DetectorConfig.from_dict(saved).box_refine_db is None
    assert DetectorConfig(class_names=["a"]).box_refine_db == 18.0


def test_the_model_options_refuse_a_depth_or_shift_out_of_range():
    from models_app.options import ModelOptions

    assert ModelOptions().box_refine_db == 18.0 and ModelOptions(box_refine_db=0).box_refine_db == 0
    for bad in ({"box_refine_db": -1.0}, {"box_refine_db": 61.0}, {"freq_shift_prob": 1.5}):
        with pytest.raises(ValueError):
            ModelOptions(**bad)
