"""Load test of the annotation loop: N simulated annotators against gunicorn, PostgreSQL and Redis.

Each annotator loops claim (POST tasks/next) → spectrogram PNG → time-expanded audio → submit,
for a bounded time. Afterwards the run is checked: no task was ever held by two annotators at
once (every lease is logged), and every submission answered 200 is exactly one annotation in the
database with all its boxes (nothing lost, nothing duplicated).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/echoloop REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/load.py --annotators 20 50 --seconds 120

It creates a scratch database next to DATABASE_URL's (dropped at the end), seeds a bat project
(256 kHz recordings cut into 0.5 s clips) in which every clip has one task slot per annotator —
the queue never gives one annotator two slots of a clip — pre-renders the spectrograms the
annotators ask for (the render queue's job in production), and starts gunicorn with the command
of docker/compose.yaml. tests/integration/test_load_smoke.py runs a short version.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import requests
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("claim", "image", "audio", "submit", "heavy")


# --- seeding (inside Django) ----------------------------------------------------------------------


def make_audio(folder: Path, *, recordings: int, seconds: float, rate: int = 256_000) -> None:
    """Synthetic bat passes: FM sweeps every 80 ms over noise (distinct per file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(recordings):
        path = folder / f"load-{i:03d}.wav"
        if path.exists():
            continue
        rng = np.random.default_rng(i)
        t = np.arange(int(seconds * rate)) / rate
        phase = (t % 0.08) / 0.005
        sweep = np.where(phase < 1, np.sin(2 * np.pi * (60_000 - 20_000 * phase) * t), 0.0)
        signal = 0.3 * sweep + 0.01 * rng.standard_normal(t.size)
        sf.write(path, signal.astype(np.float32), rate, subtype="PCM_16")


def seed(
    audio_dir: Path, *, annotators: int, label: str, max_clips: int | None = None, heavy: int = 0
) -> dict:
    """A project with one task slot per annotator on every clip, its users and their tokens, and
    ``heavy`` viewers (members who only look: see `HeavyMember`)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from annotator import ingest, rendering
    from annotator.models import AnnotationTask, AudioRoot, Dataset, Membership, Project, Role, Tag

    project = Project.objects.create(
        name=f"load {label}",
        clip_length_s=0.5,
        context_s=0.1,
        fmin_hz=10_000,
        fmax_hz=120_000,
        double_annotation_fraction=0.0,
        retrain_every=1_000_000,  # the check after each submit runs, a training never starts
    )
    tag = Tag.objects.create(project=project, value="Pipistrellus pipistrellus")
    dataset = Dataset.objects.create(project=project, name="load")
    AudioRoot.objects.get_or_create(
        path=str(audio_dir.resolve()), defaults={"name": f"load {label}"}
    )
    ingest.import_location(project, dataset, str(audio_dir))
    clips = list(project.clips.select_related("recording").order_by("pk")[:max_clips])
    for clip in clips:  # what the render queue does after enqueueing: the first view, cached
        start, end = rendering.default_window(project, clip)
        rendering.render(
            clip.recording,
            rendering.parse_spec(
                "spectrogram", {"start": start, "end": end}, clip.recording, project
            ),
        )
    rng = random.Random(0)
    AnnotationTask.objects.bulk_create(
        AnnotationTask(
            project=project,
            clip=clip,
            slot=slot,
            annotations_needed=annotators,
            priority=rng.random(),
            source="load",
        )
        for clip in clips
        for slot in range(1, annotators + 1)
    )
    # The seed bulk-loads thousands of tasks at once; production's autovacuum analyzes such a
    # table within a minute, and until then the claim query is planned on empty statistics.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users, tokens = {}, {}
    for i in range(annotators):
        user = get_user_model().objects.create_user(f"load-{label}-{i:02d}")  # no password
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        users[user.username], tokens[user.username] = user.pk, Token.objects.create(user=user).key
    heavy_tokens = {}
    for i in range(heavy):
        user = get_user_model().objects.create_user(f"heavy-{label}-{i:02d}")
        Membership.objects.create(project=project, user=user, role=Role.VIEWER)
        heavy_tokens[user.username] = Token.objects.create(user=user).key
    recording = clips[0].recording
    return {
        "heavy_tokens": heavy_tokens,
        "heavy_views": heaviest_views(recording, project) if heavy else [],
        "recordings": sorted({c.recording_id for c in clips}),
        "recording_s": recording.duration_s,
        "project": project.pk,
        "tag": tag.pk,
        "context_s": project.context_s,
        "users": users,
        "tokens": tokens,
        "clips": len(clips),
    }


# --- the simulated annotators (plain HTTP, no Django) -------------------------------------------


@dataclass
class Submit:
    task: int
    annotator: str
    status: int
    annotation: int | None
    events: int


@dataclass
class Result:
    calls: list = field(default_factory=list)  # (kind, status, seconds, started at, monotonic)
    leases: list = field(default_factory=list)  # [task, annotator, leased_at, done_at]
    submits: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    image_cache: defaultdict = field(default_factory=lambda: defaultdict(int))  # X-Cache: hit/miss
    seconds: float = 0.0
    measured_from: float = 0.0  # monotonic; calls before it are warm-up, left out of the latencies
    measured_from_epoch: float = 0.0  # the same instant as wall-clock time, for the access log
    lock: threading.Lock = field(default_factory=threading.Lock)

    def measured(self) -> list:
        return [c for c in self.calls if c[3] >= self.measured_from]


def events_for(task_id: int, clip: dict, tag: int) -> list[dict]:
    """1–3 boxes inside the clip; the number is fixed by the task so the database can be checked."""
    start = clip["start_s"]
    return [
        {
            "start_s": start + 0.05 + 0.1 * i,
            "end_s": start + 0.08 + 0.1 * i,
            "low_hz": 25_000.0,
            "high_hz": 60_000.0,
            "tag": tag,
        }
        for i in range(1 + task_id % 3)
    ]


class Annotator(threading.Thread):
    """One simulated annotator. With think time, each pause is drawn from 0.5–1.5× ``think`` and
    the first clip is opened after a random part of one pause: people do not click in lockstep,
    and annotators that all start at once and pause exactly alike would hit the server in bursts
    of N requests forever."""

    def __init__(
        self, base: str, plan: dict, name: str, deadline: float, think: float, result: Result
    ):
        super().__init__(name=name, daemon=True)
        self.base, self.plan, self.deadline, self.think, self.result = (
            base,
            plan,
            deadline,
            think,
            result,
        )
        self.rng = random.Random(name)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {plan['tokens'][name]}"

    def call(self, kind: str, method: str, path: str, **kwargs) -> requests.Response | None:
        began, started = time.monotonic(), time.perf_counter()
        phase = "measured" if began >= self.result.measured_from else "warmup"
        try:
            response = self.session.request(
                method, self.base + path, timeout=30, headers={"X-Load-Phase": phase}, **kwargs
            )
        except requests.RequestException as exc:
            with self.result.lock:
                self.result.errors.append(f"{kind}: {type(exc).__name__}: {str(exc)[:120]}")
                self.result.calls.append((kind, 0, time.perf_counter() - started, began))
            return None
        with self.result.lock:
            took = time.perf_counter() - started
            self.result.calls.append((kind, response.status_code, took, began))
            if response.status_code >= 500 and len(self.result.errors) < 200:
                self.result.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
        return response

    def run(self) -> None:
        if self.think:
            time.sleep(self.rng.uniform(0, self.think))
        while time.monotonic() < self.deadline:
            if not self.one_clip():
                time.sleep(0.2)
            if self.think:
                time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def one_clip(self) -> bool:
        claimed = self.call("claim", "POST", f"/api/projects/{self.plan['project']}/tasks/next/")
        if claimed is None or claimed.status_code != 200:
            return False
        task = claimed.json()
        lease = [task["id"], self.name, time.monotonic(), None]
        with self.result.lock:
            self.result.leases.append(lease)
        clip, context = task["clip"], self.plan["context_s"]
        recording = clip["recording"]
        window = {
            "start": max(0.0, clip["start_s"] - context),
            "end": min(recording["duration_s"], clip["end_s"] + context),
        }
        image = self.call(
            "image", "GET", f"/api/recordings/{recording['id']}/spectrogram.png", params=window
        )
        if image is not None:
            with self.result.lock:
                self.result.image_cache[image.headers.get("X-Cache", "none")] += 1
        self.call(
            "audio",
            "GET",
            f"/api/recordings/{recording['id']}/audio.wav",
            params={"start": clip["start_s"], "end": clip["end_s"], "expansion": 10},
        )
        events = events_for(task["id"], clip, self.plan["tag"])
        body = {"version": None, "tags": [self.plan["tag"]], "events": events}
        submitted = self.call("submit", "POST", f"/api/tasks/{task['id']}/submit/", json=body)
        status = submitted.status_code if submitted is not None else 0
        annotation = submitted.json().get("id") if status == 200 else None
        with self.result.lock:
            self.result.submits.append(
                Submit(task["id"], self.name, status, annotation, len(events))
            )
            if status in (200, 409):  # 409: an earlier attempt whose answer was lost did save it
                lease[3] = time.monotonic()
        return status == 200


def heaviest_views(recording, project) -> list[dict]:
    """For each kind, the longest window (and its settings) the view limit still accepts: the
    heaviest views a member may ask for. Found by bisection through the product's own check."""
    from annotator import rendering

    candidates = [
        {
            "kind": "spectrogram",
            "window_s": 0.1,
            "overlap": 0.95,
            "sharpen": "reassigned",
            "levels": "fixed",
            "fmin": 0,
            "height": 4096,
        },
        {
            "kind": "scalogram",
            "width": 4096,
            "height": 4096,
            "fmin": 1000,
            "w0": 6,
            "levels": "fixed",
        },
    ]
    views = []
    for params in candidates:
        lo, hi = 0.01, min(recording.duration_s, rendering.MAX_WINDOW_S)
        for _ in range(30):
            mid = (lo + hi) / 2
            try:
                rendering.parse_spec(
                    params["kind"], {**params, "start": 0, "end": mid}, recording, project
                )
                lo = mid
            except rendering.BadViewRequest:
                hi = mid
        views.append({**params, "span": round(lo, 3)})
    return views


class HeavyMember(threading.Thread):
    """A member asking, as fast as answers come, for the heaviest views they are allowed, never
    the same twice (random start and dB floor: every one is uncached). Several of these threads
    share one member's token, as a page loading tiles would."""

    def __init__(
        self,
        base: str,
        plan: dict,
        name: str,
        token: str,
        deadline: float,
        result: Result,
        seed: int,
    ):
        super().__init__(name=f"{name}#{seed}", daemon=True)
        self.base, self.plan, self.deadline, self.result = base, plan, deadline, result
        self.rng = random.Random(f"{name}#{seed}")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            view = dict(self.rng.choice(self.plan["heavy_views"]))
            kind, span = view.pop("kind"), view.pop("span")
            start = round(self.rng.uniform(0, max(0.0, self.plan["recording_s"] - span - 0.01)), 6)
            view.update(
                start=start,
                end=round(start + span, 6),
                db_min=self.rng.randint(-120, -60),
                db_max=0,
            )
            recording = self.rng.choice(self.plan["recordings"])
            began, started = time.monotonic(), time.perf_counter()
            try:
                response = self.session.get(
                    f"{self.base}/api/recordings/{recording}/{kind}.png", params=view, timeout=120
                )
                status = response.status_code
            except requests.RequestException:
                status = 0
            with self.result.lock:
                self.result.calls.append(("heavy", status, time.perf_counter() - started, began))
            if status == 429:  # what a page does with Retry-After: wait, then ask again
                time.sleep(min(float(response.headers.get("Retry-After", 1)), 5))


def run_load(
    base: str,
    plan: dict,
    *,
    annotators: int,
    seconds: float,
    think: float = 0.0,
    warmup: float = 0.0,
    heavy_threads: int = 0,
) -> Result:
    """Run the annotators for ``seconds``; latencies count from ``warmup`` seconds in.

    The annotators are threads of this process. With Python's default 5 ms GIL switch interval
    they queue behind each other for the GIL after every response (a convoy: at saturation the
    generator, not the server, capped the run at ~27 clips/s with a third of the CPU idle), so
    the interval is 0.5 ms while they run.
    """
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        return _run_load(base, plan, annotators, seconds, think, warmup, heavy_threads)
    finally:
        sys.setswitchinterval(switch)


def _run_load(
    base: str,
    plan: dict,
    annotators: int,
    seconds: float,
    think: float,
    warmup: float,
    heavy_threads: int = 0,
) -> Result:
    result = Result()
    started = time.monotonic()
    result.measured_from, result.measured_from_epoch = started + warmup, time.time() + warmup
    threads = [
        Annotator(base, plan, name, started + seconds, think, result)
        for name in sorted(plan["tokens"])[:annotators]
    ]
    threads += [
        HeavyMember(base, plan, name, token, started + seconds, result, i)
        for name, token in sorted(plan.get("heavy_tokens", {}).items())
        for i in range(heavy_threads)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.monotonic() - started
    return result


# --- the invariants (inside Django) ---------------------------------------------------------------


def double_leases(result: Result) -> list[str]:
    """Tasks held by two annotators at overlapping times (a lease ends when its submit is saved)."""
    by_task = defaultdict(list)
    for task, who, start, end in result.leases:
        by_task[task].append((start, end if end is not None else float("inf"), who))
    problems = []
    for task, spans in by_task.items():
        spans.sort()
        held_until, holder = spans[0][1], spans[0][2]
        for start, end, who in spans[1:]:
            if who != holder and start < held_until:
                problems.append(f"task {task} leased to {holder} and {who} at once")
            if end > held_until:
                held_until, holder = end, who
    return problems


def verify(plan: dict, result: Result, *, strict: bool = True) -> list[str]:
    """Every 200 is one stored annotation with all its boxes; with ``strict``, nothing else is stored.

    Without ``strict`` (fault tests) an annotation whose answer was lost may exist, but then whole.
    """
    from django.db.models import Count

    from annotator.models import AnnotationTask, ClipAnnotation

    stored = {
        a.pk: a
        for a in ClipAnnotation.objects.filter(project=plan["project"]).annotate(
            n_events=Count("events")
        )
    }
    tasks = {t.pk: t for t in AnnotationTask.objects.filter(project=plan["project"])}
    expected_events = {s.task: s.events for s in result.submits}
    problems = double_leases(result)
    ok = [s for s in result.submits if s.status == 200]
    ids = [s.annotation for s in ok]
    if len(ids) != len(set(ids)):
        problems.append("two submissions answered 200 with the same annotation (one overwritten)")
    for s in ok:
        annotation = stored.get(s.annotation)
        if annotation is None:
            problems.append(
                f"submission of task {s.task} by {s.annotator} answered 200 but is lost"
            )
        elif annotation.annotator_id != plan["users"][s.annotator]:
            problems.append(f"annotation {s.annotation} belongs to someone else")
    answered = set(ids)
    for annotation in stored.values():
        task = tasks.get(annotation.task_id)
        if task is None or annotation.n_events != expected_events.get(task.pk):
            problems.append(
                f"annotation {annotation.pk} is incomplete ({annotation.n_events} boxes)"
            )
        elif task.status != "submitted" or task.completed_by_id != annotation.annotator_id:
            problems.append(f"annotation {annotation.pk} saved but task {task.pk} is {task.status}")
        if strict and annotation.pk not in answered:
            problems.append(f"annotation {annotation.pk} stored without a 200 answer")
    return problems


# --- reporting ------------------------------------------------------------------------------------


def table(result: Result, annotators: int, budget_s: float | None = None) -> str:
    ok = sum(1 for s in result.submits if s.status == 200)
    calls = result.measured()
    lines = [
        f"{annotators} annotators, {result.seconds:.0f} s: {ok} submissions "
        f"({ok / result.seconds:.1f}/s), {len(result.calls) / result.seconds:.0f} requests/s, "
        f"{len(result.errors)} errors; latencies from {len(calls)} calls after the warm-up; "
        f"images from the cache: {dict(result.image_cache)}",
        f"{'call':<8}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses",
    ]
    for kind in KINDS:
        rows = [(status, s) for k, status, s, _began in calls if k == kind]
        if not rows:
            continue
        ms = np.array([s for _status, s in rows]) * 1000
        statuses = defaultdict(int)
        for status, _s in rows:
            statuses[status] += 1
        lines.append(
            f"{kind:<8}{len(ms):>7}{np.percentile(ms, 50):>9.1f}{np.percentile(ms, 95):>9.1f}"
            f"{np.percentile(ms, 99):>9.1f}{ms.max():>9.1f}  {dict(sorted(statuses.items()))}"
        )
    heavy = [(status, s) for k, status, s, _began in result.calls if k == "heavy"]
    if heavy and budget_s is not None:
        # The pool's timer checks every ~0.2 s and the answer still has to travel: 1 s of slack.
        late = [(status, s) for status, s in heavy if s > budget_s + 1.0]
        late_ok = [1 for status, s in late if status == 200]
        lines.append(
            f"  heavy views: {len(heavy)} asked (whole run), answered after the {budget_s:g} s budget "
            f"(+1 s): {len(late)}, of them rendered (200): {len(late_ok)}"
        )
    return "\n".join(lines)


def call_kind(path: str) -> str | None:
    for suffix, kind in (("/tasks/next/", "claim"), ("/submit/", "submit"), (".png", "image")):
        if path.endswith(suffix):
            return kind
    return "audio" if path.endswith(".wav") else None


def server_table(access_log: Path) -> str:
    """Server-side time per measured call from gunicorn's access log (%(D)s: microseconds), and how
    the annotators' calls were split between the gunicorn processes (%(p)s: <pid>)."""
    times = defaultdict(list)
    by_process = defaultdict(int)
    for line in access_log.read_text().splitlines():
        parts = line.split()
        if len(parts) != 5 or not parts[2].isdigit() or parts[3] != "measured":
            continue
        if kind := call_kind(parts[1]):
            times[kind].append(int(parts[2]) / 1000)
            by_process[parts[4]] += 1
    rows = [
        f"  server {k:<7} p50 {np.percentile(v, 50):6.1f} ms  p95 {np.percentile(v, 95):6.1f} ms"
        for k in KINDS
        if (v := times.get(k))
    ]
    total = max(1, sum(by_process.values()))
    split = " / ".join(f"{100 * n / total:.0f}%" for n in sorted(by_process.values(), reverse=True))
    rows.append(f"  measured requests per gunicorn process: {split} ({len(by_process)} processes)")
    return "\n".join(rows)


# --- where the cores go -----------------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the fields after "pid (comm)"


def cpu_by_group(web_root: int) -> dict[str, float]:
    """CPU seconds so far of the web server (gunicorn and its workers) and of the whole machine.

    PostgreSQL's backends come and go (connections are recycled after CONN_MAX_AGE), so their
    own counters lose the CPU of those that ended; what the machine spent beyond the web server
    and the load generator is reported instead (PostgreSQL, Redis, the kernel's networking).
    """
    tick = os.sysconf("SC_CLK_TCK")
    web = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or (fields := _stat(int(entry.name))) is None:
            continue
        if int(entry.name) == web_root or int(fields[1]) == web_root:
            web += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(v) for i, v in enumerate(cpu[:8]) if i not in (3, 4))  # all but idle, iowait
    return {"web": web, "machine": busy / tick}


def cpu_line(before: dict, after: dict, client_s: float, result: Result) -> str:
    done = max(1, sum(1 for s in result.submits if s.status == 200))
    web = after["web"] - before["web"]
    machine = after["machine"] - before["machine"]
    used = {"web": web, "load generator": client_s, "the rest": machine - web - client_s}
    per_clip = ", ".join(f"{k} {1000 * v / done:.1f}" for k, v in used.items())
    busy = machine / result.seconds
    return (
        f"  CPU ms per submitted clip: {per_clip} (PostgreSQL, Redis, kernel); "
        f"cores busy on average: {busy:.2f} of {os.cpu_count()}"
    )


# --- running it -----------------------------------------------------------------------------------


def scratch_database(url: str) -> tuple[str, str]:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"echoloop_load_{os.getpid()}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    assert config["ENGINE"].endswith("postgresql"), "the load test needs PostgreSQL"
    return url.rsplit("/", 1)[0] + "/" + name, name


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def gunicorn_command(
    port: int,
    workers: int,
    threads: int | None,
    access_log: Path,
    *,
    keep_alive: int | None = None,
    worker_class: str | None = None,
    worker_connections: int | None = None,
) -> list[str]:
    """docker/compose.yaml's web command on a local port; ``keep_alive`` and ``worker_class``
    replace its own (to measure the alternatives)."""
    import yaml

    services = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())["services"]
    command = [str(part) for part in services["web"]["command"]]
    command[0] = str(Path(sys.executable).parent / command[0])
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--access-logfile") + 1] = str(access_log)
    for option, value in (
        ("--keep-alive", keep_alive),
        ("--worker-class", worker_class),
        ("--worker-connections", worker_connections),
    ):
        if value is not None:
            if option in command:
                command[command.index(option) + 1] = str(value)
            else:
                command += [option, str(value)]
    return [
        *command,
        "--workers",
        str(workers),
        *(["--threads", str(threads)] if threads else []),
        "--access-logformat",
        "%(m)s %(U)s %(D)s %({x-load-phase}i)s %(p)s",  # %(p)s: <pid>
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--annotators", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause between clips (s), drawn 0.5–1.5×"
    )
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="seconds left out of the latencies"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per gunicorn process (compose's)"
    )
    parser.add_argument(
        "--keep-alive", type=int, default=None, help="replaces compose.yaml's --keep-alive"
    )
    parser.add_argument(
        "--worker-class", default=None, help="replaces compose.yaml's --worker-class"
    )
    parser.add_argument(
        "--worker-connections",
        type=int,
        default=None,
        help="replaces compose.yaml's --worker-connections",
    )
    parser.add_argument(
        "--heavy",
        type=int,
        default=0,
        help="also run each size with this many members asking for the heaviest views",
    )
    parser.add_argument(
        "--heavy-threads", type=int, default=3, help="concurrent requests per heavy member"
    )
    # 30 × 15 s = 900 clips: more than one annotator can finish in a run, however the server
    # shares itself out (with 300, a lone fast annotator ran out of clips and saw 204s).
    parser.add_argument("--recordings", type=int, default=30)
    parser.add_argument("--recording-seconds", type=float, default=15.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "load")
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        parser.error("set DATABASE_URL (PostgreSQL) and REDIS_URL")
    args.out.mkdir(parents=True, exist_ok=True)
    make_audio(args.out / "audio", recordings=args.recordings, seconds=args.recording_seconds)
    db_url, db_name = scratch_database(base_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "echoloop.settings",
        "DATABASE_URL": db_url,
        "MEDIA_ROOT": str(args.out / "media"),
        "DEBUG": "0",
        "ECHOLOOP_DATA_DIR": str(args.out / "data"),
        "PYTHONPATH": str(ROOT),
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        for n in args.annotators:
            print(run_one(args, n), flush=True)
            if args.heavy:
                print(run_one(args, n, heavy=args.heavy), flush=True)
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        drop_database(base_url, db_name)
    return 0


def run_one(args, annotators: int, heavy: int = 0) -> str:
    import socket

    from django.conf import settings

    plan = seed(
        args.out / "audio",
        annotators=annotators,
        label=f"{annotators}-{int(time.time())}",
        heavy=heavy,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    access_log = args.out / f"access-{annotators}-{heavy}.log"
    access_log.unlink(missing_ok=True)  # gunicorn appends: one run per log
    log = open(args.out / f"gunicorn-{annotators}-{heavy}.log", "w")
    command = gunicorn_command(
        port,
        args.workers,
        args.threads,
        access_log,
        keep_alive=args.keep_alive,
        worker_class=args.worker_class,
        worker_connections=args.worker_connections,
    )
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env={
            **os.environ,
            "WEB_CONCURRENCY": str(args.workers),
        },  # the render pools share the cores
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        cpu_before, client_before = cpu_by_group(proc.pid), time.process_time()
        result = run_load(
            base,
            plan,
            annotators=annotators,
            seconds=args.seconds + args.warmup,
            think=args.think,
            warmup=args.warmup,
            heavy_threads=args.heavy_threads if heavy else 0,
        )
        cpu = cpu_line(
            cpu_before, cpu_by_group(proc.pid), time.process_time() - client_before, result
        )
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
        log.close()
    problems = verify(plan, result)
    views = "; ".join(f"{v['kind']} {v['span']} s" for v in plan["heavy_views"])

    def option(name: str) -> str:  # the last one given wins, as in gunicorn
        where = [i for i, part in enumerate(command) if part == name]
        return command[where[-1] + 1] if where else "default"

    lines = [
        table(result, annotators, settings.ECHOLOOP_RENDER_BUDGET_S),
        *(
            [f"  plus {heavy} heavy members × {args.heavy_threads} requests at once"]
            if heavy
            else []
        ),
        server_table(access_log),
        cpu,
        f"  {plan['clips']} clips × {annotators} slots; gunicorn {option('--worker-class')} "
        f"{args.workers}×{option('--threads')} threads, keep-alive {option('--keep-alive')} s, "
        f"worker connections {option('--worker-connections')}",
        *([f"  heavy views (longest windows the view limit accepts): {views}"] if heavy else []),
        f"  leases logged: {len(result.leases)}; double leases: {len(double_leases(result))}; "
        f"invariants: {'OK' if not problems else problems[:10]}",
        *(f"  error: {error}" for error in sorted(set(result.errors))[:5]),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())


def save_run(path: Path, plan: dict, result: Result) -> None:
    """Plan and result as JSON, for a check run by another process (on another database)."""
    import json

    data = {"plan": plan, "leases": result.leases, "submits": [vars(s) for s in result.submits]}
    Path(path).write_text(json.dumps(data))


def load_run(path: Path) -> tuple[dict, Result]:
    import json

    data = json.loads(Path(path).read_text())
    result = Result(leases=data["leases"], submits=[Submit(**s) for s in data["submits"]])
    return data["plan"], result
