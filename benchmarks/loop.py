"""The loop serves the people in it: annotators never wait, leads are never misled (issue 11).

The real stack of docker/compose.yaml outside containers — a scratch PostgreSQL database, Redis,
gunicorn with the web command, the render/score/train Celery workers (and beat, when compose has
it) — and simulated people over HTTP: annotators who label the pool of a real dataset from its
expert boxes at a fixed pace, and a lead who configures the project and watches. Per dataset it
reports

- how long annotators found the queue empty while unlabelled pool clips remained (target 0);
- per training: label → active model latency (from the submission that triggered it), queue wait,
  training time, phases (when the API reports them), and that each training was followed by exactly
  one rescoring (read from the database);
- per model version: detection AP and F1 on held-out recordings, computed here from the version's
  weights file, next to what the dashboard's learning curve showed for it;
- with ``--kill-train-worker-after S``: the train worker's process group is SIGKILLed once during a
  training and restarted; whether the run was marked failed and redone, no label lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/loop.py                      # both datasets, 10 s per clip
    .venv/bin/python benchmarks/loop.py --quick                  # bats, compressed: a few minutes
    .venv/bin/python benchmarks/loop.py --datasets bats --kill-train-worker-after 60

Datasets: ``bats`` (the Whombat example: 7 recordings are the pool, XC826196, XC826219 and
XC821730 held out, as in benchmarks/detection_quality.py) and ``birds`` (Bengalese finch songs,
syllable intervals: an interval-mode project; 7 songs pool, 3 held out). Held-out recordings are
imported with role ``evaluation`` and their expert labels as annotations when the code supports
roles; otherwise they are not imported at all (they would be training data) and only this script
scores on them. Redis: ``--redis-url`` (db 5 by default) is flushed at start. Results go to
``--out`` as JSON per dataset and one markdown table. tests/integration/test_loop_benchmark_smoke.py
runs ``--quick``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import loop_report  # noqa: E402
from benchmarks.loop_actors import Annotator, Client, Lead, Shared, Watch  # noqa: E402
from benchmarks.loop_data import DATASETS, DatasetSpec, evaluate_version, held_out_clips  # noqa: E402
from benchmarks.loop_stack import (  # noqa: E402
    Stack,
    drop_database,
    example_env,
    flush_redis,
    scratch_database,
)

NA = "n/a"
FINISHED = ("succeeded", "kept_old", "failed", "cancelled")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=None)
    parser.add_argument("--annotators", type=int, default=1)
    parser.add_argument("--label-seconds", type=float, default=10.0, help="labelling time per clip")
    parser.add_argument(
        "--time-compression",
        type=float,
        default=1.0,
        help="divide the labelling time by this (the stack runs at its own speed)",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=45.0, help="labelling time bound per dataset"
    )
    parser.add_argument(
        "--drain-minutes",
        type=float,
        default=10.0,
        help="afterwards, wait this long at most for the last training's chain",
    )
    parser.add_argument("--poll-seconds", type=float, default=1.0, help="an idle annotator's retry")
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--retrain-every", type=int, default=10)
    parser.add_argument("--audit-fraction", type=float, default=0.2)
    parser.add_argument("--double-annotation-fraction", type=float, default=0.0)
    parser.add_argument("--low-water-minutes", type=float, default=2.0)
    parser.add_argument(
        "--epochs", type=int, help="sampling_params.model.epochs (default: the project's)"
    )
    parser.add_argument(
        "--start-from", choices=["synthetic", "scratch"], help="default: the project's"
    )
    parser.add_argument("--train-threads", type=int, help="sampling_params.model.num_threads")
    parser.add_argument(
        "--kill-train-worker-after",
        type=float,
        metavar="SECONDS",
        help="SIGKILL the train worker's process group once, during a training "
        "running this long after labelling started (first dataset)",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        help="ECHOLOOP_BROKER_VISIBILITY_TIMEOUT (default: docker/example.env's)",
    )
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/5",
        help="a Redis database of the benchmark's own: it is flushed",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL server to create the scratch database on",
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="bats only, 20× compressed labelling, 2 epochs from scratch, 4 min",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "loop")
    args = parser.parse_args(argv)
    if args.quick:
        quick = {
            "datasets": ["bats"],
            "time_compression": 20.0,
            "max_minutes": 4.0,
            "drain_minutes": 2.0,
            "epochs": 2,
            "start_from": "scratch",
            "batch_size": 8,
            "retrain_every": 8,
            "poll_seconds": 0.5,
        }
        for key, value in quick.items():
            if getattr(args, key) == parser.get_default(key):
                setattr(args, key, value)
    args.datasets = args.datasets or ["bats", "birds"]
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url (or DATABASE_URL) must be PostgreSQL")
    return args


# --- setting up -----------------------------------------------------------------------------------


def environment(args, db_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        **example_env(),
        "DJANGO_SETTINGS_MODULE": "echoloop.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": args.redis_url,
        "MEDIA_ROOT": str(args.out / "media"),
        "ECHOLOOP_DATA_DIR": str(args.out / "data"),
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    if args.visibility_timeout:
        env["ECHOLOOP_BROKER_VISIBILITY_TIMEOUT"] = str(args.visibility_timeout)
    return env


def role_support() -> dict[str, bool]:
    """Which parts of the evaluation-role contract exist in the code being measured."""
    from django.core.exceptions import FieldDoesNotExist

    from annotator.management.commands.import_recordings import Command
    from annotator.models import Recording

    try:
        Recording._meta.get_field("role")
        field = True
    except FieldDoesNotExist:
        field = False
    parser = Command().create_parser("manage.py", "import_recordings")
    option = any("--role" in action.option_strings for action in parser._actions)
    return {"recording_role_field": field, "import_recordings_role_option": option}


def seed(spec: DatasetSpec, label: str) -> dict:
    """What an admin does: the project (clips and views of the dataset), its taxonomy, users,
    the import root, and the pool recordings imported into dataset "pool"."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from annotator.models import AudioRoot, Clip, Membership, Project, Role, Tag

    project = Project.objects.create(
        name=f"loop {spec.name} {label}", retrain_every=0, **spec.project
    )
    labels = sorted({b.label for boxes in spec.boxes().values() for b in boxes})
    tags = {v: Tag.objects.create(project=project, key=spec.tag_key, value=v).pk for v in labels}
    users = {}
    for name, role in (("lead", Role.LEAD), ("expert", Role.ANNOTATOR)):
        # No passwords: each simulated user gets an API token, as load.py's do.
        user = get_user_model().objects.create_user(f"{label}-{name}")
        users[name] = Token.objects.create(user=user).key
        Membership.objects.create(project=project, user=user, role=role)
    AudioRoot.objects.get_or_create(path=str(spec.folder), defaults={"name": f"loop {spec.name}"})
    for path in spec.pool_files():
        call_command(
            "import_recordings",
            str(path),
            project=str(project.pk),
            dataset="pool",
            verbosity=0,
            stdout=io.StringIO(),
        )
    clips = Clip.objects.filter(project=project, recording__dataset__name="pool")
    return {
        "project": project.pk,
        "label": label,
        "users": users,
        "tags": tags,
        "pool": sorted(clips.values_list("pk", flat=True)),
        "recordings": dict(project.recordings.values_list("pk", "name")),
        "clip_length_s": project.clip_length_s,
        "clip_overlap_s": project.clip_overlap_s,
    }


