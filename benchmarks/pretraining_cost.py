"""Time and memory of the self-supervised pretraining (``models_app.selfsupervised``) by pool size.

    .venv/bin/python benchmarks/pretraining_cost.py [--clips 1000 10000] [--epochs 1] [--threads 2]

The pool is real: 1-s clips of the Whombat bat recordings (every 0.25 s of every file, the
benchmark's default features: 128 rows × 1,000 columns a second), repeated with a random time roll
each until it holds ``--clips`` distinct images (float16, as the product keeps them). Each size runs
in a child process of its own, so its peak RSS is its own. The views are the product's (40 % of a
clip, at most 128 columns), batches of 32 clips. Prints wall and CPU seconds per epoch (CPU time says the cost on a loaded machine), per clip-epoch, the
product's default pretraining (10 epochs of 2,000 clips) extrapolated, and the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def one(n_clips: int, epochs: int, threads: int) -> dict:
    import numpy as np
    from detection_quality import pool_clips

    from models_app.features import FeatureConfig
    from models_app.selfsupervised import MAX_VIEW_COLUMNS, SSLConfig, pretrain

    rng = np.random.default_rng(0)
    base = pool_clips()
    pool = [
        np.roll(base[i % len(base)], int(rng.integers(0, 1000)), axis=1) for i in range(n_clips)
    ]
    fc = FeatureConfig()
    cfg = SSLConfig(
        features=fc,
        epochs=epochs,
        num_threads=threads,
        max_clips=n_clips,
        crop_s=min(0.4, MAX_VIEW_COLUMNS / fc.frames_per_second),
    )
    t0, c0 = time.perf_counter(), time.process_time()
    result = pretrain(cfg, pool)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "clips": n_clips,
        "epochs": epochs,
        "seconds": seconds,
        "per_epoch": seconds / epochs,
        "cpu_per_epoch": cpu / epochs,
        "pool_mb": sum(p.nbytes for p in pool) / 2**20,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "loss": [round(r["loss"], 3) for r in result.history],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.epochs, args.threads)))
        return
    print(
        f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared); torch threads {args.threads}"
    )
    print(
        "| clips | epochs | s/epoch (wall) | CPU s/epoch | ms per clip-epoch (wall) | default run (2,000 clips × "
        "10 epochs, wall) | pool MB | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in args.clips:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--epochs",
                str(args.epochs),
                "--threads",
                str(args.threads),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        per_clip = r["per_epoch"] / n
        print(
            f"| {n:,} | {r['epochs']} | {r['per_epoch']:.1f} | {r['cpu_per_epoch']:.1f} | {1000 * per_clip:.1f} | "
            f"{per_clip * 2000 * 10 / 60:.1f} min | {r['pool_mb']:.0f} | {r['peak_rss_mb']:.0f} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
