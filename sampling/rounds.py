"""Sampling rounds: turn the active version's predictions (or, with no model, cheap features and
strata) into the next batch of annotation tasks, each with a rank and a reason."""

from __future__ import annotations

import logging
import time

import numpy as np
from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from annotator import queue
from annotator.models import Clip, Project
from annotator.options import loop_options
from models_app import light_head
from models_app.models import ModelVersion
from sampling import options as sampling_options
from sampling import pool as pool_arrays
from sampling import strategies
from sampling.models import SamplingPick, SamplingRound

log = logging.getLogger(__name__)

COLD_START_FEATURE_LIMIT = pool_arrays.COLD_START_FEATURE_LIMIT


class RoundError(ValueError):
    """The round cannot run as asked (unknown strategy, nothing to choose from)."""


def candidate_clips(project: Project):
    """The pool a strategy chooses from: clips nobody labelled or queued, outside the
    evaluation set and outside recordings or datasets excluded from sampling. The definition:
    a round computes the same set from columns (``pool.split_pool``)."""
    return Clip.objects.for_project(project).samplable().unlabeled().not_queued()


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
    columns, audit_ids = pool_arrays.split_pool(project)
    # When the pool runs short, evaluation clips fill the batch: annotators never wait while
    # unlabelled clips remain, and the evaluation set only gets better for it.
    n_audit = round(k * project.audit_fraction) + max(
        0, k - round(k * project.audit_fraction) - len(columns)
    )
    audits = _draw_audits(audit_ids, n_audit, rng)
    if not len(columns) and not audits:
        raise RoundError("every clip is already labelled or queued")
    version = ModelVersion.objects.filter(project=project, is_active=True).first()
    ids = columns.ids
    if len(ids):
        # An active version that has not scored these clips yet (its rescore is under way) chooses
        # nothing: the round is recorded as chosen without a model, or the rescore's round would
        # keep its picks as the new version's.
        pool, ids, version = build_pool(project, columns, version)
        # The light head's scores while it has seen labels the version has not.
        context = {**(context or {}), **light_head.apply_to_pool(project, version, pool)}
        if pool.embedding_source:  # which embedding diversity and coverage read
            context["embedding"] = pool.embedding_source
        context = context or None
    if not len(ids):  # only evaluation clips are left
        pool = strategies.Pool(ids=np.zeros(0, dtype=np.int64))
    name, params, cold = (
        _plan(project, strategy, pool) if len(ids) else ("random", {}, version is None)
    )
    began = time.perf_counter()
    n_main = min(k - len(audits), len(pool))
    if n_main > 0:
        run_params = {key: value for key, value in params.items() if key != "fallback_from"}
        selection = _run(name, run_params, cold, pool, n_main, rng)
    else:
        selection = strategies.Selection(np.zeros(0, np.int64), [], np.zeros(0))
    picked = ids[selection.indices]
    by_id = pool_arrays.clips_by_id(picked)  # only the picked clips become objects
    chosen, reasons, scores = _with_audits([by_id[int(i)] for i in picked], selection, audits)
    reasons = [_fit(reason) for reason in reasons]
    elapsed = time.perf_counter() - began
    if context:
        params = {**params, **context}
    return _record(
        project,
        version,
        name,
        params,
        cold,
        trigger,
        user,
        chosen,
        reasons,
        scores,
        len(pool),
        elapsed,
    )


def request_round(
    project: Project, *, user=None, strategy: str | None = None, k: int | None = None
):
    """Queue a lead's round for a worker (``run_request``); returns ``(request, created)``.

    An identical request (same strategy and size, by anyone) still pending is returned instead
    of queuing the same round twice. An unknown strategy is refused here, before anything is
    queued."""
    from sampling.models import RoundRequest

    if strategy:
        try:
            strategies.get(strategy)
        except ValueError as exc:
            raise RoundError(str(exc)) from exc
    with transaction.atomic():
        # Race: two clicks (or two leads) at once would both find nothing pending and queue the
        # same round twice; the project row's lock makes the second see the first's request.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        pending = (
            RoundRequest.objects.pending()
            .filter(project=project, strategy=strategy or "", batch_size=k)
            .order_by("created_at")
            .first()
        )
        if pending is not None:
            return pending, False
        req = RoundRequest.objects.create(
            project=project, requested_by=user, strategy=strategy or "", batch_size=k
        )
        transaction.on_commit(lambda: _send_request(req))
    return req, True


def _send_request(req) -> None:
    from celery import current_app
    from django.utils import timezone

    from sampling.models import RoundRequest

    try:
        current_app.send_task("sampling.tasks.run_round_request", args=[req.pk])
    except Exception as exc:  # any failure to reach the broker: the lead reads it when polling
        log.warning("could not queue round request %s: %s", req.pk, exc)
        RoundRequest.objects.filter(pk=req.pk, status=RoundRequest.Status.QUEUED).update(
            status=RoundRequest.Status.FAILED,
            error=f"could not reach the task queue: {exc}",
            finished_at=timezone.now(),
        )


def expire_requests() -> int:
    """Fail the round requests pending longer than ``RoundRequest.expiry_seconds()``: no worker
    took them, or the one that did stopped. A queued one failed here never runs (``run_request``
    claims only queued ones); a running one that finishes after all still reports its round."""
    from django.utils import timezone

    from sampling.models import RoundRequest

    limit = RoundRequest.expiry_seconds()
    return RoundRequest.objects.expired().update(
        status=RoundRequest.Status.FAILED,
        finished_at=timezone.now(),
        error=f"not finished {limit:.0f} s after it was asked for (no worker took it, or "
        "its worker stopped); ask again",
    )


