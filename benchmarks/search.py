"""Search by example at scale: one query over N stored windows, the optional index, and the store.

    .venv/bin/python benchmarks/search.py [--windows 100000 1000000] [--dim 64] [--index 200000]
        [--store 1000000] [--database postgres://postgres@127.0.0.1:5432/echoloop_bench]

Windows are clustered 64-d unit vectors (the detector's embedding size), 5 per clip (0.5-s clips
in 0.1-s windows), float16 as stored. Queries go through the product's own functions
(``models_app.search.nearest`` / ``nearest_clips`` on an ``embeddings_store.WindowSet``): a box
query (every window, best window per clip), a window query, and a whole-clip query. Times are the
median of 20 queries after one warm-up, on one BLAS thread unless ``--blas-threads`` says more.

``--index N``: usearch HNSW over N windows: build time, query time and recall@10 against the
exact scan (the same queries). ``--store N``: the store's read of N windows (rescore chunk files
compacted into one .npz, through Django's file storage) against reading the same windows as one
bytea row per clip from PostgreSQL (the ``Prediction.embedding`` layout) — the measured choice.
"""

from __future__ import annotations

import os
import sys

if "--blas-threads" not in sys.argv:
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
os.environ.setdefault("ECHOLOOP_DATA_DIR", tempfile.mkdtemp(prefix="search-bench-"))

import django  # noqa: E402

django.setup()

from models_app import embeddings_store, search, similarity  # noqa: E402

WINDOWS_PER_CLIP = 5


def make_windows(n: int, dim: int, seed: int = 0) -> embeddings_store.WindowSet:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((500, dim)).astype(np.float32)
    clip_cluster = rng.integers(0, 500, n // WINDOWS_PER_CLIP + 1)
    ids = np.arange(n, dtype=np.int64) // WINDOWS_PER_CLIP
    x = centres[clip_cluster[ids]] + 0.7 * rng.standard_normal((n, dim), dtype=np.float32)
    vectors = similarity.normalise(x).astype(np.float16)
    starts = (np.arange(n) % WINDOWS_PER_CLIP).astype(np.float32) * 0.1
    return embeddings_store.WindowSet(ids, starts, vectors, 0.1)


def timed(fn, repeats: int = 20) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def query_times(n: int, dim: int) -> None:
    windows = make_windows(n, dim)
    t = time.perf_counter()
    mean, rows = windows.centred()
    windows.centred_clips()
    prep = time.perf_counter() - t
    rng = np.random.default_rng(1)
    qs = [rows[i].astype(np.float32) for i in rng.integers(0, n, 21)]
    it = iter(qs * 2)
    box, _ = timed(lambda: search.nearest(windows, next(it), 20, level="clip"))
    window, _ = timed(lambda: search.nearest(windows, next(it), 20, level="window"))
    ids = iter(rng.integers(0, n // WINDOWS_PER_CLIP, 21).tolist())
    whole, _ = timed(lambda: search.nearest_clips(windows, next(ids), 20, np.zeros(0, np.int64)))
    print(
        f"| {n:,} | {n // WINDOWS_PER_CLIP:,} | {prep * 1e3:.0f} | {box * 1e3:.1f} | {window * 1e3:.1f} | "
        f"{whole * 1e3:.1f} |"
    )


def index_recall(n: int, dim: int) -> None:
    windows = make_windows(n, dim, seed=2)
    _mean, rows = windows.centred()
    t = time.perf_counter()
    index = similarity.UsearchIndex(rows, threads=2)
    build = time.perf_counter() - t
    rng = np.random.default_rng(3)
    queries = [
        rows[i].astype(np.float32) + 0.05 * rng.standard_normal(dim).astype(np.float32)
        for i in rng.integers(0, n, 100)
    ]
    exact_t, approx_t, recalls = [], [], []
    for q in queries:
        t = time.perf_counter()
        exact = similarity.exact_top_k(rows, q, 10)
        exact_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        approx = index.search(q, 10)
        approx_t.append(time.perf_counter() - t)
        recalls.append(similarity.recall_at_k(exact, approx))
    print(
        f"| {n:,} | {build:.1f} | {statistics.median(exact_t) * 1e3:.1f} | "
        f"{statistics.median(approx_t) * 1e3:.2f} | {np.mean(recalls):.3f} |"
    )


def store_read(n: int, dim: int, database: str | None) -> None:
    from django.conf import settings

    windows = make_windows(n, dim, seed=4)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="search-store-")
    clips = np.unique(windows.clip_ids)
    t = time.perf_counter()
    for start in range(0, len(clips), 64):  # one file per rescore chunk of 64 clips
        part = clips[start : start + 64]
        rows = (
            [windows.vectors[windows.clip_ids == c] for c in part]
            if len(clips) < 2000
            else [windows.vectors[c * WINDOWS_PER_CLIP : (c + 1) * WINDOWS_PER_CLIP] for c in part]
        )
        embeddings_store.write_chunk(1, "bench", part.tolist(), rows, 0.1)
    write = time.perf_counter() - t
    t = time.perf_counter()
    embeddings_store.compact(1, "bench")
    compact = time.perf_counter() - t
    embeddings_store._CACHE.clear()
    t = time.perf_counter()
    loaded = embeddings_store.load(1, "bench")
    read = time.perf_counter() - t
    assert len(loaded) == n
    print(
        f"store (files): {n:,} windows, {len(clips) // 64 + 1} chunk files written in {write:.1f} s, "
        f"compacted in {compact:.1f} s, read in {read:.2f} s"
    )
    if database:
        import psycopg

        with psycopg.connect(database) as conn, conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE emb (clip bigint primary key, embedding bytea)")
            blob = windows.vectors.reshape(len(clips), -1)
            with cur.copy("COPY emb (clip, embedding) FROM STDIN") as copy:
                for c in range(len(clips)):
                    copy.write_row((int(c), blob[c].tobytes()))
            t = time.perf_counter()
            cur.execute("SELECT clip, embedding FROM emb ORDER BY clip")
            rows = cur.fetchall()
            vecs = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(n, dim)
            rows_t = time.perf_counter() - t
            assert len(vecs) == n
        print(f"store (bytea rows, one per clip): {n:,} windows read in {rows_t:.2f} s")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--windows", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--index", type=int, nargs="*", default=[200_000])
    p.add_argument("--store", type=int, default=0)
    p.add_argument("--database", default=None)
    p.add_argument("--blas-threads", action="store_true")
    args = p.parse_args()
    print(
        f"load: {os.getloadavg()[0]:.2f} (1-min), cores: {os.cpu_count()}, "
        f"BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}"
    )
    print(
        "| windows | clips | load + centring (ms, once) | box query (ms) | window query (ms) | clip query (ms) |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in args.windows:
        query_times(n, args.dim)
    if args.index:
        print(
            "\n| windows | usearch build (s, 2 threads) | exact top-10 (ms) | usearch top-10 (ms) | recall@10 |"
        )
        print("| ---: | ---: | ---: | ---: | ---: |")
        for n in args.index:
            index_recall(n, args.dim)
    if args.store:
        store_read(args.store, args.dim, args.database)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
