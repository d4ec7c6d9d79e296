"""Whombat's own collections, written by the soundevent package: a model run imports as a model
version's predictions (rows only for the clips it scored), an evaluation set as the project's
evaluation set; a prediction file naming an unknown recording stores nothing."""

from __future__ import annotations

import csv
import json

import pytest
import soundfile as sf
from soundevent import data, io

from annotator import exchange, ingest
from annotator.models import Clip, Recording
from models_app.models import ModelVersion, Prediction
from tests import factories as f
from tests.conftest import DATA

WHOMBAT = DATA / "whombat"
BOXES = list(csv.DictReader(open(WHOMBAT / "annotations_boxes.csv")))


@pytest.fixture
def bats(project):
    f.make_root(WHOMBAT)
    ingest.import_location(project, f.make_dataset(project), str(WHOMBAT))
    return project


def _recording(name: str) -> data.Recording:
    info = sf.info(WHOMBAT / name)
    return data.Recording(
        path=WHOMBAT / name,
        duration=info.duration,
        samplerate=info.samplerate,
        channels=info.channels,
    )


def _species(value: str) -> data.Tag:
    return data.Tag(term=data.term_from_key("species"), value=value)


def model_run(tmp_path, names: list[str], *, window=(0.0, 1.0)) -> bytes:
    """A model run that scored the first second of each named recording (Whombat's boxes as
    its detections, score 0.8)."""
    predictions = []
    for name in names:
        recording = _recording(name)
        clip = data.Clip(recording=recording, start_time=window[0], end_time=window[1])
        events = [
            data.SoundEventPrediction(
                sound_event=data.SoundEvent(
                    recording=recording,
                    geometry=data.BoundingBox(
                        coordinates=[
                            float(b["start_s"]),
                            float(b["low_freq_hz"]),
                            float(b["end_s"]),
                            float(b["high_freq_hz"]),
                        ]
                    ),
                ),
                score=0.8,
                tags=[data.PredictedTag(tag=_species(b["species"]), score=0.8)],
            )
            for b in BOXES
            if b["file"] == name and window[0] <= float(b["start_s"]) < window[1]
        ]
        predictions.append(data.ClipPrediction(clip=clip, sound_events=events))
    run = data.ModelRun(
        name="run",
        clip_predictions=predictions,
        model=data.Model(info=data.ModelInfo(name="BatNet"), version="2.1"),
    )
    path = tmp_path / "model_run.json"
    io.save(run, path)
    return path.read_bytes()


def _post(api, user, project, content: bytes, name="model_run.json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api(user).post(
        f"/api/projects/{project.pk}/predictions/import/",
        {"file": SimpleUploadedFile(name, content)},
    )


DESMODUS = "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"
CAROLLIA = "XC824040-Carollia_castanea-2013.01.17-CL00312_A_15.wav"


def test_model_run_imports_as_a_version_scoring_only_its_clips(bats, cast, api, tmp_path):
    content = model_run(tmp_path, [DESMODUS, CAROLLIA])
    assert json.loads(content)["data"]["collection_type"] == "model_run"
    response = _post(api, cast["lead"], bats, content)
    assert response.status_code == 201, response.content
    version = ModelVersion.objects.get(project=bats)
    assert version.metrics["model"] == "BatNet 2.1" and version.source == "aoef"
    scored = Prediction.objects.filter(version=version)
    # The project's clips are 1 s long: the first clip of each of the two recordings, no other.
    assert sorted(scored.values_list("clip__recording__name", "clip__start_s")) == [
        (DESMODUS, 0.0),
        (CAROLLIA, 0.0),
    ]
    assert version.metrics["scored_clips"] == 2
    assert Clip.objects.filter(project=bats).count() > 2
    assert all(p.detections for p in scored)


def test_prediction_file_naming_an_unknown_recording_stores_nothing(bats, cast, api, tmp_path):
    content = model_run(tmp_path, [DESMODUS])
    document = json.loads(content)
    stranger = dict(
        document["data"]["recordings"][0],
        uuid="6f1c3a52-9a0e-4c1e-8a51-1f0c7a5d2b11",
        path="elsewhere/XC000000-unknown.wav",
        hash=None,
    )
    document["data"]["recordings"].append(stranger)
    response = _post(api, cast["lead"], bats, json.dumps(document).encode())
    assert response.status_code == 400
    assert (
        "not in this project" in response.json()["detail"]
        and "XC000000-unknown.wav" in response.json()["detail"]
    )
    assert not ModelVersion.objects.exists() and not Prediction.objects.exists()


def test_evaluation_set_becomes_the_projects_evaluation_set(bats, cast, tmp_path):
    recording = _recording(DESMODUS)
    clip = data.Clip(recording=recording, start_time=1.0, end_time=2.0)
    annotations = [
        data.SoundEventAnnotation(
            sound_event=data.SoundEvent(
                recording=recording,
                geometry=data.BoundingBox(
                    coordinates=[
                        float(b["start_s"]),
                        float(b["low_freq_hz"]),
                        float(b["end_s"]),
                        float(b["high_freq_hz"]),
                    ]
                ),
            ),
            tags=[_species(b["species"])],
        )
        for b in BOXES
        if b["file"] == DESMODUS and 1.0 <= float(b["start_s"]) < 2.0
    ]
    assert annotations
    evaluation = data.EvaluationSet(
        name="held out", clip_annotations=[data.ClipAnnotation(clip=clip, sound_events=annotations)]
    )
    path = tmp_path / "evaluation_set.json"
    io.save(evaluation, path)
    Clip.objects.update(held_out=False)
    report = exchange.import_annotations(
        bats, exchange.Upload("evaluation_set.json", path.read_bytes()), create_tags=True
    )
    assert report.boxes == len(annotations) and report.evaluation_clips == 1
    held = Clip.objects.filter(project=bats, held_out=True)
    assert list(held.values_list("recording__name", "start_s")) == [(DESMODUS, 1.0)]
    assert Recording.objects.count() == 3
