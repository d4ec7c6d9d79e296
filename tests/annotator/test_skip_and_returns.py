"""Skipping moves on (per annotator, with a reason), and a rejected clip returns to its annotator."""

import pytest
from django.core.exceptions import ValidationError

from annotator import queue, review
from annotator.models import AnnotationTask, ClipAnnotation, Role, SkipReason, TaskSkip, TaskStatus
from tests import factories as f


def queued(project, n=3, priorities=None):
    recording = f.make_recording(project, duration_s=n)
    clips = [f.make_clip(project, recording, i, i + 1) for i in range(n)]
    return queue.enqueue(project, clips, priorities=priorities or [float(n - i) for i in range(n)])


def claim_and_skip(project, user, reason=SkipReason.CANT_TELL, note=""):
    task = queue.claim_next(project, user)
    assert queue.skip(task, user, reason, note) is not None
    return task


def test_skip_moves_on_to_a_different_task(project, cast):
    tasks = queued(project, 3)
    skipped = claim_and_skip(project, cast["ann1"])
    assert skipped.pk == tasks[0].pk
    assert queue.claim_next(project, cast["ann1"]).pk == tasks[1].pk


def test_skipped_task_goes_behind_every_other_task_only_for_the_skipper(project, cast):
    tasks = queued(project, 3)
    skipped = claim_and_skip(project, cast["ann1"])
    # ann2 never skipped it: for them it is still the first task
    assert queue.claim_next(project, cast["ann2"]).pk == skipped.pk
    mine = queue.claim_next(project, cast["ann1"])
    assert mine.pk == tasks[1].pk


def test_skipped_task_comes_back_when_nothing_else_is_open(project, cast):
    tasks = queued(project, 2)
    first = claim_and_skip(project, cast["ann1"], SkipReason.BROKEN_AUDIO)
    second = claim_and_skip(project, cast["ann1"])
    assert (first.pk, second.pk) == (tasks[0].pk, tasks[1].pk)
    # Only skipped tasks remain: the one skipped longest ago comes first, then the other.
    again = claim_and_skip(project, cast["ann1"])
    assert again.pk == first.pk
    assert queue.claim_next(project, cast["ann1"]).pk == second.pk


def test_one_bad_clip_never_traps_anyone(project, cast):
    tasks = queued(project, 4)
    seen = [claim_and_skip(project, cast["ann1"], SkipReason.BROKEN_AUDIO).pk for _ in range(8)]
    assert seen == [t.pk for t in tasks] * 2


def test_submitting_after_skips_still_reaches_every_task(project, cast):
    tasks = queued(project, 3)
    claim_and_skip(project, cast["ann1"])
    done = []
    while (task := queue.claim_next(project, cast["ann1"])) is not None:
        queue.submit(task, cast["ann1"], queue.Submission(no_calls=True))
        done.append(task.pk)
    assert done == [tasks[1].pk, tasks[2].pk, tasks[0].pk]


@pytest.mark.parametrize(
    "reason, note, field",
    [("bored", "", "reason"), ("", "", "reason"), (SkipReason.OTHER, "  ", "note")],
)
def test_bad_reason_is_refused_and_changes_nothing(project, cast, reason, note, field):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    with pytest.raises(ValidationError) as err:
        queue.skip(task, cast["ann1"], reason, note)
    assert field in err.value.message_dict
    task.refresh_from_db()
    assert task.status == TaskStatus.LEASED and task.lease_holder == cast["ann1"]
    assert not TaskSkip.objects.exists()


def test_skip_of_a_task_not_held_records_nothing(project, cast):
    queued(project, 1)
    task = queue.claim_next(project, cast["ann1"])
    assert queue.skip(task, cast["ann2"], SkipReason.CANT_TELL) is None
    assert not TaskSkip.objects.exists()


# --- the API -----------------------------------------------------------------------------------


def release_url(task):
    return f"/api/tasks/{task.pk}/release/"


def test_api_skip_records_reason_and_serves_another_clip(project, cast, api):
    tasks = queued(project, 2)
    client = api(cast["ann1"])
    first = client.post(f"/api/projects/{project.pk}/tasks/next/").json()
    response = client.post(
        release_url(tasks[0]), {"reason": "other", "note": "a door slams"}, format="json"
    )
    assert response.status_code == 204
    skip = TaskSkip.objects.get()
    assert (skip.task_id, skip.user, skip.reason, skip.note) == (
        first["id"],
        cast["ann1"],
        "other",
        "a door slams",
    )
    second = client.post(f"/api/projects/{project.pk}/tasks/next/").json()
    assert second["id"] == tasks[1].pk and second["your_last_skip"] is None


