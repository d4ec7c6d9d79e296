"""A first training's starting point: chosen by the project, trained once, then read from storage."""

import pytest
import torch

from models_app import registry, starts
from models_app.detector import DetectorConfig, DetectorNet
from models_app.features import FeatureConfig
from models_app.options import ModelOptions
from models_app.training import TrainConfig, TrainResult

FEATURES = FeatureConfig(fmin=15_000, fmax=120_000, n_freq_bins=32)
CFG = TrainConfig(detector=DetectorConfig(class_names=["a"], features=FEATURES), epochs=1)


@pytest.fixture
def counted(monkeypatch, settings, tmp_path):
    """train_synthetic_start replaced by an untrained net; the calls are counted."""
    settings.MEDIA_ROOT = tmp_path
    calls = []

    def fake(spec, progress=None):
        calls.append(spec)
        config = DetectorConfig(class_names=["sp00_fm"], features=spec.features)
        return TrainResult(DetectorNet(config).state_dict(), config, {}, [])

    monkeypatch.setattr(starts, "train_synthetic_start", fake)
    return calls


def test_scratch_has_no_starting_point(counted):
    assert registry.starting_point(CFG, 384_000, ModelOptions(start_from="scratch"), print) is None
    assert (
        registry.starting_point(CFG, 44_100, ModelOptions(), print) is None
    )  # birds: scratch by default
    assert counted == []


def test_unknown_start_is_a_clear_error(counted):
    with pytest.raises(ValueError, match="start_from must be one of scratch, synthetic"):
        ModelOptions(start_from="imagenet")


def test_synthetic_start_is_trained_once_then_read_back(counted, tmp_path):
    log = []
    opts = ModelOptions(pretrain_clips=5, pretrain_epochs=2)
    first = registry.starting_point(CFG, 384_000, opts, log.append)
    again = registry.starting_point(CFG, 384_000, opts, log.append)
    assert len(counted) == 1 and (counted[0].n_clips, counted[0].epochs) == (5, 2)
    assert [p.name.startswith("synthetic-") for p in (tmp_path / "starts").iterdir()] == [True]
    assert "pretraining on 5 synthetic clips × 2 epochs" in log[0] and "stored" in log[1]
    for name, tensor in first.state_dict.items():
        assert torch.equal(tensor, again.state_dict[name])
    registry.starting_point(CFG, 256_000, opts, log.append)  # another sample rate: its own start
    assert len(counted) == 2


def test_the_demos_features_start_from_the_shipped_pretraining(counted):
    demo = TrainConfig(
        detector=DetectorConfig(
            class_names=["a"], features=FeatureConfig(fmin=10_000, fmax=150_000)
        )
    )
    log = []
    for rate in (375_000, 384_000, 500_000):  # the Whombat rates share one pretraining
        result = registry.starting_point(demo, rate, ModelOptions(), log.append)
        assert result is not None and result.state_dict
    assert counted == [] and all("shipped synthetic pretraining" in line for line in log)
