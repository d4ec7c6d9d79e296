import numpy as np
import pytest

from annotator import ingest
from annotator.models import AnnotationTask, Clip
from models_app.models import ModelVersion, Prediction
from sampling import rounds
from sampling.models import SamplingPick, SamplingRound
from sampling.tasks import run_round_request
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
        f.write_tone(
            folder / f"{name}.wav", samplerate=48_000, duration_s=30, freq_hz=4000 * (i + 1), seed=i
        )
        f.make_root(folder)
        ingest.import_location(
            project, f.make_dataset(project), str(folder), site=project.sites.create(name=name)
        )
    assert Clip.objects.filter(project=project).count() == 60
    return project


def add_predictions(project, rng, *, embeddings=True):
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=["a", "b"], is_active=True
    )
    rows = []
    for clip in Clip.objects.filter(project=project):
        p = rng.random(2).astype(np.float32)
        emb = Prediction.pack_embedding(rng.standard_normal(16)) if embeddings else None
        rows.append(
            Prediction(
                clip=clip,
                version=version,
                class_probs=p.tolist(),
                window_uncertainty=[0.1, 0.2],
                embedding=emb,
            )
        )
    Prediction.objects.bulk_create(rows)
    return version


def test_cold_start_round_queues_tasks_with_ranks_and_reasons(pool_project, cast):
    rnd = rounds.start_round(pool_project, user=cast["lead"], seed=1)
    assert (
        rnd.cold_start
        and rnd.strategy in ("coverage", "stratified", "random")
        and rnd.batch_size == 10
    )
    picks = list(rnd.picks.order_by("rank"))
    assert [p.rank for p in picks] == list(range(1, 11))
    assert sum(p.is_audit for p in picks) == 2
    assert all(p.reason for p in picks)
    tasks = AnnotationTask.objects.filter(round_number=rnd.number).order_by("-priority")
    assert [t.clip_id for t in tasks] == [p.clip_id for p in picks]
    assert {t.is_audit for t in tasks if t.reason == "chosen at random for the unbiased check"} == {
        True
    }
    assert not any("entropy" in p.reason for p in picks)  # a cold start never uses uncertainty


def test_round_with_a_model_uses_uncertainty_and_skips_queued_clips(pool_project, cast):
    rng = np.random.default_rng(0)
    add_predictions(pool_project, rng)
    first = rounds.start_round(pool_project, seed=2)
    second = rounds.start_round(pool_project, seed=3)
    assert not first.cold_start and first.strategy == "entropy"
    non_audit = first.picks.filter(is_audit=False)
    assert all(p.reason.startswith("the model is unsure here (entropy ") for p in non_audit)
    scores = [p.score for p in non_audit.order_by("rank")]
    assert scores == sorted(scores, reverse=True)
    first_clips = set(first.picks.values_list("clip_id", flat=True))
    assert not first_clips & set(second.picks.values_list("clip_id", flat=True))
    samplable = Clip.objects.filter(project=pool_project).samplable().count()
    assert second.candidates == samplable - first.picks.filter(is_audit=False).count()


def test_hybrid_round_needs_embeddings_and_says_so(pool_project):
    add_predictions(pool_project, np.random.default_rng(0), embeddings=False)
    with pytest.raises(rounds.RoundError, match="embeddings"):
        rounds.start_round(pool_project, strategy="hybrid")
    assert not SamplingRound.objects.exists() and not AnnotationTask.objects.exists()


def test_lead_starts_a_round_through_the_api(
    pool_project, cast, api, django_capture_on_commit_callbacks, monkeypatch
):
    """The web request only queues the round (202); a worker chooses it; the lead polls."""
    sent = []
    monkeypatch.setattr(rounds, "_send_request", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast["lead"]).post(
            f"/api/projects/{pool_project.pk}/sampling-rounds/", {"batch_size": 5}, format="json"
        )
    assert response.status_code == 202 and response.json()["status"] == "queued"
    assert [r.pk for r in sent] == [response.json()["id"]] and not SamplingRound.objects.exists()
    poll = response.json()["url"]
    assert response["Location"] == poll
    assert api(cast["viewer"]).get(poll).json()["round"] is None
    assert run_round_request(response.json()["id"]) is not None  # what the worker does
    done = api(cast["viewer"]).get(poll).json()
    assert (
        done["status"] == "done"
        and len(done["round"]["picks"]) == 5
        and SamplingPick.objects.count() == 5
    )
    assert run_round_request(response.json()["id"]) is None  # a redelivery chooses nothing twice
    assert SamplingRound.objects.count() == 1
    assert api(cast["outsider"]).get(poll).status_code == 404
    assert (
        api(cast["ann1"]).post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {}).status_code
        == 403
    )
    assert (
        api(cast["outsider"])
        .post(f"/api/projects/{pool_project.pk}/sampling-rounds/", {})
        .status_code
        == 404
    )
    bad = api(cast["lead"]).post(
        f"/api/projects/{pool_project.pk}/sampling-rounds/", {"strategy": "magic"}
    )
    assert bad.status_code == 400 and "unknown strategy" in bad.json()["detail"]


