"""The light head's glue: fit it on the project's labels and stored embeddings, schedule it after
submissions (debounced), and let its scores re-rank the pool while the detector trains.

Fitting reads the clip vectors of the project's embedding source (``WindowSet.centred_clips``), the
labels of the clips outside the evaluation set (a clip is positive for every tag its annotations
name, negative for the others), fits ``heads.fit`` and stores the weights on ``LightHead``. The
next sampling round uses its probabilities instead of the active version's while the head scores a
higher clip-level mAP on the evaluation set than the version's last evaluation (over the classes
both were scored on). Without both scores, it is used while it has seen labels the version has not
(``n_labels`` above the version's); the detector takes over when it validates better.
"""

from __future__ import annotations

import logging
import os
import time

import numpy as np
from celery import current_app
from django.core.cache import cache

from annotator.models import Clip, ClipAnnotation, Project, Tag
from models_app import embeddings_store, heads, search
from models_app.models import LightHead, ModelVersion

log = logging.getLogger(__name__)

DEBOUNCE_S = float(os.environ.get("ECHOLOOP_LIGHT_HEAD_DEBOUNCE_S", "2"))
MAX_LABELLED = 200_000  # cost bound: a fit reads at most this many labelled clips (the newest)


def schedule(project: Project) -> None:
    """Ask for a refit in ``DEBOUNCE_S``: a burst of submissions gives one fit, with its last label."""
    key = _key(project.pk)
    cache.add(key, 0, timeout=None)
    generation = cache.incr(key)
    # By name: models_app.tasks imports this module and torch, which the web process never loads.
    current_app.send_task(
        "models_app.tasks.fit_light_head", args=(project.pk, generation), countdown=DEBOUNCE_S
    )


def is_latest(project_id: int, generation: int | None) -> bool:
    """False when a later submission scheduled another fit (that one will run)."""
    return generation is None or cache.get(_key(project_id)) in (None, generation)


def _key(project_id: int) -> str:
    return f"light-head-generation:{project_id}"


