"""A season's pool end to end: start_round, a rescore chunk's writes, the rescore bookkeeping,
the project page and the dashboards at 10k / 100k / 1M clips, on PostgreSQL and SQLite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/echoloop_bench python benchmarks/pool_scale.py \\
        --backend postgres --sizes 10000 100000 1000000
    python benchmarks/pool_scale.py --backend sqlite --sqlite /tmp/pool.sqlite3 --sizes 10000 1000000

Each size is one project with an active version that scored every clip the way a rescore stores
it (a Prediction row per clip and the chunk's packed arrays), built once by bulk insert (COPY on
PostgreSQL, executemany on SQLite) and reused on later runs. Every measurement runs in a fresh
process so its peak RSS is its own: the round through ``sampling.rounds.start_round`` (entropy and
hybrid, k=50), a round on a version with prediction rows and no chunks (its first round packs
them, the next reads chunks), 64 predictions through ``registry.store_scores``,
``pending_clips`` and the first wave of a rescore, and the pages through Django's test client
(median of 3). Prints a table, and JSON with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIPS_PER_RECORDING = 600  # a 10-minute recording cut into 1-s clips
N_CLASSES = 6
N_WINDOWS = 10
DIM = 128
CHUNK = 64
K = 50


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- the fixture ----------------------------------------------------------------------------------


def build(n: int) -> dict:
    """The project of ``n`` clips (reused when it exists whole)."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from annotator.models import (
        AudioRoot,
        Clip,
        Dataset,
        Membership,
        Project,
        Recording,
        Role,
        Site,
    )
    from models_app.models import ModelVersion, Prediction, ScoreChunk

    call_command("migrate", verbosity=0)
    name = f"pool-scale {n}"
    project = Project.objects.filter(name=name).first()
    if (
        project
        and Clip.objects.filter(project=project).count() == n
        and ScoreChunk.objects.filter(version__project=project).exists()
    ):
        return {"project": project.pk, "built_s": 0.0}
    if project:
        project.delete()
    began = time.perf_counter()
    rng = np.random.default_rng(n)
    project = Project.objects.create(
        name=name, batch_size=K, audit_fraction=0.1, sampling_strategy="entropy"
    )
    lead, _ = get_user_model().objects.get_or_create(username="pool-scale-lead")
    Membership.objects.create(project=project, user=lead, role=Role.LEAD)
    dataset = Dataset.objects.create(project=project, name="season")
    root, _ = AudioRoot.objects.get_or_create(
        path="/nonexistent/pool-scale", defaults={"name": "pool-scale"}
    )
    sites = [Site.objects.create(project=project, name=f"site {i}") for i in range(8)]
    now = timezone.now()
    n_rec = -(-n // CLIPS_PER_RECORDING)
    start = timezone.datetime(2026, 3, 1, tzinfo=timezone.get_fixed_timezone(0))
    recordings = [
        {
            "project_id": project.pk,
            "dataset_id": dataset.pk,
            "site_id": sites[i % len(sites)].pk,
            "name": f"r{i:07d}.wav",
            "root_id": root.pk,
            "path": f"r{i:07d}.wav",
            "file": "",
            "sha256": f"{n:012d}{i:052d}",
            "format": "WAV",
            "samplerate": 48_000,
            "channels": 1,
            "frames": 48_000 * CLIPS_PER_RECORDING,
            "duration_s": float(CLIPS_PER_RECORDING),
            "recorded_at": start + timezone.timedelta(hours=int(i * 7 % 4000)),
            "time_expansion": 1.0,
            "metadata": "{}",
            "role": "pool",
            "created_at": now,
        }
        for i in range(n_rec)
    ]
    insert(Recording, recordings)
    rec_ids = list(
        Recording.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )
    held = rng.random(n) < 0.05
    insert(
        Clip,
        (
            {
                "project_id": project.pk,
                "recording_id": rec_ids[i // CLIPS_PER_RECORDING],
                "start_s": float(i % CLIPS_PER_RECORDING),
                "end_s": float(i % CLIPS_PER_RECORDING + 1),
                "held_out": bool(held[i]),
            }
            for i in range(n)
        ),
    )
    clip_ids = np.fromiter(
        Clip.objects.filter(project=project).order_by("pk").values_list("pk", flat=True),
        dtype=np.int64,
    )
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=[f"sp{i}" for i in range(N_CLASSES)], is_active=True
    )
    for lo in range(0, n, 50_000):  # in blocks: the arrays of a million clips at once would be 1 GB
        ids = clip_ids[lo : lo + 50_000]
        probs = rng.random((len(ids), N_CLASSES)).astype(np.float32)
        windows = rng.random((len(ids), N_WINDOWS)).astype(np.float32)
        emb = rng.standard_normal((len(ids), DIM)).astype(np.float16)
        insert(
            Prediction,
            (
                {
                    "clip_id": int(c),
                    "version_id": version.pk,
                    "class_probs": json.dumps([round(float(x), 5) for x in probs[j]]),
                    "any_event": float(probs[j].max()),
                    "detections": "[]",
                    "uncertainty": "{}",
                    "window_uncertainty": json.dumps([round(float(x), 4) for x in windows[j]]),
                    "embedding": emb[j].tobytes(),
                    "created_at": now,
                }
                for j, c in enumerate(ids)
            ),
        )
        insert(
            ScoreChunk,
            (
                {
                    "version_id": version.pk,
                    "n_clips": len(ids[a : a + CHUNK]),
                    "clip_ids": ids[a : a + CHUNK].tobytes(),
                    "probs": probs[a : a + CHUNK].tobytes(),
                    "n_classes": N_CLASSES,
                    "windows": windows[a : a + CHUNK].tobytes(),
                    "n_windows": N_WINDOWS,
                    "embeddings": emb[a : a + CHUNK].tobytes(),
                    "dim": DIM,
                    "created_at": now,
                }
                for a in range(0, len(ids), CHUNK)
            ),
        )
    _analyze()
    return {"project": project.pk, "built_s": round(time.perf_counter() - began, 1)}


def insert(model, rows) -> None:
    """Bulk insert dicts keyed by column: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    columns = list(first)
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cols = ", ".join(f'"{c}"' for c in columns)
            with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                copy.write_row([first[c] for c in columns])
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        else:
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join(["%s"] * len(columns))})'
            batch = [[first[c] for c in columns]]
            for row in rows:
                batch.append([row[c] for c in columns])
                if len(batch) >= 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the measurements -----------------------------------------------------------------------------


def reset(project) -> None:
    """Back to a pool nobody sampled: earlier measured rounds and their tasks go."""
    from annotator.models import AnnotationTask
    from sampling.models import SamplingRound

    SamplingRound.objects.filter(project=project).delete()
    AnnotationTask.objects.filter(project=project).delete()


def measure_round(project_id: int, strategy: str) -> dict:
    from annotator.models import Project
    from sampling import rounds

    project = Project.objects.get(pk=project_id)
    reset(project)
    began = time.perf_counter()
    rnd = rounds.start_round(project, strategy=strategy, k=K, seed=0)
    seconds = time.perf_counter() - began
    out = {
        "seconds": round(seconds, 2),
        "strategy_s": round(rnd.selection_seconds, 2),
        "candidates": rnd.candidates,
        "picks": rnd.batch_size,
        "version": rnd.model_version_id is not None,
    }
    reset(project)
    return out


def measure_writes(project_id: int) -> dict:
    """64 predictions and their chunk through the product's write path, for a second version."""
    import numpy as np

    from annotator.models import Clip
    from models_app import registry
    from models_app.inference import ClipScore
    from models_app.models import ModelVersion

    version = ModelVersion.objects.create(
        project_id=project_id, number=99, class_names=[f"sp{i}" for i in range(N_CLASSES)]
    )
    clips = list(Clip.objects.filter(project_id=project_id).order_by("-pk")[:CHUNK])
    rng = np.random.default_rng(0)
    scores = [
        ClipScore(
            events=[],
            class_probs=rng.random(N_CLASSES).astype(np.float32),
            any_event_prob=0.5,
            embedding=rng.standard_normal(DIM).astype(np.float32),
            uncertainty={"entropy": 0.5},
            window_uncertainties=rng.random(N_WINDOWS).astype(np.float32),
        )
        for _ in clips
    ]
    try:
        began = time.perf_counter()
        registry.store_scores(version, clips, scores)
        return {"seconds": round(time.perf_counter() - began, 3)}
    finally:
        version.delete()


def measure_rescore_bookkeeping(project_id: int) -> dict:
    from models_app import tasks
    from models_app.models import ModelVersion

    version = ModelVersion.objects.get(project_id=project_id, is_active=True)
    began = time.perf_counter()
    pending = tasks.pending_clips(version).count()
    counted = time.perf_counter() - began
    began = time.perf_counter()
    ranges = tasks.next_ranges(version, 0, tasks.IN_FLIGHT, tasks.CHUNK_SIZE)
    return {
        "pending_count_s": round(counted, 3),
        "pending": pending,
        "first_wave_s": round(time.perf_counter() - began, 3),
        "first_wave_chunks": len(ranges),
    }


def measure_scores(project_id: int, how: str) -> dict:
    """Reading the active version's scores: packed chunks (what a round reads) or, as before
    chunks existed, one Prediction row per clip with its JSON decoded (the baseline)."""

    from models_app import poolscores
    from models_app.models import ModelVersion, Prediction

    version = ModelVersion.objects.get(project_id=project_id, is_active=True)
    began = time.perf_counter()
    if how == "chunks":
        scores = poolscores.read(version)
    else:
        rows = Prediction.objects.filter(version=version).order_by("clip_id")
        scores = poolscores.decode_rows(list(rows.values_list(*poolscores.PREDICTION_FIELDS)))
    return {"seconds": round(time.perf_counter() - began, 2), "clips": len(scores)}


def measure_round_legacy(project_id: int) -> dict:
    """A version with prediction rows and no chunks (imported before import_predictions wrote
    chunks, or scored before chunks existed): a copy of the active version's predictions, made
    active. Its first round packs them once (``poolscores.backfill``); the next reads chunks.
    The copy is deleted and the original made active again afterwards."""
    from django.db import connection

    from annotator.models import Project
    from models_app.models import ModelVersion, Prediction, ScoreChunk

    project = Project.objects.get(pk=project_id)
    original = ModelVersion.objects.get(project=project, is_active=True)
    legacy = ModelVersion.objects.create(
        project=project, number=98, class_names=original.class_names, source="aoef"
    )
    try:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO "{Prediction._meta.db_table}" (clip_id, version_id, class_probs, '
                "any_event, detections, uncertainty, window_uncertainty, embedding, created_at) "
                "SELECT clip_id, %s, class_probs, any_event, detections, uncertainty, "
                f'window_uncertainty, embedding, created_at FROM "{Prediction._meta.db_table}" '
                "WHERE version_id = %s",
                [legacy.pk, original.pk],
            )
        copied_s = time.perf_counter() - began
        ModelVersion.objects.filter(pk=original.pk).update(is_active=False)
        ModelVersion.objects.filter(pk=legacy.pk).update(is_active=True)
        assert not ScoreChunk.objects.filter(version=legacy).exists()
        first = measure_round(project_id, "entropy")
        chunks = ScoreChunk.objects.filter(version=legacy).count()
        second = measure_round(project_id, "entropy")
        return {
            "copy_s": round(copied_s, 1),
            "first_round_s": first["seconds"],
            "chunks_written": chunks,
            "second_round_s": second["seconds"],
            "candidates": second["candidates"],
        }
    finally:
        ModelVersion.objects.filter(pk=legacy.pk).delete()
        ModelVersion.objects.filter(pk=original.pk).update(is_active=True)


def measure_pages(project_id: int) -> dict:
    import base64
    from urllib.parse import urlencode

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from annotator.models import Clip

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(get_user_model().objects.get(username="pool-scale-lead"))
    last = (
        Clip.objects.filter(project_id=project_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    deep = base64.b64encode(urlencode({"p": last - 100}).encode()).decode()
    pages = {
        "project page": f"/projects/{project_id}/",
        "dashboard page": f"/projects/{project_id}/dashboard/",
        "labels dashboard": f"/api/projects/{project_id}/dashboard/labels/",
        "model dashboard": f"/api/projects/{project_id}/dashboard/model/",
        "rounds dashboard": f"/api/projects/{project_id}/dashboard/rounds/",
        "clips, first page": f"/api/clips/?project={project_id}",
        "clips, last page": f"/api/clips/?project={project_id}&cursor={deep}",
    }
    out = {}
    for name, url in pages.items():
        times, status = [], None
        for _ in range(3):
            began = time.perf_counter()
            status = client.get(url).status_code
            times.append(time.perf_counter() - began)
        out[name] = {"ms": round(1000 * statistics.median(times)), "status": status}
    return out


def child(args) -> None:
    setup_django(args.url)
    what, n = args.child, args.n
    if what == "build":
        result = build(n)
    else:
        from annotator.models import Project

        project_id = Project.objects.get(name=f"pool-scale {n}").pk
        result = {
            "round-entropy": lambda: measure_round(project_id, "entropy"),
            "round-hybrid": lambda: measure_round(project_id, "hybrid"),
            "writes": lambda: measure_writes(project_id),
            "round-legacy": lambda: measure_round_legacy(project_id),
            "scores-chunks": lambda: measure_scores(project_id, "chunks"),
            "scores-rows": lambda: measure_scores(project_id, "rows"),
            "rescore": lambda: measure_rescore_bookkeeping(project_id),
            "pages": lambda: measure_pages(project_id),
        }[what]()
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print("RESULT " + json.dumps(result))


def run_child(url: str, what: str, n: int) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("REDIS_URL", None)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", what, "--n", str(n), "--url", url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        return {"error": (proc.stderr or proc.stdout)[-1500:]}
    return json.loads(lines[-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--sqlite", default="/tmp/echoloop-pool-scale.sqlite3", help="scratch SQLite file"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--only",
        nargs="+",
        default=[
            "round-entropy",
            "round-hybrid",
            "scores-chunks",
            "scores-rows",
            "writes",
            "rescore",
            "pages",
            "round-legacy",
        ],
    )
    parser.add_argument("--json", help="write every figure here")
    (
        parser.add_argument("--child"),
        parser.add_argument("--n", type=int),
        parser.add_argument("--url"),
    )
    args = parser.parse_args()
    if args.child:
        return child(args)
    url = (
        os.environ.get("DATABASE_URL", "")
        if args.backend == "postgres"
        else f"sqlite:///{args.sqlite}"
    )
    if args.backend == "postgres" and not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database for --backend postgres")
    results = {"backend": args.backend, "load_before": os.getloadavg(), "sizes": {}}
    for n in args.sizes:
        figures = {"build": run_child(url, "build", n)}
        print(f"{args.backend} {n:>9,} build: {json.dumps(figures['build'])}", flush=True)
        for what in args.only:
            figures[what] = run_child(url, what, n)
            print(f"{args.backend} {n:>9,} {what}: {json.dumps(figures[what])}", flush=True)
        results["sizes"][n] = figures
    results["load_after"] = os.getloadavg()
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


def table(results: dict) -> str:
    sizes = list(results["sizes"])
    head = f"| {results['backend']} | " + " | ".join(f"{n:,} clips" for n in sizes) + " |"
    lines = [head, "|---" * (len(sizes) + 1) + "|"]

    def row(label, pick):
        cells = []
        for n in sizes:
            try:
                cells.append(pick(results["sizes"][n]))
            except (KeyError, TypeError):
                cells.append(
                    "error" if any("error" in v for v in results["sizes"][n].values()) else "–"
                )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for strategy in ("entropy", "hybrid"):
        key = f"round-{strategy}"
        row(
            f"start_round ({strategy}, k={K})",
            lambda f, key=key: f"{f[key]['seconds']} s (strategy {f[key]['strategy_s']} s)",
        )
        row("  peak RSS", lambda f, key=key: f"{f[key]['peak_rss_mb']} MB")
    row(
        "read the version's scores: packed chunks",
        lambda f: f"{f['scores-chunks']['seconds']} s, {f['scores-chunks']['peak_rss_mb']} MB",
    )
    row(
        "  baseline: a Prediction row per clip (JSON)",
        lambda f: f"{f['scores-rows']['seconds']} s, {f['scores-rows']['peak_rss_mb']} MB",
    )
    row(
        "version without chunks: first round (packs them)",
        lambda f: (
            f"{f['round-legacy']['first_round_s']} s ({f['round-legacy']['chunks_written']} chunks)"
        ),
    )
    row(
        "  its next round (reads chunks)",
        lambda f: (
            f"{f['round-legacy']['second_round_s']} s, "
            f"{f['round-legacy']['peak_rss_mb']} MB peak (both)"
        ),
    )
    row(
        f"a rescore chunk's writes ({CHUNK} clips)",
        lambda f: f"{f['writes']['seconds'] * 1000:.0f} ms",
    )
    row("pending_clips count (NOT EXISTS)", lambda f: f"{f['rescore']['pending_count_s']} s")
    row("first rescore wave's ranges", lambda f: f"{f['rescore']['first_wave_s']} s")
    for page in (
        "project page",
        "dashboard page",
        "labels dashboard",
        "model dashboard",
        "rounds dashboard",
        "clips, first page",
        "clips, last page",
    ):
        row(
            page,
            lambda f, page=page: (
                f"{f['pages'][page]['ms']} ms"
                + ("" if f["pages"][page]["status"] == 200 else f" ({f['pages'][page]['status']})")
            ),
        )
    load = results["load_before"], results["load_after"]
    return (
        "\n".join(lines)
        + f"\n\nload average before {load[0][0]:.1f}, after {load[1][0]:.1f} (1-min)"
    )


if __name__ == "__main__":
    main()
