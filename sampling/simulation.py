"""Active-learning simulation with an oracle: how much does each strategy buy per label?

Given a fully labelled set of clips, each strategy starts from a small cold-start batch,
then repeatedly picks a batch, "asks the oracle" (reveals the labels), retrains, and the
model is scored on a fixed held-out split. The learner follows the Perch "agile modelling"
recipe: a frozen embedding per clip, computed once, and a one-vs-rest logistic regression
retrained each round. Its class probabilities feed the uncertainty strategies, its
per-window probabilities the top-windows score, and the embedding feeds k-center.

Nothing here imports Django; ``manage.py simulate_active_learning`` wraps it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from sampling import strategies
from sampling.strategies import Pool

# --- the data -----------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledClip:
    """One clip of a fully labelled set, as the simulation needs it."""

    audio: np.ndarray
    samplerate: int
    labels: frozenset[str]
    n_events: int
    is_test: bool
    strata: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ClipSet:
    """Frozen per-window features, labels, split and strata of a labelled set.

    ``windows``: [N, W, F] features of W equal windows per clip; ``labels``: [N, C] bool;
    ``is_test``: [N] bool held-out split; ``n_events``: [N] events per clip.
    """

    name: str
    windows: np.ndarray
    labels: np.ndarray
    is_test: np.ndarray
    n_events: np.ndarray
    strata: dict[str, np.ndarray]
    class_names: list[str]

    def save(self, path: str) -> None:
        """Cache as .npz (strata keys prefixed with ``stratum_``)."""
        np.savez_compressed(
            path,
            name=self.name,
            windows=self.windows,
            labels=self.labels,
            is_test=self.is_test,
            n_events=self.n_events,
            class_names=np.array(self.class_names),
            **{f"stratum_{k}": v for k, v in self.strata.items()},
        )

    @classmethod
    def load(cls, path: str) -> ClipSet:
        """Read a set written by ``save``."""
        z = np.load(path)
        strata = {k.removeprefix("stratum_"): z[k] for k in z.files if k.startswith("stratum_")}
        return cls(
            name=str(z["name"]),
            windows=z["windows"],
            labels=z["labels"],
            is_test=z["is_test"],
            n_events=z["n_events"],
            strata=strata,
            class_names=[str(c) for c in z["class_names"]],
        )


def window_features(
    audio: np.ndarray,
    samplerate: int,
    *,
    n_windows: int,
    fmin: float,
    fmax: float,
    n_mels: int = 32,
    n_fft: int = 512,
) -> np.ndarray:
    """A cheap, fixed embedding per window: log-mel band statistics. Shape [W, 4 * n_mels].

    Per band: mean, standard deviation and max of the log-mel energy (level, variability,
    peaks: a 3 ms bat call barely moves the mean but sets the max), and the mean absolute
    frame-to-frame change (temporal modulation: repeated calls versus steady noise).
    """
    import librosa  # heavy import, only needed when features are (re)computed

    mel = librosa.feature.melspectrogram(
        y=np.asarray(audio, np.float32),
        sr=samplerate,
        n_fft=n_fft,
        hop_length=n_fft // 4,
        n_mels=n_mels,
        fmin=fmin,
        fmax=fmax,
    )
    logmel = np.log(mel + 1e-10)
    logmel -= np.median(logmel, axis=1, keepdims=True)  # per-band noise floor: gain invariant
    parts = np.array_split(logmel, n_windows, axis=1)
    return np.stack([_band_stats(p) for p in parts]).astype(np.float32)


def _band_stats(logmel: np.ndarray) -> np.ndarray:
    delta = (
        np.abs(np.diff(logmel, axis=1)).mean(axis=1) if logmel.shape[1] > 1 else 0 * logmel[:, 0]
    )
    return np.concatenate([logmel.mean(1), logmel.std(1), logmel.max(1), delta])


def build_clipset(
    name: str,
    clips: Iterable[LabelledClip],
    class_names: list[str],
    *,
    n_windows: int,
    fmin: float,
    fmax: float,
    n_fft: int = 512,
    n_mels: int = 32,
    featurize: Callable[[LabelledClip, int], np.ndarray] | None = None,
) -> ClipSet:
    """Compute the frozen features of every clip once and gather labels, split and strata.

    ``featurize(clip, n_windows) -> [W, F]`` replaces the log-mel band statistics (e.g. a
    frozen detector's per-window embedding); ``fmin``, ``fmax``, ``n_fft`` and ``n_mels``
    only apply to the band statistics.
    """
    windows, labels, is_test, n_events, strata = [], [], [], [], {}
    index = {c: j for j, c in enumerate(class_names)}
    for clip in clips:
        if featurize is not None:
            windows.append(featurize(clip, n_windows))
        else:
            windows.append(
                window_features(
                    clip.audio,
                    clip.samplerate,
                    n_windows=n_windows,
                    fmin=fmin,
                    fmax=fmax,
                    n_fft=n_fft,
                    n_mels=n_mels,
                )
            )
        row = np.zeros(len(class_names), bool)
        row[[index[c] for c in clip.labels]] = True
        labels.append(row)
        is_test.append(clip.is_test)
        n_events.append(clip.n_events)
        for key, value in clip.strata.items():
            strata.setdefault(key, []).append(value)
    return ClipSet(
        name=name,
        windows=np.stack(windows),
        labels=np.stack(labels),
        is_test=np.array(is_test),
        n_events=np.array(n_events),
        strata={k: np.asarray(v, np.int64) for k, v in strata.items()},
        class_names=list(class_names),
    )


# --- the learner --------------------------------------------------------------------


@dataclass(frozen=True)
class Embedding:
    """Frozen clip and window embeddings, standardised with statistics of the whole set.

    A clip is [mean over windows, max over windows] of its window features; a single
    window is embedded as if it were a clip made of that window only ([f, f]), so the clip
    classifier can score windows too.
    """

    clips: np.ndarray  # [N, 2F]
    windows: np.ndarray  # [N, W, 2F]

    @classmethod
    def of(cls, windows: np.ndarray) -> Embedding:
        clip = np.concatenate([windows.mean(axis=1), windows.max(axis=1)], axis=1)
        mu, sd = clip.mean(axis=0), clip.std(axis=0) + 1e-6
        win = np.concatenate([windows, windows], axis=2)
        return cls(((clip - mu) / sd).astype(np.float32), ((win - mu) / sd).astype(np.float32))


@dataclass
class LinearModel:
    """One-vs-rest logistic regression, L2-regularised, fitted with L-BFGS.

    ``fit`` warm-starts from the previous weights: consecutive rounds differ by one batch,
    so the optimum moves little and a few iterations suffice.
    """

    n_features: int
    n_classes: int
    l2: float = 1e-2
    weights: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.weights = np.zeros((self.n_features + 1, self.n_classes))

    def fit(self, x: np.ndarray, y: np.ndarray) -> LinearModel:
        xb = np.hstack([x, np.ones((len(x), 1), x.dtype)]).astype(np.float64)
        yf = y.astype(np.float64)
        res = minimize(
            _logistic_loss,
            self.weights.ravel(),
            args=(xb, yf, self.l2, self.weights.shape),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 300},
        )
        self.weights = res.x.reshape(self.weights.shape)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for rows of ``x`` (any leading shape)."""
        z = x @ self.weights[:-1].astype(np.float32) + self.weights[-1].astype(np.float32)
        return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)


