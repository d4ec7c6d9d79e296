"""Training the detector from annotated clips, warm starts and checkpoints.

Positives are the annotators' boxes, negatives the clips answered "no calls". Targets are
CenterNet-style: a Gaussian bump at each box centre on the output grid, log box size at
the centre cell, the species at cells near the centre, plus clip-level labels. Audio
augmentations act on the feature image (cheap; the features are computed once).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Protocol

import numpy as np
import torch

from .checkpoints import (  # noqa: F401  (re-exported: part of training's API)
    CHECKPOINT_FORMAT,
    TrainResult,
    load_checkpoint,
    save_checkpoint,
)
from .detector import DetectorConfig, DetectorNet, upgrade_state_dict
from .evaluation import evaluate  # noqa: F401  (public: re-exported for callers)
from .features import FeatureConfig, compute_features, freq_to_row, time_to_col
from .inference import Detector as InferenceDetector
from .options import FREQ_SHIFT_PROB
from .targets import build_targets, compute_losses, focal_loss  # noqa: F401  (re-exported)

META_KEYS = ("site", "hour", "season")


class BoxLike(Protocol):
    """A labelled box; ``low_hz``/``high_hz`` ``None`` means the full band (birds)."""

    start_s: float
    end_s: float
    low_hz: float | None
    high_hz: float | None
    label: str | None


@dataclass
class Box:
    """Concrete ``BoxLike`` for callers that have no box type of their own."""

    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None
    label: str | None = None


@dataclass
class Example:
    """One labelled clip: audio (+ samplerate) or precomputed ``[F, T]`` features.

    ``events`` are boxes in clip time; a box whose label is ``None`` or not a known class
    still teaches detection but not species. ``is_empty`` marks a clip answered "no
    calls". ``meta`` may hold site, hour and season for the auxiliary heads.
    """

    events: Sequence[BoxLike] = ()
    audio: np.ndarray | None = None
    samplerate: int | None = None
    features: np.ndarray | None = None
    is_empty: bool = False
    meta: dict | None = None


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (the detector's config is nested)."""

    detector: DetectorConfig
    epochs: int = 10
    batch_size: int = 16
    lr: float = 3e-3
    weight_decay: float = 1e-4
    crop_s: float | None = None  # random crops of this length (None: whole clips)
    augment: bool = True
    mix_empty_prob: float = 0.3  # overlay an empty clip's background (mixup-style)
    mask_prob: float = 0.3  # SpecAugment-style time and frequency masks
    max_shift_s: float = 0.1  # random time shift
    # Random time stretch by a factor up to this (either way): box durations vary, so the
    # box head reads the edges off the image instead of learning one typical duration.
    stretch_prob: float = 0.5
    max_stretch: float = 2.0
    # Random frequency shift by up to this fraction of the band (either way): calls of a species
    # never labelled sit at other frequencies than the labelled ones. A shifted clip teaches
    # where calls are and their edges, not their species (species depend on frequency). 0.5,
    # with outlined boxes: onset F1 0.65 → 0.81 on the Whombat split's unseen species (BENCHMARKS.md).
    freq_shift_prob: float = FREQ_SHIFT_PROB
    max_freq_shift: float = 0.25
    use_metadata: bool = False  # train the auxiliary site/hour/season heads
    meta_keys: tuple[str, ...] = META_KEYS
    loss_weights: dict[str, float] = field(
        default_factory=lambda: {
            "heatmap": 1.0,
            "size": 0.3,  # box edges; 0.1 gave worse boxes (IoU F1) on the Whombat benchmark
            "classes": 1.0,
            "clip": 0.5,
            "any": 0.5,
            "meta": 0.2,
        }
    )
    seed: int = 0
    num_threads: int | None = None  # CPU threads (None: threads.training_threads())
    # The cost bound: ``epochs`` is a ceiling, and the optimiser steps are cut to these (the
    # time budget is turned into steps after timing the first few), whatever the label count.
    max_steps: int | None = None
    max_seconds: float | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["detector"] = self.detector.to_dict()
        data["meta_keys"] = list(self.meta_keys)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["detector"] = DetectorConfig.from_dict(data["detector"])
        kwargs["meta_keys"] = tuple(kwargs.get("meta_keys", META_KEYS))
        return cls(**kwargs)


