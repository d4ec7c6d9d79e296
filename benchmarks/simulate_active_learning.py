"""Simulate active learning with an oracle on the bats, birds and synthetic sets.

    .venv/bin/python benchmarks/simulate_active_learning.py [--datasets ...] [--seeds N]
        [--embedding bandstats|detector|selfsupervised|bandstats+selfsupervised|product
                     |product-before-pretraining]
        [--cold-start random|stratified|coverage]

Features are computed once and cached in benchmarks/out/features_<set>*.npz (the
detector embedding also caches its synthetic-only pretraining there, the self-supervised one
its pretraining on each set's pool); learning curves are
plotted to benchmarks/out/al_<set>*.png and a Markdown table per set is printed (and
written to benchmarks/out/simulation.md, or ``--out``).
"""

from __future__ import annotations

import os

# Small matrices do not profit from BLAS threads, and the machine is shared.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

import numpy as np  # noqa: E402
import simulation_datasets as sets  # noqa: E402

from sampling.simulation import (  # noqa: E402
    ClipSet,
    SimulationConfig,
    SimulationResult,
    StrategyConfig,
    build_clipset,
    cold_start_scores,
    cold_start_table,
    markdown_table,
    run_simulation,
    summarise,
)

OUT = Path(__file__).resolve().parent / "out"

STRATEGY_PARAMS: dict[str, tuple[str, dict, float]] = {
    "stratified": ("stratified", {}, 0.0),
    "typiclust": ("typiclust", {"space": "embeddings"}, 0.0),
    "kcenter": ("kcenter", {}, 0.0),
    "entropy": ("entropy", {}, 0.0),
    "balanced_entropy": ("balanced_entropy", {}, 0.0),
    "margin": ("margin", {}, 0.0),
    "least_confidence": ("least_confidence", {}, 0.0),
    "top_windows": ("top_windows", {}, 0.0),
    "hybrid": ("hybrid", {}, 0.0),
    "hybrid + 10% audit": ("hybrid", {}, 0.1),
    "hybrid(balanced)": ("hybrid", {"uncertainty": "balanced_entropy"}, 0.0),
    "stratified(hybrid)": ("stratified", {"within": "hybrid"}, 0.0),
}


def strategy_set(cold_start: str) -> dict[str, StrategyConfig]:
    """Every strategy, each starting from the same model-free ``cold_start`` method.

    The random baseline is random from the first batch on; "stratified" always starts
    stratified (it is its own cold start).
    """
    out = {"random": StrategyConfig("random", cold_start=None)}
    for label, (name, params, audit) in STRATEGY_PARAMS.items():
        start = "stratified" if label == "stratified" else cold_start
        out[label] = StrategyConfig(name, params, audit, cold_start=start)
    return out


# Compared on the first batch alone, over more seeds (one fit each, so cheap).
COLD_STARTS: dict[str, StrategyConfig] = {
    "random": StrategyConfig("random", cold_start=None),
    "stratified (metadata)": StrategyConfig("stratified", cold_start="stratified"),
    "coverage (TypiClust)": StrategyConfig("typiclust", cold_start="coverage"),
    "k-center (features)": StrategyConfig("kcenter", cold_start=None),
}
COLD_START_SEEDS = 20


@dataclass(frozen=True)
class DatasetPlan:
    """How to build one set and what budget schedule to simulate on it."""

    title: str
    config: SimulationConfig
    table_every: int  # show every n-th budget in the table


# The real sets are tiny (about 200 clips in the pool): batches of 5 after a first batch of
# 10 let the model adapt every 2.5 % of the pool, and 20 seeds (seconds each) because with
# 5 the random baseline alone moves by +-0.04 AULC between seed sets. The synthetic pools
# are ten times larger (batches of 20, under 1 % of the pool) and a run costs minutes.
REAL_SEEDS, SYNTHETIC_SEEDS = tuple(range(20)), tuple(range(5))

PLANS: dict[str, DatasetPlan] = {
    "bats_species_time": DatasetPlan(
        "Bats (Whombat example), species, time split within recordings",
        SimulationConfig(seed_size=10, batch_size=5, budget=120, seeds=REAL_SEEDS),
        4,
    ),
    "bats_detection_recording": DatasetPlan(
        "Bats (Whombat example), call vs no call, split by recording",
        SimulationConfig(seed_size=10, batch_size=5, budget=120, seeds=REAL_SEEDS),
        4,
    ),
    "birds": DatasetPlan(
        "Bengalese finch gy6or6, 11 syllable classes, split by song",
        SimulationConfig(seed_size=10, batch_size=5, budget=150, seeds=REAL_SEEDS),
        4,
    ),
    **{
        # Three species catalogues drawn a priori (0 is the generator's default): how much
        # the species overlap decides how much there is for active learning to find.
        f"synthetic_c{c}": DatasetPlan(
            f"Synthetic bats, species catalogue {c} (8 species, long tail, real background)",
            SimulationConfig(seed_size=20, batch_size=20, budget=400, seeds=SYNTHETIC_SEEDS),
            2,
        )
        for c in (0, 1, 2)
    },
}


