"""The embedded default started the way the README starts it: SQLite, local files, a real worker on
kombu's filesystem transport, no servers."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded(tmp_path):
    """`make demo` in a fresh data directory with no DATABASE_URL / REDIS_URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "ECHOLOOP_S3_BUCKET")}
    env |= {"ECHOLOOP_DATA_DIR": str(tmp_path / "data"), "VENV": str(Path(sys.executable).parents[1])}
    log = open(tmp_path / "demo.log", "w")
    proc = subprocess.Popen(["make", "-s", "demo", f"ADDR=127.0.0.1:{port}", f"VENV={env['VENV']}"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/healthz", proc, tmp_path / "demo.log")
        yield base, (tmp_path / "demo.log"), env
    finally:
        _stop_group(proc)
        log.close()


def _stop_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)


def _wait_http(url, proc, log_path, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"make demo exited: {log_path.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.5)
    pytest.fail(f"server not up: {log_path.read_text()[-3000:]}")


def login(base, username, password) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{base}/login/", data={"username": username, "password": password,
                                                   "csrfmiddlewaretoken": token}, headers={"Referer": base})
    assert response.ok and "Log out" in response.text
    return session


def test_demo_serves_project_and_runs_celery_on_the_filesystem_broker(embedded):
    base, log_path, env = embedded
    output = log_path.read_text()
    password = re.search(r"user 'annotator' password '([^']+)'", output).group(1)
    session = login(base, "annotator", password)
    projects = session.get(f"{base}/api/projects/").json()["results"]
    assert [p["name"] for p in projects] == ["Costa Rica bats (demo)"]
    stats = session.get(f"{base}/api/projects/{projects[0]['id']}/stats/").json()
    # Ten recordings; the published boxes of the two labelled and the three held-out ones.
    assert stats["recordings"] == 10 and stats["events"] == 235 and stats["tasks"]["queued"] >= 6
    csrf = session.cookies["csrftoken"]
    task = session.post(f"{base}/api/projects/{projects[0]['id']}/tasks/next/",
                        headers={"X-CSRFToken": csrf, "Referer": base})
    assert task.status_code == 200 and task.json()["clip"]["recording"]["samplerate"] in (375_000, 384_000)
    # The worker that `make demo` started answers through kombu's filesystem transport.
    code = "from echoloop.celery import ping; print(ping.delay().get(timeout=60))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.strip() == "pong", result.stderr
