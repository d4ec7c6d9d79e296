"""The labelled sets the active-learning simulation runs on, turned into ``LabelledClip``s.

- bats: the Whombat example (10 recordings, one species each, 33 annotated seconds).
- birds: Bengalese finch gy6or6 (10 songs, 11 syllable labels, intervals only).
- synthetic: ``models_app.synthetic`` bat-like clips over real call-free background.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from sampling.simulation import LabelledClip

DATA = Path("/work/shared/data")
BATS = DATA / "bats" / "whombat-example"
BIRDS = DATA / "birds" / "bengalese-finch-gy6or6"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _contained(events: list[tuple[float, float, str]], t0: float, t1: float) -> list[str]:
    """Labels of the events with at least half their duration inside [t0, t1)."""
    return [lab for s, e, lab in events if min(t1, e) - max(t0, s) >= 0.5 * (e - s)]


# --- bats ---------------------------------------------------------------------------


def bat_boxes() -> dict[str, list[tuple[float, float, str]]]:
    """Boxes per recording file as (start_s, end_s, species)."""
    boxes: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for r in _rows(BATS / "annotations_boxes.csv"):
        boxes[r["file"]].append((float(r["start_s"]), float(r["end_s"]), r["species"]))
    return boxes


def bat_clips(*, clip_s: float, variant: str) -> tuple[list[LabelledClip], list[str]]:
    """Clips cut from the annotated seconds only (nothing else was annotated).

    ``variant="species_time"``: label = species of the calls in the clip; the last 30 %
    of each recording's annotated time is held out (a split by recording would hold out
    species the model never saw, since each recording is one species).
    ``variant="detection_recording"``: label = "bat call" (any species); 3 whole
    recordings are held out, so the test species are unseen, which is the honest test of
    a species-agnostic detector.
    """
    boxes = bat_boxes()
    annotated: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in _rows(BATS / "annotated_clips.csv"):
        annotated[r["file"]].append((float(r["start_s"]), float(r["end_s"])))
    files = sorted(annotated)
    held_out = {files[i] for i in (1, 5, 8)}
    clips: list[LabelledClip] = []
    for code, name in enumerate(files):
        audio, sr = sf.read(BATS / name, dtype="float32")
        # Some annotated seconds run past the end of the file: keep only whole clips.
        span = min(max(e for _, e in annotated[name]), len(audio) / sr)
        for t0 in _clip_starts(annotated[name], clip_s):
            if (t0 + clip_s) * sr > len(audio):
                continue
            labels = _contained(boxes[name], t0, t0 + clip_s)
            if variant == "species_time":
                is_test, classes = t0 >= 0.7 * span - 1e-9, set(labels)
            else:
                is_test, classes = name in held_out, {"bat call"} if labels else set()
            seg = audio[int(round(t0 * sr)) : int(round((t0 + clip_s) * sr))]
            clips.append(
                LabelledClip(seg, sr, frozenset(classes), len(labels), is_test, {"recording": code})
            )
    names = sorted({s for b in boxes.values() for _, _, s in b})
    return clips, (names if variant == "species_time" else ["bat call"])


def _clip_starts(spans: list[tuple[float, float]], clip_s: float) -> Iterator[float]:
    for s, e in sorted(spans):
        for j in range(int(round((e - s) / clip_s))):
            yield s + j * clip_s


def call_free_background(samplerate: int, margin_s: float = 0.005) -> np.ndarray:
    """Real background noise: annotated stretches of the bat recordings with no call.

    Each recording's call-free stretches (``margin_s`` away from any box) are resampled to
    ``samplerate``, normalised to unit RMS (recordings differ in gain) and concatenated.
    """
    boxes = bat_boxes()
    pieces = []
    for r in _rows(BATS / "annotated_clips.csv"):
        audio, sr = sf.read(BATS / r["file"], dtype="float32")
        s0, e0 = float(r["start_s"]), float(r["end_s"])
        keep = np.zeros(len(audio), bool)
        keep[int(s0 * sr) : int(e0 * sr)] = True
        for s, e, _ in boxes[r["file"]]:
            keep[max(0, int((s - margin_s) * sr)) : int((e + margin_s) * sr)] = False
        quiet = audio[keep]
        if len(quiet) > sr // 20:
            g = gcd(samplerate, sr)
            piece = resample_poly(quiet, samplerate // g, sr // g).astype(np.float32)
            pieces.append(piece / (np.sqrt(np.mean(piece**2)) + 1e-12))
    return np.concatenate(pieces)


# --- birds --------------------------------------------------------------------------


def bird_clips(*, clip_s: float = 0.5, hop_s: float = 0.25) -> tuple[list[LabelledClip], list[str]]:
    """0.5 s clips every 0.25 s over each song, multi-label by the syllables they hold.

    Songs are split by file: 3 of 10 are held out. Overlapping clips make near-duplicates
    in the pool, as a project with overlapping clips would have.
    """
    events: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for r in _rows(BIRDS / "annotations_simple.csv"):
        events[r["file"]].append((float(r["onset_s"]), float(r["offset_s"]), r["label"]))
    files = sorted(events)
    held_out = {files[i] for i in (2, 5, 8)}
    clips = []
    for code, name in enumerate(files):
        audio, sr = sf.read(BIRDS / name, dtype="float32")
        n_clips = int((len(audio) / sr - clip_s) / hop_s) + 1
        for j in range(n_clips):
            t0 = j * hop_s
            labels = _contained(events[name], t0, t0 + clip_s)
            seg = audio[int(t0 * sr) : int(t0 * sr) + int(clip_s * sr)]
            clips.append(
                LabelledClip(
                    seg, sr, frozenset(labels), len(labels), name in held_out, {"song": code}
                )
            )
    return clips, sorted({lab for ev in events.values() for _, _, lab in ev})


# --- synthetic ----------------------------------------------------------------------

HOUR_BINS = {18: 0, 19: 0, 20: 0, 21: 1, 22: 1, 23: 1, 0: 2, 1: 2, 2: 2, 3: 3, 4: 3, 5: 3}
SEASONS = ("spring", "summer", "autumn", "winter")


def synthetic_clips(
    n_clips: int,
    *,
    seed: int,
    catalog_seed: int,
    n_species: int = 8,
    samplerate: int = 256_000,
) -> tuple[Iterator[LabelledClip], list[str]]:
    """Generated bat clips over real background; every 4th clip is held out.

    The generator's catalogue is Zipf-like (abundance ~ 1/rank^1.3), so with 8 species the
    rarest is heard about 15 times less often than the commonest; SNR is uniform 0-30 dB.
    ``catalog_seed`` draws the species themselves (bands, shapes, durations): how much
    they overlap decides how hard the task is.
    """
    from models_app.synthetic import make_dataset  # the ML engineer's generator

    generated = make_dataset(
        n_clips,
        seed=seed,
        catalog_seed=catalog_seed,
        samplerate=samplerate,
        n_species=n_species,
        background=call_free_background(samplerate),
    )

    def clips() -> Iterator[LabelledClip]:
        for i, c in enumerate(generated):
            strata = {
                "site": int(c.meta["site"].rsplit("_", 1)[1]),
                "hour": HOUR_BINS[c.meta["hour"]],
                "season": SEASONS.index(c.meta["season"]),
            }
            labels = frozenset(e.label for e in c.events)
            yield LabelledClip(c.audio, c.samplerate, labels, len(c.events), i % 4 == 0, strata)

    return clips(), list(generated[0].species)


# --- a frozen detector embedding ----------------------------------------------------

# The pretraining species are drawn from a catalogue that none of the evaluated synthetic
# sets uses (they use catalogues 0, 1, 2), so the embedding has never seen their labels.
PRETRAIN_CATALOG = 7


def pretrain_detector(path: Path, *, n_clips: int = 300, epochs: int = 4, threads: int = 1):
    """The project's detector trained on generated calls only (no real label, no download).

    Same recipe as ``benchmarks/detection_quality.py``'s synthetic pretraining (300 clips
    at 384 kHz, 8 species, 4 epochs), on catalogue ``PRETRAIN_CATALOG``; cached at ``path``.
    """
    from models_app.detector import DetectorConfig
    from models_app.features import FeatureConfig, compute_features
    from models_app.synthetic import make_dataset
    from models_app.training import Example, TrainConfig, load_checkpoint, save_checkpoint, train

    if path.exists():
        return load_checkpoint(path)
    fc = FeatureConfig()
    examples = []
    for block in range(0, n_clips, 50):
        for c in make_dataset(
            min(50, n_clips - block),
            seed=500 + block,
            samplerate=384_000,
            n_species=8,
            catalog_seed=PRETRAIN_CATALOG,
        ):
            feats = compute_features(c.audio, c.samplerate, fc)
            examples.append(Example(c.events, features=feats, is_empty=c.is_empty))
    det = DetectorConfig(class_names=[], features=fc)
    result = train(TrainConfig(detector=det, epochs=epochs, lr=4e-3, num_threads=threads), examples)
    save_checkpoint(path, result)
    return result


class DetectorWindows:
    """Per-window embedding by a frozen detector: mean and max of its deep (stride 8, after
    the time context) and fine (stride 2, before the heads) feature maps over each window.

    These are the inputs of the detector's own clip-embedding head, pooled per window
    instead of per clip. ``features`` says how audio becomes the network's image; for
    birds it is the bats' grid time-expanded 10x (20 ms windows at 100 frames/s, kHz
    instead of tens of kHz), so a syllable fills the image as a bat call does.
    """

    def __init__(self, result, features=None) -> None:
        import torch

        self.net = result.build_model()
        self.fc = features or result.config.features
        self.torch = torch
        self._maps: dict[str, object] = {}
        self.net.context.register_forward_hook(lambda m, i, o: self._maps.__setitem__("deep", o))
        self.net.head_hidden.register_forward_hook(
            lambda m, i, o: self._maps.__setitem__("fine", o)
        )

    def __call__(self, clip: LabelledClip, n_windows: int) -> np.ndarray:
        from models_app.features import compute_features

        torch = self.torch
        img = compute_features(clip.audio, clip.samplerate, self.fc)
        with torch.inference_mode():
            self.net(torch.from_numpy(img)[None, None])
            width = (img.shape[1] + 1) // 2
            fine = self._maps["fine"][0, :, :, :width]
            deep = self._maps["deep"][0, :, :, : (img.shape[1] + 7) // 8]
            deep = torch.nn.functional.interpolate(deep[None], size=(deep.shape[1], width))[0]
        parts = []
        for cols in np.array_split(np.arange(width), n_windows):
            sl = slice(int(cols[0]), int(cols[-1]) + 1)
            d, f = deep[:, :, sl], fine[:, :, sl]
            parts.append(
                torch.cat([d.mean((1, 2)), d.amax((1, 2)), f.mean((1, 2)), f.amax((1, 2))])
            )
        return torch.stack(parts).numpy().astype(np.float32)


# --- a self-supervised embedding, learnt on the set's own pool without labels -------------


def pretrain_selfsupervised(
    clips: list[LabelledClip],
    features,
    path: Path,
    *,
    epochs: int = 30,
    threads: int = 1,
    seed: int = 0,
    disjoint: bool = True,
):
    """``models_app.selfsupervised`` trained on the pool clips of a set (never the held-out ones,
    never a label), with the product's defaults except the epochs; cached at ``path``.

    Views are 40 % of a clip (disjoint pairs: two fit in a clip), as the product sizes them.
    """
    from models_app.features import compute_features
    from models_app.selfsupervised import SSLConfig, pretrain
    from models_app.training import load_checkpoint, save_checkpoint

    if path.exists():
        return load_checkpoint(path)
    pool = [compute_features(c.audio, c.samplerate, features) for c in clips if not c.is_test]
    cfg = SSLConfig(
        features=features,
        epochs=epochs,
        num_threads=threads,
        seed=seed,
        disjoint_views=disjoint,
        crop_s=0.4 * np.median([p.shape[1] for p in pool]) / features.frames_per_second,
    )
    result = pretrain(cfg, pool)
    print(
        f"[ssl] {len(pool)} pool clips, {epochs} epochs: loss {result.history[0]['loss']:.3f} -> "
        f"{result.history[-1]['loss']:.3f} (chance {result.history[-1]['chance']:.3f}), "
        f"{sum(r['seconds'] for r in result.history):.0f} s"
    )
    save_checkpoint(path, result)
    return result
