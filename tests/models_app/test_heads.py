"""Light heads on frozen embeddings, and the embedding adapter interface."""

from __future__ import annotations

import numpy as np
import pytest

from models_app import embedders, heads


def test_head_learns_separable_classes_and_handles_one_sided_labels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 16)).astype(np.float32)
    y = np.stack([x[:, 0] > 0.5, np.zeros(200, bool)], axis=1)
    head = heads.fit(x, y, ["a", "never"])
    p = head.probabilities(x)
    assert p.shape == (200, 2)
    assert np.mean((p[:, 0] > 0.5) == y[:, 0]) > 0.9
    assert np.all(p[:, 1] < 0.05)  # only negatives: a low prior, not a crash


def test_band_stats_adapter_follows_the_interface():
    adapter = embedders.get("band-stats")
    assert isinstance(adapter, embedders.EmbeddingAdapter)
    assert adapter.licence
    sr = 48_000
    t = np.arange(sr // 2) / sr
    low = embedders.embed_windows(adapter, np.sin(2 * np.pi * 2_000 * t).astype(np.float32), sr)
    low2 = embedders.embed_windows(
        adapter, 0.5 * np.sin(2 * np.pi * 2_100 * t).astype(np.float32), sr
    )
    high = embedders.embed_windows(adapter, np.sin(2 * np.pi * 15_000 * t).astype(np.float32), sr)
    assert low.shape == (5, 48)
    assert float(low[2] @ low2[2]) > float(low[2] @ high[2])


def test_adapters_from_the_environment_are_listed_with_licence_or_error(monkeypatch):
    monkeypatch.setenv("ECHOLOOP_EMBEDDERS", "models_app.embedders.BandStats,nowhere.Missing")
    infos = {i.name: i for i in embedders.available()}
    assert infos["band-stats"].available and "no model weights" in infos["band-stats"].licence
    assert not infos["Missing"].available and "ModuleNotFoundError" in infos["Missing"].error
    with pytest.raises(ValueError, match="no embedding adapter"):
        embedders.get("Missing")