def test_api_skipped_task_served_last_says_it_was_skipped_and_why(project, cast, api):
    tasks = queued(project, 1)
    client = api(cast["ann1"])
    client.post(f"/api/projects/{project.pk}/tasks/next/")
    client.post(release_url(tasks[0]), {"reason": "broken_audio"}, format="json")
    again = client.post(f"/api/projects/{project.pk}/tasks/next/").json()
    assert again["id"] == tasks[0].pk
    assert again["your_last_skip"]["reason"] == "broken_audio"
    assert again["your_last_skip"]["why"] == "broken audio"


@pytest.mark.parametrize(
    "body", [{}, {"reason": "bored"}, {"reason": "other"}, {"reason": "other", "note": ""}]
)
def test_api_bad_skip_reason_is_400_and_changes_nothing(project, cast, api, body):
    tasks = queued(project, 1)
    client = api(cast["ann1"])
    client.post(f"/api/projects/{project.pk}/tasks/next/")
    response = client.post(release_url(tasks[0]), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"reason", "note"}
    task = AnnotationTask.objects.get(pk=tasks[0].pk)
    assert task.status == TaskStatus.LEASED and task.lease_holder == cast["ann1"]
    assert not TaskSkip.objects.exists()


def test_api_skip_of_a_task_someone_else_holds_is_409(project, cast, api):
    tasks = queued(project, 1)
    api(cast["ann1"]).post(f"/api/projects/{project.pk}/tasks/next/")
    response = api(cast["ann2"]).post(release_url(tasks[0]), {"reason": "cant_tell"}, format="json")
    assert response.status_code == 409
    assert not TaskSkip.objects.exists()


def skips_url(project):
    return f"/api/projects/{project.pk}/skips/"


def test_leads_list_skipped_clips_with_reasons(project, cast, api):
    tasks = queued(project, 2)
    claim_and_skip(project, cast["ann1"], SkipReason.BROKEN_AUDIO)
    claim_and_skip(project, cast["ann2"], SkipReason.OTHER, "two bats at once")
    body = api(cast["lead"]).get(skips_url(project)).json()
    assert len(body["results"]) == 2 and body["next"] is None
    rows = [
        (r["task"], r["username"], r["reason"], r["reason_label"], r["note"])
        for r in body["results"]
    ]
    assert rows == [
        (tasks[0].pk, "ann2", "other", "other", "two bats at once"),  # ann2 had not skipped it
        (tasks[0].pk, "ann1", "broken_audio", "broken audio", ""),
    ]
    assert body["results"][0]["clip"]["recording"]["name"] == tasks[0].clip.recording.name


def test_skip_listing_is_paged_by_key_newest_first(project, cast, api):
    tasks = queued(project, 1)
    TaskSkip.objects.bulk_create(
        TaskSkip(task=tasks[0], user=cast["ann1"], reason=SkipReason.CANT_TELL) for _ in range(55)
    )
    client = api(cast["lead"])
    first = client.get(skips_url(project)).json()
    second = client.get(first["next"]).json()
    assert "count" not in first and (len(first["results"]), len(second["results"])) == (50, 5)
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert ids == sorted(TaskSkip.objects.values_list("pk", flat=True), reverse=True)
    assert second["next"] is None


