"""Changing the clip length re-cuts the clips, labelled ones too: labels move to the new clips by
time (nothing lost), clips under a live lease are kept and cut around, no overlap or gap."""

from __future__ import annotations

import pytest

from annotator import ingest, queue, recut
from annotator.models import (
    AnnotationTask,
    Clip,
    ClipAnnotation,
    SoundEventAnnotation,
    TaskStatus,
)
from tests import factories as f


def spans(recording):
    return list(recording.clips.order_by("start_s").values_list("start_s", "end_s"))


def covers_once(bounds, duration):
    assert bounds[0][0] == 0.0 and bounds[-1][1] == pytest.approx(duration, abs=1e-6)
    for (_s0, e0), (s1, _e1) in zip(bounds, bounds[1:]):
        assert s1 == pytest.approx(e0, abs=1e-6)  # no overlap, no gap (overlap 0)


def label(project, clip, user, events=(), **answer):
    sub = queue.Submission(events=[queue.EventInput(*e) for e in events], **answer)
    return queue.save_annotation(project, clip, user, sub, author=user, action="import")


def shorten(project, recording, length_s=0.4):
    project.clip_length_s = length_s
    project.save()
    return recut.recut_clips(recording)


def test_recut_moves_labels_to_the_new_clips_by_time(project, cast):
    """Labels spanning the new borders: each event moves (same row) to the new clip its start is
    in, the clip tag and notes to the clip holding most of the old one, nothing is lost."""
    recording = f.make_recording(project, duration_s=5.0)
    ingest.cut_clips(recording)
    tag = f.make_tag(project)
    old = recording.clips.get(start_s=2.0)
    events = [(2.1, 2.3, 20_000, 40_000, tag.pk), (2.7, 3.4, 20_000, 40_000, tag.pk)]
    before = label(project, old, cast["ann1"], events, tags=[tag.pk], notes="two passes")
    event_ids = sorted(before.events.values_list("pk", flat=True))
    done = shorten(project, recording)
    bounds = spans(recording)
    covers_once(bounds, 5.0)
    assert all(e - s <= 0.44 + 1e-6 for s, e in bounds)
    assert (2.0, 3.0) not in bounds and not Clip.objects.filter(pk=old.pk).exists()
    assert (done.kept, done.moved_annotations, done.moved_events) == (0, 1, 2)
    moved = SoundEventAnnotation.objects.order_by("start_s")
    assert sorted(e.pk for e in moved) == event_ids  # the same rows, not copies
    for event in moved:
        clip = event.clip_annotation.clip
        assert clip.start_s <= event.start_s < clip.end_s
    long = moved.last()
    assert (long.start_s, long.end_s) == (2.7, 3.4)  # still runs past its new clip's end
    home = ClipAnnotation.objects.get(tags=tag)  # the clip tag: on the clip holding most of it
    assert 2.0 <= home.clip.start_s and home.clip.end_s <= 3.0
    assert home.uncertain and "two passes" in home.notes and "2–3 s" in home.notes
    revision = home.revisions.get(action="recut")
    (source,) = revision.data["recut_from"]
    assert source["span"] == [2.0, 3.0]
    assert [e["start_s"] for e in source["snapshot"]["events"]] == [2.1, 2.7]
    assert home.version == revision.version + 1 == before.version + 1
    # Every moved answer has a completed task on its new clip (the clip counts as labelled).
    for answer in ClipAnnotation.objects.all():
        assert answer.task.clip_id == answer.clip_id
        assert answer.task.status == TaskStatus.SUBMITTED
        assert answer.task.completed_by == cast["ann1"]
    assert recut.recut_clips(recording) == recut.Recut()  # again: nothing changes
    assert spans(recording) == bounds


def test_no_calls_holds_only_where_the_old_answer_covers(project, cast):
    recording = f.make_recording(project, duration_s=3.0)
    ingest.cut_clips(recording)
    label(project, recording.clips.get(start_s=0.0), cast["ann1"], no_calls=True)
    shorten(project, recording)
    quiet = ClipAnnotation.objects.filter(no_calls=True).values_list("clip__start_s", "clip__end_s")
    assert sorted(quiet) == [(0.0, 0.4), (0.4, 0.8)]
    # 0.8–1.2 s was half unheard: no answer claims it is empty.
    assert not ClipAnnotation.objects.filter(clip__start_s=0.8, no_calls=True).exists()


