"""Model figures of a project's dashboard: quality per version (the learning curve), per-class AP
of the active version, and the progress of a running training and rescoring.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from annotator import charts
from annotator.dashboard import Table
from annotator.models import Project
from models_app.models import ModelVersion, Prediction, RescoreJob, TrainingRun

CURVE_METRICS = ("det_ap", "map")
VERSION_METRICS = ("det_ap", "map", "precision", "recall", "f1")
UNBIASED_SPLIT = "audit"  # metrics["validation"]: the clips queued at random, never by the sampler


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
    """det_ap and map against the labels each version learnt from, on the audit slice only.

    A version's metrics say which clips validated it (``metrics['validation']``): the audit slice
    (queued at random, so the estimate is unbiased), held-out recordings, or none. Only the first
    are comparable across versions, so only they make the curve; the others are counted in
    ``excluded``. External (imported) versions have no validation and are left out.
    """
    points, excluded = [], 0
    for v in versions:
        metrics = v.metrics or {}
        if v.is_external or metrics.get("det_ap") is None:
            continue
        if metrics.get("validation") != UNBIASED_SPLIT:
            excluded += 1
            continue
        points.append({"version": v.number, "n_labels": v.n_labels, "n_val": metrics.get("n_val"),
                       **{k: _number(metrics.get(k)) for k in CURVE_METRICS}})
    points.sort(key=lambda p: (p["n_labels"], p["version"]))
    return {"validation": UNBIASED_SPLIT, "points": points, "excluded": excluded}


def class_ap(version: ModelVersion | None) -> dict:
    """Per-class AP of ``version`` (the active one), best first; None: no such calls in validation."""
    if version is None:
        return {"version": None, "validation": "", "classes": []}
    metrics = version.metrics or {}
    rows = [{"class": name, "ap": _number(ap)} for name, ap in (metrics.get("class_ap") or {}).items()]
    rows.sort(key=lambda r: (r["ap"] is None, -(r["ap"] or 0.0), r["class"].lower()))
    return {"version": version.number, "validation": metrics.get("validation", ""), "classes": rows}


# --- progress ----------------------------------------------------------------------------------------


def training_progress(project: Project) -> dict | None:
    """The project's queued or running training (at most one), with epochs done; None when idle."""
    run = (
        TrainingRun.objects.filter(project=project, status__in=[TrainingRun.Status.QUEUED, TrainingRun.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )
    if run is None:
        return None
    last = run.history[-1] if run.history else {}
    return {
        "id": run.pk,
        "status": run.status,
        "epoch": run.epoch,
        "n_epochs": run.n_epochs,
        "progress": round(run.progress, 4),
        "n_labels": run.n_labels,
        "last_epoch": last,
        "started_at": run.started_at.isoformat() if run.started_at else None,
    }


def rescore_progress(project: Project) -> dict | None:
    """The newest running rescoring of the project: clips scored of the clips it set out to score.

    ``scored`` counts the version's predictions made since the job started (a resumed job's
    ``n_clips`` leaves out clips scored before), capped at ``n_clips``. None when none runs.
    """
    job = (
        RescoreJob.objects.filter(version__project=project, status=RescoreJob.Status.RUNNING)
        .select_related("version")
        .order_by("-created_at")
        .first()
    )
    if job is None:
        return None
    made = Prediction.objects.filter(version=job.version, created_at__gte=job.created_at).count()
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
    version_fields = ["name", "source", "n_labels", *VERSION_METRICS, "validation", "n_val", "is_active",
                      "forced", "created_at"]
    progress = []
    if data["training"]:
        t = data["training"]
        progress.append(["training", t["id"], t["status"], t["epoch"], t["n_epochs"], t["progress"]])
    if data["rescoring"]:
        r = data["rescoring"]
        progress.append(["rescoring", r["id"], "running", r["scored"], r["n_clips"], r["progress"]])
    return {
        "versions": Table(["version", *version_fields],
                          [[v["version"], *(v[k] for k in version_fields)] for v in data["versions"]]),
        "learning_curve": Table(["version", "n_labels", *CURVE_METRICS, "n_val"],
                                [[p["version"], p["n_labels"], *(p[k] for k in CURVE_METRICS), p["n_val"]]
                                 for p in data["learning_curve"]["points"]]),
        "class_ap": Table(["class", "ap"], [[c["class"], c["ap"]] for c in data["class_ap"]["classes"]]),
        "progress": Table(["job", "id", "status", "done", "total", "progress"], progress),
    }


# --- charts --------------------------------------------------------------------------------------------


def learning_curve_chart(curve: dict) -> str:
    series = [
        charts.Series(metric, [
            charts.Point(p["n_labels"], p[metric],
                         f"v{p['version']}: {metric} {p[metric]:.3f} with {p['n_labels']} labels "
                         f"(audit slice of {p['n_val']} clips)")
            for p in curve["points"] if p[metric] is not None
        ])
        for metric in CURVE_METRICS
    ]
    return charts.line_chart(series, title="Learning curve (audit slice)", x_label="labelled clips",
                             y_label="average precision", y_range=(0.0, 1.0),
                             empty="No version validated on the audit slice yet")


def class_ap_chart(per_class: dict) -> str:
    bars = [charts.Bar(c["class"], c["ap"]) for c in per_class["classes"]]
    title = f"AP per class, v{per_class['version']}" if per_class["version"] else "AP per class"
    return charts.bar_chart(bars, title=title, x_label="average precision", x_max=1.0,
                            empty="No active version yet")


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
