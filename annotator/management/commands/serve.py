"""manage.py serve — the embedded default: the web server and a Celery worker, started together."""

from __future__ import annotations

import signal
import subprocess
import sys

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
            self._worker(["-Q", "celery,render,score", "--concurrency", str(concurrency), "-n", "work@%h",
                          "-B", "--schedule", schedule]),
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
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    # A training does not stop for a warm shutdown; the next start's liveness
                    # sweep marks it failed and retries it.
                    worker.kill()
                    worker.wait()

    def _worker(self, options: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "echoloop", "worker", *options, "--loglevel", "INFO"],
            cwd=settings.BASE_DIR,
        )
