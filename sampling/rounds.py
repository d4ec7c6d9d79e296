"""Sampling rounds: turn the active version's predictions (or, with no model, cheap features and
strata) into the next batch of annotation tasks, each with a rank and a reason."""

from __future__ import annotations

import logging
import time

import numpy as np
from django.db import transaction
from django.db.models import Max

from annotator import dsp, queue
from annotator.models import Clip, Project
from annotator.options import loop_options
from models_app.models import ModelVersion, Prediction
from sampling import strategies
from sampling.models import SamplingPick, SamplingRound

log = logging.getLogger(__name__)

COLD_START_FEATURE_LIMIT = 20_000  # above this many clips, a cold start is stratified, not coverage


class RoundError(ValueError):
    """The round cannot run as asked (unknown strategy, nothing to choose from)."""


def candidate_clips(project: Project):
    """The pool a strategy chooses from: clips nobody labelled or queued, outside the
    evaluation set and outside recordings or datasets excluded from sampling."""
    return (
        Clip.objects.for_project(project).samplable().unlabeled().not_queued()
        .select_related("recording__site")
    )


def audit_candidates(project: Project):
    """Unlabelled, unqueued clips of the evaluation set: audits are drawn from these at random."""
    return Clip.objects.for_project(project).evaluation().unlabeled().not_queued()


def start_round(
    project: Project,
    *,
    user=None,
    strategy: str | None = None,
    k: int | None = None,
    trigger: str = "manual",
    seed: int | None = None,
    context: dict | None = None,
) -> SamplingRound:
    """Choose the next batch with the project's strategy and queue it; returns the round.

    A share of ``audit_fraction`` of the batch comes from the evaluation set, uniformly at
    random (never by the strategy), so the evaluation set grows with every round. ``context``
    (e.g. the low-water state that asked for the round) is kept in the round's params.
    """
    k = k or project.batch_size
    rng = np.random.default_rng(seed)
    clips = list(candidate_clips(project).order_by("pk"))
    # When the pool runs short, evaluation clips fill the batch: annotators never wait while
    # unlabelled clips remain, and the evaluation set only gets better for it.
    n_audit = round(k * project.audit_fraction) + max(0, k - round(k * project.audit_fraction) - len(clips))
    audits = _draw_audits(project, n_audit, rng)
    if not clips and not audits:
        raise RoundError("every clip is already labelled or queued")
    version = ModelVersion.objects.filter(project=project, is_active=True).first()
    if clips:
        # An active version that has not scored these clips yet (its rescore is under way) chooses
        # nothing: the round is recorded as chosen without a model, or the rescore's round would
        # keep its picks as the new version's.
        pool, clips, version = build_pool(project, clips, version)
    if not clips:  # only evaluation clips are left
        pool = strategies.Pool(ids=np.zeros(0, dtype=np.int64))
    name, params, cold = _plan(project, strategy, pool) if clips else ("random", {}, version is None)
    began = time.perf_counter()
    n_main = min(k - len(audits), len(pool))
    if n_main > 0:
        run_params = {key: value for key, value in params.items() if key != "fallback_from"}
        selection = _run(name, run_params, cold, pool, n_main, rng)
    else:
        selection = strategies.Selection(np.zeros(0, np.int64), [], np.zeros(0))
    chosen, reasons, scores = _with_audits([clips[i] for i in selection.indices], selection, audits)
    reasons = [_fit(reason) for reason in reasons]
    elapsed = time.perf_counter() - began
    if context:
        params = {**params, **context}
    return _record(
        project, version, name, params, cold, trigger, user, chosen, reasons, scores, len(pool), elapsed
    )


REASON_LENGTH = 300  # AnnotationTask.reason and SamplingPick.reason


def _fit(reason: str) -> str:
    """The reason cut to what the rows hold (long site names make long stratum reasons)."""
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"


def _draw_audits(project: Project, n: int, rng: np.random.Generator) -> list[Clip]:
    if n <= 0:
        return []
    ids = np.array(list(audit_candidates(project).values_list("pk", flat=True)), dtype=np.int64)
    if not len(ids):
        return []
    picked = rng.choice(ids, size=min(n, len(ids)), replace=False).tolist()
    by_id = {c.pk: c for c in Clip.objects.filter(pk__in=picked).select_related("recording__site")}
    return [by_id[i] for i in picked]


def _with_audits(main: list[Clip], selection, audits: list[Clip]):
    """The strategy's picks in rank order with the audits spread evenly among them."""
    k = len(main) + len(audits)
    slots = set(((np.arange(len(audits)) + 0.5) * k / max(len(audits), 1)).astype(int).tolist())
    chosen, reasons, scores = [], [], []
    picks, extra = iter(zip(main, selection.reasons, selection.scores)), iter(audits)
    for rank in range(k):
        if rank in slots:
            chosen.append(next(extra)), reasons.append(AUDIT_REASON), scores.append(0.0)
        else:
            clip, reason, score = next(picks)
            chosen.append(clip), reasons.append(reason), scores.append(float(score))
    return chosen, reasons, scores


