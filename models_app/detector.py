"""A compact encoder–decoder CNN sound-event detector (BatDetect2/CenterNet in spirit).

Input: ``[B, 1, F, T]`` features (see ``features.py``). A normalised frequency-coordinate
channel is concatenated at the input and again before the heads, because absolute call
frequency is species information that a translation-equivariant CNN would otherwise
discard. Outputs live on a grid ``stride`` times coarser than the input:

- ``heatmap``   ``[B, 1, F/s, T/s]`` logits of "an event is centred here" (class-agnostic),
- ``classes``   ``[B, C, F/s, T/s]`` logits of the species at each cell (softmax over C),
- ``extent``    ``[B, 4, F/s, T/s]`` log distances (output cells) from each cell's centre to
  its call's start, end, low and high edges: a box read at a peak off the call's centre
  (common on frequency sweeps) still has the call's edges,
- ``clip_logits`` ``[B, C]`` multi-label "species present in the clip",
- ``any_event`` ``[B]`` logit of "the clip holds any call",
- ``embedding`` ``[B, D]`` pooled clip embedding (for diversity sampling),
- ``meta/<name>`` ``[B, K]`` optional auxiliary metadata logits (training only).
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from .features import FeatureConfig, col_to_time, row_to_freq
from .options import BOX_REFINE_DB


@dataclass
class DetectorConfig:
    """Everything needed to rebuild a detector and interpret its outputs."""

    class_names: list[str]
    features: FeatureConfig = field(default_factory=FeatureConfig)
    channels: tuple[int, int, int] = (12, 32, 64)  # per encoder level (stride 2, 4, 8)
    embedding_dim: int = 64
    # Auxiliary metadata targets, e.g. {"site": ["a", "b"], "season": [...]}; empty = off.
    meta_classes: dict[str, list[str]] = field(default_factory=dict)

    stride: int = 2  # output grid vs input grid (fixed by the architecture)
    # Decoding: each box is the outline of its call's loudest cell down to this many dB below it
    # (``refinement.py``), not the extent head's box; None keeps the extent head's box.
    box_refine_db: float | None = BOX_REFINE_DB

    def to_dict(self) -> dict:
        """Plain-JSON form (nested feature config included)."""
        data = asdict(self)
        data["features"] = self.features.to_dict()
        data["channels"] = list(self.channels)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> DetectorConfig:
        """Inverse of ``to_dict``; unknown keys are ignored. A config saved before boxes were
        outlined (no ``box_refine_db``) keeps decoding its extent head's boxes."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs.setdefault("box_refine_db", None)
        kwargs["features"] = FeatureConfig.from_dict(data.get("features", {}))
        if "channels" in kwargs:
            kwargs["channels"] = tuple(kwargs["channels"])
        return cls(**kwargs)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@dataclass
class Event:
    """One detected call in clip time (seconds) and frequency (Hz)."""

    start_s: float
    end_s: float
    low_hz: float
    high_hz: float
    class_name: str
    score: float  # detection confidence (calibrated when the scorer has a calibration)
    class_probs: dict[str, float]
    raw_score: float | None = None  # heatmap peak probability before calibration


EXTENT_INIT = (2.0, 2.0, 8.0, 8.0)  # initial start/end/low/high distances (output cells)
MAX_LOG_EXTENT = 8.0  # decoding clamps log distances (e^8 cells is far past any clip)


def upgrade_state_dict(state: dict[str, torch.Tensor], prefix: str = "") -> dict:
    """Convert a pre-``extent`` state dict (checkpoint format 1 before box edges were
    regressed) in place: its ``size`` head (log duration, log bandwidth of a box centred
    on the cell) becomes the equivalent ``extent`` head (half of each on either side),
    so old checkpoints decode to exactly the boxes they always did."""
    w, b = state.get(prefix + "size.weight"), state.get(prefix + "size.bias")
    if w is None or b is None or prefix + "extent.weight" in state:
        return state
    rows = torch.tensor([0, 0, 1, 1])
    state[prefix + "extent.weight"] = w[rows].clone()
    state[prefix + "extent.bias"] = b[rows] - math.log(2.0)
    del state[prefix + "size.weight"], state[prefix + "size.bias"]
    return state


def _upgrade_size_head(module, state_dict, prefix, *args) -> None:
    upgrade_state_dict(state_dict, prefix)


