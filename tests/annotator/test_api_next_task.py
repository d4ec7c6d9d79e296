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
