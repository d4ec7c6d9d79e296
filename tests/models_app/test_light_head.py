"""The light head: fitted on the stored embeddings and the project's labels, it changes the pool's
ranking after a new label and feeds the next round until a version has seen those labels; on a
real worker, a submission refits it within seconds (debounced)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from django.conf import settings

from annotator import queue
from annotator.models import Clip
from models_app import embeddings_store, light_head
from models_app.models import LightHead, ModelVersion
from tests import factories as f

D = 16


@pytest.fixture
def pool(project, cast, tmp_path, settings):
    """40 clips in two clusters of stored embeddings (A near e0, B near e1), an active version."""
    settings.MEDIA_ROOT = tmp_path / "media"
    rec = f.make_recording(project, duration_s=40.0)
    clips = [f.make_clip(project, rec, i, i + 1.0) for i in range(40)]
    rng = np.random.default_rng(0)
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=["A", "B"], is_active=True
    )
    windows = []
    for i in range(40):
        centre = np.eye(D)[0 if i % 2 == 0 else 1] + np.eye(D)[2]
        w = centre + 0.3 * rng.standard_normal((3, D))
        windows.append(w / np.linalg.norm(w, axis=1, keepdims=True))
    embeddings_store.write_chunk(
        project.pk, embeddings_store.version_source(version.pk), [c.pk for c in clips], windows, 0.1
    )
    return project, clips, version, {"A": f.make_tag(project, "A"), "B": f.make_tag(project, "B")}


def _label(project, clip, user, tag):
    queue.save_annotation(project, clip, user, queue.Submission(tags=[tag.pk]))


@pytest.mark.django_db
def test_a_new_label_changes_the_pools_ranking(pool, cast):
    project, clips, _version, tags = pool
    _label(project, clips[0], cast["ann1"], tags["A"])
    _label(project, clips[1], cast["ann1"], tags["A"])  # a B-cluster clip mislabelled... as A
    head = light_head.fit(project)
    assert head.n_labels == 2 and head.class_names == ["A", "B"]
    before = light_head.ranking(project, k=10).tolist()
    _label(project, clips[3], cast["ann1"], tags["B"])
    _label(project, clips[5], cast["ann1"], tags["B"])
    head = light_head.fit(project)
    assert head.n_labels == 4 and head.fit_seconds < 5
    after = light_head.ranking(project, k=10).tolist()
    assert after != before
    assert not {clips[i].pk for i in (0, 1, 3, 5)} & set(after)  # labelled clips are not ranked
    ids, probs, _row = light_head.pool_probabilities(project)
    b = probs[:, 1]
    odd = np.isin(ids, [c.pk for c in clips[1::2]])
    assert b[odd].mean() > b[~odd].mean() + 0.2  # the head learned where B lives


@pytest.mark.django_db
def test_the_next_round_uses_the_head_until_a_version_has_seen_its_labels(pool, cast):
    project, clips, version, tags = pool
    for i in range(6):
        _label(project, clips[i], cast["ann1"], tags["A" if i % 2 == 0 else "B"])
    light_head.fit(project)
    pool_arrays = type("P", (), {})()
    pool_arrays.ids = np.array([c.pk for c in clips[6:]], np.int64)
    pool_arrays.probs = np.full((34, 2), 0.5, np.float32)
    note = light_head.apply_to_pool(project, version, pool_arrays)
    assert note == {"light_head": {"n_labels": 6, "classes": 2, "validated_better": None}}
    assert not np.allclose(pool_arrays.probs, 0.5)
    ModelVersion.objects.filter(pk=version.pk).update(n_labels=6)
    version.refresh_from_db()
    pool_arrays.probs = np.full((34, 2), 0.5, np.float32)
    assert light_head.apply_to_pool(project, version, pool_arrays) == {}
    assert np.allclose(pool_arrays.probs, 0.5)


@pytest.mark.django_db
def test_no_head_without_labels_or_embeddings(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert light_head.fit(project) is None
    assert light_head.ranking(project).tolist() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_submission_refits_the_head_on_a_real_worker(pool, cast, api):
    from tests.services import wait_until
    from tests.workers import celery_worker

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    project, clips, _version, tags = pool
    project.retrain_every = 0
    project.save()
    queue.enqueue(project, clips[:3])
    env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT), "ECHOLOOP_LIGHT_HEAD_DEBOUNCE_S": "1"}
    with celery_worker(env=env, name="head", queues="celery"):
        client = api(cast["ann1"])
        for _ in range(2):  # two submissions in a burst: one fit, with both labels
            task = client.post(f"/api/projects/{project.pk}/tasks/next/").json()
            r = client.post(
                f"/api/tasks/{task['id']}/submit/",
                {"version": None, "tags": [tags["A"].pk]},
                format="json",
            )
            assert r.status_code in (200, 201), r.content
        submitted = time.monotonic()
        # The target: a new label changes the ranking within 30 s (here: 2-s debounce,
        # the worker's pickup, the fit).
        wait_until(
            lambda: LightHead.objects.filter(project=project, n_labels=2).exists(),
            timeout=30,
            what=lambda: "the light head to be fitted on both labels",
        )
        print(f"label → light head fitted on a real worker: {time.monotonic() - submitted:.1f} s")
    assert Clip.objects.for_project(project).labelled().count() == 2


@pytest.mark.django_db
def test_the_detector_takes_over_when_it_validates_better(pool, cast):
    from models_app.models import VersionEvaluation

    project, clips, version, tags = pool
    for i in range(6):
        _label(project, clips[i], cast["ann1"], tags["A" if i % 2 == 0 else "B"])
    for i, clip in enumerate(clips[30:]):  # the evaluation set, labelled like the clusters
        Clip.objects.filter(pk=clip.pk).update(held_out=True)
        _label(project, clip, cast["ann2"], tags["A" if i % 2 == 0 else "B"])
    head = light_head.fit(project)
    assert head.n_labels == 6 and head.metrics["n_eval_clips"] == 10
    assert head.metrics["clip_ap"]["B"] > 0.8  # the B cluster is where the B labels are
    ModelVersion.objects.filter(pk=version.pk).update(
        n_labels=6
    )  # the version has seen every label
    version.refresh_from_db()

    def used(clip_ap) -> bool:
        VersionEvaluation.objects.filter(version=version).delete()
        VersionEvaluation.objects.create(
            version=version, eval_key="k", n_clips=10, metrics={"clip_ap": clip_ap}
        )
        arrays = type(
            "P", (), {"ids": np.array([c.pk for c in clips[6:30]]), "probs": np.full((24, 2), 0.5)}
        )()
        return bool(light_head.apply_to_pool(project, version, arrays))

    assert used({"A": 0.2, "B": 0.2})  # the head validates better: it ranks the next round
    assert not used({"A": 1.0, "B": 1.0})  # the detector validates better: it takes over
