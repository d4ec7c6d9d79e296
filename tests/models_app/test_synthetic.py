"""The synthetic bat-call generator: determinism, labels that match the audio, long tail."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from models_app.synthetic import (
    SHAPES,
    SyntheticClip,
    make_dataset,
    species_catalog,
    unscaled_samplerate,
)


@pytest.fixture(scope="module")
def clips() -> list[SyntheticClip]:
    return make_dataset(120, seed=3)


def test_same_seed_gives_same_clips_and_longer_datasets_extend_shorter_ones(clips):
    short = make_dataset(5, seed=3)
    for a, b in zip(short, clips[:5]):
        np.testing.assert_array_equal(a.audio, b.audio)
        assert a.events == b.events and a.meta == b.meta


def test_different_seeds_give_new_clips_of_the_same_species():
    a, b = make_dataset(1, seed=1)[0], make_dataset(1, seed=2)[0]
    assert not np.array_equal(a.audio, b.audio)
    assert a.species == b.species
    assert species_catalog(5, 4) != species_catalog(5, 0)  # catalog_seed picks other acoustics


def test_clip_shape_dtype_and_metadata(clips):
    for c in clips[:10]:
        assert c.audio.dtype == np.float32 and c.audio.shape == (256_000,)
        assert c.samplerate == 256_000
        assert set(c.meta) == {"site", "hour", "season"}
        assert 0 <= c.meta["hour"] < 24
        assert c.species == [s.name for s in species_catalog(5, 0)]


def test_events_lie_inside_clip_and_below_nyquist(clips):
    for c in clips:
        for e in c.events:
            assert 0 <= e.start_s < e.end_s <= 1.0
            assert 0 < e.low_hz <= e.high_hz < c.samplerate / 2
            assert e.label in c.species


def test_empty_fraction_is_respected_and_empty_means_no_events(clips):
    empty = [c for c in clips if c.is_empty]
    assert all(not c.events for c in empty)
    assert all(c.events for c in clips if not c.is_empty)
    assert 0.1 <= len(empty) / len(clips) <= 0.4  # 0.2 requested, plus passes missing the clip


def test_abundance_is_long_tailed(clips):
    clips_per_species = Counter(
        e.label for c in clips for e in {x.label: x for x in c.events}.values()
    )
    counts = sorted(clips_per_species.values(), reverse=True)
    assert counts[0] >= 3 * counts[-1]


def test_catalog_has_distinct_shapes_and_bands():
    cat = species_catalog(8, seed=0)
    assert {s.shape for s in cat} == set(SHAPES)
    assert len({s.name for s in cat}) == 8
    for s in cat:
        assert s.low_hz < s.high_hz and s.duration_s > 0 and s.ici_s > s.duration_s


def test_calls_carry_energy_in_their_box(clips):
    clip = next(c for c in clips if len(c.events) >= 3)
    spec = np.abs(np.fft.rfft(clip.audio[: len(clip.audio)]))  # whole-clip spectrum
    freqs = np.fft.rfftfreq(len(clip.audio), 1 / clip.samplerate)
    e = clip.events[0]
    in_band = spec[(freqs >= e.low_hz) & (freqs <= e.high_hz)].mean()
    far = spec[(freqs > e.high_hz + 10_000) & (freqs < e.high_hz + 20_000)].mean()
    assert in_band > far


def test_low_samplerate_scales_calls_below_nyquist():
    for c in make_dataset(10, seed=0, samplerate=48_000):
        assert all(e.high_hz < 24_000 for e in c.events)


def test_background_replaces_generated_noise():
    silent = make_dataset(1, seed=0, empty_fraction=1.0, background=np.zeros(1000))[0]
    # Zero background: only the sparse broadband clicks remain.
    assert np.mean(silent.audio == 0) > 0.9
    noise = np.random.default_rng(0).standard_normal(50_000)
    clip = make_dataset(1, seed=0, empty_fraction=1.0, background=noise)[0]
    assert clip.audio.std() > 0.5  # tiled to the clip length, unit RMS


def test_species_depend_on_site(clips):
    by_site: dict[str, Counter] = {}
    for c in clips:
        for e in c.events[:1]:
            by_site.setdefault(c.meta["site"], Counter())[e.label] += 1
    tops = {
        site: cnt.most_common(1)[0][0] for site, cnt in by_site.items() if sum(cnt.values()) >= 5
    }
    shares = [by_site[s][tops[s]] / sum(by_site[s].values()) for s in tops]
    assert len(set(tops.values())) > 1 or max(shares) - min(shares) > 0.1


def test_calls_keep_their_frequencies_from_the_unscaled_rate_up():
    def top(samplerate: int) -> float:
        clips = make_dataset(40, seed=8, samplerate=samplerate, duration_s=0.3, n_species=8)
        return max(e.high_hz for c in clips for e in c.events)

    rate = int(np.ceil(unscaled_samplerate()))
    assert top(rate) == pytest.approx(top(500_000), rel=0.08)  # same catalogue bands
    assert top(192_000) < 0.42 * 192_000 * 1.05  # below: scaled under Nyquist
