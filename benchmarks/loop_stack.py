"""The real stack of docker/compose.yaml, outside containers, for benchmarks/loop.py.

A scratch PostgreSQL database, a Redis database of the benchmark's own (flushed at start), gunicorn
with the web service's command and one Celery process per compose worker (and ``beat`` when compose
has such a service). Every process leads its own process group, so one can be killed whole
(``kill_group``) and started again (``restart``) the way a container restarts.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker" / "compose.yaml"
EXAMPLE_ENV = ROOT / "docker" / "example.env"
# What example.env sets for the workers that matters outside a container (not its production-only
# settings: HTTPS redirect, allowed hosts, S3).
WORKER_ENV_KEYS = (
    "ECHOLOOP_BROKER_VISIBILITY_TIMEOUT",
    "OPENBLAS_NUM_THREADS",
    "ECHOLOOP_SCORE_THREADS",
)
TRAIN_SERVICES = ("worker-train-cpu", "worker-train")


def compose_services() -> dict[str, dict]:
    import yaml

    return yaml.safe_load(COMPOSE.read_text())["services"]


def example_env() -> dict[str, str]:
    out = {}
    for line in EXAMPLE_ENV.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.lstrip().startswith("#") and key.strip() in WORKER_ENV_KEYS:
            out[key.strip()] = value.strip()
    return out


def celery_services() -> dict[str, list[str]]:
    """name → command of every Celery process compose runs: workers (one train worker) and beat."""
    out = {}
    services = compose_services()
    train = next((n for n in TRAIN_SERVICES if n in services), None)
    for name, spec in services.items():
        command = [str(part) for part in spec.get("command") or []]
        if command[:1] != ["celery"]:
            continue
        if name in TRAIN_SERVICES and name != train:
            continue  # the GPU and CPU train workers are alternatives (compose profiles)
        out["train" if name == train else name.removeprefix("worker-")] = command
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- database and broker ------------------------------------------------------------------------


def scratch_database(base_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(base_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def drop_database(base_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(base_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str) -> None:
    """Empty the benchmark's Redis database: a task left by an earlier run names rows (run 1,
    project 1) that exist again in a fresh scratch database."""
    import redis

    redis.Redis.from_url(url).flushdb()


# --- processes ------------------------------------------------------------------------------------


class Stack:
    """gunicorn and the Celery processes of compose on one environment; logs under ``logs``."""

    def __init__(self, env: dict[str, str], logs: Path, *, web_workers: int, web_threads: int):
        self.env, self.logs = env, logs
        self.web_workers, self.web_threads = web_workers, web_threads
        self.port = free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.starts: dict[str, int] = {}
        logs.mkdir(parents=True, exist_ok=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def has_beat(self) -> bool:
        return any("beat" in c for c in self.commands.values())

    def start(self) -> None:
        self.commands["web"] = self._web_command()
        self.commands.update({name: self._local(cmd) for name, cmd in celery_services().items()})
        for name in self.commands:
            self._spawn(name)
        self._wait_web()
        for name in self.commands:
            if name != "web" and "beat" not in self.commands[name]:
                self._wait_worker(name)

    def _local(self, command: list[str]) -> list[str]:
        command = [str(Path(sys.executable).parent / command[0]), *command[1:]]
        if "beat" in command:  # a schedule file of its own: not compose's shared /tmp path
            option = next((o for o in ("-s", "--schedule") if o in command), None)
            if option:
                command[command.index(option) + 1] = str(self.logs / "celerybeat-schedule")
            else:
                command += ["--schedule", str(self.logs / "celerybeat-schedule")]
        return command

    def _web_command(self) -> list[str]:
        command = self._local([str(p) for p in compose_services()["web"]["command"]])
        command[command.index("--bind") + 1] = f"127.0.0.1:{self.port}"
        command[command.index("--access-logfile") + 1] = str(self.logs / "access.log")
        command[command.index("--threads") + 1] = str(self.web_threads)
        return [*command, "--workers", str(self.web_workers)]

    def _spawn(self, name: str) -> None:
        self.starts[name] = self.starts.get(name, 0) + 1
        log = open(self.logs / f"{name}.log", "a")
        log.write(f"\n--- start {self.starts[name]} at {time.strftime('%H:%M:%S')} ---\n")
        log.flush()
        self.procs[name] = subprocess.Popen(
            self.commands[name],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed whole like a container
        )
        log.close()

    def _wait_web(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if self.procs["web"].poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz: {self.tail('web')}")

    def _wait_worker(self, name: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        marker = f"--- start {self.starts[name]} at"
        while time.monotonic() < deadline:
            text = (self.logs / f"{name}.log").read_text(errors="replace")
            if "ready." in text[text.rfind(marker) :]:
                return
            if self.procs[name].poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError(f"celery {name} not ready: {self.tail(name)}")

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def kill_group(self, name: str) -> None:
        """SIGKILL the process and all its children at once (a machine lost, an OOM kill)."""
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def restart(self, name: str, *, wait: bool = True) -> None:
        self._spawn(name)
        if wait and name != "web":
            self._wait_worker(name)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
