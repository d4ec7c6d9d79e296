"""Servers for integration and fault tests, started and stopped by the test itself.

``private_redis()`` and ``private_postgres()`` start instances of their own on free loopback ports,
so a fault test can stop and restart a real server without disturbing the machine's shared
PostgreSQL and Redis (other test runs use them at the same time). ``gunicorn()`` runs the web
command of ``docker/compose.yaml``. Every wait is bounded and says what it waited for.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker" / "compose.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(
    predicate: Callable[[], bool],
    *,
    timeout: float,
    what: str | Callable[[], str],
    step: float = 0.2,
) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after ``timeout`` seconds.

    ``what`` may be a callable: it is asked at the timeout, so it describes the state then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    described = what() if callable(what) else what
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {described}")


def stop_process(proc: subprocess.Popen, *, group: bool = False, timeout: float = 30) -> None:
    """SIGTERM (the process group if it leads one), then SIGKILL after ``timeout``."""
    if proc.poll() is not None:
        return
    kill = (lambda sig: os.killpg(proc.pid, sig)) if group else proc.send_signal
    try:
        kill(signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill(signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


# --- Redis ----------------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server on a free port, configured like the machine's (no persistence)."""

    def __init__(self, workdir: Path, *, appendonly: bool = False):
        self.port = free_port()
        self.workdir = workdir
        self.appendonly = appendonly
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.appendonly else "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=open(self.workdir / "redis.log", "a"),
            stderr=subprocess.STDOUT,
        )
        wait_until(self.answers, timeout=20, what=f"redis on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc, timeout=10)
            self.proc = None

    def answers(self) -> bool:
        import redis

        try:
            return bool(
                redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1).ping()
            )
        except redis.RedisError:
            return False


@contextmanager
def private_redis(*, appendonly: bool = False) -> Iterator[PrivateRedis]:
    """``appendonly`` as in docker/compose.yaml (queued tasks survive a restart); the machine's
    Redis runs without it."""
    workdir = Path(tempfile.mkdtemp(prefix="echoloop-redis-"))
    server = PrivateRedis(workdir, appendonly=appendonly)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return path


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust auth, user postgres) on a free loopback port."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.workdir = workdir
        self.data = workdir / "data"
        self.running = False

    def _run(self, *args: str, timeout: float = 60) -> None:
        # initdb and pg_ctl refuse to run as root: run them as the postgres user then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=timeout)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.workdir, "postgres", "postgres")
        self._run(
            _pg_bin("initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.workdir / "postgres.log"),
            "-w",
            "-t",
            "30",
            "start",
        )
        self.running = True
        wait_until(self.answers, timeout=20, what=f"PostgreSQL on port {self.port}")

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back and clients disconnected."""
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")
        self.running = False

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url(), connect_timeout=1) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.Error:
            return False

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database: str, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database)) as conn:
            return conn.execute(sql, params).fetchall()


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    workdir = Path(tempfile.mkdtemp(prefix="echoloop-pg-"))
    server = PrivatePostgres(workdir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        if server.running:
            try:
                server.stop()
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(workdir, ignore_errors=True)


# --- the compose file's commands ------------------------------------------------------------------


def compose_services() -> dict:
    import yaml

    return yaml.safe_load(COMPOSE.read_text())["services"]


def compose_command(service: str) -> list[str]:
    """The command a compose service runs (a list in the file, so no shell is involved)."""
    command = compose_services()[service]["command"]
    assert isinstance(command, list), f"{service}: write the command as a list"
    return [str(part) for part in command]


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of a production-like process started by a test (DEBUG off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY="test-" + "k" * 60,
        PYTHONPATH=str(ROOT),
    )
    env.update(overrides)
    return env


def local_command(command: list[str]) -> list[str]:
    """A compose command as it runs outside the image: with this venv's executables."""
    bindir = Path(sys.executable).parent
    first = command[0]
    if first == "python":
        return [sys.executable, *command[1:]]
    if (bindir / first).exists():
        return [str(bindir / first), *command[1:]]
    return command


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    log_path: Path,
    extra: list[str] | None = None,
    probe_headers: dict[str, str] | None = None,
) -> Iterator[str]:
    """The compose file's web command, bound to a free loopback port; yields the base URL.

    ``probe_headers`` go with the readiness probe (a production host name, X-Forwarded-Proto).
    """
    command = local_command(compose_command("web"))
    port = free_port()
    bind = command.index("--bind")
    command[bind + 1] = f"127.0.0.1:{port}"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [*command, *(extra or [])],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn exited: {Path(log_path).read_text()[-3000:]}")
        try:
            response = requests.get(f"{base}/healthz", headers=probe_headers, timeout=2)
            return response.status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(up, timeout=90, what=f"gunicorn at {base}/healthz")
        yield base
    finally:
        stop_process(proc, group=True)
        log.close()
