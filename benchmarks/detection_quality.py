"""Call detection quality on the real Whombat example recordings (split by recording).

    .venv/bin/python benchmarks/detection_quality.py [--epochs 40] [--threads 2]

Data: 10 recordings, one species each; ``annotated_clips.csv`` lists the 1-s clips that
were annotated and only those are used (other time is unlabelled, not negative). Train on
the annotated clips of 7 recordings, test on those of the other 3. Because every species
lives in one recording, species are never shared between train and test: the test says
how well *calls* are found (class-agnostic, 10 ms onset tolerance). The one overlap is the
genus *Carollia* (C. castanea and C. sowelli train, C. perspicillata test), reported as a
genus-level AP. Variants: spectrogram vs scalogram input, with vs without the auxiliary
metadata heads (site from latitude/longitude, hour, month), and (spectrogram) warm-started
from a model pretrained for a few minutes on synthetic calls (``models_app.synthetic``,
generated on the spot: no download).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models_app.detector import DetectorConfig, Event  # noqa: E402
from models_app.features import FeatureConfig, compute_features  # noqa: E402
from models_app.inference import Detector  # noqa: E402
from models_app.synthetic import make_dataset  # noqa: E402
from models_app.training import Box, Example, TrainConfig, TrainResult, evaluate, train  # noqa: E402

DATA = Path("/work/shared/data/bats/whombat-example")
TEST_FILES = ("XC826196", "XC826219", "XC821730")  # C. perspicillata, P. mesoamericanus, R. naso


def recording_meta() -> dict[str, dict]:
    """site (rounded lat/lon), hour and month per recording, from the Whombat dataset file."""
    recs = json.loads((DATA / "example_dataset.json").read_text())["data"]["recordings"]
    out = {}
    for r in recs:
        lat, lon = r.get("latitude"), r.get("longitude")
        out[r["path"]] = {
            "site": f"{lat:.1f},{lon:.1f}" if lat is not None and lon is not None else None,
            "hour": int(r["time"][:2]) if r.get("time") else None,
            "season": r["date"][5:7] if r.get("date") else None,
        }
    return out


def load_clips() -> list[dict]:
    """Every annotated 1-s clip with its audio, boxes (clip time) and recording metadata."""
    boxes = defaultdict(list)
    with open(DATA / "annotations_boxes.csv") as fh:
        for r in csv.DictReader(fh):
            boxes[r["file"]].append(r)
    meta = recording_meta()
    clips = []
    with open(DATA / "annotated_clips.csv") as fh:
        for r in csv.DictReader(fh):
            start, end = float(r["start_s"]), float(r["end_s"])
            audio, sr = sf.read(DATA / r["file"], dtype="float32")
            audio = audio[int(start * sr) : int(end * sr)]
            events = [
                Box(
                    float(b["start_s"]) - start,
                    float(b["end_s"]) - start,
                    float(b["low_freq_hz"]),
                    float(b["high_freq_hz"]),
                    b["species"],
                )
                for b in boxes[r["file"]]
                if start <= (float(b["start_s"]) + float(b["end_s"])) / 2 < end
            ]
            clips.append(
                {
                    "file": r["file"],
                    "audio": audio,
                    "sr": sr,
                    "events": events,
                    "meta": meta.get(r["file"], {}),
                }
            )
    return clips


def genus_events(events: list[Event]) -> list[Event]:
    """Sum species probabilities into genus probabilities (first word of the name)."""
    out = []
    for e in events:
        probs: dict[str, float] = defaultdict(float)
        for name, p in e.class_probs.items():
            probs[name.split()[0]] += p
        out.append(replace(e, class_name=max(probs, key=probs.get), class_probs=dict(probs)))
    return out


def pretrain_synthetic(fc: FeatureConfig, n_clips: int, epochs: int) -> TrainResult:
    """A starting point trained on generated 384 kHz calls of 8 synthetic species."""
    examples = []
    for block in range(0, n_clips, 50):
        for c in make_dataset(
            min(50, n_clips - block), seed=500 + block, samplerate=384_000, n_species=8
        ):
            feats = compute_features(c.audio, c.samplerate, fc)
            examples.append(Example(c.events, features=feats, is_empty=c.is_empty))
    cfg = TrainConfig(detector=DetectorConfig(class_names=[], features=fc), epochs=epochs, lr=4e-3)
    return train(cfg, examples)


def run_variant(
    train_clips, test_clips, representation: str, metadata: bool, args, init=None
) -> dict:
    fc = FeatureConfig(representation=representation)
    t0 = time.perf_counter()
    train_ex = [
        Example(
            c["events"],
            features=compute_features(c["audio"], c["sr"], fc),
            is_empty=not c["events"],
            meta=c["meta"],
        )
        for c in train_clips
    ]
    test_feats = [compute_features(c["audio"], c["sr"], fc) for c in test_clips]
    feat_s = time.perf_counter() - t0
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=[], features=fc),
        epochs=args.epochs,
        batch_size=4,  # ~22 clips: small batches give the optimiser enough steps
        lr=4e-3,
        use_metadata=metadata,
        seed=args.seed,
    )
    t0 = time.perf_counter()
    result = train(cfg, train_ex, init_state=init)
    train_s = time.perf_counter() - t0
    det = Detector.from_result(result, device="cpu", threshold=0.05)
    scores = det.score_features_batch(test_feats)
    preds = [s.events for s in scores]
    truth = [c["events"] for c in test_clips]
    m = evaluate(preds, truth, threshold=args.threshold)
    best = max((evaluate(preds, truth, threshold=t)["f1"], t) for t in np.arange(0.05, 0.95, 0.05))
    genus_truth = [[replace(b, label=b.label.split()[0]) for b in clip] for clip in truth]
    genus = evaluate([genus_events(p) for p in preds], genus_truth, class_names=["Carollia"])
    return {
        "m": m,
        "best_f1": best,
        "carollia_ap": genus["class_ap"]["Carollia"],
        "train_s": train_s,
        "feat_s": feat_s,
        "loss": result.history[-1]["loss"],
        "meta_heads": list(result.config.meta_classes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument(
        "--pretrain-clips", type=int, default=300, help="0: skip the pretrained rows"
    )
    parser.add_argument("--pretrain-epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared); torch threads: {args.threads}"
    )
    clips = load_clips()
    test = [c for c in clips if c["file"].startswith(TEST_FILES)]
    train_clips = [c for c in clips if not c["file"].startswith(TEST_FILES)]
    n_calls = lambda cs: sum(len(c["events"]) for c in cs)  # noqa: E731
    print(
        f"train: {len(train_clips)} clips / {n_calls(train_clips)} calls from 7 recordings;"
        f" test: {len(test)} clips / {n_calls(test)} calls from {', '.join(TEST_FILES)}"
    )
    print(
        f"{'input':<16}{'meta':<6}{'detAP':>7}{'P':>7}{'R':>7}{'F1':>7}{'bestF1@t':>12}"
        f"{'Carollia AP':>13}{'train s':>9}"
    )
    variants = [
        (rep, meta, False) for rep in ("spectrogram", "scalogram") for meta in (False, True)
    ]
    init = None
    if args.pretrain_clips:
        t0 = time.perf_counter()
        init = pretrain_synthetic(FeatureConfig(), args.pretrain_clips, args.pretrain_epochs)
        print(
            f"(synthetic pretraining: {args.pretrain_clips} clips × {args.pretrain_epochs} epochs,"
            f" {time.perf_counter() - t0:.0f} s)"
        )
        variants += [("spectrogram", False, True), ("spectrogram", True, True)]
    for representation, metadata, pretrained in variants:
        r = run_variant(
            train_clips, test, representation, metadata, args, init if pretrained else None
        )
        m = r["m"]
        name = representation + ("+pre" if pretrained else "")
        print(
            f"{name:<16}{'yes' if metadata else 'no':<6}{m['det_ap']:7.3f}{m['precision']:7.3f}"
            f"{m['recall']:7.3f}{m['f1']:7.3f}{r['best_f1'][0]:7.3f}@{r['best_f1'][1]:.2f}"
            f"{r['carollia_ap']:13.3f}{r['train_s']:9.0f}",
            flush=True,
        )
    print(
        f"(P/R/F1 at threshold {args.threshold}, class-agnostic, 10 ms onset tolerance; bestF1 picks the"
        " threshold on the test set itself, so it is optimistic)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
