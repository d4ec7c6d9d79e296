"""GET /api/projects/{id}/review/, GET /api/annotations/{id}/comparison/, POST …/consensus/."""

import pytest

from annotator import queue
from annotator.agreement import load_answers
from annotator.models import AnnotationTask, ClipAnnotation, Consensus, TaskStatus
from tests import factories as f

E = queue.EventInput


def answer(project, user, clip, events, tags=()):
    """``user``'s submitted answer on ``clip`` (saved directly: no task needed here)."""
    return queue.save_annotation(
        project, clip, user, queue.Submission(events=events, tags=list(tags))
    )


@pytest.fixture
def double(project, cast):
    """A clip two annotators answered: one box matched with the same tag, one with another tag,
    and one box only ann2 drew."""
    bat, moth = f.make_tag(project, "Myotis myotis"), f.make_tag(project, "Eptesicus")
    clip = f.make_clip(project, start_s=1, end_s=2)
    a = answer(
        project,
        cast["ann1"],
        clip,
        [E(1.1, 1.2, 30_000, 60_000, bat.pk), E(1.5, 1.6, 20_000, 40_000, bat.pk)],
    )
    b = answer(
        project,
        cast["ann2"],
        clip,
        [
            E(1.1, 1.21, 31_000, 60_000, bat.pk),
            E(1.5, 1.6, 20_000, 40_000, moth.pk),
            E(1.8, 1.9, 50_000, 70_000, moth.pk),
        ],
    )
    return a, b, bat, moth


def listing(client, project, **params):
    return client.get(f"/api/projects/{project.pk}/review/", params)


def test_list_pending_with_filters(project, cast, api, double):
    a, b, _, _ = double
    other_dataset = f.make_dataset(project, "elsewhere")
    clip = f.make_clip(project, f.make_recording(project), start_s=0, end_s=1)
    clip.recording.dataset = other_dataset
    clip.recording.save()
    c = answer(project, cast["ann1"], clip, [])
    client = api(cast["lead"])
    body = listing(client, project).json()
    assert [r["id"] for r in body["results"]] == [a.pk, b.pk, c.pk]
    assert [r["answers"] for r in body["results"]] == [2, 2, 1]
    assert body["results"][0]["clip"]["recording"]["id"] == a.clip.recording_id
    by_annotator = listing(client, project, annotator=cast["ann2"].pk).json()["results"]
    assert [r["id"] for r in by_annotator] == [b.pk]
    by_dataset = listing(client, project, dataset=other_dataset.pk).json()["results"]
    assert [r["id"] for r in by_dataset] == [c.pk]


def test_list_by_status(project, cast, api, double):
    a, b, _, _ = double
    client = api(cast["lead"])
    client.post(
        f"/api/annotations/{a.pk}/review/", {"action": "accept", "version": 1}, format="json"
    )
    assert [r["id"] for r in listing(client, project).json()["results"]] == [b.pk]
    assert [r["id"] for r in listing(client, project, status="accepted").json()["results"]] == [
        a.pk
    ]
    assert len(listing(client, project, status="all").json()["results"]) == 2


