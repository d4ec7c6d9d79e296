"""What reading the project's embedding adds to a round over a large pool (``sampling.pool``).

    python benchmarks/pool_embedding_scale.py [--clips 1000000] [--windows 10] [--dim 48]

A round whose project embeds with an adapter (band statistics by default: 48-d, one window per
0.1 s, so a 1-s clip has 10) reads the clip means the compaction stored next to the adapter's
window store (``embeddings_store.load_clip_means``) and takes the candidates' rows
(``ClipEmbeddings.rows_for``). This times them on a store of ``--clips`` clips written as the
embedding chunks write it, and (``--from-windows``) the fallback that averages every window; the
rest of the round is ``benchmarks/pool_scale.py``'s. Each step once, in this process.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# The search index (usearch, past 2M windows) is built at compaction too; not what this measures.
os.environ.setdefault("ECHOLOOP_SEARCH_INDEX_ABOVE", str(10**12))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
os.environ.setdefault("ECHOLOOP_DATA_DIR", tempfile.mkdtemp(prefix="pool-embedding-"))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from models_app import embeddings_store  # noqa: E402
from sampling import pool  # noqa: E402

SOURCE = embeddings_store.adapter_source("band-stats")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clips", type=int, default=1_000_000)
    p.add_argument("--windows", type=int, default=10)
    p.add_argument("--dim", type=int, default=48)
    p.add_argument("--from-windows", action="store_true", help="also time the fallback path")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    print(
        f"load {os.getloadavg()[0]:.2f}; {args.clips} clips x {args.windows} windows x {args.dim}"
    )
    began = time.perf_counter()
    per_chunk = 65_536
    for first in range(0, args.clips, per_chunk):
        ids = list(range(first + 1, min(first + per_chunk, args.clips) + 1))
        block = rng.standard_normal((len(ids), args.windows, args.dim)).astype(np.float16)
        embeddings_store.write_chunk(1, SOURCE, ids, list(block), 0.1)
    print(f"store written as chunks (setup): {time.perf_counter() - began:.1f} s")
    t0 = time.perf_counter()
    embeddings_store.compact(1, SOURCE)
    print(
        f"compaction with the clip means (score worker, once per embedding): {time.perf_counter() - t0:.1f} s"
    )
    embeddings_store._CACHE.clear()
    candidates = np.arange(1, args.clips + 1, dtype=np.int64)[rng.random(args.clips) < 0.98]
    print("| a round's read | seconds |\n|---|---:|")
    t0 = time.perf_counter()
    chosen = pool.ClipEmbeddings(SOURCE, *embeddings_store.load_clip_means(1, SOURCE))
    t1 = time.perf_counter()
    rows = chosen.rows_for(candidates)
    t2 = time.perf_counter()
    print(f"| the clip means file ({len(chosen.ids):,} clips) | {t1 - t0:.2f} |")
    print(f"| rows of {len(candidates):,} candidates (float32) | {t2 - t1:.2f} |")
    print(f"| total | {t2 - t0:.2f} |")
    if args.from_windows:  # the fallback while chunks are newer than the compaction
        embeddings_store._CACHE.clear()
        t0 = time.perf_counter()
        windows = embeddings_store.load(1, SOURCE)
        t1 = time.perf_counter()
        windows.clip_means()
        t2 = time.perf_counter()
        print(f"| (fallback) load {len(windows):,} windows | {t1 - t0:.2f} |")
        print(f"| (fallback) clip means from them | {t2 - t1:.2f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB; rows {rows.shape} {rows.dtype}; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
