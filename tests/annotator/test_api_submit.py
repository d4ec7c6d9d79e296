from datetime import timedelta

import pytest
from django.utils import timezone

from annotator import queue
from annotator.models import AnnotationTask, ClipAnnotation, TaskStatus
from tests import factories as f


def claimed(project, user):
    queue.enqueue(project, [f.make_clip(project, start_s=1, end_s=2)])
    return queue.claim_next(project, user)


def payload(tag, **kw):
    body = {
        "version": None,
        "tags": [tag.pk],
        "events": [
            {"start_s": 1.2, "end_s": 1.21, "low_hz": 35_000, "high_hz": 70_000, "tag": tag.pk}
        ],
    }
    return body | kw


def test_submit_creates_annotation(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    response = api(cast["ann1"]).post(f"/api/tasks/{task.pk}/submit/", payload(tag), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 1
    event = ClipAnnotation.objects.get().events.get()
    assert (event.start_s, event.end_s, event.low_hz, event.high_hz) == (1.2, 1.21, 35_000, 70_000)
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED


def test_stale_version_gets_409_and_changes_nothing(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    client = api(cast["ann1"])
    first = client.post(
        f"/api/tasks/{task.pk}/submit/", payload(tag, notes="v1"), format="json"
    ).json()
    url = f"/api/annotations/{first['id']}/"
    assert client.put(url, payload(tag, version=1, notes="v2"), format="json").status_code == 200
    stale = client.put(url, payload(tag, version=1, notes="lost?"), format="json")
    assert stale.status_code == 409
    assert stale.json()["current"]["notes"] == "v2"
    assert ClipAnnotation.objects.get().notes == "v2"


def test_bad_input_gets_400_with_a_clear_message(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    bad = payload(
        tag, events=[{"start_s": 9, "end_s": 9.1, "low_hz": 1, "high_hz": 2, "tag": tag.pk}]
    )
    response = api(cast["ann1"]).post(f"/api/tasks/{task.pk}/submit/", bad, format="json")
    assert response.status_code == 400
    assert "outside the recording" in response.json()["events"][0]
    garbage = api(cast["ann1"]).post(
        f"/api/tasks/{task.pk}/submit/", {"events": "nope"}, format="json"
    )
    assert garbage.status_code == 400
    assert not ClipAnnotation.objects.exists()


def test_only_the_author_edits_an_annotation(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    ann = (
        api(cast["ann1"]).post(f"/api/tasks/{task.pk}/submit/", payload(tag), format="json").json()
    )
    response = api(cast["ann2"]).put(
        f"/api/annotations/{ann['id']}/", payload(tag, version=1), format="json"
    )
    assert response.status_code == 403
    assert (
        api(cast["outsider"])
        .put(f"/api/annotations/{ann['id']}/", payload(tag, version=1), format="json")
        .status_code
        == 404
    )


def test_submit_takes_a_bounded_number_of_queries(project, cast, django_assert_max_num_queries):
    """Token, task with project, role, tags, the annotation and its tags, events, the task update,
    the response, and the retrain check; it does not grow with the boxes or the project."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast['ann1']).key}")
    events = [
        {
            "start_s": 1.1 + i / 100,
            "end_s": 1.105 + i / 100,
            "low_hz": 30_000,
            "high_hz": 60_000,
            "tag": tag.pk,
        }
        for i in range(20)
    ]
    with django_assert_max_num_queries(17):
        response = client.post(
            f"/api/tasks/{task.pk}/submit/", payload(tag, events=events), format="json"
        )
    assert response.status_code == 200, response.content
    assert len(response.json()["events"]) == 20 and response.json()["tags"] == [tag.pk]


def test_resubmitting_the_same_tag_twice_stores_it_once(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    response = api(cast["ann1"]).post(
        f"/api/tasks/{task.pk}/submit/", payload(tag, tags=[tag.pk, tag.pk]), format="json"
    )
    assert response.status_code == 200, response.content
    assert list(ClipAnnotation.objects.get().tags.values_list("pk", flat=True)) == [tag.pk]


@pytest.mark.django_db(transaction=True)
def test_submit_answers_200_and_keeps_the_label_when_the_broker_is_down(
    project, cast, api, monkeypatch
):
    """At the retrain threshold with Redis unreachable: the label is kept and the answer is 200
    (a 500 would make the page retry and be told nothing was saved); the training that could
    not be queued is failed, so it blocks nothing."""
    from kombu.exceptions import OperationalError

    from models_app.models import TrainingRun
    from sampling import loop

    class Unreachable:  # publishing while Redis is down, once kombu's retries give up
        def apply_async(self, *args, **kwargs):
            raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(loop, "chain", lambda *steps: Unreachable())
    monkeypatch.setattr(loop, "_step", lambda *args: None)
    project.retrain_every = 1
    project.save()
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    response = api(cast["ann1"]).post(f"/api/tasks/{task.pk}/submit/", payload(tag), format="json")
    assert response.status_code == 200, response.content
    assert ClipAnnotation.objects.get().events.count() == 1
    run = TrainingRun.objects.get(project=project)
    assert run.status == "failed" and "task queue" in run.error


def test_a_task_never_leased_to_you_cannot_be_submitted(project, cast, api):
    """Both slots of a double-annotated clip, one person: the second was never theirs."""
    tag = f.make_tag(project)
    clip = f.make_clip(project, start_s=1, end_s=2)
    project.double_annotation_fraction = 1.0
    project.save()
    queue.enqueue(project, [clip])
    mine = queue.claim_next(project, cast["ann1"])
    other = AnnotationTask.objects.exclude(pk=mine.pk).get(clip=clip)
    client = api(cast["ann1"])
    refused = client.post(f"/api/tasks/{other.pk}/submit/", payload(tag), format="json")
    assert refused.status_code == 409 and "nothing was saved" in refused.json()["detail"]
    assert not ClipAnnotation.objects.exists()
    other.refresh_from_db()
    assert other.status == TaskStatus.QUEUED
    assert (
        client.post(f"/api/tasks/{mine.pk}/submit/", payload(tag), format="json").status_code == 200
    )


def test_a_lapsed_lease_still_submits_when_nobody_else_took_the_task(project, cast, api):
    tag = f.make_tag(project)
    task = claimed(project, cast["ann1"])
    AnnotationTask.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert queue.expire_leases(project) == 1
    response = api(cast["ann1"]).post(f"/api/tasks/{task.pk}/submit/", payload(tag), format="json")
    assert response.status_code == 200 and ClipAnnotation.objects.count() == 1
