"""POST /api/annotations/{id}/review/, GET …/revisions/, /api/projects/{id}/agreement/ and /disagreements/."""

import pytest

from annotator import queue
from annotator.models import AnnotationTask, ClipAnnotation, TaskStatus
from tests import factories as f


def submitted(project, user, tag):
    clip = f.make_clip(project, start_s=1, end_s=2)
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, user)
    event = queue.EventInput(1.2, 1.21, 35_000, 70_000, tag.pk)
    return queue.submit(task, user, queue.Submission(events=[event]))


def url(annotation, what="review"):
    return f"/api/annotations/{annotation.pk}/{what}/"


def test_lead_accepts(project, cast, api):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    response = api(cast["lead"]).post(
        url(annotation), {"action": "accept", "version": 1, "note": "ok"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["review_status"] == "accepted" and response.json()["version"] == 2


@pytest.mark.parametrize(
    "who, status", [("ann1", 403), ("ann2", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_leads_review(project, cast, api, who, status):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    body = {"action": "accept", "version": 1}
    assert api(cast[who]).post(url(annotation), body, format="json").status_code == status
    assert ClipAnnotation.objects.get().review_status == "pending"


def test_reject_needs_a_note_and_requeues(project, cast, api):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    client = api(cast["lead"])
    missing = client.post(url(annotation), {"action": "reject", "version": 1}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()
    body = {"action": "reject", "version": 1, "note": "noise, not a call"}
    assert client.post(url(annotation), body, format="json").status_code == 200
    assert AnnotationTask.objects.get().status == TaskStatus.QUEUED


def test_stale_review_gets_409_with_the_current_state(project, cast, api):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    client = api(cast["lead"])
    client.post(url(annotation), {"action": "accept", "version": 1}, format="json")
    stale = client.post(
        url(annotation), {"action": "reject", "version": 1, "note": "x"}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == 2


def test_correct_then_read_the_revisions(project, cast, api):
    tag = f.make_tag(project)
    annotation = submitted(project, cast["ann1"], tag)
    body = {
        "action": "correct",
        "version": 1,
        "note": "the call is longer",
        "events": [
            {"start_s": 1.2, "end_s": 1.25, "low_hz": 35_000, "high_hz": 70_000, "tag": tag.pk}
        ],
    }
    response = api(cast["lead"]).post(url(annotation), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["events"][0]["end_s"] == 1.25
    assert response.json()["annotator"] == cast["ann1"].pk
    revisions = api(cast["viewer"]).get(url(annotation, "revisions")).json()
    assert [(r["version"], r["action"], r["author_name"], r["note"]) for r in revisions] == [
        (1, "correct", "lead", "the call is longer")
    ]
    assert revisions[0]["data"]["events"][0]["end_s"] == 1.21
    assert api(cast["outsider"]).get(url(annotation, "revisions")).status_code == 404


def test_correction_with_a_bad_box_is_400(project, cast, api):
    annotation = submitted(project, cast["ann1"], f.make_tag(project))
    body = {
        "action": "correct",
        "version": 1,
        "events": [{"start_s": 1.2, "end_s": 1.25, "low_hz": 35_000, "high_hz": 900_000}],
    }
    response = api(cast["lead"]).post(url(annotation), body, format="json")
    assert response.status_code == 400 and "outside" in str(response.json()["events"])


def double_annotated(project, cast):
    """Two clips both annotators answered: the same box on one, different species on the other."""
    myotis, pip = f.make_tag(project, "Myotis"), f.make_tag(project, "Pipistrellus")
    recording = f.make_recording(project, duration_s=2)
    same, differ = f.make_clip(project, recording, 0, 1), f.make_clip(project, recording, 1, 2)
    box = (0.2, 0.25, 40_000, 50_000)
    for who in ("ann1", "ann2"):
        queue.save_annotation(
            project, same, cast[who], queue.Submission(events=[queue.EventInput(*box, myotis.pk)])
        )
    for who, tag in (("ann1", myotis), ("ann2", pip)):
        event = queue.EventInput(1.2, 1.25, 40_000, 50_000, tag.pk)
        queue.save_annotation(project, differ, cast[who], queue.Submission(events=[event]))
    return myotis, pip, differ


def test_agreement_reports_kappa_and_pair_f1(project, cast, api):
    myotis, pip, _ = double_annotated(project, cast)
    response = api(cast["viewer"]).get(f"/api/projects/{project.pk}/agreement/")
    assert response.status_code == 200
    body = response.json()
    assert (body["double_annotated_clips"], body["compared"], body["disagreements"]) == (2, 2, 1)
    kappa = {row["label"]: row for row in body["kappa"]}
    # Myotis: both on clip 1, only ann1 on clip 2 -> p_o = 1/2; p_e = 1·(1/2) + 0·(1/2) = 1/2 -> 0
    assert kappa["Myotis"]["kappa"] == 0.0 and kappa["Myotis"]["both"] == 1
    (pair,) = body["pairs"]
    assert (pair["first"]["username"], pair["second"]["username"]) == ("ann1", "ann2")
    assert (pair["matches"], pair["f1"], pair["tagged_matches"], pair["f1_tagged"]) == (
        2,
        1.0,
        1,
        0.5,
    )


def test_agreement_threshold_and_access(project, cast, api):
    double_annotated(project, cast)
    base = f"/api/projects/{project.pk}/agreement/"
    assert api(cast["lead"]).get(base + "?threshold=2").status_code == 400
    assert api(cast["outsider"]).get(base).status_code == 404


def test_disagreements_list_for_leads(project, cast, api):
    myotis, pip, differ = double_annotated(project, cast)
    base = f"/api/projects/{project.pk}/disagreements/"
    response = api(cast["lead"]).get(base)
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["clip"]["id"] == differ.pk
    assert item["tags_only_first"] == [{"id": myotis.pk, "label": "Myotis"}]
    assert item["tag_mismatches"][0]["second"]["label"] == "Pipistrellus"
    assert (item["box_f1"], item["tagged_f1"]) == (1.0, 0.0)
    assert (
        item["first"]["annotation"]
        == ClipAnnotation.objects.get(clip=differ, annotator=cast["ann1"]).pk
    )
    assert api(cast["ann1"]).get(base).status_code == 403
    assert api(cast["outsider"]).get(base).status_code == 404
