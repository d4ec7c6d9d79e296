"""Window-level embeddings of a project's pool, per source, as float16 arrays in the media storage.

A *source* is what embedded the windows: a model version (``v<id>``) or an external embedding
adapter (``adapter-<name>``). Each rescore chunk writes one ``.npz`` file (clip ids, window starts,
float16 vectors) next to its predictions; when the rescore ends, ``compact`` merges the chunk files
into one, so a million windows load as one read (128 MB for 64-d) instead of thousands. Files, not
rows: one window per row would be 5-30 rows per clip, and the benchmark
(``benchmarks/search.py``) measured a file read against the ``Prediction.embedding`` column.

``load`` gives a ``WindowSet`` sorted by clip, kept in this process until the files change.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from models_app import similarity

ROOT = "embeddings"
# Pools of at least this many windows also get an approximate index (if usearch is installed).
INDEX_ABOVE = int(os.environ.get("ECHOLOOP_SEARCH_INDEX_ABOVE", "2000000"))
_CACHE: OrderedDict[tuple[int, str], tuple[tuple, WindowSet | tuple]] = OrderedDict()
_CACHE_SIZE = 2
_LOCK = threading.Lock()


@dataclass
class WindowSet:
    """Windows sorted by clip: ``clip_ids[i]``, ``starts_s[i]`` (from the clip's start), ``vectors[i]``."""

    clip_ids: np.ndarray  # int64 [N]
    starts_s: np.ndarray  # float32 [N]
    vectors: np.ndarray  # float16 [N, D], unit rows
    window_s: float
    _centred: tuple | None = field(default=None, repr=False, compare=False)
    _centred_clips: tuple | None = field(default=None, repr=False, compare=False)
    _starts: np.ndarray | None = field(default=None, repr=False, compare=False)
    _index: object | None = field(default=None, repr=False, compare=False)
    _clip_means: tuple | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.clip_ids)

    def centred(self) -> tuple[np.ndarray, np.ndarray]:
        """(pool mean, float32 rows with the mean taken off and scaled to unit length), computed once.

        A ReLU embedding has a large component every window shares (cosines all near 1); taking the
        pool's mean off spreads the distances over what tells windows apart. float32 in memory
        (4·D bytes a window, 256 MB per million 64-d windows): numpy has no fast float16 product,
        and converting on every query costs ten times the product itself."""
        if self._centred is None:
            mean = (
                self.vectors.astype(np.float32).mean(axis=0)
                if len(self)
                else np.zeros(0, np.float32)
            )
            rows = np.empty(self.vectors.shape, dtype=np.float32)
            for start in range(0, len(self), 262_144):
                block = self.vectors[start : start + 262_144].astype(np.float32) - mean
                rows[start : start + len(block)] = block / np.maximum(
                    np.linalg.norm(block, axis=1, keepdims=True), 1e-12
                )
            self._centred = (mean, rows)
        return self._centred

    def centred_clips(self) -> tuple[np.ndarray, np.ndarray]:
        """(clip ids, float32 unit mean of each clip's centred windows): whole clips compared as wholes."""
        if self._centred_clips is None:
            _mean, rows = self.centred()
            starts = self.group_starts
            sums = np.add.reduceat(rows, starts, axis=0) if len(starts) else rows[:0]
            unit = sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
            self._centred_clips = (self.clip_ids[starts], unit.astype(np.float32))
        return self._centred_clips

    def clip_means(self, block: int = 262_144) -> tuple[np.ndarray, np.ndarray]:
        """(clip ids, float16 [C, D]: each clip's mean window with the pool's mean taken off, unit
        length), computed once, a block of whole clips at a time: no float32 copy of every window
        (``centred`` keeps one), so sampling reads a million clips' embeddings in bounded memory."""
        if self._clip_means is None:
            starts, n = self.group_starts, len(self)
            dim = self.vectors.shape[1] if self.vectors.ndim == 2 else 0
            out = np.zeros((len(starts), dim), np.float16)
            mean = self.vectors.mean(axis=0, dtype=np.float64) if n else np.zeros(dim)
            bounds = np.r_[starts, n]
            g = 0
            while g < len(starts):
                g_end = max(
                    g + 1, int(np.searchsorted(starts, starts[g] + block, side="right")) - 1
                )
                g_end = min(g_end, len(starts))
                lo, hi = int(bounds[g]), int(bounds[g_end])
                sums = np.add.reduceat(
                    self.vectors[lo:hi].astype(np.float32), starts[g:g_end] - lo, axis=0
                )
                rows = sums / np.diff(bounds[g : g_end + 1])[:, None] - mean.astype(np.float32)
                out[g:g_end] = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
                g = g_end
            self._clip_means = (self.clip_ids[starts], out)
        return self._clip_means

    @property
    def group_starts(self) -> np.ndarray:
        """Index of each clip's first window (rows are sorted by clip), computed once."""
        if self._starts is None:
            ids = self.clip_ids
            self._starts = (
                np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
                if len(ids)
                else np.zeros(0, np.int64)
            )
        return self._starts

    def rows_of(self, clip_id: int) -> np.ndarray:
        lo, hi = np.searchsorted(self.clip_ids, [clip_id, clip_id + 1])
        return np.arange(lo, hi)