def load(name: str, n_synthetic: int, embedding: str = "bandstats") -> ClipSet:
    """The cached features of a set, computed on first use."""
    if embedding == "bandstats+selfsupervised":
        return combined(
            load(name, n_synthetic, "bandstats"), load(name, n_synthetic, "selfsupervised")
        )
    synthetic = name.startswith("synthetic")
    suffix = f"_{n_synthetic}_{_generator_version()}" if synthetic else ""
    if embedding == "detector":
        suffix += f"_detector_{_generator_version()}"
    if embedding == "selfsupervised":
        suffix += f"_ssl_{_ssl_version()}" + ("_overlapping" if OVERLAPPING_VIEWS else "")
    if embedding.startswith("product"):
        suffix += f"_{embedding}_{_ssl_version()}_{_embedders_version()}"
    path = OUT / f"features_{name}{suffix}.npz"
    if path.exists():
        return ClipSet.load(str(path))
    t0 = time.perf_counter()
    featurize = _featurizer(name, embedding)
    if embedding == "selfsupervised":
        featurize = _SelfSupervised(name, f"{suffix}")
    if embedding in ("product", "product-before-pretraining"):
        featurize = _ProductDefault(name, f"_ssl_{_ssl_version()}", embedding == "product")
    data = _build(name, n_synthetic, featurize)
    data.save(str(path))
    print(f"[{name}] features for {len(data.labels)} clips in {time.perf_counter() - t0:.0f} s")
    return data


def _generator_version() -> str:
    """Short hash of the synthetic generator's source: a changed generator means new clips."""
    import hashlib

    import models_app.synthetic as generator

    return hashlib.sha1(Path(generator.__file__).read_bytes()).hexdigest()[:8]


def _embedders_version() -> str:
    """Short hash of the product's adapters and their default rule."""
    import hashlib

    import models_app.embedders as embedders

    return hashlib.sha1(Path(embedders.__file__).read_bytes()).hexdigest()[:8]


def combined(a: ClipSet, b: ClipSet) -> ClipSet:
    """Both sets' window features side by side (same clips, same windows): the learner and the
    strategies see the band statistics and the self-supervised embedding at once."""
    if not (np.array_equal(a.labels, b.labels) and a.windows.shape[:2] == b.windows.shape[:2]):
        raise ValueError("the two feature sets do not describe the same clips")
    return replace(a, windows=np.concatenate([a.windows, b.windows], axis=2))


def _ssl_version() -> str:
    """Short hash of the self-supervised pretraining's source: changed code, new embedding."""
    import hashlib

    import models_app.selfsupervised as ssl

    return hashlib.sha1(Path(ssl.__file__).read_bytes()).hexdigest()[:8]


OVERLAPPING_VIEWS = False  # --ssl-views overlapping


BIRD_GRID = dict(window_s=0.02, frames_per_second=100.0, fmin=500.0, fmax=12_000.0)


class _SelfSupervised:
    """A featurizer that first pretrains ``models_app.selfsupervised`` on the set's pool clips
    (``prepare``, called by ``_build`` with every clip; it keeps those not held out), then embeds
    each window with the detector-window pooling of the frozen encoder."""

    def __init__(self, name: str, suffix: str) -> None:
        self.name, self.suffix, self.inner = name, suffix, None

    def prepare(self, clips: list) -> None:
        import torch

        from models_app.features import FeatureConfig

        torch.set_num_threads(1)
        features = (
            FeatureConfig(**BIRD_GRID) if self.name == "birds" else FeatureConfig(fmax=150_000.0)
        )
        result = sets.pretrain_selfsupervised(
            clips,
            features,
            OUT / f"ssl_{self.name}{self.suffix}.pt",
            disjoint=not OVERLAPPING_VIEWS,
        )
        self.inner = sets.DetectorWindows(result, features)

    def __call__(self, clip, n_windows: int):
        return self.inner(clip, n_windows)


