import random
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from annotator import queue
from annotator.models import AnnotationRevision, AnnotationTask, ClipAnnotation, TaskStatus
from tests import factories as f


def queued(project, n=3, **kw):
    recording = f.make_recording(project, duration_s=n)
    clips = [f.make_clip(project, recording, i, i + 1) for i in range(n)]
    return clips, queue.enqueue(project, clips, **kw)


def test_claim_takes_highest_priority_first(project, cast):
    clips, _ = queued(project, 3, priorities=[0.1, 0.9, 0.5])
    task = queue.claim_next(project, cast["ann1"])
    assert task.clip == clips[1]
    assert task.status == TaskStatus.LEASED and task.lease_holder == cast["ann1"]


def test_two_annotators_never_get_the_same_task(project, cast):
    queued(project, 2)
    a = queue.claim_next(project, cast["ann1"])
    b = queue.claim_next(project, cast["ann2"])
    assert a.pk != b.pk
    assert queue.claim_next(project, cast["lead"]) is None


def test_claim_returns_the_task_already_held(project, cast):
    queued(project, 2)
    first = queue.claim_next(project, cast["ann1"])
    assert queue.claim_next(project, cast["ann1"]).pk == first.pk


def test_expired_lease_returns_task(project, cast):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    AnnotationTask.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    again = queue.claim_next(project, cast["ann2"])
    assert again.pk == task.pk and again.lease_holder == cast["ann2"]


def test_viewer_and_outsider_cannot_claim(project, cast):
    queued(project, 1)
    for who in ("viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            queue.claim_next(project, cast[who])


def test_double_annotation_goes_to_two_different_annotators(project, cast):
    project.double_annotation_fraction = 1.0
    clips, tasks = queued(project, 1)
    assert sorted(t.slot for t in tasks) == [1, 2]
    first = queue.claim_next(project, cast["ann1"])
    queue.submit(first, cast["ann1"], queue.Submission(no_calls=True))
    # ann1 already annotated the clip, so the second slot is not theirs to take
    assert queue.claim_next(project, cast["ann1"]) is None
    second = queue.claim_next(project, cast["ann2"])
    assert second.clip == clips[0] and second.slot != first.slot


def test_enqueue_fraction_of_double_annotation(project):
    project.double_annotation_fraction = 0.3
    recording = f.make_recording(project, duration_s=200)
    clips = [f.make_clip(project, recording, i, i + 1) for i in range(200)]
    tasks = queue.enqueue(project, clips, rng=random.Random(1))
    doubled = {t.clip_id for t in tasks if t.slot == 2}
    assert 40 <= len(doubled) <= 80
    assert queue.enqueue(project, clips) == []  # already queued


def test_release_returns_task_to_queue(project, cast):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    assert not queue.release(task, cast["ann2"])
    assert queue.release(task, cast["ann1"])
    task.refresh_from_db()
    assert task.status == TaskStatus.QUEUED and task.lease_holder is None


def box(clip, **kw):
    values = {
        "start_s": clip.start_s + 0.1,
        "end_s": clip.start_s + 0.12,
        "low_hz": 30_000,
        "high_hz": 60_000,
    }
    return queue.EventInput(**(values | kw))


def test_submit_saves_annotation_and_completes_task(project, cast):
    tag = f.make_tag(project)
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    ann = queue.submit(
        task, cast["ann1"], queue.Submission(tags=[tag.pk], events=[box(task.clip, tag=tag.pk)])
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED and task.completed_by == cast["ann1"]
    assert ann.version == 1 and ann.events.get().tag == tag


def test_edit_with_stale_version_changes_nothing(project, cast):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    ann = queue.submit(task, cast["ann1"], queue.Submission(notes="first"))
    queue.save_annotation(
        project, task.clip, cast["ann1"], queue.Submission(version=1, notes="second")
    )
    with pytest.raises(queue.StaleVersion):
        queue.save_annotation(
            project, task.clip, cast["ann1"], queue.Submission(version=1, notes="stale")
        )
    ann.refresh_from_db()
    assert (ann.version, ann.notes) == (2, "second")
    revision = AnnotationRevision.objects.get(clip_annotation=ann)
    assert revision.version == 1 and revision.data["notes"] == "first"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"start_s": 5.0, "end_s": 5.1}, "outside the recording"),
        ({"end_s": 0.05}, "end_s must be after start_s"),
        ({"low_hz": 10, "high_hz": 250_000}, "outside 0"),
        ({"low_hz": None, "high_hz": None}, "boxes"),
        ({"confidence": 2.0}, "confidence"),
    ],
)
def test_bad_boxes_are_refused_and_nothing_changes(project, cast, change, message):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    with pytest.raises(ValidationError, match=message):
        queue.submit(task, cast["ann1"], queue.Submission(events=[box(task.clip, **change)]))
    task.refresh_from_db()
    assert task.status == TaskStatus.LEASED
    assert not ClipAnnotation.objects.exists()


def test_tag_from_another_project_is_refused(project, cast):
    foreign = f.make_tag(f.make_project("elsewhere"), "Foreign bat")
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    with pytest.raises(ValidationError, match="not in this project"):
        queue.submit(task, cast["ann1"], queue.Submission(tags=[foreign.pk]))
    assert not ClipAnnotation.objects.exists()


def test_late_submit_after_lease_taken_over_is_kept(project, cast):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    AnnotationTask.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    taken = queue.claim_next(project, cast["ann2"])
    queue.submit(task, cast["ann1"], queue.Submission(notes="late but kept"))
    assert ClipAnnotation.objects.get(annotator=cast["ann1"]).notes == "late but kept"
    taken.refresh_from_db()
    assert taken.status == TaskStatus.LEASED and taken.lease_holder == cast["ann2"]


@pytest.mark.django_db(transaction=True)
def test_annotators_racing_for_the_last_task_get_it_once():
    """Real concurrent transactions (PostgreSQL in CI): one task, eight claimers, one winner."""
    project = f.make_project("race", double_annotation_fraction=0.0)
    users = [f.make_user(f"racer{i}") for i in range(8)]
    for user in users:
        f.add_member(project, user)
    queue.enqueue(project, [f.make_clip(project)])
    barrier = threading.Barrier(len(users))
    results = []

    def claim(user):
        try:
            barrier.wait()
            task = queue.claim_next(project, user)
            results.append(task.pk if task else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r is not None]
    assert len(results) == len(users) and len(winners) == 1
    assert AnnotationTask.objects.get().lease_holder in users