def add_annotators(plan: dict, n: int) -> None:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotator.models import Membership, Role

    for i in range(n):
        name = f"annotator{i + 1}"
        user = get_user_model().objects.create_user(f"{plan['label']}-{name}")
        plan["users"][name] = Token.objects.create(user=user).key
        Membership.objects.create(project_id=plan["project"], user=user, role=Role.ANNOTATOR)


def import_held_out(spec: DatasetSpec, plan: dict, lead: Client) -> dict:
    """The held-out recordings as the project's evaluation set, if the code has roles."""
    from django.core.management import call_command

    from annotator.models import Recording

    support = role_support()
    out: dict = {**support, "imported": False, "annotations": NA}
    if not (support["recording_role_field"] or support["import_recordings_role_option"]):
        out["note"] = "no evaluation role: held-out recordings not imported (would be trained on)"
        return out
    for path in spec.held_out_files():
        options = {"role": "evaluation"} if support["import_recordings_role_option"] else {}
        call_command(
            "import_recordings",
            str(path),
            project=str(plan["project"]),
            dataset="held-out",
            verbosity=0,
            stdout=io.StringIO(),
            **options,
        )
    held = Recording.objects.filter(project=plan["project"], dataset__name="held-out")
    if not support["import_recordings_role_option"]:
        for pk in held.values_list("pk", flat=True):
            response = lead.request("PATCH", f"/api/recordings/{pk}/", json={"role": "evaluation"})
            if response.status_code != 200:
                out["note"] = f"PATCH recordings/{pk} role: {response.status_code}; removed them"
                held.delete()
                return out
    out["roles"] = (
        sorted(set(held.values_list("role", flat=True))) if support["recording_role_field"] else NA
    )
    out["imported"] = True
    response = lead.request(
        "POST",
        f"/api/projects/{plan['project']}/annotations/import/",
        files={"file": (f"{spec.name}-held-out.csv", spec.held_out_csv(), "text/csv")},
        data={"annotator": f"{plan['label']}-expert"},
    )
    out["annotations"] = (
        response.json()
        if response.status_code == 201
        else f"{response.status_code} {response.text[:300]}"
    )
    return out