def prune_requests(now=None) -> int:
    """Delete finished round requests older than ``ECHOLOOP_ROUND_REQUEST_DAYS`` (their rounds
    stay: the request is only what a lead polled)."""
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from sampling.models import RoundRequest

    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.ECHOLOOP_ROUND_REQUEST_DAYS)
    finished = RoundRequest.objects.exclude(
        status__in=[RoundRequest.Status.QUEUED, RoundRequest.Status.RUNNING]
    )
    old = Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    return finished.filter(old).delete()[0]


def run_request(req):
    """Choose and queue the requested round (on a worker); None when another delivery took it."""
    from django.utils import timezone

    from sampling.models import RoundRequest

    # Race: a redelivered message runs the same request twice; only the delivery whose
    # conditional update moves it out of "queued" chooses the round.
    if not RoundRequest.objects.filter(pk=req.pk, status=RoundRequest.Status.QUEUED).update(
        status=RoundRequest.Status.RUNNING
    ):
        return None
    fields = {"status": RoundRequest.Status.DONE}
    try:
        rnd = start_round(
            req.project, user=req.requested_by, strategy=req.strategy or None, k=req.batch_size
        )
        fields["round"] = rnd
    except RoundError as exc:
        fields.update(status=RoundRequest.Status.FAILED, error=str(exc))
    except Exception as exc:
        log.exception("round request %s failed", req.pk)
        fields.update(status=RoundRequest.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
    # Unconditional: a round chosen after the sweep expired its request is still reported.
    RoundRequest.objects.filter(pk=req.pk).update(finished_at=timezone.now(), **fields)
    req.refresh_from_db()
    return req


def queue_similar(
    project: Project, query_clip: Clip, clips: list[Clip], similarities: list[float], *, user=None
) -> SamplingRound:
    """A round of the clips a search by example found, reason "similar to clip X", best first.

    Clips already labelled or queued are left out (they are not candidates); RoundError if none is left."""
    open_ids = set(
        candidate_clips(project).filter(pk__in=[c.pk for c in clips]).values_list("pk", flat=True)
    )
    kept = [(c, s) for c, s in zip(clips, similarities, strict=True) if c.pk in open_ids]
    if not kept:
        raise RoundError("every match is already labelled or queued")
    version = ModelVersion.objects.filter(project=project, is_active=True).first()
    reasons = [_fit(f"similar to clip {query_clip.pk} (distance {1 - s:.3f})") for _c, s in kept]
    return _record(
        project,
        version,
        "similar",
        {"query_clip": query_clip.pk},
        False,
        "similar",
        user,
        [c for c, _s in kept],
        reasons,
        [float(s) for _c, s in kept],
        len(clips),
        0.0,
    )


REASON_LENGTH = 300  # AnnotationTask.reason and SamplingPick.reason


def _fit(reason: str) -> str:
    """The reason cut to what the rows hold (long site names make long stratum reasons)."""
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"


def _draw_audits(ids: np.ndarray, n: int, rng: np.random.Generator) -> list[Clip]:
    if n <= 0:
        return []
    if not len(ids):
        return []
    picked = rng.choice(ids, size=min(n, len(ids)), replace=False).tolist()
    by_id = pool_arrays.clips_by_id(picked)
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


AUDIT_REASON = (
    strategies.AUDIT_REASON
)  # drawn at random from the evaluation set, never by a strategy


def _plan(project: Project, strategy: str | None, pool: strategies.Pool) -> tuple[str, dict, bool]:
    """(strategy name, params, cold start?) for this pool."""
    name = strategy or project.sampling_strategy
    options = loop_options(project)
    try:
        entry = strategies.get(name)
    except ValueError as exc:
        raise RoundError(str(exc)) from exc
    # The project's strategy_params are checked against its own strategy: a lead's round with
    # another strategy gets only those it takes (a TypeError in the worker otherwise).
    params = options["strategy_params"]
    accepted = sampling_options.accepted_params(entry)
    if accepted is not None:
        params = {key: value for key, value in params.items() if key in accepted}
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
        return (
            "entropy" if pool.probs is not None else "top_windows",
            {"fallback_from": name},
            False,
        )
    if missing:
        raise RoundError(
            f"strategy {name!r} needs {', '.join(missing)}, which the active model does not give"
        )
    return name, params, False


def _run(name, params, cold, pool, k, rng) -> strategies.Selection:
    if cold:
        return strategies.cold_start(pool, k, rng=rng, method=name, **params)
    return strategies.get(name).fn(pool, k, rng=rng, **params)


@transaction.atomic
def _record(
    project,
    version,
    name,
    params,
    cold,
    trigger,
    user,
    chosen,
    reasons,
    scores,
    n_candidates,
    elapsed,
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
        project=project,
        status=TaskStatus.QUEUED,
        is_audit=False,
        source__in=["sampling", "cold start"],
        returned_to__isnull=True,
        skips__isnull=True,
    ).filter(
        ~Exists(
            SamplingRound.objects.filter(
                project=project, model_version=version, number=OuterRef("round_number")
            )
        )
    )
    # Race: a claim may lease one of these rows now; the delete only takes rows still queued, and a
    # claim whose conditional update then finds its row gone tries the next task.
    # NOT EXISTS, not NOT IN: an anti-join stays linear in the answered tasks of a large project.
    answered = AnnotationTask.objects.filter(clip=OuterRef("clip"), project=project).exclude(
        status=TaskStatus.QUEUED
    )
    deleted, _ = stale.filter(~Exists(answered)).delete()
    return deleted


# The pool as arrays lives in ``sampling.pool``; these names stay importable from here.
build_pool = pool_arrays.build_pool
cheap_features = pool_arrays.cheap_features
