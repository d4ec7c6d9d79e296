"""The two real datasets of benchmarks/loop.py, the expert's answers, and the held-out evaluation.

The simulated annotator answers a clip with the expert boxes that overlap it, clipped to it (none:
``no_calls``). Each model version is then scored on the held-out recordings here, independently of
the server: its weights file read from the media storage, the recordings cut into the project's
clips, ``models_app.inference.Detector`` and ``models_app.evaluation.evaluate`` — the same
conventions as the server's own validation (``evaluating.metrics_on``), on different clips.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path("/work/shared/data")


@dataclass(frozen=True)
class Box:
    start_s: float
    end_s: float
    low_hz: float | None
    high_hz: float | None
    label: str


@dataclass(frozen=True)
class DatasetSpec:
    """A folder of recordings with expert labels, split by recording into pool and held-out."""

    name: str
    folder: Path
    labels: str  # CSV in the folder
    columns: tuple[str, str, str, str | None, str | None, str]  # file, start, end, low, high, label
    held_out: tuple[str, ...]  # file name prefixes
    tag_key: str
    project: dict = field(default_factory=dict)  # Project fields set at creation (clips, views)
    model: dict = field(default_factory=dict)  # sampling_params["model"] defaults

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.wav"))

    def is_held_out(self, name: str) -> bool:
        return name.startswith(self.held_out)

    def pool_files(self) -> list[Path]:
        return [p for p in self.files() if not self.is_held_out(p.name)]

    def held_out_files(self) -> list[Path]:
        return [p for p in self.files() if self.is_held_out(p.name)]

    def boxes(self) -> dict[str, list[Box]]:
        """file name → expert boxes (intervals: no frequencies)."""
        f, start, end, low, high, label = self.columns
        out: dict[str, list[Box]] = defaultdict(list)
        with open(self.folder / self.labels, newline="") as fh:
            for row in csv.DictReader(fh):
                out[row[f]].append(
                    Box(
                        float(row[start]),
                        float(row[end]),
                        float(row[low]) if low else None,
                        float(row[high]) if high else None,
                        row[label],
                    )
                )
        return out

    def held_out_csv(self) -> bytes:
        """The held-out recordings' expert labels as an Echoloop CSV (for the annotation import)."""
        lines = ["file,start_s,end_s,low_freq_hz,high_freq_hz,label"]
        for name, boxes in sorted(self.boxes().items()):
            if self.is_held_out(name):
                lines += [
                    f"{name},{b.start_s},{b.end_s},{'' if b.low_hz is None else b.low_hz},"
                    f"{'' if b.high_hz is None else b.high_hz},{b.label}"
                    for b in boxes
                ]
        return ("\n".join(lines) + "\n").encode()


DATASETS = {
    "bats": DatasetSpec(
        name="bats",
        folder=DATA / "bats" / "whombat-example",
        labels="annotations_boxes.csv",
        columns=("file", "start_s", "end_s", "low_freq_hz", "high_freq_hz", "species"),
        # The held-out recordings of benchmarks/detection_quality.py.
        held_out=("XC826196", "XC826219", "XC821730"),
        tag_key="species",
        project={"clip_length_s": 0.5, "fmin_hz": 10_000, "fmax_hz": 150_000, "context_s": 0.05},
    ),
    "birds": DatasetSpec(
        name="birds",
        folder=DATA / "birds" / "bengalese-finch-gy6or6",
        labels="annotations_simple.csv",
        columns=("file", "onset_s", "offset_s", None, None, "label"),
        held_out=(  # three songs spread over the morning
            "gy6or6_baseline_230312_0809.141",
            "gy6or6_baseline_230312_0816.179",
            "gy6or6_baseline_230312_0821.202",
        ),
        tag_key="syllable",
        project={
            "clip_length_s": 1.0,
            "annotation_mode": "interval",
            "fmin_hz": 300,
            "fmax_hz": 12_000,
            "window_s": 0.016,
            "time_expansion": 1.0,
            "context_s": 0.1,
        },
    ),
}


