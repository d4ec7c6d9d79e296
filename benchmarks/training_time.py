"""Time to train the detector on 1,000 labelled 1-s synthetic clips, and the quality reached.

    .venv/bin/python benchmarks/training_time.py [--clips 1000] [--epochs 6] [--crop 0.5] [--threads 0]

Clips come from ``models_app.synthetic`` (256 kHz, 5 species with a long tail, 20 % empty,
SNR 0–30 dB). Features are computed once (timed separately), then ``train`` runs on CPU.
Quality is measured on 300 held-out clips of the same species (another seed).
``--threads 0`` (the default) lets ``models_app.threads.training_threads`` pick, as ``train``
does when ``TrainConfig.num_threads`` is None; ``--threads N`` pins N intra-op threads.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models_app.detector import DetectorConfig, count_parameters  # noqa: E402
from models_app.features import FeatureConfig, compute_features  # noqa: E402
from models_app.inference import Detector  # noqa: E402
from models_app.synthetic import make_dataset  # noqa: E402
from models_app.threads import other_load  # noqa: E402
from models_app.training import Example, TrainConfig, evaluate, train  # noqa: E402


def feature_examples(n: int, seed: int, fc: FeatureConfig) -> tuple[list[Example], list]:
    """Generate clips in blocks and keep only their features (audio would need 1 GB)."""
    examples, truth = [], []
    for block in range(0, n, 50):
        for c in make_dataset(min(50, n - block), seed=seed * 100_000 + block):
            feats = compute_features(c.audio, c.samplerate, fc).astype(np.float16)
            examples.append(Example(c.events, features=feats, is_empty=c.is_empty, meta=c.meta))
            truth.append(c.events)
    return examples, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument(
        "--crop", type=float, default=0.5, help="random crop (s) per clip and epoch; 0: whole clips"
    )
    parser.add_argument("--threads", type=int, default=0, help="0: training_threads() picks")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--channels", default=None, help="e.g. 8,24,48 (default: DetectorConfig's)")
    parser.add_argument(
        "--metadata", action="store_true", help="train the auxiliary metadata heads"
    )
    args = parser.parse_args()
    print(
        f"load average before: {os.getloadavg()[0]:.2f}, others now {other_load():.1f}"
        f" ({os.cpu_count()} cores); torch threads: {args.threads or 'auto'}"
    )

    det_kwargs = (
        {"channels": tuple(int(c) for c in args.channels.split(","))} if args.channels else {}
    )
    det_cfg = DetectorConfig(class_names=make_dataset(1, seed=0)[0].species, **det_kwargs)
    t0 = time.perf_counter()
    train_ex, _ = feature_examples(args.clips, 1, det_cfg.features)
    val_ex, val_truth = feature_examples(300, 2, det_cfg.features)
    print(f"generate + features for {args.clips + 300} clips: {time.perf_counter() - t0:.1f} s")

    cfg = TrainConfig(
        detector=det_cfg,
        epochs=args.epochs,
        batch_size=args.batch_size,
        crop_s=args.crop or None,
        use_metadata=args.metadata,
        lr=4e-3,
        num_threads=args.threads or None,
    )
    t0 = time.perf_counter()
    result = train(
        cfg,
        train_ex,
        progress=lambda e, n, m: print(
            f"  epoch {e}/{n}: loss {m['loss']:.3f} (heatmap {m['heatmap']:.3f}, classes {m['classes']:.3f})"
            f" {m['seconds']:.0f} s"
        ),
    )
    train_s = time.perf_counter() - t0
    print(
        f"training: {args.clips} clips × {args.epochs} epochs (crop {args.crop} s) in {train_s:.0f} s"
        f" on {torch.get_num_threads()} threads"
        f" ({train_s / 60:.1f} min), {count_parameters(result.build_model())} parameters"
    )

    det = Detector.from_result(result, device="cpu", threshold=0.3)
    scores = det.score_features_batch([ex.features.astype(np.float32) for ex in val_ex])
    m = evaluate(
        [s.events for s in scores],
        val_truth,
        threshold=0.3,
        class_names=result.config.class_names,
        clip_scores=np.stack([s.class_probs for s in scores]),
    )
    print(f"held-out (300 clips, {m['n_gt']} calls), 10 ms onset tolerance, threshold 0.3:")
    print(
        f"  detection AP {m['det_ap']:.3f}  P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
    )
    print(
        f"  class-aware F1 {m['class_f1']:.3f}  call mAP {m['map']:.3f}  clip mAP {m['clip_map']:.3f}"
    )
    print("  per-class AP:", {k: round(v, 3) for k, v in m["class_ap"].items()})
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