@pytest.mark.parametrize(
    "params", [{"status": "done"}, {"annotator": "x"}, {"dataset": "-1"}, {"dataset": "1; drop"}]
)
def test_list_bad_filter_is_400(project, cast, api, double, params):
    response = listing(api(cast["lead"]), project, **params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


@pytest.mark.parametrize("who, status", [("ann1", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_list_compare_and_settle(project, cast, api, double, who, status):
    a, b, _, _ = double
    client = api(cast[who])
    assert listing(client, project).status_code == status
    assert client.get(f"/api/annotations/{a.pk}/comparison/").status_code == status
    body = {"second": b.pk, "rule": "first", "version": 1, "second_version": 1}
    assert (
        client.post(f"/api/annotations/{a.pk}/consensus/", body, format="json").status_code
        == status
    )
    assert not Consensus.objects.exists() and ClipAnnotation.objects.count() == 2


def test_comparison_names_matches_and_leftovers(project, cast, api, double):
    a, b, _, _ = double
    body = api(cast["lead"]).get(f"/api/annotations/{b.pk}/comparison/").json()
    assert [x["id"] for x in body["answers"]] == [b.pk, a.pk]
    [pair] = body["comparisons"]
    assert (pair["first"], pair["second"], pair["agrees"]) == (b.pk, a.pk, False)
    eb, ea = (
        [e["id"] for e in body["answers"][0]["events"]],
        [e["id"] for e in body["answers"][1]["events"]],
    )
    same = {(m["first"], m["second"]): m["same_tag"] for m in pair["matches"]}
    assert same == {(eb[0], ea[0]): True, (eb[1], ea[1]): False}
    assert pair["unmatched_first"] == [eb[1], eb[2]] and pair["unmatched_second"] == [ea[1]]


def consensus(client, first, second, rule, versions=(1, 1)):
    body = {
        "second": second.pk,
        "rule": rule,
        "version": versions[0],
        "second_version": versions[1],
    }
    return client.post(f"/api/annotations/{first.pk}/consensus/", body, format="json")


def boxes(annotation):
    return [
        (round(e.start_s, 3), round(e.end_s, 3), e.low_hz, e.high_hz, e.tag_id)
        for e in annotation.events.order_by("start_s")
    ]


def test_union_consensus_is_the_leads_accepted_answer(project, cast, api, double):
    a, b, bat, moth = double
    queue.enqueue(project, [a.clip])
    task = AnnotationTask.objects.get()
    AnnotationTask.objects.filter(pk=task.pk).update(
        status=TaskStatus.SUBMITTED, completed_by=cast["ann1"]
    )
    response = consensus(api(cast["lead"]), a, b, "union")
    assert response.status_code == 201, response.content
    settled = ClipAnnotation.objects.get(pk=response.json()["id"])
    assert settled.annotator == cast["lead"] and settled.review_status == "accepted"
    assert boxes(settled) == [
        (1.1, 1.205, 30_500, 60_000, bat.pk),
        (1.5, 1.6, 20_000, 40_000, bat.pk),
        (1.5, 1.6, 20_000, 40_000, moth.pk),
        (1.8, 1.9, 50_000, 70_000, moth.pk),
    ]
    assert set(settled.consensus.sources.all()) == {a, b} and settled.consensus.rule == "union"
    # The sources keep their answers, leave the review list; agreement still compares only them.
    assert boxes(ClipAnnotation.objects.get(pk=a.pk))[0] == (1.1, 1.2, 30_000, 60_000, bat.pk)
    assert listing(api(cast["lead"]), project).json()["results"] == []
    assert {x.annotator for x in load_answers(project)} == {cast["ann1"].pk, cast["ann2"].pk}
    assert AnnotationTask.objects.get().status == TaskStatus.REVIEWED


def test_answer_edited_after_its_consensus_awaits_review_again(project, cast, api, double):
    a, b, bat, _ = double
    client = api(cast["lead"])
    assert consensus(client, a, b, "first").status_code == 201
    assert listing(client, project).json()["results"] == []
    queue.save_annotation(
        project,
        b.clip,
        cast["ann2"],
        queue.Submission(version=1, events=[E(1.1, 1.2, 1, 2, bat.pk)]),
    )
    assert [r["id"] for r in listing(client, project).json()["results"]] == [b.pk]


def test_second_consensus_replaces_the_first_as_a_new_version(project, cast, api, double):
    a, b, _, moth = double
    client = api(cast["lead"])
    first = consensus(client, a, b, "first").json()
    again = consensus(client, a, b, "second")
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    settled = ClipAnnotation.objects.get(pk=first["id"])
    assert settled.version == 2 and len(boxes(settled)) == 3 and boxes(settled)[2][4] == moth.pk
    assert settled.revisions.get().action == "consensus"


def test_stale_consensus_is_409_and_saves_nothing(project, cast, api, double):
    a, b, _, _ = double
    response = consensus(api(cast["lead"]), a, b, "first", versions=(1, 7))
    assert response.status_code == 409 and response.json()["current"]["id"] == b.pk
    assert ClipAnnotation.objects.count() == 2 and not Consensus.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"rule": "majority"},
        {"second": "same"},
        {"second": 999_999},
        {"version": "one"},
        {"second": "other clip"},
    ],
)
def test_bad_consensus_is_400_and_saves_nothing(project, cast, api, double, change):
    a, b, _, _ = double
    lone = answer(project, cast["ann2"], f.make_clip(project, start_s=0, end_s=1), [])
    body = {"second": b.pk, "rule": "first", "version": 1, "second_version": 1}
    body.update(change)
    body["second"] = {"same": a.pk, "other clip": lone.pk}.get(body["second"], body["second"])
    response = api(cast["lead"]).post(f"/api/annotations/{a.pk}/consensus/", body, format="json")
    assert response.status_code == 400, response.content
    assert ClipAnnotation.objects.count() == 3 and not Consensus.objects.exists()


def test_lead_who_answered_the_clip_cannot_settle_it(project, cast, api, double):
    a, b, _, _ = double
    answer(project, cast["lead"], a.clip, [])
    response = consensus(api(cast["lead"]), a, b, "first")
    assert response.status_code == 400 and "yourself" in str(response.json())
    assert not Consensus.objects.exists()


def test_review_page_is_for_leads_and_linked_for_them(project, cast, client):
    client.force_login(cast["lead"])
    page = client.get(f"/projects/{project.pk}/review/")
    assert page.status_code == 200 and b"review.js" in page.content
    assert (
        f'href="/projects/{project.pk}/review/"'.encode()
        in client.get(f"/projects/{project.pk}/").content
    )
    client.force_login(cast["ann1"])
    assert client.get(f"/projects/{project.pk}/review/").status_code == 403
    assert b"/review/" not in client.get(f"/projects/{project.pk}/").content
