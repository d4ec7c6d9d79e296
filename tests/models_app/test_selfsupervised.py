"""Self-supervised pretraining (Django-free): the objective learns structure and not noise, the
views and augmentations do what they say, a resumed run continues, the encoder starts a detector."""

import math

import numpy as np
import pytest
import torch

from models_app.detector import DetectorNet
from models_app.features import FeatureConfig
from models_app.selfsupervised import (
    SSLConfig,
    SSLState,
    augment,
    encode,
    nt_xent,
    pretrain,
    two_views,
)
from models_app.training import warm_start

FC = FeatureConfig(n_freq_bins=32, frames_per_second=1000.0)


def structured_pool(n: int, rng, width: int = 200) -> list[np.ndarray]:
    """Four 'species': each repeats its own call (band and interval) along the clip over noise."""
    clips = []
    for i in range(n):
        k = i % 4
        x = rng.random((32, width)).astype(np.float32) * 0.2
        for t in range(5 + 3 * k, width - 8, 25 + 5 * k):
            x[4 + 6 * k : 8 + 6 * k, t : t + 4] += 1.0
        clips.append(x)
    return clips


def noise_pool(n: int, rng, width: int = 200) -> list[np.ndarray]:
    return [rng.random((32, width)).astype(np.float32) for _ in range(n)]


def small(**kw) -> SSLConfig:
    base = {
        "features": FC,
        "epochs": 6,
        "batch_size": 16,
        "crop_s": 0.04,
        "num_threads": 1,
        "lr": 3e-3,
    }
    return SSLConfig(**{**base, **kw})


@pytest.mark.slow
def test_loss_falls_on_structured_clips_and_stays_at_chance_on_noise():
    rng = np.random.default_rng(0)
    structured = pretrain(small(), structured_pool(64, rng)).history
    noise = pretrain(small(), noise_pool(64, rng)).history
    chance = math.log(2 * 16 - 1)
    assert structured[-1]["chance"] == pytest.approx(chance)
    # Structure: well below chance by the end. Noise: nothing to learn from disjoint stretches.
    assert structured[-1]["loss"] < chance - 0.5
    assert abs(noise[-1]["loss"] - chance) < 0.05
    assert min(r["loss"] for r in noise) > chance - 0.1


