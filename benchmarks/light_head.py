"""Seconds, not minutes: how long after a new label the light head has re-ranked a large pool.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/light_head.py [--clips 100000] [--labels 200]

Builds a project of ``--clips`` clips in the database (rows only, no audio) whose windows (5 per
clip, 64-d float16) sit in the embedding store, clustered by 10 "species". ``--labels`` clips are
labelled through ``annotator.queue.save_annotation``; then, per step, one new label of a species
the head has seen least is saved and the light head is refitted and the pool ranked through the
product's functions (``light_head.fit`` then ``light_head.ranking``): what the debounced
``fit_light_head`` task does after ``ECHOLOOP_LIGHT_HEAD_DEBOUNCE_S`` (2 s by default). Reports the
time of each part and whether the ranking changed. Torch is not involved; BLAS on one thread.
The project is deleted at the end.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402

from annotator import queue  # noqa: E402
from annotator.models import Clip, Dataset, Membership, Project, Recording, Role, Tag  # noqa: E402
from models_app import embeddings_store, light_head  # noqa: E402
from models_app.models import ModelVersion  # noqa: E402

SPECIES = 10
DIM = 64
WINDOWS = 5


def build(n_clips: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    project = Project.objects.create(
        name=f"light-head-bench-{os.getpid()}-{time.time():.0f}", clip_length_s=0.5
    )
    user, _ = User.objects.get_or_create(username="light-head-bench")
    Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    dataset = Dataset.objects.create(project=project, name="bench")
    per_rec = 1000
    recs = Recording.objects.bulk_create(
        Recording(
            project=project,
            dataset=dataset,
            name=f"r{i}.wav",
            sha256=f"{project.pk:08x}{i:056x}",
            format="WAV",
            samplerate=384_000,
            channels=1,
            frames=int(per_rec * 0.5 * 384_000),
            duration_s=per_rec * 0.5,
        )
        for i in range(n_clips // per_rec + 1)
    )
    clips = Clip.objects.bulk_create(
        (
            Clip(
                project=project,
                recording=recs[i // per_rec],
                start_s=(i % per_rec) * 0.5,
                end_s=(i % per_rec) * 0.5 + 0.5,
            )
            for i in range(n_clips)
        ),
        batch_size=5000,
    )
    ids = np.array(sorted(c.pk for c in clips), dtype=np.int64)
    species = rng.integers(0, SPECIES, n_clips)
    centres = rng.standard_normal((SPECIES, DIM)).astype(np.float32)
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=[f"sp{i}" for i in range(SPECIES)], is_active=True
    )
    source = embeddings_store.version_source(version.pk)
    for start in range(0, n_clips, 5000):
        part = range(start, min(n_clips, start + 5000))
        windows = [
            centres[species[i]] + 1.2 * rng.standard_normal((WINDOWS, DIM)).astype(np.float32)
            for i in part
        ]
        windows = [w / np.linalg.norm(w, axis=1, keepdims=True) for w in windows]
        embeddings_store.write_chunk(project.pk, source, ids[list(part)].tolist(), windows, 0.1)
    embeddings_store.compact(project.pk, source)
    tags = [Tag.objects.create(project=project, value=f"sp{i}") for i in range(SPECIES)]
    return project, user, ids, species, tags


def label(project, user, clip_id: int, tag) -> float:
    t = time.perf_counter()
    clip = Clip.objects.select_related("recording").get(pk=clip_id)
    queue.save_annotation(project, clip, user, queue.Submission(tags=[tag.pk]))
    return time.perf_counter() - t


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=100_000)
    p.add_argument("--labels", type=int, default=200)
    p.add_argument("--steps", type=int, default=5)
    args = p.parse_args()
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="light-head-bench-")
    print(
        f"load: {os.getloadavg()[0]:.2f} (1-min), cores: {os.cpu_count()}, database: "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
    )
    t = time.perf_counter()
    project, user, ids, species, tags = build(args.clips)
    print(
        f"built {args.clips:,} clips and {args.clips * WINDOWS:,} windows in {time.perf_counter() - t:.1f} s"
    )
    rng = np.random.default_rng(1)
    try:
        order = rng.permutation(len(ids))
        for i in order[: args.labels]:
            label(project, user, int(ids[i]), tags[species[i]])
        embeddings_store._CACHE.clear()  # a worker that has not read this pool yet (or a new rescore)
        t = time.perf_counter()
        light_head.fit(project)
        before = light_head.ranking(project, k=100).tolist()
        print(
            f"cold fit + ranking (the store read from disk and centred first): {time.perf_counter() - t:.2f} s"
        )
        print(
            "| step | labels | save label (s) | fit (s) | rank pool (s) | label → new ranking (s) | top-100 changed |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        fits, totals = [], []
        for step, i in enumerate(order[args.labels : args.labels + args.steps], 1):
            began = time.perf_counter()
            save = label(project, user, int(ids[i]), tags[species[i]])
            t = time.perf_counter()
            head = light_head.fit(project)
            fit = time.perf_counter() - t
            t = time.perf_counter()
            after = light_head.ranking(project, k=100).tolist()
            rank = time.perf_counter() - t
            total = time.perf_counter() - began
            changed = len(set(after) ^ set(before)) // 2
            fits.append(fit)
            totals.append(total)
            print(
                f"| {step} | {head.n_labels} | {save:.3f} | {fit:.2f} | {rank:.2f} | {total:.2f} | {changed} |"
            )
            before = after
        print(
            f"median label → new ranking: {statistics.median(totals):.2f} s (+ the "
            f"{light_head.DEBOUNCE_S:g} s debounce and the task's pickup); load now {os.getloadavg()[0]:.2f}"
        )
    finally:
        embeddings_store.delete(
            project.pk, embeddings_store.version_source(project.model_versions.get().pk)
        )
        project.delete()


if __name__ == "__main__":
    main()
