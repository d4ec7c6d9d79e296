"""The people of benchmarks/loop.py, over HTTP only: simulated annotators and a lead watching.

An annotator logs in with a token, leases the next task, answers it from the expert's boxes after a
fixed labelling time and submits, until every pool clip is labelled or time is up. Whenever the
queue answers 204 while unlabelled pool clips remain, the annotator is waiting: that time is logged.
The lead polls the training runs, model versions and the model dashboard and keeps the first time
each state was seen (client clock; the server's own timestamps are read too).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests

from benchmarks.loop_data import Box, answer


class Client:
    """A requests session logged in with an API token."""

    def __init__(self, base: str, username: str, token: str):
        self.base = base
        self.username = username
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.session.request(method, self.base + path, timeout=60, **kwargs)

    def get_all(self, path: str, **params) -> list[dict]:
        """Every row of a paginated list (or the list itself)."""
        rows, url, first = [], self.base + path, True
        while url:
            response = self.session.get(url, params=params if first else None, timeout=60)
            response.raise_for_status()
            data, first = response.json(), False
            if isinstance(data, list):
                return data
            rows += data["results"]
            url = data.get("next")
        return rows


# --- the annotators -----------------------------------------------------------------------------------


@dataclass
class Submitted:
    task: int
    clip: int
    annotator: str
    sent_at: float  # epoch seconds, when the submit was sent
    answered_at: float
    status: int
    annotation: int | None
    n_events: int
    no_calls: bool
    error: str = ""


@dataclass
class Shared:
    """What the annotators share: the pool, what is labelled, their logs, and when to stop."""

    pool: set[int]
    deadline: float  # epoch
    labelled: set[int] = field(default_factory=set)
    submits: list[Submitted] = field(default_factory=list)
    waits: list[tuple[str, float, float, int]] = field(default_factory=list)  # who, from, to, left
    errors: list[str] = field(default_factory=list)
    claims: int = 0
    empty_answers: int = 0
    done_at: float | None = None  # every pool clip labelled
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remaining(self) -> int:
        with self.lock:
            return len(self.pool - self.labelled)

    def finished(self) -> bool:
        return time.time() >= self.deadline or self.remaining() == 0


class Annotator(threading.Thread):
    """One expert: lease, look for ``label_s`` seconds, submit the expert's answer, repeat."""

    def __init__(
        self,
        client: Client,
        name: str,
        shared: Shared,
        boxes: dict[str, list[Box]],
        recordings: dict[int, str],
        tags: dict[str, int],
        *,
        label_s: float,
        poll_s: float,
        project: int,
    ):
        super().__init__(name=name, daemon=True)
        self.client, self.shared, self.boxes = client, shared, boxes
        self.recordings, self.tags = recordings, tags
        self.label_s, self.poll_s, self.project = label_s, poll_s, project
        self.waiting_since: float | None = None
        self.waiting_left = 0

    def run(self) -> None:
        while not self.shared.finished():
            try:
                task = self.claim()
                if task is None:
                    time.sleep(self.poll_s)
                    continue
                self.stop_waiting()
                time.sleep(self.label_s)
                self.submit(task)
            except Exception as exc:  # logged; this annotator goes on with the next clip
                self.log_error(f"{type(exc).__name__}: {exc}")
                time.sleep(self.poll_s)
        self.stop_waiting()

    def recording_name(self, recording: dict) -> str:
        """The file a task's clip comes from (looked up once for recordings added later)."""
        if recording["id"] not in self.recordings:
            response = self.client.request("GET", f"/api/recordings/{recording['id']}/")
            response.raise_for_status()
            self.recordings[recording["id"]] = response.json()["name"]
        return self.recordings[recording["id"]]

    def claim(self) -> dict | None:
        try:
            response = self.client.request("POST", f"/api/projects/{self.project}/tasks/next/")
        except requests.RequestException as exc:
            self.log_error(f"claim: {type(exc).__name__}: {exc}")
            return None
        with self.shared.lock:
            self.shared.claims += 1
        if response.status_code == 200:
            return response.json()
        if response.status_code == 204:
            with self.shared.lock:
                self.shared.empty_answers += 1
            left = self.shared.remaining()
            if left and self.waiting_since is None:
                self.waiting_since, self.waiting_left = time.time(), left
            elif not left:
                self.stop_waiting()
        else:
            self.log_error(f"claim: {response.status_code} {response.text[:200]}")
        return None

    def stop_waiting(self) -> None:
        if self.waiting_since is not None:
            with self.shared.lock:
                end = self.shared.done_at or time.time()
                self.shared.waits.append((self.name, self.waiting_since, end, self.waiting_left))
            self.waiting_since = None

    def submit(self, task: dict) -> None:
        clip = task["clip"]
        body = answer(self.boxes.get(self.recording_name(clip["recording"]), []), clip, self.tags)
        sent = time.time()
        status, annotation, error = 0, None, ""
        try:
            response = self.client.request("POST", f"/api/tasks/{task['id']}/submit/", json=body)
            status = response.status_code
            if status == 200:
                annotation = response.json()["id"]
            else:
                error = response.text[:300]
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        record = Submitted(
            task["id"],
            clip["id"],
            self.name,
            sent,
            time.time(),
            status,
            annotation,
            len(body["events"]),
            body["no_calls"],
            error,
        )
        with self.shared.lock:
            self.shared.submits.append(record)
            if status == 200:
                self.shared.labelled.add(clip["id"])
                if not self.shared.pool - self.shared.labelled and self.shared.done_at is None:
                    self.shared.done_at = time.time()
        if error:
            self.log_error(f"submit {task['id']}: {status} {error}")

    def log_error(self, text: str) -> None:
        with self.shared.lock:
            if len(self.shared.errors) < 200:
                self.shared.errors.append(f"{self.name}: {text}")


