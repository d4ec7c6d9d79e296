"""Celery tasks of sampling and of the loop's upkeep: thin wrappers around ``rounds`` and ``loop``."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from annotator.models import Project
from models_app import registry
from sampling import loop, rounds


@shared_task(name="sampling.tasks.sample_after_rescore")
def sample_after_rescore(project_id: int, trigger: str = "after rescore") -> int | None:
    """After a rescore: if a newer version is active than the one that chose the queued picks,
    withdraw those stale picks and queue the new version's; else top the queue up if it is low.
    Returns the round's id."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    version = registry.active_version(project)
    withdrawn = (
        rounds.withdraw_stale_picks(project, version) if version and not version.is_external else 0
    )
    state = loop.low_water(project)
    if not state.is_low:
        return None
    k = max(project.batch_size, state.mark - state.open_tasks)
    context = {"low_water": state.as_params(), "withdrawn_stale_picks": withdrawn}
    try:
        return rounds.start_round(project, k=k, trigger=trigger, context=context).pk
    except rounds.RoundError:
        return None


@shared_task(name="sampling.tasks.run_round_request")
def run_round_request(request_id: int) -> int | None:
    """A lead's requested round, chosen here rather than in the web request. Returns the round's id."""
    from sampling.models import RoundRequest

    req = (
        RoundRequest.objects.select_related("project", "requested_by").filter(pk=request_id).first()
    )
    if req is None:
        return None
    req = rounds.run_request(req)
    return req.round_id if req else None


@shared_task(name="sampling.tasks.refill_queue")
def refill_queue(project_id: int, trigger: str = "low water") -> int | None:
    """Fill the queue up to its low-water mark from the active version (or a cold start)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    state = loop.low_water(project)  # checked again: another refill may have run meanwhile
    if not state.is_low:
        return None
    k = max(project.batch_size, state.mark - state.open_tasks)
    try:
        return rounds.start_round(
            project, k=k, trigger=trigger, context={"low_water": state.as_params()}
        ).pk
    except rounds.RoundError:
        return None


@shared_task(name="sampling.tasks.after_pretraining")
def after_pretraining(project_id: int, run_id: int | None) -> int | None:
    """After a pretraining's run (the chain's next step): the pool embedded with the project's
    embedding, the next training queued when the loop is on. Returns that training's id."""
    from models_app.models import TrainingRun

    run = TrainingRun.objects.select_related("project").filter(pk=run_id).first()
    if run is None or run.project_id != project_id:
        return None
    training = loop.after_pretraining(run.project, run)
    return training.pk if training else None


@shared_task(name="sampling.tasks.tend_loop")
def tend_loop() -> dict:
    """The beat's round: retry trainings whose worker died, refill queues that run low."""
    return loop.tend()


@worker_ready.connect(dispatch_uid="echoloop-train-worker-restart")
def _on_worker_ready(sender=None, **kwargs) -> None:
    """A worker serving the train queue came up: runs its earlier process held are dead."""
    try:
        queues = {q.name for q in sender.task_consumer.queues}
    except AttributeError:  # no consumer information: the beat's sweep finds them instead
        return
    if "train" in queues:
        loop.on_worker_restart(sender.hostname)
