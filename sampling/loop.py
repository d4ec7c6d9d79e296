"""The active-learning loop, top to bottom: labels → retrain → rescore the pool → sample → queue,
and the queue kept full while that runs.

Every step runs on Celery (``train`` and ``score`` queues); this module decides when a loop starts,
chains its steps, refills the queue whenever its open work falls below the low-water mark (while
a training runs, after an import, on the beat), and retries a training whose worker died. It is
the only place that knows the order.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass
from statistics import median

from celery import chain, signature
from django.core.cache import cache
from django.db import transaction

from annotator import queue, viewcache
from annotator.models import Clip, ClipAnnotation, Project, SamplingRole
from models_app import adapters, light_head, liveness, versions
from models_app.models import RescoreJob, TrainingRun
from sampling.models import SamplingPick

log = logging.getLogger(__name__)

DEFAULT_CYCLE_MINUTES = 5.0  # a training + rescore before the project has timed one
CYCLE_SAFETY = 1.5  # the queue holds this many loop cycles of work
MAX_BATCHES_QUEUED = 20  # the low-water mark never asks for more than this many batches


# --- when a training starts ----------------------------------------------------------------------


def on_labels_submitted(sender, project: Project, **kwargs) -> None:
    """Connected to ``annotator.signals.labels_submitted``: keep the queue full, and retrain after
    every N new labels; the light head refits within seconds."""
    if project.retrain_every and new_labels_since_last_training(project) >= project.retrain_every:
        try:
            start(project, trigger="labels")
        except versions.TrainingBusy:
            pass  # the running loop will see these labels next time
    refill(project, trigger="low water")
    light_head.schedule(project)  # last: a broker away for a moment must not cost the refill


def new_labels_since_last_training(project: Project) -> int:
    last = (
        TrainingRun.objects.filter(project=project, kind=TrainingRun.Kind.TRAIN)
        .exclude(status__in=[TrainingRun.Status.FAILED, TrainingRun.Status.CANCELLED])
        .order_by("-created_at")
        .first()
    )
    return count_labelled_clips(project) - (last.n_labels if last else 0)


def count_labelled_clips(project: Project) -> int:
    """Clips a training can learn from (outside the evaluation set) with at least one annotation,
    counted over the annotations (thousands), not the pool (up to millions of clips): this runs
    after every submission. Evaluation labels never count: they train nothing."""
    return (
        ClipAnnotation.objects.filter(project=project, clip__held_out=False)
        .exclude(clip__recording__role=SamplingRole.EVALUATION)
        .exclude(clip__recording__dataset__role=SamplingRole.EVALUATION)
        .values("clip")
        .distinct()
        .count()
    )


def start(
    project: Project, *, trigger: str, user=None, force: bool = False, retry_of=None
) -> TrainingRun:
    """Queue one turn of the loop: train, then rescore the pool, then sample the next batch."""
    run = versions.request_training(project, trigger=trigger, user=user, force=force)
    # With labels counted in the run before training starts, a burst of submissions cannot
    # start a second loop for the same labels.
    fields = {"n_labels": count_labelled_clips(project)}
    if retry_of is not None:
        fields.update(
            attempt=retry_of.attempt + 1, retry_of=retry_of, force_activate=retry_of.force_activate
        )
    TrainingRun.objects.filter(pk=run.pk).update(**fields)
    transaction.on_commit(lambda: _send(run, steps(project, run)))
    return run


def steps(project: Project, run: TrainingRun):
    """The chain of one turn. Each step stops the chain if an earlier delivery already ran it."""
    return chain(
        _step("models_app.tasks.train_model", run.pk),
        _step("models_app.tasks.rescore_pool", project.pk, run.pk),
        _step("sampling.tasks.sample_after_rescore", project.pk, f"after training {run.pk}"),
    )


def _step(task: str, *args):
    """One step of the loop, named: the web process sends the loop's tasks without importing
    the workers' code (torch), so it starts in a fraction of the time."""
    return signature(task, args=args, immutable=True)


def _send(run: TrainingRun, signature) -> None:
    """Send the chain; if the broker is down, fail the run so it cannot block later trainings."""
    try:
        signature.apply_async()
    except Exception as exc:  # kombu raises OperationalError and friends: any failure to send
        log.warning("could not queue training %s: %s", run.pk, exc)
        TrainingRun.objects.filter(pk=run.pk, status=TrainingRun.Status.QUEUED).update(
            status=TrainingRun.Status.FAILED, error=f"could not reach the task queue: {exc}"
        )
        raise


