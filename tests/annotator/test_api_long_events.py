"""Long events on the task API: an event filed under the clip it starts in shows on the clips it
continues into (``continuing``), and labelling it again there is refused."""

from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import ingest, queue
from annotator.models import AnnotationTask, Clip, ClipAnnotation
from tests import factories as f

CSV = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\n"


def two_second_recording(project):
    """A 3-s recording cut into 1-s clips."""
    project.clip_length_s = 1.0
    project.save()
    recording = f.make_recording(project, duration_s=3.0, name="night.wav", path="night.wav")
    ingest.cut_clips(recording)
    return recording


def import_long_event(client, project, annotator="ann1"):
    """One 0.6–1.7 s box: filed under clip [0, 1], continuing into [1, 2]."""
    text = CSV + "night.wav,0.6,1.7,20000,40000,Myotis myotis\n"
    response = client.post(
        f"/api/projects/{project.pk}/annotations/import/",
        {"file": SimpleUploadedFile("long.csv", text.encode()), "annotator": annotator},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def task_on(project, recording, start_s):
    clip = Clip.objects.get(recording=recording, start_s=start_s)
    queue.enqueue(project, [clip])
    return AnnotationTask.objects.get(clip=clip), clip


def claim(client, project) -> dict:
    response = client.post(f"/api/projects/{project.pk}/tasks/next/")
    assert response.status_code == 200, response.content
    return response.json()


def test_long_event_shows_on_the_clip_it_continues_into(project, cast, api):
    tag = f.make_tag(project)
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project)
    home = Clip.objects.get(recording=recording, start_s=0)
    task_on(project, recording, 1.0)
    body = claim(api(cast["ann1"]), project)
    assert body["clip"]["start_s"] == 1.0
    assert body["annotation"] is None  # nothing filed under this clip
    (event,) = body["continuing"]
    assert (event["start_s"], event["end_s"], event["tag"]) == (0.6, 1.7, tag.pk)
    assert event["from_clip"] == home.pk
    assert event["annotation"] == ClipAnnotation.objects.get(clip=home).pk
    assert (event["continues"], event["runs_on"]) == (True, False)


def test_home_clip_does_not_list_its_own_event_as_continuing(project, cast, api):
    f.make_tag(project)
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project)
    task, _ = task_on(project, recording, 0.0)
    body = api(cast["ann1"]).get(f"/api/tasks/{task.pk}/").json()
    assert [e["start_s"] for e in body["annotation"]["events"]] == [0.6]
    assert body["continuing"] == []


def test_other_annotators_long_events_stay_hidden(project, cast, api):
    """The page shows only your own labels (independent double annotation): the same for
    continuing events."""
    f.make_tag(project)
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project, annotator="ann2")
    task_on(project, recording, 1.0)
    assert claim(api(cast["ann1"]), project)["continuing"] == []


def test_labelling_the_continuing_part_again_is_refused(project, cast, api):
    tag = f.make_tag(project)
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project)
    task_on(project, recording, 1.0)
    client = api(cast["ann1"])
    task = claim(client, project)
    # The part visible on this clip (1.0–1.7 s), redrawn a little loosely.
    again = {"start_s": 1.02, "end_s": 1.68, "low_hz": 21_000, "high_hz": 39_000, "tag": tag.pk}
    response = client.post(
        f"/api/tasks/{task['id']}/submit/", {"version": None, "events": [again]}, format="json"
    )
    assert response.status_code == 400
    message = response.json()["events"][0]
    assert "already labelled on clip" in message and "0.600–1.700" in message
    assert ClipAnnotation.objects.filter(clip_id=task["clip"]["id"]).count() == 0


def test_a_different_sound_beside_a_long_event_is_saved(project, cast, api):
    """Another tag, or the same tag elsewhere in the clip, is not a duplicate."""
    tag = f.make_tag(project)
    other = f.make_tag(project, "Pipistrellus")
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project)
    task_on(project, recording, 1.0)
    client = api(cast["ann1"])
    task = claim(client, project)
    events = [
        {"start_s": 1.02, "end_s": 1.68, "low_hz": 21_000, "high_hz": 39_000, "tag": other.pk},
        {"start_s": 1.8, "end_s": 1.9, "low_hz": 21_000, "high_hz": 39_000, "tag": tag.pk},
    ]
    response = client.post(
        f"/api/tasks/{task['id']}/submit/", {"version": None, "events": events}, format="json"
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["events"]) == 2


def test_editing_into_a_duplicate_is_refused_too(project, cast, api):
    tag = f.make_tag(project)
    recording = two_second_recording(project)
    import_long_event(api(cast["lead"]), project)
    task_on(project, recording, 1.0)
    client = api(cast["ann1"])
    task = claim(client, project)
    elsewhere = {"start_s": 1.8, "end_s": 1.9, "low_hz": 21_000, "high_hz": 39_000, "tag": tag.pk}
    saved = client.post(
        f"/api/tasks/{task['id']}/submit/", {"version": None, "events": [elsewhere]}, format="json"
    ).json()
    moved = elsewhere | {"start_s": 1.0, "end_s": 1.7, "low_hz": 20_000, "high_hz": 40_000}
    response = client.put(
        f"/api/annotations/{saved['id']}/", {"version": 1, "events": [moved]}, format="json"
    )
    assert response.status_code == 400
    assert "already labelled on clip" in response.json()["events"][0]
    assert ClipAnnotation.objects.get(pk=saved["id"]).events.get().start_s == 1.8
