"""Labelled synthetic bat-like audio for tests, benchmarks and sampling simulations.

Species differ the way real bats do: call shape (steep FM sweep, CF with an FM tail,
shallow QCF, FM ending in a QCF tail), frequency band, call duration and inter-call
interval. Calls come in sequences (a bat passing), abundance follows a long tail, and
presence depends on site, hour and season so clip metadata carries species information.
Nothing here imports Django or torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SHAPES = ("fm", "cf_fm", "qcf", "fm_qcf")
SEASONS = ("spring", "summer", "autumn", "winter")
N_SITES = 4
# Catalogue bands are written for ultrasonic recordings; at lower sample rates every
# frequency is scaled so calls stay below this fraction of the sample rate.
_MAX_FREQ_FRACTION = 0.42
_CATALOG_MAX_HZ = 115_000.0


@dataclass(frozen=True)
class SpeciesSpec:
    """Acoustic and ecological description of one synthetic species."""

    name: str
    shape: str
    high_hz: float
    low_hz: float
    duration_s: float
    ici_s: float  # inter-call interval (onset to onset)
    abundance: float  # relative, long-tailed across the catalogue
    site_weights: tuple[float, ...]  # relative presence per site
    peak_hour: int  # hour of the night with most activity
    seasons: tuple[str, ...]  # seasons in which the species is active


@dataclass
class SyntheticEvent:
    """One call: a time–frequency box with its species label."""

    start_s: float
    end_s: float
    low_hz: float
    high_hz: float
    label: str


@dataclass
class SyntheticClip:
    """A generated clip with its ground-truth calls and metadata."""

    audio: np.ndarray  # float32, mono
    samplerate: int
    events: list[SyntheticEvent]
    meta: dict  # site (str), hour (int 0–23), season (str)
    species: list[str]  # the full class list of the catalogue, same for every clip
    is_empty: bool = field(default=False)  # True when the clip holds no call


def species_catalog(n_species: int, seed: int) -> list[SpeciesSpec]:
    """Return ``n_species`` deterministic species with distinct shapes and bands."""
    rng = np.random.default_rng([seed, 7919])
    # Spread centre frequencies over the band so species are separable by frequency
    # alone only partly: neighbours overlap, shape and duration must do the rest.
    centres = np.linspace(25_000, 95_000, n_species) * rng.uniform(0.93, 1.07, n_species)
    rng.shuffle(centres)
    abundance = 1.0 / (np.arange(n_species) + 1.0) ** 1.3  # Zipf-like long tail
    return [
        _make_species(i, SHAPES[i % len(SHAPES)], float(centres[i]), float(abundance[i]), rng)
        for i in range(n_species)
    ]


def _make_species(
    i: int, shape: str, centre: float, abundance: float, rng: np.random.Generator
) -> SpeciesSpec:
    """Draw plausible call parameters for one species of the given shape."""
    if shape == "fm":
        high, low, dur, ici = centre * 1.6, centre * 0.6, rng.uniform(0.002, 0.004), 0.06
    elif shape == "cf_fm":
        high, low, dur, ici = centre * 1.02, centre * 0.8, rng.uniform(0.015, 0.03), 0.07
    elif shape == "qcf":
        high, low, dur, ici = centre * 1.1, centre * 0.92, rng.uniform(0.006, 0.012), 0.11
    else:  # fm_qcf
        high, low, dur, ici = centre * 1.8, centre * 0.9, rng.uniform(0.004, 0.008), 0.09
    high = min(high, _CATALOG_MAX_HZ)
    site_weights = tuple(float(w) for w in rng.dirichlet(np.full(N_SITES, 0.7)))
    n_seasons = int(rng.integers(2, 5))
    seasons = tuple(sorted(rng.choice(SEASONS, n_seasons, replace=False).tolist()))
    return SpeciesSpec(
        name=f"sp{i:02d}_{shape}",
        shape=shape,
        high_hz=float(high),
        low_hz=float(low),
        duration_s=float(dur),
        ici_s=float(ici * rng.uniform(0.8, 1.25)),
        abundance=abundance,
        site_weights=site_weights,
        peak_hour=int(rng.choice([20, 21, 22, 23, 0, 1, 2, 3, 4])),
        seasons=seasons,
    )


def make_dataset(
    n_clips: int,
    *,
    seed: int,
    samplerate: int = 256_000,
    duration_s: float = 1.0,
    n_species: int = 5,
    snr_db_range: tuple[float, float] = (0, 30),
    empty_fraction: float = 0.2,
    background: np.ndarray | None = None,
    catalog_seed: int = 0,
) -> list[SyntheticClip]:
    """Generate ``n_clips`` labelled clips.

    The species (``species_catalog(n_species, catalog_seed)``) do not depend on ``seed``,
    so ``make_dataset(n, seed=1)`` and ``make_dataset(m, seed=2)`` are a train and a test
    set of the same species. Clip ``i`` depends only on ``(seed, i)`` and the arguments,
    so a larger dataset starts with the clips of a smaller one. ``background`` is a long noise recording at
    ``samplerate`` (e.g. call-free stretches of real recordings); it is cropped at a
    random offset (tiled if short) and replaces the generated coloured noise.
    """
    catalog = species_catalog(n_species, catalog_seed)
    return [
        _make_clip(
            np.random.default_rng([seed, i]),
            catalog,
            samplerate=samplerate,
            duration_s=duration_s,
            snr_db_range=snr_db_range,
            empty=_is_empty(seed, i, empty_fraction),
            background=background,
        )
        for i in range(n_clips)
    ]


def _is_empty(seed: int, i: int, empty_fraction: float) -> bool:
    """Decide emptiness from its own stream so it does not shift the clip's content."""
    return bool(np.random.default_rng([seed, i, 1]).random() < empty_fraction)