def start_pretraining(
    project: Project, *, user=None, retry_of: TrainingRun | None = None
) -> TrainingRun:
    """Queue a self-supervised pretraining of the project's encoder (train queue), then
    ``after_pretraining`` (the pool embedded with the new default, the next training queued).
    TrainingBusy while a run of the project is unfinished."""
    run = versions.request_training(
        project,
        trigger="pretrain" if retry_of is None else "retry",
        user=user,
        kind=TrainingRun.Kind.PRETRAIN,
    )
    if retry_of is not None:
        TrainingRun.objects.filter(pk=run.pk).update(
            attempt=retry_of.attempt + 1, retry_of=retry_of
        )
        run.refresh_from_db()
    turn = chain(
        _step("models_app.tasks.train_encoder", run.pk),
        _step("sampling.tasks.after_pretraining", project.pk, run.pk),
    )
    transaction.on_commit(lambda: _send(run, turn))
    return run


def after_pretraining(project: Project, run: TrainingRun) -> TrainingRun | None:
    """A pretraining ended: if it stored an encoder, embed the pool with the project's embedding
    (its default may have just changed) and, with the loop on (``retrain_every``) and labels to
    learn from, queue the next training (it starts from the new encoder). Returns that training."""
    if run.status != TrainingRun.Status.SUCCEEDED:
        return None
    adapters.after_pretraining(project)
    if not project.retrain_every or not count_labelled_clips(project):
        return None
    try:
        return start(project, trigger="pretraining")
    except versions.TrainingBusy:
        return None  # a training of the project was requested meanwhile: it uses the encoder


def retry(run: TrainingRun) -> TrainingRun | None:
    """Start a failed run again once (its worker died); None when it had its tries or another
    training of the project is already under way. A pretraining resumes from its last epoch."""
    if run.attempt >= liveness.MAX_ATTEMPTS or run.cancel_requested:
        return None
    try:
        if run.kind == TrainingRun.Kind.PRETRAIN:
            return start_pretraining(run.project, user=run.requested_by, retry_of=run)
        return start(run.project, trigger="retry", user=run.requested_by, retry_of=run)
    except versions.TrainingBusy:
        return None


def tend() -> dict:
    """The beat's round (every 30 s): fail and retry trainings whose worker died, refill every
    queue that runs low (a safety net under the event-driven refills), trim the render cache
    if it is over its cap (a lowered cap drains without waiting for the next render), fail
    round requests pending past their bound and delete old finished ones."""
    from sampling import rounds

    swept = liveness.sweep()
    retried = [r.pk for r in (retry(run) for run in swept) if r is not None]
    refilled = [p.pk for p in Project.objects.all() if refill(p, trigger="beat")]
    evicted = len(viewcache.evict())
    return {
        "swept": [r.pk for r in swept],
        "retried": retried,
        "refilled": refilled,
        "evicted_views": evicted,
        "expired_round_requests": rounds.expire_requests(),
        "pruned_round_requests": rounds.prune_requests(),
    }


def on_worker_restart(worker: str) -> list[TrainingRun]:
    """A train worker (re)started: its earlier runs died with its previous process."""
    swept = liveness.sweep(restarted_worker=worker)
    for run in swept:
        retry(run)
    return swept


# --- keeping the queue full ------------------------------------------------------------------------


@dataclass
class LowWater:
    """How much work the queue holds and how much it should hold, in clips."""

    open_tasks: int
    mark: int
    seconds_per_clip: float
    minutes: float
    automatic: bool

    @property
    def is_low(self) -> bool:
        return self.open_tasks < self.mark

    def as_params(self) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in asdict(self).items()}


def low_water(project: Project) -> LowWater:
    """The refill mark: the work annotators do during ``minutes`` at their measured pace, at
    least one batch. ``minutes`` is the project's setting or, automatically, 1.5 loop cycles
    (a training plus its rescore, as the project's recent ones took)."""
    pace = queue.seconds_per_clip(project)
    automatic = project.low_water_minutes is None
    minutes = cycle_minutes(project) * CYCLE_SAFETY if automatic else project.low_water_minutes
    wanted = math.ceil(minutes * 60 / pace)
    mark = min(max(wanted, project.batch_size), project.batch_size * MAX_BATCHES_QUEUED)
    return LowWater(queue.open_tasks(project), mark, pace, minutes, automatic)


