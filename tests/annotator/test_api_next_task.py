from annotator import queue
from tests import factories as f


def test_annotator_gets_the_next_task_with_its_clip(project, cast, api):
    recording = f.make_recording(project)
    clip = f.make_clip(project, recording, 1, 2)
    queue.enqueue(project, [clip], reasons=["uncertain: entropy 0.93"])
    response = api(cast["ann1"]).post(f"/api/projects/{project.pk}/tasks/next/")
    assert response.status_code == 200
    body = response.json()
    assert body["clip"]["id"] == clip.pk and body["clip"]["start_s"] == 1
    assert body["clip"]["recording"]["samplerate"] == 384_000
    assert body["reason"] == "uncertain: entropy 0.93" and body["annotation"] is None
    assert body["lease_expires_at"]


def test_empty_queue_answers_204(project, cast, api):
    assert api(cast["ann1"]).post(f"/api/projects/{project.pk}/tasks/next/").status_code == 204


def test_viewer_gets_403_outsider_404_anonymous_401_or_403(project, cast, api):
    queue.enqueue(project, [f.make_clip(project)])
    url = f"/api/projects/{project.pk}/tasks/next/"
    assert api(cast["viewer"]).post(url).status_code == 403
    assert api(cast["outsider"]).post(url).status_code == 404
    assert api().post(url).status_code in (401, 403)


def test_claim_reads_and_writes_in_a_handful_of_queries(
    project, cast, django_assert_max_num_queries
):
    """The claim is the hottest call of the page: token, project with role, held task, expired
    leases, whether a rejected clip waits for them, then the locked pick and its update
    (savepoints count here: tests run in a transaction), and the annotator's long events from
    neighbouring clips that continue into the clip (``continuing``: one indexed query)."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    queue.enqueue(project, [f.make_clip(project, start_s=i, end_s=i + 1) for i in range(3)])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=cast['ann1']).key}")
    with django_assert_max_num_queries(10):
        response = client.post(f"/api/projects/{project.pk}/tasks/next/")
    assert response.status_code == 200 and response.json()["annotation"] is None
    assert response.json()["continuing"] == []


def test_held_task_comes_back_with_the_annotators_own_annotation(project, cast, api):
    """Only a fresh claim skips looking up the annotator's annotation of the clip."""
    from annotator.models import AnnotationTask, TaskStatus

    clip = f.make_clip(project)
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, cast["ann1"])
    queue.save_annotation(project, clip, cast["ann1"], queue.Submission(notes="draft"), task=task)
    AnnotationTask.objects.filter(pk=task.pk).update(status=TaskStatus.LEASED)  # still held
    body = api(cast["ann1"]).post(f"/api/projects/{project.pk}/tasks/next/").json()
    assert body["id"] == task.pk and body["annotation"]["notes"] == "draft"


def test_role_change_is_seen_by_the_next_request(project, cast, api):
    """Roles are remembered per loaded project row, never across requests."""
    from annotator.models import Membership, Role

    queue.enqueue(project, [f.make_clip(project)])
    url = f"/api/projects/{project.pk}/tasks/next/"
    assert api(cast["viewer"]).post(url).status_code == 403
    Membership.objects.filter(project=project, user=cast["viewer"]).update(role=Role.ANNOTATOR)
    assert api(cast["viewer"]).post(url).status_code == 200