@pytest.mark.slow
def test_embeddings_group_clips_of_the_same_kind():
    rng = np.random.default_rng(1)
    pool = structured_pool(64, rng)
    result = pretrain(small(epochs=8), pool)
    emb = encode(result, pool)
    assert emb.shape == (64, 2 * 64 + 2 * 12)
    z = (emb - emb.mean(0)) / (emb.std(0) + 1e-6)
    d = ((z[:, None] - z[None]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = d.argmin(1)
    same_kind = (nearest % 4 == np.arange(64) % 4).mean()
    assert same_kind > 0.9


def test_views_are_disjoint_stretches_when_the_clip_holds_two():
    x = np.tile(np.arange(100, dtype=np.float32), (4, 1))  # column index as the pixel value
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b = two_views(x, 30, rng)
        assert a.shape == b.shape == (4, 30)
        assert abs(a[0, 0] - b[0, 0]) >= 30  # no shared column
    narrow = np.ones((4, 10), np.float32)
    a, b = two_views(narrow, 30, rng)
    assert a.shape == (4, 30) and a[:, :10].all() and not a[:, 10:].any()


def test_augment_mixes_masks_shifts_and_scales_as_configured():
    rng = np.random.default_rng(0)
    view = np.zeros((32, 40), np.float32)
    view[10:12, 5:10] = 1.0
    other = np.zeros_like(view)
    other[20:22, 20:30] = 1.0
    none = SSLConfig(features=FC, mix_prob=0, mask_prob=0, gain=(1.0, 1.0), freq_shift_rows=0)
    assert np.array_equal(augment(view, other, none, rng), view)  # every augmentation off: identity
    mixed = augment(
        view,
        other,
        SSLConfig(
            features=FC,
            mix_prob=1,
            mask_prob=0,
            gain=(1.0, 1.0),
            freq_shift_rows=0,
            mix_gain=(0.5, 0.5),
        ),
        rng,
    )
    assert mixed[10, 5] == 1.0 and mixed[20, 25] == pytest.approx(0.5)  # background at half gain
    gained = augment(
        view,
        None,
        SSLConfig(features=FC, mix_prob=0, mask_prob=0, gain=(2.0, 2.0), freq_shift_rows=0),
        rng,
    )
    assert np.array_equal(gained, 2 * view)
    shifts = set()
    for _ in range(50):
        out = augment(
            view,
            None,
            SSLConfig(features=FC, mix_prob=0, mask_prob=0, gain=(1.0, 1.0), freq_shift_rows=2),
            rng,
        )
        rows = np.flatnonzero(out[:, 7])
        shifts.add(int(rows[0]) - 10)
        assert out.sum() == pytest.approx(
            view.sum()
        )  # moved, not lost (the call is far from the edge)
    assert shifts == {-2, -1, 0, 1, 2}
    masked = augment(
        np.ones((32, 40), np.float32),
        None,
        SSLConfig(features=FC, mix_prob=0, mask_prob=1, gain=(1.0, 1.0), freq_shift_rows=0),
        rng,
    )
    assert (masked == 0).all(axis=1).any() and (masked == 0).all(
        axis=0
    ).any()  # a band and a stretch
    assert view.sum() == 10.0  # the input is never modified in place


def test_nt_xent_is_low_for_matching_views_and_at_chance_for_unrelated_ones():
    torch.manual_seed(0)
    z = torch.randn(16, 8)
    assert nt_xent(z, z, 0.1) < 0.1
    unrelated = [float(nt_xent(torch.randn(16, 8), torch.randn(16, 8), 10.0)) for _ in range(20)]
    assert np.mean(unrelated) == pytest.approx(math.log(31), abs=0.05)


@pytest.mark.slow
def test_a_resumed_pretraining_ends_where_an_uninterrupted_one_does():
    rng = np.random.default_rng(2)
    pool = structured_pool(32, rng)
    cfg = small(epochs=3)
    whole = pretrain(cfg, pool)
    saved = []

    class Killed(Exception):
        pass

    def die_after_two(epoch, n, metrics, state):
        saved.append(state.to_bytes())
        if epoch == 2:
            raise Killed

    with pytest.raises(Killed):
        pretrain(cfg, pool, on_epoch=die_after_two)
    state = SSLState.from_bytes(saved[-1])
    assert state.epoch == 2
    resumed = pretrain(cfg, pool, resume=state)
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3]
    assert resumed.history[-1]["loss"] == pytest.approx(whole.history[-1]["loss"], rel=1e-4)
    for name, tensor in whole.state_dict.items():
        assert torch.allclose(tensor.float(), resumed.state_dict[name].float(), atol=1e-5), name
    with pytest.raises(ValueError, match="saw 32 clips"):
        pretrain(cfg, pool[:20], resume=state)


def test_the_encoder_warm_starts_a_detector_layer_for_layer():
    rng = np.random.default_rng(3)
    result = pretrain(small(epochs=1, batch_size=8), structured_pool(16, rng))
    cfg = result.config
    cfg.class_names = ["a", "b"]
    detector = DetectorNet(cfg)
    skipped = warm_start(detector, result)
    assert skipped == [] or all(k.split(".")[0] in ("classes", "clip_logits") for k in skipped)
    for name in (
        "stem.conv.conv.weight",
        "down3.0.conv.weight",
        "context.convs.0.weight",
        "embed.0.weight",
    ):
        assert torch.equal(detector.state_dict()[name], result.state_dict[name])


def test_too_small_a_pool_is_refused():
    with pytest.raises(ValueError, match="at least two clips"):
        pretrain(small(), [np.zeros((32, 100), np.float32)])


def test_a_stored_encoder_encodes_features_and_audio(tmp_path):
    from models_app.selfsupervised import Encoder
    from models_app.training import save_checkpoint

    rng = np.random.default_rng(4)
    pool = structured_pool(8, rng)
    result = pretrain(small(epochs=1, batch_size=4), pool)
    save_checkpoint(tmp_path / "encoder.pt", result)
    encoder = Encoder.load(tmp_path / "encoder.pt")
    emb = encoder.encode(pool)
    assert emb.shape == (8, encoder.dim) and emb.dtype == np.float32
    assert np.allclose(emb, encode(result, pool), atol=1e-5)
    assert np.allclose(encoder.encode(pool[0]), emb[:1], atol=1e-5)  # one [F, T] image
    audio = rng.standard_normal(38_400).astype(np.float32)  # 0.1 s at 384 kHz
    assert encoder.encode_audio(audio, 384_000).shape == (encoder.dim,)
