"""A trained detector's weights, config and metrics (``TrainResult``) and their checkpoint files.

Kept apart from ``training`` so that ``inference`` loads models without importing the trainer,
while the trainer scores its validation set with ``inference``: the import graph has no cycle.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch

from .detector import DetectorConfig, DetectorNet

CHECKPOINT_FORMAT = "echoloop-detector/1"


@dataclass
class TrainResult:
    """Outcome of ``train``: weights (CPU tensors), the config to rebuild the model, metrics."""

    state_dict: dict[str, torch.Tensor]
    config: DetectorConfig
    metrics: dict
    history: list[dict]

    def build_model(self) -> DetectorNet:
        """A ready-to-use detector in eval mode."""
        model = DetectorNet(self.config)
        model.load_state_dict(self.state_dict)
        return model.eval()


def save_checkpoint(path_or_file: str | Path | BinaryIO, result: TrainResult) -> None:
    """Write weights + config + class names + metrics with ``torch.save``.

    Everything but the tensors is plain Python (JSON-able), so ``load_checkpoint`` can use
    ``weights_only=True`` and never unpickle arbitrary objects.
    """
    payload = {
        "format": CHECKPOINT_FORMAT,
        "state_dict": result.state_dict,
        "config": result.config.to_dict(),
        "class_names": list(result.config.class_names),
        "metrics": _plain(result.metrics),
        "history": _plain(result.history),
    }
    torch.save(payload, path_or_file)


def load_checkpoint(
    path_or_file: str | Path | BinaryIO | bytes, map_location: str = "cpu"
) -> TrainResult:
    """Read a checkpoint written by ``save_checkpoint`` (safe: ``weights_only=True``)."""
    if isinstance(path_or_file, bytes):
        path_or_file = io.BytesIO(path_or_file)
    payload = torch.load(path_or_file, map_location=map_location, weights_only=True)
    if payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"not an Echoloop detector checkpoint: {payload.get('format')!r}")
    return TrainResult(
        state_dict=payload["state_dict"],
        config=DetectorConfig.from_dict(payload["config"]),
        metrics=payload.get("metrics", {}),
        history=payload.get("history", []),
    )


def _plain(value: Any) -> Any:
    """Numpy scalars/arrays → Python floats/lists so weights-only loading accepts them."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, torch.Tensor):
        return value.tolist()
    return value
