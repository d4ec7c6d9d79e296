"""docker/ without a container engine: every command compose.yaml runs is run here, outside
containers, with the environment the containers get (example.env + compose's own variables).

web (gunicorn, its health check), migrate (on an empty database), bucket (on an S3 API), each
worker (consuming its queues), collectstatic (the Dockerfile's build step), and
``manage.py check --deploy`` with the production environment of example.env.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import yaml
from django.conf import settings

from tests.services import (
    ROOT,
    app_env,
    compose_command,
    compose_services,
    gunicorn,
    local_command,
    private_redis,
    stop_process,
    wait_until,
)
from tests.workers import database_url

DOCKER = ROOT / "docker"
PUBLIC_HOST = "echoloop.example.org"


def example_env() -> dict[str, str]:
    pairs = [
        line.split("=", 1)
        for line in (DOCKER / "example.env").read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    ]
    return {k.strip(): v.strip() for k, v in pairs}


def filled_env() -> dict[str, str]:
    """example.env with its empty secrets filled in, as an operator does."""
    env = example_env()
    for name, value in env.items():
        if value == "":
            env[name] = secrets.token_urlsafe(50)  # as example.env tells
    return env


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} interpolation."""

    def replace(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"compose requires {name}: {arg}")
        return arg or ""

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", replace, value)


def container_env(service: str = "web") -> dict[str, str]:
    """What a service's container sees: its env_file (.env) overlaid with compose's environment."""
    env = filled_env()
    spec = compose_services()[service]
    assert spec.get("env_file") == ".env"
    env.update({k: interpolate(str(v), env) for k, v in spec.get("environment", {}).items()})
    return env


def app_services() -> dict[str, dict]:
    return {
        name: spec
        for name, spec in compose_services().items()
        if "build" in spec and "command" in spec
    }


def worker_queues(spec: dict) -> list[str]:
    command = spec["command"]
    return command[command.index("-Q") + 1].split(",")


# --- the files, read ------------------------------------------------------------------------------


def test_compose_services_and_queues_fit_the_settings():
    services = compose_services()
    assert {"web", "migrate", "bucket", "postgres", "redis", "minio"} <= set(services)
    workers = {
        n: s for n, s in app_services().items() if s["command"][:4:3] == ["celery", "worker"]
    }
    consumed = {q for spec in workers.values() for q in worker_queues(spec)}
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | {settings.CELERY_TASK_DEFAULT_QUEUE} <= consumed, "a queue no worker consumes"
    train = [s for s in workers.values() if worker_queues(s) == ["train"]]
    gpu = [s for s in train if "deploy" in s]
    assert len(gpu) == 1 and gpu[0]["build"]["target"] == "gpu"
    devices = gpu[0]["deploy"]["resources"]["reservations"]["devices"][0]
    assert devices["capabilities"] == ["gpu"] and devices["driver"] == "nvidia"
    assert example_env()["COMPOSE_PROFILES"] in {p for s in train for p in s["profiles"]}
    for name, spec in app_services().items():
        deps = spec.get("depends_on", {})
        if name not in ("migrate", "bucket"):
            assert deps["migrate"]["condition"] == "service_completed_successfully", name
    assert "--appendonly" in services["redis"]["command"]  # queued tasks survive a restart


def test_dockerfile_stages_and_copies_exist():
    text = (DOCKER / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\S+)", text, re.M)
    assert {"builder-cpu", "builder-gpu", "cpu", "gpu"} <= set(stages) and stages[-1] == "cpu"
    for spec in app_services().values():
        assert spec["build"]["target"] in stages
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, re.M):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    assert "pip install" in text and "-c .ci/constraints.txt ." in text
    assert "torch==2.13.0" in (ROOT / ".ci" / "constraints.txt").read_text()


# --- the commands, run ----------------------------------------------------------------------------


