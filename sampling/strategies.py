"""Active-sampling strategies: pure numpy functions registered by name.

Every strategy has the signature ``fn(pool, k, *, rng, **params) -> Selection`` and is
registered with ``@register(name, needs_model=..., requires=...)``. ``needs_model`` marks
the strategies that read model outputs (class probabilities or window uncertainties): a
cold start, which has no model yet, refuses them. ``select(name, ...)`` is the entry point
the sampling rounds use; ``with_audit`` wraps any strategy with a random audit slice.

Nothing here imports Django. Costs are linear in the pool: scores are vectors, top-k uses
``argpartition`` and distance work is blocked (see ``sampling.geometry``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from models_app import uncertainty
from sampling import geometry, strata
from sampling.strata import allocate  # noqa: F401  (re-exported: part of the API)

# Model outputs a cold start must never see.
MODEL_FIELDS = ("probs", "window_uncertainty")


@dataclass(frozen=True)
class Pool:
    """The unlabelled clips a strategy chooses from, as parallel arrays (row i = clip i).

    ``probs``: clip-level class probabilities [N, C] (one-vs-rest, need not sum to 1).
    ``window_uncertainty``: per-window or per-event uncertainty [N, W], NaN-padded.
    ``embeddings``: model or frozen embedding [N, D]; ``features``: cheap acoustic features
    [N, F] for a cold start. ``strata``: name -> integer codes [N] (site, hour bin, season,
    predicted species), with ``stratum_words`` (name -> code -> words, e.g. site 3 ->
    "North cave") to name them in reasons. ``labelled_embeddings`` [M, D] and
    ``labelled_strata`` (name -> codes [M]) describe the clips labelled so far.
    """

    ids: np.ndarray
    probs: np.ndarray | None = None
    window_uncertainty: np.ndarray | None = None
    embeddings: np.ndarray | None = None
    features: np.ndarray | None = None
    strata: dict[str, np.ndarray] | None = None
    stratum_words: dict[str, dict[int, str]] | None = None
    labelled_embeddings: np.ndarray | None = None
    labelled_strata: dict[str, np.ndarray] | None = None
    embedding_source: str = ""  # where ``embeddings`` (or ``features``) came from, for the record

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("probs", "window_uncertainty", "embeddings", "features"):
            arr = getattr(self, name)
            if arr is not None and (arr.ndim != 2 or len(arr) != n):
                raise ValueError(f"Pool.{name} must be 2-D with {n} rows, got {arr.shape}")
        for name, codes in (self.strata or {}).items():
            if len(codes) != n:
                raise ValueError(f"Pool.strata[{name!r}] has {len(codes)} codes for {n} clips")

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, rows: np.ndarray) -> Pool:
        """The pool restricted to ``rows`` (labelled context is kept whole)."""

        def take(arr: np.ndarray | None) -> np.ndarray | None:
            return None if arr is None else arr[rows]

        strata = None if self.strata is None else {k: v[rows] for k, v in self.strata.items()}
        return dataclasses.replace(
            self,
            ids=self.ids[rows],
            probs=take(self.probs),
            window_uncertainty=take(self.window_uncertainty),
            embeddings=take(self.embeddings),
            features=take(self.features),
            strata=strata,
        )


# Reasons are read by ecologists on the annotation page and the dashboard: what the pick is
# for, in words, then the details in parentheses. The words before the first "(", ":" or ";"
# name the kind of pick (the dashboard groups picks by them), so each kind keeps one phrase.
RANDOM_REASON = "chosen at random"
AUDIT_REASON = "chosen at random for the unbiased check"
FILL_REASON = "chosen at random to fill the batch"
UNSURE = "the model is unsure here"
UNLIKE = "unlike anything labelled so far"
UNSURE_AND_UNLIKE = "the model is unsure here and nothing like it is labelled yet"
FIRST_SPREAD = "a random first pick to spread the batch from"


@dataclass(frozen=True)
class Selection:
    """Picked rows of the pool in rank order, with a human-readable reason and score each.

    ``scores`` holds the strategy's criterion at pick time (entropy, distance, ...), 0 where
    there is none (random and audit picks).
    """

    indices: np.ndarray
    reasons: list[str]
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.indices)

    def ids(self, pool: Pool) -> np.ndarray:
        """The clip ids of the picks."""
        return pool.ids[self.indices]


StrategyFn = Callable[..., Selection]


@dataclass(frozen=True)
class Strategy:
    """A registry entry: the function, whether it needs a trained model, what it reads."""

    name: str
    fn: StrategyFn
    needs_model: bool
    requires: tuple[str, ...]


REGISTRY: dict[str, Strategy] = {}


def register(
    name: str, *, needs_model: bool = False, requires: tuple[str, ...] = ()
) -> Callable[[StrategyFn], StrategyFn]:
    """Register a strategy under ``name``.

    The registered function is wrapped so every strategy checks its inputs the same way,
    clamps ``k`` to the pool size, and is verified to return unique valid indices.
    """

    def decorate(fn: StrategyFn) -> StrategyFn:
        @functools.wraps(fn)
        def checked(pool: Pool, k: int, *, rng: np.random.Generator, **params) -> Selection:
            _check_request(name, pool, k, requires)
            k = min(k, len(pool))
            if k == 0:
                return _selection(np.zeros(0, np.int64), [], np.zeros(0))
            sel = fn(pool, k, rng=rng, **params)
            _check_result(name, sel, len(pool), k)
            return sel

        REGISTRY[name] = Strategy(name, checked, needs_model, requires)
        return checked

    return decorate


def select(name: str, pool: Pool, k: int, *, rng: np.random.Generator, **params) -> Selection:
    """Run the strategy registered as ``name``."""
    return get(name).fn(pool, k, rng=rng, **params)


def get(name: str) -> Strategy:
    """The registry entry for ``name``, with a clear error listing the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; known: {sorted(REGISTRY)}") from None


