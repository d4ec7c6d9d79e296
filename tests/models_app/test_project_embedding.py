"""The project's embedding: one rule (a lead's choice, else the default measured best), and the
adapters built on the project's own pretrained encoder (what the simulation measured)."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from django.conf import settings

from benchmarks.simulation_datasets import DetectorWindows
from models_app import adapters, embedders, pretraining
from models_app.adapters import BAND_STATS, COMBINED, DETECTOR, SELF_SUPERVISED, ULTRASONIC_HZ
from models_app.features import FeatureConfig
from models_app.selfsupervised import Encoder, SSLConfig, pretrain
from models_app.training import save_checkpoint
from tests import factories as f

FEATURES = FeatureConfig(fmin=15_000, fmax=120_000, n_freq_bins=32)


@pytest.fixture(scope="module")
def encoder_result():
    torch.manual_seed(0)
    pool = [np.random.default_rng(i).random((32, 60)).astype(np.float32) for i in range(4)]
    cfg = SSLConfig(features=FEATURES, epochs=1, batch_size=2, crop_s=0.02, num_threads=1)
    return pretrain(cfg, pool)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _store_encoder(project, result) -> None:
    path = settings.MEDIA_ROOT / adapters.encoder_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(path, result)


def _calls(samplerate: int = 384_000, seconds: float = 0.2) -> np.ndarray:
    t = np.arange(int(samplerate * seconds)) / samplerate
    return (0.3 * np.sin(2 * np.pi * 45_000 * t) * (np.sin(2 * np.pi * 20 * t) > 0)).astype(
        np.float32
    )


# --- the rule (no database) ------------------------------------------------------------------


def test_ultrasonic_projects_keep_band_statistics_pretrained_or_not():
    for pretrained in (False, True):
        for samplerate in (ULTRASONIC_HZ, 250_000, 384_000):
            embedding = adapters.default_embedding(pretrained, samplerate)
            assert embedding.name == BAND_STATS and embedding.chosen_by == "default"
    assert "ultrasonic recordings (384 kHz)" in adapters.default_embedding(True, 384_000).reason


def test_audible_projects_use_band_statistics_until_a_pretraining_then_the_encoder():
    for samplerate in (None, 22_050, 44_100, ULTRASONIC_HZ - 1):
        before = adapters.default_embedding(False, samplerate)
        assert before.name == BAND_STATS and "no self-supervised pretraining" in before.reason
        assert adapters.default_embedding(True, samplerate).name == SELF_SUPERVISED
    assert "(44 kHz)" in adapters.default_embedding(True, 44_100).reason


def test_the_rule_and_the_pretrainings_views_share_the_ultrasonic_boundary():
    assert pretraining.default_views(ULTRASONIC_HZ) == "disjoint"
    assert pretraining.default_views(ULTRASONIC_HZ - 1) == "overlapping"


# --- the rule on a project ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_default_changes_when_a_pretraining_stores_its_encoder(media, encoder_result):
    bats, birds = f.make_project("bats"), f.make_project("birds")
    f.make_recording(bats, samplerate=384_000)
    f.make_recording(birds, samplerate=44_100)
    assert adapters.project_embedding(bats).name == BAND_STATS
    assert adapters.project_embedding(birds).name == BAND_STATS
    _store_encoder(bats, encoder_result)
    _store_encoder(birds, encoder_result)
    assert adapters.project_embedding(bats).name == BAND_STATS  # measured best for bats
    assert adapters.project_embedding(birds).name == SELF_SUPERVISED


@pytest.mark.django_db
def test_a_leads_choice_overrides_the_default_the_detector_included(media, encoder_result):
    project = f.make_project("p")
    f.make_recording(project, samplerate=44_100)
    _store_encoder(project, encoder_result)
    embedding = adapters.choose(project, DETECTOR)
    assert embedding.name == DETECTOR and embedding.chosen_by == "lead"
    assert not embedding.is_adapter and embedding.source is None
    assert adapters.pending_chunks(project, embedding) == []
    project.refresh_from_db()
    assert adapters.project_embedding(project).name == DETECTOR
    embedding = adapters.choose(project, BAND_STATS)
    assert embedding.name == BAND_STATS and embedding.chosen_by == "lead"
    embedding = adapters.choose(project, COMBINED)  # a lead may still combine them
    assert embedding.name == COMBINED and embedding.chosen_by == "lead"
    embedding = adapters.choose(project, None)  # back to the default
    assert embedding.name == SELF_SUPERVISED and embedding.chosen_by == "default"


@pytest.mark.django_db
def test_adapters_on_the_encoder_are_refused_until_a_pretraining_finished(media, encoder_result):
    project = f.make_project("p", sampling_params={"batch": 1})
    for name in (SELF_SUPERVISED, COMBINED):
        with pytest.raises(ValueError, match="pretraining"):
            adapters.choose(project, name)
    project.refresh_from_db()
    assert project.sampling_params == {"batch": 1}  # nothing changed
    listed = {row["name"]: row for row in adapters.listing(project)}
    assert listed[BAND_STATS]["available"]
    assert not listed[SELF_SUPERVISED]["available"] and "pretraining" in listed[COMBINED]["error"]
    _store_encoder(project, encoder_result)
    listed = {row["name"]: row for row in adapters.listing(project)}
    assert listed[SELF_SUPERVISED]["available"] and listed[COMBINED]["available"]
    embedding = adapters.choose(project, SELF_SUPERVISED)
    assert embedding.name == SELF_SUPERVISED
    assert isinstance(adapters.adapter_for(project, SELF_SUPERVISED), embedders.SelfSupervised)


# --- the adapters ------------------------------------------------------------------------------


def test_the_selfsupervised_windows_are_the_ones_the_simulation_measured(encoder_result):
    """0.2 s at 1,000 columns/s: 100 fine columns, four 50-ms windows of 25 columns each, as the
    simulation's ``DetectorWindows`` splits them."""
    audio = _calls()
    adapter = embedders.get(SELF_SUPERVISED, encoder=Encoder(encoder_result))
    adapter.window_s = 0.05
    mine = adapter.embed(audio, 384_000)
    theirs = DetectorWindows(encoder_result)(SimpleNamespace(audio=audio, samplerate=384_000), 4)
    assert mine.shape == theirs.shape == (4, Encoder(encoder_result).dim)
    np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-5)


def test_the_combination_joins_unit_parts_window_by_window(encoder_result):
    audio = _calls(seconds=0.35)
    encoder = Encoder(encoder_result)
    out = embedders.get(COMBINED, encoder=encoder).embed(audio, 384_000)
    bands = embedders.BandStats().embed(audio, 384_000)
    assert out.shape == (len(bands), bands.shape[1] + encoder.dim) == (4, 48 + encoder.dim)
    first, second = out[:, : bands.shape[1]], out[:, bands.shape[1] :]
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(second, axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(
        first, bands / np.linalg.norm(bands, axis=1, keepdims=True), atol=1e-6
    )


def test_an_adapter_on_the_encoder_without_one_says_so():
    with pytest.raises(ValueError, match="pretrained encoder"):
        embedders.get(SELF_SUPERVISED).embed(_calls(), 384_000)
    assert embedders.needs_encoder(COMBINED) and not embedders.needs_encoder(BAND_STATS)
