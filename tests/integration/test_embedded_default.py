"""The embedded default started the way the README starts it: SQLite, local files, a real worker on
kombu's filesystem transport, no servers."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.services import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def embedded(tmp_path):
    """`make demo` in a fresh data directory with no DATABASE_URL / REDIS_URL."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "ECHOLOOP_S3_BUCKET")
    }
    env |= {
        "ECHOLOOP_DATA_DIR": str(tmp_path / "data"),
        "VENV": str(Path(sys.executable).parents[1]),
    }
    log = open(tmp_path / "demo.log", "w")
    proc = subprocess.Popen(
        ["make", "-s", "demo", f"ADDR=127.0.0.1:{port}", f"VENV={env['VENV']}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/healthz", proc, tmp_path / "demo.log")
        yield base, (tmp_path / "demo.log"), env, proc
    finally:
        _stop_group(proc)
        log.close()
        _reap_workers(tmp_path / "demo.log")


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to `make demo`'s group; `serve` then stops its workers (up to ~20 s: warm, cold,
    kill). Past 60 s the group is killed."""
    try:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=60)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)


def _reap_workers(log_path: Path) -> None:
    """The workers lead sessions of their own, out of the group's reach: if `serve` was killed
    before it stopped them (the 60-s bound above, on a loaded machine), they must not outlive the
    test (they kept polling the filesystem broker after CI ended). `test_ctrl_c_…` is the test that
    `serve` stops them by itself."""
    found = re.search(r"Celery workers started \(pids ([\d, ]+)\)", log_path.read_text())
    for pid in map(int, found.group(1).split(", ")) if found else ():
        try:
            os.killpg(pid, 9)
        except ProcessLookupError:
            pass


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
    response = session.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": base},
    )
    assert response.ok and "Log out" in response.text
    return session


def test_demo_serves_project_and_runs_celery_on_the_filesystem_broker(embedded):
    base, log_path, env, _proc = embedded
    output = log_path.read_text()
    password = re.search(r"user 'annotator' password '([^']+)'", output).group(1)
    session = login(base, "annotator", password)
    projects = session.get(f"{base}/api/projects/").json()["results"]
    assert [p["name"] for p in projects] == ["Costa Rica bats (demo)"]
    stats = session.get(f"{base}/api/projects/{projects[0]['id']}/stats/").json()
    # Ten recordings; the published boxes of the two labelled and the three held-out ones.
    assert stats["recordings"] == 10 and stats["events"] == 235 and stats["tasks"]["queued"] >= 6
    csrf = session.cookies["csrftoken"]
    task = session.post(
        f"{base}/api/projects/{projects[0]['id']}/tasks/next/",
        headers={"X-CSRFToken": csrf, "Referer": base},
    )
    assert task.status_code == 200 and task.json()["clip"]["recording"]["samplerate"] in (
        375_000,
        384_000,
    )
    # The worker that `make demo` started answers through kombu's filesystem transport.
    code = "from echoloop.celery import ping; print(ping.delay().get(timeout=60))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "pong", result.stderr
    # A lead's round is chosen by that worker (202, then poll), never in the web request.
    lead = login(base, "lead", re.search(r"user 'lead' password '([^']+)'", output).group(1))
    asked = lead.post(
        f"{base}/api/projects/{projects[0]['id']}/sampling-rounds/",
        json={"batch_size": 2},
        headers={"X-CSRFToken": lead.cookies["csrftoken"], "Referer": base},
    )
    assert asked.status_code == 202, asked.text
    poll = f"{base}{asked.json()['url']}"
    wait_until(
        lambda: lead.get(poll).json()["status"] in ("done", "failed"),
        timeout=120,
        what=lambda: f"the worker to choose the round: {lead.get(poll).json()}",
    )
    assert lead.get(poll).json()["round"]["batch_size"] == 2, lead.get(poll).json()


def test_first_run_prints_where_it_serves_an_admin_and_no_broker_warnings(embedded):
    base, log_path, _env, _proc = embedded
    output = log_path.read_text()
    assert f"Open {base}/" in output  # the port asked for, not 8000
    assert "No hostname was supplied" not in output
    password = re.search(r"user 'admin' password '([^']+)'", output).group(1)
    admin = login(base, "admin", password)
    assert admin.get(f"{base}/admin/annotator/project/").status_code == 200
    # The API docs work offline: Swagger UI's files come from our static files, not a CDN.
    docs = admin.get(f"{base}/api/docs/")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text)
    assert any("swagger-ui-bundle" in a for a in assets), docs.text[:2000]
    for asset in assets:
        assert requests.get(f"{base}{asset}", timeout=10).status_code == 200, asset
    icon = requests.get(f"{base}/favicon.ico", timeout=10)
    assert icon.status_code == 200 and icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def _session(sid: int) -> list[str]:
    """The processes of a session (a worker started by `serve` leads one, with its pool)."""
    return subprocess.run(["pgrep", "-s", str(sid)], capture_output=True, text=True).stdout.split()


def test_ctrl_c_stops_web_and_workers_even_mid_training(embedded):
    """Ctrl-C in the terminal (SIGINT to the foreground group) while a training runs: the web
    server and both workers, pool children included, are gone within the shutdown's bound."""
    base, log_path, _env, proc = embedded
    output = log_path.read_text()
    workers = [
        int(p)
        for p in re.search(r"Celery workers started \(pids ([\d, ]+)\)", output)
        .group(1)
        .split(", ")
    ]
    lead = login(base, "lead", re.search(r"user 'lead' password '([^']+)'", output).group(1))
    project = lead.get(f"{base}/api/projects/").json()["results"][0]["id"]
    started = lead.post(
        f"{base}/api/projects/{project}/retrain/",
        json={"force": True},
        headers={"X-CSRFToken": lead.cookies["csrftoken"], "Referer": base},
    )
    assert started.status_code in (202, 409), (
        started.text
    )  # 409: the demo's own first training runs

    def training_running() -> bool:
        runs = lead.get(f"{base}/api/training-runs/", params={"project": project}).json()["results"]
        return any(r["status"] == "running" for r in runs)

    wait_until(training_running, timeout=180, what="a training to be running")
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on Ctrl-C
    # Warm shutdown 5 s, cold 10 s, kill 5 s: 20 s, with room for a loaded machine.
    wait_until(
        lambda: proc.poll() is not None and not any(_session(w) for w in workers),
        timeout=45,
        what=lambda: (
            f"everything to stop: make {proc.poll()}, workers {[_session(w) for w in workers]}"
        ),
    )
    assert "Stopped." in log_path.read_text()
