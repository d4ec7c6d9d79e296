"""POST/GET /api/imports/: admins start imports on the workers, members follow their progress."""

from __future__ import annotations

import pytest

from annotator.models import Dataset, ImportJob, Recording


@pytest.fixture
def eager():
    from echoloop.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_staff_start_an_import_and_members_see_its_progress(
    project, cast, api, audio_dir, eager, django_capture_on_commit_callbacks
):
    from tests import factories as f

    f.make_root(audio_dir)
    admin = f.make_user("curator", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(admin).post(
            "/api/imports/",
            {"project": project.pk, "location": str(audio_dir), "dataset": "night 1"},
            format="json",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["total"], body["done"], body["imported"]) == ("done", 2, 2, 2)
    assert Recording.objects.filter(dataset__name="night 1").count() == 2
    seen = api(cast["viewer"]).get(f"/api/imports/?project={project.pk}").json()["results"]
    assert [job["id"] for job in seen] == [body["id"]]
    assert api(cast["outsider"]).get(f"/api/imports/{body['id']}/").status_code == 404


def test_leads_cannot_start_imports_and_bad_locations_make_nothing(project, cast, api, tmp_path):
    from tests import factories as f

    refused = api(cast["lead"]).post(
        "/api/imports/",
        {"project": project.pk, "location": str(tmp_path), "dataset": "x"},
        format="json",
    )
    assert refused.status_code == 403
    admin = f.make_user("curator", is_staff=True)
    outside = api(admin).post(
        "/api/imports/",
        {"project": project.pk, "location": "/etc", "dataset": "x", "site": "y"},
        format="json",
    )
    assert outside.status_code == 400 and "import root" in outside.json()["location"][0]
    assert not ImportJob.objects.exists() and not Dataset.objects.exists()