def configure(args, spec: DatasetSpec, plan: dict, lead: Client) -> dict:
    """The lead's settings, by PATCH; says which of them the server kept."""
    model = dict(spec.model)
    for key, value in (
        ("epochs", args.epochs),
        ("start_from", args.start_from),
        ("num_threads", args.train_threads),
    ):
        if value is not None:
            model[key] = value
    wanted = {
        "batch_size": args.batch_size,
        "retrain_every": args.retrain_every,
        "audit_fraction": args.audit_fraction,
        "double_annotation_fraction": args.double_annotation_fraction,
        "low_water_minutes": args.low_water_minutes,
        "sampling_params": {"model": model},
    }
    # Top level (the contract) and under "settings" (the serializer of today): both, same values.
    response = lead.request(
        "PATCH", f"/api/projects/{plan['project']}/", json={**wanted, "settings": wanted}
    )
    got = response.json() if response.ok else {}
    shown = {**got, **(got.get("settings") or {})}
    return {
        "status": response.status_code,
        "wanted": wanted,
        "not_applied": sorted(k for k, v in wanted.items() if shown.get(k) != v),
    }


def cold_start(plan: dict, lead: Client) -> dict:
    """The first batch: a sampling round by the lead, unless something queued one already."""
    queued = lead.get_all("/api/tasks/", project=plan["project"], status="queued")
    if queued:
        return {"by": "the server", "tasks": len(queued)}
    response = lead.request("POST", f"/api/projects/{plan['project']}/sampling-rounds/", json={})
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    deadline = time.monotonic() + 300
    # 202: a worker chooses the round; poll the request until it is done or failed.
    while (
        response.status_code == 202
        and body.get("status") in ("queued", "running")
        and time.monotonic() < deadline
    ):
        time.sleep(1)
        body = lead.request("GET", body["url"]).json()
    picks = (body.get("round") or {}).get("picks", [])
    return {
        "by": "lead",
        "status": response.status_code,
        "round": body.get("status"),
        "picks": len(picks),
    }


# --- the run --------------------------------------------------------------------------------------


