"""Rules that used to live twice now live once: each caller reaches the same implementation."""

from __future__ import annotations

import numpy as np
import pytest

from annotator import agreement, boxes
from annotator.models import AnnotationRevision, ClipAnnotation, SoundEventAnnotation
from models_app import evaluation, inference
from models_app import uncertainty as U
from models_app.models import Prediction
from sampling import strategies
from tests import factories as f


def test_one_iou():
    assert agreement.iou is boxes.iou and evaluation.box_iou is boxes.box_iou
    a = SoundEventAnnotation(start_s=0, end_s=1, low_hz=0, high_hz=10)
    b = SoundEventAnnotation(start_s=0.5, end_s=1.5, low_hz=0, high_hz=10)
    interval = SoundEventAnnotation(start_s=0.5, end_s=1.0)
    assert (
        a.iou(b)
        == pytest.approx(1 / 3)
        == boxes.box_iou([[0, 1, 0, 10]], [[0.5, 1.5, 0, 10]])[0, 0]
    )
    assert a.iou(interval) == pytest.approx(0.5)  # time only
    assert boxes.iou(a, SoundEventAnnotation(start_s=2, end_s=2, low_hz=0, high_hz=1)) == 0.0


def test_one_uncertainty():
    assert strategies.binary_entropy is U.binary_entropy is inference.binary_entropy
    assert strategies.entropy_scores is U.entropy


def test_float32_stays_float32_for_large_pools():
    assert U.binary_entropy(np.array([0.5], np.float32)).dtype == np.float32
    assert U.binary_entropy(0.5).dtype == np.float64


def test_embeddings_round_trip_through_one_decoder():
    vectors = np.random.default_rng(0).standard_normal((3, 8)).astype(np.float32)
    blobs = [
        memoryview(Prediction.pack_embedding(v)) for v in vectors
    ]  # as the database hands them
    np.testing.assert_allclose(Prediction.unpack_embeddings(blobs), vectors, atol=1e-2)
    assert Prediction.unpack_embeddings([]).shape == (0, 0)
    assert Prediction(embedding=blobs[1]).embedding_array().dtype == np.float32


def test_clip_context_window_stays_inside_the_recording(project):
    recording = f.make_recording(project, duration_s=3.0)
    first = f.make_clip(project, recording, 0.0, 1.0)
    last = f.make_clip(project, recording, 2.0, 3.0)
    assert first.with_context(0.25) == (0.0, 1.25)
    assert last.with_context(0.25) == (1.75, 3.0)


def test_one_version_bump_for_edits_and_reviews(project, cast):
    from annotator import queue, review

    clip = f.make_clip(project)
    ann = ClipAnnotation.objects.create(project=project, clip=clip, annotator=cast["ann1"])
    queue.bump_version(ann, 1, cast["ann1"], "edit")
    assert ClipAnnotation.objects.get(pk=ann.pk).version == 2
    with pytest.raises(queue.StaleVersion):
        queue.bump_version(ClipAnnotation.objects.get(pk=ann.pk), 1, cast["ann1"], "edit")
    review.review(ann, cast["lead"], review.ACCEPT, version=2, note="fine")
    revisions = AnnotationRevision.objects.filter(clip_annotation=ann).order_by("version")
    assert [r.version for r in revisions] == [1, 2]
    assert "note" not in revisions[0].data and revisions[1].data["note"] == "fine"
    assert ClipAnnotation.objects.get(pk=ann.pk).version == 3
