"""A version's pool scores as arrays: written per scored chunk, read whole by a sampling round.

``Prediction`` keeps one row per clip for the page, exports and evaluation (detections, JSON);
``ScoreChunk`` keeps the same chunk's probabilities, window uncertainties and float16 embeddings
packed, so reading a million clips' scores is ~16,000 rows and a few ``np.frombuffer`` calls.
Versions scored before chunks existed (or imported from an external model) have only
``Prediction`` rows: ``read`` falls back to those (the slow path, decoding JSON per clip).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Min, Q, Sum

from models_app.models import ModelVersion, Prediction, ScoreChunk


@dataclass
class Scores:
    """Rows sorted by clip id; ``probs`` [N, C] float32, ``windows`` [N, W] float32 NaN-padded
    (None when no clip has any), ``embeddings`` [N, D] float16 (None when any clip lacks one)."""

    ids: np.ndarray
    probs: np.ndarray | None
    windows: np.ndarray | None
    embeddings: np.ndarray | None

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, rows: np.ndarray) -> Scores:
        pick = lambda a: None if a is None else a[rows]  # noqa: E731
        return Scores(self.ids[rows], pick(self.probs), pick(self.windows), pick(self.embeddings))


def chunk_row(version: ModelVersion, clip_ids: list[int], probs, windows, embeddings) -> ScoreChunk:
    """A ScoreChunk of ``clip_ids`` (rows aligned): probs [n, C], windows a list of n 1-D
    arrays of any lengths, embeddings [n, D] or None."""
    n = len(clip_ids)
    probs = np.asarray(probs, dtype=np.float32)
    probs = probs.reshape(n, probs.size // n if n else 0)
    width = max((len(w) for w in windows), default=0)
    packed = np.full((n, width), np.nan, dtype=np.float32)
    for i, w in enumerate(windows):
        packed[i, : len(w)] = w
    emb = None if embeddings is None else np.asarray(embeddings, dtype=np.float16).reshape(n, -1)
    return ScoreChunk(
        version=version,
        n_clips=n,
        clip_ids=np.asarray(clip_ids, dtype=np.int64).tobytes(),
        probs=probs.tobytes(),
        n_classes=probs.shape[1],
        windows=packed.tobytes(),
        n_windows=width,
        embeddings=None if emb is None else emb.tobytes(),
        dim=0 if emb is None else emb.shape[1],
    )


FIELDS = ("n_clips", "clip_ids", "probs", "n_classes", "windows", "n_windows", "embeddings", "dim")
BATCH = 1000  # chunk rows per query: the bytes of one batch are all a read holds besides its arrays


def read(version: ModelVersion) -> Scores:
    """Every clip the version scored, with its scores (chunks first, legacy rows for the rest)."""
    scores = _read_chunks(ScoreChunk.objects.filter(version=version))
    if Prediction.objects.filter(version=version).count() > len(scores):
        scores = _concat([scores, _from_predictions(version, exclude=scores.ids)])
    return scores


def _read_chunks(chunks) -> Scores:
    """The chunks' arrays, each filled in place batch by batch (peak memory: the arrays and one
    batch of rows), then sorted by clip id with repeats dropped."""
    shape = chunks.aggregate(
        n=Sum("n_clips"),
        c_min=Min("n_classes"),
        c_max=Max("n_classes"),
        width=Max("n_windows"),
        d_min=Min("dim"),
        d_max=Max("dim"),
        no_embedding=Count("pk", filter=Q(embeddings__isnull=True)),
    )
    n = shape["n"] or 0
    if not n:
        return Scores(np.zeros(0, np.int64), None, None, None)
    ids = np.empty(n, np.int64)
    n_classes = shape["c_max"] if shape["c_min"] == shape["c_max"] else 0
    probs = np.empty((n, n_classes), np.float32)
    windows = np.full((n, shape["width"]), np.nan, np.float32)
    dim = shape["d_max"] if shape["d_min"] == shape["d_max"] and not shape["no_embedding"] else 0
    embeddings = np.empty((n, dim), np.float16) if dim else None
    row, last = 0, 0
    while batch := _rows(
        chunks.filter(pk__gt=last).order_by("pk").values_list("pk", *FIELDS)[:BATCH]
    ):
        for pk, *fields in batch:
            part = _unpack(*fields)
            end = row + len(part)
            ids[row:end] = part.ids
            if n_classes:
                probs[row:end] = part.probs
            windows[row:end, : part.windows.shape[1]] = part.windows
            if dim:
                embeddings[row:end] = part.embeddings
            row, last = end, pk
    scores = Scores(
        ids, probs if n_classes else None, windows if shape["width"] else None, embeddings
    )
    return _by_id(scores)


def _rows(queryset) -> list:
    """The rows of ``queryset``; on PostgreSQL in binary format (bytea arrives as the bytes it
    is, not as hex to decode: a million clips' chunks in ~1 s instead of ~4 s)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    import psycopg

    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


def _unpack(n, ids, probs, n_classes, windows, n_windows, embeddings, dim) -> Scores:
    return Scores(
        ids=np.frombuffer(bytes(ids), dtype=np.int64),
        probs=np.frombuffer(bytes(probs), dtype=np.float32).reshape(n, n_classes),
        windows=np.frombuffer(bytes(windows), dtype=np.float32).reshape(n, n_windows),
        embeddings=None
        if embeddings is None
        else np.frombuffer(bytes(embeddings), dtype=np.float16).reshape(n, dim),
    )


def _concat(parts: list[Scores]) -> Scores:
    """One Scores sorted by clip id; a clip in two chunks (a chunk redelivered while the first
    delivery was still writing) counts once. Each array is filled in place (one copy at most)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scores(np.zeros(0, np.int64), None, None, None)
    ids = np.concatenate([p.ids for p in parts])
    n_classes = {0 if p.probs is None else p.probs.shape[1] for p in parts}
    probs = (
        _stack([p.probs for p in parts], np.float32)
        if len(n_classes) == 1 and n_classes != {0}
        else None
    )
    parts = [
        p
        if p.windows is not None
        else Scores(p.ids, p.probs, np.zeros((len(p), 0), np.float32), p.embeddings)
        for p in parts
    ]
    width = max(p.windows.shape[1] for p in parts)
    windows = (
        _stack([p.windows for p in parts], np.float32, width=width, fill=np.nan) if width else None
    )
    dims = {None if p.embeddings is None else p.embeddings.shape[1] for p in parts}
    embeddings = (
        _stack([p.embeddings for p in parts], np.float16)
        if len(dims) == 1 and None not in dims
        else None
    )
    scores = Scores(ids, probs, windows, embeddings)
    return _by_id(scores)


def _stack(arrays: list[np.ndarray], dtype, *, width: int | None = None, fill=0) -> np.ndarray:
    """Rows of ``arrays`` one under the other, padded to ``width`` columns with ``fill``."""
    width = arrays[0].shape[1] if width is None else width
    out = np.empty(
        (sum(len(a) for a in arrays), width), dtype=dtype
    )  # np.full would touch it twice
    row = 0
    for a in arrays:
        out[row : row + len(a), : a.shape[1]] = a
        out[row : row + len(a), a.shape[1] :] = fill
        row += len(a)
    return out


def float32_rows(array: np.ndarray, rows: np.ndarray, block: int = 65_536) -> np.ndarray:
    """``array[rows]`` as float32, converted block by block (no full-size temporary copy)."""
    out = np.empty((len(rows), array.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), block):
        out[start : start + block] = array[rows[start : start + block]]
    return out


def _from_predictions(version: ModelVersion, exclude: np.ndarray) -> Scores:
    """The legacy path: one Prediction row per clip with JSON to decode."""
    rows = [
        row
        for row in Prediction.objects.filter(version=version)
        .values_list("clip_id", "class_probs", "window_uncertainty", "embedding")
        .iterator(chunk_size=5000)
        if not len(exclude) or not _contains(exclude, row[0])
    ]
    if not rows:
        return Scores(np.zeros(0, np.int64), None, None, None)
    ids = [r[0] for r in rows]
    widths = {len(r[1]) for r in rows}
    probs = (
        np.array([r[1] for r in rows], dtype=np.float32)
        if len(widths) == 1
        else np.zeros((len(rows), 0))
    )
    embeddings = None
    if all(r[3] for r in rows):
        embeddings = np.stack([np.frombuffer(bytes(r[3]), dtype=np.float16) for r in rows])
    chunk = chunk_row(version, ids, probs, [np.asarray(r[2], np.float32) for r in rows], embeddings)
    return _unpack(
        len(rows),
        chunk.clip_ids,
        chunk.probs,
        chunk.n_classes,
        chunk.windows,
        chunk.n_windows,
        chunk.embeddings,
        chunk.dim,
    )


def _contains(sorted_ids: np.ndarray, clip_id: int) -> bool:
    pos = int(np.searchsorted(sorted_ids, clip_id))
    return pos < len(sorted_ids) and int(sorted_ids[pos]) == clip_id


def _by_id(scores: Scores) -> Scores:
    """``scores`` in increasing clip id; a clip scored twice (a redelivered chunk) keeps its first row."""
    ids = scores.ids
    if len(ids) > 1 and not (np.diff(ids) > 0).all():
        _, first = np.unique(ids, return_index=True)
        scores = scores.take(first)
    return scores
