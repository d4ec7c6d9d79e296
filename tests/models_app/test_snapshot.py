"""A training's label snapshot is bounded before any audio is read: a cap on the labels and a
share of the time budget, and the run says when a bound cut it."""

import pytest

from annotator.models import Clip, ClipAnnotation, Recording
from models_app import registry, snapshot
from models_app.models import TrainingRun
from sampling import loop
from tests import factories as f
from tests.models_app.test_evaluating import TINY


@pytest.fixture
def labelled(project):
    f.import_whombat(
        project, annotate=("Desmodus", "castanea", "sowelli"), annotator=f.make_user("expert")
    )
    assert ClipAnnotation.objects.filter(project=project).count() >= 6
    return project


def _count_reads(monkeypatch) -> list:
    reads = []
    original = snapshot._example

    def counted(ann, with_metadata):
        reads.append(ann.clip_id)
        return original(ann, with_metadata)

    monkeypatch.setattr(snapshot, "_example", counted)
    return reads


def test_the_cap_bounds_the_audio_read_and_says_so(labelled, monkeypatch):
    reads = _count_reads(monkeypatch)
    snap = snapshot.take(labelled, max_examples=3)
    assert len(reads) == 3 and len(snap.labelled) == 3 and snap.planned == 3
    assert snap.learnable == ClipAnnotation.objects.filter(project=labelled).count() > 3
    assert snap.cut and "max_examples 3" in snap.message()
    assert f"read 3 of {snap.learnable} labelled clips" in snap.message()


def test_without_a_cut_there_is_no_message(labelled):
    snap = snapshot.take(labelled, max_examples=10_000, max_seconds=3600)
    assert not snap.cut and snap.message() == "" and len(snap.labelled) == snap.learnable


def test_reading_stops_at_its_share_of_the_time_budget(labelled, monkeypatch):
    clock = iter(range(10_000))  # every look at the snapshot's clock is one second later
    monkeypatch.setattr(snapshot, "_clock", lambda: float(next(clock)))
    reads = _count_reads(monkeypatch)
    snap = snapshot.take(labelled, max_seconds=3)
    assert snap.out_of_time and 0 < len(reads) < snap.learnable
    assert "3 s to read labels" in snap.message() and "max_examples" not in snap.message()


def test_a_capped_snapshot_reads_the_evaluation_clips_first(labelled):
    Recording.objects.filter(project=labelled, name__contains="sowelli").update(role="evaluation")
    evaluation = set(
        Clip.objects.for_project(labelled).evaluation().labelled().values_list("pk", flat=True)
    )  # the evaluation recording's clips and the random held-out ones
    assert 0 < len(evaluation) < snapshot.take(labelled, max_examples=1).learnable - 1
    snap = snapshot.take(labelled, max_examples=len(evaluation) + 1)
    read = [lc.clip.pk for lc in snap.labelled]
    assert set(read[: len(evaluation)]) == evaluation and read[-1] not in evaluation


def test_the_cap_is_a_model_option_and_the_setting_by_default(project, settings):
    settings.ECHOLOOP_TRAINING_MAX_EXAMPLES = 40
    assert registry.max_examples(registry.model_settings(project)) == 40
    project.sampling_params = {"model": {"max_examples": 7}}
    assert registry.max_examples(registry.model_settings(project)) == 7
    settings.ECHOLOOP_TRAINING_MAX_EXAMPLES = 0
    project.sampling_params = {}
    assert registry.max_examples(registry.model_settings(project)) is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_training_over_the_cap_reads_only_the_cap_and_logs_it(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    options = {"model": {**TINY["model"], "max_examples": 4, "max_steps": 2}}
    project = f.make_project(
        "capped", sampling_params=options, retrain_every=0, audit_fraction=0.0,
        fmin_hz=10_000, fmax_hz=120_000,
    )  # fmt: skip
    f.import_whombat(
        project, annotate=("Desmodus", "castanea", "sowelli"), annotator=f.make_user("expert")
    )
    learnable = ClipAnnotation.objects.filter(project=project).count()
    run = registry.run_training(registry.request_training(project, trigger="request"), worker="t:1")
    assert run.status == TrainingRun.Status.SUCCEEDED, run.error
    assert (
        f"labels: read 4 of {learnable} labelled clips" in run.log and "max_examples 4" in run.log
    )
    assert (run.budget["examples"], run.budget["asked_examples"]) == (4, learnable)
    # The labels the cap left unread are not "new labels": no retraining on the next one.
    assert loop.new_labels_since_last_training(project) <= 0