def training_labels(
    project: Project, clip_ids: np.ndarray, *, evaluation: bool = False
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(row of each labelled clip in ``clip_ids``, boolean labels [n, C], class names): the clips a
    head may learn from, or (``evaluation``) those of the evaluation set, which it is scored on."""
    tags = {t.pk: t.value for t in Tag.objects.filter(project=project)}
    names = sorted(set(tags.values()))
    clips = Clip.objects.for_project(project)
    labelled = (clips.evaluation() if evaluation else clips.for_training()).labelled()
    anns = (
        ClipAnnotation.objects.filter(clip__in=labelled)
        .order_by("-updated_at")
        .values_list("clip_id", "tags", "events__tag")
    )
    per_clip: dict[int, set[str]] = {}
    for clip_id, tag, event_tag in anns.iterator():
        found = per_clip.setdefault(clip_id, set())
        found.update(tags[t] for t in (tag, event_tag) if t in tags)
        if len(per_clip) >= MAX_LABELLED:
            break
    wanted = np.array(sorted(per_clip), dtype=np.int64)
    rows = np.searchsorted(clip_ids, wanted)
    present = (rows < len(clip_ids)) & (clip_ids[np.minimum(rows, len(clip_ids) - 1)] == wanted)
    rows, wanted = rows[present], wanted[present]
    y = np.zeros((len(rows), len(names)), dtype=bool)
    index = {n: j for j, n in enumerate(names)}
    for i, clip_id in enumerate(wanted.tolist()):
        for name in per_clip[clip_id]:
            y[i, index[name]] = True
    return rows, y, names


def fit(project: Project) -> LightHead | None:
    """Fit and store the project's light head; None when there is no embedding or no label yet."""
    began = time.perf_counter()
    if not ClipAnnotation.objects.filter(project=project).exists():
        return None  # nothing to learn from: the pool's windows are not even read
    try:
        source, _embedder = search.embedding_source(project)
    except (search.SearchUnavailable, ValueError):
        return None
    clip_ids, vectors = embeddings_store.load(project.pk, source).centred_clips()
    rows, y, names = training_labels(project, clip_ids)
    if not len(rows) or not names:
        return None
    head = heads.fit(vectors[rows], y, names)
    weights = np.concatenate([head.coef.ravel(), head.intercept]).astype(np.float32).tobytes()
    eval_rows, eval_y, _names = training_labels(project, clip_ids, evaluation=True)
    metrics = {
        "clip_ap": heads.clip_ap(head.probabilities(vectors[eval_rows]), eval_y, names),
        "n_eval_clips": len(eval_rows),
    }
    row, _ = LightHead.objects.update_or_create(
        project=project,
        defaults={
            "source": source,
            "class_names": names,
            "weights": weights,
            "dim": vectors.shape[1],
            "n_labels": len(rows),
            "fit_seconds": time.perf_counter() - began,
            "metrics": metrics,
        },
    )
    return row


def head_is_better(row: LightHead, version: ModelVersion) -> bool | None:
    """Whether the head's clip-level mAP on the evaluation set beats the version's, over the classes
    both were scored on; None when either has no such score yet."""
    from models_app.models import VersionEvaluation

    evaluation = VersionEvaluation.objects.filter(version=version).order_by("-created_at").first()
    theirs = (evaluation.metrics if evaluation else version.metrics or {}).get("clip_ap") or {}
    mine = (row.metrics or {}).get("clip_ap") or {}
    shared = [c for c in mine if _finite(mine[c]) and _finite(theirs.get(c))]
    if not shared:
        return None
    return float(np.mean([mine[c] for c in shared])) > float(np.mean([theirs[c] for c in shared]))


def _finite(value) -> bool:
    return isinstance(value, int | float) and np.isfinite(value)


def load(row: LightHead) -> heads.LinearHead:
    flat = np.frombuffer(bytes(row.weights), dtype=np.float32)
    c = len(row.class_names)
    return heads.LinearHead(
        row.class_names, flat[: c * row.dim].reshape(c, row.dim), flat[c * row.dim :]
    )


def pool_probabilities(project: Project) -> tuple[np.ndarray, np.ndarray, LightHead] | None:
    """(clip ids, [N, C] head probabilities, the head) over the whole embedded pool, or None."""
    row = LightHead.objects.filter(project=project).first()
    if row is None:
        return None
    clip_ids, vectors = embeddings_store.load(project.pk, row.source).centred_clips()
    if not len(clip_ids) or vectors.shape[1] != row.dim:
        return None
    return clip_ids, load(row).probabilities(vectors), row


def ranking(project: Project, k: int = 100) -> np.ndarray:
    """The ``k`` unlabelled pool clips the head is least sure of, most uncertain first."""
    found = pool_probabilities(project)
    if found is None:
        return np.zeros(0, np.int64)
    clip_ids, probs, _row = found
    labelled = np.array(
        list(Clip.objects.for_project(project).labelled().values_list("pk", flat=True)),
        dtype=np.int64,
    )
    u = np.where(np.isin(clip_ids, labelled), -np.inf, heads.uncertainty(probs))
    k = min(k, len(u))
    part = np.argpartition(-u, k - 1)[:k]
    return clip_ids[part[np.argsort(-u[part], kind="stable")]]


def apply_to_pool(project: Project, version: ModelVersion | None, pool) -> dict:
    """Replace the pool's class probabilities by the head's where it knows more than ``version``
    (more labels, same embedding); returns what the round should record ({} when unchanged)."""
    row = LightHead.objects.filter(project=project).first()
    if (
        row is None
        or version is None
        or pool.probs is None
        or row.source != embeddings_store.version_source(version.pk)
    ):
        return {}
    # The detector takes over when it validates better on the evaluation set; without scores to
    # compare, the head is used while it has seen labels the version has not.
    better = head_is_better(row, version)
    if better is False or (better is None and row.n_labels <= version.n_labels):
        return {}
    found = pool_probabilities(project)
    if found is None:
        return {}
    clip_ids, probs, row = found
    rows = np.searchsorted(clip_ids, pool.ids)
    ok = (rows < len(clip_ids)) & (clip_ids[np.minimum(rows, len(clip_ids) - 1)] == pool.ids)
    columns = {name: j for j, name in enumerate(row.class_names)}
    replaced = 0
    for c, name in enumerate(version.class_names):
        if name in columns:
            pool.probs[ok, c] = probs[rows[ok], columns[name]]
            replaced += 1
    note = {"n_labels": row.n_labels, "classes": replaced, "validated_better": better}
    return {"light_head": note} if replaced else {}


def status(project: Project) -> dict:
    row = LightHead.objects.filter(project=project).first()
    if row is None:
        return {"fitted": False}
    return {
        "fitted": True,
        "source": row.source,
        "n_labels": row.n_labels,
        "classes": row.class_names,
        "fit_seconds": round(row.fit_seconds, 3),
        "fitted_at": row.fitted_at,
        "metrics": row.metrics,
    }
