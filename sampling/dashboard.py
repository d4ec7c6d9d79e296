"""Sampling rounds on a project's dashboard: what each round chose, and why."""

from __future__ import annotations

import re
import statistics
from collections import Counter

from django.utils import timezone

from annotator import charts
from annotator.dashboard import Table
from annotator.models import Project, TaskStatus
from sampling.models import SamplingPick, SamplingRound

DONE = (TaskStatus.SUBMITTED, TaskStatus.REVIEWED)
ROUND_FIELDS = [
    "created_at",
    "strategy",
    "cold_start",
    "trigger",
    "model_version",
    "candidates",
    "picks",
    "audit",
    "labelled",
    "score_min",
    "score_median",
    "score_max",
    "selection_seconds",
]
PICK_FIELDS = [
    "rank",
    "clip",
    "recording",
    "start_s",
    "end_s",
    "score",
    "reason",
    "category",
    "is_audit",
    "task_status",
]


def reason_category(reason: str) -> str:
    """The kind of a pick's reason: its leading words, e.g. "uncertain" for "uncertain: entropy 0.91",
    "stratum" for "stratum north; …", "audit", "random", "uncertain+diverse"."""
    head = re.split(r"[:;(]", reason, maxsplit=1)[0].strip().lower()
    return "stratum" if head.startswith("stratum") else head or "other"


def rounds_dashboard(project: Project) -> dict:
    """Every round of the project, oldest first, with its picks in rank order.

    Two queries with joins (rounds, then every pick's columns): no prefetch, whose IN list of
    every pick's clip SQLite refuses past ~1,000 picks, and no object per pick."""
    rounds = list(
        SamplingRound.objects.filter(project=project)
        .order_by("number")
        .values(
            "number",
            "created_at",
            "strategy",
            "cold_start",
            "trigger",
            "model_version__number",
            "candidates",
            "selection_seconds",
        )
    )
    picks: dict[int, list[dict]] = {r["number"]: [] for r in rounds}
    rows = (
        SamplingPick.objects.filter(round__project=project)
        .order_by("round__number", "rank")
        .values_list(*PICK_COLUMNS)
        .iterator(chunk_size=5000)
    )
    for row in rows:
        picks[row[0]].append(pick_row(dict(zip(PICK_COLUMNS, row, strict=True))))
    summaries = [round_summary(r, picks[r["number"]]) for r in rounds]
    categories = sorted({c for s in summaries for c in s["reasons"]})
    return {
        "project": project.pk,
        "generated_at": timezone.now().isoformat(),
        "categories": categories,
        "rounds": summaries,
    }


PICK_COLUMNS = (
    "round__number",
    "rank",
    "clip_id",
    "clip__recording__name",
    "clip__start_s",
    "clip__end_s",
    "score",
    "reason",
    "is_audit",
    "task__status",
)


def round_summary(rnd: dict, picks: list[dict]) -> dict:
    scores = [p["score"] for p in picks if not p["is_audit"]]
    return {
        "round": rnd["number"],
        "created_at": rnd["created_at"].isoformat(),
        "strategy": rnd["strategy"],
        "cold_start": rnd["cold_start"],
        "trigger": rnd["trigger"],
        "model_version": rnd["model_version__number"],
        "candidates": rnd["candidates"],
        "picks": len(picks),
        "audit": sum(p["is_audit"] for p in picks),
        "labelled": sum(p["task_status"] in DONE for p in picks),
        "score_min": round(min(scores), 4) if scores else None,
        "score_median": round(statistics.median(scores), 4) if scores else None,
        "score_max": round(max(scores), 4) if scores else None,
        "selection_seconds": round(rnd["selection_seconds"], 3),
        "reasons": dict(Counter(p["category"] for p in picks).most_common()),
        "chosen": picks,
    }


def pick_row(pick: dict) -> dict:
    return {
        "rank": pick["rank"],
        "clip": pick["clip_id"],
        "recording": pick["clip__recording__name"],
        "start_s": pick["clip__start_s"],
        "end_s": pick["clip__end_s"],
        "score": round(pick["score"], 4),
        "reason": pick["reason"],
        "category": reason_category(pick["reason"]),
        "is_audit": pick["is_audit"],
        "task_status": pick["task__status"],
    }


def tables(data: dict) -> dict[str, Table]:
    """Rounds (one row each, with a column per reason category) and every pick."""
    categories = data["categories"]
    return {
        "rounds": Table(
            ["round", *ROUND_FIELDS, *categories],
            [
                [
                    r["round"],
                    *(r[k] for k in ROUND_FIELDS),
                    *(r["reasons"].get(c, 0) for c in categories),
                ]
                for r in data["rounds"]
            ],
        ),
        "picks": Table(
            ["round", *PICK_FIELDS],
            [
                [r["round"], *(p[k] for k in PICK_FIELDS)]
                for r in data["rounds"]
                for p in r["chosen"]
            ],
        ),
    }


def rounds_chart(data: dict) -> str:
    """Picks per round, split by the kind of reason they were chosen for."""
    categories = data["categories"]
    return charts.stacked_bar_chart(
        [f"round {r['round']}" for r in data["rounds"]],
        categories,
        [[r["reasons"].get(c, 0) for c in categories] for r in data["rounds"]],
        title="Sampling rounds: picks by reason",
        x_label="round",
        y_label="clips picked",
        empty="No sampling rounds yet",
    )
