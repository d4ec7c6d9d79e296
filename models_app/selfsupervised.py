"""Self-supervised pretraining of the detector's backbone on a project's own unlabelled clips.

Method: contrastive learning between *two different stretches of the same clip* (COLA, Saeed et
al. 2021, "Contrastive learning of general-purpose audio representations"), with the views
augmented as in BYOL-A (Niizumi et al. 2021: mixing in another clip of the pool as background,
random gain) plus SpecAugment masks, and SimCLR's NT-Xent loss (Chen et al. 2020) over the batch.
Why this one, on two CPU cores: a single network and one forward pass per view (no momentum
target as in BYOL, no decoder as in masked-spectrogram models), it learns from batches of a few
dozen views, and its premise fits field recordings: the calls of one pass or one song bout share
a species, so stretches of one clip are positives and other clips are negatives. Views are drawn
from disjoint stretches whenever the clip holds two, so the network cannot win by matching pixels:
on pure noise the loss stays at chance (tests/models_app/test_selfsupervised.py checks both).

The encoder *is* a ``DetectorNet`` (same layers, same state-dict names), so a detector warm-starts
from it with ``training.warm_start`` and the checkpoint is an ordinary detector checkpoint. The
representation is the detector's own pooled clip features before its ``embed`` layer: mean and
max of the deep (stride 8, after the time context) and fine (stride 2, before the heads) maps;
``embed`` plus a small head act as SimCLR's projection. ``encode(model, features)`` gives clip
embeddings for diversity sampling, strata and search.

Nothing here imports Django; ``models_app.pretraining`` runs it as a training run.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .detector import DetectorConfig, DetectorNet
from .features import FeatureConfig
from .training import TrainResult, warm_start

SSL_FORMAT = "echoloop-ssl-state/1"
MAX_VIEW_COLUMNS = 128  # the product's views: 40 % of a clip, at most this many columns


@dataclass
class SSLConfig:
    """What a self-supervised pretraining does; every cost is bounded here before it starts."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    channels: tuple[int, int, int] = (12, 32, 64)  # must match the detector's (DetectorConfig)
    embedding_dim: int = 64
    epochs: int = 20
    batch_size: int = 32  # clips per step: 2 views each, 2 * batch_size - 2 negatives per view
    lr: float = 2e-3
    weight_decay: float = 1e-4
    temperature: float = 0.2
    crop_s: float = 0.05  # length of a view
    max_clips: int = 2000  # the pool is subsampled to this many clips (memory and time bound)
    mix_prob: float = 0.5  # BYOL-A mixing: another clip overlaid as background
    mix_gain: tuple[float, float] = (0.2, 0.6)
    mask_prob: float = 0.5  # SpecAugment: one frequency band and one time stretch blanked
    # Disjoint stretches (COLA) assume one clip = one kind of sound; where every clip holds a
    # sequence of different syllables that all recur in every other clip (one bird's song), the
    # positives differ more than the negatives: overlapping views (SimCLR) are the option there.
    disjoint_views: bool = True
    gain: tuple[float, float] = (0.7, 1.3)
    freq_shift_rows: int = 2  # small shifts only: absolute frequency is species information
    seed: int = 0
    num_threads: int | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["features"] = self.features.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SSLConfig:
        names = set(cls.__dataclass_fields__)
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["features"] = FeatureConfig.from_dict(data.get("features", {}))
        for key in ("channels", "mix_gain", "gain"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)

    def detector_config(self) -> DetectorConfig:
        return DetectorConfig(
            class_names=[],
            features=self.features,
            channels=self.channels,
            embedding_dim=self.embedding_dim,
        )

    def crop_cols(self) -> int:
        return max(8, int(round(self.crop_s * self.features.frames_per_second)))


# ------------------------------------------------------------------ encoder


def pooled_features(net: DetectorNet, x: torch.Tensor) -> torch.Tensor:
    """``[B, 2*c3 + 2*c1]``: the detector's pooled deep and fine maps of ``[B, 1, F, T]`` input
    (what its ``embed`` layer reads), without running the heads."""
    deep, fine = _maps(net, x)
    return torch.cat(
        [deep.mean((2, 3)), deep.amax((2, 3)), fine.mean((2, 3)), fine.amax((2, 3))], dim=1
    )


class Projector(nn.Module):
    """SimCLR's projection: the detector's own ``embed`` layer, then one more linear layer."""

    def __init__(self, net: DetectorNet):
        super().__init__()
        self.embed = net.embed  # shared: trained here, carried into the detector
        self.out = nn.Linear(net.cfg.embedding_dim, net.cfg.embedding_dim)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(pooled))


