"""Time and peak extra memory of each sampling strategy on a large synthetic pool.

    .venv/bin/python benchmarks/sampling_scale.py [--sizes 100000 1000000] [--k 1000]

The pool is made of clustered 128-d embeddings (real embeddings are clustered, not
isotropic noise), 10 class probabilities, 16 window uncertainties and site/hour strata;
1,000 clips are already labelled. Peak memory is what tracemalloc sees numpy allocate
during the selection call, on top of the pool itself.
"""

from __future__ import annotations

import os
import sys

# The lazy k-center and k-means issue thousands of small GEMMs; on a shared, oversubscribed
# machine multi-threaded OpenBLAS spends more time synchronising its threads than computing
# (measured 3-10x slower under load). One BLAS thread per process is faster and predictable;
# pass --blas-threads to compare. Must be set before numpy is imported.
if "--blas-threads" not in sys.argv:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from sampling import strategies  # noqa: E402
from sampling.strategies import Pool  # noqa: E402

# The hybrid and the stratified/audited variants are what a project would configure.
CONFIGS: dict[str, tuple[str, dict]] = {
    "random": ("random", {}),
    "stratified": ("stratified", {}),
    "entropy": ("entropy", {}),
    "balanced_entropy": ("balanced_entropy", {}),
    "margin": ("margin", {}),
    "least_confidence": ("least_confidence", {}),
    "top_windows": ("top_windows", {}),
    "kcenter": ("kcenter", {}),
    "typiclust": ("typiclust", {"space": "embeddings"}),
    "hybrid": ("hybrid", {}),
    "hybrid(balanced)": ("hybrid", {"uncertainty": "balanced_entropy"}),
    "stratified+hybrid": ("stratified", {"within": "hybrid", "keys": ("site",)}),
}


def make_pool(n: int, *, dim: int = 128, n_labelled: int = 1000, seed: int = 0) -> Pool:
    """A pool of ``n`` clips whose embeddings come from 200 Gaussian clusters."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((200, dim)).astype(np.float32) * 3.0
    which = rng.integers(200, size=n + n_labelled)
    emb = centres[which] + rng.standard_normal((n + n_labelled, dim), dtype=np.float32)
    strata = {
        "site": rng.integers(0, 20, n + n_labelled),
        "hour": rng.integers(0, 6, n + n_labelled),
    }
    wu = rng.random((n, 16), dtype=np.float32)
    wu[:, 8:][rng.random((n, 8)) < 0.5] = np.nan  # clips with fewer events
    return Pool(
        ids=np.arange(n, dtype=np.int64),
        probs=rng.random((n, 10), dtype=np.float32),
        window_uncertainty=wu,
        embeddings=emb[:n],
        strata={k: v[:n] for k, v in strata.items()},
        labelled_embeddings=emb[n:],
        labelled_strata={k: v[n:] for k, v in strata.items()},
    )


def measure(pool: Pool, name: str, params: dict, k: int) -> tuple[float, float]:
    """Seconds and peak MiB allocated by one selection.

    Timed without tracing (tracemalloc slows numpy allocations down a lot), then run again
    under tracemalloc for the memory peak.
    """
    t0 = time.perf_counter()
    strategies.select(name, pool, k, rng=np.random.default_rng(1), **params)
    seconds = time.perf_counter() - t0
    tracemalloc.start()
    strategies.select(name, pool, k, rng=np.random.default_rng(1), **params)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument(
        "--blas-threads", action="store_true", help="keep the BLAS default thread count"
    )
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {c: [] for c in CONFIGS}
    for n in args.sizes:
        pool = make_pool(n)
        for label, (name, params) in CONFIGS.items():
            results[label].append(measure(pool, name, params, args.k))
        del pool
    head = " | ".join(f"{n:,} s | {n:,} MiB" for n in args.sizes)
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        f"Selecting {args.k:,} clips, 128-d embeddings, 1,000 labelled, BLAS threads: {threads}\n"
    )
    print(f"| strategy | {head} |")
    print("|---" * (1 + 2 * len(args.sizes)) + "|")
    for label, rows in results.items():
        cells = " | ".join(f"{s:.2f} | {m:.0f}" for s, m in rows)
        print(f"| {label} | {cells} |")


if __name__ == "__main__":
    main()