# ----------------------------------------------------------------------- layers


class ConvBlock(nn.Module):
    """k×k conv (3×3 by default) → BatchNorm → ReLU (optionally strided to downsample).

    ``coord=True`` adds the frequency-coordinate channel to the conv's input.
    """

    def __init__(
        self, c_in: int, c_out: int, stride: int = 1, kernel: int = 3, coord: bool = False
    ):
        super().__init__()
        if coord:
            self.conv: nn.Module = CoordConv(c_in, c_out, kernel, stride)
        else:
            self.conv = nn.Conv2d(c_in, c_out, kernel, stride, kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(x)), inplace=True)


class CoordConv(nn.Module):
    """Convolution over ``[x, frequency coordinate]`` without materialising the concat.

    The coordinate channel is identical for every clip, so its contribution is computed
    once on a batch of one and broadcast; the weights are those of a conv over
    ``c_in + 1`` channels, the last input channel being the coordinate.
    """

    def __init__(self, c_in: int, c_out: int, kernel: int = 3, stride: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(c_in + 1, c_out, kernel, stride, kernel // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w, st, pad = self.conv.weight, self.conv.stride, self.conv.padding
        y = F.conv2d(x, w[:, :-1], self.conv.bias, st, pad)  # bias appears once BN is fused
        coord = freq_coordinate(1, x.shape[2], x.shape[3], x)
        return y + F.conv2d(coord, w[:, -1:], None, st, pad)


class TimeContext(nn.Module):
    """Dilated time-only convolutions: calls repeat at an inter-call interval, so context
    of a few hundred milliseconds around a candidate call is evidence for it."""

    def __init__(self, c: int, dilations: tuple[int, ...] = (2, 4, 8)):
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv2d(c, c, (1, 3), padding=(0, d), dilation=(1, d), bias=False) for d in dilations
        )
        self.bns = nn.ModuleList(nn.BatchNorm2d(c) for _ in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, bn in zip(self.convs, self.bns):
            x = x + F.relu(bn(conv(x)), inplace=True)
        return x


class UpBlock(nn.Module):
    """Upsample ×2, project, add the encoder skip (FPN-style: cheap), then refine."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.proj = nn.Conv2d(c_in, c_out, 1, bias=False)
        self.refine = ConvBlock(c_out, c_out)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(self.proj(x), size=skip.shape[-2:], mode="nearest")
        return self.refine(x + skip)


def freq_coordinate(batch: int, height: int, width: int, like: torch.Tensor) -> torch.Tensor:
    """``[B, 1, H, W]`` channel going 0 (fmin) → 1 (fmax) along the frequency axis."""
    coord = torch.linspace(0.0, 1.0, height, device=like.device, dtype=like.dtype)
    return coord.view(1, 1, height, 1).expand(batch, 1, height, width)


# ------------------------------------------------------------------------ model


class DetectorNet(nn.Module):
    """Encoder (3 levels, stride 8) → time context → decoder back to stride 2 → heads."""

    def __init__(self, cfg: DetectorConfig):
        super().__init__()
        self.cfg = cfg
        c1, c2, c3 = cfg.channels
        self.stem = ConvBlock(1, c1, stride=2, coord=True)  # input + frequency coordinate
        self.enc1 = ConvBlock(c1, c1)
        self.down2 = nn.Sequential(ConvBlock(c1, c2, stride=2), ConvBlock(c2, c2))
        self.down3 = nn.Sequential(ConvBlock(c2, c3, stride=2), ConvBlock(c3, c3))
        self.context = TimeContext(c3)
        self.up2 = UpBlock(c3, c2)
        self.up1 = UpBlock(c2, c1)
        # The frequency coordinate again before the heads: species depends on absolute
        # frequency. 1×1 because the finest level dominates the cost and the decoder
        # already mixed space.
        self.head_hidden = ConvBlock(c1, c1, kernel=1, coord=True)
        self.heatmap = nn.Conv2d(c1, 1, 1)
        self.extent = nn.Conv2d(c1, 4, 1)
        # Species are read from the richer stride-4 decoder level (c2 channels) and
        # upsampled: class maps are smooth, and this keeps the costly finest level thin.
        self.class_hidden = ConvBlock(c2, c2, kernel=1, coord=True)
        self.classes = nn.Conv2d(c2, max(1, cfg.n_classes), 1)
        self.embed = nn.Sequential(nn.Linear(2 * c3 + 2 * c1, cfg.embedding_dim), nn.ReLU())
        self.clip_logits = nn.Linear(cfg.embedding_dim, max(1, cfg.n_classes))
        self.any_event = nn.Linear(cfg.embedding_dim, 1)
        self.meta = nn.ModuleDict(
            {name: nn.Linear(cfg.embedding_dim, len(v)) for name, v in cfg.meta_classes.items()}
        )
        self._init_head_biases()
        self.register_load_state_dict_pre_hook(_upgrade_size_head)

    def _init_head_biases(self) -> None:
        # CenterNet trick: start with a low prior for "event here" so the focal loss is
        # not swamped by the (vast majority of) empty cells in the first steps.
        nn.init.constant_(self.heatmap.bias, -4.0)
        # Start the extents near typical calls (half a call ~2 cells long, ~8 cells high,
        # for bats and birds alike at their feature settings): a short training otherwise
        # spends most of its steps only growing the boxes from one cell.
        with torch.no_grad():
            self.extent.bias.copy_(torch.tensor(EXTENT_INIT).log())

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Run the network on ``[B, 1, F, T]`` (or ``[B, F, T]``) features."""
        if x.dim() == 3:
            x = x.unsqueeze(1)
        w = x.shape[-1]
        pad = (-w) % 8  # three stride-2 levels
        if pad:
            x = F.pad(x, (0, pad))
        s1 = self.enc1(self.stem(x))
        s2 = self.down2(s1)
        s3 = self.context(self.down3(s2))
        d2 = self.up2(s3, s2)
        hid = self.head_hidden(self.up1(d2, s1))
        classes = F.interpolate(
            self.classes(self.class_hidden(d2)), size=hid.shape[-2:], mode="nearest"
        )
        out_w = (w + 1) // 2  # crop the padding back off
        out = {
            "heatmap": self.heatmap(hid)[..., :out_w],
            "extent": self.extent(hid)[..., :out_w],
            "classes": classes[..., :out_w],
        }
        out.update(self._clip_heads(s3[..., : (w + 7) // 8], hid[..., :out_w]))
        return out

    def _clip_heads(self, deep: torch.Tensor, fine: torch.Tensor) -> dict[str, torch.Tensor]:
        """Clip-level heads on mean+max pooled deep and fine features."""
        pooled = torch.cat(
            [
                deep.mean(dim=(2, 3)),
                deep.amax(dim=(2, 3)),
                fine.mean(dim=(2, 3)),
                fine.amax(dim=(2, 3)),
            ],
            dim=1,
        )
        emb = self.embed(pooled)
        out = {
            "embedding": emb,
            "clip_logits": self.clip_logits(emb),
            "any_event": self.any_event(emb).squeeze(1),
        }
        for name, head in self.meta.items():
            out[f"meta/{name}"] = head(emb)
        return out


def fuse_for_inference(net: DetectorNet) -> DetectorNet:
    """A copy of ``net`` in eval mode with every BatchNorm folded into its conv.

    Same outputs (up to float rounding), fewer passes over memory: worth ~20 % on CPU.
    """
    net = copy.deepcopy(net).eval()
    for m in net.modules():
        if isinstance(m, ConvBlock):
            if isinstance(m.conv, CoordConv):
                m.conv.conv = fuse_conv_bn_eval(m.conv.conv, m.bn)
            else:
                m.conv = fuse_conv_bn_eval(m.conv, m.bn)
            m.bn = nn.Identity()
        elif isinstance(m, TimeContext):
            for i, (conv, bn) in enumerate(zip(m.convs, m.bns)):
                m.convs[i] = fuse_conv_bn_eval(conv, bn)
                m.bns[i] = nn.Identity()
    return net


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ----------------------------------------------------------------------- decode


def decode(
    outputs: dict[str, torch.Tensor],
    cfg: DetectorConfig,
    *,
    threshold: float = 0.3,
    top_k: int = 200,
    box_nms: float | None = 0.5,
) -> list[list[Event]]:
    """Turn raw network outputs into events per clip.

    Peaks of the sigmoid heatmap that are local maxima in a 3×3 neighbourhood (max-pool
    NMS) and above ``threshold`` become events; at most ``top_k`` per clip, best first.
    With ``box_nms`` set, a weaker event whose time span overlaps a stronger one's by
    more than that fraction and whose frequency span touches it is dropped: a broadband
    sweep otherwise yields several peaks stacked along frequency.
    """
    # NMS and top-k on logits (sigmoid is monotonic): the sigmoid is then only taken of
    # the kept peaks, not of the whole grid.
    logit = outputs["heatmap"].detach().float()
    is_peak = F.max_pool2d(logit, 3, stride=1, padding=1) == logit
    peaks = torch.where(is_peak, logit, torch.full_like(logit, -torch.inf))
    extent, logits = outputs["extent"].detach().float(), outputs["classes"].detach().float()
    events = []
    for b in range(peaks.shape[0]):
        flat = peaks[b, 0].flatten()
        top, idx = torch.topk(flat, min(top_k, flat.numel()))
        scores = torch.sigmoid(top)
        keep = (scores >= threshold) & torch.isfinite(top)  # -inf marks non-peaks
        idx, scores = idx[keep], scores[keep]
        width = peaks.shape[-1]
        # Class softmax and extents only at the kept peaks, not over the whole grid.
        r, c = idx // width, idx % width
        probs = torch.softmax(logits[b][:, r, c], dim=0).cpu().numpy()  # [C, n]
        found = _make_events(
            scores.cpu().numpy(),
            r.cpu().numpy(),
            c.cpu().numpy(),
            extent[b][:, r, c].cpu().numpy(),
            probs,
            cfg,
        )
        events.append(suppress_overlaps(found, box_nms) if box_nms is not None else found)
    return events


def suppress_overlaps(events: list[Event], min_time_overlap: float = 0.5) -> list[Event]:
    """Greedy box NMS for calls: keep events best first, dropping any whose time
    overlap with a kept event exceeds ``min_time_overlap`` of the shorter span while
    their frequency ranges overlap."""
    if len(events) < 2:
        return list(events)
    events = sorted(events, key=lambda e: -e.score)
    box = np.array([(e.start_s, e.end_s, e.low_hz, e.high_hz) for e in events])
    same = _same_call(box, min_time_overlap)  # all pairs at once: top_k stays cheap
    alive = np.ones(len(events), dtype=bool)
    for i in range(len(events)):
        if alive[i]:
            alive[i + 1 :] &= ~same[i, i + 1 :]
    return [e for e, keep in zip(events, alive) if keep]


def _same_call(box: np.ndarray, min_time_overlap: float) -> np.ndarray:
    """``[n, n]``: time overlap > ``min_time_overlap`` of the shorter span, frequencies touch."""
    start, end, low, high = box.T
    inter = np.minimum(end[:, None], end[None]) - np.maximum(start[:, None], start[None])
    dur = end - start
    shorter = np.maximum(1e-9, np.minimum(dur[:, None], dur[None]))
    touch = np.minimum(high[:, None], high[None]) >= np.maximum(low[:, None], low[None])
    return (inter / shorter > min_time_overlap) & touch


def _make_events(
    scores: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    extent: np.ndarray,
    probs: np.ndarray,
    cfg: DetectorConfig,
) -> list[Event]:
    """Convert peak cells, their extents ``[4, n]`` and class probs ``[C, n]`` into events."""
    fc, s = cfg.features, cfg.stride
    # Output cell i covers input rows [s*i, s*i + s): its centre is s*i + (s-1)/2.
    t_centre = col_to_time(s * cols + (s - 1) / 2, fc)
    f_centre = row_to_freq(s * rows + (s - 1) / 2, fc)
    dist = np.exp(np.clip(extent, -MAX_LOG_EXTENT, MAX_LOG_EXTENT))
    to_start, to_end = dist[:2] * s / fc.frames_per_second
    to_low, to_high = dist[2:] * s * fc.bin_hz
    names = cfg.class_names or ["event"]
    out = []
    for i in range(len(scores)):
        p = probs[:, i]
        out.append(
            Event(
                start_s=float(max(0.0, t_centre[i] - to_start[i])),
                end_s=float(t_centre[i] + to_end[i]),
                low_hz=float(max(fc.fmin, f_centre[i] - to_low[i])),
                high_hz=float(min(fc.fmax, f_centre[i] + to_high[i])),
                class_name=names[int(p.argmax())],
                score=float(scores[i]),
                class_probs={n: float(v) for n, v in zip(names, p)},
                raw_score=float(scores[i]),
            )
        )
    return out