@torch.inference_mode()
def encode(
    net: DetectorNet | TrainResult,
    features: np.ndarray | Sequence[np.ndarray],
    *,
    batch_size: int = 64,
) -> np.ndarray:
    """Clip embeddings ``[N, D]`` (float32) of ``[F, T]`` feature images (a list, or ``[N, F, T]``).

    ``net`` is a detector or a ``TrainResult`` (an SSL or detector checkpoint). Images of unequal
    width are encoded one by one; equal widths in batches.
    """
    if isinstance(net, TrainResult):
        net = net.build_model()
    net = net.eval()
    items = (
        [features] if isinstance(features, np.ndarray) and features.ndim == 2 else list(features)
    )
    device = next(net.parameters()).device
    out = []
    for first in range(0, len(items), batch_size):
        chunk = items[first : first + batch_size]
        if len({c.shape for c in chunk}) == 1:
            x = torch.from_numpy(np.stack(chunk).astype(np.float32)).unsqueeze(1).to(device)
            out.append(pooled_features(net, x))
        else:
            for c in chunk:
                x = torch.from_numpy(np.asarray(c, np.float32))[None, None].to(device)
                out.append(pooled_features(net, x))
    if not out:
        return np.zeros((0, 2 * net.cfg.channels[2] + 2 * net.cfg.channels[0]), np.float32)
    return torch.cat(out).float().cpu().numpy()


