"""manage.py serve — the embedded default: the web server and a Celery worker, started together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker (all queues) together; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--concurrency", type=int, default=1)

    def handle(self, *args, addr: str, concurrency: int, **opts):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "echoloop",
                "worker",
                "-Q",
                "celery,render,score,train",
                "--concurrency",
                str(concurrency),
                "--loglevel",
                "INFO",
                "-n",
                f"embedded-{os.getpid()}@%h",
            ],
            cwd=settings.BASE_DIR,
        )
        self.stdout.write(
            f"Celery worker started (pid {worker.pid}); broker {settings.CELERY_BROKER_URL}"
        )
        self.stdout.write(f"Echoloop at http://{addr}/")
        try:
            call_command("runserver", addr, use_reloader=False, use_threading=True)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
