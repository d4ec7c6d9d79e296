"""Ingest throughput: files per minute through an import job with 1 and N Celery workers.

Generates ``--files`` short WAV files (noise plus a chirp, 16-bit mono), registers them as an import
root, and for each worker count imports them into a fresh project through the product's own path
(``import_jobs.start`` → ``annotator.tasks.start_import`` → chunks on real worker processes → every
file sniffed, fully decoded, hashed, stored and cut into clips). The time runs from sending the job to
its row saying done. Each worker is its own process with concurrency 1, so "3 workers" is 3 processes.
Needs PostgreSQL and Redis (the scaled deployment) and an empty database of its own (migrated here).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/echoloop_bench_ingest REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python benchmarks/ingest.py --files 10000 --workers 1 3
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def generate(folder: Path, n: int, seconds: float, samplerate: int) -> int:
    """``n`` distinct files (each its own noise, so none is a duplicate); returns their bytes."""
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * samplerate)) / samplerate
    chirp = 0.3 * np.sin(2 * np.pi * (2000 + 3000 * t) * t)
    total = 0
    for i in range(n):
        sub = folder / f"night{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"rec_{i:05d}.wav"
        sf.write(
            path,
            (chirp + 0.05 * rng.standard_normal(t.size)).astype(np.float32),
            samplerate,
            subtype="PCM_16",
        )
        total += path.stat().st_size
    return total


def start_workers(n: int, env: dict) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = open(Path(tempfile.gettempdir()) / f"bench-ingest-worker-{i}.log", "w")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "echoloop",
                    "worker",
                    "-Q",
                    "celery",
                    "--concurrency",
                    "1",
                    "--pool",
                    "prefork",
                    "-n",
                    f"bench-ingest-{i}-{os.getpid()}@%h",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    from echoloop.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # every worker answers a ping before the clock starts
        replies = app.control.ping(timeout=1.0) or []
        if sum(1 for r in replies for name in r if name.startswith("bench-ingest-")) >= n:
            return procs
    stop_workers(procs)
    raise SystemExit("workers did not come up (see bench-ingest-worker-*.log in the temp dir)")


def stop_workers(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run(folder: Path, workers: int, env: dict, timeout: float) -> dict:
    from annotator import import_jobs
    from annotator.models import ImportJob, Project
    from annotator.tasks import start_import

    project = Project.objects.create(name=f"ingest bench {workers} worker(s) {time.time():.0f}")
    job = import_jobs.start(project, str(folder), dataset="bench")
    procs = start_workers(workers, env)
    try:
        began = time.monotonic()
        start_import.delay(job.pk)
        while time.monotonic() - began < timeout:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - began
    finally:
        stop_workers(procs)
    if job.status != ImportJob.Status.DONE:
        raise SystemExit(f"job {job.pk} {job.status} at {job.done}/{job.total}: {job.error}")
    return {
        "workers": workers,
        "files": job.done,
        "imported": job.imported,
        "clips": job.clips,
        "seconds": elapsed,
        "per_min": job.done / elapsed * 60,
        "chunks": job.chunks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of each file")
    parser.add_argument("--samplerate", type=int, default=32_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--chunk", type=int, default=None, help="ECHOLOOP_IMPORT_CHUNK_FILES")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        raise SystemExit(
            "set DATABASE_URL (PostgreSQL, a database of the benchmark's own) and REDIS_URL"
        )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CELERY_TASK_ALWAYS_EAGER": "0"}
    if args.chunk:
        env["ECHOLOOP_IMPORT_CHUNK_FILES"] = os.environ["ECHOLOOP_IMPORT_CHUNK_FILES"] = str(
            args.chunk
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from annotator.models import AudioRoot

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        began = time.monotonic()
        size = generate(folder, args.files, args.seconds, args.samplerate)
        print(
            f"generated {args.files} files of {args.seconds} s at {args.samplerate} Hz "
            f"({size / 2**20:.0f} MiB) in {time.monotonic() - began:.0f} s"
        )
        AudioRoot.objects.update_or_create(name="bench-ingest", defaults={"path": str(folder)})
        load = os.getloadavg()
        rows = [run(folder, n, env, args.timeout) for n in args.workers]
    base = rows[0]["per_min"]
    print(
        f"\nchunk {settings.ECHOLOOP_IMPORT_CHUNK_FILES} files; {os.cpu_count()} cores; "
        f"load before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}"
    )
    print("| workers | files | clips | seconds | files/min | vs 1st row |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['files']} | {r['clips']} | {r['seconds']:.1f} | "
            f"{r['per_min']:.0f} | {r['per_min'] / base:.2f}× |"
        )


if __name__ == "__main__":
    main()
