"""Scoring throughput (× real time) and peak memory of the Echoloop detector.

Scores the 10 real Whombat example recordings (375–500 kHz) and a longer generated
384 kHz recording with ``Detector.score_recording`` (file → events, all included), then,
when a BatDetect2 venv exists (``/tmp/bd2``, see ``--bd2-python``), runs BatDetect2 on the
same files in a subprocess and prints the speed ratio.

    .venv/bin/python benchmarks/scoring.py [--checkpoint model.pt] [--minutes 3] [--threads 1]

Throughput does not depend on the weights, so without ``--checkpoint`` an untrained model
of the default size is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models_app.detector import DetectorConfig, DetectorNet  # noqa: E402
from models_app.features import compute_features  # noqa: E402
from models_app.inference import Detector  # noqa: E402
from models_app.synthetic import make_dataset  # noqa: E402
from models_app.training import TrainResult  # noqa: E402

DATA = Path("/work/shared/data/bats/whombat-example")


def rss_mb() -> float:
    """Current resident set size (MB), from /proc."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_detector(checkpoint: str | None) -> Detector:
    if checkpoint:
        return Detector.load(checkpoint, device="cpu")
    cfg = DetectorConfig(class_names=[f"species_{i}" for i in range(10)])
    return Detector.from_result(
        TrainResult(DetectorNet(cfg).state_dict(), cfg, {}, []), device="cpu"
    )


def write_long_recording(path: Path, minutes: float, samplerate: int = 384_000) -> float:
    """Stream synthetic 1-s clips into a 16-bit WAV (never more than 10 clips in memory)."""
    n_clips = int(minutes * 60)
    with sf.SoundFile(path, "w", samplerate, 1, subtype="PCM_16") as out:
        for block in range(0, n_clips, 10):
            clips = make_dataset(
                min(10, n_clips - block), seed=10_000 + block, samplerate=samplerate
            )
            for c in clips:
                out.write(np.clip(c.audio / 40.0, -1, 1))
    return n_clips


def time_files(det: Detector, files: list[Path]) -> tuple[float, float, float, int]:
    """Score each file once (after one warm-up).

    Returns audio seconds, wall seconds, CPU seconds of this process (all threads) and
    the number of events. CPU time is the fairer figure on a shared, overloaded machine.
    """
    det.score_recording(files[0])
    audio_s, n_events = 0.0, 0
    start, cpu0 = time.perf_counter(), time.process_time()
    for f in files:
        result = det.score_recording(f)
        audio_s += result.duration_s
        n_events += len(result.events)
    return audio_s, time.perf_counter() - start, time.process_time() - cpu0, n_events


def breakdown(det: Detector, path: Path) -> dict:
    """Features vs network time per second of audio on 1-s chunks of one recording."""
    x, sr = sf.read(path, dtype="float32")
    chunks = [x[i : i + sr] for i in range(0, len(x) - sr + 1, sr)][:16]
    t0 = time.perf_counter()
    feats = [compute_features(c, sr, det.config.features) for c in chunks]
    t1 = time.perf_counter()
    det.score_features_batch(feats)
    t2 = time.perf_counter()
    n = len(chunks)
    return {"features_ms_per_s": 1000 * (t1 - t0) / n, "network_ms_per_s": 1000 * (t2 - t1) / n}


BD2_SCRIPT = r"""
import json, resource, sys, time
import torch
torch.set_num_threads(int(sys.argv[1]))
from batdetect2 import api
files = sys.argv[2:]
config = api.get_config()
api.process_file(files[0], config=config)  # warm-up
audio_s, n_det, start, cpu0 = 0.0, 0, time.perf_counter(), time.process_time()
for f in files:
    r = api.process_file(f, config=config)
    audio_s += float(r["pred_dict"]["duration"])
    n_det += len(r["pred_dict"]["annotation"])
wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
print(json.dumps({"audio_s": audio_s, "wall_s": wall, "cpu_s": cpu, "n_detections": n_det,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_bd2(python: str, files: list[Path], threads: int) -> dict | None:
    """BatDetect2 on the same files in its own interpreter; None when not installed."""
    if not Path(python).exists():
        return None
    proc = subprocess.run(
        [python, "-c", BD2_SCRIPT, str(threads), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if proc.returncode != 0:
        print("BatDetect2 failed:", proc.stderr[-2000:])
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(name: str, audio_s: float, wall_s: float, cpu_s: float, extra: str = "") -> None:
    print(
        f"{name:<34} {audio_s:7.1f} s audio: wall {wall_s:6.2f} s → {audio_s / wall_s:6.1f}× real time;"
        f" CPU {cpu_s:6.2f} s → {audio_s / cpu_s:6.1f}× per CPU-second {extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint")
    parser.add_argument(
        "--minutes", type=float, default=3.0, help="length of the generated recording"
    )
    parser.add_argument("--bd2-python", default="/tmp/bd2/bin/python")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (both models); 1 is fastest for ours"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared); torch threads: {args.threads}"
    )
    det = load_detector(args.checkpoint)
    base_rss = rss_mb()
    print(f"RSS after imports and model load: {base_rss:.0f} MB")
    files = sorted(DATA.glob("*.wav"))
    with tempfile.TemporaryDirectory() as tmp:
        long_path = Path(tmp) / "long_384k.wav"
        long_s = write_long_recording(long_path, args.minutes)
        audio_s, wall, cpu, n_ev = time_files(det, files)
        report("ours: 10 Whombat recordings", audio_s, wall, cpu, f"({n_ev} events)")
        long_audio, long_wall, long_cpu, long_ev = time_files(det, [long_path])
        label = f"ours: generated {long_s / 60:.0f}-min 384 kHz"
        report(label, long_audio, long_wall, long_cpu, f"({long_ev} events)")
        print(f"peak RSS (whole process, incl. torch and the file reader): {peak_rss_mb():.0f} MB")
        # tracemalloc slows allocation and inflates RSS, so it gets its own short pass.
        tracemalloc.start()
        det.score_recording(files[0])
        print(
            f"numpy/python peak while scoring one file (tracemalloc): "
            f"{tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB"
        )
        tracemalloc.stop()
        parts = breakdown(det, files[0])
        print("per 1 s of 384 kHz audio (wall):", {k: round(v, 1) for k, v in parts.items()})
        bd2 = run_bd2(args.bd2_python, files, args.threads)
        if bd2 is None:
            print("BatDetect2: not available (create /tmp/bd2, see benchmarks/scoring.py)")
            return
        extra = f"({bd2['n_detections']} detections, peak RSS {bd2['peak_rss_mb']:.0f} MB)"
        report(
            "BatDetect2 1.3.1: same 10 files", bd2["audio_s"], bd2["wall_s"], bd2["cpu_s"], extra
        )
        wall_ratio = (audio_s / wall) / (bd2["audio_s"] / bd2["wall_s"])
        cpu_ratio = (audio_s / cpu) / (bd2["audio_s"] / bd2["cpu_s"])
        print(
            f"speed ratio ours / BatDetect2: {wall_ratio:.1f}× (wall), {cpu_ratio:.1f}× (CPU time)"
        )
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
