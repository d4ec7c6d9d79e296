"""Window embeddings read off the detector's forward pass, and the box embedding of a query."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from models_app.detector import DetectorConfig, DetectorNet
from models_app.features import FeatureConfig
from models_app.inference import Detector

SR = 384_000


@pytest.fixture(scope="module")
def detector():
    torch.manual_seed(0)
    cfg = DetectorConfig(class_names=["a", "b"], features=FeatureConfig())
    return Detector(DetectorNet(cfg), cfg, device="cpu")


def _clip(call_at: float | None, freq: float = 40_000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = 0.005 * rng.standard_normal(SR // 2).astype(np.float32)
    if call_at is not None:
        t = np.arange(int(0.01 * SR)) / SR
        i = int(call_at * SR)
        x[i : i + len(t)] += (0.3 * np.sin(2 * np.pi * freq * t) * np.hanning(len(t))).astype(
            np.float32
        )
    return x


def test_one_unit_embedding_per_window(detector):
    score = detector.score_clip(_clip(0.22), SR)
    assert score.window_embeddings.shape == (
        5,
        detector.config.embedding_dim,
    )  # 0.5 s in 0.1 s windows
    np.testing.assert_allclose(np.linalg.norm(score.window_embeddings, axis=1), 1, atol=1e-5)


def test_the_window_holding_the_call_stands_out(detector):
    win = detector.score_clip(_clip(0.22), SR).window_embeddings
    quiet = detector.score_clip(_clip(None), SR).window_embeddings
    change = 1 - np.sum(win * quiet, axis=1)
    assert int(np.argmax(change)) == 2  # 0.2–0.3 s


def test_box_embedding_pools_the_box_and_masks_other_bands(detector):
    x = _clip(0.22)
    box = detector.embed_region(x, SR, 0.2, 0.3)
    window = detector.score_clip(x, SR).window_embeddings[2]
    assert float(box @ window) > 0.99  # same span, same features: the window's embedding
    # Two calls in one window: a band around the low one finds the low call alone better.
    both = _clip(0.22) + _clip(0.22, freq=100_000, seed=1)
    low_only = detector.embed_region(_clip(0.22, seed=2), SR, 0.2, 0.3)
    whole = detector.embed_region(both, SR, 0.2, 0.3)
    banded = detector.embed_region(both, SR, 0.2, 0.3, 30_000, 50_000)
    assert float(banded @ low_only) > float(whole @ low_only)
    with pytest.raises(ValueError, match="outside"):
        detector.embed_region(x, SR, 0.2, 0.3, 180_000, 190_000)
