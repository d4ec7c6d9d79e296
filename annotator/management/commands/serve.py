"""manage.py serve — the embedded default: the web server and a Celery worker, started together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server, a training worker and a worker for the other queues (with the beat); Ctrl-C stops them."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args, addr: str, concurrency: int, **opts):
        # Training has a worker of its own, so the queue is refilled and views are drawn while a
        # training runs; the other worker also runs the beat (the loop's upkeep every 30 s).
        schedule = str(settings.DATA_DIR / "celerybeat-schedule")
        workers = [
            self._worker(["-Q", "train", "--concurrency", "1", "-n", "train@%h"]),
            self._worker(
                [
                    "-Q",
                    "celery,render,score",
                    "--concurrency",
                    str(concurrency),
                    "-n",
                    "work@%h",
                    "-B",
                    "--schedule",
                    schedule,
                ]
            ),
        ]
        self.stdout.write(
            f"Celery workers started (pids {', '.join(str(w.pid) for w in workers)}); "
            f"broker {settings.CELERY_BROKER_URL}"
        )
        self.stdout.write(f"Echoloop at http://{addr}/")
        # SIGTERM (from a service manager, or `kill`) stops the workers too, like Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", addr, use_reloader=False, use_threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping the workers…")
            stop_workers(workers)
            self.stdout.write("Stopped.")

    def _worker(self, options: list[str]) -> subprocess.Popen:
        # Each worker leads a session of its own: Ctrl-C reaches this command only, which then
        # stops the workers in order instead of every process taking the signal at once.
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "echoloop",
                "worker",
                *options,
                "--loglevel",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )


def stop_workers(
    workers: list[subprocess.Popen], *, warm_s: float = 5.0, cold_s: float = 10.0
) -> None:
    """Warm shutdown (finish the task in hand) for ``warm_s``, then a cold one (Celery's SIGQUIT:
    tasks in hand are abandoned), then SIGKILL to whatever is left of each worker's session.

    A training abandoned this way is failed and retried when the train worker starts again
    (models_app.liveness: a restarted worker fails its earlier runs)."""
    for sig, wait_s in ((signal.SIGTERM, warm_s), (signal.SIGQUIT, cold_s), (signal.SIGKILL, 5.0)):
        running = [w for w in workers if w.poll() is None]
        if not running:
            break
        for worker in running:
            _signal_session(worker, sig)
        deadline = time.monotonic() + wait_s
        for worker in running:
            try:
                worker.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
    for worker in workers:  # pool children left behind by a killed parent
        _signal_session(worker, signal.SIGKILL)


def _signal_session(worker: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(worker.pid, sig)
    except ProcessLookupError:
        pass

    def _worker(self, options: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "echoloop",
                "worker",
                *options,
                "--loglevel",
                "INFO",
            ],
            cwd=settings.BASE_DIR,
        )