class Killer(threading.Thread):
    """Once ``after`` seconds have passed: wait for a running training, SIGKILL the train worker's
    process group, restart it."""

    def __init__(self, stack: Stack, project: int, after: float, until: float):
        super().__init__(name="killer", daemon=True)
        self.stack, self.project, self.after, self.until = stack, project, after, until
        self.record: dict = {"asked_after_s": after, "killed": False}

    def run(self) -> None:
        from django.db import close_old_connections

        from models_app.models import TrainingRun

        began = time.time()
        time.sleep(self.after)
        try:
            while time.time() < self.until:
                # Read from the database (the lead's poll is too slow for a short training).
                run = TrainingRun.objects.filter(project=self.project, status="running").first()
                if run is not None:
                    self.kill(run, began)
                    return
                time.sleep(0.2)
        finally:
            close_old_connections()
        self.record["note"] = "no training was running before the time bound"

    def kill(self, run, began: float) -> None:
        fields = ("status", "phase", "epoch", "n_epochs", "attempt")
        state = {k: getattr(run, k, NA) for k in fields}
        self.stack.kill_group("train")
        now = time.time()
        self.record.update(killed=True, at=now, after_s=now - began, run=run.pk, run_state=state)
        self.stack.restart("train")
        self.record["restarted_after_s"] = time.time() - now


def run_dataset(args, stack: Stack, spec: DatasetSpec, *, kill: bool) -> dict:
    from annotator.models import Recording

    label = f"{spec.name}-{int(time.time())}"
    plan = seed(spec, label)
    add_annotators(plan, args.annotators)
    lead = Client(stack.base, f"{label}-lead", plan["users"]["lead"])
    result: dict = {
        "dataset": spec.name,
        "project": plan["project"],
        "pool_clips": len(plan["pool"]),
    }
    result["held_out_import"] = import_held_out(spec, plan, lead)
    plan["recordings"] = dict(
        Recording.objects.filter(project=plan["project"]).values_list("pk", "name")
    )
    result["settings"] = configure(args, spec, plan, lead)
    result["cold_start"] = cold_start(plan, lead)
    watch = Watch()
    watcher = Lead(lead, plan["project"], watch)
    watcher.start()
    started = time.time()
    shared = Shared(pool=set(plan["pool"]), deadline=started + 60 * args.max_minutes)
    label_s = args.label_seconds / args.time_compression
    annotators = [
        Annotator(
            Client(stack.base, f"{label}-{name}", plan["users"][name]),
            name,
            shared,
            spec.boxes(),
            plan["recordings"],
            plan["tags"],
            label_s=label_s,
            poll_s=args.poll_seconds,
            project=plan["project"],
        )
        for name in sorted(plan["users"])
        if name.startswith("annotator")
    ]
    killer = None
    if kill:
        killer = Killer(stack, plan["project"], args.kill_train_worker_after, shared.deadline)
        killer.start()
    for a in annotators:
        a.start()
    for a in annotators:
        a.join()
    labelling_end = time.time()
    # After a kill, the sweep and the retry take minutes: give them time to show.
    drain_minutes = max(args.drain_minutes, 6.0) if kill else args.drain_minutes
    drained = drain(plan["project"], labelling_end + 60 * drain_minutes)
    if killer is not None:
        killer.join(timeout=1)
    watcher.stop()
    result.update(
        started_at=started,
        labelling_s=labelling_end - started,
        all_labelled_at_s=(shared.done_at - started) if shared.done_at else None,
        drain_s=time.time() - labelling_end,
        drained=drained,
        label_s=label_s,
        annotators=len(annotators),
        beat=stack.has_beat,
    )
    result["waiting"] = waiting(shared, started, labelling_end, len(annotators))
    result["submissions"] = submissions(shared, plan)
    result["trainings"] = trainings(plan["project"], shared, watch)
    result["chain"] = chain_counts(plan["project"])
    result["versions"] = versions(spec, plan, watch)
    result["dashboard"] = dashboard_summary(watch)
    if killer is not None:
        result["kill"] = kill_summary(killer.record, watch, result)
    result["errors"] = {"annotators": shared.errors[:20], "lead": watch.errors[:20]}
    return result


