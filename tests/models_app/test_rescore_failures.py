"""A rescore that meets an unreadable recording or a failing chunk finishes anyway: what it could
not score is skipped, logged and counted, and the loop goes on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from annotator.models import Clip
from models_app import registry, tasks
from models_app.inference import ClipScore
from models_app.models import ModelVersion, Prediction, RescoreJob
from tests import factories as f

pytestmark = pytest.mark.django_db


class FakeDetector:
    def score_clips(self, audio):
        return [ClipScore(events=[], class_probs=np.array([0.5], np.float32), any_event_prob=0.5,
                          embedding=np.ones(4, np.float32) / 2, uncertainty={"entropy": 1.0},
                          window_uncertainties=np.array([0.5]))
                for _ in audio]


@pytest.fixture
def version(project, tmp_path, monkeypatch):
    folder = tmp_path / "audio"
    folder.mkdir()
    for i in range(2):
        f.write_tone(folder / f"r{i}.wav", samplerate=48_000, duration_s=3, seed=i)
    f.make_root(folder)
    from annotator import ingest

    ingest.import_location(project, f.make_dataset(project), str(folder))
    monkeypatch.setattr(registry, "detector_for", lambda version: FakeDetector())
    return ModelVersion.objects.create(project=project, number=1, class_names=["a"], is_active=True)


def test_clips_of_an_unreadable_recording_are_skipped_and_the_rest_scored(version, project):
    gone = project.recordings.order_by("name").first()
    Path(gone.root.path, gone.path).unlink()  # moved or deleted after the import
    ids = list(Clip.objects.for_project(project).values_list("pk", flat=True))
    scored = registry.score_clips(version, ids)
    readable = Clip.objects.for_project(project).exclude(recording=gone)
    assert scored == readable.count() > 0
    assert set(Prediction.objects.filter(version=version).values_list("clip_id", flat=True)) == set(
        readable.values_list("pk", flat=True))


def test_a_chunk_that_keeps_failing_gives_up_without_failing_the_chord(version, monkeypatch):
    calls = []

    def broken(version, clip_ids):
        calls.append(clip_ids)
        raise ConnectionError("storage away")

    monkeypatch.setattr(registry, "score_clips", broken)
    result = tasks.score_chunk.apply(args=[version.pk, [1, 2]])
    assert result.successful() and result.result == 0
    assert len(calls) == 1 + tasks.score_chunk.max_retries  # transient: retried, then given up
    calls.clear()
    monkeypatch.setattr(registry, "score_clips", lambda v, ids: 1 / 0)
    assert tasks.score_chunk.apply(args=[version.pk, [1]]).result == 0  # a bug: logged, not retried


def test_the_finished_job_counts_what_it_could_not_score(version, project):
    job = RescoreJob.objects.create(version=version, n_clips=Clip.objects.for_project(project).count())
    first = Clip.objects.for_project(project).first()
    registry.score_clips(version, [first.pk])
    assert tasks.rescore_finished.apply(args=[job.pk]).result == project.pk
    job.refresh_from_db()
    assert job.status == "done" and job.n_unscored == job.n_clips - 1