ProgressFn = Callable[[int, int, dict], None]


# ------------------------------------------------------------------- training


def train(
    cfg: TrainConfig,
    examples: Sequence[Example],
    *,
    init_state: dict | TrainResult | None = None,
    device: str | torch.device | None = None,
    progress: ProgressFn | None = None,
    val_examples: Sequence[Example] | None = None,
    on_plan: Callable[[dict], None] | None = None,
    on_step: Callable[[], None] | None = None,
) -> TrainResult:
    """Train a detector on ``examples`` and return its weights, config and metrics.

    ``init_state`` warm-starts from a previous ``TrainResult``, a loaded checkpoint dict
    or a bare state_dict; heads whose class list changed are remapped by class name when
    the old names are known, re-initialised otherwise. ``device=None`` picks CUDA when
    available. ``progress(epoch, n_epochs, metrics)`` is called after every epoch, ``on_step()``
    after every optimiser step (a cancel raises there) and ``on_plan(plan)`` once the budget
    (``max_steps``, ``max_seconds``) has fixed the number of steps (see ``Budget``).
    ``val_examples`` (optional) are scored after the last epoch into ``metrics['val']``.
    """
    if not examples:
        raise ValueError("no training examples")
    from .threads import training_threads

    # None: the cores this process gets and others leave idle; torch's default (every core of
    # the machine) makes a training on a loaded machine several times slower.
    torch.set_num_threads(cfg.num_threads or training_threads())
    dev = torch.device(device) if device is not None else _auto_device()
    det_cfg = _resolve_config(cfg, examples)
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    data = _prepare(examples, det_cfg)
    model = DetectorNet(det_cfg)
    if init_state is not None:
        warm_start(model, init_state)
    model = model.to(dev, memory_format=torch.channels_last)
    history = _fit(model, data, cfg, det_cfg, dev, rng, progress, on_plan=on_plan, on_step=on_step)
    metrics = dict(history[-1]) if history else {}
    result = TrainResult(_cpu_state(model), det_cfg, metrics, history)
    if val_examples:
        result.metrics["val"] = validate(result, val_examples, device=dev)
    return result


def _auto_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _resolve_config(cfg: TrainConfig, examples: Sequence[Example]) -> DetectorConfig:
    """Fill in class names (from the labels) and metadata classes when not given."""
    det = DetectorConfig.from_dict(cfg.detector.to_dict())
    if not det.class_names:
        det.class_names = sorted({b.label for ex in examples for b in ex.events if b.label})
    if cfg.use_metadata and not det.meta_classes:
        det.meta_classes = {
            k: sorted(
                {str(ex.meta[k]) for ex in examples if ex.meta and ex.meta.get(k) is not None}
            )
            for k in cfg.meta_keys
        }
        det.meta_classes = {k: v for k, v in det.meta_classes.items() if len(v) > 1}
    if not cfg.use_metadata:
        det.meta_classes = {}
    return det


@dataclass
class _Item:
    """A training clip in model units: features (float16 to halve memory) and boxes."""

    x: np.ndarray  # [F, T] float16
    boxes: np.ndarray  # [n, 4] start_col, end_col, low_row, high_row (input grid, continuous)
    labels: np.ndarray  # [n] class index, -1 unknown
    is_empty: bool
    meta: np.ndarray  # [n_meta] class index, -1 missing