@pytest.mark.parametrize("who, code", [("ann1", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_list_skips(project, cast, api, who, code):
    tasks = queued(project, 1)
    TaskSkip.objects.create(task=tasks[0], user=cast["ann1"], reason=SkipReason.CANT_TELL)
    assert api(cast[who]).get(skips_url(project)).status_code == code


def test_skip_listing_is_project_scoped(project, cast, api):
    other = f.make_project("Birds")
    f.add_member(other, cast["lead"], Role.LEAD)
    f.add_member(other, cast["ann1"], Role.ANNOTATOR)
    theirs = queued(other, 1)[0]
    TaskSkip.objects.create(task=theirs, user=cast["ann1"], reason=SkipReason.CANT_TELL)
    assert api(cast["lead"]).get(skips_url(project)).json()["results"] == []
    assert len(api(cast["lead"]).get(skips_url(other)).json()["results"]) == 1


# --- a rejected clip returns to its annotator ---------------------------------------------------


def annotate_all(project, user):
    """``user`` annotates every clip the queue offers them; their annotations in order."""
    out = []
    while (task := queue.claim_next(project, user)) is not None:
        out.append(queue.submit(task, user, queue.Submission(no_calls=True)))
    return out


def reject(annotation, lead, note="The call at 0.3 s is a Myotis, not a Pipistrellus."):
    return review.reject(annotation, lead, version=annotation.version, note=note)


def test_rejected_clip_goes_back_to_its_annotator_first(project, cast):
    queued(project, 3)
    done = annotate_all(project, cast["ann1"])[:1]
    queued(project, 2)  # newer, higher-priority work arrives
    reject(done[0], cast["lead"])
    task = queue.claim_next(project, cast["ann1"])
    assert task.clip_id == done[0].clip_id and task.returned_to == cast["ann1"]
    assert "Myotis" in task.return_note
    assert task.own_annotation.pk == done[0].pk  # they edit their own annotation, not a blank one


def test_rejected_clip_is_not_offered_to_other_annotators(project, cast):
    queued(project, 1)
    (done,) = annotate_all(project, cast["ann1"])
    reject(done, cast["lead"])
    assert queue.claim_next(project, cast["ann2"]) is None
    assert queue.claim_next(project, cast["ann1"]).clip_id == done.clip_id


def test_rejected_clip_goes_to_others_once_its_annotator_left(project, cast):
    queued(project, 1)
    (done,) = annotate_all(project, cast["ann1"])
    reject(done, cast["lead"])
    project.memberships.filter(user=cast["ann1"]).delete()
    assert queue.claim_next(project, cast["ann2"]).clip_id == done.clip_id


def test_returned_to_count_counts_open_returns_only(project, cast):
    queued(project, 3)
    done = annotate_all(project, cast["ann1"])
    for a in done[:2]:
        reject(a, cast["lead"])
    assert queue.returned_to_count(project, cast["ann1"]) == 2
    assert queue.returned_to_count(project, cast["ann2"]) == 0
    task = queue.claim_next(project, cast["ann1"])
    assert queue.returned_to_count(project, cast["ann1"]) == 2  # held, not yet answered
    queue.submit(
        task, cast["ann1"], queue.Submission(no_calls=True, version=task.own_annotation.version)
    )
    assert queue.returned_to_count(project, cast["ann1"]) == 1
    assert ClipAnnotation.objects.get(pk=task.own_annotation.pk).review_status == "pending"


def test_imported_annotation_rejected_gets_a_task_returned_to_its_author(project, cast):
    clip = f.make_clip(project)
    annotation = queue.save_annotation(project, clip, cast["ann1"], queue.Submission(no_calls=True))
    reject(annotation, cast["lead"], note="Listen again at 10x")
    reject(ClipAnnotation.objects.get(pk=annotation.pk), cast["lead"], note="Still wrong")
    (task,) = AnnotationTask.objects.filter(clip=clip)
    assert (task.returned_to, task.return_note, task.source) == (
        cast["ann1"],
        "Still wrong",
        "review",
    )
    assert queue.claim_next(project, cast["ann1"]).pk == task.pk


def test_api_next_task_carries_the_note_and_the_annotation(project, cast, api):
    queued(project, 1)
    (done,) = annotate_all(project, cast["ann1"])
    reject(done, cast["lead"], note="Box the whole call")
    body = api(cast["ann1"]).post(f"/api/projects/{project.pk}/tasks/next/").json()
    assert body["returned_to"] == cast["ann1"].pk and body["return_note"] == "Box the whole call"
    assert body["annotation"]["id"] == done.pk and body["annotation"]["review_status"] == "rejected"


def test_project_page_shows_returned_count_and_leads_see_skips(project, cast, client):
    tasks = queued(project, 2)
    claim_and_skip(project, cast["ann2"], SkipReason.OTHER, "hail <b>noise</b>")
    done = annotate_all(project, cast["ann1"])
    reject(done[0], cast["lead"])
    client.force_login(cast["ann1"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-count="returned"' in page and ">1</span> returned to you" in page
    assert "hail" not in page and "skipped-clips" not in page  # annotators do not see the skip list
    client.force_login(cast["lead"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'id="skipped-clips"' in page and "hail &lt;b&gt;noise&lt;/b&gt;" in page
    assert tasks[0].clip.recording.name in page


def test_skipping_a_returned_clip_moves_on_too(project, cast):
    tasks = queued(project, 2)
    done = annotate_all(project, cast["ann1"])
    queued(project, 1)
    reject(done[0], cast["lead"])
    returned = claim_and_skip(project, cast["ann1"], SkipReason.CANT_TELL)
    assert returned.pk == tasks[0].pk
    following = queue.claim_next(project, cast["ann1"])
    assert following.pk != returned.pk and following.returned_to is None
