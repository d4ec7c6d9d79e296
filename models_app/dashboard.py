"""Model figures of a project's dashboard: quality per version (the learning curve), per-class AP
of the active version, and the progress of a running training and rescoring.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Sum
from django.utils import timezone

from annotator import charts
from annotator.dashboard import Table
from annotator.models import Project
from models_app import liveness
from models_app.models import ModelVersion, RescoreJob, ScoreChunk, TrainingRun, VersionEvaluation

CURVE_METRICS = ("det_ap", "f1", "f1_iou", "det_ap_iou", "map")
VERSION_METRICS = ("det_ap", "map", "precision", "recall", "f1", "f1_iou")
UNBIASED_SPLIT = (
    "evaluation set"  # never sampled by a strategy, never trained on, same for every version
)


def model_dashboard(project: Project) -> dict:
    """Every model figure of the project, as JSON-ready data."""
    versions = list(ModelVersion.objects.filter(project=project).order_by("number"))
    return {
        "project": project.pk,
        "generated_at": timezone.now().isoformat(),
        "versions": [version_row(v) for v in versions],
        "learning_curve": learning_curve(versions),
        "class_ap": class_ap(next((v for v in versions if v.is_active), None)),
        "training": training_progress(project),
        "rescoring": rescore_progress(project),
    }


def version_row(version: ModelVersion) -> dict:
    metrics = version.metrics or {}
    return {
        "version": version.number,
        "name": version.name,
        "source": version.source,
        "n_labels": version.n_labels,
        **{k: _number(metrics.get(k)) for k in VERSION_METRICS},
        "validation": metrics.get("validation", ""),
        "n_val": metrics.get("n_val"),
        "is_active": version.is_active,
        "forced": version.forced,
        "created_at": version.created_at.isoformat(),
    }


def _number(value) -> float | None:
    return round(float(value), 4) if isinstance(value, int | float) else None


# --- learning curve ------------------------------------------------------------------------------


def learning_curve(versions: list[ModelVersion]) -> dict:
    """Every trained version on one evaluation set: the newest set any version was scored on.

    The evaluation set (``models_app.evaluating``) is never sampled by a strategy and never trained
    on; each training scores the versions on the curve on the set as it then stands, so all points
    share the same clips. Each point has 95 % bootstrap intervals over those clips; ``n_clips`` and
    ``n_events`` say how big the sample is. Versions never scored on this set are counted in
    ``excluded`` (imported versions, or ones older than the curve keeps).
    """
    trained = [v for v in versions if not v.is_external]
    latest = VersionEvaluation.objects.filter(version__in=trained).order_by("-created_at").first()
    if latest is None:
        return {
            "validation": UNBIASED_SPLIT,
            "eval_key": None,
            "n_clips": 0,
            "n_events": 0,
            "points": [],
            "excluded": len(trained),
        }
    rows = {
        e.version_id: e
        for e in VersionEvaluation.objects.filter(version__in=trained, eval_key=latest.eval_key)
    }
    points = []
    for v in trained:
        evaluation = rows.get(v.pk)
        if evaluation is None:
            continue
        m = evaluation.metrics
        points.append(
            {
                "version": v.number,
                "n_labels": v.n_labels,
                "n_val": evaluation.n_clips,
                **{k: _number(m.get(k)) for k in CURVE_METRICS},
                "ci": {k: [_number(x) for x in val] for k, val in (m.get("ci") or {}).items()},
                "per_class_f1": m.get("per_class_f1_iou") or m.get("per_class_f1") or {},
                "threshold": v.threshold,
                "is_active": v.is_active,
            }
        )
    points.sort(key=lambda p: (p["n_labels"], p["version"]))
    return {
        "validation": UNBIASED_SPLIT,
        "eval_key": latest.eval_key,
        "n_clips": latest.n_clips,
        "n_events": latest.n_events,
        "evaluated_at": latest.created_at.isoformat(),
        "points": points,
        "excluded": len(trained) - len(points),
    }


def class_ap(version: ModelVersion | None) -> dict:
    """Per-class AP of ``version`` (the active one), best first; None: no such calls in validation."""
    if version is None:
        return {"version": None, "validation": "", "classes": []}
    metrics = version.metrics or {}
    rows = [
        {"class": name, "ap": _number(ap)} for name, ap in (metrics.get("class_ap") or {}).items()
    ]
    rows.sort(key=lambda r: (r["ap"] is None, -(r["ap"] or 0.0), r["class"].lower()))
    return {"version": version.number, "validation": metrics.get("validation", ""), "classes": rows}


# --- progress ----------------------------------------------------------------------------------------


def training_progress(project: Project) -> dict | None:
    """The project's queued or running training (at most one), or the last one if it ended in
    the last ten minutes (so a failure or a cancel stays visible): its phase, the phase's
    progress and time left, epochs, heartbeat. None when idle."""
    runs = (
        TrainingRun.objects.filter(project=project).select_related("result").order_by("-created_at")
    )
    run = runs.filter(status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING]).first()
    if run is None:
        run = runs.filter(finished_at__gte=timezone.now() - timezone.timedelta(minutes=10)).first()
    if run is None:
        return None
    last = run.history[-1] if run.history else {}
    return {
        "id": run.pk,
        "status": run.status,
        "phase": run.phase,
        "phase_label": TrainingRun.Phase(run.phase).label
        if run.phase in TrainingRun.Phase.values
        else run.phase,
        "phase_progress": round(run.phase_progress, 4),
        "eta_s": run.eta_s,
        "phase_seconds": run.phase_seconds,
        "epoch": run.epoch,
        "n_epochs": run.n_epochs,
        "budget": run.budget,
        "progress": round(run.progress, 4),
        "n_labels": run.n_labels,
        "attempt": run.attempt,
        "max_attempts": liveness.MAX_ATTEMPTS,
        "trigger": run.trigger,
        "result": run.result.number if run.result_id else None,
        "phase_started_at": run.phase_started_at.isoformat() if run.phase_started_at else None,
        "cancel_requested": run.cancel_requested,
        "error": run.error,
        "last_epoch": last,
        "heartbeat_at": run.heartbeat_at.isoformat() if run.heartbeat_at else None,
        "started_at": run.started_at.isoformat() if run.started_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


def rescore_progress(project: Project) -> dict | None:
    """The newest running rescoring of the project: clips scored of the clips it set out to score.

    ``scored`` counts the clips of the version's chunks stored since the job started (a resumed
    job's ``n_clips`` leaves out clips scored before), capped at ``n_clips``: a sum over one row
    per chunk, not a count of a million predictions at every poll. None when none runs.
    """
    job = (
        RescoreJob.objects.filter(version__project=project, status=RescoreJob.Status.RUNNING)
        .select_related("version")
        .order_by("-created_at")
        .first()
    )
    if job is None:
        return None
    made = (
        ScoreChunk.objects.filter(version=job.version, created_at__gte=job.created_at).aggregate(
            n=Sum("n_clips")
        )["n"]
        or 0
    )
    scored = min(made, job.n_clips)
    return {
        "id": job.pk,
        "version": job.version.number,
        "n_chunks": job.n_chunks,
        "n_clips": job.n_clips,
        "scored": scored,
        "progress": round(scored / job.n_clips, 4) if job.n_clips else 0.0,
        "started_at": job.created_at.isoformat(),
    }


# --- CSV tables --------------------------------------------------------------------------------------


def tables(data: dict) -> dict[str, Table]:
    """The figures of ``model_dashboard`` as CSV tables."""
    version_fields = [
        "name",
        "source",
        "n_labels",
        *VERSION_METRICS,
        "validation",
        "n_val",
        "is_active",
        "forced",
        "created_at",
    ]
    progress = []
    if data["training"]:
        t = data["training"]
        progress.append(
            [
                "training",
                t["id"],
                f"{t['status']} ({t['phase']})",
                t["epoch"],
                t["n_epochs"],
                t["phase_progress"],
            ]
        )
    if data["rescoring"]:
        r = data["rescoring"]
        progress.append(["rescoring", r["id"], "running", r["scored"], r["n_clips"], r["progress"]])
    return {
        "versions": Table(
            ["version", *version_fields],
            [[v["version"], *(v[k] for k in version_fields)] for v in data["versions"]],
        ),
        "learning_curve": Table(
            ["version", "n_labels", *CURVE_METRICS, "n_eval_clips", "det_ap_ci", "f1_ci"],
            [
                [
                    p["version"],
                    p["n_labels"],
                    *(p[k] for k in CURVE_METRICS),
                    p["n_val"],
                    _ci(p, "det_ap"),
                    _ci(p, "f1"),
                ]
                for p in data["learning_curve"]["points"]
            ],
        ),
        "class_ap": Table(
            ["class", "ap"], [[c["class"], c["ap"]] for c in data["class_ap"]["classes"]]
        ),
        "progress": Table(["job", "id", "status", "done", "total", "progress"], progress),
    }


def _ci(point: dict, key: str) -> str:
    low, high = (point.get("ci") or {}).get(key) or (None, None)
    return "" if low is None or high is None else f"{low:.3f}–{high:.3f}"


# --- charts --------------------------------------------------------------------------------------------


CHART_METRICS = ("det_ap", "f1", "f1_iou")


def learning_curve_chart(curve: dict) -> str:
    series = [
        charts.Series(
            metric,
            [
                charts.Point(
                    p["n_labels"],
                    p[metric],
                    f"v{p['version']}: {metric} {p[metric]:.3f}{_ci_text(p, metric)} with {p['n_labels']} "
                    f"labels (evaluation set of {p['n_val']} clips)",
                )
                for p in curve["points"]
                if p[metric] is not None
            ],
        )
        for metric in CHART_METRICS
    ]
    size = (
        f"{curve['n_clips']} clips, {curve['n_events']} calls" if curve.get("n_clips") else "empty"
    )
    return charts.line_chart(
        series,
        title=f"Learning curve (evaluation set: {size})",
        x_label="labelled clips",
        y_label="AP / F1 at the served threshold",
        y_range=(0.0, 1.0),
        empty="No version evaluated on the evaluation set yet",
    )


def _ci_text(point: dict, key: str) -> str:
    text = _ci(point, key)
    return f" (95 % CI {text})" if text else ""


def class_ap_chart(per_class: dict) -> str:
    bars = [charts.Bar(c["class"], c["ap"]) for c in per_class["classes"]]
    title = f"AP per class, v{per_class['version']}" if per_class["version"] else "AP per class"
    return charts.bar_chart(
        bars, title=title, x_label="average precision", x_max=1.0, empty="No active version yet"
    )


def _active_class_ap(project: Project) -> dict:
    return class_ap(ModelVersion.objects.filter(project=project, is_active=True).first())


def _curve(project: Project) -> dict:
    return learning_curve(list(ModelVersion.objects.filter(project=project)))


CHARTS: dict[str, tuple[Callable[[Project], dict], Callable[[dict], str]]] = {
    "learning_curve": (_curve, learning_curve_chart),
    "class_ap": (_active_class_ap, class_ap_chart),
}


def chart(project: Project, name: str) -> str:
    """The SVG of one chart of ``CHARTS``."""
    figure, draw = CHARTS[name]
    return draw(figure(project))