def version_source(version_id: int) -> str:
    return f"v{version_id}"


def adapter_source(name: str) -> str:
    return f"adapter-{name}"


def _folder(project_id: int, source: str) -> str:
    return f"{ROOT}/p{project_id}/{source}"


def write_chunk(
    project_id: int, source: str, clip_ids: list[int], windows: list[np.ndarray], window_s: float
) -> str | None:
    """Store the windows of some clips (``windows[i]``: ``[W_i, D]`` of clip ``clip_ids[i]``).

    Named by the content's hash: a redelivered chunk writes the same name and is skipped."""
    windows = [w for w in windows]
    if not clip_ids or not any(len(w) for w in windows):
        return None
    ids = np.concatenate(
        [np.full(len(w), c, dtype=np.int64) for c, w in zip(clip_ids, windows, strict=True)]
    )
    starts = np.concatenate([np.arange(len(w), dtype=np.float32) * window_s for w in windows])
    vectors = np.concatenate([np.asarray(w, dtype=np.float16) for w in windows if len(w)])
    data = _pack(ids, starts, vectors, window_s)
    name = f"{_folder(project_id, source)}/chunk-{hashlib.sha1(data).hexdigest()[:16]}.npz"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(data))
    return name


def compact(project_id: int, source: str) -> int:
    """Merge the source's files into one pool file (after a rescore); returns its windows. A large
    pool's search index is built afterwards, by its own task (``build_index``): an HNSW build over
    millions of windows takes many minutes on two cores, and the sampling round that follows a
    rescore must not wait for it."""
    names = _files(project_id, source)
    if not names:
        return 0
    if len(names) == 1 and "/pool-" in names[0]:
        name, merged = names[0], load(project_id, source)
    else:
        merged = _read_all(names)
        data = _pack(merged.clip_ids, merged.starts_s, merged.vectors, merged.window_s)
        name = f"{_folder(project_id, source)}/pool-{hashlib.sha1(data).hexdigest()[:16]}.npz"
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(data))
    index_name = _index_name(name) if default_storage.exists(_index_name(name)) else None
    means_name = _write_means(name, merged) if source.startswith("adapter-") else None
    for old in names + _files(project_id, source, ".usearch") + _files(project_id, source, MEANS):
        # written first, deleted after: a reader sees the windows at every moment
        if old not in (name, index_name, means_name):
            default_storage.delete(old)
    return len(merged)


MEANS = ".means"  # per-clip means of a pool file (npz bytes), named after it


def _write_means(pool_name: str, windows: WindowSet) -> str:
    """Each clip's mean window (``WindowSet.clip_means``) next to the pool file: sampling reads
    one row per clip (96 MB for a million 48-d clips) instead of every window."""
    name = pool_name.replace("/pool-", "/means-").replace(".npz", MEANS)
    if not default_storage.exists(name):
        ids, vectors = windows.clip_means()
        buf = io.BytesIO()
        np.savez(buf, clip_ids=ids, vectors=vectors)
        default_storage.save(name, ContentFile(buf.getvalue()))
    return name


def _means_file(project_id: int, source: str, *, whole: bool = True) -> str | None:
    """The means file of the source's compacted pool file; with ``whole``, only when no chunk was
    written since (then it covers every stored clip)."""
    windows = _files(project_id, source)
    pools = [w for w in windows if "/pool-" in w]
    if len(pools) != 1 or (whole and len(windows) != 1):
        return None
    name = pools[0].replace("/pool-", "/means-").replace(".npz", MEANS)
    return name if name in _files(project_id, source, MEANS) else None


def has_clip_means(project_id: int, source: str) -> bool:
    """Whether the source's last compaction stored its clip means."""
    return _means_file(project_id, source, whole=False) is not None


def stored_clip_ids(project_id: int, source: str) -> np.ndarray:
    """The sorted ids of the clips the source has windows of (from the means file when there is
    one: a million ids, not ten million windows)."""
    name = _means_file(project_id, source)
    if name is None:
        return np.unique(load(project_id, source).clip_ids)
    with default_storage.open(name, "rb") as fh, np.load(io.BytesIO(fh.read())) as z:
        return z["clip_ids"]


def compacted_clip_ids(project_id: int, source: str) -> np.ndarray:
    """The sorted ids of the clips the source's last compaction holds (its means file; empty when
    there is none): one small read, whatever has been written since."""
    name = _means_file(project_id, source, whole=False)
    if name is None:
        return np.zeros(0, dtype=np.int64)
    with default_storage.open(name, "rb") as fh, np.load(io.BytesIO(fh.read())) as z:
        return z["clip_ids"]


