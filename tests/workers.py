"""Start a real Celery worker (a subprocess) for tests whose behaviour depends on one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """A URL for the database the tests use now (pytest-django's test database)."""
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(*, queues: str = "celery,render,score,train", env: dict | None = None, concurrency: int = 1,
                  pool: str = "prefork", name: str = "test"):
    """A worker process on the test database and the configured broker; stopped on exit."""
    environ = {**os.environ, "DATABASE_URL": database_url(), "CELERY_TASK_ALWAYS_EAGER": "0", **(env or {})}
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"celery-{name}-{os.getpid()}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "echoloop", "worker", "-Q", queues, "--concurrency",
         str(concurrency), "--pool", pool, "-n", f"{name}-{os.getpid()}@%h", "--loglevel", "INFO",
         "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(proc, log.name)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


def _wait_ready(proc: subprocess.Popen, log_path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited: {Path(log_path).read_text()[-3000:]}")
        if "ready." in Path(log_path).read_text():
            return
        time.sleep(0.3)
    raise RuntimeError(f"celery worker not ready in {timeout}s: {Path(log_path).read_text()[-3000:]}")