class _ProductDefault:
    """The embedding the product uses by default once a pretraining finished
    (``embedders.default_choice`` on the set's sample rate), through the product's own adapter
    (``models_app.embedders``) on each window: the encoder pretrained as ``selfsupervised`` does,
    with the views the product picks for the sample rate (``pretraining.default_views``)."""

    def __init__(self, name: str, suffix: str, pretrained: bool = True) -> None:
        self.name, self.suffix, self.adapter = name, suffix, None
        self.pretrained = pretrained

    def prepare(self, clips: list) -> None:
        import torch

        from models_app import embedders
        from models_app.features import FeatureConfig
        from models_app.selfsupervised import Encoder

        torch.set_num_threads(1)
        if not self.pretrained:  # the default before any pretraining: no encoder to train
            chosen, why = embedders.default_choice(False, min(c.samplerate for c in clips))
            print(f"[{self.name}] the product's default before a pretraining: {chosen} ({why})")
            self.adapter = embedders.get(chosen)
            return
        features = (
            FeatureConfig(**BIRD_GRID) if self.name == "birds" else FeatureConfig(fmax=150_000.0)
        )
        samplerate = min(c.samplerate for c in clips)
        disjoint = samplerate >= embedders.ULTRASONIC_HZ
        result = sets.pretrain_selfsupervised(
            clips,
            features,
            OUT / f"ssl_{self.name}{self.suffix}{'' if disjoint else '_overlapping'}.pt",
            disjoint=disjoint,
        )
        chosen, why = embedders.default_choice(True, samplerate)
        print(f"[{self.name}] the product's default: {chosen} ({why})")
        self.adapter = embedders.get(chosen, encoder=Encoder(result))

    def __call__(self, clip, n_windows: int):
        from models_app import embedders

        self.adapter.window_s = len(clip.audio) / clip.samplerate / n_windows
        out = embedders.embed_windows(self.adapter, clip.audio, clip.samplerate)
        return np.resize(out, (n_windows, out.shape[1])) if len(out) != n_windows else out


def _featurizer(name: str, embedding: str):
    """None (log-mel band statistics) or a frozen detector pretrained on generated calls."""
    if embedding in ("bandstats", "selfsupervised", "product", "product-before-pretraining"):
        return None
    import torch

    from models_app.features import FeatureConfig

    torch.set_num_threads(1)
    result = sets.pretrain_detector(OUT / f"detector_synthetic_{_generator_version()}.pt")
    # Birds: the bats' image grid time-expanded 10x (kHz instead of tens of kHz, 20 ms
    # windows at 100 frames/s), so a syllable fills the image as a bat call does.
    birds = FeatureConfig(**BIRD_GRID)
    return sets.DetectorWindows(result, birds if name == "birds" else None)


def _build(name: str, n_synthetic: int, featurize=None) -> ClipSet:
    if name.startswith("bats"):
        variant = name.removeprefix("bats_")
        clips, classes = sets.bat_clips(clip_s=0.1, variant=variant)
        _prepare(featurize, clips)
        # Calls sit between ~10 and ~150 kHz; 4 windows of 25 ms per 0.1 s clip.
        return build_clipset(
            name, clips, classes, n_windows=4, fmin=10_000, fmax=150_000, featurize=featurize
        )
    if name == "birds":
        clips, classes = sets.bird_clips()
        _prepare(featurize, clips)
        # 62.5 ms windows, about one syllable each; 64 bands resolve their harmonic stacks.
        return build_clipset(
            name, clips, classes, n_windows=8, fmin=500, fmax=12_000, n_mels=64, featurize=featurize
        )
    catalog = int(name.removeprefix("synthetic_c"))
    clips, classes = sets.synthetic_clips(n_synthetic, seed=2024, catalog_seed=catalog)
    if hasattr(featurize, "prepare"):
        clips = list(clips)
        _prepare(featurize, clips)
    return build_clipset(
        name, clips, classes, n_windows=8, fmin=10_000, fmax=125_000, featurize=featurize
    )


def _prepare(featurize, clips: list) -> None:
    """Let a featurizer that learns from the pool (the self-supervised one) see the clips first."""
    if hasattr(featurize, "prepare"):
        featurize.prepare(clips)