def _logistic_loss(
    w_flat: np.ndarray, x: np.ndarray, y: np.ndarray, l2: float, shape: tuple[int, int]
) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy over clips (summed over classes) + L2 on non-bias weights."""
    w = w_flat.reshape(shape)
    z = x @ w
    loss = np.logaddexp(0.0, z) - y * z
    p = 1.0 / (1.0 + np.exp(-z))
    grad = x.T @ (p - y) / len(x)
    reg = w.copy()
    reg[-1] = 0.0
    return float(loss.sum() / len(x) + 0.5 * l2 * (reg**2).sum()), (grad + l2 * reg).ravel()


# --- metrics ------------------------------------------------------------------------


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the precision-recall curve (step-wise, as scikit-learn computes it)."""
    order = np.argsort(-score, kind="stable")
    y = y[order].astype(np.float64)
    hits = np.cumsum(y)
    precision = hits / np.arange(1, len(y) + 1)
    return float((precision * y).sum() / max(y.sum(), 1.0))


def mean_average_precision(labels: np.ndarray, probs: np.ndarray) -> float:
    """Macro mAP over the classes that occur in ``labels``."""
    present = labels.any(axis=0)
    return float(
        np.mean([average_precision(labels[:, c], probs[:, c]) for c in np.flatnonzero(present)])
    )


