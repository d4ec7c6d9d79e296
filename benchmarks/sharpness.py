"""Which view shows bat calls sharpest? Measured inside the experts' boxes of the shared recordings.

    .venv/bin/python benchmarks/sharpness.py [--data ../shared/data/bats/whombat-example] [--limit 0]

For every hand-drawn box (433 in whombat-example: 10 species, FM and FM-QCF calls) each view is
computed the way the page draws it zoomed onto the call (the box with 5 ms either side, 1200 px
wide, 512 px high, 75 % overlap), and two figures are taken over the cells inside the box:

- **effective area** (ms·kHz): 2^H3, H3 the Rényi entropy of order 3 of the box's energy as a
  time-frequency density (Baraniuk et al. 2001). Cell areas enter the density, so grids of any
  size compare; a call drawn as a thin line covers little area, a blurred one a large area.
- **ridge spread** (kHz): in each time column, the energy-weighted RMS distance of the column's
  energy from its own mean frequency; averaged over columns weighted by their energy. An FM call
  has one frequency at each instant, so this is how thick its sweep is drawn.

Lower is sharper for both. Prints medians over boxes, and how often each view is the sharpest.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator import dsp  # noqa: E402
from annotator.dsp import limits  # noqa: E402

MARGIN_S = 0.005
WIDTH, HEIGHT = 1200, 512


def _stft(window: str | float, sharpen: str = "none") -> Callable:
    def compute(x: np.ndarray, sr: int, band: tuple[float, float]) -> dsp.Spectrogram:
        span = len(x) / sr
        window_s = dsp.auto_window_s(span, WIDTH, 0.002) if window == "auto" else float(window)
        frame = limits.frame_samples(window_s, sr)
        pad = dsp.fft_pad(frame, sr, band[1] - band[0], HEIGHT)
        params = dsp.SpectrogramParams(
            n_fft=frame, pad=pad, overlap=0.75, sharpen=sharpen, fmin=band[0], fmax=band[1]
        )
        return dsp.spectrogram(x, sr, params)

    return compute


def _scalogram(w0: float) -> Callable:
    def compute(x: np.ndarray, sr: int, band: tuple[float, float]) -> dsp.Spectrogram:
        params = dsp.ScalogramParams(
            fmin=max(band[0], 1000.0), fmax=band[1], n_rows=HEIGHT, n_cols=WIDTH, w0=w0
        )
        return dsp.scalogram(x, sr, params)

    return compute


VIEWS: dict[str, Callable] = {
    "spectrogram 2 ms (the old fixed default)": _stft(0.002),
    "spectrogram 1 ms": _stft(0.001),
    "spectrogram 0.5 ms": _stft(0.0005),
    "spectrogram 0.25 ms": _stft(0.00025),
    "spectrogram auto window": _stft("auto"),
    "multitaper auto window": _stft("auto", "multitaper"),
    "reassigned 2 ms": _stft(0.002, "reassigned"),
    "reassigned 1 ms": _stft(0.001, "reassigned"),
    "reassigned 0.5 ms": _stft(0.0005, "reassigned"),
    "reassigned auto window": _stft("auto", "reassigned"),
    "scalogram w0 6 (FM preset)": _scalogram(6.0),
    "scalogram w0 3 (finer time)": _scalogram(3.0),
}


def _cells(
    spec: dsp.Spectrogram, box: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Power, cell areas (s·Hz) and row frequencies of the cells whose centres lie in the box."""
    t0, t1, f0, f1 = box
    cols = (spec.times >= t0) & (spec.times <= t1)
    rows = (spec.freqs >= f0) & (spec.freqs <= f1)
    power = 10 ** (spec.values[np.ix_(rows, cols)].astype(np.float64) / 10)
    row_edges = spec.row_to_hz(np.arange(spec.n_rows + 1))
    heights = np.diff(row_edges)[rows]
    width = (spec.t_end - spec.t_start) / spec.n_cols
    return power, heights[:, None] * width, spec.freqs[rows]


def effective_area(power: np.ndarray, area: np.ndarray, order: float = 3.0) -> float:
    """2^(Rényi entropy) of the energy as a density over the plane, in ms·kHz (= s·Hz)."""
    p = power / power.sum()
    h = np.log2(np.sum(p**order * area ** (1 - order))) / (1 - order)
    return float(2**h)


def ridge_spread(power: np.ndarray, freqs: np.ndarray) -> float:
    """Energy-weighted mean over columns of each column's RMS frequency spread (Hz)."""
    energy = power.sum(axis=0)
    mean = (power * freqs[:, None]).sum(axis=0) / np.maximum(energy, 1e-300)
    spread = np.sqrt(
        (power * (freqs[:, None] - mean) ** 2).sum(axis=0) / np.maximum(energy, 1e-300)
    )
    return float((spread * energy).sum() / energy.sum())


