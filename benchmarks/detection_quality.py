"""Call detection quality on the real Whombat example recordings (split by recording).

    .venv/bin/python benchmarks/detection_quality.py [--epochs 40] [--threads 2] [--seeds 0 1 2]
        [--variants spectrogram spectrogram+pre spectrogram+ssl spectrogram+pre+ssl ...]
        (--variants all: every row)

Data: 10 recordings, one species each; ``annotated_clips.csv`` lists the 1-s clips that
were annotated and only those are used (other time is unlabelled, not negative). Train on
the annotated clips of 7 recordings, test on those of the other 3. Because every species
lives in one recording, species are never shared between train and test: the test says
how well *calls* are found (class-agnostic, 10 ms onset tolerance). The one overlap is the
genus *Carollia* (C. castanea and C. sowelli train, C. perspicillata test), reported as a
genus-level AP. Variants: spectrogram vs scalogram input, with vs without the auxiliary
metadata heads (site from latitude/longitude, hour, month), and (spectrogram) warm-started
from a model pretrained for a few minutes on synthetic calls (``models_app.synthetic``,
generated on the spot: no download), from the self-supervised encoder (``models_app.selfsupervised``
on every recording cut into 1-s clips, no label: ``+ssl``) or from both (the self-supervised
pretraining started from the synthetic one: ``+pre+ssl``).

Besides onset matching, boxes are scored by time–frequency IoU ≥ ``--iou`` (``F1iou``,
``APiou``: are the box extents right?). ``calF1``/``calF1iou`` are at the served threshold
0.5 on calibrated scores: each test recording's scores are calibrated by a Platt fit on the
other two test recordings' detections (never on its own), and ``ECE`` is the expected
calibration error of all test detections before → after. ``F1 95%`` is a bootstrap
interval over the test clips (11 clips: wide).
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

from models_app.calibration import (  # noqa: E402
    SERVED_THRESHOLD,
    expected_calibration_error,
    fit_calibration,
)
from models_app.detector import DetectorConfig, Event  # noqa: E402
from models_app.evaluation import bootstrap_ci, detection_outcomes  # noqa: E402
from models_app.features import FeatureConfig, compute_features  # noqa: E402
from models_app.inference import Detector  # noqa: E402
from models_app.options import FREQ_SHIFT_PROB  # noqa: E402
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


def split(clips: list[dict], by: str) -> tuple[list[dict], list[dict]]:
    """(train, test): by recording (``TEST_FILES`` held out: species never seen in
    training) or by clip (every third annotated clip of each recording: seen species,
    cross-calibrated by recording all the same)."""
    if by == "recording":
        test = [c for c in clips if c["file"].startswith(TEST_FILES)]
        return [c for c in clips if not c["file"].startswith(TEST_FILES)], test
    seen: dict[str, int] = defaultdict(int)
    train_clips, test = [], []
    for c in clips:
        seen[c["file"]] += 1
        (test if seen[c["file"]] % 3 == 2 else train_clips).append(c)
    return train_clips, test


VARIANTS = {  # name: (representation, metadata heads, start: None | synthetic | ssl | both)
    "spectrogram": ("spectrogram", False, None),
    "spectrogram+meta": ("spectrogram", True, None),
    "scalogram": ("scalogram", False, None),
    "scalogram+meta": ("scalogram", True, None),
    "spectrogram+pre": ("spectrogram", False, "synthetic"),
    "spectrogram+pre+meta": ("spectrogram", True, "synthetic"),
    "spectrogram+ssl": ("spectrogram", False, "ssl"),
    "spectrogram+pre+ssl": ("spectrogram", False, "both"),
}


def pool_clips(hop_s: float = 0.25, clip_s: float = 1.0) -> list[np.ndarray]:
    """The unlabelled pool of the self-supervised starts: every recording (test ones included, as
    a project's pool holds every recording; no label is read) cut into 1-s clips every 0.25 s."""
    fc = FeatureConfig()
    pool = []
    for path in sorted(DATA.glob("*.wav")):
        audio, sr = sf.read(path, dtype="float32")
        for t0 in np.arange(0.0, len(audio) / sr - clip_s + 1e-9, hop_s):
            seg = audio[int(t0 * sr) : int(t0 * sr) + int(clip_s * sr)]
            pool.append(compute_features(seg, sr, fc).astype(np.float16))
    return pool


def pretrain_ssl(epochs: int, init: TrainResult | None, threads: int) -> TrainResult:
    """``models_app.selfsupervised`` on ``pool_clips()``, sized as the product sizes it (views of
    40 % of a clip, at most 128 columns), optionally from the synthetic start ("both")."""
    from models_app.selfsupervised import MAX_VIEW_COLUMNS, SSLConfig, pretrain

    pool = pool_clips()
    fc = FeatureConfig()
    cfg = SSLConfig(
        features=fc,
        epochs=epochs,
        num_threads=threads,
        crop_s=min(0.4, MAX_VIEW_COLUMNS / fc.frames_per_second),
    )
    t0 = time.perf_counter()
    result = pretrain(cfg, pool, init=init)
    print(
        f"(self-supervised pretraining{' from the synthetic start' if init else ''}: {len(pool)} clips × "
        f"{epochs} epochs, loss {result.history[0]['loss']:.3f} → {result.history[-1]['loss']:.3f}, "
        f"chance {result.history[-1]['chance']:.3f}, {time.perf_counter() - t0:.0f} s)",
        flush=True,
    )
    return result


def cross_calibrated(preds: list[list[Event]], truth, files: list[str]) -> list[list[Event]]:
    """Each recording's events rescored by a calibration fitted on the other recordings."""
    out: list[list[Event]] = [[] for _ in preds]
    for f in set(files):
        rest = [i for i, g in enumerate(files) if g != f]
        cal = fit_calibration(
            *detection_outcomes([preds[i] for i in rest], [truth[i] for i in rest], raw=True)
        )
        for i in (i for i, g in enumerate(files) if g == f):
            probs = cal.apply(np.array([e.raw_score for e in preds[i]]))
            out[i] = [replace(e, score=float(p)) for e, p in zip(preds[i], probs)]
    return out


def run_variant(train_clips, test_clips, variant: str, seed: int, args, init=None) -> dict:
    representation, metadata, _ = VARIANTS[variant]
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
        seed=seed,
        freq_shift_prob=args.freq_shift,
    )
    t0 = time.perf_counter()
    result = train(cfg, train_ex, init_state=init)
    train_s = time.perf_counter() - t0
    # The same weights decoded with the extent head's boxes (the product before outlines).
    head = replace(result, config=replace(result.config, box_refine_db=None))
    head_det = Detector.from_result(head, device="cpu", threshold=0.05)
    head_preds = [s.events for s in head_det.score_features_batch(test_feats)]
    head_m = evaluate(
        head_preds, [c["events"] for c in test_clips], threshold=args.threshold, iou=args.iou
    )
    det = Detector.from_result(result, device="cpu", threshold=0.05)
    scores = det.score_features_batch(test_feats)
    preds = [s.events for s in scores]
    truth = [c["events"] for c in test_clips]
    m = evaluate(preds, truth, threshold=args.threshold, iou=args.iou)
    best = max((evaluate(preds, truth, threshold=t)["f1"], t) for t in np.arange(0.05, 0.95, 0.05))
    genus_truth = [[replace(b, label=b.label.split()[0]) for b in clip] for clip in truth]
    genus = evaluate([genus_events(p) for p in preds], genus_truth, class_names=["Carollia"])
    files = [c["file"] for c in test_clips]
    calibrated = cross_calibrated(preds, truth, files)
    cal_m = evaluate(calibrated, truth, threshold=SERVED_THRESHOLD, iou=args.iou)
    raw_s, tp = detection_outcomes(preds, truth)
    cal_s, _ = detection_outcomes(calibrated, truth)
    ci = bootstrap_ci(preds, truth, keys=("f1",), threshold=args.threshold, iou=args.iou)
    return {
        "m": m,
        "head": head_m,
        "cal": cal_m,
        "ece": (expected_calibration_error(raw_s, tp), expected_calibration_error(cal_s, tp)),
        "f1_ci": ci["f1"],
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
    parser.add_argument("--ssl-epochs", type=int, default=60, help="self-supervised starts' epochs")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=0.3)
    parser.add_argument("--iou", type=float, default=0.3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--freq-shift", type=float, default=FREQ_SHIFT_PROB, help="TrainConfig.freq_shift_prob"
    )
    parser.add_argument(
        "--split", choices=["recording", "clip"], default="recording",
        help="clip: every third clip of each recording is tested (species seen in training)",
    )  # fmt: skip
    parser.add_argument(
        "--variants", nargs="+", default=["spectrogram", "spectrogram+pre"],
        choices=[*VARIANTS, "all"],
    )  # fmt: skip
    args = parser.parse_args()
    variants = list(VARIANTS) if "all" in args.variants else args.variants
    if not args.pretrain_clips:
        variants = [v for v in variants if VARIANTS[v][2] not in ("synthetic", "both")]
    torch.set_num_threads(args.threads)
    print(
        f"load average before: {os.getloadavg()[0]:.2f} (2 cores, shared); torch threads: {args.threads}"
    )
    clips = load_clips()
    train_clips, test = split(clips, args.split)
    n_calls = lambda cs: sum(len(c["events"]) for c in cs)  # noqa: E731
    print(
        f"split by {args.split}: train {len(train_clips)} clips / {n_calls(train_clips)} calls;"
        f" test {len(test)} clips / {n_calls(test)} calls"
        + (f" from {', '.join(TEST_FILES)}" if args.split == "recording" else "")
    )
    starts: dict[str | None, TrainResult | None] = {None: None}
    wanted = {VARIANTS[v][2] for v in variants}
    if wanted & {"synthetic", "both"}:
        t0 = time.perf_counter()
        starts["synthetic"] = pretrain_synthetic(
            FeatureConfig(), args.pretrain_clips, args.pretrain_epochs
        )
        print(
            f"(synthetic pretraining: {args.pretrain_clips} clips × {args.pretrain_epochs} epochs,"
            f" {time.perf_counter() - t0:.0f} s)"
        )
    if "ssl" in wanted:
        starts["ssl"] = pretrain_ssl(args.ssl_epochs, None, args.threads)
    if "both" in wanted:
        starts["both"] = pretrain_ssl(args.ssl_epochs, starts["synthetic"], args.threads)
    print(
        f"{'variant':<22}{'seed':>4}{'detAP':>7}{'P':>7}{'R':>7}{'F1':>7}{'F1 95%':>13}"
        f"{'APiou':>7}{'F1iou':>7}{'calF1':>7}{'calF1iou':>9}{'ECE':>12}{'bestF1@t':>12}"
        f"{'CarAP':>7}{'train s':>8}{'head: P':>8}{'R':>7}{'F1':>7}{'APiou':>7}{'F1iou':>7}"
    )
    for variant in variants:
        for seed in args.seeds:
            r = run_variant(train_clips, test, variant, seed, args, starts[VARIANTS[variant][2]])
            m, cal, (lo, hi), h = r["m"], r["cal"], r["f1_ci"], r["head"]
            ci, ece = f"[{lo:.2f},{hi:.2f}]", f"{r['ece'][0]:.2f}→{r['ece'][1]:.2f}"
            print(
                f"{variant:<22}{seed:>4}{m['det_ap']:7.3f}{m['precision']:7.3f}{m['recall']:7.3f}"
                f"{m['f1']:7.3f}{ci:>13}{m['det_ap_iou']:7.3f}{m['f1_iou']:7.3f}"
                f"{cal['f1']:7.3f}{cal['f1_iou']:9.3f}{ece:>12}"
                f"{r['best_f1'][0]:7.3f}@{r['best_f1'][1]:.2f}{r['carollia_ap']:7.3f}"
                f"{r['train_s']:8.0f}{h['precision']:8.3f}{h['recall']:7.3f}{h['f1']:7.3f}"
                f"{h['det_ap_iou']:7.3f}{h['f1_iou']:7.3f}",
                flush=True,
            )
    print(
        f"(P/R/F1/F1iou at threshold {args.threshold} on raw scores, class-agnostic, 10 ms onset"
        f" tolerance or box IoU ≥ {args.iou}; calF1 at {SERVED_THRESHOLD} on cross-calibrated"
        " scores; bestF1 picks the threshold on the test set itself, so it is optimistic; boxes"
        " outlined on the spectrogram (DetectorConfig.box_refine_db), 'head:' the same weights"
        " with the extent head's boxes)"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
