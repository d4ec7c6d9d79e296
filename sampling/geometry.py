"""Distance-based building blocks for the sampling strategies: pure numpy, memory-light.

Everything here is linear in the number of points: distances are computed in blocks
against a few centres at a time, never as an N x N matrix.
"""

from __future__ import annotations

import numpy as np

# Rows per block when scanning the pool; 4096 x 128 float32 is 2 MiB, which stays in cache.
BLOCK_ROWS = 4096
# Centres compared per block at once, so a block x centres buffer stays around 16 MiB.
CENTRE_CHUNK = 1024


def squared_norms(x: np.ndarray) -> np.ndarray:
    """Row-wise squared Euclidean norms as float32."""
    return np.einsum("ij,ij->i", x, x, dtype=np.float32)


def min_sq_dist(
    x: np.ndarray, centres: np.ndarray, *, x_sq: np.ndarray | None = None
) -> np.ndarray:
    """Squared distance from each row of ``x`` to its nearest row of ``centres``.

    Blocked over both arguments so memory stays O(BLOCK_ROWS * CENTRE_CHUNK).
    """
    out = np.full(len(x), np.inf, dtype=np.float32)
    if len(centres) == 0 or len(x) == 0:
        return out
    x_sq = squared_norms(x) if x_sq is None else x_sq
    c_sq = squared_norms(centres)
    for lo in range(0, len(x), BLOCK_ROWS):
        hi = min(lo + BLOCK_ROWS, len(x))
        out[lo:hi] = _block_min(x[lo:hi], x_sq[lo:hi], centres, c_sq, out[lo:hi])
    return out


def _block_min(
    xb: np.ndarray, xb_sq: np.ndarray, centres: np.ndarray, c_sq: np.ndarray, current: np.ndarray
) -> np.ndarray:
    """Fold the distances of one block of rows to all ``centres`` into ``current``."""
    best = current.copy()
    for lo in range(0, len(centres), CENTRE_CHUNK):
        c = centres[lo : lo + CENTRE_CHUNK]
        # |x - c|^2 = |x|^2 + |c|^2 - 2 x.c : one GEMM instead of a broadcast difference.
        d2 = xb @ c.T
        d2 *= -2.0
        d2 += xb_sq[:, None]
        d2 += c_sq[None, lo : lo + CENTRE_CHUNK]
        # Rounding can make a near-duplicate slightly negative; clip before folding so a
        # row marked -inf (already a centre) stays marked.
        np.minimum(best, np.maximum(d2.min(axis=1), 0.0), out=best)
    return best


