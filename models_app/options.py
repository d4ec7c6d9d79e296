"""The project's model options (``sampling_params['model']``): names, types and defaults in one place.

Registered as a loop option by ``ModelsAppConfig.ready``, so a project that names an unknown
model option or a value of the wrong type is refused wherever it is saved. No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass

from models_app.features import REPRESENTATIONS

# The outline's depth (models_app.refinement): chosen on the training recordings of the Whombat
# split (BENCHMARKS.md). Here, not in detector.py, because the web process reads the options
# and never imports torch.
BOX_REFINE_DB = 18.0
FREQ_SHIFT_PROB = 0.5  # models_app.training.TrainConfig.freq_shift_prob

# A project's first training: from scratch, a synthetic pretraining, the encoder pretrained on the
# project's own pool (models_app.pretraining), or "both" (that pretraining started from the
# synthetic one). Without a stored encoder the self-supervised starts fall back to the default
# start and to "synthetic".
SELF_SUPERVISED = ("self-supervised", "both")
STARTS = ("scratch", "synthetic", *SELF_SUPERVISED)


@dataclass(frozen=True)
class ModelOptions:
    """How a project's detector is trained. ``None`` means "decided from the project"."""

    representation: str = "spectrogram"
    frames_per_second: float | None = None  # None: 1000 for bats (window <= 5 ms), else 200
    n_freq_bins: int = 128
    epochs: int = 15
    batch_size: int = 16
    use_metadata: bool = False  # train the auxiliary site/hour/season heads
    num_threads: int | None = None  # None: the cores this worker really gets
    start_from: str | None = None  # None: starts.default_start(samplerate)
    pretrain_clips: int | None = None  # sizes of the synthetic pretraining (None: its own)
    pretrain_epochs: int | None = None
    pretrain_crop_s: float | None = None
    max_steps: int | None = None  # a training's step budget (None: from the time budget)
    max_training_seconds: float | None = None  # None: ECHOLOOP_TRAINING_SECONDS; 0: no time budget
    max_examples: int | None = None  # labels a training reads; None: ECHOLOOP_TRAINING_MAX_EXAMPLES
    ssl_epochs: int | None = None  # sizes of the self-supervised pretraining (None: its own)
    ssl_clips: int | None = None
    ssl_batch_size: int | None = None
    ssl_crop_s: float | None = None
    ssl_views: str | None = (
        None  # "disjoint" (COLA) or "overlapping" (SimCLR); None: by sample rate
    )
    # Boxes outlined on the spectrogram down to this many dB below each call's peak
    # (models_app.refinement); 0: the extent head's boxes.
    box_refine_db: float = BOX_REFINE_DB
    # Share of training clips shifted in frequency (their species then unknown): finds calls of
    # species never labelled; 0 for a project whose every species is labelled.
    freq_shift_prob: float = FREQ_SHIFT_PROB

    def __post_init__(self) -> None:
        if self.representation not in REPRESENTATIONS:
            raise ValueError(f"representation must be one of {', '.join(REPRESENTATIONS)}.")
        if self.start_from is not None and self.start_from not in STARTS:
            raise ValueError(f"start_from must be one of {', '.join(STARTS)}.")
        for name in ("n_freq_bins", "epochs", "batch_size", "num_threads", "pretrain_clips",
                     "pretrain_epochs", "max_steps", "max_examples", "ssl_epochs", "ssl_clips", "ssl_batch_size"):  # fmt: skip
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1.")
        if self.ssl_views is not None and self.ssl_views not in ("disjoint", "overlapping"):
            raise ValueError("ssl_views must be disjoint or overlapping.")
        if not 0 <= self.freq_shift_prob <= 1:
            raise ValueError("freq_shift_prob must be between 0 and 1.")
        if not 0 <= self.box_refine_db <= 60:
            raise ValueError("box_refine_db must be 0 (off) or up to 60 dB.")
        if self.max_training_seconds is not None and self.max_training_seconds < 0:
            raise ValueError("max_training_seconds must be 0 (no time budget) or more.")
        for name in ("frames_per_second", "pretrain_crop_s", "ssl_crop_s"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"{name} must be above 0.")

    def frames_per_second_for(self, window_s: float) -> float:
        """The feature frame rate: the option, else 1000/s for bat windows (<= 5 ms), else 200/s."""
        if self.frames_per_second is not None:
            return self.frames_per_second
        return 1000.0 if window_s <= 0.005 else 200.0


def parse_embedding_adapter(value) -> str | None:
    """A lead's choice of the project's embedding: the name of an installed embedding adapter
    (``models_app.embedders``), ``"detector"`` (the active version's own), or None (the default,
    ``adapters.project_embedding``)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError("Must be the name of an installed embedding adapter.")
    return value