AUDIT_REASON = strategies.AUDIT_REASON  # drawn at random from the evaluation set, never by a strategy


def _plan(project: Project, strategy: str | None, pool: strategies.Pool) -> tuple[str, dict, bool]:
    """(strategy name, params, cold start?) for this pool."""
    name = strategy or project.sampling_strategy
    options = loop_options(project)
    params = options["strategy_params"]
    try:
        entry = strategies.get(name)
    except ValueError as exc:
        raise RoundError(str(exc)) from exc
    if pool.probs is None and pool.window_uncertainty is None:
        # No model yet: a cold start, which never uses uncertainty.
        method = options["cold_start"]
        if method == "coverage" and pool.features is None:
            method = "stratified" if pool.strata else "random"
        return method, {}, True
    missing = [f for f in entry.requires if getattr(pool, f) is None]
    if missing and strategy is None:
        # The project's default strategy, but the active (e.g. imported) model gives no
        # embeddings: fall back to plain uncertainty and say so in the round's params.
        return "entropy" if pool.probs is not None else "top_windows", {"fallback_from": name}, False
    if missing:
        raise RoundError(f"strategy {name!r} needs {', '.join(missing)}, which the active model does not give")
    return name, params, False


def _run(name, params, cold, pool, k, rng) -> strategies.Selection:
    if cold:
        return strategies.cold_start(pool, k, rng=rng, method=name, **params)
    return strategies.get(name).fn(pool, k, rng=rng, **params)


