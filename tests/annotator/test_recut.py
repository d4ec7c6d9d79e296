"""Changing the clip length re-cuts the clips: free clips are replaced, labelled ones kept with
their labels, and the audio around them cut anew without overlap or gap."""

from __future__ import annotations

import pytest

from annotator import ingest, queue
from annotator.models import Clip, ClipAnnotation, SoundEventAnnotation
from tests import factories as f


def spans(recording):
    return list(recording.clips.order_by("start_s").values_list("start_s", "end_s"))


def covers_once(bounds, duration):
    assert bounds[0][0] == 0.0 and bounds[-1][1] == pytest.approx(duration, abs=1e-6)
    for (_s0, e0), (s1, _e1) in zip(bounds, bounds[1:]):
        assert s1 == pytest.approx(e0, abs=1e-6)  # no overlap, no gap (overlap 0)


def test_recut_keeps_labelled_clips_and_cuts_around_them(project, cast):
    recording = f.make_recording(project, duration_s=5.0)
    ingest.cut_clips(recording)
    assert len(spans(recording)) == 5
    tag = f.make_tag(project)
    labelled = recording.clips.get(start_s=2.0)
    sub = queue.Submission(events=[queue.EventInput(2.1, 2.3, 20_000, 40_000, tag.pk)])
    queue.save_annotation(
        project, labelled, cast["ann1"], sub, author=cast["ann1"], action="import"
    )
    project.clip_length_s = 0.4
    project.save()
    done = ingest.recut_clips(recording)
    bounds = spans(recording)
    assert (done.kept, done.removed) == (1, 4)
    assert (2.0, 3.0) in bounds  # the labelled clip, as it was
    covers_once(bounds, 5.0)
    assert all(e - s <= 0.44 + 1e-6 for s, e in bounds if (s, e) != (2.0, 3.0))
    annotation = ClipAnnotation.objects.get()
    assert annotation.clip_id == labelled.pk and SoundEventAnnotation.objects.get().tag == tag
    ingest.recut_clips(recording)  # again: nothing changes
    assert spans(recording) == bounds


def test_changing_the_clip_length_in_the_api_recuts_on_a_worker(
    project, cast, api, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from echoloop.celery import app

    app.conf.task_always_eager = True
    try:
        recording = f.make_recording(project, duration_s=3.0)
        ingest.cut_clips(recording)
        with django_capture_on_commit_callbacks(execute=True):
            response = api(cast["lead"]).patch(
                f"/api/projects/{project.pk}/", {"settings": {"clip_length_s": 0.5}}, format="json"
            )
        assert response.status_code == 200, response.content
        assert len(spans(recording)) == 6
        covers_once(spans(recording), 3.0)
    finally:
        app.conf.task_always_eager = False


def test_other_settings_do_not_recut(project, cast, api, django_capture_on_commit_callbacks):
    recording = f.make_recording(project, duration_s=3.0)
    ingest.cut_clips(recording)
    before = list(Clip.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api(cast["lead"]).patch(
            f"/api/projects/{project.pk}/", {"settings": {"context_s": 0.2}}, format="json"
        )
    assert response.status_code == 200 and response.json()["settings"]["context_s"] == 0.2
    assert not [c for c in callbacks if "recut_if_changed" in getattr(c, "__qualname__", "")]
    assert list(Clip.objects.values_list("pk", flat=True)) == before