def aulc(budgets: np.ndarray, scores: np.ndarray) -> float:
    """Area under the learning curve over the budget axis, normalised to [0, 1]."""
    span = budgets[-1] - budgets[0]
    return float(np.trapezoid(scores, budgets) / span) if span > 0 else float(scores[0])


def labels_to_reach(budgets: np.ndarray, scores: np.ndarray, target: float) -> int | None:
    """The first budget whose score reaches ``target`` (None if it never does)."""
    hit = np.flatnonzero(scores >= target)
    return int(budgets[hit[0]]) if len(hit) else None


# --- the loop -----------------------------------------------------------------------


@dataclass(frozen=True)
class StrategyConfig:
    """How one simulated project samples: a registered strategy, its parameters, an audit
    slice, and its cold start (``None``: the strategy itself, used for the random baseline)."""

    name: str
    params: dict = field(default_factory=dict)
    audit_fraction: float = 0.0
    cold_start: str | None = "coverage"


@dataclass(frozen=True)
class SimulationConfig:
    """Budget schedule and seeds. Budgets run seed_size, +batch_size, ... up to budget."""

    seed_size: int
    batch_size: int
    budget: int
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    l2: float = 1e-2

    @property
    def budgets(self) -> np.ndarray:
        return np.arange(self.seed_size, self.budget + 1, self.batch_size)


@dataclass
class Curve:
    """One strategy on one seed: mAP at each budget, and what was picked."""

    budgets: np.ndarray
    scores: np.ndarray
    events_per_clip: float
    select_seconds: float


def run_curve(
    data: ClipSet, emb: Embedding, strategy: StrategyConfig, cfg: SimulationConfig, seed: int
) -> Curve:
    """Simulate one project: cold start, then pick, reveal, retrain until the budget."""
    rng = np.random.default_rng(seed)
    train = np.flatnonzero(~data.is_test)
    test = np.flatnonzero(data.is_test)
    model = LinearModel(emb.clips.shape[1], data.labels.shape[1], l2=cfg.l2)
    labelled = np.zeros(0, np.int64)
    scores, select_time = [], 0.0
    for step, budget in enumerate(cfg.budgets):
        k = int(budget - len(labelled))
        t0 = time.perf_counter()
        picked = _pick(data, emb, model if step else None, train, labelled, k, strategy, rng)
        select_time += time.perf_counter() - t0
        labelled = np.concatenate([labelled, picked])
        model.fit(emb.clips[labelled], data.labels[labelled])
        scores.append(mean_average_precision(data.labels[test], model.predict(emb.clips[test])))
    return Curve(
        budgets=cfg.budgets,
        scores=np.array(scores),
        events_per_clip=float(data.n_events[labelled].mean()),
        select_seconds=select_time / len(cfg.budgets),
    )


