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
    window_s = 0.1
    window_embeddings = False  # two 4-d windows per clip when set

    def score_clips(self, audio):
        windows = (
            np.ones((2, 4), np.float32) / 2
            if self.window_embeddings
            else np.zeros((0, 0), np.float32)
        )
        return [
            ClipScore(
                events=[],
                class_probs=np.array([0.5], np.float32),
                any_event_prob=0.5,
                embedding=np.ones(4, np.float32) / 2,
                uncertainty={"entropy": 1.0},
                window_uncertainties=np.array([0.5]),
                window_embeddings=windows,
            )
            for _ in audio
        ]


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
        readable.values_list("pk", flat=True)
    )


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
    job = RescoreJob.objects.create(
        version=version, n_clips=Clip.objects.for_project(project).count()
    )
    first = Clip.objects.for_project(project).first()
    registry.score_clips(version, [first.pk])
    assert tasks.rescore_finished.apply(args=[job.pk]).result == project.pk
    job.refresh_from_db()
    assert job.status == "done" and job.n_unscored == job.n_clips - 1


class Replaced(Exception):
    def __init__(self, sig):
        self.sig = sig


def test_a_rescore_is_sent_in_bounded_waves_of_id_ranges(version, project, monkeypatch):
    """Never one chord of every chunk: each wave holds at most IN_FLIGHT chunk tasks whose
    messages carry an id range, not a list of ids; the waves together score every clip."""
    monkeypatch.setattr(tasks, "CHUNK_SIZE", 1)
    monkeypatch.setattr(tasks, "IN_FLIGHT", 2)
    for task in (tasks.rescore_pool, tasks.rescore_wave):
        monkeypatch.setattr(task, "replace", lambda sig: Replaced(sig))
    n = Clip.objects.for_project(project).count()
    assert n > 2 * 2  # more than two waves' worth
    with pytest.raises(Replaced) as first:
        tasks.rescore_pool.run(project.pk)
    job = RescoreJob.objects.get(version=version)
    assert job.n_clips == n and job.n_chunks == n
    sig, waves, sizes = first.value.sig, 0, []
    while True:
        assert sig.task == "models_app.tasks.rescore_wave"
        try:
            tasks.rescore_wave.run(*sig.args)
        except Replaced as wave:
            header, sig = list(wave.sig.tasks), wave.sig.body
            assert len(header) <= 2 and all(
                len(t.args) == 3 for t in header
            )  # version, first, last
            sizes += [tasks.score_range.apply(args=t.args).result for t in header]
            waves += 1
            continue
        break
    assert waves == -(-n // 2) and sum(sizes) == n and max(sizes) == 1
    assert Prediction.objects.filter(version=version).count() == n
    job.refresh_from_db()
    assert job.status == "done" and job.n_unscored == 0


def test_a_finished_rescore_compacts_the_chunks_window_files_into_one(
    version, project, settings, tmp_path, monkeypatch
):
    from models_app import embeddings_store

    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(FakeDetector, "window_embeddings", True)
    ids = sorted(Clip.objects.for_project(project).values_list("pk", flat=True))
    half = len(ids) // 2
    registry.score_clips(version, ids[:half])
    registry.score_clips(version, ids[half:])
    source = embeddings_store.version_source(version.pk)
    assert len(embeddings_store._files(project.pk, source)) == 2
    older = embeddings_store.version_source(version.pk + 1000)  # a superseded version's windows
    embeddings_store.write_chunk(project.pk, older, ids[:1], [np.ones((1, 4), np.float32)], 0.1)
    job = RescoreJob.objects.create(version=version)
    tasks.rescore_finished(job.pk)
    assert not embeddings_store._files(project.pk, older)
    assert len(embeddings_store._files(project.pk, source)) == 1
    stored = embeddings_store.load(project.pk, source)
    assert sorted(set(stored.clip_ids.tolist())) == ids and len(stored) == 2 * len(ids)