# --- the lead, watching -------------------------------------------------------------------------------


@dataclass
class Watch:
    """First-seen times (epoch, client clock) of what the lead's API calls showed."""

    runs: dict[int, dict] = field(default_factory=dict)  # id → latest JSON
    run_seen: dict[int, dict[str, float]] = field(default_factory=dict)  # id → "status:x" → time
    versions: dict[int, dict] = field(default_factory=dict)
    active_seen: dict[int, float] = field(default_factory=dict)  # version id → first seen active
    curve_seen: dict[int, dict] = field(default_factory=dict)  # version number → first point seen
    dashboard: dict | None = None
    errors: list[str] = field(default_factory=list)
    polls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> list[dict]:
        with self.lock:
            return [r for r in self.runs.values() if r.get("status") == "running"]


class Lead(threading.Thread):
    """Polls GET training-runs, model-versions (every ``poll_s``) and the model dashboard."""

    def __init__(
        self,
        client: Client,
        project: int,
        watch: Watch,
        *,
        poll_s: float = 1.0,
        dashboard_every: int = 5,
    ):
        super().__init__(name="lead", daemon=True)
        self.client, self.project, self.watch = client, project, watch
        self.poll_s, self.dashboard_every = poll_s, dashboard_every
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.poll()
            except Exception as exc:  # keep watching through a failed poll
                with self.watch.lock:
                    if len(self.watch.errors) < 100:
                        self.watch.errors.append(f"{type(exc).__name__}: {exc}")
            self.stopping.wait(self.poll_s)
        self.poll(dashboard=True)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=120)

    def poll(self, *, dashboard: bool = False) -> None:
        now = time.time()
        runs = self.client.get_all("/api/training-runs/", project=self.project)
        versions = self.client.get_all("/api/model-versions/", project=self.project)
        with self.watch.lock:
            self.watch.polls += 1
            for run in runs:
                self.watch.runs[run["id"]] = run
                seen = self.watch.run_seen.setdefault(run["id"], {})
                seen.setdefault(f"status:{run.get('status')}", now)
                if run.get("phase") is not None:
                    seen.setdefault(f"phase:{run['phase']}", now)
            for version in versions:
                self.watch.versions[version["id"]] = version
                if version.get("is_active"):
                    self.watch.active_seen.setdefault(version["id"], now)
        if dashboard or self.watch.polls % self.dashboard_every == 1:
            self.poll_dashboard(now)

    def poll_dashboard(self, now: float) -> None:
        response = self.client.request("GET", f"/api/projects/{self.project}/dashboard/model/")
        response.raise_for_status()
        data = response.json()
        curve = data.get("learning_curve") or {}
        with self.watch.lock:
            self.watch.dashboard = data
            for point in curve.get("points", []):
                self.watch.curve_seen.setdefault(point.get("version"), {**point, "seen_at": now})