def drain(project: int, until: float) -> bool:
    """Wait for the trainings, rescorings and sampling after the last label (bounded)."""
    from models_app.models import RescoreJob, TrainingRun

    while time.time() < until:
        busy = (
            TrainingRun.objects.filter(project=project, status__in=["queued", "running"]).exists()
            or RescoreJob.objects.filter(version__project=project, status="running").exists()
        )
        if not busy:
            time.sleep(3)  # the sampling step after the rescore's last chunk
            return True
        time.sleep(1)
    return False


# --- what happened ------------------------------------------------------------------------------------


def waiting(shared: Shared, started: float, ended: float, n: int) -> dict:
    spans = [(who, a - started, b - a, left) for who, a, b, left in shared.waits if b > a]
    total = sum(s[2] for s in spans)
    span = max(ended - started, 1e-9)
    return {
        "minutes": total / 60,
        "fraction": total / (n * span),
        "episodes": len(spans),
        "longest_s": max((s[2] for s in spans), default=0.0),
        "spans": [
            {"who": w, "from_s": round(a, 1), "for_s": round(d, 1), "unlabelled": left}
            for w, a, d, left in spans
        ],
        "empty_answers": shared.empty_answers,
        "claims": shared.claims,
    }


def submissions(shared: Shared, plan: dict) -> dict:
    """Every submission answered 200 is an annotation in the database, of that clip and person."""
    from annotator.models import ClipAnnotation

    ok = [s for s in shared.submits if s.status == 200]
    stored = {
        a["pk"]: a
        for a in ClipAnnotation.objects.filter(project=plan["project"]).values(
            "pk", "clip_id", "annotator__username"
        )
    }
    lost = [
        s.task
        for s in ok
        if s.annotation not in stored
        or stored[s.annotation]["clip_id"] != s.clip
        or stored[s.annotation]["annotator__username"] != f"{plan['label']}-{s.annotator}"
    ]
    statuses: dict[int, int] = {}
    for s in shared.submits:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    return {
        "sent": len(shared.submits),
        "ok": len(ok),
        "statuses": statuses,
        "labelled_pool_clips": len(shared.labelled & shared.pool),
        # Clips outside the pool the queue gave them (unlabelled evaluation clips, audits).
        "labelled_other_clips": len(shared.labelled - shared.pool),
        "pool_clips": len(shared.pool),
        "no_calls": sum(1 for s in ok if s.no_calls),
        "boxes": sum(s.n_events for s in ok),
        "lost": lost,
    }


