"""Glue between the ORM and the Django-free ML core: snapshots of labels, training runs, scoring.

Everything that touches both the database and torch lives here; ``tasks.py`` wraps these
functions for Celery and ``detector``/``training``/``inference`` never see a model row.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import math
from collections import OrderedDict
from dataclasses import asdict

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max

from annotator import dsp
from annotator.models import Clip, Project
from annotator.options import loop_options
from models_app import embeddings_store, evaluating, liveness, poolscores, snapshot, starts
from models_app.adapters import encoder_path
from models_app.calibration import SERVED_THRESHOLD, Calibration
from models_app.detector import DetectorConfig
from models_app.features import FeatureConfig
from models_app.inference import Detector
from models_app.models import ModelVersion, Prediction, TrainingRun, VersionEvaluation
from models_app.options import ModelOptions
from models_app.snapshot import (  # noqa: F401 (the label snapshot, imported from here by callers)
    LabelledClip,
    chosen_annotations,
    labelled_clips,
    split,
)
from models_app.training import (
    TrainConfig,
    TrainResult,
    load_checkpoint,
    save_checkpoint,
    train,
)
from models_app.versions import TrainingBusy, activate_version, active_version, request_training  # noqa: F401

log = logging.getLogger(__name__)

SNAPSHOT_SHARE = 0.5  # of a training's time budget, the most its label snapshot may take
NOT_WORSE_TOLERANCE = 0.005  # detection AP: differences below this are noise on small audit sets


# --- configuration ---------------------------------------------------------------------------


def model_settings(project: Project) -> ModelOptions:
    """The project's model options (kept under ``sampling_params['model']``), defaults filled in."""
    return loop_options(project)["model"]


def train_config(project: Project, class_names: list[str], samplerate: int) -> TrainConfig:
    """A training configuration derived from the project's view settings."""
    opts = model_settings(project)
    nyquist = samplerate / 2
    fmax = min(project.fmax_hz or nyquist, nyquist)
    features = FeatureConfig(
        representation=opts.representation,
        window_s=project.window_s,
        frames_per_second=opts.frames_per_second_for(project.window_s),
        fmin=min(project.fmin_hz, fmax * 0.5),
        fmax=fmax,
        n_freq_bins=opts.n_freq_bins,
    )
    detector = DetectorConfig(
        class_names=class_names, features=features, box_refine_db=opts.box_refine_db or None
    )
    return TrainConfig(
        detector=detector,
        epochs=opts.epochs,
        batch_size=opts.batch_size,
        use_metadata=opts.use_metadata,
        freq_shift_prob=opts.freq_shift_prob,
        num_threads=opts.num_threads,
        max_steps=opts.max_steps,
        max_seconds=time_budget(opts),
    )


def time_budget(opts: ModelOptions) -> float | None:
    """A training's time budget in seconds (None: none): the project's, else the setting."""
    seconds = (
        opts.max_training_seconds
        if opts.max_training_seconds is not None
        else settings.ECHOLOOP_TRAINING_SECONDS
    )
    return float(seconds) if seconds else None


def max_examples(opts: ModelOptions) -> int | None:
    """The most labels a training reads (None: all): the project's, else the setting."""
    cap = (
        opts.max_examples
        if opts.max_examples is not None
        else settings.ECHOLOOP_TRAINING_MAX_EXAMPLES
    )
    return cap or None


# --- training --------------------------------------------------------------------------------------


def run_training(run: TrainingRun, *, worker: str = "") -> TrainingRun | None:
    """Claim the run, then prepare, (pre)train, evaluate, store and (if not worse, or forced)
    activate, reporting each phase; a failure or a cancel keeps the active version.

    None when the run was not queued any more (another delivery took it, or it ended).
    """
    if not liveness.claim(run, worker):
        return None
    with liveness.RunMonitor(run) as monitor:
        try:
            version, activated = _train_and_store(run, monitor)
        except liveness.Stopped as stop:
            if stop.cancelled:
                liveness.finish(run, TrainingRun.Status.CANCELLED, monitor, error=str(stop))
            # else: the sweep failed the run and its retry owns the outcome
        except Exception as exc:  # any failure is recorded on the run; the active version stays
            log.exception("training %s failed", run.pk)
            liveness.finish(
                run, TrainingRun.Status.FAILED, monitor, error=f"{type(exc).__name__}: {exc}"
            )
        else:
            status = TrainingRun.Status.SUCCEEDED if activated else TrainingRun.Status.KEPT_OLD
            liveness.finish(run, status, monitor, result=version)
    run.refresh_from_db()
    return run


def _append_log(run: TrainingRun, line: str) -> None:
    run.log += line + "\n"
    TrainingRun.objects.filter(pk=run.pk).update(log=run.log)


