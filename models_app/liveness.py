"""Liveness of trainings: who runs a run, what phase it is in, how long it has left, whether its
worker is still alive, and a lead's cancel.

A training is claimed by one worker (a conditional update, so a second delivery of the same
task finds it taken), beats a heartbeat from a thread every ``HEARTBEAT_SECONDS`` while it runs,
and reports each phase's progress (the ETA follows from the phase's pace). ``sweep`` fails runs
whose heartbeat stopped (the worker died or hangs) so the loop can retry them; the same row
update tells a worker that was swept, or whose run a lead cancelled, to stop.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from models_app.models import TrainingRun

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = settings.ECHOLOOP_HEARTBEAT_SECONDS
# A run whose heartbeat is older than this is taken for dead: nine missed beats.
STALE_AFTER_SECONDS = settings.ECHOLOOP_STALE_AFTER_SECONDS
MAX_ATTEMPTS = 2  # a training whose worker died is retried once (sampling.loop.retry)
MIN_REPORT_SECONDS = 1.0  # progress is written at most this often

Status, Phase = TrainingRun.Status, TrainingRun.Phase


class Stopped(Exception):
    """The run must stop: a lead cancelled it, or the sweep gave it up for dead."""

    def __init__(self, message: str, *, cancelled: bool):
        super().__init__(message)
        self.cancelled = cancelled


def claim(run: TrainingRun, worker: str) -> bool:
    """Take a queued run for ``worker``; False if it is not queued any more (taken, finished,
    cancelled). The conditional update is the guard against a second delivery of its task."""
    now = timezone.now()
    taken = TrainingRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.RUNNING,
        worker=worker[:200],
        started_at=now,
        heartbeat_at=now,
        phase=Phase.PREPARING,
        phase_started_at=now,
        phase_progress=0.0,
        eta_s=None,
    )
    if taken:
        run.status, run.worker, run.started_at, run.heartbeat_at = (
            Status.RUNNING,
            worker[:200],
            now,
            now,
        )
        run.phase = Phase.PREPARING
    return taken == 1


class RunMonitor:
    """Reports one run's phases and progress and beats its heartbeat until closed.

    ``phase()`` and ``progress()`` raise ``Stopped`` once the run was cancelled or swept; the
    heartbeat thread notices within one beat, so a long step stops at its next report.
    """

    def __init__(self, run: TrainingRun, *, heartbeat_s: float = HEARTBEAT_SECONDS):
        self.run = run
        self.heartbeat_s = heartbeat_s
        self._phase = str(run.phase)
        self._phase_began = time.monotonic()
        self._seconds: dict[str, float] = dict(run.phase_seconds or {})
        self._last_report = 0.0
        self._stop = threading.Event()
        self._stopped: Stopped | None = None
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{run.pk}", daemon=True)

    def __enter__(self) -> RunMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.heartbeat_s + 5)
        self._seconds[self._phase] = self._seconds.get(self._phase, 0.0) + self._elapsed()

    @property
    def phase_seconds(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in self._seconds.items()}

    def phase(self, phase: str, **fields) -> None:
        """Enter ``phase`` (its progress starts at 0)."""
        self._seconds[self._phase] = self._seconds.get(self._phase, 0.0) + self._elapsed()
        self._phase, self._phase_began = str(phase), time.monotonic()
        self._write(
            phase=phase,
            phase_progress=0.0,
            eta_s=None,
            phase_started_at=timezone.now(),
            phase_seconds=self.phase_seconds,
            **fields,
        )

    def progress(self, fraction: float, **fields) -> None:
        """The current phase is ``fraction`` done; the time left follows from its pace so far.

        Written at most once per ``MIN_REPORT_SECONDS`` (tiny epochs must not turn into a write
        storm); a cancel or sweep seen by the heartbeat still stops the run at any report.
        """
        self.check()
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if fraction < 1.0 and now - self._last_report < MIN_REPORT_SECONDS:
            return
        self._last_report = now
        elapsed = self._elapsed()
        eta = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        self._write(
            phase_progress=round(fraction, 4),
            eta_s=None if eta is None else round(eta, 1),
            **fields,
        )

    def check(self) -> None:
        """Raise ``Stopped`` if the run was cancelled or swept (seen by the heartbeat)."""
        if self._stopped is not None:
            raise self._stopped

    def _elapsed(self) -> float:
        return time.monotonic() - self._phase_began

    def _write(self, **fields) -> None:
        self.check()
        # Only while this worker still holds the run: a swept or cancelled run is left alone.
        updated = self._live().update(heartbeat_at=timezone.now(), **fields)
        if not updated:
            self._stopped = self._why_stopped()
            raise self._stopped

    def _live(self):
        return TrainingRun.objects.filter(
            pk=self.run.pk, status=Status.RUNNING, worker=self.run.worker, cancel_requested=False
        )

    def _why_stopped(self) -> Stopped:
        row = (
            TrainingRun.objects.filter(pk=self.run.pk).values("status", "cancel_requested").first()
        )
        if row and row["cancel_requested"]:
            return Stopped("cancelled by a lead", cancelled=True)
        return Stopped("the run was given up for dead by the liveness sweep", cancelled=False)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.heartbeat_s):
                try:
                    if not self._live().update(heartbeat_at=timezone.now()):
                        self._stopped = self._why_stopped()
                        return
                except Exception as exc:  # a database hiccup must not kill the training
                    log.warning("heartbeat of run %s failed: %s", self.run.pk, exc)
                    close_old_connections()
        finally:
            connection.close()  # this thread's own connection


def finish(run: TrainingRun, status: str, monitor: RunMonitor | None = None, **fields) -> bool:
    """Record the outcome, unless the run was swept meanwhile (then its retry owns the outcome)."""
    extra = {"phase_seconds": monitor.phase_seconds} if monitor else {}
    done = TrainingRun.objects.filter(pk=run.pk, status=Status.RUNNING, worker=run.worker).update(
        status=status, finished_at=timezone.now(), phase=Phase.DONE, eta_s=None, **extra, **fields
    )
    return done == 1


def request_cancel(run: TrainingRun) -> TrainingRun:
    """A lead's cancel: a queued run ends at once, a running one at its next report."""
    now = timezone.now()
    TrainingRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
        status=Status.CANCELLED,
        cancel_requested=True,
        finished_at=now,
        phase=Phase.DONE,
        error="cancelled by a lead before it started",
    )
    TrainingRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def sweep(*, now=None, restarted_worker: str | None = None) -> list[TrainingRun]:
    """Fail running trainings whose heartbeat stopped (or whose worker restarted); returns them.

    The update is conditional on the heartbeat read, so a run that beat in between is spared.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=STALE_AFTER_SECONDS)
    running = TrainingRun.objects.filter(status=Status.RUNNING)
    candidates = list(running.filter(heartbeat_at__lt=stale_before))
    prefix = (
        f"{restarted_worker.split(':')[0]}:" if restarted_worker else None
    )  # "train@box:" not "train@box2:"
    if prefix:
        candidates += list(
            running.filter(worker__startswith=prefix).exclude(pk__in=[r.pk for r in candidates])
        )
    failed = []
    for run in candidates:
        last = run.heartbeat_at.isoformat(timespec="seconds") if run.heartbeat_at else "never"
        why = (
            "its worker restarted"
            if prefix and run.worker.startswith(prefix)
            else f"no heartbeat for {STALE_AFTER_SECONDS:.0f} s"
        )
        gone = TrainingRun.objects.filter(
            pk=run.pk, status=Status.RUNNING, heartbeat_at=run.heartbeat_at
        ).update(
            status=Status.FAILED,
            finished_at=now,
            phase=Phase.DONE,
            eta_s=None,
            error=f"worker lost during {run.phase} ({why}; last heartbeat {last})",
        )
        if gone:
            log.warning("training %s failed: worker %s lost (%s)", run.pk, run.worker, why)
            run.refresh_from_db()
            failed.append(run)
    return failed