def boxes(folder: Path, limit: int) -> list[dict]:
    rows = list(csv.DictReader(open(folder / "annotations_boxes.csv", newline="")))
    rows = [
        r
        for r in rows
        if float(r["end_s"]) > float(r["start_s"])
        and float(r["high_freq_hz"]) > float(r["low_freq_hz"])
    ]
    return rows[:limit] if limit else rows


def measure(folder: Path, limit: int) -> tuple[dict, dict, dict, int]:
    areas, spreads, times = defaultdict(list), defaultdict(list), defaultdict(list)
    audio: dict[str, tuple[np.ndarray, int]] = {}
    wins: dict[str, int] = defaultdict(int)
    rows = boxes(folder, limit)
    for row in rows:
        if row["file"] not in audio:
            audio[row["file"]] = sf.read(folder / row["file"], dtype="float32")
        samples, sr = audio[row["file"]]
        t0, t1 = float(row["start_s"]), float(row["end_s"])
        f0, f1 = float(row["low_freq_hz"]), min(float(row["high_freq_hz"]), sr / 2 * 0.95)
        first = max(0, round((t0 - MARGIN_S) * sr))
        x = samples[first : round((t1 + MARGIN_S) * sr)]
        offset = first / sr
        band = (max(1000.0, f0 - 10_000), min(sr / 2, f1 + 10_000))
        box = (t0 - offset, t1 - offset, f0, f1)
        per_box = {}
        for name, compute in VIEWS.items():
            began = time.perf_counter()
            spec = compute(x, sr, band)
            times[name].append((time.perf_counter() - began) * 1000)
            power, area, freqs = _cells(spec, box)
            if power.size == 0 or power.sum() <= 0:
                continue
            per_box[name] = effective_area(power, area) * 1e-6 * 1e3 * 1e3  # s·Hz -> ms·kHz is ×1
            areas[name].append(per_box[name])
            spreads[name].append(ridge_spread(power, freqs) / 1000)
        if len(per_box) == len(VIEWS):  # ties (the same window twice) credit each
            best = min(per_box.values())
            for name, value in per_box.items():
                wins[name] += value <= best * (1 + 1e-9)
    return areas, spreads, {"wins": wins, "ms": times}, len(rows)


def cf_widths(folder: Path) -> None:
    """How wide each view draws a horseshoe bat's constant-frequency tone: the band (kHz) where
    the call's time-averaged power is within 6 dB of its peak, median over the calls (the
    BatDetect2 example's boxes of R. ferrumequinum, ~83 kHz CF; the boxes are a model's, the
    species is the expert's)."""
    import json

    name = "20180627_215323-RHIFER-LR_0_0.5.wav"
    x, sr = sf.read(folder / "audio" / name, dtype="float32")
    calls = json.load(open(folder / "anns" / f"{name}.json"))["annotation"]
    views = {
        "spectrogram 2 ms": lambda: dsp.spectrogram(
            x, sr, dsp.SpectrogramParams(fmin=40_000, fmax=120_000, pad=4)
        )
    }
    for w0 in (6.0, 20.0, 60.0, 100.0, 200.0):
        views[f"scalogram w0 {w0:g}"] = lambda w0=w0: dsp.scalogram(
            x,
            sr,
            dsp.ScalogramParams(
                fmin=40_000, fmax=120_000, n_rows=1024, n_cols=4000, spacing="linear", w0=w0
            ),
        )
    print(
        f"\nconstant-frequency calls ({len(calls)} R. ferrumequinum calls): band within 6 dB of the peak"
    )
    for label, compute in views.items():
        spec = compute()
        widths = []
        for call in calls:
            cols = (spec.times >= call["start_time"]) & (spec.times <= call["end_time"])
            profile = 10 * np.log10(np.mean(10 ** (spec.values[:, cols] / 10), axis=1))
            loud = spec.freqs[profile >= profile.max() - 6]
            widths.append((loud.max() - loud.min()) / 1000)
        print(f"{label:<42}{statistics.median(widths):>8.2f} kHz")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data" / "bats" / "whombat-example"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N boxes (0: all)")
    args = parser.parse_args()
    areas, spreads, extra, n = measure(args.data, args.limit)
    print(f"{n} expert boxes in {args.data.name}; lower is sharper")
    print(
        f"{'view':<42}{'eff. area ms·kHz':>18}{'ridge spread kHz':>18}{'sharpest':>10}{'ms/view':>9}"
    )
    for name in VIEWS:
        print(
            f"{name:<42}{statistics.median(areas[name]):>18.2f}{statistics.median(spreads[name]):>18.2f}"
            f"{extra['wins'][name]:>10}{statistics.median(extra['ms'][name]):>9.1f}"
        )
    best = min(VIEWS, key=lambda name: statistics.median(areas[name]))
    print(f"sharpest by effective area: {best}")
    cf_widths(args.data.parent / "batdetect2-example")


if __name__ == "__main__":
    main()