def test_lengthening_merges_answers_and_review(project, cast):
    """Two old clips in one new clip: one answer, its tags exact, accepted only if both were."""
    project.clip_length_s = 0.5
    project.save()
    recording = f.make_recording(project, duration_s=2.0)
    ingest.cut_clips(recording)
    tag = f.make_tag(project)
    first = label(project, recording.clips.get(start_s=0.0), cast["ann1"], tags=[tag.pk])
    first.review_status = ClipAnnotation.Review.ACCEPTED
    first.save()
    label(project, recording.clips.get(start_s=0.5), cast["ann1"], [(0.6, 0.7, 1e4, 2e4, tag.pk)])
    done = shorten(project, recording, length_s=2.0)
    assert spans(recording) == [(0.0, 2.0)] and done.removed == 4
    merged = ClipAnnotation.objects.get()
    assert list(merged.tags.all()) == [tag] and not merged.uncertain
    assert merged.review_status == ClipAnnotation.Review.PENDING  # one source was not reviewed
    assert merged.events.get().start_s == 0.6
    assert len(merged.revisions.get(action="recut").data["recut_from"]) == 2


def test_two_annotators_keep_their_own_answers(project, cast):
    recording = f.make_recording(project, duration_s=2.0)
    ingest.cut_clips(recording)
    tag = f.make_tag(project)
    clip = recording.clips.get(start_s=1.0)
    for who in ("ann1", "ann2"):
        label(project, clip, cast[who], [(1.5, 1.6, 1e4, 2e4, tag.pk)])
    shorten(project, recording, length_s=0.5)
    answers = ClipAnnotation.objects.filter(clip__start_s=1.5)
    assert sorted(answers.values_list("annotator__username", flat=True)) == ["ann1", "ann2"]
    assert {a.task.slot for a in answers} == {1, 2}


def test_held_out_labels_stay_held_out(project, cast):
    recording = f.make_recording(project, duration_s=2.0)
    ingest.cut_clips(recording)
    clip = recording.clips.get(start_s=1.0)
    Clip.objects.filter(pk=clip.pk).update(held_out=True)
    label(project, clip, cast["ann1"], no_calls=True)
    shorten(project, recording, length_s=0.5)
    assert all(held for s, held in recording.clips.values_list("start_s", "held_out") if s >= 1.0)


def test_a_clip_under_a_live_lease_is_kept_and_cut_around(project, cast):
    recording = f.make_recording(project, duration_s=3.0)
    ingest.cut_clips(recording)
    clip = recording.clips.get(start_s=1.0)
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, cast["ann1"])
    assert task.clip_id == clip.pk
    done = shorten(project, recording)
    assert done.kept == 1 and Clip.objects.filter(pk=clip.pk, end_s=2.0).exists()
    covers_once(spans(recording), 3.0)


def test_queued_work_is_queued_again_on_the_new_clips(project, cast):
    recording = f.make_recording(project, duration_s=2.0)
    ingest.cut_clips(recording)
    queue.enqueue(project, [recording.clips.get(start_s=1.0)], reasons=["loud"])
    done = shorten(project, recording, length_s=0.5)
    queued = AnnotationTask.objects.filter(status=TaskStatus.QUEUED)
    assert done.requeued == 2
    assert sorted(queued.values_list("clip__start_s", "reason")) == [(1.0, "loud"), (1.5, "loud")]


def test_sampling_picks_follow_their_clips(project, cast):
    from sampling.models import SamplingPick, SamplingRound

    recording = f.make_recording(project, duration_s=2.0)
    ingest.cut_clips(recording)
    clip = recording.clips.get(start_s=1.0)
    (task,) = queue.enqueue(project, [clip])
    label(project, clip, cast["ann1"], no_calls=True)
    round_ = SamplingRound.objects.create(project=project, number=1, strategy="random")
    SamplingPick.objects.create(round=round_, clip=clip, task=task, rank=1, reason="random")
    shorten(project, recording, length_s=0.5)
    pick = SamplingPick.objects.get()
    assert (pick.clip.start_s, pick.clip.end_s) in [(1.0, 1.5), (1.5, 2.0)]
    assert pick.task is not None and pick.task.clip_id == pick.clip_id


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
