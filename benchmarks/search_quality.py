"""Search by example on the shared labelled sets: top-10 precision per species from one query.

    .venv/bin/python benchmarks/search_quality.py [--max-queries 30] [--ssl-epochs 30] [--only-pretrained]

For each set the pool is cut into 0.5-s clips and embedded window by window (0.1 s) by each
embedding, through the product's code: the detector's window embeddings (``Detector.score_clips``:
the bat detector pretrained on synthetic calls that ships with the package, frozen), the
``band-stats`` adapter (``models_app.embedders``), and the ``selfsupervised`` and
``band-stats+selfsupervised`` adapters on an encoder pretrained (``models_app.selfsupervised``, the
product's view size and default views) on the set's own clips without labels; the one the
product's default rule picks for the set once pretrained (``adapters.default_embedding``) is marked. A query is one labelled call: its box (time and
band) for the bats, its syllable's interval for the birds. The search is
``models_app.search.nearest`` (best window per clip). Precision@10 is the share of the 10 nearest
clips that hold the query's species. Bats: every species of the Whombat example is in one
recording only, so the matches can only come from the query's own recording (its other clips: the
query's clip is left out) — "find more of this call in the archive", but within a file; the chance
rate is the species' share of the other clips, "best possible" min(10, clips holding it) / 10. Birds: the query's whole song is left out
(overlapping clips of one song are near-duplicates), so matches come from the other 9 songs. Reported per species: mean over up to
``--max-queries`` queries, and the rate a random pick of 10 would reach (the species' share of the
eligible clips).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
os.environ.setdefault("ECHOLOOP_DATA_DIR", tempfile.mkdtemp(prefix="search-quality-"))

import django  # noqa: E402

django.setup()

from models_app import adapters, embedders, embeddings_store, pretraining, search  # noqa: E402
from models_app.features import FeatureConfig, compute_features  # noqa: E402
from models_app.inference import Detector  # noqa: E402
from models_app.selfsupervised import MAX_VIEW_COLUMNS, Encoder, SSLConfig, pretrain  # noqa: E402
from models_app.starts import PRETRAINED  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BATS = DATA / "bats" / "whombat-example"
BIRDS = DATA / "birds" / "bengalese-finch-gy6or6"
CLIP_S, WINDOW_S = 0.5, 0.1


@dataclass
class Call:
    recording: str
    start_s: float
    end_s: float
    low_hz: float | None
    high_hz: float | None
    label: str


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def bat_calls() -> tuple[dict[str, tuple[np.ndarray, int]], list[Call]]:
    calls = [
        Call(
            r["file"],
            float(r["start_s"]),
            float(r["end_s"]),
            float(r["low_freq_hz"]),
            float(r["high_freq_hz"]),
            r["species"],
        )
        for r in _rows(BATS / "annotations_boxes.csv")
    ]
    audio = {
        name: sf.read(BATS / name, dtype="float32") for name in sorted({c.recording for c in calls})
    }
    return audio, calls


def bird_calls() -> tuple[dict[str, tuple[np.ndarray, int]], list[Call]]:
    calls = [
        Call(r["file"], float(r["onset_s"]), float(r["offset_s"]), None, None, r["label"])
        for r in _rows(BIRDS / "annotations_simple.csv")
    ]
    audio = {
        name: sf.read(BIRDS / name, dtype="float32")
        for name in sorted({c.recording for c in calls})
    }
    return audio, calls


def cut(audio, calls):
    """0.5-s clips of every recording: (recording, start) and each clip's labels (calls at least half inside)."""
    clips, labels = [], []
    by_rec = defaultdict(list)
    for c in calls:
        by_rec[c.recording].append(c)
    for name, (x, sr) in audio.items():
        x = x if x.ndim == 1 else x.mean(axis=1)
        for j in range(int(len(x) / sr / CLIP_S)):
            t0 = j * CLIP_S
            inside = {
                c.label
                for c in by_rec[name]
                if min(t0 + CLIP_S, c.end_s) - max(t0, c.start_s) >= 0.5 * (c.end_s - c.start_s)
            }
            clips.append((name, t0))
            labels.append(inside)
    return clips, labels