def _check_request(name: str, pool: Pool, k: int, requires: tuple[str, ...]) -> None:
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    missing = [f for f in requires if getattr(pool, f) is None]
    if missing:
        raise ValueError(f"strategy {name!r} needs Pool.{', Pool.'.join(missing)}")


def _check_result(name: str, sel: Selection, n: int, k: int) -> None:
    idx = sel.indices
    if len(idx) != k or len(sel.reasons) != k or len(sel.scores) != k:
        raise AssertionError(f"strategy {name!r} returned {len(idx)} picks for k={k}")
    if len(idx) and (idx.min() < 0 or idx.max() >= n or len(np.unique(idx)) != k):
        raise AssertionError(f"strategy {name!r} returned invalid or duplicate indices")


def _selection(indices: np.ndarray, reasons: list[str], scores: np.ndarray) -> Selection:
    return Selection(
        np.asarray(indices, dtype=np.int64), list(reasons), np.asarray(scores, np.float64)
    )


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (ties: lower index first). O(N)."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))].astype(np.int64)


# --- random -------------------------------------------------------------------------


@register("random")
def random(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Uniform random picks: the baseline, and what keeps evaluation unbiased."""
    idx = rng.choice(len(pool), size=k, replace=False)
    return _selection(idx, [RANDOM_REASON] * k, np.zeros(k))


# --- uncertainty --------------------------------------------------------------------


# One definition of each measure (models_app.uncertainty, pure numpy), under the names used here.
binary_entropy = uncertainty.binary_entropy
entropy_scores = uncertainty.entropy
margin_scores = uncertainty.margin
least_confidence_scores = uncertainty.least_confidence


def top_windows_scores(window_uncertainty: np.ndarray, top: int = 3) -> np.ndarray:
    """Mean of the ``top`` largest window uncertainties per clip (NaN = no window).

    A clip with one very uncertain event outranks one that is uniformly mildly uncertain,
    which a mean over all windows would not do. Clips with fewer windows average what they
    have; clips with none score 0.
    """
    u = np.where(np.isnan(window_uncertainty), -np.inf, window_uncertainty.astype(np.float32))
    top = min(top, u.shape[1])
    best = -np.partition(-u, top - 1, axis=1)[:, :top]
    valid = np.isfinite(best)
    total = np.where(valid, best, 0.0).sum(axis=1)
    return np.where(valid.any(axis=1), total / np.maximum(valid.sum(axis=1), 1), 0.0)


def balanced_entropy_scores(probs: np.ndarray) -> np.ndarray:
    """Per clip, its best rank over classes by that class's binary entropy, as a score in
    (0, 1]: 1 for the most uncertain clip of some class, 1 - r / N for the r-th.

    The max over classes of raw entropies lets the classes with many clips near their
    decision boundary (the common species) fill every batch, while a rare species, whose
    probabilities all sit near 0, never gets the top score. Ranking within each class
    first gives every class the same share of the top of the list: the top ``m`` clips
    are, give or take ties, the union of each class's ``m / C`` most uncertain ones.
    O(N log N) per class.
    """
    n = len(probs)
    best = np.full(n, n, np.int64)
    ranks = np.empty(n, np.int64)
    for c in range(probs.shape[1]):
        order = np.argsort(-binary_entropy(probs[:, c]), kind="stable")
        ranks[order] = np.arange(n)
        np.minimum(best, ranks, out=best)
    return 1.0 - best / max(n, 1)


def _by_score(scores: np.ndarray, k: int, label: str) -> Selection:
    idx = top_k(scores, k)
    return _selection(idx, [f"{UNSURE} ({label} {scores[i]:.2f})" for i in idx], scores[idx])


# How each uncertainty reads in a reason, before its value.
UNCERTAINTY_WORDS = {
    "entropy": "entropy",
    "margin": "two species nearly tied, margin",
    "least_confidence": "no species likely, least confidence",
    "balanced_entropy": "among the least certain for some species, rank score",
    "top_windows": "its most uncertain calls average",
}


@register("entropy", needs_model=True, requires=("probs",))
def entropy(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Clips whose least certain class has the highest binary entropy."""
    return _by_score(entropy_scores(pool.probs), k, UNCERTAINTY_WORDS["entropy"])


@register("margin", needs_model=True, requires=("probs",))
def margin(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Clips whose two likeliest classes are closest (species confusion)."""
    return _by_score(margin_scores(pool.probs), k, UNCERTAINTY_WORDS["margin"])


@register("least_confidence", needs_model=True, requires=("probs",))
def least_confidence(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Clips whose most likely class is least likely."""
    return _by_score(least_confidence_scores(pool.probs), k, UNCERTAINTY_WORDS["least_confidence"])


@register("balanced_entropy", needs_model=True, requires=("probs",))
def balanced_entropy(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Clips most uncertain for some class, every class taking its turn (long tail)."""
    return _by_score(balanced_entropy_scores(pool.probs), k, UNCERTAINTY_WORDS["balanced_entropy"])


@register("top_windows", needs_model=True, requires=("window_uncertainty",))
def top_windows(pool: Pool, k: int, *, rng: np.random.Generator, top: int = 3) -> Selection:
    """Clips ranked by the mean of their ``top`` most uncertain windows or events."""
    return _by_score(
        top_windows_scores(pool.window_uncertainty, top), k, UNCERTAINTY_WORDS["top_windows"]
    )


# Name -> (pool field it reads, clip score from that field), for the hybrid.
UNCERTAINTY_SCORES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "entropy": ("probs", entropy_scores),
    "balanced_entropy": ("probs", balanced_entropy_scores),
    "margin": ("probs", margin_scores),
    "least_confidence": ("probs", least_confidence_scores),
    "top_windows": ("window_uncertainty", top_windows_scores),
}


def uncertainty_scores(pool: Pool, name: str) -> np.ndarray:
    """Per-clip uncertainty by the named measure, with a clear error if the pool lacks it."""
    if name not in UNCERTAINTY_SCORES:
        raise ValueError(f"unknown uncertainty {name!r}; known: {sorted(UNCERTAINTY_SCORES)}")
    field, score = UNCERTAINTY_SCORES[name]
    if getattr(pool, field) is None:
        raise ValueError(f"uncertainty {name!r} needs Pool.{field}")
    return score(getattr(pool, field))


# --- diversity ----------------------------------------------------------------------


@register("kcenter", requires=("embeddings",))
def kcenter(pool: Pool, k: int, *, rng: np.random.Generator) -> Selection:
    """Greedy k-center over embeddings, seeded with the labelled clips when there are any."""
    idx, dist = geometry.kcenter_greedy(pool.embeddings, k, rng=rng, seeds=pool.labelled_embeddings)
    reasons = [FIRST_SPREAD if np.isinf(d) else f"{UNLIKE} ({_distance(d)})" for d in dist]
    return _selection(idx, reasons, np.where(np.isinf(dist), 0.0, dist))


@register("typiclust")
def typiclust(
    pool: Pool,
    k: int,
    *,
    rng: np.random.Generator,
    space: str = "auto",
    max_points: int = 50_000,
    max_clusters: int = 500,
    min_cluster: int = 5,
) -> Selection:
    """TypiClust (Hacohen et al. 2022): cluster, then take typical clips of uncovered clusters.

    There are labelled + k clusters (at most ``max_clusters``). Each pick goes to the
    cluster holding the fewest labelled-or-picked clips (the largest on ties), skipping
    clusters smaller than ``min_cluster`` whose "typical" point would be an outlier, and
    takes its most typical clip not yet picked. Pools larger than ``max_points`` are
    clustered on a random subsample: typical points of a uniform subsample are typical of
    the pool, and the cost stops growing with N.
    """
    x, labelled = _typiclust_space(pool, space)
    rows = np.arange(len(pool))
    if len(rows) > max_points:
        rows = np.sort(rng.choice(len(pool), size=max_points, replace=False))
    xs = x[rows]
    n_clusters = min(len(labelled) + k, max_clusters, len(rows))
    centroids, labels = geometry.minibatch_kmeans(xs, n_clusters, rng=rng)
    covered = np.bincount(geometry.assign(labelled, centroids), minlength=n_clusters)
    sizes = np.bincount(labels, minlength=n_clusters)
    members = geometry.group_members(labels, n_clusters)
    eligible = sizes >= min(min_cluster, sizes.max())
    ranked: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    taken = np.zeros(n_clusters, np.int64)
    picks, reasons, scores = [], [], []
    while len(picks) < k and eligible.any():
        c = int(np.lexsort((-sizes, np.where(eligible, covered, np.iinfo(np.int64).max)))[0])
        if c not in ranked:
            ranked[c] = geometry.typicality_order(xs, members[c], rng=rng)
        order, typ = ranked[c]
        picks.append(int(rows[order[taken[c]]]))
        reasons.append(
            f"typical of a group of similar clips not yet labelled (group {c + 1} of {n_clusters}, {sizes[c]} clips)"
        )
        scores.append(float(typ[taken[c]]))
        taken[c] += 1
        covered[c] += 1
        eligible[c] &= taken[c] < len(order)
    return _fill_random(pool, k, picks, reasons, scores, rng)


def _typiclust_space(pool: Pool, space: str) -> tuple[np.ndarray, np.ndarray]:
    """The vectors to cluster and the labelled vectors in the same space."""
    if space == "auto":
        space = "features" if pool.features is not None else "embeddings"
    x = getattr(pool, space)
    if x is None:
        raise ValueError(f"typiclust needs Pool.{space}")
    labelled = pool.labelled_embeddings if space == "embeddings" else None
    if labelled is None:
        labelled = np.zeros((0, x.shape[1]), np.float32)
    return np.asarray(x, np.float32), np.asarray(labelled, np.float32)


def _fill_random(
    pool: Pool,
    k: int,
    picks: list[int],
    reasons: list[str],
    scores: list[float],
    rng: np.random.Generator,
) -> Selection:
    """Top up a short selection with random unpicked clips (small pools, tiny clusters)."""
    if len(picks) < k:
        rest = np.setdiff1d(np.arange(len(pool)), np.asarray(picks, np.int64))
        extra = rng.choice(rest, size=k - len(picks), replace=False)
        picks += extra.tolist()
        reasons += [FILL_REASON] * len(extra)
        scores += [0.0] * len(extra)
    return _selection(np.asarray(picks, np.int64), reasons, np.asarray(scores))


# --- hybrid -------------------------------------------------------------------------


@register("hybrid", needs_model=True, requires=("embeddings",))
def hybrid(
    pool: Pool,
    k: int,
    *,
    rng: np.random.Generator,
    uncertainty: str = "entropy",
    factor: int = 10,
    min_distance: float | None = None,
) -> Selection:
    """Most uncertain ``factor * k`` clips, then k-center among them.

    Candidates closer than ``min_distance`` to a labelled clip are skipped as
    near-duplicates (unless too few others remain). ``None`` sets it to 5 % of the median
    distance between random pool pairs. k-center is seeded with the labelled embeddings,
    so the batch spreads away from what is already known as well as within itself.
    """
    scores = uncertainty_scores(pool, uncertainty)
    ranked = top_k(scores, min(len(pool), 2 * factor * k))
    labelled = pool.labelled_embeddings
    if labelled is not None and len(labelled):
        threshold = (
            _duplicate_threshold(pool.embeddings, rng) if min_distance is None else min_distance
        )
        near = geometry.min_sq_dist(pool.embeddings[ranked], labelled) < threshold**2
        ranked = np.concatenate([ranked[~near], ranked[near]])  # duplicates only as a last resort
    cand = ranked[: max(k, factor * k)]
    idx, dist = geometry.kcenter_greedy(pool.embeddings[cand], k, rng=rng, seeds=labelled)
    picks = cand[idx]
    words = UNCERTAINTY_WORDS.get(uncertainty, uncertainty)
    reasons = [
        f"{UNSURE_AND_UNLIKE} ({words} {scores[i]:.2f}; "
        + ("the first pick of the batch)" if np.isinf(d) else f"{_distance(d)})")
        for i, d in zip(picks, dist, strict=True)
    ]
    return _selection(picks, reasons, scores[picks])


def _distance(d: float) -> str:
    return f"{d:.2f} from the nearest labelled or chosen clip"


def _duplicate_threshold(x: np.ndarray, rng: np.random.Generator, n_pairs: int = 2000) -> float:
    """5 % of the median distance between random pairs: 'the same clip, give or take'."""
    a = rng.integers(len(x), size=n_pairs)
    b = rng.integers(len(x), size=n_pairs)
    d = np.linalg.norm(x[a].astype(np.float32) - x[b].astype(np.float32), axis=1)
    return 0.05 * float(np.median(d[a != b])) if (a != b).any() else 0.0


# --- stratification -----------------------------------------------------------------


@register("stratified", requires=("strata",))
def stratified(
    pool: Pool,
    k: int,
    *,
    rng: np.random.Generator,
    within: str = "random",
    keys: tuple[str, ...] | None = None,
    min_per_stratum: int = 1,
    proportional: bool = False,
    **within_params,
) -> Selection:
    """Spread the batch over strata (joint codes of ``keys``), picking with ``within`` in each.

    Every stratum gets at least ``min_per_stratum`` picks (as far as k and its size allow)
    so the long tail is seen; the rest is shared by weight 1 / (1 + labelled in stratum),
    or size / (1 + labelled) when ``proportional``, so strata unlike the labels so far get
    more. The batch is interleaved across strata, so any prefix stays spread.
    """
    if within == "stratified":
        raise ValueError("stratified cannot nest itself")
    codes, names, labelled_counts = strata.joint_codes(pool.strata, keys, pool.labelled_strata)
    sizes = np.bincount(codes, minlength=len(names))
    weights = (sizes if proportional else 1.0) / (1.0 + labelled_counts)
    quotas = strata.allocate(sizes, weights, k, min_per_stratum, rng)
    members = geometry.group_members(codes, len(names))
    keys = tuple(pool.strata) if keys is None else tuple(keys)
    ranked: list[tuple[int, int, int, str, float]] = []
    for s in np.flatnonzero(quotas):
        sub = pool.subset(members[s])
        sel = select(within, sub, int(quotas[s]), rng=rng, **within_params)
        where = _stratum_reason(pool, keys, members[s][0], int(labelled_counts[s]))
        for rank, (i, why, score) in enumerate(
            zip(sel.indices, sel.reasons, sel.scores, strict=True)
        ):
            why = "" if within == "random" else f"; {why}"
            ranked.append((rank, -weights[s], int(members[s][i]), f"{where}{why}", score))
    ranked.sort(key=lambda r: (r[0], r[1], r[2]))
    return _selection(
        np.array([r[2] for r in ranked]), [r[3] for r in ranked], np.array([r[4] for r in ranked])
    )


def _stratum_reason(pool: Pool, keys: tuple[str, ...], row: int, labelled: int) -> str:
    """Why a stratum got picks, naming it in words: "a site/time not yet covered (North cave,
    21–24 h, Jun–Aug)", or one with few labels so far."""
    words = pool.stratum_words or {}
    parts = []
    for key in keys:
        code = int(pool.strata[key][row])
        parts.append(words.get(key, {}).get(code, f"{key} {code}"))
    place = ", ".join(parts)
    if labelled == 0:
        return f"a site/time not yet covered ({place})"
    return f"a site/time with few labels so far ({place}; {labelled} labelled)"


# --- audit and cold start -----------------------------------------------------------


def with_audit(selection_fn: StrategyFn, audit_fraction: float) -> StrategyFn:
    """Wrap a strategy so round(k * audit_fraction) picks are uniform random audits.

    Audits are drawn from the whole pool first, so they are a truly random sample (an
    unbiased check on the model); the strategy then fills the rest from the remaining
    clips, so there are no duplicates. Audits are spread evenly through the rank order.
    """
    if not 0.0 <= audit_fraction <= 1.0:
        raise ValueError(f"audit_fraction must be in [0, 1], got {audit_fraction}")

    def audited(pool: Pool, k: int, *, rng: np.random.Generator, **params) -> Selection:
        k = min(k, len(pool))
        n_audit = round(k * audit_fraction)
        if n_audit == 0:  # nothing to audit: spare the copy of the pool below
            return selection_fn(pool, k, rng=rng, **params)
        audit = rng.choice(len(pool), size=n_audit, replace=False)
        rest = np.setdiff1d(np.arange(len(pool)), audit)
        main = selection_fn(pool.subset(rest), k - n_audit, rng=rng, **params)
        # Evenly spaced, distinct rank slots (k / n_audit >= 1), so any prefix keeps the ratio.
        slots = ((np.arange(n_audit) + 0.5) * k / n_audit).astype(np.int64)
        return _interleave(rest[main.indices], main, audit, slots, k)

    return audited


def _interleave(
    main_idx: np.ndarray, main: Selection, audit: np.ndarray, slots: np.ndarray, k: int
) -> Selection:
    is_audit = np.zeros(k, bool)
    is_audit[slots] = True
    idx = np.empty(k, np.int64)
    idx[is_audit], idx[~is_audit] = audit, main_idx
    reasons = np.empty(k, object)
    reasons[is_audit], reasons[~is_audit] = AUDIT_REASON, main.reasons
    scores = np.zeros(k)
    scores[~is_audit] = main.scores
    return _selection(idx, reasons.tolist(), scores)


COLD_START_METHODS = {"coverage": "typiclust", "stratified": "stratified", "random": "random"}


def cold_start(
    pool: Pool, k: int, *, rng: np.random.Generator, method: str = "coverage", **params
) -> Selection:
    """First batch, before any model exists: coverage (TypiClust on cheap features),
    stratified random, or random.

    Model outputs are stripped from the pool, and any request for a strategy that needs a
    model (as ``method`` or as the ``within`` of a stratified start) raises, so a cold
    start can never be driven by uncertainty.
    """
    if method not in COLD_START_METHODS:
        raise ValueError(
            f"cold start method must be one of {sorted(COLD_START_METHODS)}, got {method!r}"
        )
    for asked in (params.get("within"), params.get("uncertainty")):
        if asked is not None and (asked in UNCERTAINTY_SCORES or get(asked).needs_model):
            raise ValueError(f"a cold start cannot use {asked!r}: it needs a trained model")
    blind = dataclasses.replace(pool, **{f: None for f in MODEL_FIELDS})
    return select(COLD_START_METHODS[method], blind, k, rng=rng, **params)