def cycle_minutes(project: Project, *, recent: int = 3) -> float:
    """Median minutes from a training's request to the end of its rescore, over recent turns."""
    runs = (
        TrainingRun.objects.filter(
            project=project,
            kind=TrainingRun.Kind.TRAIN,
            status__in=[TrainingRun.Status.SUCCEEDED, TrainingRun.Status.KEPT_OLD],
        )
        .exclude(finished_at=None)
        .order_by("-created_at")[:recent]
    )
    spans = []
    for run in runs:
        end = run.finished_at
        rescore = RescoreJob.objects.filter(run=run).exclude(finished_at=None).first()
        if rescore is not None:
            end = max(end, rescore.finished_at)
        spans.append((end - run.created_at).total_seconds() / 60)
    return median(spans) if spans else DEFAULT_CYCLE_MINUTES


REFILL_LOCK_SECONDS = 2


def refill_lock(project: Project) -> str:
    return f"echoloop:refill:{project.pk}"


def has_unqueued_clips(project: Project) -> bool:
    clips = Clip.objects.for_project(project).unlabeled().not_queued()
    return clips.samplable().exists() or clips.evaluation().exists()


def refill(project: Project, *, trigger: str) -> bool:
    """Queue a round on the score queue if the open work is below the low-water mark and
    unqueued clips remain; at most one such request per project every few seconds."""
    state = low_water(project)
    if not state.is_low or not has_unqueued_clips(project):
        return False
    # A burst of submissions sends one refill (the task checks the mark again before choosing);
    # a refill skipped here is sent by the next submission or the beat.
    if not cache.add(refill_lock(project), 1, timeout=REFILL_LOCK_SECONDS):
        return False
    transaction.on_commit(lambda: _send_refill(project.pk, trigger))
    return True


def _send_refill(project_id: int, trigger: str) -> None:
    try:
        _step("sampling.tasks.refill_queue", project_id, trigger).apply_async()
    except Exception as exc:  # the beat will try again; a submission must not fail for this
        log.warning("could not queue a refill of project %s: %s", project_id, exc)


def on_clips_added(sender, project: Project, **kwargs) -> None:
    """Connected to ``annotator.signals.clips_added``: the project's embedding embeds the new
    clips; the active version scores them (then the queue is refilled from them), or with no model
    a cold-start round fills it."""
    transaction.on_commit(
        lambda: _send_quietly(_step("models_app.tasks.embed_pending", project.pk), project)
    )
    version = versions.active_version(project)
    if version is not None and not version.is_external:
        turn = chain(
            _step("models_app.tasks.rescore_pool", project.pk, None, RescoreJob.Kind.IMPORT),
            _step("sampling.tasks.sample_after_rescore", project.pk, "new recordings"),
        )
        transaction.on_commit(lambda: _send_quietly(turn, project))
    else:
        refill(project, trigger="new recordings")


def on_clips_recut(sender, project: Project, moves: dict, tasks: dict, **kwargs) -> None:
    """Connected to ``annotator.signals.clips_recut``: a round's picks follow their clips to the
    new clip holding most of each (two picks of one round landing on one clip keep the better
    ranked), so the rounds' history survives a change of clip length."""
    picks = SamplingPick.objects.filter(clip__in=list(moves)).order_by("round", "rank")
    taken = set(
        SamplingPick.objects.filter(clip__in=set(moves.values())).values_list("round", "clip")
    )
    for pick in picks:
        target = moves[pick.clip_id]
        if (pick.round_id, target) in taken:
            pick.delete()
            continue
        taken.add((pick.round_id, target))
        pick.clip_id, pick.task_id = target, tasks.get(target)
        pick.save(update_fields=["clip", "task"])


def _send_quietly(signature, project: Project) -> None:
    try:
        signature.apply_async()
    except Exception as exc:  # the import itself stands; the beat refills later
        log.warning("could not queue scoring of project %s's new clips: %s", project.pk, exc)