def _ts(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.timestamp()


def trainings(project: int, shared: Shared, watch: Watch) -> list[dict]:
    """Each training run: when, how long, what triggered it, when its version was active."""
    from models_app.models import RescoreJob, TrainingRun
    from sampling.models import SamplingRound

    ok = sorted((s for s in shared.submits if s.status == 200), key=lambda s: s.sent_at)
    runs = list(TrainingRun.objects.filter(project=project).order_by("created_at"))
    jobs = list(RescoreJob.objects.filter(version__project=project).order_by("created_at"))
    rounds = list(SamplingRound.objects.filter(project=project).order_by("created_at"))
    out, triggers = [], {}
    for i, run in enumerate(runs):
        api = watch.runs.get(run.pk, {})
        created, started, finished = _ts(run.created_at), _ts(run.started_at), _ts(run.finished_at)
        trigger = next((s for s in reversed(ok) if s.sent_at <= created), None)
        if isinstance(api.get("retry_of"), int) and api["retry_of"] in triggers:
            trigger = triggers[api["retry_of"]]  # a retry answers the labels of the run it redoes
        triggers[run.pk] = trigger
        active_at = watch.active_seen.get(run.result_id) if run.status == "succeeded" else None
        nxt = _ts(runs[i + 1].created_at) if i + 1 < len(runs) else float("inf")
        if hasattr(RescoreJob, "run_id"):  # the job names its training
            mine = [j for j in jobs if j.run_id == run.pk]
        else:
            mine = [j for j in jobs if finished and finished <= _ts(j.created_at) < nxt]
        batch = next((r for r in rounds if finished and finished <= _ts(r.created_at) < nxt), None)
        row = {
            "id": run.pk,
            "trigger": run.trigger,
            "status": run.status,
            "n_labels": run.n_labels,
            "pool_labels_at_trigger": sum(1 for s in ok if s.sent_at <= created),
            "attempt": api.get("attempt", NA),
            "retry_of": api.get("retry_of", NA),
            "queued_s": _diff(created, started),
            "train_s": _diff(started, finished),
            "label_to_active_s": _diff(
                trigger.sent_at if trigger else None,
                finished if run.status == "succeeded" else None,
            ),
            "label_to_active_seen_s": _diff(trigger.sent_at if trigger else None, active_at),
            "label_to_next_batch_s": _diff(
                trigger.sent_at if trigger else None, _ts(batch.created_at) if batch else None
            ),
            "rescore_jobs": len(mine),
            "rescore_s": [_diff(_ts(j.created_at), _ts(j.finished_at)) for j in mine],
            "phases": phases(api, watch.run_seen.get(run.pk, {})),
            "error": run.error[:200],
        }
        out.append(row)
    return out


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(b - a, 1)


def phases(api: dict, seen: dict[str, float]) -> dict | str:
    """Phase durations: as the API reports them, else from when the lead saw each phase."""
    for key in ("phase_seconds", "phases", "phase_durations", "timings"):
        if api.get(key):
            return {"reported": api[key]}
    order = sorted((t, k.split(":", 1)[1]) for k, t in seen.items() if k.startswith("phase:"))
    if not order:
        return NA
    ends = [t for t, _ in order[1:]] + [
        seen.get("status:succeeded")
        or seen.get("status:kept_old")
        or seen.get("status:failed")
        or order[-1][0]
    ]
    return {"seen": {name: round(end - t, 1) for (t, name), end in zip(order, ends, strict=True)}}


def chain_counts(project: int) -> dict:
    """Finished trainings, rescoring jobs and rounds after rescoring, straight from the database."""
    from models_app.models import RescoreJob, TrainingRun
    from sampling.models import SamplingRound

    runs = TrainingRun.objects.filter(project=project)
    return {
        "trainings": runs.count(),
        "by_status": dict(
            (s, runs.filter(status=s).count()) for s in set(runs.values_list("status", flat=True))
        ),
        "rescore_jobs": RescoreJob.objects.filter(version__project=project).count(),
        "rounds": SamplingRound.objects.filter(project=project).count(),
        "rounds_by_trigger": dict(
            Counter(SamplingRound.objects.filter(project=project).values_list("trigger", flat=True))
        ),
    }


def versions(spec: DatasetSpec, plan: dict, watch: Watch) -> list[dict]:
    """Each version scored here on the held-out recordings, next to the dashboard's point."""
    import torch

    from models_app.models import ModelVersion

    torch.set_num_threads(2)
    held = held_out_clips(spec, plan["clip_length_s"], plan["clip_overlap_s"])
    final = {
        p.get("version"): p
        for p in ((watch.dashboard or {}).get("learning_curve") or {}).get("points", [])
    }
    out = []
    for v in ModelVersion.objects.filter(project=plan["project"]).order_by("number"):
        row = {
            "version": v.number,
            "n_labels": v.n_labels,
            "active": v.is_active,
            "server_validation": (v.metrics or {}).get("validation", NA),
            "server_det_ap": (v.metrics or {}).get("det_ap"),
        }
        if v.weights and not v.is_external:
            with v.weights.open("rb") as fh:
                row["held_out"] = evaluate_version(
                    fh.read(),
                    held,
                    calibration=getattr(v, "calibration", None),
                    threshold=getattr(v, "threshold", 0.5),
                )
        else:
            row["held_out"] = NA
        row["dashboard"] = final.get(v.number, NA)
        row["held_out_in_dashboard_ci"] = in_ci(row["held_out"], row["dashboard"])
        first = watch.curve_seen.get(v.number)
        row["dashboard_first_seen"] = (
            {k: first.get(k) for k in ("det_ap", "f1", "f1_iou")} if first else NA
        )
        out.append(row)
    return out


def in_ci(held_out, point) -> dict | str:
    """Whether each held-out number lies in the dashboard's 95 % interval for it."""
    if not isinstance(held_out, dict) or not isinstance(point, dict) or not point.get("ci"):
        return NA
    out = {}
    for key, (low, high) in point["ci"].items():
        if held_out.get(key) is not None and low is not None and high is not None:
            out[key] = low <= held_out[key] <= high
    return out


def dashboard_summary(watch: Watch) -> dict:
    data = watch.dashboard or {}
    curve = data.get("learning_curve") or {}
    return {
        "curve_keys": sorted(k for k in curve if k != "points"),
        "curve": {k: v for k, v in curve.items() if k != "points"},
        "point_keys": sorted({k for p in curve.get("points", []) for k in p}),
        "points": len(curve.get("points", [])),
    }


def kill_summary(record: dict, watch: Watch, result: dict) -> dict:
    """Was the killed run marked failed, and redone, and when (seconds after the kill)?"""
    out = dict(record)
    if not record.get("killed"):
        return out
    at, killed = record["at"], record["run"]
    seen = watch.run_seen.get(killed, {})
    final = watch.runs.get(killed, {})
    out["killed_run_final_status"] = final.get("status")
    out["marked_failed_after_s"] = _diff(at, seen.get("status:failed"))
    retries = [r for r in watch.runs.values() if r.get("retry_of") == killed]
    later = [
        r
        for rid, r in watch.runs.items()
        if rid != killed
        and (
            watch.run_seen[rid].get("status:queued")
            or watch.run_seen[rid].get("status:running")
            or 0
        )
        > at
    ]
    done = [r for r in (retries or later) if r.get("status") in ("succeeded", "kept_old")]
    first_done = min(
        (
            min(
                watch.run_seen[r["id"]].get(f"status:{s}", float("inf"))
                for s in ("succeeded", "kept_old")
            )
            for r in done
        ),
        default=None,
    )
    out["retry_runs"] = [r["id"] for r in retries] if retries else NA
    out["runs_after_kill"] = [r["id"] for r in later]
    out["redone_after_s"] = _diff(at, first_done)
    if final.get("status") in ("succeeded", "kept_old"):
        end = min(
            seen.get("status:succeeded", float("inf")), seen.get("status:kept_old", float("inf"))
        )
        out["same_run_finished_after_s"] = _diff(at, end)
    out["no_label_lost"] = not result["submissions"]["lost"]
    finished = [t for t in result["trainings"] if t["status"] in ("succeeded", "kept_old")]
    out["one_rescore_per_finished_training"] = all(t["rescore_jobs"] == 1 for t in finished)
    return out


# --- main -------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"echoloop_loopbench_{os.getpid()}"
    db_url = scratch_database(args.database_url, name)
    env = environment(args, db_url)
    flush_redis(args.redis_url)
    stack = Stack(
        env, args.out / "logs", web_workers=args.web_workers, web_threads=args.web_threads
    )
    results = []
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        os.environ.update(env)
        import django

        django.setup()
        stack.start()
        print(
            f"stack up: {', '.join(stack.commands)}; beat: "
            f"{'yes' if stack.has_beat else 'n/a (no beat service in compose.yaml)'}",
            flush=True,
        )
        for i, dataset in enumerate(args.datasets):
            result = run_dataset(
                args,
                stack,
                DATASETS[dataset],
                kill=i == 0 and args.kill_train_worker_after is not None,
            )
            result["args"] = {
                k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
            }
            results.append(result)
            (args.out / f"loop-{dataset}.json").write_text(
                json.dumps(result, indent=2, default=str)
            )
            print(loop_report.text(result), flush=True)
    finally:
        stack.stop()
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        if not args.keep_db:
            drop_database(args.database_url, name)
    markdown = loop_report.markdown(results)
    (args.out / "loop.md").write_text(markdown)
    print(markdown)
    lost = any(r["submissions"]["lost"] for r in results)
    return 1 if lost or not results else 0


if __name__ == "__main__":
    sys.exit(main())