def _train_and_store(run: TrainingRun, monitor: liveness.RunMonitor) -> tuple[ModelVersion, bool]:
    project = run.project
    opts = model_settings(project)
    budget = time_budget(opts)
    # Both bounds decided before any audio is read: the label cap, and a share of the time
    # budget for reading (the step loop gets what the reading left).
    snap = snapshot.take(
        project,
        with_metadata=opts.use_metadata,
        progress=monitor.progress,
        max_examples=max_examples(opts),
        max_seconds=None if budget is None else budget * SNAPSHOT_SHARE,
    )
    if snap.cut:
        _append_log(run, snap.message())
    labelled = snap.labelled
    evalset = evaluating.evaluation_set(project, labelled)
    in_eval = set(evalset.clip_ids)
    trainable = [lc for lc in labelled if lc.clip.pk not in in_eval]
    if not any(lc.example.events for lc in trainable):
        raise ValueError(
            "no labelled sound events outside the evaluation set yet: annotate some calls first"
        )
    if len(evalset) and any(ex.events for ex in evalset.examples):
        train_part, val_part, how = trainable, [], "evaluation set"
    else:  # no evaluation labels yet: validate on held-out training recordings, and say so
        train_part, val_part, how = split(trainable)
    class_names = sorted({b.label for lc in trainable for b in lc.example.events if b.label})
    samplerate = min(lc.example.samplerate for lc in trainable)
    cfg = train_config(project, class_names, samplerate)
    if budget is not None:
        cfg = dataclasses.replace(cfg, max_seconds=max(budget - snap.seconds, 1.0))
    _append_log(
        run,
        f"{len(train_part)} training clips, {len(evalset) or len(val_part)} validation clips "
        f"({how}); classes: {', '.join(class_names)}",
    )
    # The labels it learns from (the learning curve's x-axis), not the evaluation set's; labels
    # a bound left unread count as seen, or the loop would retrain on every next label.
    unread = snap.learnable - len(snap.labelled)
    TrainingRun.objects.filter(pk=run.pk).update(n_labels=len(trainable) + unread)

    parent = run.parent
    init = _load_result(parent) if parent and not parent.is_external else None
    if init is None:
        monitor.phase(TrainingRun.Phase.PRETRAINING)
        init = starting_point(
            cfg,
            samplerate,
            opts,
            lambda line: _append_log(run, line),
            monitor=monitor,
            project=project,
        )
    monitor.phase(TrainingRun.Phase.TRAINING, n_epochs=cfg.epochs, epoch=0)

    def progress(epoch: int, n_epochs: int, metrics: dict) -> None:
        run.history.append(
            {"epoch": epoch, **{k: v for k, v in metrics.items() if isinstance(v, int | float)}}
        )
        monitor.progress(
            epoch / max(n_epochs, 1), epoch=epoch, n_epochs=n_epochs, history=run.history
        )

    def plan(budget: dict) -> None:
        budget = {**budget, "examples": len(labelled), "asked_examples": snap.learnable}
        TrainingRun.objects.filter(pk=run.pk).update(
            budget=budget, n_epochs=math.ceil(budget["epochs"])
        )
        if budget["cut"]:
            _append_log(
                run,
                f"budget: {budget['steps']} of {budget['asked_steps']} steps "
                f"({budget['epochs']} of {budget['asked_epochs']} epochs over {len(train_part)} clips; "
                f"max {budget['max_seconds'] or '-'} s, {budget['max_steps'] or '-'} steps)",
            )

    result = train(
        cfg,
        [lc.example for lc in train_part],
        init_state=init,
        progress=progress,
        on_plan=plan,
        on_step=monitor.check,
    )
    monitor.phase(TrainingRun.Phase.EVALUATING)
    if how == "evaluation set":
        calibration, metrics = evaluating.calibrate_new(result, evalset)
    else:
        calibration, metrics = _validate_fallback(result, val_part)
    metrics.update(validation=how, n_val=metrics.get("n_clips", 0))
    monitor.progress(0.3)
    monitor.phase(TrainingRun.Phase.STORING)
    version = _store(project, result, cfg, metrics, parent, len(trainable), calibration)
    better = _not_worse(version, parent, evalset, how, monitor, val_part)
    activate = better or run.force_activate or parent is None
    if activate:
        activate_version(version, forced=run.force_activate and not better)
    _append_log(
        run,
        f"evaluation ({how}, {metrics.get('n_val')} clips): det_ap={metrics.get('det_ap')} "
        f"f1={metrics.get('f1')} f1_iou={metrics.get('f1_iou')} at {SERVED_THRESHOLD}; "
        f"{'activated' if activate else 'kept the active version (new one is worse)'}",
    )
    return version, activate


