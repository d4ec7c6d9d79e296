"""Starting points for a project's first training (no download: generated on the spot).

A detector trained from scratch on a project's first few dozen labelled clips mostly learns
to find calls at all. Pretraining on generated bat-like calls (``models_app.synthetic``: FM
sweeps and constant-frequency calls of several synthetic species over coloured noise and
clicks, at the project's sample rate and with its features) teaches that part first; on the
real Whombat bats (22 training clips, 3 seeds) it raised detection AP from 0.69 to 0.74 and F1
from 0.59 to 0.64 (``benchmarks/first_training.py quality``). 96 generated clips, 6 epochs
of 0.25-s crops: 17–22 s at load 4 (one thread), about 11 s on two quiet cores; the 300 whole
clips × 4 epochs it replaces cost 8× more (277 s vs 36 s side by side at load 9) for the same
gain. Its class heads name synthetic species, which no project
shares, so ``warm_start`` re-initialises them for the project's species; the backbone, heatmap
and size heads carry over.

The pretrainings of the demo's and the benchmarks' settings are shipped in ``pretrained/``
(``python -m models_app.starts --build`` rebuilds them); other settings are trained on the
spot. Nothing here imports Django; ``models_app.registry`` caches the result in storage.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import torch

from models_app.detector import DetectorConfig
from models_app.features import FeatureConfig, compute_features
from models_app.options import SELF_SUPERVISED, STARTS  # noqa: F401  (declared with the options that name them)
from models_app.synthetic import make_dataset, unscaled_samplerate
from models_app.training import (
    Example,
    TrainConfig,
    TrainResult,
    load_checkpoint,
    save_checkpoint,
    train,
)

SYNTHETIC_SPECIES = 8
BLOCK = 50  # clips generated at once: bounded memory at any n_clips
# Generating + computing features for a second of audio costs about half an epoch of training
# on a second of crops (measured 0.04 s vs 0.06–0.1 s at load 2–4): weighs the two phases in
# ``progress`` so its fraction grows with the time spent, not with the step count.
GENERATION_WEIGHT = 0.5

# Projects whose band fits below this rate's Nyquist frequency and whose own rate needs no
# scaling of the generated calls share one pretraining generated at it (``synthetic_spec``).
SHARED_SAMPLERATE = 384_000
PRETRAINED = Path(__file__).parent / "pretrained"
# Shipped pretrainings (``python -m models_app.starts --build``): the demo project's features
# (registry.train_config: 2 ms windows, 1,000 fps, 10–150 kHz, 128 bins) and FeatureConfig's
# defaults (10–120 kHz, as in benchmarks/detection_quality.py), both at SHARED_SAMPLERATE.
SHIPPED = (FeatureConfig(fmin=10_000.0, fmax=150_000.0), FeatureConfig())

Progress = Callable[[float, float, str], None]


@dataclass(frozen=True)
class SyntheticStart:
    """What determines a synthetic starting point (and so its cache key)."""

    features: FeatureConfig
    samplerate: int
    # 96 clips × 6 epochs of 0.25-s crops: as much gain on the real Whombat bats as the 300
    # whole clips × 4 epochs it replaces, at an eighth of the cost (see the module docstring).
    n_clips: int = 96
    epochs: int = 6
    seed: int = 500
    clip_s: float = 1.0  # length of each generated clip
    crop_s: float | None = 0.25  # train on random crops of this length (None: whole clips)
    num_threads: int | None = None

    def key(self) -> str:
        """A stable name for the cached checkpoint: same settings, same weights."""
        settings = {k: v for k, v in asdict(self).items() if k != "num_threads"}
        raw = json.dumps(settings, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    def work(self) -> tuple[float, float]:
        """Relative cost of generating the clips and of training on them (see ``progress``)."""
        generate = self.n_clips * self.clip_s * GENERATION_WEIGHT
        return generate, self.epochs * self.n_clips * (self.crop_s or self.clip_s)


def synthetic_spec(
    features: FeatureConfig,
    samplerate: int,
    opts: dict | None = None,
    *,
    num_threads: int | None = None,
) -> SyntheticStart:
    """The synthetic pretraining a project with these features and sample rate starts from.

    ``opts`` (the project's model settings) may size it with ``pretrain_clips``,
    ``pretrain_epochs`` and ``pretrain_crop_s``. The features sit on the same grid at any
    sample rate (the STFT window is fixed in seconds), so every rate from
    ``unscaled_samplerate()`` up whose band fits below 192 kHz generates at 384 kHz and shares
    one pretraining (and the shipped weights).
    """
    opts = opts or {}
    features = _float_fields(features)
    shared = samplerate >= unscaled_samplerate() and features.fmax <= SHARED_SAMPLERATE / 2
    spec = SyntheticStart(
        features, SHARED_SAMPLERATE if shared else int(samplerate), num_threads=num_threads
    )
    sizes = {"n_clips": ("pretrain_clips", int), "epochs": ("pretrain_epochs", int),
             "crop_s": ("pretrain_crop_s", float)}  # fmt: skip
    given = {f: cast(opts[name]) for f, (name, cast) in sizes.items() if opts.get(name) is not None}
    return replace(spec, **given)


def _float_fields(features: FeatureConfig) -> FeatureConfig:
    """10000 and 10000.0 are the same setting: the cache key must not tell them apart."""
    ints = {
        f.name: float(getattr(features, f.name))
        for f in fields(features)
        if f.type in ("float", float) and isinstance(getattr(features, f.name), int)
    }
    return replace(features, **ints) if ints else features


def shipped_start(spec: SyntheticStart) -> TrainResult | None:
    """The shipped weights of exactly this pretraining (same key), or None."""
    path = PRETRAINED / f"synthetic-{spec.key()}.pt"
    if not path.exists():
        return None
    result = load_checkpoint(path)
    # Stored as float16 to halve the repository's share; trained and used in float32.
    result.state_dict = {
        k: v.float() if v.is_floating_point() else v for k, v in result.state_dict.items()
    }
    return result


def default_start(samplerate: int) -> str:
    """Synthetic pretraining for ultrasonic (bat) recordings, where the generated calls are
    like the real ones; from scratch otherwise (birds are not FM sweeps)."""
    return "synthetic" if samplerate >= 96_000 else "scratch"


def train_synthetic_start(spec: SyntheticStart, progress: Progress | None = None) -> TrainResult:
    """Generate ``n_clips`` labelled synthetic clips with the project's features and train a
    detector of the synthetic species on them for ``epochs``.

    ``progress(done, total, message)`` is called after every block of generated clips and
    every epoch; ``done / total`` is the fraction of the expected time spent. An exception
    raised by ``progress`` stops the pretraining (a cancel) and propagates.
    """
    if spec.n_clips < 1 or spec.epochs < 1:
        raise ValueError("a synthetic start needs at least one clip and one epoch")
    generate, fit = spec.work()
    report = progress or (lambda done, total, message: None)
    examples = _examples(
        spec,
        lambda n: report(
            generate * n / spec.n_clips,
            generate + fit,
            f"generating synthetic calls: {n}/{spec.n_clips} clips",
        ),
    )
    cfg = pretrain_config(spec)

    def on_epoch(epoch: int, n_epochs: int, metrics: dict) -> None:
        report(
            generate + fit * epoch / n_epochs,
            generate + fit,
            f"pretraining: epoch {epoch}/{n_epochs}",
        )

    return train(cfg, examples, progress=on_epoch)


def pretrain_config(spec: SyntheticStart) -> TrainConfig:
    """The training configuration of a synthetic pretraining."""
    return TrainConfig(
        detector=DetectorConfig(class_names=[], features=spec.features),
        epochs=spec.epochs,
        lr=4e-3,
        crop_s=spec.crop_s,
        num_threads=spec.num_threads,
    )


def _examples(spec: SyntheticStart, generated: Callable[[int], None]) -> list[Example]:
    """The labelled synthetic clips as features (the audio is dropped block by block)."""
    examples = []
    for first in range(0, spec.n_clips, BLOCK):
        clips = make_dataset(
            min(BLOCK, spec.n_clips - first),
            seed=spec.seed + first,
            samplerate=spec.samplerate,
            duration_s=spec.clip_s,
            n_species=SYNTHETIC_SPECIES,
        )
        for clip in clips:
            features = compute_features(clip.audio, clip.samplerate, spec.features)
            examples.append(Example(clip.events, features=features, is_empty=clip.is_empty))
        generated(len(examples))
    return examples


def build_shipped(directory: Path = PRETRAINED, progress: Progress | None = None) -> list[Path]:
    """Train the ``SHIPPED`` pretrainings and write them (float16) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for features in SHIPPED:
        spec = synthetic_spec(features, SHARED_SAMPLERATE)
        result = train_synthetic_start(spec, progress)
        result.metrics["synthetic_start"] = json.loads(json.dumps(asdict(spec), default=str))
        result.state_dict = {
            k: v.half() if v.is_floating_point() else v for k, v in result.state_dict.items()
        }
        path = directory / f"synthetic-{spec.key()}.pt"
        save_checkpoint(path, result)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Synthetic starting points of first trainings.")
    parser.add_argument(
        "--build", action="store_true", help=f"(re)train the shipped ones into {PRETRAINED}"
    )
    args = parser.parse_args(argv)
    if not args.build:
        parser.error("nothing to do: pass --build")
    torch.manual_seed(0)
    for path in build_shipped(
        progress=lambda done, total, message: print(f"{100 * done / total:5.1f} %  {message}")
    ):
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
