"""A version's pool scores as arrays: written per scored chunk, read whole by a sampling round.

``Prediction`` keeps one row per clip for the page, exports and evaluation (detections, JSON);
``ScoreChunk`` keeps the same chunk's probabilities, window uncertainties and float16 embeddings
packed, so reading a million clips' scores is ~16,000 rows and a few ``np.frombuffer`` calls.
Every writer of predictions writes chunks too (a rescore, ``external.import_predictions``);
versions scored before chunks existed are packed by ``backfill`` (migration
``0008_backfill_score_chunks``, ``manage.py backfill_score_chunks``), so a round never decodes
JSON per clip: a version whose predictions some chunk lacks is packed once, then read as chunks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import islice

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum

from models_app.models import ModelVersion, Prediction, ScoreChunk

log = logging.getLogger(__name__)


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
    return ScoreChunk(version=version, **pack(clip_ids, probs, windows, embeddings))


def pack(clip_ids: list[int], probs, windows, embeddings) -> dict:
    """A ScoreChunk's packed fields (as ``chunk_row`` takes them), without the model: a
    migration builds its historical ScoreChunk from these."""
    n = len(clip_ids)
    probs = np.asarray(probs, dtype=np.float32)
    probs = probs.reshape(n, probs.size // n if n else 0)
    width = max((len(w) for w in windows), default=0)
    packed = np.full((n, width), np.nan, dtype=np.float32)
    for i, w in enumerate(windows):
        packed[i, : len(w)] = w
    emb = None if embeddings is None else np.asarray(embeddings, dtype=np.float16).reshape(n, -1)
    return {
        "n_clips": n,
        "clip_ids": np.asarray(clip_ids, dtype=np.int64).tobytes(),
        "probs": probs.tobytes(),
        "n_classes": probs.shape[1],
        "windows": packed.tobytes(),
        "n_windows": width,
        "embeddings": None if emb is None else emb.tobytes(),
        "dim": 0 if emb is None else emb.shape[1],
    }


FIELDS = ("n_clips", "clip_ids", "probs", "n_classes", "windows", "n_windows", "embeddings", "dim")
BATCH = 1000  # chunk rows per query: the bytes of one batch are all a read holds besides its arrays


def read(version: ModelVersion) -> Scores:
    """Every clip the version scored, with its scores, from its chunks. Predictions no chunk
    holds (a version scored before chunks existed and not yet backfilled) are packed first,
    once: later rounds read them as chunks."""
    chunks = ScoreChunk.objects.filter(version=version)
    scores = _read_chunks(chunks)
    if Prediction.objects.filter(version=version).count() > len(scores):
        log.warning("version %s has predictions without score chunks: packing them", version.pk)
        if backfill(version.pk):
            scores = _read_chunks(chunks)
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


def float32_rows(array: np.ndarray, rows: np.ndarray, block: int = 65_536) -> np.ndarray:
    """``array[rows]`` as float32, converted block by block (no full-size temporary copy)."""
    out = np.empty((len(rows), array.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), block):
        out[start : start + block] = array[rows[start : start + block]]
    return out


BACKFILL_ROWS = 1000  # clips per chunk (and per transaction) when packing predictions
PREDICTION_FIELDS = ("clip_id", "class_probs", "window_uncertainty", "embedding")


def backfill(
    version_id: int,
    *,
    prediction_model=Prediction,
    chunk_model=ScoreChunk,
    rows: int = BACKFILL_ROWS,
) -> int:
    """Pack the version's predictions that no chunk holds into chunks of ``rows`` clips, one
    transaction each; returns how many clips it packed. Bounded memory (one batch of rows and
    the ids of the packed clips) and resumable: an interrupted run leaves whole chunks, and the
    next packs only what they lack. A clip packed twice by two concurrent runs is read once
    (``_by_id``). The models are parameters so a migration passes its historical ones."""
    covered = _chunk_ids(chunk_model.objects.filter(version_id=version_id))
    # One streamed query in no order: a keyset page per batch (ORDER BY clip_id LIMIT) was
    # planned as a sort of every row of a freshly inserted version, per page.
    predictions = (
        prediction_model.objects.filter(version_id=version_id)
        .order_by()
        .values_list(*PREDICTION_FIELDS)
        .iterator(chunk_size=rows)
    )
    packed = 0
    while batch := list(islice(predictions, rows)):
        batch = [r for r in batch if not _contains(covered, r[0])]
        if batch:
            with transaction.atomic():
                chunk_model.objects.create(version_id=version_id, **_pack_rows(batch))
            packed += len(batch)
    return packed


def _chunk_ids(chunks) -> np.ndarray:
    """The sorted clip ids the chunks hold (ids only: no scores read)."""
    parts, last = [], 0
    while batch := list(
        chunks.filter(pk__gt=last).order_by("pk").values_list("pk", "clip_ids")[:BATCH]
    ):
        parts.extend(np.frombuffer(bytes(ids), dtype=np.int64) for _, ids in batch)
        last = batch[-1][0]
    return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def _pack_rows(rows: list[tuple]) -> dict:
    """Prediction rows (``PREDICTION_FIELDS``) as a chunk's packed fields. Probabilities of
    mixed lengths (never written by one version) pack as none rather than guessing."""
    widths = {len(r[1] or []) for r in rows}
    probs = (
        np.array([r[1] or [] for r in rows], dtype=np.float32).reshape(len(rows), -1)
        if len(widths) == 1
        else np.zeros((len(rows), 0), np.float32)
    )
    blobs = [bytes(r[3]) if r[3] else b"" for r in rows]
    embeddings = None
    if all(blobs) and len({len(b) for b in blobs}) == 1:
        embeddings = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(rows), -1)
    windows = [np.asarray(r[2] or [], np.float32) for r in rows]
    return pack([r[0] for r in rows], probs, windows, embeddings)


def decode_rows(rows: list[tuple]) -> Scores:
    """Prediction rows (``PREDICTION_FIELDS``) decoded as one Scores: what a round cost before
    chunks (the benchmark's baseline); the product packs them once instead (``backfill``)."""
    if not rows:
        return Scores(np.zeros(0, np.int64), None, None, None)
    fields = _pack_rows(rows)
    return _unpack(*(fields[f] for f in FIELDS))


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