def _validate_fallback(
    result: TrainResult, val_part: list[LabelledClip]
) -> tuple[Calibration, dict]:
    """No evaluation labels yet: calibrate and validate on held-out training recordings."""
    if not val_part:
        return Calibration(), {"n_clips": 0}
    examples = [lc.example for lc in val_part]
    fake = evaluating.EvalSet([lc.clip.pk for lc in val_part], examples, "")
    return evaluating.calibrate_new(result, fake)


def starting_point(
    cfg: TrainConfig,
    samplerate: int,
    opts: ModelOptions,
    log,
    *,
    monitor=None,
    project: Project | None = None,
) -> TrainResult | None:
    """Initial weights of a project's first training: a synthetic pretraining or None for
    training from scratch.

    The pretraining is the one shipped in the package when the project's features match it
    (the demo's settings and FeatureConfig's defaults), else one trained once per feature setting
    and stored (a fraction of a minute; ``starts`` says what it costs and buys).
    ``sampling_params['model']['start_from']`` picks (``starts.default_start`` otherwise);
    ``pretrain_clips``, ``pretrain_epochs`` and ``pretrain_crop_s`` size the pretraining.
    """
    start = opts.start_from or starts.default_start(
        samplerate
    )  # a known start: ModelOptions checks
    if start in starts.SELF_SUPERVISED:
        encoder = self_supervised_start(project, cfg, log) if project is not None else None
        if encoder is not None:
            return encoder
        start = "synthetic" if start == "both" else starts.default_start(samplerate)
        log(f"no self-supervised encoder of these features yet: starting from {start}")
    if start == "scratch":
        return None
    spec = starts.synthetic_spec(
        cfg.detector.features, samplerate, asdict(opts), num_threads=cfg.num_threads
    )
    shipped = starts.shipped_start(spec)
    if shipped is not None:
        log(f"starting from the shipped synthetic pretraining {spec.key()}")
        return shipped
    path = f"starts/synthetic-{spec.key()}.pt"
    if default_storage.exists(path):
        log(f"starting from the stored synthetic pretraining {path}")
        with default_storage.open(path, "rb") as fh:
            return load_checkpoint(fh.read())
    log(f"pretraining on {spec.n_clips} synthetic clips × {spec.epochs} epochs (stored as {path})")
    report = None
    if monitor is not None:

        def report(done: float, total: float, message: str = "") -> None:
            monitor.progress(done / total if total else 0.0)

    result = starts.train_synthetic_start(spec, progress=report)
    buffer = io.BytesIO()
    save_checkpoint(buffer, result)
    if not default_storage.exists(path):  # another worker may have stored the same one meanwhile
        default_storage.save(path, ContentFile(buffer.getvalue()))
    return result


def stored_encoder(project: Project) -> TrainResult | None:
    """The project's last self-supervised encoder, or None."""
    path = encoder_path(project)
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        return load_checkpoint(fh.read())


def self_supervised_start(project: Project, cfg: TrainConfig, log) -> TrainResult | None:
    """The project's stored self-supervised encoder, if its layers and features are the ones this
    training builds (a change of view settings since the pretraining makes it unusable)."""
    encoder = stored_encoder(project)
    if encoder is None:
        return None
    det = cfg.detector
    same = (
        encoder.config.features == det.features
        and tuple(encoder.config.channels) == tuple(det.channels)
        and encoder.config.embedding_dim == det.embedding_dim
    )
    if not same:
        log(
            f"the self-supervised encoder {encoder_path(project)} was trained on other features: not used"
        )
        return None
    origin = (
        " (itself started from the synthetic pretraining)"
        if encoder.metrics.get("from_synthetic")
        else ""
    )
    log(f"starting from the self-supervised encoder {encoder_path(project)}{origin}")
    return encoder


def _not_worse(version, parent, evalset, how, monitor, val_part) -> bool:
    """Compare with the active version on the same clips by detection AP (which calibration does
    not change). On the evaluation set, every version on the curve is scored on it as well."""
    new_ap = (version.metrics or {}).get("det_ap")
    if how == "evaluation set":
        VersionEvaluation.objects.get_or_create(
            version=version,
            eval_key=evalset.key,
            defaults={
                "n_clips": len(evalset),
                "n_events": evalset.n_events,
                "metrics": version.metrics,
            },
        )
        versions = evaluating.curve_versions(version.project)
        if parent is not None and not parent.is_external and parent not in versions:
            versions.append(parent)
        done = evaluating.evaluate_versions(
            versions, evalset, detector_for, progress=monitor.progress
        )
        old = done[parent.pk].metrics if parent is not None and parent.pk in done else None
    elif parent is not None and not parent.is_external and val_part:
        old = evaluating.metrics_on(detector_for(parent), [lc.example for lc in val_part])
    else:
        old = None
    if old is None or new_ap is None:
        return True
    version.metrics["previous_det_ap"] = old.get("det_ap")
    ModelVersion.objects.filter(pk=version.pk).update(metrics=version.metrics)
    return new_ap >= (old.get("det_ap") or 0.0) - NOT_WORSE_TOLERANCE


