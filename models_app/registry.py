"""Glue between the ORM and the Django-free ML core: snapshots of labels, training runs, scoring.

Everything that touches both the database and torch lives here; ``tasks.py`` wraps these
functions for Celery and ``detector``/``training``/``inference`` never see a model row.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from annotator import dsp
from annotator.models import AnnotationTask, Clip, ClipAnnotation, Project
from models_app import starts
from models_app.detector import DetectorConfig
from models_app.evaluation import evaluate
from models_app.features import FeatureConfig
from models_app.inference import Detector
from models_app.models import ModelVersion, Prediction, TrainingRun
from models_app.training import (
    Box,
    Example,
    TrainConfig,
    TrainResult,
    load_checkpoint,
    save_checkpoint,
    train,
)

log = logging.getLogger(__name__)

NOT_WORSE_TOLERANCE = 0.005  # detection AP: differences below this are noise on small audit sets


class TrainingBusy(Exception):
    """A training of this project is already queued or running."""


@dataclass
class LabelledClip:
    clip: Clip
    example: Example
    is_audit: bool


# --- configuration ---------------------------------------------------------------------------


def model_settings(project: Project) -> dict:
    """The project's model options (kept under ``sampling_params['model']``)."""
    return dict((project.sampling_params or {}).get("model", {}))


def train_config(project: Project, class_names: list[str], samplerate: int) -> TrainConfig:
    """A training configuration derived from the project's view settings."""
    opts = model_settings(project)
    nyquist = samplerate / 2
    fmax = min(project.fmax_hz or nyquist, nyquist)
    bats = project.window_s <= 0.005
    features = FeatureConfig(
        representation=opts.get("representation", "spectrogram"),
        window_s=project.window_s,
        frames_per_second=opts.get("frames_per_second", 1000.0 if bats else 200.0),
        fmin=min(project.fmin_hz, fmax * 0.5),
        fmax=fmax,
        n_freq_bins=opts.get("n_freq_bins", 128),
    )
    detector = DetectorConfig(class_names=class_names, features=features)
    return TrainConfig(
        detector=detector,
        epochs=int(opts.get("epochs", 15)),
        batch_size=int(opts.get("batch_size", 16)),
        use_metadata=bool(opts.get("use_metadata", False)),
        num_threads=opts.get("num_threads"),
    )


# --- the label snapshot ------------------------------------------------------------------------


def chosen_annotations(project: Project) -> list[ClipAnnotation]:
    """One annotation per labelled clip: an accepted one if reviewed, else the first submitted."""
    chosen: dict[int, ClipAnnotation] = {}
    rows = (
        ClipAnnotation.objects.filter(project=project)
        .exclude(review_status=ClipAnnotation.Review.REJECTED)
        .select_related("clip__recording__root", "clip__recording__site")
        .prefetch_related("events__tag", "tags")
        .order_by("clip_id", "created_at")
    )
    for ann in rows:
        current = chosen.get(ann.clip_id)
        if current is None or (ann.review_status == "accepted" and current.review_status != "accepted"):
            chosen[ann.clip_id] = ann
    return list(chosen.values())


def labelled_clips(project: Project, *, with_metadata: bool = False) -> list[LabelledClip]:
    """The label snapshot a training run learns from: audio, boxes in clip time, negatives."""
    annotations = chosen_annotations(project)
    audit = set(
        AnnotationTask.objects.filter(project=project, is_audit=True).values_list("clip_id", flat=True)
    )
    out = []
    for ann in annotations:
        if not ann.events.all() and not (ann.no_calls or ann.noise):  # .all(): the prefetched rows
            continue  # neither boxes nor a negative answer: nothing to learn from
        out.append(LabelledClip(ann.clip, _example(ann, with_metadata), ann.clip_id in audit))
    return out