def _pick(
    data: ClipSet,
    emb: Embedding,
    model: LinearModel | None,
    train: np.ndarray,
    labelled: np.ndarray,
    k: int,
    strategy: StrategyConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """Row indices (into the whole set) of the next batch; ``model`` None = cold start."""
    rows = np.setdiff1d(train, labelled)
    pool = make_pool(data, emb, model, rows, labelled)
    if model is None and strategy.cold_start is not None:
        sel = strategies.cold_start(pool, k, rng=rng, method=strategy.cold_start)
    else:
        fn = strategies.get(strategy.name).fn
        if strategy.audit_fraction:
            fn = strategies.with_audit(fn, strategy.audit_fraction)
        sel = fn(pool, k, rng=rng, **strategy.params)
    return rows[sel.indices]


def make_pool(
    data: ClipSet,
    emb: Embedding,
    model: LinearModel | None,
    rows: np.ndarray,
    labelled: np.ndarray,
) -> Pool:
    """What the sampling round would see: model outputs (if any), embeddings, strata."""
    probs = window_unc = None
    strata = {k: v[rows] for k, v in data.strata.items()}
    if model is not None:
        probs = model.predict(emb.clips[rows])
        window_unc = strategies.binary_entropy(model.predict(emb.windows[rows])).max(axis=2)
    return Pool(
        ids=rows.astype(np.int64),
        probs=probs,
        window_uncertainty=window_unc,
        embeddings=emb.clips[rows],
        features=emb.clips[rows],
        strata=strata,
        labelled_embeddings=emb.clips[labelled],
        labelled_strata={k: v[labelled] for k, v in data.strata.items()},
    )


def full_data_score(data: ClipSet, emb: Embedding, l2: float) -> float:
    """mAP of the learner trained on every training clip: the ceiling of the curves."""
    train, test = ~data.is_test, data.is_test
    model = LinearModel(emb.clips.shape[1], data.labels.shape[1], l2=l2)
    model.fit(emb.clips[train], data.labels[train])
    return mean_average_precision(data.labels[test], model.predict(emb.clips[test]))


def cold_start_scores(
    data: ClipSet, k: int, methods: dict[str, StrategyConfig], seeds: Iterable[int], l2: float
) -> dict[str, np.ndarray]:
    """Test mAP after the first batch alone, per method and seed (cheap: one fit each).

    A method's ``cold_start`` is used when set, else the strategy itself (which must then
    not need a model).
    """
    emb = Embedding.of(data.windows)
    train, test = np.flatnonzero(~data.is_test), np.flatnonzero(data.is_test)
    out: dict[str, np.ndarray] = {}
    for label, method in methods.items():
        scores = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            picked = _pick(data, emb, None, train, np.zeros(0, np.int64), k, method, rng)
            model = LinearModel(emb.clips.shape[1], data.labels.shape[1], l2=l2)
            model.fit(emb.clips[picked], data.labels[picked])
            scores.append(mean_average_precision(data.labels[test], model.predict(emb.clips[test])))
        out[label] = np.array(scores)
    return out


def cold_start_table(scores: dict[str, np.ndarray], baseline: str = "random") -> str:
    """Markdown: mean first-batch mAP per method and its paired difference to the baseline."""
    base = scores[baseline]
    lines = [
        f"| cold start | mAP (mean ± std over {len(base)} seeds) | Δ vs {baseline} (paired) | seeds > {baseline} |",
        "|---|---|---|---|",
    ]
    for label, s in scores.items():
        d = s - base
        lines.append(
            f"| {label} | {s.mean():.3f} ± {s.std(ddof=1):.3f} | {d.mean():+.3f} ± "
            f"{d.std(ddof=1) / np.sqrt(len(d)):.3f} (s.e.) | {int((d > 0).sum())} |"
        )
    return "\n".join(lines)


@dataclass
class SimulationResult:
    """Every curve of every strategy and seed, plus the full-data ceiling."""

    dataset: str
    config: SimulationConfig
    full_score: float
    curves: dict[str, list[Curve]]


def run_simulation(
    data: ClipSet, strategies_to_run: dict[str, StrategyConfig], cfg: SimulationConfig
) -> SimulationResult:
    """All strategies on all seeds (same seeds, so differences are paired)."""
    emb = Embedding.of(data.windows)
    curves = {
        label: [run_curve(data, emb, s, cfg, seed) for seed in cfg.seeds]
        for label, s in strategies_to_run.items()
    }
    return SimulationResult(data.name, cfg, full_data_score(data, emb, cfg.l2), curves)


# --- the report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One row of the report table."""

    label: str
    mean_scores: np.ndarray  # seed-averaged mAP at each budget
    aulc_mean: float
    aulc_diff_mean: float  # paired AULC difference to the baseline
    aulc_diff_std: float
    seeds_better: int
    first_round_diff: float  # paired mAP difference to the baseline after the cold start
    reach_90: int | None
    reach_95: int | None
    events_per_clip: float
    select_seconds: float


def summarise(result: SimulationResult, baseline: str = "random") -> list[Summary]:
    """Per-strategy summary; differences are paired by seed against ``baseline``."""
    base = result.curves[baseline]
    base_aulc = np.array([aulc(c.budgets, c.scores) for c in base])
    rows = []
    for label, curves in result.curves.items():
        a = np.array([aulc(c.budgets, c.scores) for c in curves])
        mean = np.mean([c.scores for c in curves], axis=0)
        budgets = curves[0].budgets
        rows.append(
            Summary(
                label=label,
                mean_scores=mean,
                aulc_mean=float(a.mean()),
                aulc_diff_mean=float((a - base_aulc).mean()),
                aulc_diff_std=float((a - base_aulc).std(ddof=1)) if len(a) > 1 else 0.0,
                seeds_better=int(((a - base_aulc) > 0).sum()),
                first_round_diff=float(
                    np.mean([c.scores[0] - b.scores[0] for c, b in zip(curves, base, strict=True)])
                ),
                reach_90=labels_to_reach(budgets, mean, 0.9 * result.full_score),
                reach_95=labels_to_reach(budgets, mean, 0.95 * result.full_score),
                events_per_clip=float(np.mean([c.events_per_clip for c in curves])),
                select_seconds=float(np.mean([c.select_seconds for c in curves])),
            )
        )
    return rows


def markdown_table(result: SimulationResult, rows: list[Summary], every: int = 1) -> str:
    """The report as Markdown: mAP at (every ``every``-th) budget and the summary columns."""
    budgets = result.config.budgets
    shown = np.unique(np.r_[np.arange(0, len(budgets), every), len(budgets) - 1])
    n_seeds = len(result.config.seeds)
    head = [
        "strategy",
        *[f"mAP@{b}" for b in budgets[shown]],
        "AULC",
        "ΔAULC vs random",
        "95% interval",
        f"seeds > random (of {n_seeds})",
        "Δ first round",
        "labels to 90%",
        "labels to 95%",
        "events/clip",
        "select s",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r.label,
            *[f"{v:.3f}" for v in r.mean_scores[shown]],
            f"{r.aulc_mean:.3f}",
            f"{r.aulc_diff_mean:+.3f} ± {r.aulc_diff_std:.3f}",
            "[{:+.3f}, {:+.3f}]".format(
                *paired_interval(r.aulc_diff_mean, r.aulc_diff_std, n_seeds)
            ),
            str(r.seeds_better),
            f"{r.first_round_diff:+.3f}",
            _reach(r.reach_90, budgets),
            _reach(r.reach_95, budgets),
            f"{r.events_per_clip:.2f}",
            f"{r.select_seconds:.3f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def paired_interval(mean: float, std: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of a mean paired difference over ``n`` seeds (std with ddof=1)."""
    from scipy.stats import t

    if n < 2:
        return mean, mean
    half = float(t.ppf(0.5 + level / 2, n - 1)) * std / np.sqrt(n)
    return mean - half, mean + half


def _reach(value: int | None, budgets: np.ndarray) -> str:
    return str(value) if value is not None else f"> {budgets[-1]}"