def _store(
    project, result, cfg, metrics, parent, n_labels, calibration: Calibration
) -> ModelVersion:
    buffer = io.BytesIO()
    save_checkpoint(buffer, result)
    with transaction.atomic():
        number = (
            ModelVersion.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = ModelVersion(
            project=project,
            number=number,
            parent=parent,
            config=cfg.to_dict(),
            class_names=list(result.config.class_names),
            n_labels=n_labels,
            metrics=metrics,
            calibration=calibration.to_dict(),
            threshold=SERVED_THRESHOLD,
        )
        version.weights.save(
            f"{project.pk}/v{number}.pt", ContentFile(buffer.getvalue()), save=False
        )
        version.save()
    return version


# --- scoring -----------------------------------------------------------------------------------------

_DETECTORS: OrderedDict[int, Detector] = OrderedDict()
# Detections stored with the pool's predictions: calibrated score at least this (the page's
# slider reaches down to it). Lower ones would quadruple the stored JSON and help no one.
POOL_FLOOR = 0.2


def _load_result(version: ModelVersion) -> TrainResult:
    with version.weights.open("rb") as fh:
        return load_checkpoint(fh.read())


def detector_for(version: ModelVersion) -> Detector:
    """The version's detector, kept loaded in this worker for the next chunk."""
    if version.pk not in _DETECTORS:
        # Calibrated scores, kept down to a low floor: the served threshold filters when shown,
        # and the evaluation needs the tail of low scores for its AP.
        _DETECTORS[version.pk] = Detector.from_result(
            _load_result(version),
            threshold=evaluating.STORE_FLOOR,
            calibration=Calibration.from_dict(version.calibration),
        )
        while len(_DETECTORS) > 3:
            _DETECTORS.popitem(last=False)
    _DETECTORS.move_to_end(version.pk)
    return _DETECTORS[version.pk]


def score_clips(version: ModelVersion, clip_ids: list[int]) -> int:
    """Score clips with ``version`` and store predictions; clips already scored are skipped.

    Idempotent: a redelivered chunk finds its predictions (unique per clip and version) and
    writes nothing twice.
    """
    done = set(
        Prediction.objects.filter(version=version, clip_id__in=clip_ids).values_list(
            "clip_id", flat=True
        )
    )
    clips = list(
        Clip.objects.filter(pk__in=clip_ids).exclude(pk__in=done).select_related("recording__root")
    )
    if not clips:
        return 0
    detector = detector_for(version)
    audio, readable = [], []
    for clip in clips:
        try:
            with clip.recording.open() as fh:
                audio.append(dsp.read_window(fh, clip.start_s, clip.end_s))
        except (dsp.AudioError, OSError) as exc:  # a moved, deleted or damaged file: skip its clips
            log.warning("clip %s of %s not scored: %s", clip.pk, clip.recording.name, exc)
            continue
        readable.append(clip)
    clips = readable
    if not clips:
        return 0
    return store_scores(version, clips, detector.score_clips(audio), window_s=detector.window_s)


def store_scores(
    version: ModelVersion, clips: list[Clip], scores, *, window_s: float | None = None
) -> int:
    """A chunk's writes: one Prediction per clip (what the page and exports show) and the chunk's
    packed arrays (what a round reads), in one transaction; with ``window_s``, the window
    embeddings too (what search by example reads)."""
    rows = [_prediction(version, clip, score) for clip, score in zip(clips, scores, strict=True)]
    if window_s is not None:
        # Windows first: a chunk redelivered after its predictions were written would skip these clips.
        embeddings_store.write_chunk(
            version.project_id,
            embeddings_store.version_source(version.pk),
            [c.pk for c in clips],
            [s.window_embeddings for s in scores],
            window_s,
        )
    chunk = poolscores.chunk_row(
        version,
        [c.pk for c in clips],
        np.stack([s.class_probs for s in scores]),
        [np.asarray(s.window_uncertainties, np.float32) for s in scores],
        np.stack([s.embedding for s in scores]),
    )
    with transaction.atomic():  # a round sees a chunk's arrays and its predictions together
        Prediction.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        chunk.save()
    return len(rows)


def _prediction(version: ModelVersion, clip: Clip, score) -> Prediction:
    detections = [
        {
            "start_s": clip.start_s + e.start_s,
            "end_s": clip.start_s + e.end_s,
            "low_hz": e.low_hz,
            "high_hz": e.high_hz,
            "label": e.class_name,
            "score": round(float(e.score), 4),
        }
        for e in score.events
        if e.score >= POOL_FLOOR
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
