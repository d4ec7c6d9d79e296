"""A project's self-supervised pretraining as a training run: read a bounded sample of the pool,
pretrain the detector's backbone on it without labels (``models_app.selfsupervised``), checkpoint
every epoch in storage, resume from that checkpoint after a dead worker, and store the encoder
that the project's next first training starts from (``start_from``: self-supervised or both).

Glue between the ORM and the Django-free core, like ``registry``; ``tasks.train_encoder`` wraps it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from annotator import dsp
from annotator.models import Clip, Project
from models_app import embedders, liveness, registry
from models_app.features import compute_features
from models_app.models import TrainingRun
from models_app.registry import encoder_path, stored_encoder  # noqa: F401  (where the start reads them)
from models_app.selfsupervised import MAX_VIEW_COLUMNS, SSLConfig, SSLState, pretrain
from models_app.training import save_checkpoint

log = logging.getLogger(__name__)

# Cost bounds fixed before the work starts (project settings ``ssl_clips``, ``ssl_epochs`` override).
DEFAULT_CLIPS = 2000  # clips sampled from the pool: their features stay in memory (float16)
DEFAULT_EPOCHS = 10
MAX_CLIPS = 20_000
MAX_EPOCHS = 200
SSL_STARTS = ("self-supervised", "both")


def default_views(samplerate: int) -> str:
    """Views of one clip (setting ``ssl_views``): "disjoint" stretches (COLA) for ultrasonic
    recordings, possibly "overlapping" ones (SimCLR) below. Measured (simulate_active_learning
    --ssl-views): on one bird's song, where every syllable recurs in every clip, overlapping views
    lifted the full-data mAP from 0.627 to 0.783 and the hybrid to +0.058 AULC over random; on bat
    species the two gave the same ceiling (0.618 / 0.626) and disjoint views the better curves."""
    return "disjoint" if samplerate >= embedders.ULTRASONIC_HZ else "overlapping"


def state_paths(project: Project, key: str) -> tuple[str, str]:
    """Two slots written in turn (by epoch parity): a kill while one is written leaves the other."""
    return f"ssl/{project.pk}/state-{key}-a.pt", f"ssl/{project.pk}/state-{key}-b.pt"


def ssl_config(project: Project, samplerate: int, median_clip_s: float) -> SSLConfig:
    """The pretraining of this project: the features its detector trains on (so the encoder loads
    into it), views of 40 % of a clip, and the sizes of its model settings, bounded."""
    opts = registry.model_settings(project)
    features = registry.train_config(project, [], samplerate).detector.features
    crop_s = min(0.4 * median_clip_s, MAX_VIEW_COLUMNS / features.frames_per_second)
    return SSLConfig(
        features=features,
        epochs=min(opts.ssl_epochs or DEFAULT_EPOCHS, MAX_EPOCHS),
        max_clips=min(opts.ssl_clips or DEFAULT_CLIPS, MAX_CLIPS),
        batch_size=opts.ssl_batch_size or 32,
        crop_s=opts.ssl_crop_s or crop_s,
        disjoint_views=_views(opts.ssl_views or default_views(samplerate)),
        num_threads=opts.num_threads,
        seed=project.pk,
    )


def _views(value: str) -> bool:
    if value not in ("disjoint", "overlapping"):
        raise ValueError(f"ssl_views must be disjoint or overlapping, not {value!r}")
    return value == "disjoint"


def sample_pool(project: Project, n: int) -> list[Clip]:
    """At most ``n`` clips of the pool, drawn with the project's own seed (the same draw after a
    restart, so a resumed pretraining sees the same clips)."""
    ids = np.array(Clip.objects.for_project(project).order_by("pk").values_list("pk", flat=True))
    if len(ids) > n:
        ids = np.sort(np.random.default_rng(project.pk).choice(ids, size=n, replace=False))
    return list(
        Clip.objects.filter(pk__in=ids.tolist()).order_by("pk").select_related("recording__root")
    )


def run_pretraining(run: TrainingRun, *, worker: str = "") -> TrainingRun | None:
    """Claim the run, read the pool, pretrain (resuming a stored state of the same pretraining),
    store the encoder; a cancel or failure is recorded on the run. None if it was not queued."""
    if not liveness.claim(run, worker):
        return None
    with liveness.RunMonitor(run) as monitor:
        try:
            _pretrain_and_store(run, monitor)
        except liveness.Stopped as stop:
            if stop.cancelled:
                liveness.finish(run, TrainingRun.Status.CANCELLED, monitor, error=str(stop))
        except Exception as exc:  # recorded on the run; the stored encoder (if any) stays
            log.exception("pretraining %s failed", run.pk)
            liveness.finish(
                run, TrainingRun.Status.FAILED, monitor, error=f"{type(exc).__name__}: {exc}"
            )
        else:
            liveness.finish(run, TrainingRun.Status.SUCCEEDED, monitor)
    run.refresh_from_db()
    return run


def _pretrain_and_store(run: TrainingRun, monitor: liveness.RunMonitor) -> None:
    project = run.project
    probe = ssl_config(project, 1, 1.0)  # only its clip bound is read before the pool is
    clips = sample_pool(project, probe.max_clips)
    if len(clips) < 2:
        raise ValueError("self-supervised pretraining needs at least two clips in the pool")
    samplerate = min(c.recording.samplerate for c in clips)
    cfg = ssl_config(project, samplerate, float(np.median([c.duration for c in clips])))
    init = None
    opts = registry.model_settings(project)
    if opts.start_from == "both":
        init = registry.starting_point(
            registry.train_config(project, [], samplerate),
            samplerate,
            dataclasses.replace(opts, start_from="synthetic"),
            lambda line: registry._append_log(run, line),
        )
    pool, kept = _features(clips, cfg, monitor)
    clips = [c for c in clips if c.pk in kept]
    key = _key(cfg, [c.pk for c in clips], init is not None)
    resume = _stored_state(project, key)
    registry._append_log(
        run,
        f"self-supervised pretraining on {len(pool)} clips × {cfg.epochs} epochs"
        f"{' from the synthetic start' if init is not None else ''}"
        + (f"; resuming after epoch {resume.epoch}" if resume else ""),
    )
    monitor.phase(
        TrainingRun.Phase.SELF_SUPERVISED, n_epochs=cfg.epochs, epoch=resume.epoch if resume else 0
    )
    run.history = list(resume.history) if resume else []

    def on_epoch(epoch: int, n_epochs: int, metrics: dict, state: SSLState) -> None:
        _save(
            state_paths(project, key)[epoch % 2], state.to_bytes()
        )  # before the report: a kill loses no epoch
        run.history.append({k: v for k, v in metrics.items() if isinstance(v, int | float)})
        monitor.progress(epoch / n_epochs, epoch=epoch, history=run.history)

    result = pretrain(cfg, pool, init=init, resume=resume, on_epoch=on_epoch)
    monitor.phase(TrainingRun.Phase.STORING)
    result.metrics.update(ssl_key=key, from_synthetic=init is not None)
    buffer = io.BytesIO()
    save_checkpoint(buffer, result)
    _save(encoder_path(project), buffer.getvalue())
    for path in state_paths(project, key):
        default_storage.delete(path)
    last = result.history[-1]
    registry._append_log(
        run,
        f"stored the encoder {encoder_path(project)}: contrastive loss {last['loss']:.3f} "
        f"(chance {last['chance']:.3f})",
    )


def _features(
    clips: list[Clip], cfg: SSLConfig, monitor: liveness.RunMonitor
) -> tuple[list[np.ndarray], set]:
    """Each clip's feature image (float16; its audio is dropped at once, so memory is bounded by the
    images). Unreadable recordings are skipped and logged, as in scoring."""
    pool, kept = [], set()
    for i, clip in enumerate(clips):
        try:
            with clip.recording.open() as fh:
                audio, sr = dsp.read_window(fh, clip.start_s, clip.end_s)
        except (dsp.AudioError, OSError) as exc:
            log.warning("clip %s left out of the pretraining: %s", clip.pk, exc)
        else:
            pool.append(compute_features(audio, sr, cfg.features).astype(np.float16))
            kept.add(clip.pk)
        monitor.progress((i + 1) / len(clips))
    if len(pool) < 2:
        raise ValueError("fewer than two readable clips in the pool")
    return pool, kept


def _key(cfg: SSLConfig, clip_ids: list[int], from_synthetic: bool) -> str:
    """Same settings, same clips, same start: the same pretraining (its state may be resumed)."""
    raw = json.dumps([cfg.to_dict(), clip_ids, from_synthetic], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


def _stored_state(project: Project, key: str) -> SSLState | None:
    """The latest readable state of this pretraining, if a dead run left one."""
    states = []
    for path in state_paths(project, key):
        if not default_storage.exists(path):
            continue
        try:
            with default_storage.open(path, "rb") as fh:
                states.append(SSLState.from_bytes(fh.read()))
        except Exception as exc:  # a slot cut short by the kill itself: the other one serves
            log.warning("unreadable pretraining state %s (%s)", path, exc)
    return max(states, key=lambda s: s.epoch, default=None)


def _save(path: str, raw: bytes) -> None:
    """Replace the file at ``path`` (storage's save would pick a new name beside the old one)."""
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(raw))