def _prepare(examples: Sequence[Example], cfg: DetectorConfig) -> list[_Item]:
    """Compute features once and convert boxes to grid coordinates."""
    index = {c: i for i, c in enumerate(cfg.class_names)}
    meta_index = {k: {v: i for i, v in enumerate(vals)} for k, vals in cfg.meta_classes.items()}
    items = []
    for ex in examples:
        x = ex.features
        if x is None:
            if ex.audio is None or not ex.samplerate:
                raise ValueError("an Example needs features or audio + samplerate")
            x = compute_features(ex.audio, ex.samplerate, cfg.features)
        boxes, labels = _boxes_to_grid(ex.events, cfg.features, index)
        meta = np.array(
            [meta_index[k].get(str((ex.meta or {}).get(k)), -1) for k in cfg.meta_classes],
            dtype=np.int64,
        )
        items.append(
            _Item(
                np.asarray(x, dtype=np.float16), boxes, labels, ex.is_empty and not len(boxes), meta
            )
        )
    return items


def _boxes_to_grid(
    events: Sequence[BoxLike], fc: FeatureConfig, index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes in seconds/Hz → continuous (col, row) edges on the input grid, and labels."""
    rows, labels = [], []
    for b in events:
        low = fc.fmin if b.low_hz is None else max(fc.fmin, b.low_hz)
        high = fc.fmax if b.high_hz is None else min(fc.fmax, b.high_hz)
        if high <= low or b.end_s <= b.start_s:
            continue  # outside the modelled band, or degenerate
        # +0.5: ``time_to_col`` gives cell-centre coordinates; edges are wanted here.
        rows.append(
            (
                time_to_col(b.start_s, fc) + 0.5,
                time_to_col(b.end_s, fc) + 0.5,
                freq_to_row(low, fc) + 0.5,
                freq_to_row(high, fc) + 0.5,
            )
        )
        labels.append(index.get(b.label, -1) if b.label is not None else -1)
    return np.array(rows, dtype=np.float64).reshape(-1, 4), np.array(labels, dtype=np.int64)


PROBE_STEPS = 3  # steps timed (at the warm-up learning rate) to turn a time budget into steps


@dataclass
class Budget:
    """How many optimiser steps a run takes: every epoch asked for, cut to ``max_steps`` and to
    what fits in ``max_seconds`` at the pace of the first ``PROBE_STEPS`` steps."""

    steps_per_epoch: int
    asked_epochs: int
    steps: int
    seconds_per_step: float | None = None
    max_seconds: float | None = None
    max_steps: int | None = None

    @property
    def epochs(self) -> int:
        return -(-self.steps // self.steps_per_epoch)

    @property
    def cut(self) -> bool:
        return self.steps < self.steps_per_epoch * self.asked_epochs

    def as_dict(self) -> dict:
        return {
            "steps": self.steps,
            "asked_steps": self.steps_per_epoch * self.asked_epochs,
            "epochs": round(self.steps / self.steps_per_epoch, 2),
            "asked_epochs": self.asked_epochs,
            "seconds_per_step": None
            if self.seconds_per_step is None
            else round(self.seconds_per_step, 4),
            "max_seconds": self.max_seconds,
            "max_steps": self.max_steps,
            "cut": self.cut,
        }


def _fit(
    model, data, cfg: TrainConfig, det_cfg, dev, rng, progress, *, on_plan=None, on_step=None
) -> list[dict]:
    """The step loop: AdamW + one-cycle schedule over the budgeted steps, one history row per
    epoch (the last may be partial)."""
    per_epoch = max(1, math.ceil(len(data) / cfg.batch_size))
    budget = Budget(
        per_epoch,
        cfg.epochs,
        per_epoch * cfg.epochs,
        max_seconds=cfg.max_seconds,
        max_steps=cfg.max_steps,
    )
    if cfg.max_steps:
        budget.steps = max(1, min(budget.steps, cfg.max_steps))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    class_w = _class_weights(data, det_cfg.n_classes).to(dev)
    empties = [it for it in data if it.is_empty]
    batches = _batches(len(data), per_epoch, rng)

    def step(idx, sums) -> None:
        batch = _make_batch([data[i] for i in idx], empties, cfg, det_cfg, rng, dev)
        losses = compute_losses(model(batch["x"]), batch, cfg.loss_weights, class_w)
        opt.zero_grad(set_to_none=True)
        losses["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        for k, v in losses.items():
            sums[k] = sums.get(k, 0.0) + float(v.detach()) * len(idx)
        if on_step:
            on_step()

    history, sums, n, done, t0 = [], {}, 0, 0, time.perf_counter()
    probe = min(PROBE_STEPS, budget.steps) if cfg.max_seconds else 0
    for group in opt.param_groups:  # the probe runs at the one-cycle schedule's starting rate
        group["lr"] = cfg.lr / 25
    for _ in range(probe):
        epoch_of, idx = next(batches)
        step(idx, sums)
        n, done = n + len(idx), done + 1
    if probe:
        budget.seconds_per_step = (time.perf_counter() - t0) / probe
        fits = probe + int(
            max(cfg.max_seconds - (time.perf_counter() - t0), 0) / budget.seconds_per_step
        )
        budget.steps = max(probe, min(budget.steps, fits))
    if on_plan:
        on_plan(budget.as_dict())
    sched = _one_cycle(opt, cfg.lr, budget.steps - done)
    epoch = 0
    while done < budget.steps or n:
        if done < budget.steps:
            epoch_of, idx = next(batches)
        if done == budget.steps or epoch_of != epoch:  # an epoch (or the budget) is over
            history.append(
                {
                    "epoch": epoch + 1,
                    **{k: v / n for k, v in sums.items()},
                    "seconds": time.perf_counter() - t0,
                }
            )
            if progress:
                progress(epoch + 1, budget.epochs, history[-1])
            sums, n, t0, epoch = {}, 0, time.perf_counter(), epoch_of
            if done == budget.steps:
                break
        step(idx, sums)
        if sched is not None:
            sched.step()
        n, done = n + len(idx), done + 1
    return history


def _batches(n_items: int, per_epoch: int, rng):
    """(epoch, indices) of every batch, epoch after epoch, each a fresh permutation."""
    epoch = 0
    while True:
        for idx in np.array_split(rng.permutation(n_items), per_epoch):
            yield epoch, idx
        epoch += 1


def _one_cycle(opt, lr: float, steps: int):
    if steps <= 0:
        return None
    # OneCycleLR divides by (pct_start * steps - 1): at exactly 5 steps 0.2 would divide by zero.
    warmup = 0.2 if abs(0.2 * steps - 1) > 1e-9 else 0.25
    return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=warmup)


def _class_weights(data: list[_Item], n_classes: int) -> torch.Tensor:
    """Inverse-sqrt-frequency class weights: the long tail still gets gradient."""
    counts = np.ones(max(1, n_classes))
    for it in data:
        for lab in it.labels[it.labels >= 0]:
            counts[lab] += 1
    w = 1.0 / np.sqrt(counts)
    return torch.tensor(w / w.mean(), dtype=torch.float32)


def _cpu_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in model.state_dict().items()}


# ------------------------------------------------------------------- batches


def _make_batch(items, empties, cfg: TrainConfig, det_cfg: DetectorConfig, rng, dev) -> dict:
    """Augment a list of items, pad to a common width and build all targets."""
    fc = det_cfg.features
    xs, boxes, labels, species_known = [], [], [], []
    for it in items:
        x, b, lab = it.x.astype(np.float32), it.boxes.copy(), it.labels
        if cfg.crop_s:
            x, b = _random_crop(x, b, int(round(cfg.crop_s * fc.frames_per_second)), rng)
        if cfg.augment:
            x, b = _augment(x, b, empties, cfg, fc, rng)
        shifted = cfg.augment and cfg.freq_shift_prob > 0 and rng.random() < cfg.freq_shift_prob
        if shifted:
            x, b, lab = _shift_freq(x, b, lab, cfg.max_freq_shift, rng)
        xs.append(x)
        boxes.append(b)
        labels.append(lab)
        species_known.append(not shifted)
    width = max(x.shape[1] for x in xs)
    x = np.stack([np.pad(v, ((0, 0), (0, width - v.shape[1]))) for v in xs])
    tgt = build_targets(boxes, labels, x.shape[1:], det_cfg)
    batch = {k: torch.from_numpy(v).to(dev) for k, v in tgt.items()}
    batch["x"] = (
        torch.from_numpy(x).unsqueeze(1).to(dev).contiguous(memory_format=torch.channels_last)
    )
    batch["meta"] = torch.from_numpy(np.stack([it.meta for it in items])).to(dev)
    batch["clip_w"] = torch.tensor(species_known, dtype=torch.float32, device=dev)
    # A clip "has a call" when a box centre survived cropping and shifting.
    batch["any"] = torch.from_numpy(tgt["size_mask"].reshape(len(items), -1).max(axis=1)).to(dev)
    return batch


def _random_crop(
    x: np.ndarray, boxes: np.ndarray, width: int, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Crop ``width`` columns; keep boxes whose centre stays inside."""
    if x.shape[1] <= width:
        return x, boxes
    start = int(rng.integers(0, x.shape[1] - width + 1))
    b = boxes.copy()
    b[:, :2] -= start
    return x[:, start : start + width], b


def _augment(
    x, boxes, empties, cfg: TrainConfig, fc: FeatureConfig, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Time stretch and shift, empty-clip mixing, time/frequency masks and gain on the
    feature image."""
    if cfg.stretch_prob and cfg.max_stretch > 1 and rng.random() < cfg.stretch_prob:
        factor = math.exp(rng.uniform(-1.0, 1.0) * math.log(cfg.max_stretch))
        x, boxes = _stretch(x, boxes, factor, rng)
    shift = int(rng.uniform(-cfg.max_shift_s, cfg.max_shift_s) * fc.frames_per_second)
    if shift:
        x = np.roll(x, shift, axis=1)
        # Blank the wrapped-around columns so no call reappears unlabelled at the other end.
        if shift > 0:
            x[:, :shift] = 0
        else:
            x[:, shift:] = 0
        boxes = boxes.copy()
        boxes[:, :2] += shift
    if empties and rng.random() < cfg.mix_empty_prob:
        other = rng.choice(len(empties))
        bg = empties[other].x.astype(np.float32)[:, : x.shape[1]]
        # log(a + b) ≈ max(log a, log b): overlaying in the compressed domain.
        x[:, : bg.shape[1]] = np.maximum(x[:, : bg.shape[1]], bg * rng.uniform(0.5, 1.0))
    if rng.random() < cfg.mask_prob:
        x = _masks(x, rng)
    return x * np.float32(rng.uniform(0.7, 1.3)), boxes


def _stretch(x: np.ndarray, boxes: np.ndarray, factor: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Resample the time axis by ``factor`` (> 1: longer calls), linearly; boxes follow.

    A stretched image is cropped back to its width at a random place, so batches (and
    the cost of a step) keep their size.
    """
    width = x.shape[1]
    new_width = max(2, int(round(width * factor)))
    factor = new_width / width
    src = np.clip((np.arange(new_width) + 0.5) / factor - 0.5, 0, width - 1)
    left = np.minimum(src.astype(int), max(0, width - 2))
    right = np.minimum(left + 1, width - 1)
    frac = (src - left).astype(np.float32)
    out = x[:, left] * (1 - frac) + x[:, right] * frac
    boxes = boxes.copy()
    boxes[:, :2] *= factor  # edge coordinates scale with the columns
    return _random_crop(out, boxes, width, rng)


def _shift_freq(
    x: np.ndarray, boxes: np.ndarray, labels: np.ndarray, max_shift: float, rng
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move the image up or down by up to ``max_shift`` of its rows (the vacated rows are
    silent), boxes follow (clipped to the band; a box pushed out entirely is dropped) and every
    species label becomes unknown."""
    rows = x.shape[0]
    k = int(round(rng.uniform(-max_shift, max_shift) * rows))
    if k == 0:
        return x, boxes, np.full_like(labels, -1)
    out = np.zeros_like(x)
    if k > 0:
        out[k:] = x[: rows - k]
    else:
        out[:k] = x[-k:]
    b = boxes.copy()
    b[:, 2:] = np.clip(b[:, 2:] + k, 0, rows)
    keep = b[:, 3] - b[:, 2] > 0.5
    return out, b[keep], np.full(int(keep.sum()), -1, dtype=labels.dtype)


def _masks(x: np.ndarray, rng) -> np.ndarray:
    """One narrow frequency band and one short time stretch set to zero (SpecAugment)."""
    x = x.copy()
    f0, fw = int(rng.integers(0, x.shape[0])), int(rng.integers(1, max(2, x.shape[0] // 16)))
    t0, tw = int(rng.integers(0, x.shape[1])), int(rng.integers(1, max(2, x.shape[1] // 50)))
    x[f0 : f0 + fw] = 0
    x[:, t0 : t0 + tw] = 0
    return x


# ----------------------------------------------------------------- warm start


def warm_start(model: DetectorNet, init: dict | TrainResult) -> list[str]:
    """Load compatible weights into ``model``; return the names left re-initialised.

    Tensors whose shape changed are skipped, except class heads, whose rows are copied
    by class name when the previous class list is known (checkpoint or TrainResult).
    """
    state, old_names = _unpack_init(init)
    state = upgrade_state_dict(dict(state))  # an old box head (``size``) carries over too
    new_names = model.cfg.class_names
    own = model.state_dict()
    skipped = []
    for key, value in state.items():
        if key not in own:
            continue
        if own[key].shape == value.shape and (
            old_names is None or old_names == new_names or not _is_class_key(key)
        ):
            own[key] = value.clone()
        elif _is_class_key(key) and old_names is not None:
            own[key] = _remap_rows(own[key], value, old_names, new_names)
        else:
            skipped.append(key)
    model.load_state_dict(own)
    return skipped


def _unpack_init(init: dict | TrainResult) -> tuple[dict, list[str] | None]:
    if isinstance(init, TrainResult):
        return init.state_dict, list(init.config.class_names)
    if "state_dict" in init:
        return init["state_dict"], init.get("class_names")
    return init, None


def _is_class_key(key: str) -> bool:
    return key.split(".")[0] in ("classes", "clip_logits")


def _remap_rows(
    new: torch.Tensor, old: torch.Tensor, old_names: list[str], new_names: list[str]
) -> torch.Tensor:
    """Copy the output rows of classes that exist in both lists; new classes keep their init."""
    out = new.clone()
    for j, name in enumerate(new_names):
        if name in old_names and old_names.index(name) < old.shape[0]:
            out[j] = old[old_names.index(name)]
    return out


# --------------------------------------------------------------- validation


def validate(
    result: TrainResult, examples: Sequence[Example], *, device=None, threshold: float = 0.5
) -> dict:
    """Score ``examples`` with the trained model and ``evaluate`` against their boxes."""
    det = InferenceDetector.from_result(result, device=device)
    preds, clip_scores = [], []
    for ex in examples:
        score = det.score_features(_features_of(ex, result.config.features))
        preds.append(score.events)
        clip_scores.append(score.class_probs)
    gts = [list(ex.events) for ex in examples]
    return evaluate(
        preds,
        gts,
        threshold=threshold,
        class_names=result.config.class_names,
        clip_scores=np.array(clip_scores),
    )


def _features_of(ex: Example, fc: FeatureConfig) -> np.ndarray:
    if ex.features is not None:
        return np.asarray(ex.features, dtype=np.float32)
    return compute_features(ex.audio, ex.samplerate, fc)
