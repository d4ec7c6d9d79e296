"""Nearest windows by cosine similarity: exact in numpy, or an optional approximate index.

Pure numpy (no Django). Vectors are L2-normalised, so the cosine similarity is a dot product and
the distance is ``1 - similarity`` (0 identical, 2 opposite). ``exact_top_k`` scans the matrix in
chunks (memory stays at one chunk of float32 products) and keeps the best ``k`` with
``argpartition``; ``per_group_best`` reduces windows to their clips. Matrices are float32: numpy
multiplies float16 only through a conversion that costs ten times the product. ``UsearchIndex`` wraps an HNSW
index from the optional ``usearch`` package for pools past what an exact scan answers in time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CHUNK_ROWS = 131_072  # 131k × 64 float32 products = 32 MiB per chunk


@dataclass
class Hits:
    """Row indices, best first, and their cosine similarities."""

    indices: np.ndarray  # int64
    similarities: np.ndarray  # float32

    @property
    def distances(self) -> np.ndarray:
        return (1.0 - self.similarities).astype(np.float32)


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


def similarities(
    matrix: np.ndarray, query: np.ndarray, *, chunk_rows: int = CHUNK_ROWS
) -> np.ndarray:
    """Cosine similarity of every row of ``matrix`` (unit rows, float16 or float32) to ``query``."""
    q = normalise(query).astype(np.float32)
    out = np.empty(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), chunk_rows):
        block = matrix[start : start + chunk_rows]
        out[start : start + len(block)] = block.astype(np.float32, copy=False) @ q
    return out


def top_k(scores: np.ndarray, k: int, *, exclude: np.ndarray | None = None) -> Hits:
    """The ``k`` highest of ``scores`` (``exclude``: a boolean mask of rows never returned)."""
    if exclude is not None:
        scores = np.where(exclude, -np.inf, scores)
    k = min(k, len(scores))
    if k <= 0:
        return Hits(np.zeros(0, np.int64), np.zeros(0, np.float32))
    part = np.argpartition(scores, len(scores) - k)[len(scores) - k :]
    part = part[np.isfinite(scores[part])]
    order = part[np.argsort(-scores[part], kind="stable")]
    return Hits(order.astype(np.int64), scores[order].astype(np.float32))


def exact_top_k(
    matrix: np.ndarray, query: np.ndarray, k: int, *, exclude: np.ndarray | None = None
) -> Hits:
    """Exact nearest rows of ``matrix`` to ``query`` by cosine similarity."""
    return top_k(similarities(matrix, query), k, exclude=exclude)


def per_group_best(scores: np.ndarray, group_starts: np.ndarray) -> np.ndarray:
    """Each group's best score, for rows sorted by group (``group_starts``: each group's first row)."""
    if not len(scores):
        return np.zeros(0, np.float32)
    return np.maximum.reduceat(scores, group_starts).astype(np.float32, copy=False)


def best_row(scores: np.ndarray, group_starts: np.ndarray, group: int) -> int:
    """The first row of ``group`` holding its best score."""
    end = group_starts[group + 1] if group + 1 < len(group_starts) else len(scores)
    return int(group_starts[group] + np.argmax(scores[group_starts[group] : end]))


class UsearchIndex:
    """Approximate nearest neighbours (HNSW, cosine) over the same rows; needs ``usearch``."""

    def __init__(
        self,
        matrix: np.ndarray | None,
        *,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 64,
        threads: int = 0,
        saved: bytes | None = None,
    ):
        Index = usearch_index()
        if saved is not None:
            self.index = Index.restore(saved)
            return
        self.index = Index(
            ndim=matrix.shape[1],
            metric="cos",
            dtype="f16",
            connectivity=connectivity,
            expansion_add=expansion_add,
            expansion_search=expansion_search,
        )
        self.index.add(
            np.arange(len(matrix), dtype=np.uint64),
            np.asarray(matrix, dtype=np.float16),
            threads=threads,
        )

    def to_bytes(self) -> bytes:
        return bytes(self.index.save())

    @classmethod
    def from_bytes(cls, data: bytes) -> UsearchIndex:
        return cls(None, saved=data)

    def __len__(self) -> int:
        return len(self.index)

    def search(self, query: np.ndarray, k: int) -> Hits:
        found = self.index.search(normalise(query).astype(np.float16), k)
        keys = np.asarray(found.keys, dtype=np.int64)
        sims = 1.0 - np.asarray(found.distances, dtype=np.float32)
        return Hits(keys, sims)


def usearch_index():
    """usearch's ``Index`` class; RuntimeError when the optional package is not installed."""
    try:
        from usearch.index import Index
    except ImportError as exc:  # optional dependency
        raise RuntimeError(
            "the index needs the optional package usearch (pip install echoloop[index])"
        ) from exc
    return Index


def index_available() -> bool:
    try:
        usearch_index()
    except RuntimeError:
        return False
    return True


def recall_at_k(exact: Hits, approx: Hits) -> float:
    """Share of the exact top-k the approximate search also returned."""
    if not len(exact.indices):
        return 1.0
    return len(set(exact.indices.tolist()) & set(approx.indices.tolist())) / len(exact.indices)
