"""Every version is scored on one evaluation set that no training ever learns from."""

import pytest

from annotator.models import Clip, Recording
from models_app import registry
from models_app.models import ModelVersion, TrainingRun, VersionEvaluation
from tests import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TINY = {
    "model": {
        "epochs": 1,
        "batch_size": 4,
        "n_freq_bins": 64,
        "num_threads": 1,
        "start_from": "scratch",
    }
}


@pytest.fixture
def bats(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "evaluated",
        sampling_params=TINY,
        retrain_every=0,
        audit_fraction=0.0,
        fmin_hz=10_000,
        fmax_hz=120_000,
    )
    f.import_whombat(
        project, annotate=("Desmodus", "castanea", "sowelli"), annotator=f.make_user("expert")
    )
    Recording.objects.filter(project=project, name__contains="sowelli").update(role="evaluation")
    return project


def train_once(project) -> TrainingRun:
    run = registry.request_training(project, trigger="request")
    return registry.run_training(run, worker="test@here:1")


def test_versions_share_one_evaluation_set_that_never_trains(bats):
    evaluation = set(
        Clip.objects.for_project(bats).evaluation().labelled().values_list("pk", flat=True)
    )
    trainable = Clip.objects.for_project(bats).for_training().labelled().count()
    assert evaluation and trainable
    first = train_once(bats)
    assert first.status == "succeeded", first.error
    assert f"{trainable} training clips" in first.log and "(evaluation set)" in first.log
    second = train_once(bats)
    assert second.status in ("succeeded", "kept_old"), second.error
    v1, v2 = ModelVersion.objects.filter(project=bats).order_by("number")
    keys = {e.version_id: e for e in VersionEvaluation.objects.filter(version__project=bats)}
    assert set(keys) == {v1.pk, v2.pk}
    assert keys[v1.pk].eval_key == keys[v2.pk].eval_key and keys[v1.pk].n_clips == len(evaluation)
    for version in (v1, v2):
        metrics = keys[version.pk].metrics
        assert {"det_ap", "f1", "f1_iou", "ci", "per_class_f1"} <= set(metrics)
        assert version.threshold == 0.5 and version.calibration["method"] == "platt"
    assert v2.metrics["calibration"].startswith("two-fold cross-fit")


def test_a_new_evaluation_label_rescores_the_versions_on_the_new_set(bats):
    from annotator import queue

    train_once(bats)
    rec = Recording.objects.get(project=bats, name__contains="sowelli")
    new_clip = Clip.objects.create(project=bats, recording=rec, start_s=0.05, end_s=0.55)
    queue.save_annotation(bats, new_clip, f.make_user("second"), queue.Submission(no_calls=True))
    train_once(bats)
    latest = VersionEvaluation.objects.order_by("-created_at").first()
    on_latest = VersionEvaluation.objects.filter(eval_key=latest.eval_key)
    assert on_latest.count() == 2  # v1 scored again on the grown set, next to v2
    assert {e.n_clips for e in on_latest} == {
        Clip.objects.for_project(bats).evaluation().labelled().count()
    }