def _example(ann: ClipAnnotation, with_metadata: bool) -> Example:
    clip = ann.clip
    with clip.recording.open() as fh:
        audio, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
    boxes = [
        Box(
            start_s=max(0.0, e.start_s - clip.start_s),
            end_s=min(clip.duration, e.end_s - clip.start_s),
            low_hz=e.low_hz,
            high_hz=e.high_hz,
            label=e.tag.value if e.tag else None,
        )
        for e in ann.events.all()
        if e.end_s > clip.start_s and e.start_s < clip.end_s
    ]
    meta = _metadata(clip) if with_metadata else None
    return Example(events=boxes, audio=audio, samplerate=samplerate, is_empty=not boxes, meta=meta)


def _metadata(clip: Clip) -> dict:
    """Site, hour and season of the clip: auxiliary targets, never inputs."""
    rec = clip.recording
    meta = {"site": rec.site.name if rec.site else "unknown"}
    if rec.recorded_at:
        moment = rec.recorded_at + timezone.timedelta(seconds=clip.start_s)
        meta["hour"] = str(moment.hour)
        meta["season"] = ["DJF", "DJF", "MAM", "MAM", "MAM", "JJA", "JJA", "JJA", "SON", "SON", "SON", "DJF"][
            moment.month - 1
        ]
    return meta


def split(labelled: list[LabelledClip]) -> tuple[list[LabelledClip], list[LabelledClip], str]:
    """Train/validation: the random audit slice when there is one, else held-out recordings."""
    audit = [lc for lc in labelled if lc.is_audit]
    if audit and len(audit) < len(labelled):
        return [lc for lc in labelled if not lc.is_audit], audit, "audit"
    recordings = sorted({lc.clip.recording_id for lc in labelled})
    if len(recordings) < 2:
        return labelled, [], "none"
    # A fixed hash of the id (not Python's salted hash) keeps the split stable across runs.
    held = {r for r in recordings if zlib.crc32(str(r).encode()) % 5 == 0} or {recordings[-1]}
    if len(held) == len(recordings):
        held = {recordings[-1]}
    train_part = [lc for lc in labelled if lc.clip.recording_id not in held]
    return train_part, [lc for lc in labelled if lc.clip.recording_id in held], "recordings"


# --- training --------------------------------------------------------------------------------------


def request_training(project: Project, *, trigger: str, user=None, force: bool = False) -> TrainingRun:
    """Create a queued run; raises TrainingBusy while another run of the project is unfinished."""
    parent = active_version(project)
    try:
        with transaction.atomic():
            return TrainingRun.objects.create(
                project=project, trigger=trigger, requested_by=user, force_activate=force, parent=parent
            )
    except IntegrityError as exc:  # the partial unique constraint: one unfinished run per project
        raise TrainingBusy(f"a training of {project} is already queued or running") from exc


def active_version(project: Project) -> ModelVersion | None:
    return ModelVersion.objects.filter(project=project, is_active=True).first()


