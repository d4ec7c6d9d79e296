"""Window-level embeddings of the detector, read off its own forward pass (no second network).

The detector pools its deepest (stride 8) and finest (stride 2) feature maps over the whole clip
into its clip embedding. ``FeatureTaps`` keeps those two maps from the last forward pass (forward
hooks: the network is unchanged) and pools them over shorter time spans — fixed windows of the
clip, or a box's span — through the same ``embed`` layer, so windows, boxes and clips share one
embedding space. An encoder with the same ``context``/``head_hidden``/``embed`` layout plugs in
unchanged.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .features import FeatureConfig, freq_to_row

DEEP_STRIDE, FINE_STRIDE = 8, 2


class FeatureTaps:
    """The deep and fine feature maps of ``net``'s last forward pass."""

    def __init__(self, net: nn.Module):
        self.net = net
        self.deep: torch.Tensor | None = None
        self.fine: torch.Tensor | None = None
        self.width = 0
        net.context.register_forward_hook(self._keep("deep"))
        net.head_hidden.register_forward_hook(self._keep("fine"))
        net.register_forward_pre_hook(self._keep_width)

    def _keep(self, name: str):
        def hook(_module, _inputs, output):
            setattr(self, name, output)

        return hook

    def _keep_width(self, _module, inputs):
        self.width = inputs[0].shape[-1]

    def window_embeddings(self, window_s: float, fps: float) -> np.ndarray:
        """``[B, W, D]`` L2-normalised embeddings of consecutive ``window_s`` spans."""
        n = max(1, int(np.ceil(self.width / (window_s * fps) - 1e-6)))
        spans = [(i * window_s, (i + 1) * window_s) for i in range(n)]
        return self._pool(spans, fps)

    def span_embedding(self, start_s: float, end_s: float, fps: float) -> np.ndarray:
        """``[D]`` L2-normalised embedding of one time span of the first clip of the batch."""
        return self._pool([(start_s, end_s)], fps)[0, 0]

    def _pool(self, spans: list[tuple[float, float]], fps: float) -> np.ndarray:
        deep, fine = self._cropped()
        pooled = torch.stack(
            [self._pool_span(deep, fine, a, b, fps) for a, b in spans], dim=1
        )  # [B, W, 2c3+2c1]
        emb = self.net.embed(pooled.float())
        return F.normalize(emb, dim=-1).cpu().numpy().astype(np.float32)

    def _cropped(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.deep is None or self.fine is None:
            raise RuntimeError("no forward pass to read features from")
        w = self.width
        return self.deep[..., : (w + 7) // 8], self.fine[..., : (w + 1) // 2]

    @staticmethod
    def _pool_span(deep, fine, start_s, end_s, fps) -> torch.Tensor:
        parts = []
        for fmap, stride in ((deep, DEEP_STRIDE), (fine, FINE_STRIDE)):
            cols = fmap.shape[-1]
            lo = int(np.clip(np.floor(start_s * fps / stride), 0, cols - 1))
            hi = int(np.clip(np.ceil(end_s * fps / stride), lo + 1, cols))
            part = fmap[..., lo:hi].float()
            parts.append((part.mean(dim=(2, 3)), part.amax(dim=(2, 3))))
        (dm, dx), (fm, fx) = parts
        return torch.cat([dm, dx, fm, fx], dim=1)  # the clip head's order


def mask_band(
    feats: np.ndarray, low_hz: float | None, high_hz: float | None, cfg: FeatureConfig
) -> np.ndarray:
    """``feats`` ``[F, T]`` with rows outside the band set to the clip's background (20th percentile)."""
    if low_hz is None and high_hz is None:
        return feats
    rows = np.arange(feats.shape[0])
    centre = freq_to_row(np.array([low_hz or cfg.fmin, high_hz or cfg.fmax]), cfg)
    outside = (rows < np.floor(centre[0])) | (rows > np.ceil(centre[1]))
    if outside.all():
        raise ValueError("the box lies outside the model's frequency range")
    out = feats.copy()
    out[outside] = np.percentile(feats, 20)
    return out