def test_a_round_that_cannot_run_is_reported_to_the_poller(pool_project, cast, api, monkeypatch):
    monkeypatch.setattr(rounds, "_send_request", lambda req: None)
    add_predictions(pool_project, np.random.default_rng(0), embeddings=False)
    response = api(cast["lead"]).post(
        f"/api/projects/{pool_project.pk}/sampling-rounds/", {"strategy": "hybrid"}, format="json"
    )
    run_round_request(response.json()["id"])
    failed = api(cast["lead"]).get(response.json()["url"]).json()
    assert failed["status"] == "failed" and "needs" in failed["error"] and failed["round"] is None


def test_default_hybrid_falls_back_to_entropy_without_embeddings(pool_project):
    pool_project.sampling_strategy = "hybrid"
    pool_project.save()
    add_predictions(pool_project, np.random.default_rng(0), embeddings=False)
    rnd = rounds.start_round(pool_project)
    assert rnd.strategy == "entropy" and rnd.params == {"fallback_from": "hybrid"}


def test_audits_come_from_the_evaluation_set_and_the_strategy_never_sees_it(pool_project):
    add_predictions(pool_project, np.random.default_rng(0))
    held_out = set(
        Clip.objects.filter(project=pool_project, held_out=True).values_list("pk", flat=True)
    )
    assert 0 < len(held_out) < 60  # 20 % drawn at cutting
    rnd = rounds.start_round(pool_project, seed=4)
    audits = set(rnd.picks.filter(is_audit=True).values_list("clip_id", flat=True))
    chosen = set(rnd.picks.filter(is_audit=False).values_list("clip_id", flat=True))
    assert len(audits) == 2 and audits <= held_out
    assert not chosen & held_out
    assert rnd.candidates == 60 - len(held_out)


def test_evaluation_and_excluded_recordings_are_never_chosen_by_the_strategy(pool_project):
    add_predictions(pool_project, np.random.default_rng(0))
    north, south = pool_project.recordings.order_by("name")
    north.role = "evaluation"
    north.save()
    south.role = "excluded"
    south.save()
    south_ids = set(south.clips.values_list("pk", flat=True))
    rnd = rounds.start_round(pool_project, seed=5)
    picked = set(rnd.picks.values_list("clip_id", flat=True))
    # Nothing to choose from but the evaluation set: the batch is filled with its random audits.
    assert rnd.picks.filter(is_audit=False).count() == 0
    assert len(picked) == pool_project.batch_size and not picked & south_ids
    assert set(picked) <= set(north.clips.values_list("pk", flat=True))


def test_a_new_version_withdraws_the_older_picks_still_queued(pool_project, cast):
    rng = np.random.default_rng(0)
    old = add_predictions(pool_project, rng)
    first = rounds.start_round(pool_project, seed=6)
    leased = AnnotationTask.objects.filter(round_number=first.number, is_audit=False).first()
    AnnotationTask.objects.filter(pk=leased.pk).update(status="leased", lease_holder=cast["ann1"])
    old.is_active = False
    old.save()
    new = ModelVersion.objects.create(
        project=pool_project, number=2, class_names=["a", "b"], is_active=True
    )
    withdrawn = rounds.withdraw_stale_picks(pool_project, new)
    left = AnnotationTask.objects.filter(round_number=first.number)
    assert withdrawn == first.picks.filter(is_audit=False).count() - 1
    assert set(left.values_list("pk", flat=True)) == {leased.pk} | set(
        left.filter(is_audit=True).values_list("pk", flat=True)
    )
    assert left.filter(is_audit=True).count() == 2


def test_a_round_before_the_new_version_scored_the_pool_is_not_counted_as_its_choice(pool_project):
    """Between a version's activation and the end of its rescore a refill chooses without it: the
    round says so, and the rescore's round then replaces those picks with the model's."""
    new = ModelVersion.objects.create(
        project=pool_project, number=1, class_names=["a", "b"], is_active=True
    )
    early = rounds.start_round(pool_project, seed=3)
    assert early.model_version is None and early.cold_start
    add_predictions_for(pool_project, new, np.random.default_rng(0))
    withdrawn = rounds.withdraw_stale_picks(pool_project, new)
    assert withdrawn == early.picks.filter(is_audit=False).count() > 0
    later = rounds.start_round(pool_project, seed=4)
    assert later.model_version == new and not later.cold_start