def run_training(run: TrainingRun) -> TrainingRun:
    """Train, validate, store and (if not worse, or forced) activate; a failure keeps the old version."""
    # A run redelivered after a killed worker starts over: its earlier epochs are not kept twice.
    run.history, run.log = [], ""
    TrainingRun.objects.filter(pk=run.pk).update(
        status=TrainingRun.Status.RUNNING, started_at=timezone.now(), history=[], log="", epoch=0
    )
    try:
        version, activated = _train_and_store(run)
    except Exception as exc:  # any failure is recorded on the run; the active version stays
        log.exception("training %s failed", run.pk)
        TrainingRun.objects.filter(pk=run.pk).update(
            status=TrainingRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
    else:
        status = TrainingRun.Status.SUCCEEDED if activated else TrainingRun.Status.KEPT_OLD
        TrainingRun.objects.filter(pk=run.pk).update(status=status, result=version, finished_at=timezone.now())
    run.refresh_from_db()
    return run


def _append_log(run: TrainingRun, line: str) -> None:
    run.log += line + "\n"
    TrainingRun.objects.filter(pk=run.pk).update(log=run.log)


def _train_and_store(run: TrainingRun) -> tuple[ModelVersion, bool]:
    project = run.project
    opts = model_settings(project)
    labelled = labelled_clips(project, with_metadata=bool(opts.get("use_metadata")))
    if not any(lc.example.events for lc in labelled):
        raise ValueError("no labelled sound events yet: annotate some calls first")
    train_part, val_part, how = split(labelled)
    class_names = sorted({b.label for lc in labelled for b in lc.example.events if b.label})
    samplerate = min(lc.example.samplerate for lc in labelled)
    cfg = train_config(project, class_names, samplerate)
    _append_log(run, f"{len(train_part)} training clips, {len(val_part)} validation clips ({how}); "
                     f"classes: {', '.join(class_names)}")
    TrainingRun.objects.filter(pk=run.pk).update(n_labels=len(labelled), n_epochs=cfg.epochs)

    def progress(epoch: int, n_epochs: int, metrics: dict) -> None:
        run.history.append({"epoch": epoch, **{k: v for k, v in metrics.items() if isinstance(v, int | float)}})
        TrainingRun.objects.filter(pk=run.pk).update(epoch=epoch, history=run.history)

    parent = run.parent
    init = _load_result(parent) if parent and not parent.is_external else None
    if init is None:
        init = starting_point(cfg, samplerate, opts, lambda line: _append_log(run, line))
    result = train(cfg, [lc.example for lc in train_part], init_state=init, progress=progress)
    metrics = _validate(result, val_part, how)
    better = _not_worse(metrics, parent, val_part)
    version = _store(project, result, cfg, metrics, parent, len(labelled))
    activate = better or run.force_activate or parent is None
    if activate:
        activate_version(version, forced=run.force_activate and not better)
    _append_log(run, f"validation det_ap={metrics.get('det_ap')}; "
                     f"{'activated' if activate else 'kept the active version (new one is worse)'}")
    return version, activate


def starting_point(cfg: TrainConfig, samplerate: int, opts: dict, log) -> TrainResult | None:
    """Initial weights of a project's first training: a synthetic pretraining (trained once per
    feature setting and sample rate, then read from storage) or None for training from scratch.

    ``sampling_params['model']['start_from']`` picks (``starts.default_start`` otherwise);
    ``pretrain_clips`` and ``pretrain_epochs`` size the pretraining.
    """
    start = opts.get("start_from") or starts.default_start(samplerate)
    if start not in starts.STARTS:
        raise ValueError(f"start_from must be one of {', '.join(starts.STARTS)}, not {start!r}")
    if start == "scratch":
        return None
    spec = starts.SyntheticStart(
        cfg.detector.features,
        samplerate,
        n_clips=int(opts.get("pretrain_clips", 300)),
        epochs=int(opts.get("pretrain_epochs", 4)),
        num_threads=cfg.num_threads,
    )
    path = f"starts/synthetic-{spec.key()}.pt"
    if default_storage.exists(path):
        log(f"starting from the stored synthetic pretraining {path}")
        with default_storage.open(path, "rb") as fh:
            return load_checkpoint(fh.read())
    log(f"pretraining on {spec.n_clips} synthetic clips × {spec.epochs} epochs (stored as {path})")
    result = starts.train_synthetic_start(spec)
    buffer = io.BytesIO()
    save_checkpoint(buffer, result)
    if not default_storage.exists(path):  # another worker may have stored the same one meanwhile
        default_storage.save(path, ContentFile(buffer.getvalue()))
    return result


def _validate(result: TrainResult, val_part: list[LabelledClip], how: str) -> dict:
    if not val_part:
        return {"validation": how, "n_val": 0}
    metrics = score_examples(Detector.from_result(result), [lc.example for lc in val_part])
    return {**metrics, "validation": how, "n_val": len(val_part)}


def score_examples(detector: Detector, examples: list[Example]) -> dict:
    """Detection AP, per-class AP and P/R/F1 (10 ms onset tolerance) of a detector on examples."""
    scores = detector.score_clips([(ex.audio, ex.samplerate) for ex in examples])
    metrics = evaluate(
        [s.events for s in scores], [list(ex.events) for ex in examples],
        class_names=detector.class_names, clip_scores=np.array([s.class_probs for s in scores]),
    )
    return _finite(metrics)


def _finite(value):
    """NaN (no ground truth for a class) becomes None so the metrics are valid JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def _not_worse(metrics: dict, parent: ModelVersion | None, val_part: list[LabelledClip]) -> bool:
    """Compare with the active version on the same validation clips (it may have seen fewer)."""
    if parent is None or parent.is_external or not val_part or metrics.get("det_ap") is None:
        return True
    old = score_examples(detector_for(parent), [lc.example for lc in val_part])
    metrics["previous_det_ap"] = old.get("det_ap")
    return metrics["det_ap"] >= (old.get("det_ap") or 0.0) - NOT_WORSE_TOLERANCE


def _store(project, result, cfg, metrics, parent, n_labels) -> ModelVersion:
    buffer = io.BytesIO()
    save_checkpoint(buffer, result)
    with transaction.atomic():
        number = (ModelVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ModelVersion(
            project=project, number=number, parent=parent, config=cfg.to_dict(),
            class_names=list(result.config.class_names), n_labels=n_labels, metrics=metrics,
        )
        version.weights.save(f"{project.pk}/v{number}.pt", ContentFile(buffer.getvalue()), save=False)
        version.save()
    return version


def activate_version(version: ModelVersion, *, forced: bool = False) -> None:
    """Make ``version`` the project's active one (the partial unique index keeps it single)."""
    with transaction.atomic():
        ModelVersion.objects.filter(project=version.project, is_active=True).exclude(pk=version.pk).update(
            is_active=False
        )
        ModelVersion.objects.filter(pk=version.pk).update(is_active=True, forced=forced)
    version.refresh_from_db()


# --- scoring -----------------------------------------------------------------------------------------

_DETECTORS: OrderedDict[int, Detector] = OrderedDict()


def _load_result(version: ModelVersion) -> TrainResult:
    with version.weights.open("rb") as fh:
        return load_checkpoint(fh.read())


def detector_for(version: ModelVersion) -> Detector:
    """The version's detector, kept loaded in this worker for the next chunk."""
    if version.pk not in _DETECTORS:
        _DETECTORS[version.pk] = Detector.from_result(_load_result(version))
        while len(_DETECTORS) > 3:
            _DETECTORS.popitem(last=False)
    _DETECTORS.move_to_end(version.pk)
    return _DETECTORS[version.pk]


def score_clips(version: ModelVersion, clip_ids: list[int]) -> int:
    """Score clips with ``version`` and store predictions; clips already scored are skipped.

    Idempotent: a redelivered chunk finds its predictions (unique per clip and version) and
    writes nothing twice.
    """
    done = set(Prediction.objects.filter(version=version, clip_id__in=clip_ids).values_list("clip_id", flat=True))
    clips = list(Clip.objects.filter(pk__in=clip_ids).exclude(pk__in=done).select_related("recording__root"))
    if not clips:
        return 0
    detector = detector_for(version)
    audio = []
    for clip in clips:
        with clip.recording.open() as fh:
            audio.append(dsp.read_window(fh, clip.start_s, clip.end_s))
    scores = detector.score_clips(audio)
    rows = [_prediction(version, clip, score) for clip, score in zip(clips, scores, strict=True)]
    Prediction.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _prediction(version: ModelVersion, clip: Clip, score) -> Prediction:
    detections = [
        {"start_s": clip.start_s + e.start_s, "end_s": clip.start_s + e.end_s, "low_hz": e.low_hz,
         "high_hz": e.high_hz, "label": e.class_name, "score": round(float(e.score), 4)}
        for e in score.events
    ]
    return Prediction(
        clip=clip,
        version=version,
        class_probs=[round(float(p), 5) for p in score.class_probs],
        any_event=float(score.any_event_prob),
        detections=detections,
        uncertainty={k: float(v) for k, v in score.uncertainty.items()},
        window_uncertainty=[round(float(u), 4) for u in score.window_uncertainties],
        embedding=Prediction.pack_embedding(score.embedding),
    )