@transaction.atomic
def _record(
    project, version, name, params, cold, trigger, user, chosen, reasons, scores, n_candidates, elapsed
) -> SamplingRound:
    number = (
        SamplingRound.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    rnd = SamplingRound.objects.create(
        project=project,
        number=number,
        model_version=version,
        strategy=name,
        params=params,
        cold_start=cold,
        trigger=trigger[:30],
        candidates=n_candidates,
        batch_size=len(chosen),
        audit_fraction=project.audit_fraction,
        selection_seconds=elapsed,
        created_by=user,
    )
    audit = [reason == AUDIT_REASON for reason in reasons]
    # Newer rounds first; within a round, the strategy's rank order.
    priorities = [number + 1.0 - rank / max(len(chosen), 1) for rank in range(len(chosen))]
    tasks = queue.enqueue(
        project,
        chosen,
        priorities=priorities,
        reasons=reasons,
        source="cold start" if cold else "sampling",
        audit=audit,
        round_number=number,
    )
    first_task = {t.clip_id: t for t in tasks if t.slot == 1}
    SamplingPick.objects.bulk_create(
        SamplingPick(
            round=rnd,
            clip=clip,
            task=first_task.get(clip.pk),
            rank=rank + 1,
            score=float(scores[rank]),
            reason=reasons[rank],
            is_audit=audit[rank],
        )
        for rank, clip in enumerate(chosen)
    )
    return rnd


def withdraw_stale_picks(project: Project, version: ModelVersion) -> int:
    """Take back queued, unleased picks that earlier models chose: a new active version chooses
    better. Audits stay (they are random, not a model's choice), and so does every task that
    anyone holds or has answered, a clip a lead returned to its annotator, and a clip someone
    skipped (its reason is for the leads to read)."""
    from annotator.models import AnnotationTask, TaskStatus

    stale = AnnotationTask.objects.filter(
        project=project, status=TaskStatus.QUEUED, is_audit=False, source__in=["sampling", "cold start"],
        returned_to__isnull=True, skips__isnull=True,
    ).exclude(round_number__in=SamplingRound.objects.filter(project=project, model_version=version).values("number"))
    # Race: a claim may lease one of these rows now; the delete only takes rows still queued, and a
    # claim whose conditional update then finds its row gone tries the next task.
    answered = AnnotationTask.objects.filter(project=project).exclude(status=TaskStatus.QUEUED)
    deleted, _ = stale.exclude(clip__in=answered.values("clip")).delete()
    return deleted


# --- the pool as arrays -------------------------------------------------------------------------


def build_pool(project: Project, clips: list[Clip], version: ModelVersion | None):
    """Arrays for the strategies, the clips they stand for, and the version whose predictions
    they hold (None when it has scored none of them). With a version, only the clips it scored
    take part."""
    predictions = {}
    if version is not None:
        rows = Prediction.objects.filter(
            version=version, clip__in=[c.pk for c in clips]
        ).values_list("clip_id", "class_probs", "window_uncertainty", "embedding")
        predictions = {row[0]: row[1:] for row in rows}
        if predictions:
            clips = [c for c in clips if c.pk in predictions]
    ids = np.array([c.pk for c in clips], dtype=np.int64)
    strata = _strata(clips, predictions)
    words = _stratum_words(clips, version)
    if not predictions:
        features = _try_cheap_features(clips) if len(clips) <= COLD_START_FEATURE_LIMIT else None
        pool = strategies.Pool(ids=ids, features=features, strata=strata, stratum_words=words)
        return pool, clips, None
    probs, windows, embeddings = _prediction_arrays([predictions[c.pk] for c in clips])
    labelled = _labelled_embeddings(project, version)
    pool = strategies.Pool(
        ids=ids,
        probs=probs,
        window_uncertainty=windows,
        embeddings=embeddings,
        strata=strata,
        stratum_words=words,
        labelled_embeddings=labelled,
    )
    return pool, clips, version


def _prediction_arrays(rows):
    probs = np.array([r[0] for r in rows], dtype=np.float32)
    if probs.ndim != 2 or probs.shape[1] == 0:
        probs = None
    width = max((len(r[1]) for r in rows), default=0)
    windows = None
    if width:
        windows = np.full((len(rows), width), np.nan, dtype=np.float32)
        for i, r in enumerate(rows):
            windows[i, : len(r[1])] = r[1]
    embeddings = None
    if all(r[2] for r in rows):
        embeddings = Prediction.unpack_embeddings(r[2] for r in rows)
    return probs, windows, embeddings


def _labelled_embeddings(project: Project, version: ModelVersion) -> np.ndarray | None:
    rows = Prediction.objects.filter(
        version=version, clip__in=Clip.objects.for_project(project).labelled()
    )
    vectors = [e for e in rows.values_list("embedding", flat=True) if e]
    return Prediction.unpack_embeddings(vectors) if vectors else None


def _strata(clips: list[Clip], predictions: dict) -> dict[str, np.ndarray]:
    """Site, time of night (3-hour bins), season, and the predicted species when there is a model."""
    site = np.array([c.recording.site_id or 0 for c in clips], dtype=np.int64)
    hour = np.array([_hour_bin(c) for c in clips], dtype=np.int64)
    month = np.array(
        [c.recording.recorded_at.month if c.recording.recorded_at else 0 for c in clips]
    )
    # Seasons as Dec–Feb, Mar–May, ... (0–3); -1 when the date is unknown (not winter).
    strata = {"site": site, "hour": hour, "season": np.where(month > 0, (month % 12) // 3, -1)}
    if predictions:
        probs = [predictions[c.pk][0] for c in clips]
        strata["species"] = np.array(
            [int(np.argmax(p)) if len(p) else 0 for p in probs], dtype=np.int64
        )
    return strata


SEASON_WORDS = {-1: "date unknown", 0: "Dec–Feb", 1: "Mar–May", 2: "Jun–Aug", 3: "Sep–Nov"}


def _stratum_words(clips: list[Clip], version: ModelVersion | None) -> dict[str, dict[int, str]]:
    """The strata's codes in words, for the reasons a stratified round gives."""
    sites = {c.recording.site_id or 0: str(c.recording.site) if c.recording.site else "no site" for c in clips}
    hours = {b: f"{3 * b:02d}–{3 * b + 3:02d} h" for b in range(8)} | {-1: "time unknown"}
    species = {i: f"predicted {name}" for i, name in enumerate(version.class_names if version else [])}
    return {"site": sites, "hour": hours, "season": SEASON_WORDS, "species": species}


def _hour_bin(clip: Clip) -> int:
    rec = clip.recording
    if rec.recorded_at is None:
        return -1
    seconds = rec.recorded_at.hour * 3600 + rec.recorded_at.minute * 60 + clip.start_s
    return int(seconds // 3600) % 24 // 3


def _try_cheap_features(clips: list[Clip]) -> np.ndarray | None:
    """Cheap features, or None (then a stratified cold start) if some audio cannot be read."""
    try:
        return cheap_features(clips)
    except (OSError, dsp.AudioError) as exc:
        log.warning("cold start falls back to strata: %s", exc)
        return None


def cheap_features(clips: list[Clip]) -> np.ndarray:
    """Per-clip log band energies and their variation over time: enough for coverage sampling."""
    params = dsp.SpectrogramParams(window_s=0.004, overlap=0.5, scale="linear")
    rows = []
    for clip in clips:
        with clip.recording.open() as fh:
            samples, samplerate = dsp.read_window(fh, clip.start_s, clip.end_s)
        spec = dsp.spectrogram(samples, samplerate, params).values
        bands = np.array_split(spec, 16, axis=0)
        band = np.stack([b.mean(axis=0) for b in bands])  # [16, T] dB
        rows.append(np.concatenate([band.mean(axis=1), band.std(axis=1), band.max(axis=1)]))
    feats = np.array(rows, dtype=np.float32)
    return (feats - feats.mean(axis=0)) / (feats.std(axis=0) + 1e-6)
