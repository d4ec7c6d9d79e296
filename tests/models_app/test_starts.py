"""The synthetic starting point of a first training, and its cache in storage."""

import pytest

from models_app import starts
from models_app.features import FeatureConfig

BAT = FeatureConfig(fmin=15_000, fmax=120_000, n_freq_bins=32)


def test_bats_start_synthetic_birds_from_scratch():
    assert starts.default_start(384_000) == "synthetic"
    assert starts.default_start(48_000) == "scratch"


def test_key_names_the_settings_not_the_thread_count():
    spec = starts.SyntheticStart(BAT, 384_000, n_clips=10, epochs=1)
    assert spec.key() == starts.SyntheticStart(BAT, 384_000, n_clips=10, epochs=1, num_threads=1).key()
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
    trained_ap, untrained_ap = det_ap(Detector.from_result(result)), det_ap(Detector.from_result(untrained))
    assert trained_ap > max(0.5, untrained_ap + 0.3), (trained_ap, untrained_ap)
