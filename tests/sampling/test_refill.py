"""The queue never runs dry: the low-water mark, refills after submissions and imports."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotator import ingest, queue
from annotator.models import AnnotationTask, Clip
from models_app.models import ModelVersion, TrainingRun
from sampling import loop, tasks
from sampling.models import SamplingRound
from tests import factories as f


@pytest.fixture
def pool(project, tmp_path):
    """40 unlabelled 1-s clips; batches of 5; no retraining by itself."""
    project.batch_size = 5
    project.audit_fraction = 0.2
    project.double_annotation_fraction = 0.0
    project.retrain_every = 0
    project.save()
    folder = tmp_path / "north"
    folder.mkdir()
    f.write_tone(folder / "north.wav", samplerate=48_000, duration_s=40, freq_hz=4000, seed=1)
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    return project


@pytest.fixture
def sent(monkeypatch):
    from django.core.cache import cache

    cache.clear()  # the refill's burst lock would outlive a test
    calls = []
    monkeypatch.setattr(loop, "_send_refill", lambda *a: calls.append(a))
    return calls


def test_the_mark_is_one_and_a_half_loop_cycles_of_work_at_the_default_pace(pool):
    state = loop.low_water(pool)
    assert (state.seconds_per_clip, state.minutes, state.automatic) == (20.0, 7.5, True)
    assert state.mark == 23 and state.open_tasks == 0 and state.is_low


def test_the_mark_follows_the_measured_pace_and_the_projects_setting(pool, cast):
    now = timezone.now()
    clips = list(Clip.objects.filter(project=pool)[:6])
    queue.enqueue(pool, clips)
    AnnotationTask.objects.filter(project=pool).update(
        status="submitted", leased_at=now - timedelta(seconds=10), completed_at=now
    )
    assert queue.seconds_per_clip(pool) == 10.0
    pool.low_water_minutes = 2
    pool.save()
    state = loop.low_water(pool)
    assert (state.minutes, state.mark, state.automatic) == (2, 12, False)  # 120 s / 10 s a clip
    pool.low_water_minutes = 0
    assert loop.low_water(pool).mark == pool.batch_size  # never below one batch


def test_the_cycle_is_measured_from_recent_trainings_and_their_rescores(pool):
    now = timezone.now()
    run = TrainingRun.objects.create(project=pool, status="succeeded", finished_at=now)
    TrainingRun.objects.filter(pk=run.pk).update(created_at=now - timedelta(minutes=4))
    assert loop.cycle_minutes(pool) == pytest.approx(4, abs=0.01)


def test_a_submission_below_the_mark_sends_one_refill(
    pool, cast, sent, django_capture_on_commit_callbacks
):
    clip = Clip.objects.filter(project=pool).samplable().first()
    with django_capture_on_commit_callbacks(execute=True):
        queue.save_annotation(pool, clip, cast["ann1"], queue.Submission(no_calls=True))
        loop.on_labels_submitted(sender=None, project=pool)
        loop.on_labels_submitted(sender=None, project=pool)  # a burst sends once
    assert sent == [(pool.pk, "low water")]


def test_no_refill_when_the_queue_holds_enough_or_nothing_is_left(
    pool, sent, django_capture_on_commit_callbacks
):
    queue.enqueue(pool, list(Clip.objects.filter(project=pool)))  # everything queued
    with django_capture_on_commit_callbacks(execute=True):
        assert not loop.refill(pool, trigger="beat")
    assert sent == []


def test_the_refill_task_fills_the_queue_up_to_the_mark_and_says_why(pool):
    round_id = tasks.refill_queue(pool.pk, "low water")
    rnd = SamplingRound.objects.get(pk=round_id)
    state = rnd.params["low_water"]
    assert rnd.trigger == "low water" and rnd.cold_start
    assert state["mark"] == 23 and state["open_tasks"] == 0
    assert queue.open_tasks(pool) == 23 and not loop.low_water(pool).is_low
    assert tasks.refill_queue(pool.pk, "low water") is None  # full: nothing more


def test_the_queue_is_refilled_while_a_training_runs(
    pool, cast, sent, django_capture_on_commit_callbacks
):
    pool.retrain_every = 1
    pool.save()
    TrainingRun.objects.create(project=pool, status="running")  # the loop is busy training
    clip = Clip.objects.filter(project=pool).samplable().first()
    with django_capture_on_commit_callbacks(execute=True):
        queue.save_annotation(pool, clip, cast["ann1"], queue.Submission(no_calls=True))
        loop.on_labels_submitted(sender=None, project=pool)
    assert sent == [(pool.pk, "low water")]


def test_new_recordings_are_scored_by_the_active_version_then_sampled(
    pool, monkeypatch, django_capture_on_commit_callbacks
):
    ModelVersion.objects.create(project=pool, number=1, class_names=["a"], is_active=True)
    chains = []
    monkeypatch.setattr(loop, "_send_quietly", lambda signature, project: chains.append(signature))
    with django_capture_on_commit_callbacks(execute=True):
        loop.on_clips_added(sender=None, project=pool)
    embed, steps = chains
    # The project's embedding (band statistics by default) embeds the new clips too.
    assert embed.task == "models_app.tasks.embed_pending" and embed.args == (pool.pk,)
    assert [t.task for t in steps.tasks] == [
        "models_app.tasks.rescore_pool",
        "sampling.tasks.sample_after_rescore",
    ]
    assert steps.tasks[0].args == (pool.pk, None, "import")


def test_an_import_without_a_model_is_followed_by_a_cold_start_refill(
    project, tmp_path, sent, django_capture_on_commit_callbacks
):
    folder = tmp_path / "south"
    folder.mkdir()
    f.write_tone(folder / "south.wav", samplerate=48_000, duration_s=10, freq_hz=3000, seed=2)
    f.make_root(folder)
    with django_capture_on_commit_callbacks(execute=True):
        ingest.import_location(project, f.make_dataset(project), str(folder))
    assert sent == [(project.pk, "new recordings")]