def test_check_deploy_passes_with_the_example_env(tmp_path):
    env = {**app_env(), **container_env("web"), "ECHOLOOP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_web_command_and_its_health_check_with_the_production_env(tmp_path):
    env = {
        **app_env(),
        **container_env("web"),
        "ECHOLOOP_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL
        if settings.CELERY_BROKER_URL.startswith("redis")
        else "",
    }
    proxy = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https"}
    with gunicorn(env, log_path=tmp_path / "web.log", probe_headers=proxy) as base:
        port = base.rsplit(":", 1)[1]
        check = local_command(compose_services()["web"]["healthcheck"]["test"][1:])
        result = subprocess.run(
            check, cwd=ROOT, env={**env, "PORT": port}, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
        secure = requests.get(f"{base}/healthz", headers=proxy, timeout=10)
        assert secure.json() == {"ok": True}
        assert "max-age=31536000" in secure.headers["Strict-Transport-Security"]
        plain = requests.get(
            f"{base}/healthz", headers={"Host": PUBLIC_HOST}, timeout=10, allow_redirects=False
        )
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 400  # unknown host
        api = requests.get(f"{base}/api/projects/", headers=proxy, timeout=10)
        assert api.status_code == 401 and "Traceback" not in api.text


def test_migrate_command_on_an_empty_database(tmp_path):
    import psycopg

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.fail("DATABASE_URL must point at PostgreSQL for this test (.ci/run sets it)")
    server = database_url().rsplit("/", 1)[0]
    name = f"echoloop_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**app_env(), "DATABASE_URL": f"{server}/{name}", "ECHOLOOP_DATA_DIR": str(tmp_path)}
        command = local_command(compose_command("migrate"))
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr[-3000:]
        with psycopg.connect(f"{server}/{name}") as conn:
            tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables").fetchall()}
        assert {
            "annotator_annotationtask",
            "models_app_modelversion",
            "sampling_samplinground",
        } <= tables
        again = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0 and "No migrations to apply" in again.stdout
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_bucket_command_creates_the_media_bucket_once():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env = {
            **app_env(),
            **container_env("bucket"),
            "ECHOLOOP_S3_ENDPOINT_URL": f"http://{host}:{port}",
            "ECHOLOOP_S3_BUCKET": f"media-{uuid.uuid4().hex[:8]}",
        }
        command = local_command(compose_command("bucket"))
        first = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert first.returncode == 0 and first.stdout.strip().endswith("created"), first.stderr
        second = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 0 and second.stdout.strip().endswith("exists"), second.stderr
    finally:
        server.stop()


def start_worker(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        local_command(command), cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT
    )

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"{' '.join(command)} exited: {log.read_text()[-2000:]}")
        return "ready." in log.read_text()

    wait_until(ready, timeout=120, what=f"{' '.join(command)} to be ready")
    return proc


# One task per queue that completes on an empty database.
PROBES = {
    "celery": ("echoloop.ping", [], "pong"),
    "render": ("annotator.tasks.render_clip_views", [[]], 0),
    "score": ("models_app.tasks.score_chunk", [0, []], 0),
    "train": ("models_app.tasks.train_model", [0], None),
}


@pytest.mark.django_db(transaction=True)
def test_worker_commands_consume_their_queues(tmp_path):
    from celery import Celery

    commands = {
        tuple(spec["command"]): name
        for name, spec in app_services().items()
        if spec["command"][:2] == ["celery", "-A"] and spec["command"][3] == "worker"
    }
    with private_redis() as broker:
        app = Celery("probe", broker=broker.url, backend=broker.url, set_as_current=False)
        for command, name in commands.items():
            env = {
                **app_env(),
                "REDIS_URL": broker.url,
                "DATABASE_URL": database_url(),
                "ECHOLOOP_DATA_DIR": str(tmp_path),
            }
            proc = start_worker(list(command), env, tmp_path / f"{name}.log")
            try:
                for queue in worker_queues({"command": list(command)}):
                    task, args, expected = PROBES[queue]
                    result = app.send_task(task, args=args, queue=queue)
                    assert result.get(timeout=60) == expected, f"{name} on {queue}"
            finally:
                stop_process(proc)


@pytest.mark.django_db(transaction=True)
def test_beat_command_sends_the_loop_upkeep(tmp_path):
    """The beat service's command schedules ``tend_loop`` (here every second) onto the broker."""
    import redis

    spec = app_services()["beat"]
    command = [
        *spec["command"][:-4],
        "--schedule",
        str(tmp_path / "schedule"),
        "--loglevel",
        "INFO",
    ]
    with private_redis() as broker:
        env = {
            **app_env(),
            "REDIS_URL": broker.url,
            "DATABASE_URL": database_url(),
            "ECHOLOOP_DATA_DIR": str(tmp_path),
            "ECHOLOOP_TEND_SECONDS": "1",
        }
        log = tmp_path / "beat.log"
        proc = subprocess.Popen(
            local_command(command),
            cwd=ROOT,
            env=env,
            stdout=open(log, "w"),
            stderr=subprocess.STDOUT,
        )
        try:
            client = redis.Redis.from_url(broker.url)
            wait_until(lambda: client.llen("score") > 0, timeout=60, what="beat to send tend_loop")
            assert b"sampling.tasks.tend_loop" in client.lindex("score", 0)
        finally:
            stop_process(proc)


def test_collectstatic_of_the_image_build(tmp_path):
    env = {**app_env(), "STATIC_ROOT": str(tmp_path / "static"), "ECHOLOOP_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    collected = {
        p.relative_to(tmp_path / "static").as_posix() for p in (tmp_path / "static").rglob("*")
    }
    assert "annotator/annotate.js" in collected and "admin/css/base.css" in collected


def test_compose_yaml_is_plain_yaml():
    """Lists for commands (no shell), and nothing compose would need an engine to check."""
    data = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    for name, spec in data["services"].items():
        if "command" in spec:
            assert isinstance(spec["command"], list), name
    assert Path(DOCKER / "create_bucket.py").exists() and Path(DOCKER / "healthcheck.py").exists()
