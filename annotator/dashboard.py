"""Labelling figures of a project's dashboard: labels per day, throughput per annotator, labelled
events per species and the state of the queue — as plain data, as CSV tables and as SVG charts.

Model quality lives in ``models_app.dashboard`` and sampling rounds in ``sampling.dashboard``
(this app knows nothing of either).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from annotator import charts
from annotator.models import (
    AnnotationTask,
    ClipAnnotation,
    Project,
    SoundEventAnnotation,
    Tag,
    TaskStatus,
)

IDLE_GAP = timedelta(minutes=15)
"""A pause longer than this between two submissions is a break, not time spent on a clip."""


class Table(NamedTuple):
    """One CSV table: a header and rows of plain values."""

    header: list[str]
    rows: list[list[Any]]


def labels_dashboard(project: Project) -> dict:
    """Every labelling figure of the project, as JSON-ready data."""
    return {
        "project": project.pk,
        "generated_at": timezone.now().isoformat(),
        "totals": _totals(project),
        "labels_over_time": labels_over_time(project),
        "throughput": throughput(project),
        "species": species_counts(project),
        "queue": queue_counts(project),
    }


def _totals(project: Project) -> dict:
    return {
        # Over the annotations (as many as the labels), not an EXISTS per clip of the pool.
        "labelled_clips": ClipAnnotation.objects.filter(project=project)
        .values("clip")
        .distinct()
        .count(),
        "annotations": ClipAnnotation.objects.filter(project=project).count(),
        "events": SoundEventAnnotation.objects.filter(clip_annotation__project=project).count(),
        "annotators": ClipAnnotation.objects.filter(project=project)
        .values("annotator")
        .distinct()
        .count(),
    }


# --- labels per day ------------------------------------------------------------------------------


def labels_over_time(project: Project) -> dict:
    """Clip annotations created per day (in the site's time zone), per annotator, with a running total.

    A label is one annotator's answer for one clip (``ClipAnnotation.created_at``, its first
    submission; later edits do not count again). Days without labels between the first and the
    last are included with zeros so the time axis is honest.
    """
    rows = (
        ClipAnnotation.objects.filter(project=project)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "annotator__username")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for day, username, n in rows:
        per_day[day][username] = n
    annotators = sorted({u for counts in per_day.values() for u in counts})
    return {"annotators": annotators, "days": _fill_days(per_day, annotators)}


def _fill_days(per_day: dict[date, dict[str, int]], annotators: list[str]) -> list[dict]:
    if not per_day:
        return []
    day, last = min(per_day), max(per_day)
    out, cumulative = [], 0
    while day <= last:
        counts = per_day.get(day, {})
        total = sum(counts.values())
        cumulative += total
        by_annotator = {u: counts.get(u, 0) for u in annotators}
        out.append(
            {
                "date": day.isoformat(),
                "total": total,
                "cumulative": cumulative,
                "by_annotator": by_annotator,
            }
        )
        day += timedelta(days=1)
    return out


# --- throughput ------------------------------------------------------------------------------------


def throughput(project: Project) -> dict:
    """Clips per active hour and median seconds per clip of each annotator.

    Definition. The time an annotator spent on a clip is the gap between the submission of that
    clip and their previous submission in the project (``ClipAnnotation.created_at``, sorted). The
    lease start is not kept once a task is done, so gaps are what can be measured. A gap longer than
    ``IDLE_GAP`` (15 min) is a break: the clip after it starts a new *session* and its own time is
    unknown, so it is counted in ``clips`` but not in ``timed_clips``.

    - ``active_hours``: the sum of the gaps within sessions;
    - ``clips_per_hour``: ``timed_clips / active_hours`` (None without any timed clip);
    - ``median_seconds_per_clip``: the median gap within sessions.

    Only annotations submitted through the queue (with a task) count: imported labels arrive all
    at once and say nothing about anyone's pace.
    """
    times: dict[str, list[datetime]] = defaultdict(list)
    rows = (
        ClipAnnotation.objects.filter(project=project, task__isnull=False)
        .order_by("annotator__username", "created_at")
        .values_list("annotator__username", "created_at")
    )
    for username, created_at in rows:
        times[username].append(created_at)
    people = [_pace(username, stamps) for username, stamps in times.items()]
    people.sort(key=lambda p: (-p["clips"], p["annotator"]))
    return {"idle_gap_seconds": int(IDLE_GAP.total_seconds()), "annotators": people}


def _pace(username: str, stamps: list[datetime]) -> dict:
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
    timed = [g for g in gaps if g <= IDLE_GAP.total_seconds()]
    active = sum(timed)
    return {
        "annotator": username,
        "clips": len(stamps),
        "timed_clips": len(timed),
        "sessions": 1 + len(gaps) - len(timed),
        "active_hours": round(active / 3600, 4),
        "clips_per_hour": round(len(timed) * 3600 / active, 2) if active > 0 else None,
        "median_seconds_per_clip": round(statistics.median(timed), 1) if timed else None,
        "first": stamps[0].isoformat(),
        "last": stamps[-1].isoformat(),
    }


# --- species ---------------------------------------------------------------------------------------


def species_counts(project: Project) -> dict:
    """Labelled sound events and the clips they are in, per tag, most frequent first.

    Events of rejected annotations do not count. Tags without any event are listed apart
    (``unseen``) so the long tail of the taxonomy that nobody has labelled yet is visible too.
    """
    rows = (
        SoundEventAnnotation.objects.filter(clip_annotation__project=project)
        .exclude(clip_annotation__review_status=ClipAnnotation.Review.REJECTED)
        .values("tag")
        .annotate(events=Count("id"), clips=Count("clip_annotation__clip", distinct=True))
    )
    tags = {t.pk: t for t in Tag.objects.filter(project=project)}
    counted = [_species_row(tags.get(r["tag"]), r["events"], r["clips"]) for r in rows]
    counted.sort(key=lambda r: (-r["events"], r["label"].lower()))
    seen = {r["tag"] for r in rows}
    unseen = sorted((_tag_label(t) for pk, t in tags.items() if pk not in seen), key=str.lower)
    return {"tags": counted, "unseen": unseen}


def _species_row(tag: Tag | None, events: int, clips: int) -> dict:
    return {
        "tag": tag.pk if tag else None,
        "label": _tag_label(tag) if tag else "(no tag)",
        "key": tag.key if tag else "",
        "events": events,
        "clips": clips,
    }


def _tag_label(tag: Tag) -> str:
    return tag.label if tag.key == "species" else f"{tag.key}: {tag.label}"


# --- queue -----------------------------------------------------------------------------------------


def queue_counts(project: Project) -> dict:
    """Tasks per status, plus how many leases have run out and how many tasks are audit tasks."""
    tasks = AnnotationTask.objects.filter(project=project)
    by_status = dict(tasks.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        **{status: by_status.get(status, 0) for status in TaskStatus.values},
        "expired_leases": tasks.filter(
            status=TaskStatus.LEASED, lease_expires_at__lte=timezone.now()
        ).count(),
        "audit": tasks.filter(is_audit=True).count(),
    }


# --- CSV tables ------------------------------------------------------------------------------------


def tables(data: dict) -> dict[str, Table]:
    """The figures of ``labels_dashboard`` as CSV tables (the same numbers, flattened)."""
    over_time = data["labels_over_time"]
    people = over_time["annotators"]
    pace_fields = [
        "clips",
        "timed_clips",
        "sessions",
        "active_hours",
        "clips_per_hour",
        "median_seconds_per_clip",
    ]
    return {
        "labels_over_time": Table(
            ["date", *people, "total", "cumulative"],
            [
                [d["date"], *(d["by_annotator"][u] for u in people), d["total"], d["cumulative"]]
                for d in over_time["days"]
            ],
        ),
        "throughput": Table(
            ["annotator", *pace_fields],
            [
                [p["annotator"], *(p[k] for k in pace_fields)]
                for p in data["throughput"]["annotators"]
            ],
        ),
        "species": Table(
            ["label", "key", "events", "clips"],
            [[r["label"], r["key"], r["events"], r["clips"]] for r in data["species"]["tags"]],
        ),
        "queue": Table(["queue", "tasks"], [[k, v] for k, v in data["queue"].items()]),
    }


# --- charts ------------------------------------------------------------------------------------------
# Each chart draws one figure: ``CHARTS[name]`` is (the figure's function, its drawing), and the
# figure is ``labels_dashboard(project)[name]``.


def labels_over_time_chart(over_time: dict) -> str:
    people = over_time["annotators"]
    return charts.stacked_bar_chart(
        [d["date"] for d in over_time["days"]],
        people,
        [[d["by_annotator"][u] for u in people] for d in over_time["days"]],
        title="Labels per day",
        x_label="day",
        y_label="clips labelled",
        empty="No labels yet",
    )


def throughput_chart(pace: dict) -> str:
    bars = [
        charts.Bar(
            p["annotator"],
            p["clips_per_hour"],
            f"{p['annotator']}: {charts.format_number(p['clips_per_hour'])} clips/hour, median "
            f"{charts.format_number(p['median_seconds_per_clip'])} s per clip "
            f"({p['timed_clips']} timed of {p['clips']} clips)",
        )
        for p in pace["annotators"]
    ]
    return charts.bar_chart(
        bars,
        title="Throughput",
        x_label="clips per active hour",
        empty="No submissions through the queue yet",
    )


def species_chart(species: dict) -> str:
    bars = [
        charts.Bar(
            r["label"], r["events"], f"{r['label']}: {r['events']} events in {r['clips']} clips"
        )
        for r in species["tags"]
    ]
    return charts.bar_chart(
        bars,
        title="Labelled events per species",
        x_label="sound events",
        empty="No labelled events yet",
    )


def queue_chart(queue: dict) -> str:
    bars = [charts.Bar(status, queue[status]) for status in TaskStatus.values]
    return charts.bar_chart(bars, title="Queue", x_label="tasks")


CHARTS: dict[str, tuple[Callable[[Project], dict], Callable[[dict], str]]] = {
    "labels_over_time": (labels_over_time, labels_over_time_chart),
    "throughput": (throughput, throughput_chart),
    "species": (species_counts, species_chart),
    "queue": (queue_counts, queue_chart),
}


def chart(project: Project, name: str) -> str:
    """The SVG of one chart of ``CHARTS``, computing only the figure it draws."""
    figure, draw = CHARTS[name]
    return draw(figure(project))
