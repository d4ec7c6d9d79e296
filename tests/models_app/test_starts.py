"""The synthetic starting point of a first training, and its cache in storage."""

import pytest
import torch

from models_app import starts
from models_app.features import FeatureConfig

BAT = FeatureConfig(fmin=15_000, fmax=120_000, n_freq_bins=32)


def test_bats_start_synthetic_birds_from_scratch():
    assert starts.default_start(384_000) == "synthetic"
    assert starts.default_start(48_000) == "scratch"


def test_key_names_the_settings_not_the_thread_count():
    spec = starts.SyntheticStart(BAT, 384_000, n_clips=10, epochs=1)
    assert (
        spec.key() == starts.SyntheticStart(BAT, 384_000, n_clips=10, epochs=1, num_threads=1).key()
    )
    assert spec.key() != starts.SyntheticStart(BAT, 256_000, n_clips=10, epochs=1).key()
    assert spec.key() != starts.SyntheticStart(BAT, 384_000, n_clips=11, epochs=1).key()


def test_empty_pretraining_is_refused():
    with pytest.raises(ValueError, match="at least one clip"):
        starts.train_synthetic_start(starts.SyntheticStart(BAT, 384_000, n_clips=0))


@pytest.mark.slow
def test_synthetic_start_learns_to_find_calls_with_the_projects_features():
    """Half a minute on generated calls already beats an untrained net at finding them."""
    from models_app.detector import DetectorConfig, DetectorNet
    from models_app.evaluation import evaluate
    from models_app.inference import Detector
    from models_app.synthetic import make_dataset
    from models_app.training import TrainResult

    spec = starts.SyntheticStart(BAT, 256_000, n_clips=150, epochs=6, num_threads=1)
    result = starts.train_synthetic_start(spec)
    assert result.config.features == BAT  # synthetic species names: no project shares them
    assert len(result.config.class_names) == starts.SYNTHETIC_SPECIES
    held_out = make_dataset(20, seed=9_999, samplerate=256_000, n_species=starts.SYNTHETIC_SPECIES)
    truth = [clip.events for clip in held_out]

    def det_ap(detector: Detector) -> float:
        scores = detector.score_clips([(clip.audio, clip.samplerate) for clip in held_out])
        return evaluate([s.events for s in scores], truth, threshold=0.3)["det_ap"]

    config = DetectorConfig(class_names=[], features=BAT)
    untrained = TrainResult(DetectorNet(config).state_dict(), config, {}, [])
    trained_ap, untrained_ap = (
        det_ap(Detector.from_result(result)),
        det_ap(Detector.from_result(untrained)),
    )
    assert trained_ap > max(0.5, untrained_ap + 0.3), (trained_ap, untrained_ap)


def test_bat_rates_whose_band_fits_share_one_pretraining():
    demo = FeatureConfig(fmin=10_000, fmax=150_000)
    shared = {starts.synthetic_spec(demo, rate).key() for rate in (375_000, 384_000, 500_000)}
    assert len(shared) == 1 and starts.synthetic_spec(demo, 500_000).samplerate == 384_000
    assert starts.synthetic_spec(demo, 256_000).samplerate == 256_000  # calls scaled: its own
    wide = FeatureConfig(fmin=10_000, fmax=240_000)
    assert starts.synthetic_spec(wide, 500_000).samplerate == 500_000  # band above 192 kHz


def test_project_settings_size_the_pretraining_and_threads_do_not_change_its_key():
    opts = {"pretrain_clips": "12", "pretrain_epochs": 2, "pretrain_crop_s": None}
    spec = starts.synthetic_spec(BAT, 384_000, opts, num_threads=1)
    assert (spec.n_clips, spec.epochs, spec.num_threads) == (12, 2, 1)
    assert spec.crop_s == starts.SyntheticStart(BAT, 384_000).crop_s  # None: the default
    assert spec.key() == starts.synthetic_spec(BAT, 384_000, opts).key()


def test_progress_raising_during_generation_stops_the_pretraining():
    calls = []

    def cancel(done: float, total: float, message: str) -> None:
        calls.append(done / total)
        raise KeyboardInterrupt("cancelled by the lead")

    spec = starts.SyntheticStart(BAT, 384_000, n_clips=starts.BLOCK + 5, epochs=1)
    with pytest.raises(KeyboardInterrupt, match="cancelled"):
        starts.train_synthetic_start(spec, progress=cancel)
    assert len(calls) == 1 and 0 < calls[0] < 1  # the first block only, nothing trained


@pytest.mark.slow
def test_progress_grows_to_one_through_generation_and_epochs():
    seen = []
    spec = starts.SyntheticStart(
        BAT, 256_000, n_clips=6, epochs=3, clip_s=0.5, crop_s=0.25, num_threads=1
    )
    result = starts.train_synthetic_start(spec, progress=lambda d, t, m: seen.append((d / t, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert fractions[-1] == pytest.approx(1.0) and 0 < fractions[0] < 0.5
    assert "generating" in seen[0][1] and [m for _, m in seen[1:]] == [
        f"pretraining: epoch {e}/3" for e in (1, 2, 3)
    ]
    assert len(result.history) == 3


@pytest.mark.slow
def test_progress_raising_in_an_epoch_stops_the_training():
    epochs = []

    def cancel_at_second_epoch(done: float, total: float, message: str) -> None:
        if "epoch" in message:
            epochs.append(message)
            if len(epochs) == 2:
                raise RuntimeError("cancelled")

    spec = starts.SyntheticStart(
        BAT, 256_000, n_clips=4, epochs=4, clip_s=0.5, crop_s=0.25, num_threads=1
    )
    with pytest.raises(RuntimeError, match="cancelled"):
        starts.train_synthetic_start(spec, progress=cancel_at_second_epoch)
    assert epochs == ["pretraining: epoch 1/4", "pretraining: epoch 2/4"]


@pytest.mark.parametrize("features", starts.SHIPPED)
def test_shipped_pretraining_loads_for_its_settings_and_matches_its_key(features):
    spec = starts.synthetic_spec(features, 375_000)  # the demo's recordings: 375 and 384 kHz
    result = starts.shipped_start(spec)
    assert result is not None, (
        f"python -m models_app.starts --build writes synthetic-{spec.key()}.pt"
    )
    stored = dict(result.metrics["synthetic_start"])
    stored["features"] = FeatureConfig.from_dict(stored["features"])
    assert starts.SyntheticStart(**stored).key() == spec.key()
    assert result.config.features == features
    assert len(result.config.class_names) == starts.SYNTHETIC_SPECIES
    assert all(
        v.dtype == torch.float32 for v in result.state_dict.values() if v.is_floating_point()
    )
    result.build_model()  # every tensor fits the architecture


def test_no_shipped_pretraining_for_other_settings():
    assert starts.shipped_start(starts.synthetic_spec(BAT, 384_000)) is None
