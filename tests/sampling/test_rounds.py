import numpy as np
import pytest

from annotator import ingest
from annotator.models import AnnotationTask, Clip
from models_app.models import ModelVersion, Prediction
from sampling import rounds
from sampling.models import SamplingPick, SamplingRound
from tests import factories as f


@pytest.fixture
def pool_project(project, cast, tmp_path):
    """60 unlabelled clips over two sites, with a trained-looking active version's predictions."""
    project.batch_size = 10
    project.audit_fraction = 0.2
    project.double_annotation_fraction = 0.0
    project.sampling_strategy = "entropy"
    project.save()
    for i, name in enumerate(("north", "south")):
        folder = tmp_path / name
        folder.mkdir()
        f.write_tone(folder / f"{name}.wav", samplerate=48_000, duration_s=30, freq_hz=4000 * (i + 1), seed=i)
        f.make_root(folder)
        ingest.import_location(project, f.make_dataset(project), str(folder), site=project.sites.create(name=name))
    assert Clip.objects.filter(project=project).count() == 60
    return project


def add_predictions(project, rng, *, embeddings=True):
    version = ModelVersion.objects.create(project=project, number=1, class_names=["a", "b"], is_active=True)
    rows = []
    for clip in Clip.objects.filter(project=project):
        p = rng.random(2).astype(np.float32)
        emb = Prediction.pack_embedding(rng.standard_normal(16)) if embeddings else None
        rows.append(Prediction(clip=clip, version=version, class_probs=p.tolist(), window_uncertainty=[0.1, 0.2],
                               embedding=emb))
    Prediction.objects.bulk_create(rows)
    return version


def test_cold_start_round_queues_tasks_with_ranks_and_reasons(pool_project, cast):
    rnd = rounds.start_round(pool_project, user=cast["lead"], seed=1)
    assert rnd.cold_start and rnd.strategy in ("coverage", "stratified", "random") and rnd.batch_size == 10
    picks = list(rnd.picks.order_by("rank"))
    assert [p.rank for p in picks] == list(range(1, 11))
    assert sum(p.is_audit for p in picks) == 2
    assert all(p.reason for p in picks)
    tasks = AnnotationTask.objects.filter(round_number=rnd.number).order_by("-priority")
    assert [t.clip_id for t in tasks] == [p.clip_id for p in picks]
    assert {t.is_audit for t in tasks if t.reason == "audit"} == {True}
    assert not any("entropy" in p.reason for p in picks)  # a cold start never uses uncertainty


def test_round_with_a_model_uses_uncertainty_and_skips_queued_clips(pool_project, cast):
    rng = np.random.default_rng(0)
    add_predictions(pool_project, rng)
    first = rounds.start_round(pool_project, seed=2)
    second = rounds.start_round(pool_project, seed=3)
    assert not first.cold_start and first.strategy == "entropy"
    non_audit = first.picks.filter(is_audit=False)
    assert all(p.reason.startswith("uncertain") for p in non_audit)
    scores = [p.score for p in non_audit.order_by("rank")]
    assert scores == sorted(scores, reverse=True)
    first_clips = set(first.picks.values_list("clip_id", flat=True))
    assert not first_clips & set(second.picks.values_list("clip_id", flat=True))
    assert second.candidates == 60 - 10


def test_hybrid_round_needs_embeddings_and_says_so(pool_project):
    add_predictions(pool_project, np.random.default_rng(0), embeddings=False)
    with pytest.raises(rounds.RoundError, match="embeddings"):
        rounds.start_round(pool_project, strategy="hybrid")
    assert not SamplingRound.objects.exists() and not AnnotationTask.objects.exists()


def test_lead_starts_a_round_through_the_api(pool_project, cast, api):
    response = api(cast["lead"]).post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {"batch_size": 5},
                                      format="json")
    assert response.status_code == 201
    assert len(response.json()["picks"]) == 5 and SamplingPick.objects.count() == 5
    assert api(cast["ann1"]).post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {}).status_code == 403
    assert api(cast["outsider"]).post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {}).status_code == 404
    bad = api(cast["lead"]).post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {"strategy": "magic"})
    assert bad.status_code == 400 and "unknown strategy" in bad.json()["detail"]


def test_default_hybrid_falls_back_to_entropy_without_embeddings(pool_project):
    pool_project.sampling_strategy = "hybrid"
    pool_project.save()
    add_predictions(pool_project, np.random.default_rng(0), embeddings=False)
    rnd = rounds.start_round(pool_project)
    assert rnd.strategy == "entropy" and rnd.params == {"fallback_from": "hybrid"}