def _make_clip(
    rng: np.random.Generator,
    catalog: list[SpeciesSpec],
    *,
    samplerate: int,
    duration_s: float,
    snr_db_range: tuple[float, float],
    empty: bool,
    background: np.ndarray | None,
) -> SyntheticClip:
    """Build one clip: metadata, noise, distractors and (unless empty) call sequences."""
    n = int(round(duration_s * samplerate))
    meta = {
        "site": f"site_{int(rng.integers(N_SITES))}",
        "hour": int(rng.choice([18, 19, 20, 21, 22, 23, 0, 1, 2, 3, 4, 5])),
        "season": str(rng.choice(SEASONS)),
    }
    audio = _noise(rng, n, samplerate, background)
    _add_clicks(rng, audio, samplerate)
    events: list[SyntheticEvent] = []
    if not empty:
        scale = _freq_scale(samplerate) * _site_shift(meta["site"])
        n_sequences = 1 + int(rng.random() < 0.25)  # sometimes two bats at once
        for species in _pick_species(rng, catalog, meta, n_sequences):
            snr_db = float(rng.uniform(*snr_db_range))
            events += _add_sequence(rng, audio, samplerate, species, scale, snr_db)
    events.sort(key=lambda e: e.start_s)
    return SyntheticClip(
        audio=audio.astype(np.float32),
        samplerate=samplerate,
        events=events,
        meta=meta,
        species=[s.name for s in catalog],
        # A pass can miss the clip entirely; the truth is whether any call was placed.
        is_empty=not events,
    )


def unscaled_samplerate() -> float:
    """The lowest sample rate at which the catalogue's calls keep their frequencies: from here
    up, a higher rate only widens the noise band above the calls."""
    return _CATALOG_MAX_HZ / _MAX_FREQ_FRACTION


def _freq_scale(samplerate: int) -> float:
    """Shrink catalogue frequencies when the sample rate cannot hold them."""
    return min(1.0, _MAX_FREQ_FRACTION * samplerate / _CATALOG_MAX_HZ)


def _site_shift(site: str) -> float:
    """Small per-site frequency offset (local acoustic 'dialect' / habitat clutter)."""
    return 1.0 + 0.03 * (int(site.rsplit("_", 1)[1]) - (N_SITES - 1) / 2) / N_SITES


def _pick_species(
    rng: np.random.Generator, catalog: list[SpeciesSpec], meta: dict, k: int
) -> list[SpeciesSpec]:
    """Draw ``k`` distinct species with probability shaped by abundance and metadata."""
    site = int(meta["site"].rsplit("_", 1)[1])
    weights = np.array([_presence_weight(s, site, meta) for s in catalog])
    weights /= weights.sum()
    k = min(k, int((weights > 0).sum()))
    idx = rng.choice(len(catalog), size=k, replace=False, p=weights)
    return [catalog[i] for i in idx]


def _presence_weight(species: SpeciesSpec, site: int, meta: dict) -> float:
    """Relative chance that ``species`` is heard given site, hour and season."""
    hour_gap = min(
        abs(meta["hour"] - species.peak_hour), 24 - abs(meta["hour"] - species.peak_hour)
    )
    hour_w = np.exp(-0.5 * (hour_gap / 3.0) ** 2)
    season_w = 1.0 if meta["season"] in species.seasons else 0.05
    return float(species.abundance * (0.1 + species.site_weights[site]) * (0.2 + hour_w) * season_w)


