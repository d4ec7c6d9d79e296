"""A lead's review: accept, reject (back to the queue), correct; every change keeps a revision."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotator import queue, review
from annotator.models import AnnotationRevision, AnnotationTask, ClipAnnotation, TaskStatus
from tests import factories as f


def submitted(project, user, tag, **kw):
    """``user`` claims the one queued clip and submits a box on it."""
    clip = f.make_clip(project, start_s=1, end_s=2)
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, user)
    event = queue.EventInput(1.2, 1.21, 35_000, 70_000, tag.pk)
    return queue.submit(task, user, queue.Submission(events=[event], **kw))


def test_accept_marks_accepted_and_keeps_a_revision(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    accepted = review.accept(annotation, cast["lead"], version=1, note="fine")
    assert accepted.review_status == ClipAnnotation.Review.ACCEPTED
    assert accepted.version == 2
    revision = AnnotationRevision.objects.get(clip_annotation=annotation)
    assert (revision.version, revision.action, revision.author) == (1, "review", cast["lead"])
    assert revision.data["note"] == "fine" and revision.data["review_status"] == "pending"
    assert AnnotationTask.objects.get().status == TaskStatus.REVIEWED


def test_reject_returns_the_clip_to_its_annotator(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    rejected = review.reject(annotation, cast["lead"], version=1, note="that is a social call")
    assert rejected.review_status == ClipAnnotation.Review.REJECTED
    revision = rejected.revisions.get()
    assert (revision.action, revision.author, revision.data["note"]) == (
        "reject",
        cast["lead"],
        "that is a social call",
    )
    task = AnnotationTask.objects.get()
    assert task.status == TaskStatus.QUEUED
    assert (task.lease_holder, task.completed_by, task.completed_at) == (None, None, None)
    # nothing is deleted: the rejected annotation and its boxes stay
    assert rejected.events.count() == 1
    # the clip goes back to its author (with the note), not to another annotator
    assert (task.returned_to, task.return_note) == (cast["ann1"], "that is a social call")
    assert queue.claim_next(project, cast["ann2"]) is None
    assert queue.claim_next(project, cast["ann1"]).pk == task.pk


def test_reject_needs_a_note(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    with pytest.raises(ValidationError):
        review.reject(annotation, cast["lead"], version=1, note="  ")
    annotation.refresh_from_db()
    assert annotation.version == 1 and annotation.review_status == "pending"


def test_correct_saves_a_new_version_by_the_lead(project, cast):
    tag, other = f.make_tag(project), f.make_tag(project, "Pipistrellus pipistrellus")
    annotation = submitted(project, cast["ann1"], tag)
    fixed = queue.Submission(
        version=1, events=[queue.EventInput(1.3, 1.32, 40_000, 60_000, other.pk)]
    )
    corrected = review.correct(annotation, cast["lead"], fixed, note="wrong species")
    assert corrected.annotator == cast["ann1"] and corrected.version == 2
    assert corrected.review_status == ClipAnnotation.Review.ACCEPTED
    assert list(corrected.events.values_list("start_s", "tag")) == [(1.3, other.pk)]
    revision = corrected.revisions.get()
    assert (revision.action, revision.author, revision.data["note"]) == (
        "correct",
        cast["lead"],
        "wrong species",
    )
    assert revision.data["events"][0]["tag"] == tag.pk  # what the annotator had said


def test_correction_is_checked_like_a_submission(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    outside = queue.Submission(version=1, events=[queue.EventInput(5.0, 5.1, 1_000, 2_000)])
    with pytest.raises(ValidationError):
        review.correct(annotation, cast["lead"], outside)
    assert AnnotationRevision.objects.count() == 0


def test_stale_version_changes_nothing(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    review.accept(annotation, cast["lead"], version=1)
    with pytest.raises(queue.StaleVersion) as caught:
        review.reject(annotation, cast["lead"], version=1, note="late")
    assert caught.value.current.version == 2
    annotation.refresh_from_db()
    assert annotation.review_status == "accepted" and annotation.revisions.count() == 1
    with pytest.raises(queue.StaleVersion):
        review.correct(annotation, cast["lead"], queue.Submission(version=1, no_calls=True))


def test_only_leads_review(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    for who in ("ann1", "ann2", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            review.accept(annotation, cast[who], version=1)


def test_rejecting_an_imported_annotation_queues_its_clip(project, cast):
    clip = f.make_clip(project)
    annotation = queue.save_annotation(project, clip, cast["lead"], queue.Submission(no_calls=True))
    review.reject(annotation, cast["lead"], version=1, note="there is a call at 0.3 s")
    task = AnnotationTask.objects.get(clip=clip)
    assert task.status == TaskStatus.QUEUED and task.source == "review"
    assert "0.3 s" in task.reason


def test_every_review_keeps_its_own_revision(project, cast):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    review.reject(annotation, cast["lead"], version=1, note="no")
    review.correct(annotation, cast["lead"], queue.Submission(version=2, no_calls=True))
    review.accept(annotation, cast["lead"], version=3)
    actions = list(annotation.revisions.values_list("version", "action", "author"))
    lead = cast["lead"].pk
    assert actions == [(1, "reject", lead), (2, "correct", lead), (3, "review", lead)]


def test_authors_edit_after_acceptance_goes_back_to_review(project, cast):
    """The lead accepted other content; the edit must not pass as accepted (the label snapshot
    lets accepted reviews win)."""
    tag = f.make_tag(project)
    annotation = submitted(project, cast["ann1"], tag)
    review.accept(annotation, cast["lead"], version=1)
    moved = queue.EventInput(1.5, 1.52, 35_000, 70_000, tag.pk)
    edited = queue.save_annotation(
        project, annotation.clip, cast["ann1"], queue.Submission(version=2, events=[moved])
    )
    edited.refresh_from_db()
    assert (edited.version, edited.review_status) == (3, ClipAnnotation.Review.PENDING)
    assert AnnotationTask.objects.get().status == TaskStatus.SUBMITTED
    kept = AnnotationRevision.objects.get(clip_annotation=annotation, version=2)
    assert kept.data["review_status"] == "accepted"  # the verdict on the old content is kept


def test_leads_correction_stays_accepted(project, cast):
    tag = f.make_tag(project)
    annotation = submitted(project, cast["ann1"], tag)
    fixed = queue.Submission(
        version=1, events=[queue.EventInput(1.3, 1.31, 30_000, 60_000, tag.pk)]
    )
    corrected = review.correct(annotation, cast["lead"], fixed)
    corrected.refresh_from_db()
    assert corrected.review_status == ClipAnnotation.Review.ACCEPTED