def plot(result: SimulationResult, title: str, path: Path) -> None:
    """Seed-averaged learning curves with a band of +-1 std over seeds (needs the ``bench``
    extra: ``pip install -e '.[bench]'``; without matplotlib the tables are still printed)."""
    try:
        import matplotlib
    except ImportError:
        print(f"(no plot {path.name}: matplotlib is not installed; pip install -e '.[bench]')")
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 5))
    for label, curves in result.curves.items():
        scores = np.array([c.scores for c in curves])
        budgets = curves[0].budgets
        style = {"color": "black", "lw": 2.5} if label == "random" else {"lw": 1.4}
        line = ax.plot(budgets, scores.mean(0), label=label, **style)[0]
        ax.fill_between(
            budgets,
            scores.mean(0) - scores.std(0),
            scores.mean(0) + scores.std(0),
            color=line.get_color(),
            alpha=0.08,
        )
    ax.axhline(result.full_score, color="grey", ls="--", lw=1, label="all training labels")
    ax.set(xlabel="labelled clips", ylabel="test mAP (macro)", title=title)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def describe(data: ClipSet) -> str:
    """One line on the size and balance of a set."""
    train = ~data.is_test
    per_class = data.labels[train].sum(0)
    return (
        f"{len(data.labels)} clips ({train.sum()} pool / {data.is_test.sum()} test), "
        f"{len(data.class_names)} classes, {int((~data.labels.any(1)).sum())} empty, "
        f"positives per class in the pool: min {per_class.min()}, max {per_class.max()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(PLANS), choices=list(PLANS))
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds per set (default: 20 real, 5 synthetic)"
    )
    parser.add_argument("--n-synthetic", type=int, default=3000)
    names = ["random", *STRATEGY_PARAMS]
    parser.add_argument("--strategies", nargs="+", default=names, choices=names)
    parser.add_argument(
        "--cold-start",
        default="random",
        choices=["stratified", "coverage", "random"],
        help="model-free first batch of every non-random strategy; random (the default) "
        "makes it the random baseline's own first batch, so no strategy can start worse",
    )
    parser.add_argument(
        "--embedding",
        default="bandstats",
        choices=[
            "bandstats",
            "detector",
            "selfsupervised",
            "bandstats+selfsupervised",
            "product",
            "product-before-pretraining",
        ],
        help="frozen clip features: log-mel band statistics, the detector pretrained on "
        "generated calls only, or the detector's backbone pretrained self-supervised on the "
        "set's own pool (no label), or band statistics and that side by side, or the "
        "product's default once pretrained (its own adapter, by embedders.default_choice), or "
        "its default before a pretraining",
    )
    parser.add_argument(
        "--ssl-views",
        default="disjoint",
        choices=["disjoint", "overlapping"],
        help="the self-supervised embedding's views: disjoint stretches of a clip (the product's "
        "default) or possibly overlapping ones",
    )
    parser.add_argument("--out", default="simulation.md", help="report file under benchmarks/out")
    args = parser.parse_args()
    global OVERLAPPING_VIEWS
    OVERLAPPING_VIEWS = args.ssl_views == "overlapping"
    OUT.mkdir(exist_ok=True)
    report = []
    for name in args.datasets:
        plan = PLANS[name]
        data = load(name, args.n_synthetic, args.embedding)
        cfg = plan.config
        if args.seeds is not None:
            cfg = SimulationConfig(**{**cfg.__dict__, "seeds": tuple(range(args.seeds))})
        t0 = time.perf_counter()
        chosen = strategy_set(args.cold_start)
        result = run_simulation(data, {s: chosen[s] for s in args.strategies}, cfg)
        png = (
            OUT
            / f"al_{name}{'' if args.embedding == 'bandstats' else '_' + args.embedding}{'_overlapping' if OVERLAPPING_VIEWS else ''}.png"
        )
        plot(result, plan.title, png)
        section = (
            f"### {plan.title}\n\n{describe(data)}. Full-data mAP {result.full_score:.3f}; "
            f"{len(cfg.seeds)} seeds; embedding {args.embedding} ({args.ssl_views} views if self-supervised); cold start {args.cold_start}; budgets {cfg.seed_size}..{cfg.budget} by {cfg.batch_size}; "
            f"{time.perf_counter() - t0:.0f} s. Curves: `{png.relative_to(OUT.parent.parent)}`\n\n"
            + markdown_table(result, summarise(result), every=plan.table_every)
            + f"\n\nCold start alone ({cfg.seed_size} clips, {COLD_START_SEEDS} seeds):\n\n"
            + cold_start_table(
                cold_start_scores(data, cfg.seed_size, COLD_STARTS, range(COLD_START_SEEDS), cfg.l2)
            )
        )
        print(section + "\n", flush=True)
        report.append(section)
    (OUT / args.out).write_text("\n\n".join(report) + "\n")


if __name__ == "__main__":
    main()
