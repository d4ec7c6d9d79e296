"""PATCH /api/recordings/{id}/ and /api/datasets/{id}/: a lead says what audio is for."""

import pytest

from annotator.models import Clip
from tests import factories as f


@pytest.fixture
def recording(project):
    rec = f.make_recording(project)
    f.make_clip(project, rec, 0.0, 1.0)
    return rec


def test_lead_marks_a_recording_evaluation_only(recording, cast, api):
    response = api(cast["lead"]).patch(
        f"/api/recordings/{recording.pk}/", {"role": "evaluation"}, format="json"
    )
    assert response.status_code == 200 and response.json()["role"] == "evaluation"
    clips = Clip.objects.filter(recording=recording)
    assert (
        clips.evaluation().count() == 1
        and clips.samplable().count() == 0
        and clips.for_training().count() == 0
    )


def test_lead_excludes_a_dataset_from_sampling(recording, cast, api):
    response = api(cast["lead"]).patch(
        f"/api/datasets/{recording.dataset_id}/", {"role": "excluded"}, format="json"
    )
    assert response.status_code == 200
    clips = Clip.objects.filter(recording=recording)
    assert (
        clips.samplable().count() == 0 and clips.for_training().count() == 1
    )  # labels still train


def test_annotators_cannot_change_roles_and_nothing_else_is_writable(recording, cast, api):
    denied = api(cast["ann1"]).patch(
        f"/api/recordings/{recording.pk}/", {"role": "excluded"}, format="json"
    )
    assert denied.status_code == 403
    ignored = api(cast["lead"]).patch(
        f"/api/recordings/{recording.pk}/", {"samplerate": 1, "name": "x"}, format="json"
    )
    recording.refresh_from_db()
    assert ignored.status_code == 200 and recording.samplerate != 1 and recording.name != "x"


def test_an_unknown_role_is_refused(recording, cast, api):
    response = api(cast["lead"]).patch(
        f"/api/recordings/{recording.pk}/", {"role": "holdout"}, format="json"
    )
    recording.refresh_from_db()
    assert response.status_code == 400 and "role" in response.json() and recording.role == "pool"
