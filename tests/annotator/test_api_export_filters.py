"""The export's filters (reviewed only, annotator, dataset) and the choices the dashboard offers."""

from __future__ import annotations

import csv
import io

import pytest

from annotator import queue
from annotator.models import ClipAnnotation
from tests import factories as f


@pytest.fixture
def labelled(project, cast):
    """Two datasets; ann1 labels a clip in each, ann2 one in the first; one of ann1's accepted."""
    tag = f.make_tag(project)
    first, second = f.make_dataset(project, "north"), f.make_dataset(project, "south")
    clips = []
    for dataset in (first, second):
        recording = f.make_recording(project)
        recording.dataset = dataset
        recording.save()
        clips.append(f.make_clip(project, recording))
    done = {}
    for name, clip, start in [
        ("ann1", clips[0], 0.1),
        ("ann1", clips[1], 0.2),
        ("ann2", clips[0], 0.3),
    ]:
        event = queue.EventInput(start, start + 0.05, 20_000, 40_000, tag.pk)
        done[(name, clip.pk)] = queue.save_annotation(
            project, clip, cast[name], queue.Submission(events=[event])
        )
    accepted = done[("ann1", clips[1].pk)]
    accepted.review_status = ClipAnnotation.Review.ACCEPTED
    accepted.save()
    return {"datasets": (first, second), "clips": clips}


def rows(client, project, query: str) -> list[dict]:
    response = client.get(f"/api/projects/{project.pk}/annotations/export/?{query}")
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def starts(table: list[dict]) -> list[float]:
    return sorted(round(float(r["start_s"]), 3) for r in table if r.get("start_s"))


def test_reviewed_only_keeps_accepted_annotations(project, cast, api, labelled):
    client = api(cast["viewer"])
    assert starts(rows(client, project, "format=csv")) == [0.1, 0.2, 0.3]
    assert starts(rows(client, project, "format=csv&reviewed=true")) == [0.2]


def test_filters_combine(project, cast, api, labelled):
    client = api(cast["lead"])
    north = labelled["datasets"][0]
    assert starts(rows(client, project, f"format=csv&dataset={north.pk}")) == [0.1, 0.3]
    query = f"format=csv&dataset={north.pk}&annotator={cast['ann2'].pk}"
    assert starts(rows(client, project, query)) == [0.3]
    assert starts(rows(client, project, f"format=csv&dataset={north.pk}&reviewed=on")) == []


def test_empty_filters_mean_all(project, cast, api, labelled):
    """What the dashboard's form sends when "all" is chosen and the box is not ticked."""
    table = rows(api(cast["lead"]), project, "format=csv&dataset=&annotator=")
    assert starts(table) == [0.1, 0.2, 0.3]


@pytest.mark.parametrize(
    "query",
    ["format=csv&reviewed=maybe", "format=csv&dataset=x", "format=csv&annotator=-1", "format="],
)
def test_bad_filters_are_400(project, cast, api, labelled, query):
    response = api(cast["lead"]).get(f"/api/projects/{project.pk}/annotations/export/?{query}")
    assert response.status_code == 400


def test_options_list_formats_datasets_and_authors(project, cast, api, labelled):
    importer = f.make_user("raven-import")  # an author who is not a member (an import user)
    clip = labelled["clips"][1]
    queue.save_annotation(project, clip, importer, queue.Submission(no_calls=True))
    options = (
        api(cast["viewer"]).get(f"/api/projects/{project.pk}/annotations/export/options/").json()
    )
    assert [fmt["name"] for fmt in options["formats"]] == [
        "aoef",
        "raven",
        "audacity",
        "batdetect2",
        "csv",
    ]
    assert [d["name"] for d in options["datasets"]] == [
        "dataset",
        "north",
        "south",
    ]  # + the factory's
    assert [a["username"] for a in options["annotators"]] == ["ann1", "ann2", "raven-import"]
    assert options["annotators"][0]["id"] == cast["ann1"].pk


def test_options_are_404_for_outsiders(project, cast, api, labelled):
    response = api(cast["outsider"]).get(f"/api/projects/{project.pk}/annotations/export/options/")
    assert response.status_code == 404