def add_predictions_for(project, version, rng):
    Prediction.objects.bulk_create(
        Prediction(
            clip=clip,
            version=version,
            class_probs=rng.random(2).astype(np.float32).tolist(),
            window_uncertainty=[0.1, 0.2],
            embedding=Prediction.pack_embedding(rng.standard_normal(16)),
        )
        for clip in Clip.objects.filter(project=project)
    )


def test_a_new_version_keeps_picks_returned_to_an_annotator_or_skipped(pool_project, cast):
    from annotator import queue, review
    from annotator.models import SkipReason, TaskSkip

    old = add_predictions(pool_project, np.random.default_rng(0))
    first = rounds.start_round(pool_project, seed=6)
    picks = AnnotationTask.objects.filter(round_number=first.number, is_audit=False).order_by(
        "-priority"
    )
    n_picks = picks.count()
    task = queue.claim_next(pool_project, cast["ann1"])
    assert not task.is_audit  # the top rank is the strategy's pick
    review.reject(
        queue.submit(task, cast["ann1"], queue.Submission(no_calls=True)),
        cast["lead"],
        version=1,
        note="listen again",
    )
    skipped = picks.exclude(pk=task.pk).first()
    TaskSkip.objects.create(task=skipped, user=cast["ann2"], reason=SkipReason.BROKEN_AUDIO)
    old.is_active = False
    old.save()
    new = ModelVersion.objects.create(
        project=pool_project, number=2, class_names=["a", "b"], is_active=True
    )
    withdrawn = rounds.withdraw_stale_picks(pool_project, new)
    assert withdrawn == n_picks - 2
    kept = set(
        AnnotationTask.objects.filter(round_number=first.number, is_audit=False).values_list(
            "pk", flat=True
        )
    )
    assert kept == {task.pk, skipped.pk}


def test_hybrid_round_after_a_training_measures_distance_to_the_labelled_clips(pool_project, cast):
    from annotator import queue

    version = add_predictions(pool_project, np.random.default_rng(0))
    for clip in Clip.objects.filter(project=pool_project).samplable()[:5]:
        queue.save_annotation(pool_project, clip, cast["ann1"], queue.Submission(no_calls=True))
    rnd = rounds.start_round(pool_project, strategy="hybrid", seed=7)
    first = rnd.picks.filter(is_audit=False).order_by("rank").first()
    assert rnd.model_version == version
    assert "inf" not in first.reason.split() and "from the nearest labelled" in first.reason


def test_stratified_round_names_strata_in_words_and_fits_long_names(pool_project, cast):
    from annotator.models import Site

    add_predictions(pool_project, np.random.default_rng(0))
    Site.objects.filter(project=pool_project, name="north").update(name="North cave " + "x" * 189)
    pool_project.sampling_params = {"strategy_params": {"within": "entropy"}}
    pool_project.save()
    rnd = rounds.start_round(pool_project, strategy="stratified", seed=3, k=10)
    reasons = [p.reason for p in rnd.picks.filter(is_audit=False)]
    assert all(r.startswith("a site/time not yet covered (") for r in reasons)
    assert all("time unknown, date unknown, predicted " in r for r in reasons)
    south = [r for r in reasons if "(south," in r]
    assert south and all(
        r.endswith(")") and "; the model is unsure here (entropy " in r for r in south
    )
    north = [r for r in reasons if "(North cave" in r]
    assert north and all(len(r) == 300 and r.endswith("…") for r in north)  # cut to fit the rows
    tasks = AnnotationTask.objects.filter(round_number=rnd.number, is_audit=False)
    assert sorted(t.reason for t in tasks) == sorted(reasons)


def test_a_lead_round_with_another_strategy_does_not_get_the_projects_strategy_params(pool_project):
    """The project's strategy_params belong to its own strategy (checked when saved): a round
    asked for with another strategy runs that one with its defaults instead of a TypeError."""
    add_predictions(pool_project, np.random.default_rng(0))
    pool_project.sampling_strategy = "hybrid"
    pool_project.sampling_params = {
        **pool_project.sampling_params,
        "strategy_params": {"factor": 5},
    }
    pool_project.save()
    rnd = rounds.start_round(pool_project, strategy="entropy", seed=1)
    assert rnd.strategy == "entropy" and "factor" not in rnd.params