def _noise(
    rng: np.random.Generator, n: int, samplerate: int, background: np.ndarray | None
) -> np.ndarray:
    """Unit-RMS background: a crop of ``background`` or pink-ish generated noise."""
    if background is not None and len(background) > 0:
        bg = np.asarray(background, dtype=np.float64)
        reps = int(np.ceil((n + 1) / len(bg)))
        bg = np.tile(bg, reps) if reps > 1 else bg
        start = int(rng.integers(0, len(bg) - n + 1))
        out = bg[start : start + n].copy()
    else:
        spec = np.fft.rfft(rng.standard_normal(n))
        freqs = np.fft.rfftfreq(n, 1.0 / samplerate)
        # 1/f^0.5 tilt: more low-frequency energy, like wind, traffic and insects.
        spec /= np.sqrt(np.maximum(freqs, 1_000.0) / 1_000.0) ** 0.5
        out = np.fft.irfft(spec, n)
    rms = float(np.sqrt(np.mean(out**2)))
    return out / rms if rms > 0 else out


def _add_clicks(rng: np.random.Generator, audio: np.ndarray, samplerate: int) -> None:
    """Unlabelled broadband transients (rain, rustle) so energy alone is not a call."""
    for _ in range(int(rng.poisson(1.5))):
        width = int(samplerate * rng.uniform(0.0002, 0.0006))
        pos = int(rng.integers(0, max(1, len(audio) - width)))
        audio[pos : pos + width] += (
            rng.uniform(2, 8) * rng.standard_normal(width) * np.hanning(width)
        )


def _add_sequence(
    rng: np.random.Generator,
    audio: np.ndarray,
    samplerate: int,
    species: SpeciesSpec,
    scale: float,
    snr_db: float,
) -> list[SyntheticEvent]:
    """Add a pass of one bat: repeated calls with jitter and a rise–fall in loudness."""
    clip_s = len(audio) / samplerate
    t = float(rng.uniform(-0.3, 0.6)) * clip_s  # sequences may start before the clip
    # Every pass reaches at least 15 % into the clip so it usually holds a call.
    stop = max(t + float(rng.uniform(0.3, 1.2)) * clip_s, 0.15 * clip_s)
    pass_len = max(stop - t, 1e-3)
    pass_start = t
    events = []
    while t < min(stop, clip_s):
        dur = species.duration_s * float(rng.uniform(0.85, 1.15))
        if t >= 0 and t + dur <= clip_s:
            # Loudness peaks mid-pass (bat closest to the microphone).
            phase = (t - pass_start) / pass_len
            snr = snr_db - 12.0 * (2.0 * phase - 1.0) ** 2
            events.append(_add_call(rng, audio, samplerate, species, scale, t, dur, snr))
        t += species.ici_s * float(rng.uniform(0.85, 1.15))
    return events


def _add_call(
    rng: np.random.Generator,
    audio: np.ndarray,
    samplerate: int,
    species: SpeciesSpec,
    scale: float,
    start_s: float,
    dur_s: float,
    snr_db: float,
) -> SyntheticEvent:
    """Synthesise one call into ``audio`` and return its box."""
    jitter = scale * float(rng.uniform(0.97, 1.03))
    n = max(8, int(round(dur_s * samplerate)))
    freq = _call_contour(species.shape, species.high_hz * jitter, species.low_hz * jitter, n)
    phase = 2 * np.pi * np.cumsum(freq) / samplerate
    env = _envelope(n)
    amp = np.sqrt(2.0) * 10 ** (snr_db / 20.0)  # noise has unit RMS
    i0 = int(round(start_s * samplerate))
    audio[i0 : i0 + n] += (amp * env * np.sin(phase))[: len(audio) - i0]
    return SyntheticEvent(
        start_s=i0 / samplerate,
        end_s=(i0 + n) / samplerate,
        low_hz=float(freq.min()),
        high_hz=float(freq.max()),
        label=species.name,
    )


def _call_contour(shape: str, high: float, low: float, n: int) -> np.ndarray:
    """Instantaneous frequency (Hz) of a call of the given shape over ``n`` samples."""
    u = np.linspace(0.0, 1.0, n)
    if shape == "fm":  # exponential downward sweep
        return high * (low / high) ** u
    if shape == "cf_fm":  # long constant part, then a short downward tail
        tail = np.clip((u - 0.8) / 0.2, 0.0, 1.0)
        return high + (low - high) * tail**1.5
    if shape == "qcf":  # shallow, nearly linear sweep
        return high + (low - high) * u
    # fm_qcf: steep start flattening into a quasi-constant tail
    return low + (high - low) * np.exp(-5.0 * u)


def _envelope(n: int) -> np.ndarray:
    """Smooth on/off ramps (Tukey-like) so calls do not click."""
    ramp = max(1, n // 8)
    env = np.ones(n)
    win = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp))
    env[:ramp] = win
    env[-ramp:] = win[::-1]
    return env