def _maps(net: DetectorNet, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The deep (stride 8, after the time context) and fine (stride 2, before the heads) maps of
    ``[B, 1, F, T]`` input, cropped to the input's width."""
    w = x.shape[-1]
    pad = (-w) % 8
    if pad:
        x = F.pad(x, (0, pad))
    s1 = net.enc1(net.stem(x))
    s2 = net.down2(s1)
    s3 = net.context(net.down3(s2))
    fine = net.head_hidden(net.up1(net.up2(s3, s2), s1))[..., : (w + 1) // 2]
    return s3[..., : (w + 7) // 8], fine


@torch.inference_mode()
def window_embeddings(
    net: DetectorNet, image: np.ndarray, n_windows: int, window_s: float, fps: float
) -> np.ndarray:
    """``[n_windows, 2*c3 + 2*c1]`` float32: mean and max of the deep and fine maps over each
    consecutive ``window_s`` of one ``[F, T]`` feature image (the last window may be partial or
    empty: it then repeats the last columns).

    The same pooling as ``benchmarks/simulation_datasets.DetectorWindows`` (the deep map
    stretched to the fine one's width by nearest neighbour), so the product's ``selfsupervised``
    embedding is the one ``simulate_active_learning --embedding selfsupervised`` measured."""
    net = net.eval()
    x = torch.from_numpy(np.asarray(image, np.float32))[None, None]
    deep, fine = _maps(net, x)
    width = fine.shape[-1]
    deep = F.interpolate(deep, size=(deep.shape[2], width))[0]
    fine = fine[0]
    per_col = fps / 2  # fine columns per second (stride 2)
    out = []
    for i in range(n_windows):
        # (1e-6: 0.05 s x 3 x 500 is 75.00000000000001, not a 76th column)
        lo = min(int(np.floor(i * window_s * per_col + 1e-6)), width - 1)
        hi = min(max(int(np.ceil((i + 1) * window_s * per_col - 1e-6)), lo + 1), width)
        d, f = deep[:, :, lo:hi], fine[:, :, lo:hi]
        out.append(torch.cat([d.mean((1, 2)), d.amax((1, 2)), f.mean((1, 2)), f.amax((1, 2))]))
    return torch.stack(out).float().numpy()


class Encoder:
    """A frozen encoder with ``encode(features) -> embeddings``, for search, strata and diversity.

    ``Encoder.load(path_or_bytes)`` reads an SSL (or any detector) checkpoint; ``features`` says
    how audio becomes its input (``compute_features(audio, samplerate, encoder.features)``).
    """

    def __init__(self, result: TrainResult):
        self.net = result.build_model()
        self.features = result.config.features

    @classmethod
    def load(cls, source) -> Encoder:
        from .training import load_checkpoint

        return cls(load_checkpoint(source))

    @property
    def dim(self) -> int:
        c = self.net.cfg.channels
        return 2 * c[2] + 2 * c[0]

    def encode(self, features: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
        """``[N, dim]`` float32 embeddings of ``[F, T]`` feature images."""
        return encode(self.net, features)

    def encode_audio(self, audio: np.ndarray, samplerate: int) -> np.ndarray:
        """``[dim]`` embedding of one clip's samples."""
        from .features import compute_features

        return self.encode(compute_features(audio, samplerate, self.features))[0]

    def encode_windows(self, audio: np.ndarray, samplerate: int, window_s: float) -> np.ndarray:
        """``[W, dim]`` float32: one embedding per ``window_s`` of the samples (W as the
        ``band-stats`` adapter counts them, so the two can be put side by side)."""
        from .features import compute_features

        n = max(1, int(np.ceil(len(audio) / (window_s * samplerate) - 1e-6)))
        image = compute_features(audio, samplerate, self.features)
        return window_embeddings(self.net, image, n, window_s, self.features.frames_per_second)


# ------------------------------------------------------------------ views


def two_views(
    x: np.ndarray, crop: int, rng: np.random.Generator, *, disjoint: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two ``crop``-column stretches of ``x`` ``[F, T]``; disjoint when the clip holds two.

    A clip narrower than ``crop`` is zero-padded (both views then see all of it).
    """
    width = x.shape[1]
    if width <= crop:
        padded = np.pad(x, ((0, 0), (0, crop - width)))
        return padded, padded.copy()
    if disjoint and width >= 2 * crop:
        a = int(rng.integers(0, width - 2 * crop + 1))
        b = int(rng.integers(a + crop, width - crop + 1))
        if rng.random() < 0.5:  # either stretch may come first
            a, b = b, a
    else:
        a, b = (int(v) for v in rng.integers(0, width - crop + 1, size=2))
    return x[:, a : a + crop], x[:, b : b + crop]


def augment(
    view: np.ndarray, other: np.ndarray | None, cfg: SSLConfig, rng: np.random.Generator
) -> np.ndarray:
    """One view's augmentations, each with the probability ``cfg`` gives.

    - mixing (BYOL-A): ``other`` (a stretch of another clip) overlaid as background at a lower gain;
      in the log-compressed image ``log(a + b) ≈ max(log a, log b)``, so the overlay is a maximum;
    - a small frequency shift (``freq_shift_rows``), the rows moved in are zero;
    - SpecAugment: one frequency band and one time stretch set to zero;
    - random gain.
    """
    x = np.array(view, dtype=np.float32, copy=True)
    if other is not None and rng.random() < cfg.mix_prob:
        x = np.maximum(x, other.astype(np.float32) * np.float32(rng.uniform(*cfg.mix_gain)))
    shift = (
        int(rng.integers(-cfg.freq_shift_rows, cfg.freq_shift_rows + 1))
        if cfg.freq_shift_rows
        else 0
    )
    if shift:
        x = np.roll(x, shift, axis=0)
        if shift > 0:
            x[:shift] = 0
        else:
            x[shift:] = 0
    if rng.random() < cfg.mask_prob:
        f0, fw = int(rng.integers(0, x.shape[0])), int(rng.integers(1, max(2, x.shape[0] // 8)))
        t0, tw = int(rng.integers(0, x.shape[1])), int(rng.integers(1, max(2, x.shape[1] // 8)))
        x[f0 : f0 + fw] = 0
        x[:, t0 : t0 + tw] = 0
    return x * np.float32(rng.uniform(*cfg.gain))


def make_batch(
    pool: Sequence[np.ndarray], idx: np.ndarray, cfg: SSLConfig, rng: np.random.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Views ``[B, 1, F, crop]`` × 2 of the clips ``idx``; the mixed-in background is a
    stretch of another random clip of the pool."""
    crop = cfg.crop_cols()
    a, b = [], []
    for i in idx:
        v1, v2 = two_views(pool[i], crop, rng, disjoint=cfg.disjoint_views)
        others = [two_views(pool[int(rng.integers(len(pool)))], crop, rng)[0] for _ in range(2)]
        a.append(augment(v1, others[0], cfg, rng))
        b.append(augment(v2, others[1], cfg, rng))
    return (torch.from_numpy(np.stack(a)).unsqueeze(1), torch.from_numpy(np.stack(b)).unsqueeze(1))


def nt_xent(z1: torch.Tensor, z2: torch.Tensor, temperature: float) -> torch.Tensor:
    """SimCLR's normalised-temperature cross-entropy: each view must pick its partner among the
    other ``2B - 1`` views. Chance level is ``log(2B - 1)``."""
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature
    n = z1.shape[0]
    sim.fill_diagonal_(-torch.inf)
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)


# ------------------------------------------------------------------ training


@dataclass
class SSLState:
    """Everything needed to continue a pretraining after its process died: written after every
    epoch (``to_bytes``), read back by ``pretrain(resume=...)``."""

    config: dict
    epoch: int
    net: dict[str, torch.Tensor]
    projector: dict[str, torch.Tensor]
    optimizer: dict
    history: list[dict]
    pool_size: int

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        torch.save({"format": SSL_FORMAT, **asdict(self)}, buffer)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, raw: bytes) -> SSLState:
        payload = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
        if payload.pop("format", None) != SSL_FORMAT:
            raise ValueError("not an Echoloop self-supervised pretraining state")
        return cls(**payload)


EpochFn = Callable[[int, int, dict, SSLState], None]


def pretrain(
    cfg: SSLConfig,
    pool: Sequence[np.ndarray],
    *,
    init: TrainResult | dict | None = None,
    resume: SSLState | None = None,
    on_epoch: EpochFn | None = None,
    device: str | torch.device | None = None,
) -> TrainResult:
    """Train a detector backbone without labels on ``pool`` (``[F, T]`` feature images of the
    project's clips) and return it as a detector ``TrainResult`` (no class names).

    ``init`` starts from other weights (a synthetic start: "both"); ``resume`` continues a state
    that ``on_epoch(epoch, n_epochs, metrics, state)`` was handed after an earlier epoch (the
    pool must be the same clips in the same order). An exception raised by ``on_epoch`` stops the
    pretraining (a cancel) and propagates.
    """
    if len(pool) < 2:
        raise ValueError("self-supervised pretraining needs at least two clips")
    if cfg.epochs < 1 or cfg.batch_size < 2:
        raise ValueError("need epochs >= 1 and batch_size >= 2")
    from .threads import training_threads

    torch.set_num_threads(cfg.num_threads or training_threads())
    dev = (
        torch.device(device)
        if device is not None
        else torch.device("cuda" if torch.cuda.is_available() else "cpu")
    )
    torch.manual_seed(cfg.seed)
    net = DetectorNet(cfg.detector_config())
    if init is not None:
        warm_start(net, init)
    projector = Projector(net)
    params = list(net.parameters()) + list(projector.out.parameters())
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    history: list[dict] = []
    first_epoch = 0
    if resume is not None:
        if resume.pool_size != len(pool):
            raise ValueError(
                f"the saved pretraining saw {resume.pool_size} clips, this pool has {len(pool)}"
            )
        net.load_state_dict(resume.net)
        projector.load_state_dict(resume.projector)
        opt.load_state_dict(resume.optimizer)
        history, first_epoch = list(resume.history), resume.epoch
    net.to(dev)
    projector.to(dev)
    steps_per_epoch = max(1, len(pool) // cfg.batch_size)
    for epoch in range(first_epoch, cfg.epochs):
        # The epoch's own seed: a resumed run draws the batches the dead one would have drawn.
        rng = np.random.default_rng([cfg.seed, epoch])
        row = _epoch(net, projector, opt, pool, cfg, rng, dev, epoch, steps_per_epoch)
        history.append(row)
        if on_epoch is not None:
            state = SSLState(
                cfg.to_dict(),
                epoch + 1,
                _cpu(net),
                _cpu(projector),
                opt.state_dict(),
                history,
                len(pool),
            )
            on_epoch(epoch + 1, cfg.epochs, row, state)
    net.eval()
    metrics = {
        "ssl_loss": history[-1]["loss"] if history else None,
        "ssl_chance": history[-1]["chance"] if history else None,
        "ssl_epochs": cfg.epochs,
        "ssl_clips": len(pool),
    }
    return TrainResult(_cpu(net), net.cfg, metrics, history)


def _epoch(net, projector, opt, pool, cfg: SSLConfig, rng, dev, epoch: int, steps: int) -> dict:
    """One pass: ``steps`` batches of ``batch_size`` clips; a cosine learning rate over all epochs."""
    net.train()
    projector.train()
    t0, total, n = time.perf_counter(), 0.0, 0
    order = rng.permutation(len(pool))
    batch = min(cfg.batch_size, len(pool))
    for step in range(steps):
        progress = (epoch * steps + step) / max(1, cfg.epochs * steps)
        for group in opt.param_groups:
            group["lr"] = cfg.lr * 0.5 * (1 + math.cos(math.pi * progress))
        idx = order[(step * batch) % len(order) :][:batch]
        if len(idx) < 2:
            idx = rng.choice(len(pool), size=batch, replace=False)
        a, b = make_batch(pool, idx, cfg, rng)
        a, b = a.to(dev), b.to(dev)
        loss = nt_xent(
            projector(pooled_features(net, a)), projector(pooled_features(net, b)), cfg.temperature
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(
            list(net.parameters()) + list(projector.out.parameters()), 5.0
        )
        opt.step()
        total += float(loss.detach())
        n += 1
    return {
        "epoch": epoch + 1,
        "loss": total / n,
        "chance": math.log(2 * batch - 1),
        "seconds": time.perf_counter() - t0,
    }


def _cpu(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").clone() for k, v in module.state_dict().items()}