def load_clip_means(project_id: int, source: str) -> tuple[np.ndarray, np.ndarray]:
    """(clip ids, float16 clip means) of the source, from its last compaction's means file (clips
    embedded since then are missing until the next one: a round reads one row per clip, never ten
    million windows); from its windows when it was never compacted. Cached in this process while
    the file is unchanged."""
    name = _means_file(project_id, source, whole=False)
    if name is None:
        return load(project_id, source).clip_means()
    key = (project_id, f"{source}{MEANS}")
    with _LOCK:
        hit = _CACHE.get(key)
        if hit and hit[0] == (name,):
            return hit[1]
    with default_storage.open(name, "rb") as fh, np.load(io.BytesIO(fh.read())) as z:
        value = (z["clip_ids"], z["vectors"])
    with _LOCK:
        _CACHE[key] = ((name,), value)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def _index_name(pool_name: str) -> str:
    return pool_name.replace("/pool-", "/index-").replace(".npz", ".usearch")


def wants_index(n_windows: int) -> bool:
    """Whether a pool of this many windows is searched through an index (past ``INDEX_ABOVE``,
    with usearch installed)."""
    return n_windows >= INDEX_ABOVE and similarity.index_available()


def build_index(project_id: int, source: str) -> str | None:
    """An HNSW index of the compacted pool's centred windows, next to its pool file (same hash),
    when the pool is past ``INDEX_ABOVE`` windows and usearch is installed; None when there is no
    single compacted pool (chunks written since: the next compaction sends this again) or it is
    small. Runs on the score queue (``tasks.build_search_index``), never in a request; until it
    is there, search scans exactly."""
    names = _files(project_id, source)
    if len(names) != 1 or "/pool-" not in names[0]:
        return None
    windows = load(project_id, source)
    if not wants_index(len(windows)):
        return None
    name = _index_name(names[0])
    if not default_storage.exists(name):
        index = similarity.UsearchIndex(windows.centred()[1])
        default_storage.save(name, ContentFile(index.to_bytes()))
    return name


def load_index(project_id: int, source: str, windows: WindowSet) -> similarity.UsearchIndex | None:
    """The index of exactly these windows (built from the current pool file), or None."""
    pools = [n for n in _files(project_id, source) if "/pool-" in n]
    if len(pools) != 1 or len(_files(project_id, source)) != 1:
        return None  # chunks written since the last compaction: the index would miss them
    name = _index_name(pools[0])
    if windows._index is None and default_storage.exists(name) and similarity.index_available():
        with default_storage.open(name, "rb") as fh:
            windows._index = similarity.UsearchIndex.from_bytes(fh.read())
    index = windows._index
    return index if index is not None and len(index) == len(windows) else None


def load(project_id: int, source: str) -> WindowSet:
    """Every stored window of the source (empty when there is none), cached while unchanged."""
    names = tuple(_files(project_id, source))
    key = (project_id, source)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit and hit[0] == names:
            _CACHE.move_to_end(key)
            return hit[1]
    windows = _read_all(list(names))
    with _LOCK:
        _CACHE[key] = (names, windows)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return windows


def prune(project_id: int, keep: set[str]) -> list[str]:
    """Delete the project's version sources not in ``keep`` (superseded versions' windows); adapter
    sources stay (choosing the adapter again would embed the pool again). Returns what went."""
    try:
        folders, _files_ = default_storage.listdir(f"{ROOT}/p{project_id}")
    except FileNotFoundError:
        return []
    gone = [f for f in folders if f.startswith("v") and f not in keep]
    for source in gone:
        delete(project_id, source)
    return gone


def delete(project_id: int, source: str) -> None:
    for name in (
        _files(project_id, source)
        + _files(project_id, source, ".usearch")
        + _files(project_id, source, MEANS)
    ):
        default_storage.delete(name)


def _files(project_id: int, source: str, suffix: str = ".npz") -> list[str]:
    folder = _folder(project_id, source)
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(f"{folder}/{f}" for f in files if f.endswith(suffix))


def _pack(ids, starts, vectors, window_s) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, clip_ids=ids, starts_s=starts, vectors=vectors, window_s=np.float32(window_s))
    return buf.getvalue()


def _read_all(names: list[str]) -> WindowSet:
    parts = []
    for name in names:
        with default_storage.open(name, "rb") as fh, np.load(io.BytesIO(fh.read())) as z:
            parts.append((z["clip_ids"], z["starts_s"], z["vectors"], float(z["window_s"])))
    if not parts:
        return WindowSet(
            np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros((0, 0), np.float16), 0.0
        )
    ids = np.concatenate([p[0] for p in parts])
    starts = np.concatenate([p[1] for p in parts])
    vectors = np.concatenate([p[2] for p in parts])
    # Sorted by clip then start; a clip in two files (a chunk scored twice) keeps one copy of each window.
    order = np.lexsort((starts, ids))
    ids, starts, vectors = ids[order], starts[order], vectors[order]
    keep = np.r_[True, (ids[1:] != ids[:-1]) | (starts[1:] != starts[:-1])]
    return WindowSet(ids[keep], starts[keep], vectors[keep], parts[0][3])