def clipped(boxes: list[Box], start_s: float, end_s: float) -> list[Box]:
    """The boxes overlapping [start_s, end_s), cut at its edges (recording time)."""
    out = []
    for b in boxes:
        lo, hi = max(b.start_s, start_s), min(b.end_s, end_s)
        if hi - lo > 1e-4:
            out.append(Box(lo, hi, b.low_hz, b.high_hz, b.label))
    return out


def answer(boxes: list[Box], clip: dict, tags: dict[str, int]) -> dict:
    """The submit body an expert gives for ``clip`` (the task's clip JSON)."""
    events = [
        {
            "start_s": b.start_s,
            "end_s": b.end_s,
            "low_hz": b.low_hz,
            "high_hz": b.high_hz,
            "tag": tags[b.label],
        }
        for b in clipped(boxes, clip["start_s"], clip["end_s"])
    ]
    return {
        "version": None,
        "tags": sorted({e["tag"] for e in events}),
        "no_calls": not events,
        "events": events,
    }


# --- held-out evaluation ----------------------------------------------------------------------------


@dataclass
class HeldOut:
    """The held-out recordings cut into the project's clips: audio and expert boxes in clip time."""

    audio: list = field(default_factory=list)  # (samples, samplerate)
    truth: list = field(default_factory=list)  # [models_app.training.Box] per clip
    names: list = field(default_factory=list)

    @property
    def n_calls(self) -> int:
        return sum(len(t) for t in self.truth)


def held_out_clips(spec: DatasetSpec, clip_length_s: float, overlap_s: float = 0.0) -> HeldOut:
    import soundfile as sf

    from annotator import dsp
    from annotator.models import Recording
    from models_app.training import Box as TrainBox

    boxes = spec.boxes()
    out = HeldOut()
    for path in spec.held_out_files():
        info = sf.info(path)
        bounds = Recording(duration_s=info.frames / info.samplerate).clip_bounds(
            clip_length_s, overlap_s
        )
        for start, end in bounds:
            with open(path, "rb") as fh:
                out.audio.append(dsp.read_window(fh, start, end))
            out.truth.append(
                [
                    TrainBox(b.start_s - start, b.end_s - start, b.low_hz, b.high_hz, b.label)
                    for b in clipped(boxes[path.name], start, end)
                ]
            )
            out.names.append(f"{path.name}@{start:g}")
    return out


METRICS = ("det_ap", "f1", "f1_iou", "precision", "recall", "det_ap_iou")


def evaluate_version(
    weights: bytes, held_out: HeldOut, *, calibration: dict | None = None, threshold: float = 0.5
) -> dict:
    """Detection metrics of one version's weights on the held-out clips.

    AP from every detection above 0.01 (the whole precision–recall curve); P/R/F1 at the version's
    served ``threshold`` on its calibrated scores (``calibration`` as stored on the version, when
    the code has calibration). Class-agnostic keys are the meaningful ones when, as in the bat
    set, held-out species never occur in the pool.
    """
    import inspect

    import numpy as np

    from models_app.evaluation import evaluate
    from models_app.inference import Detector

    options: dict = {"device": "cpu", "threshold": 0.01}
    calibrated = bool(calibration) and "calibration" in inspect.signature(Detector).parameters
    if calibrated:
        from models_app.calibration import Calibration

        options["calibration"] = Calibration.from_dict(calibration)
    detector = Detector.load(weights, **options)
    scores = detector.score_clips(held_out.audio)
    metrics = evaluate(
        [s.events for s in scores],
        held_out.truth,
        class_names=detector.class_names,
        clip_scores=np.array([s.class_probs for s in scores]),
        threshold=threshold,
    )
    out = {k: _plain(metrics[k]) for k in METRICS if k in metrics}
    out.update(
        n_clips=len(held_out.truth),
        n_calls=held_out.n_calls,
        threshold=threshold,
        calibrated=calibrated,
    )
    return out


def _plain(value):
    value = float(value)
    return None if value != value else round(value, 4)
