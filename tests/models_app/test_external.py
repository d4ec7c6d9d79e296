import pytest

from annotator import ingest
from annotator.models import Recording
from models_app.models import ModelVersion, Prediction
from tests import factories as f
from tests.conftest import DATA

BD2 = DATA / "batdetect2"


@pytest.fixture
def bd2_project(project):
    f.make_root(BD2)
    ingest.import_location(project, f.make_dataset(project), str(BD2 / "audio"))
    return project


def test_batdetect2_json_appears_as_predictions(bd2_project, cast, api):
    client = api(cast["lead"])
    for path in sorted((BD2 / "anns").glob("*.json")):
        with open(path, "rb") as fh:
            response = client.post(
                f"/api/projects/{bd2_project.pk}/predictions/import/", {"file": fh}
            )
        assert response.status_code == 201, response.content
    versions = ModelVersion.objects.filter(project=bd2_project)
    assert versions.count() == 3 and {v.source for v in versions} == {"batdetect2"}
    myomys = Recording.objects.get(name__contains="MYOMYS")
    prediction = Prediction.objects.get(clip__recording=myomys, version__number=1)
    assert prediction.detections and all(
        d["label"] == "Myotis mystacinus" or d["label"] for d in prediction.detections
    )
    assert prediction.any_event == pytest.approx(max(d["score"] for d in prediction.detections))
    first = prediction.detections[0]
    assert (first["start_s"], first["low_hz"]) == (pytest.approx(0.0225), pytest.approx(33203))


def test_predictions_of_unknown_recordings_are_refused(project, cast, api):
    with open(BD2 / "anns" / "20170701_213954-MYOMYS-LR_0_0.5.wav.json", "rb") as fh:
        response = api(cast["lead"]).post(
            f"/api/projects/{project.pk}/predictions/import/", {"file": fh}
        )
    assert (
        response.status_code == 400 and "none of the file's recordings" in response.json()["detail"]
    )
    assert not ModelVersion.objects.exists()


def test_garbage_is_refused_and_annotators_cannot_import(bd2_project, cast, api, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_bytes(b'{"annotation": [{"start_time": "soon"}]')
    with open(junk, "rb") as fh:
        assert (
            api(cast["lead"])
            .post(f"/api/projects/{bd2_project.pk}/predictions/import/", {"file": fh})
            .status_code
            == 400
        )
    with open(junk, "rb") as fh:
        assert (
            api(cast["ann1"])
            .post(f"/api/projects/{bd2_project.pk}/predictions/import/", {"file": fh})
            .status_code
            == 403
        )
    assert not ModelVersion.objects.exists()