def segment(audio, name, t0):
    x, sr = audio[name]
    x = x if x.ndim == 1 else x.mean(axis=1)
    return x[int(round(t0 * sr)) : int(round((t0 + CLIP_S) * sr))], sr


class DetectorEmbedding:
    name = "detector (pretrained on synthetic bat calls, frozen)"

    def __init__(self):
        self.detector = Detector.load(
            PRETRAINED / "synthetic-ebf98fc849888fe233586887.pt", device="cpu", window_s=WINDOW_S
        )

    def windows(self, x, sr):
        return self.detector.score_clips([(x, sr)])[0].window_embeddings

    def box(self, x, sr, start, end, low, high):
        return self.detector.embed_region(x, sr, start, end, low, high)


class AdapterEmbedding:
    def __init__(self, name: str, encoder=None, label: str = ""):
        self.adapter = embedders.get(name, encoder=encoder)
        self.name = label or f"adapter {name}"

    def windows(self, x, sr):
        return embedders.embed_windows(self.adapter, x, sr)

    def box(self, x, sr, start, end, low, high):
        part = x[int(start * sr) : max(int(start * sr) + 1, int(end * sr))]
        return embedders.embed_windows(self.adapter, part, sr).mean(axis=0)


def pretrain_encoder(audio, calls, features: FeatureConfig, epochs: int):
    """The product's pretraining (``models_app.selfsupervised`` with ``pretraining``'s view size and
    default views for the sample rate) on every 0.5-s clip of the set, no labels; the encoder."""
    clips, _labels = cut(audio, calls)
    samplerate = min(sr for _x, sr in audio.values())
    pool = [
        compute_features(*segment(audio, n, t0), features).astype(np.float16) for n, t0 in clips
    ]
    cfg = SSLConfig(
        features=features,
        epochs=epochs,
        crop_s=min(0.4 * CLIP_S, MAX_VIEW_COLUMNS / features.frames_per_second),
        disjoint_views=pretraining.default_views(samplerate) == "disjoint",
        num_threads=1,
        seed=0,
    )
    began = time.perf_counter()
    result = pretrain(cfg, pool)
    print(
        f"\n[ssl] {len(pool)} clips x {epochs} epochs, {pretraining.default_views(samplerate)} views: "
        f"loss {result.history[0]['loss']:.3f} -> {result.history[-1]['loss']:.3f} "
        f"(chance {result.history[-1]['chance']:.3f}), {time.perf_counter() - began:.0f} s, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    return Encoder(result), samplerate


def pretrained_embeddings(audio, calls, features: FeatureConfig, epochs: int) -> list:
    """Band statistics, the self-supervised adapter and the combination, the one the product's
    default rule (``adapters.default_embedding``) picks for this set once pretrained marked."""
    encoder, samplerate = pretrain_encoder(audio, calls, features, epochs)
    default = adapters.default_embedding(True, samplerate).name
    return [
        AdapterEmbedding(
            name,
            encoder,
            f"adapter {name}" + (" (the product's default here)" if name == default else ""),
        )
        for name in (adapters.BAND_STATS, adapters.SELF_SUPERVISED, adapters.COMBINED)
    ]


def evaluate(set_name, audio, calls, embedding, max_queries, rng, *, same_recording_out: bool):
    clips, labels = cut(audio, calls)
    windows = [embedding.windows(*segment(audio, n, t0)) for n, t0 in clips]
    ids = np.concatenate([np.full(len(w), i) for i, w in enumerate(windows)]).astype(np.int64)
    starts = np.concatenate([np.arange(len(w)) * WINDOW_S for w in windows]).astype(np.float32)
    store = embeddings_store.WindowSet(
        ids, starts, np.concatenate(windows).astype(np.float16), WINDOW_S
    )
    mean = store.centred()[0]
    recs = np.array([n for n, _ in clips])
    results = {}
    for species in sorted({c.label for c in calls}):
        mine = [c for c in calls if c.label == species]
        picked = [
            mine[i] for i in rng.choice(len(mine), min(max_queries, len(mine)), replace=False)
        ]
        precisions, chance, ceiling = [], [], []
        for call in picked:
            j = next(
                (
                    i
                    for i, (n, t0) in enumerate(clips)
                    if n == call.recording and t0 <= call.start_s < t0 + CLIP_S
                ),
                None,
            )
            if j is None:
                continue
            t0 = clips[j][1]
            x, sr = segment(audio, call.recording, t0)
            end = min(call.end_s, t0 + CLIP_S)
            q = embedding.box(x, sr, call.start_s - t0, end - t0, call.low_hz, call.high_hz) - mean
            # Bats: each species is in one recording only, so only the query's own clip is left
            # out; birds: the query's whole song (its overlapping clips are near-duplicates).
            exclude = (
                np.flatnonzero(recs == call.recording) if same_recording_out else np.array([j])
            )
            other = np.setdiff1d(np.arange(len(clips)), exclude)
            hits = search.nearest(
                store, q.astype(np.float32), 10, level="clip", exclude_clips=exclude
            )
            found = store.clip_ids[hits.indices]
            precisions.append(np.mean([species in labels[i] for i in found]) if len(found) else 0.0)
            chance.append(np.mean([species in labels[i] for i in other]))
            ceiling.append(min(10, sum(species in labels[i] for i in other)) / 10)
        if precisions:
            results[species] = (
                float(np.mean(precisions)),
                float(np.mean(chance)),
                len(precisions),
                float(np.mean(ceiling)),
            )
    print(f"\n{set_name}, {embedding.name}: {len(clips)} clips, {len(store)} windows")
    print("| species | queries | precision@10 | chance | best possible |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for species, (p, c, n, top) in results.items():
        print(f"| {species} | {n} | {p:.2f} | {c:.2f} | {top:.2f} |")
    mean = np.mean(list(results.values()), axis=0)
    print(f"| mean over species | | {mean[0]:.2f} | {mean[1]:.2f} | {mean[3]:.2f} |")


BAT_FEATURES = FeatureConfig(fmax=150_000.0)  # as simulate_active_learning's bats
# The birds' grid of simulate_active_learning (BIRD_GRID): kHz instead of tens of kHz.
BIRD_FEATURES = FeatureConfig(window_s=0.02, frames_per_second=100.0, fmin=500.0, fmax=12_000.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-queries", type=int, default=30)
    p.add_argument("--ssl-epochs", type=int, default=30, help="self-supervised pretraining epochs")
    p.add_argument(
        "--only-pretrained", action="store_true", help="skip the detector and band-stats"
    )
    args = p.parse_args()
    torch.set_num_threads(1)
    print(f"load: {os.getloadavg()[0]:.2f} (1-min), cores: {os.cpu_count()}")
    bats = bat_calls()
    before = [] if args.only_pretrained else [DetectorEmbedding()]
    for embedding in before + pretrained_embeddings(*bats, BAT_FEATURES, args.ssl_epochs):
        evaluate(
            "bats (Whombat example, 10 species)",
            *bats,
            embedding,
            args.max_queries,
            np.random.default_rng(0),
            same_recording_out=False,
        )
    birds = bird_calls()
    for embedding in pretrained_embeddings(*birds, BIRD_FEATURES, args.ssl_epochs):
        evaluate(
            "birds (Bengalese finch gy6or6, 11 syllables)",
            *birds,
            embedding,
            args.max_queries,
            np.random.default_rng(0),
            same_recording_out=True,
        )
    print(f"\nload at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
