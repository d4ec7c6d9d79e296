"""Honest numbers for leads: every version scored on one evaluation set, with calibrated scores.

The evaluation set is the project's labelled evaluation clips (``Clip.objects.evaluation()``:
a fixed random draw of clips across recordings, plus whole recordings or datasets a lead marked
evaluation-only). No strategy ever chooses them and no training ever learns from them, so a
version's score there estimates how it does on the pool. When the set changes (a new evaluation
label), the versions on the learning curve are scored again on the new set, so every point of
the curve is measured on the same clips. A new version's score calibration is fitted on the set
(Platt scaling, two parameters); its reported metrics come from a two-fold cross-fit, so the
threshold is never judged on the clips that set its calibration.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from annotator.models import Clip, Project
from models_app.calibration import SERVED_THRESHOLD, Calibration, fit_calibration
from models_app.evaluation import bootstrap_ci, detection_outcomes, evaluate
from models_app.inference import Detector
from models_app.models import ModelVersion, VersionEvaluation
from models_app.training import Example, TrainResult

STORE_FLOOR = 0.05  # calibrated score down to which detections are kept (AP needs the tail)
CURVE_VERSIONS = 8  # trained versions kept on the curve (each is rescored when the set changes)
MAX_EVAL_CLIPS = 2000  # a larger evaluation set is scored on a fixed random subset of this size
ONSET_TOL_S = 0.01
MIN_IOU = 0.3


@dataclass
class EvalSet:
    """The labelled evaluation clips as examples, and a key that changes when they do."""

    clip_ids: list[int]
    examples: list[Example]
    key: str

    def __len__(self) -> int:
        return len(self.examples)

    @property
    def n_events(self) -> int:
        return sum(len(ex.events) for ex in self.examples)


def evaluation_set(project: Project, labelled: list) -> EvalSet:
    """``labelled``: the project's ``registry.LabelledClip`` rows; those on evaluation clips."""
    evaluation_ids = set(
        Clip.objects.for_project(project).evaluation().values_list("pk", flat=True)
    )
    rows = [lc for lc in labelled if lc.clip.pk in evaluation_ids]
    if len(rows) > MAX_EVAL_CLIPS:  # bounded cost per training: a fixed hash picks which clips
        rows = sorted(rows, key=lambda lc: hashlib.sha256(str(lc.clip.pk).encode()).digest())[
            :MAX_EVAL_CLIPS
        ]
    rows.sort(key=lambda lc: lc.clip.pk)
    digest = hashlib.sha256()
    for lc in rows:
        digest.update(f"{lc.clip.pk}:{lc.annotation_id}:{lc.annotation_version};".encode())
    return EvalSet(
        [lc.clip.pk for lc in rows], [lc.example for lc in rows], digest.hexdigest()[:32]
    )


def metrics_on(detector: Detector, examples: list[Example], *, class_names=None) -> dict:
    """Detection AP, P/R/F1 at the served threshold by onset and by box IoU, per class, and 95 %
    bootstrap intervals over clips, for a detector whose scores are already calibrated."""
    scores = detector.score_clips([(ex.audio, ex.samplerate) for ex in examples])
    return _metrics(
        [s.events for s in scores],
        examples,
        detector.class_names,
        np.array([s.class_probs for s in scores]),
    )


def _metrics(predictions, examples, class_names, clip_scores=None) -> dict:
    truth = [list(ex.events) for ex in examples]
    if clip_scores is not None and (
        clip_scores.ndim != 2 or clip_scores.shape[1] != len(class_names)
    ):
        clip_scores = None
    out = evaluate(
        predictions,
        truth,
        class_names=class_names,
        clip_scores=clip_scores,
        threshold=SERVED_THRESHOLD,
        onset_tol_s=ONSET_TOL_S,
        iou=MIN_IOU,
    )
    out["ci"] = bootstrap_ci(
        predictions,
        truth,
        keys=("det_ap", "f1", "f1_iou", "det_ap_iou"),
        n=1000,
        seed=0,
        threshold=SERVED_THRESHOLD,
        onset_tol_s=ONSET_TOL_S,
        iou=MIN_IOU,
    )
    out["n_clips"] = len(examples)
    out["n_events"] = sum(len(t) for t in truth)
    return finite(out)


def calibrate_new(result: TrainResult, evalset: EvalSet) -> tuple[Calibration, dict]:
    """Fit the new version's calibration on the evaluation set, and its metrics by cross-fit:
    each half is calibrated by the fit on the other half, so no clip judges its own fit."""
    raw = Detector.from_result(result, threshold=0.01)
    scored = raw.score_clips([(ex.audio, ex.samplerate) for ex in evalset.examples])
    events = [s.events for s in scored]
    truth = [list(ex.events) for ex in evalset.examples]
    calibration = _fit(events, truth)
    halves = [np.arange(len(events)) % 2 == h for h in (0, 1)]
    crossed: list = [None] * len(events)
    for fit_on, apply_to in ((halves[0], halves[1]), (halves[1], halves[0])):
        part = _fit(
            [e for e, m in zip(events, fit_on) if m], [t for t, m in zip(truth, fit_on) if m]
        )
        for i in np.flatnonzero(apply_to):
            crossed[i] = _recalibrated(events[i], part)
    metrics = _metrics(
        crossed, evalset.examples, raw.class_names, np.array([s.class_probs for s in scored])
    )
    metrics["calibration"] = "two-fold cross-fit on the evaluation set"
    return calibration, metrics


def _fit(events, truth) -> Calibration:
    scores, is_tp = detection_outcomes(events, truth, onset_tol_s=ONSET_TOL_S, raw=True)
    return fit_calibration(scores, is_tp)


def _recalibrated(events, calibration: Calibration) -> list:
    out = []
    for e in events:
        raw = e.raw_score if getattr(e, "raw_score", None) is not None else e.score
        score = float(calibration.apply(np.array([raw]))[0])
        if score >= STORE_FLOOR:
            out.append(_with_score(e, score))
    return out


def _with_score(event, score: float):
    return dataclasses.replace(event, score=score)


def evaluate_versions(
    versions: list[ModelVersion],
    evalset: EvalSet,
    detector_for: Callable[[ModelVersion], Detector],
    *,
    progress: Callable[[float], None] | None = None,
) -> dict[int, VersionEvaluation]:
    """Each version's evaluation on ``evalset``, scoring only those not yet scored on it."""
    done = {
        e.version_id: e
        for e in VersionEvaluation.objects.filter(version__in=versions, eval_key=evalset.key)
    }
    for i, version in enumerate(versions):
        if version.pk not in done and len(evalset):
            metrics = metrics_on(
                detector_for(version), evalset.examples, class_names=version.class_names
            )
            done[version.pk], _ = VersionEvaluation.objects.get_or_create(
                version=version,
                eval_key=evalset.key,
                defaults={
                    "n_clips": len(evalset),
                    "n_events": evalset.n_events,
                    "metrics": metrics,
                },
            )
        if progress:
            progress((i + 1) / len(versions))
    return done


def curve_versions(project: Project) -> list[ModelVersion]:
    """The trained versions the learning curve shows: the newest ``CURVE_VERSIONS``."""
    rows = ModelVersion.objects.filter(
        project=project, source=ModelVersion.Source.TRAINED
    ).order_by("-number")
    return list(reversed(rows[:CURVE_VERSIONS]))


def finite(value):
    """NaN (no ground truth for a class) becomes None so the metrics are valid JSON."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, np.floating | np.integer):
        return finite(value.item())
    return value
