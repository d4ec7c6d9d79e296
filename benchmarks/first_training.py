"""Cost and benefit of the synthetic pretraining behind a bat project's first training.

    .venv/bin/python benchmarks/first_training.py time [--recipe old|fast|n_clips=96,epochs=4,crop_s=0.25]
    .venv/bin/python benchmarks/first_training.py quality [--recipes scratch,old,fast] [--seeds 0,1,2]

``time`` splits one pretraining with the demo project's features (2 ms windows, 1,000 fps,
10–150 kHz, 128 bins) into generating clips, computing features and training.
``quality`` is ``detection_quality.py``'s spectrogram variant without metadata (train on the
Whombat annotated clips of 7 recordings, test on the other 3, 40 epochs, batch 4), once per
starting point and seed; every pretraining is timed too.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models_app import starts, threads  # noqa: E402
from models_app.features import FeatureConfig, compute_features  # noqa: E402
from models_app.synthetic import make_dataset  # noqa: E402
from models_app.training import Example, train  # noqa: E402

DEMO_FEATURES = FeatureConfig(fmin=10_000, fmax=150_000)  # registry.train_config of the demo
OLD = {"n_clips": 300, "epochs": 4, "clip_s": 1.0, "crop_s": None}


def recipe(text: str) -> dict:
    """``old``, ``fast`` (today's defaults) or ``key=value,...`` over SyntheticStart's fields."""
    if text == "old":
        return dict(OLD)
    if text == "fast":
        return {}
    out: dict = {}
    for part in text.split(","):
        key, value = part.split("=")
        out[key] = (
            None
            if value == "none"
            else (int(value) if key in ("n_clips", "epochs", "seed") else float(value))
        )
    return out


def load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def time_phases(spec: starts.SyntheticStart) -> None:
    """Generation, features and training of one pretraining, each timed."""
    print(f"{spec}\n{load()}", flush=True)
    gen = feat = 0.0
    examples = []
    for first in range(0, spec.n_clips, starts.BLOCK):
        t0 = time.perf_counter()
        clips = make_dataset(
            min(starts.BLOCK, spec.n_clips - first),
            seed=spec.seed + first,
            samplerate=spec.samplerate,
            duration_s=spec.clip_s,
            n_species=starts.SYNTHETIC_SPECIES,
        )
        t1 = time.perf_counter()
        examples += [
            Example(
                c.events,
                features=compute_features(c.audio, c.samplerate, spec.features),
                is_empty=c.is_empty,
            )
            for c in clips
        ]
        gen, feat = gen + t1 - t0, feat + time.perf_counter() - t1
    cfg = starts.pretrain_config(spec)
    t0 = time.perf_counter()
    train(
        cfg,
        examples,
        progress=lambda e, n, m: print(
            f"  epoch {e}/{n}: {m['seconds']:.1f} s, loss {m['loss']:.3f}"
        ),
    )
    fit = time.perf_counter() - t0
    print(
        f"generate {gen:.1f} s, features {feat:.1f} s, train {fit:.1f} s: total {gen + feat + fit:.1f} s; {load()}"
    )


def quality(recipes: list[str], seeds: list[int], args) -> None:
    """F1 on the Whombat test recordings, scratch vs each pretraining, per seed."""
    import detection_quality as dq  # benchmarks/ is on sys.path when run as a script

    clips = dq.load_clips()
    test = [c for c in clips if c["file"].startswith(dq.TEST_FILES)]
    train_clips = [c for c in clips if not c["file"].startswith(dq.TEST_FILES)]
    print(
        f"{'start':<40}{'seed':>5}{'detAP':>7}{'P':>7}{'R':>7}{'F1':>7}{'pretrain s':>12}{'train s':>9}  load"
    )
    for name in recipes:
        init, pre_s = None, 0.0
        if name != "scratch":
            spec = starts.SyntheticStart(FeatureConfig(), 384_000, **recipe(name))
            t0 = time.perf_counter()
            init = starts.train_synthetic_start(spec)
            pre_s = time.perf_counter() - t0
        for seed in seeds:
            args.seed = seed
            r = dq.run_variant(train_clips, test, "spectrogram", False, args, init)
            m = r["m"]
            print(
                f"{name:<40}{seed:>5}{m['det_ap']:7.3f}{m['precision']:7.3f}{m['recall']:7.3f}{m['f1']:7.3f}"
                f"{pre_s:12.0f}{r['train_s']:9.0f}  {load()}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("time", "quality"))
    parser.add_argument("--recipe", default="fast", help="time: old, fast or key=value,...")
    parser.add_argument(
        "--recipes", default="scratch,old,fast", help="quality: ';'-separated recipes"
    )
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--samplerate", type=int, default=384_000)
    parser.add_argument(
        "--threads", type=int, default=0, help="0: models_app.threads.training_threads()"
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--iou", type=float, default=0.3, help="as detection_quality.py's")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads or threads.training_threads())
    print(f"torch threads {torch.get_num_threads()}, {load()}")
    if args.what == "time":
        time_phases(starts.SyntheticStart(DEMO_FEATURES, args.samplerate, **recipe(args.recipe)))
    else:
        sep = ";" if ";" in args.recipes else ("," if "=" not in args.recipes else ";")
        quality(args.recipes.split(sep), [int(s) for s in args.seeds.split(",")], args)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
