"""Every object endpoint × every role: outsiders see nothing, viewers write nothing."""

import pytest

from annotator import queue
from annotator.models import Site, Tag
from tests import factories as f

READ_LISTS = [
    "projects",
    "memberships",
    "tags",
    "datasets",
    "sites",
    "recordings",
    "clips",
    "tasks",
    "annotations",
]


@pytest.fixture
def world(project, cast):
    tag = f.make_tag(project)
    clip = f.make_clip(project)
    f.make_dataset(project)
    Site.objects.create(project=project, name="pond")
    queue.enqueue(project, [clip])
    task = queue.claim_next(project, cast["ann1"])
    ann = queue.submit(task, cast["ann1"], queue.Submission(tags=[tag.pk]))
    return {"tag": tag, "clip": clip, "task": task, "annotation": ann}


@pytest.mark.parametrize("endpoint", READ_LISTS)
@pytest.mark.parametrize(
    "who, sees", [("lead", True), ("ann1", True), ("viewer", True), ("outsider", False)]
)
def test_lists_show_only_member_projects(world, project, cast, api, endpoint, who, sees):
    response = api(cast[who]).get(f"/api/{endpoint}/")
    assert response.status_code == 200
    projects = {
        row["project"] if "project" in row else row["id"] for row in response.json()["results"]
    }
    assert (project.pk in projects) is sees


@pytest.mark.parametrize("endpoint", READ_LISTS)
def test_anonymous_is_refused(world, api, endpoint):
    assert api().get(f"/api/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize(
    "who, status", [("lead", 201), ("ann1", 403), ("viewer", 403), ("outsider", 400)]
)
def test_only_leads_create_tags(project, cast, api, who, status):
    response = api(cast[who]).post(
        "/api/tags/", {"project": project.pk, "value": "New bat"}, format="json"
    )
    assert response.status_code == status
    assert Tag.objects.filter(value="New bat").exists() is (status == 201)


@pytest.mark.parametrize(
    "who, status", [("lead", 200), ("ann1", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_leads_change_project_settings(project, cast, api, who, status):
    response = api(cast[who]).patch(
        f"/api/projects/{project.pk}/", {"settings": {"batch_size": 7}}, format="json"
    )
    assert response.status_code == status
    project.refresh_from_db()
    assert (project.batch_size == 7) is (status == 200)


def test_lead_cannot_move_a_tag_into_a_project_they_do_not_lead(project, cast, api, world):
    other = f.make_project("led elsewhere")
    response = api(cast["lead"]).patch(
        f"/api/tags/{world['tag'].pk}/", {"project": other.pk}, format="json"
    )
    assert response.status_code == 400
    world["tag"].refresh_from_db()
    assert world["tag"].project == project


@pytest.mark.parametrize("who, status", [("viewer", 403), ("outsider", 404)])
def test_viewer_and_outsider_cannot_submit(world, cast, api, who, status):
    response = api(cast[who]).post(f"/api/tasks/{world['task'].pk}/submit/", {}, format="json")
    assert response.status_code == status


def test_bad_settings_are_refused(project, cast, api):
    response = api(cast["lead"]).patch(
        f"/api/projects/{project.pk}/", {"settings": {"fmax_hz": 5, "fmin_hz": 10}}, format="json"
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.fmax_hz == 150_000


def test_token_auth_and_revocation(cast, api, project):
    client = api()
    token = client.post(
        "/api/auth/token/", {"username": "ann1", "password": "pw-for-tests-only"}
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/projects/").status_code == 200
    assert client.delete("/api/auth/token/").status_code == 204
    assert client.get("/api/projects/").status_code == 401


def test_openapi_schema_is_served(cast, api):
    response = api(cast["ann1"]).get("/api/schema/")
    assert response.status_code == 200 and b"/api/tasks/{id}/submit/" in response.content
