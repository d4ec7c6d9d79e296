"""Starting points for a project's first training (no download: generated on the spot).

A detector trained from scratch on a project's first few dozen labelled clips mostly learns
to find calls at all. Pretraining on generated bat-like calls (``models_app.synthetic``: FM
sweeps and constant-frequency calls of several synthetic species over coloured noise and
clicks, at the project's sample rate and with its features) teaches that part first; on the
real Whombat bats it raised detection F1 from 0.52 to 0.68–0.71 with 22 training clips
(BENCHMARKS.md, "Detection quality on real bats"). Its class heads name synthetic species,
which no project shares, so ``warm_start`` re-initialises them for the project's species; the
backbone, heatmap and size heads carry over.

Nothing here imports Django; ``models_app.registry`` caches the result in storage.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from models_app.detector import DetectorConfig
from models_app.features import FeatureConfig, compute_features
from models_app.synthetic import make_dataset
from models_app.training import Example, TrainConfig, TrainResult, train

STARTS = ("scratch", "synthetic")
SYNTHETIC_SPECIES = 8
BLOCK = 50  # clips generated at once: bounded memory at any n_clips


@dataclass(frozen=True)
class SyntheticStart:
    """What determines a synthetic starting point (and so its cache key)."""

    features: FeatureConfig
    samplerate: int
    n_clips: int = 300
    epochs: int = 4
    seed: int = 500
    num_threads: int | None = None

    def key(self) -> str:
        """A stable name for the cached checkpoint: same settings, same weights."""
        settings = {k: v for k, v in asdict(self).items() if k != "num_threads"}
        raw = json.dumps(settings, sort_keys=True, default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


def default_start(samplerate: int) -> str:
    """Synthetic pretraining for ultrasonic (bat) recordings, where the generated calls are
    like the real ones; from scratch otherwise (birds are not FM sweeps)."""
    return "synthetic" if samplerate >= 96_000 else "scratch"


def train_synthetic_start(spec: SyntheticStart) -> TrainResult:
    """Generate ``n_clips`` labelled synthetic clips with the project's features and train a
    detector of the synthetic species on them for ``epochs``."""
    if spec.n_clips < 1 or spec.epochs < 1:
        raise ValueError("a synthetic start needs at least one clip and one epoch")
    examples = []
    for first in range(0, spec.n_clips, BLOCK):
        clips = make_dataset(
            min(BLOCK, spec.n_clips - first),
            seed=spec.seed + first,
            samplerate=spec.samplerate,
            n_species=SYNTHETIC_SPECIES,
        )
        for clip in clips:
            features = compute_features(clip.audio, clip.samplerate, spec.features)
            examples.append(Example(clip.events, features=features, is_empty=clip.is_empty))
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=[], features=spec.features),
        epochs=spec.epochs,
        lr=4e-3,
        num_threads=spec.num_threads,
    )
    return train(cfg, examples)
