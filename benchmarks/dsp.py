"""Timing of Echoloop's views: spectrogram + PNG, scalogram vs PyWavelets and the plain CWT.

Run from the repository root:  .venv/bin/python benchmarks/dsp.py [--runs 15] [--quick]
Prints the median of N runs in milliseconds (slow baselines run once or twice).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator import dsp, imaging  # noqa: E402

SR = 384_000
WHOMBAT_WAV = Path(
    "/work/shared/data/bats/whombat-example/XC820302-Noctilio_leporinus-2013.01.08-CL00088_A_15.wav"
)
PYWT_WAVELET = "cmor1.5-1.0"
PYWT_W0 = 2 * math.pi * 1.0 * math.sqrt(1.5 / 2)  # same Gaussian width as cmor1.5-1.0


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm caches (window, FFT plans, thread pool start-up)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def once_ms(fn: Callable[[], object], runs: int = 1) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def bat_audio(seconds: float) -> np.ndarray:
    """Noise with a train of 5 ms FM calls sweeping 80 -> 30 kHz every 100 ms."""
    rng = np.random.default_rng(0)
    x = 0.01 * rng.standard_normal(round(seconds * SR))
    t = np.arange(round(0.005 * SR)) / SR
    call = 0.3 * np.sin(2 * np.pi * (80_000 * t - 50_000 * t**2 / (2 * 0.005))) * np.hanning(t.size)
    for start in range(0, x.size - call.size, SR // 10):
        x[start : start + call.size] += call
    return x.astype(np.float32)


def render(view: dsp.Spectrogram, width: int | None = None) -> bytes:
    return imaging.render_png(view.values, vmin=view.vmin, vmax=view.vmax, width=width)


def pywt_scalogram(x: np.ndarray, freqs: np.ndarray, hop: int, chunk: int = 16) -> np.ndarray:
    """pywt.cwt over the same rows, in chunks of rows so memory stays bounded, decimated."""
    import pywt

    scales = pywt.frequency2scale(PYWT_WAVELET, freqs / SR)
    rows = []
    for k in range(0, len(scales), chunk):
        coefs, _ = pywt.cwt(x, scales[k : k + chunk], PYWT_WAVELET, method="fft")
        rows.append(np.abs(coefs[:, ::hop]))
    return np.concatenate(rows)


def table(rows: list[tuple[str, float, str]]) -> None:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average {load} (shared machines make medians noisy)")
    print(f"{'case':<58} {'ms':>10}  note")
    print("-" * 100)
    for name, ms, note in rows:
        print(f"{name:<58} {ms:>10.1f}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="skip PyWavelets and the plain CWT")
    args = parser.parse_args()
    runs = args.runs
    results: list[tuple[str, float, str]] = []

    one, ten = bat_audio(1.0), bat_audio(10.0)
    bat = dsp.SpectrogramParams(window_s=0.002, overlap=0.75)
    spec1 = dsp.spectrogram(one, SR, bat)
    size1 = f"{spec1.n_cols}x{spec1.n_rows} px"
    results.append(
        (
            "spectrogram 1 s @384 kHz (2 ms, 75 %)",
            median_ms(lambda: dsp.spectrogram(one, SR, bat), runs),
            size1,
        )
    )
    results.append(("  PNG encode at native size", median_ms(lambda: render(spec1), runs), size1))
    results.append(
        ("  spectrogram + PNG", median_ms(lambda: render(dsp.spectrogram(one, SR, bat)), runs), "")
    )
    pcen = dsp.SpectrogramParams(norm="pcen")
    results.append(
        ("  same with PCEN", median_ms(lambda: dsp.spectrogram(one, SR, pcen), runs), "")
    )

    spec10 = dsp.spectrogram(ten, SR, bat)
    results.append(
        (
            "spectrogram 10 s @384 kHz",
            median_ms(lambda: dsp.spectrogram(ten, SR, bat), runs),
            f"{spec10.n_cols} frames",
        )
    )
    results.append(
        (
            "  + PNG at 2000 px wide (max-pooled)",
            median_ms(lambda: render(dsp.spectrogram(ten, SR, bat), 2000), runs),
            f"2000x{spec10.n_rows} px",
        )
    )

    if WHOMBAT_WAV.exists():
        results.append(
            (
                "read_window 1 s of a real 384 kHz WAV",
                median_ms(lambda: dsp.read_window(WHOMBAT_WAV, 1.0, 2.0), runs),
                WHOMBAT_WAV.name[:30],
            )
        )

    scal = dsp.ScalogramParams(fmin=10_000, fmax=190_000, n_rows=256, n_cols=1000, w0=PYWT_W0)
    fast_ms = median_ms(lambda: dsp.scalogram(one, SR, scal), runs)
    results.append(
        (
            "scalogram 1 s @384 kHz, 256 rows x 1000 cols (fast)",
            fast_ms,
            f"w0={PYWT_W0:.2f}, {os.cpu_count()} cores",
        )
    )
    view = dsp.scalogram(one, SR, scal)
    results.append(("  + PNG", median_ms(lambda: render(dsp.scalogram(one, SR, scal)), runs), ""))
    wide = dsp.ScalogramParams(fmin=10_000, fmax=190_000, n_rows=256, n_cols=4000, w0=PYWT_W0)
    results.append(
        (
            "  4000 cols (finer time sampling, same cost)",
            median_ms(lambda: dsp.scalogram(one, SR, wide), runs),
            "",
        )
    )
    scal10 = dsp.ScalogramParams(fmin=10_000, fmax=190_000, n_rows=256, n_cols=2000, w0=PYWT_W0)
    results.append(
        (
            "scalogram 10 s @384 kHz, 256 x 2000 (fast)",
            median_ms(lambda: dsp.scalogram(ten, SR, scal10), max(3, runs // 5)),
            "",
        )
    )

    if not args.quick:
        hop = math.ceil(one.size / scal.n_cols)
        ref_ms = once_ms(
            lambda: dsp.cwt_reference(one, SR, view.freqs, w0=PYWT_W0, hop=hop, n_cols=scal.n_cols)
        )
        results.append(
            (
                "  plain CWT (cwt_reference, full FFT per row)",
                ref_ms,
                f"fast is {ref_ms / fast_ms:.0f}x faster",
            )
        )
        pywt_ms = once_ms(lambda: pywt_scalogram(one, view.freqs, hop))
        results.append(
            (
                f"  pywt.cwt {PYWT_WAVELET} method=fft, same rows",
                pywt_ms,
                f"fast is {pywt_ms / fast_ms:.0f}x faster",
            )
        )
    table(results)


if __name__ == "__main__":
    main()
