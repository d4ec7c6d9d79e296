"""Start a real Celery worker (a subprocess) for tests whose behaviour depends on one."""

from __future__ import annotations

import os
import signal
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
    user, host, port = (
        db.get("USER") or "postgres",
        db.get("HOST") or "127.0.0.1",
        db.get("PORT") or 5432,
    )
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextmanager
def celery_worker(
    *,
    queues: str = "celery,render,score,train",
    env: dict | None = None,
    concurrency: int = 1,
    pool: str = "prefork",
    name: str = "test",
):
    """A worker process on the test database and the configured broker; stopped on exit."""
    environ = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        **(env or {}),
    }
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"celery-{name}-{os.getpid()}.log", "w")
    log.write(f"queues before start: {_queue_lengths(environ, queues)}\n")
    log.flush()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "echoloop",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--pool",
            pool,
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops its pool children too
    )
    try:
        _wait_ready(proc, log.name)
        yield proc
    except BaseException as exc:
        # A failure inside the block reads better with what the worker was doing.
        exc.add_note(
            f"--- worker {name} log (last 4000 characters) ---\n{Path(log.name).read_text()[-4000:]}"
        )
        raise
    finally:
        _stop_group(proc)
        log.close()


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the worker's process group (warm shutdown), SIGKILL it after 30 s; no pool child
    outlives the test holding a database session."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _queue_lengths(environ: dict, queues: str) -> dict | str:
    """How many messages wait in each queue the worker will consume (Redis brokers only)."""
    url = environ.get("REDIS_URL", "")
    if not url.startswith("redis"):
        return "not a Redis broker"
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        return {q: client.llen(q) for q in queues.split(",")}
    except Exception as exc:  # a stopped private Redis: the test starts it later
        return f"unknown ({exc})"


def _wait_ready(proc: subprocess.Popen, log_path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited: {Path(log_path).read_text()[-3000:]}")
        if "ready." in Path(log_path).read_text():
            return
        time.sleep(0.3)
    raise RuntimeError(
        f"celery worker not ready in {timeout}s: {Path(log_path).read_text()[-3000:]}"
    )