def kcenter_greedy(
    x: np.ndarray,
    k: int,
    *,
    rng: np.random.Generator,
    seeds: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-center (farthest-first traversal), seeded with ``seeds`` when given.

    Returns the picked row indices in pick order and, for each, its Euclidean distance to
    the nearest seed or earlier pick at the time it was picked (inf for an unseeded first
    pick, which is drawn at random).

    The result is the exact greedy sequence, computed lazily: the rows are split into
    blocks, each remembering an upper bound on its largest min-distance and how many
    centres it has been compared with. Only the block with the largest bound is brought up
    to date; when it is current and still the largest, its best row is the global
    farthest point. New centres usually touch few blocks, so selecting 1,000 from
    1,000,000 scans the pool about once instead of 1,000 times.
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    n = len(x)
    k = min(k, n)
    seeds = np.zeros((0, x.shape[1]), np.float32) if seeds is None else seeds
    state = _LazyKCenter(x, np.ascontiguousarray(seeds, dtype=np.float32), k)
    picks: list[int] = []
    dists: list[float] = []
    if k > 0 and state.n_centres == 0:
        first = int(rng.integers(n))
        state.add(first)
        picks.append(first)
        dists.append(float("inf"))
    while len(picks) < k:
        i, d2 = state.farthest()
        state.add(i)
        picks.append(i)
        dists.append(float(np.sqrt(d2)))
    return np.asarray(picks, dtype=np.int64), np.asarray(dists, dtype=np.float64)


class _LazyKCenter:
    """Bookkeeping for the lazy farthest-first traversal (see ``kcenter_greedy``)."""

    def __init__(self, x: np.ndarray, seeds: np.ndarray, k: int) -> None:
        self.x = x
        self.x_sq = squared_norms(x)
        self.centres = np.empty((len(seeds) + k, x.shape[1]), dtype=np.float32)
        self.centres[: len(seeds)] = seeds
        self.c_sq = np.zeros(len(self.centres), dtype=np.float32)
        self.c_sq[: len(seeds)] = squared_norms(seeds)
        self.n_centres = len(seeds)
        self.min_d2 = np.full(len(x), np.inf, dtype=np.float32)
        n_blocks = -(-len(x) // BLOCK_ROWS)
        self.bound = np.full(n_blocks, np.inf)  # upper bound of min_d2 per block
        self.seen = np.zeros(n_blocks, dtype=np.int64)  # centres applied per block

    def add(self, i: int) -> None:
        """Make row ``i`` a centre; it can never be picked again."""
        self.centres[self.n_centres] = self.x[i]
        self.c_sq[self.n_centres] = self.x_sq[i]
        self.n_centres += 1
        self.min_d2[i] = -np.inf

    def farthest(self) -> tuple[int, float]:
        """Index and squared distance of the row farthest from every centre."""
        while True:
            b = int(np.argmax(self.bound))
            if self.seen[b] < self.n_centres:
                self._refresh(b)
                continue
            lo = b * BLOCK_ROWS
            j = int(np.argmax(self.min_d2[lo : lo + BLOCK_ROWS]))
            return lo + j, float(self.min_d2[lo + j])

    def _refresh(self, b: int) -> None:
        """Fold the centres block ``b`` has not seen yet into its min-distances."""
        lo, hi = b * BLOCK_ROWS, min((b + 1) * BLOCK_ROWS, len(self.x))
        new = slice(int(self.seen[b]), self.n_centres)
        self.min_d2[lo:hi] = _block_min(
            self.x[lo:hi], self.x_sq[lo:hi], self.centres[new], self.c_sq[new], self.min_d2[lo:hi]
        )
        self.seen[b] = self.n_centres
        self.bound[b] = float(self.min_d2[lo:hi].max())


def kmeans_plus_plus(x: np.ndarray, n_clusters: int, *, rng: np.random.Generator) -> np.ndarray:
    """k-means++ initial centroids (D^2 sampling), O(n * n_clusters) time, O(n) memory."""
    x_sq = squared_norms(x)
    centroids = np.empty((n_clusters, x.shape[1]), dtype=np.float32)
    centroids[0] = x[rng.integers(len(x))]
    d2 = min_sq_dist(x, centroids[:1], x_sq=x_sq)
    for j in range(1, n_clusters):
        total = float(d2.sum())
        i = int(rng.integers(len(x))) if total <= 0 else int(rng.choice(len(x), p=d2 / total))
        centroids[j] = x[i]
        np.minimum(d2, min_sq_dist(x, centroids[j : j + 1], x_sq=x_sq), out=d2)
    return centroids


def assign(x: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid for each row, blocked over the rows."""
    c_sq = squared_norms(centroids)
    out = np.empty(len(x), dtype=np.int64)
    for lo in range(0, len(x), BLOCK_ROWS):
        xb = x[lo : lo + BLOCK_ROWS]
        # |x|^2 is constant per row, so it does not change the argmin.
        out[lo : lo + len(xb)] = np.argmin(c_sq[None, :] - 2.0 * (xb @ centroids.T), axis=1)
    return out


def minibatch_kmeans(
    x: np.ndarray,
    n_clusters: int,
    *,
    rng: np.random.Generator,
    batch_size: int = 2048,
    n_steps: int = 60,
) -> tuple[np.ndarray, np.ndarray]:
    """Mini-batch k-means (Sculley 2010): returns (centroids, labels of every row).

    Each step assigns a random batch and moves every touched centroid toward the mean of
    its batch members with a per-centroid learning rate 1/count, so cost per step is
    O(batch * n_clusters) whatever the size of ``x``.
    """
    x = np.ascontiguousarray(x, dtype=np.float32)
    n_clusters = min(n_clusters, len(x))
    # k-means++ is sequential in n_clusters, so it runs on a sample a few times larger.
    init_rows = rng.choice(len(x), size=min(len(x), max(4 * n_clusters, 2048)), replace=False)
    centroids = kmeans_plus_plus(x[init_rows], n_clusters, rng=rng)
    counts = np.zeros(n_clusters, dtype=np.float64)
    for _ in range(n_steps if len(x) > batch_size else 10):
        batch = x[rng.choice(len(x), size=min(batch_size, len(x)), replace=False)]
        _minibatch_step(batch, centroids, counts)
    return centroids, assign(x, centroids)


def _minibatch_step(batch: np.ndarray, centroids: np.ndarray, counts: np.ndarray) -> None:
    """One in-place mini-batch update of ``centroids`` and their running ``counts``."""
    labels = assign(batch, centroids)
    n_new = np.bincount(labels, minlength=len(centroids)).astype(np.float64)
    sums = group_sums(batch, labels, len(centroids))
    counts += n_new
    hit = n_new > 0
    # c <- c + (sum - n * c) / count: the mean of all points ever assigned, incrementally.
    step = (sums[hit] - n_new[hit, None] * centroids[hit]) / counts[hit, None]
    centroids[hit] += step.astype(np.float32)


def group_sums(x: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """Per-group row sums (float64) via one sort and ``reduceat`` (``np.add.at`` is slow)."""
    sums = np.zeros((n_groups, x.shape[1]), dtype=np.float64)
    if len(x) == 0:
        return sums
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    sums[sorted_labels[starts]] = np.add.reduceat(x[order].astype(np.float64), starts, axis=0)
    return sums


def typicality_order(
    x: np.ndarray, members: np.ndarray, *, rng: np.random.Generator, knn: int = 20, cap: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Members of a cluster from most to least typical, with their typicality, TypiClust-style.

    Typicality is the inverse mean distance to the ``knn`` nearest fellow members. Large
    clusters are ranked on a random subsample of ``cap`` members, which keeps the cost
    O(cap^2) per cluster whatever the pool size.
    """
    if len(members) > cap:
        members = rng.choice(members, size=cap, replace=False)
    if len(members) == 1:
        return members.astype(np.int64), np.ones(1)
    xm = x[members]
    sq = squared_norms(xm)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (xm @ xm.T), 0.0)
    np.fill_diagonal(d2, np.inf)
    kk = min(knn, len(members) - 1)
    nearest = np.sqrt(np.partition(d2, kk - 1, axis=1)[:, :kk])
    typicality = 1.0 / (nearest.mean(axis=1) + 1e-12)
    order = np.argsort(-typicality, kind="stable")
    return members[order].astype(np.int64), typicality[order]


def group_members(labels: np.ndarray, n_groups: int) -> list[np.ndarray]:
    """Row indices of each group 0..n_groups-1, via one stable sort (O(N log N))."""
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(n_groups + 1))
    return [order[bounds[c] : bounds[c + 1]] for c in range(n_groups)]


def centroids(x: np.ndarray, labels: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean row of each group (zeros for an empty group), float32."""
    counts = np.maximum(np.bincount(labels, minlength=n_groups), 1)
    return (group_sums(x, labels, n_groups) / counts[:, None]).astype(np.float32)
