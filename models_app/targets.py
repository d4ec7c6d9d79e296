"""CenterNet-style training targets and losses for the detector.

Targets live on the output grid (``DetectorConfig.stride`` coarser than the input): a
Gaussian bump at each box centre (exactly 1 at the centre cell), the log distances to the
box's four edges at cells in the box near its centre (so a peak found a little off-centre
still reads the right box), and the species at cells near the centre; plus clip-level
multi-hot labels.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from .detector import DetectorConfig


def build_targets(
    boxes: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    shape: tuple[int, int],
    cfg: DetectorConfig,
) -> dict[str, np.ndarray]:
    """CenterNet targets on the output grid for a batch.

    ``boxes[i]`` is ``[n, 4]`` (start_col, end_col, low_row, high_row) on the input grid.
    Returns ``heat`` [B,1,Fo,To] (Gaussian bumps, exactly 1 at centre cells),
    ``extent`` [B,4,Fo,To] (log distances from cell centres to the start, end, low and high
    edges, in output cells) with weights ``extent_w`` [B,Fo,To], ``size`` [B,2,Fo,To] (log
    duration/bandwidth at the centre cell), ``size_mask`` [B,Fo,To] (centre cells),
    ``cls`` [B,Fo,To] (class index, -1 = ignore), ``cls_w`` [B,Fo,To] and ``clip`` [B,C].
    """
    s = cfg.stride
    fo, to = shape[0] // s, (shape[1] + s - 1) // s
    b_n = len(boxes)
    out = {
        "heat": np.zeros((b_n, 1, fo, to), np.float32),
        "size": np.zeros((b_n, 2, fo, to), np.float32),
        "size_mask": np.zeros((b_n, fo, to), np.float32),
        "extent": np.zeros((b_n, 4, fo, to), np.float32),
        "extent_w": np.zeros((b_n, fo, to), np.float32),
        "cls": np.full((b_n, fo, to), -1, np.int64),
        "cls_w": np.zeros((b_n, fo, to), np.float32),
        "clip": np.zeros((b_n, max(1, cfg.n_classes)), np.float32),
    }
    rows, cols = np.arange(fo)[:, None], np.arange(to)[None, :]
    for i, (bx, lab) in enumerate(zip(boxes, labels)):
        for (c0, c1, r0, r1), k in zip(bx / s, lab):
            _draw_box(out, i, c0, c1, r0, r1, int(k), rows, cols)
    return out


def _draw_box(out: dict, i: int, c0, c1, r0, r1, k: int, rows, cols) -> None:
    """Add one box (output-grid units, cell edges at integers) to the targets of clip ``i``."""
    fo, to = out["heat"].shape[-2:]
    ct, cf = (c0 + c1) / 2 - 0.5, (r0 + r1) / 2 - 0.5  # centre in cell-index coordinates
    ci, ri = int(round(ct)), int(round(cf))
    if not (0 <= ci < to and 0 <= ri < fo):
        return  # centre cropped or shifted away
    dur, bw = max(c1 - c0, 0.25), max(r1 - r0, 0.25)
    st, sf = max(0.8, dur / 6), max(0.8, bw / 6)
    g = np.exp(-0.5 * (((cols - ci) / st) ** 2 + ((rows - ri) / sf) ** 2)).astype(np.float32)
    np.maximum(out["heat"][i, 0], g, out=out["heat"][i, 0])
    out["heat"][i, 0, ri, ci] = 1.0
    out["size"][i, :, ri, ci] = (np.log(dur), np.log(bw))
    out["size_mask"][i, ri, ci] = 1.0
    _draw_extent(out, i, (c0, c1, r0, r1), g, rows, cols)
    if k >= 0:
        near = g > 0.5  # the species is taught around the centre, weighted by closeness
        out["cls"][i][near] = k
        out["cls_w"][i][near] = np.maximum(out["cls_w"][i][near], g[near])
        out["clip"][i, k] = 1.0


def _draw_extent(out: dict, i: int, edges, g: np.ndarray, rows, cols) -> None:
    """Edge distances at the cells whose centre lies in the box where the bump is > 0.1,
    weighted by the bump; the centre cell always (its distances floored at 0.1 cell)."""
    c0, c1, r0, r1 = edges
    tc, fc = cols + 0.5, rows + 0.5  # cell centres in edge coordinates
    d = np.broadcast_arrays(tc - c0, c1 - tc, fc - r0, r1 - fc)
    inside = (d[0] > 0) & (d[1] > 0) & (d[2] > 0) & (d[3] > 0) & (g > 0.1)
    inside |= g == g.max()  # the centre cell even when the box is thinner than a cell
    w = np.where(inside, g, 0.0).astype(np.float32)
    better = w > out["extent_w"][i]  # overlapping boxes: the nearer centre wins a cell
    for k in range(4):
        out["extent"][i, k][better] = np.log(np.maximum(d[k][better], 0.1))
    out["extent_w"][i][better] = w[better]


# ---------------------------------------------------------------------- losses


def focal_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, normalised by the number of centres."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg_w = (1 - target).pow(4)
    pos_loss = -(torch.log(p) * (1 - p).pow(2) * pos).sum()
    neg_loss = -(torch.log(1 - p) * p.pow(2) * neg_w * (1 - pos)).sum()
    return (pos_loss + neg_loss) / pos.sum().clamp(min=1.0)


def compute_losses(
    out: dict[str, torch.Tensor],
    batch: dict[str, torch.Tensor],
    weights: dict[str, float],
    class_w: torch.Tensor,
) -> dict[str, torch.Tensor]:
    """All loss terms and their weighted sum under ``'loss'``."""
    losses = {"heatmap": focal_loss(out["heatmap"], batch["heat"])}
    # Box edges (weighted by the "size" loss weight, its name before edges were regressed).
    w_ext = batch["extent_w"]
    l1 = (out["extent"] - batch["extent"]).abs().sum(dim=1)
    losses["size"] = (l1 * w_ext).sum() / w_ext.sum().clamp(min=1.0)
    ce = F.cross_entropy(
        out["classes"], batch["cls"].clamp(min=0), weight=class_w, reduction="none"
    )
    w = batch["cls_w"] * (batch["cls"] >= 0)
    losses["classes"] = (ce * w).sum() / w.sum().clamp(min=1.0)
    # Clips whose species are unknown (frequency-shifted) teach no clip-level species.
    clip_w = batch.get("clip_w")
    clip_bce = F.binary_cross_entropy_with_logits(
        out["clip_logits"], batch["clip"], reduction="none"
    )
    if clip_w is None:
        losses["clip"] = clip_bce.mean()
    else:
        losses["clip"] = (clip_bce.mean(dim=1) * clip_w).sum() / clip_w.sum().clamp(min=1.0)
    losses["any"] = F.binary_cross_entropy_with_logits(out["any_event"], batch["any"])
    meta_terms = [
        F.cross_entropy(out[f"meta/{name}"], batch["meta"][:, j], ignore_index=-1)
        for j, name in enumerate(n[5:] for n in out if n.startswith("meta/"))
        if (batch["meta"][:, j] >= 0).any()
    ]
    if meta_terms:
        losses["meta"] = torch.stack(meta_terms).mean()
    losses["loss"] = sum(weights.get(k, 1.0) * v for k, v in losses.items())
    return losses
