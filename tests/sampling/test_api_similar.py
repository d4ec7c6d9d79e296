"""Search by example over the API: nearest clips of the project's own pool, labelling matches from
the strip, queueing them as a round, and choosing an embedding adapter."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from annotator import ingest
from annotator.models import AnnotationTask, Clip, ClipAnnotation, Role
from models_app import adapters, embeddings_store, registry, tasks
from models_app.inference import Detector
from models_app.models import ModelVersion
from models_app.starts import PRETRAINED as PRETRAINED_DIR
from sampling import rounds
from sampling.models import SamplingRound
from tests import factories as f

pytestmark = pytest.mark.django_db

LOW, HIGH = 30_000, 90_000
PRETRAINED = PRETRAINED_DIR / "synthetic-ebf98fc849888fe233586887.pt"


def _write_calls(path, freq_hz: float, seed: int, samplerate: int = 384_000) -> None:
    """1 s of faint noise with a 5-ms downward sweep from ``freq_hz`` every 80 ms (bat-like)."""
    rng = np.random.default_rng(seed)
    x = 0.005 * rng.standard_normal(samplerate)
    t = np.arange(int(0.005 * samplerate)) / samplerate
    for c in np.arange(0.02 + 0.01 * rng.random(), 0.99, 0.08):
        i = int(c * samplerate)
        x[i : i + len(t)] += 0.3 * np.sin(2 * np.pi * (freq_hz - 3e6 * t) * t) * np.hanning(len(t))
    sf.write(path, x.astype(np.float32), samplerate, subtype="PCM_16")


def _import_tones(project, folder, seeds):
    folder.mkdir()
    for i in seeds:
        _write_calls(folder / f"t{i}.wav", LOW if i % 2 == 0 else HIGH, seed=i)
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))


def _freq(clip: Clip) -> int:
    return LOW if int(clip.recording.name[1:-4]) % 2 == 0 else HIGH


@pytest.fixture
def pool(project, cast, tmp_path, settings, monkeypatch):
    """Six 1-s recordings (two tones), cut into 0.5-s clips, scored by a version of the detector."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project.clip_length_s = 0.5
    project.save()
    _import_tones(project, tmp_path / "audio", range(6))
    torch.set_num_threads(1)
    # The detector pretrained on synthetic bat calls that ships with the package (10–150 kHz).
    detector = Detector.load(PRETRAINED, device="cpu")
    monkeypatch.setattr(registry, "detector_for", lambda version: detector)
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=detector.class_names, is_active=True
    )
    ids = list(Clip.objects.for_project(project).values_list("pk", flat=True))
    assert registry.score_clips(version, ids) == 12
    embeddings_store.compact(project.pk, embeddings_store.version_source(version.pk))
    return project


def _url(project, tail=""):
    return f"/api/projects/{project.pk}/similar/{tail}"


def test_a_clip_query_ranks_whole_clips_by_cosine_distance(pool, cast, api):
    query = Clip.objects.for_project(pool).filter(recording__name="t0.wav").first()
    r = api(cast["ann1"]).post(_url(pool), {"clip": query.pk, "k": 5}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["n_windows"] == 12 * 5 and body["source"].startswith("v")
    assert len(body["matches"]) == 5 and query.pk not in [m["clip"] for m in body["matches"]]
    # The same ranking computed by hand from the stored windows: mean of each clip's windows with
    # the pool's mean taken off, cosine against the query clip's.
    stored = embeddings_store.load(pool.pk, body["source"])
    ids = np.unique(stored.clip_ids)
    rows = stored.vectors.astype(np.float64) - stored.vectors.astype(np.float64).mean(axis=0)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    means = np.stack([rows[stored.clip_ids == i].mean(axis=0) for i in ids])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    cos = means @ means[ids.tolist().index(query.pk)]
    order = [int(i) for i in ids[np.argsort(-cos)] if i != query.pk][:5]
    assert [m["clip"] for m in body["matches"]] == order
    np.testing.assert_allclose(
        [m["distance"] for m in body["matches"]], np.sort(1 - cos[ids != query.pk])[:5], atol=2e-3
    )


def test_a_box_query_returns_windows_inside_their_clips(pool, cast, api):
    query = Clip.objects.for_project(pool).filter(recording__name="t1.wav").first()
    box = {
        "start_s": query.start_s + 0.1,
        "end_s": query.start_s + 0.2,
        "low_hz": 50_000,
        "high_hz": 100_000,
    }
    r = api(cast["ann1"]).post(
        _url(pool), {"clip": query.pk, "level": "window", "k": 8, **box}, format="json"
    )
    assert r.status_code == 200, r.content
    for m in r.json()["matches"]:
        assert m["start_s"] <= m["window_start_s"] < m["window_end_s"] <= m["end_s"] + 1e-6
        assert m["clip"] != query.pk
    assert _freq(Clip.objects.get(pk=r.json()["matches"][0]["clip"])) == HIGH


def test_bad_boxes_and_missing_embeddings_are_refused(pool, project, cast, api, tmp_path):
    query = Clip.objects.for_project(pool).first()
    client = api(cast["ann1"])
    r = client.post(
        _url(pool),
        {"clip": query.pk, "start_s": query.start_s, "end_s": query.end_s + 1},
        format="json",
    )
    assert r.status_code == 400 and "within the clip" in r.json()["detail"]
    assert client.post(_url(pool), {"clip": query.pk, "k": 1000}, format="json").status_code == 400
    ModelVersion.objects.filter(project=pool).update(is_active=False)
    r = client.post(_url(pool), {"clip": query.pk}, format="json")
    assert r.status_code == 400 and "no embeddings yet" in r.json()["detail"]


def test_search_never_crosses_projects(pool, cast, api, tmp_path):
    other = f.make_project("Other bats")
    f.add_member(other, cast["ann1"], Role.ANNOTATOR)
    _import_tones(other, tmp_path / "other", range(10, 14))
    other_ids = set(Clip.objects.for_project(other).values_list("pk", flat=True))
    # The other project holds the very same vectors: none of its clips may come back.
    mine = embeddings_store.load(
        pool.pk, embeddings_store.version_source(pool.model_versions.get().pk)
    )
    clone = ModelVersion.objects.create(project=other, number=1, class_names=["x"], is_active=True)
    embeddings_store.write_chunk(
        other.pk,
        embeddings_store.version_source(clone.pk),
        sorted(other_ids),
        [mine.vectors[:5].astype(np.float32)] * len(other_ids),
        mine.window_s,
    )
    query = Clip.objects.for_project(pool).first()
    r = api(cast["ann1"]).post(_url(pool), {"clip": query.pk, "k": 100}, format="json")
    assert r.status_code == 200
    assert not other_ids & {m["clip"] for m in r.json()["matches"]}
    assert len(r.json()["matches"]) == 11
    # An outsider learns nothing; a clip of another project is not a query here.
    assert (
        api(cast["outsider"]).post(_url(pool), {"clip": query.pk}, format="json").status_code == 404
    )
    stranger = Clip.objects.for_project(other).first()
    assert (
        api(cast["ann1"]).post(_url(pool), {"clip": stranger.pk}, format="json").status_code == 404
    )


def test_label_a_match_from_the_strip(pool, cast, api):
    tag = f.make_tag(pool, "Myotis myotis")
    match = Clip.objects.for_project(pool).last()
    body = {
        "tag": tag.pk,
        "low_hz": 20_000,
        "high_hz": 40_000,
        "matches": [
            {"clip": match.pk, "start_s": match.start_s + 0.1, "end_s": match.start_s + 0.2}
        ],
    }
    client = api(cast["ann1"])
    r = client.post(_url(pool, "label/"), body, format="json")
    assert r.status_code == 201, r.content
    ann = ClipAnnotation.objects.get(clip=match, annotator=cast["ann1"])
    assert list(ann.tags.values_list("pk", flat=True)) == [tag.pk]
    event = ann.events.get()
    assert (event.start_s, event.end_s, event.low_hz, event.tag_id) == pytest.approx(
        (match.start_s + 0.1, match.start_s + 0.2, 20_000, tag.pk)
    )
    assert ann.review_status == ClipAnnotation.Review.PENDING
    # Never overwritten from the strip; a batch at once is for leads; viewers label nothing.
    assert client.post(_url(pool, "label/"), body, format="json").status_code == 409
    two = [{"clip": c.pk} for c in Clip.objects.for_project(pool)[:2]]
    assert (
        client.post(
            _url(pool, "label/"), {"tag": tag.pk, "matches": two}, format="json"
        ).status_code
        == 403
    )
    assert api(cast["viewer"]).post(_url(pool, "label/"), body, format="json").status_code == 403
    r = api(cast["lead"]).post(_url(pool, "label/"), {"tag": tag.pk, "matches": two}, format="json")
    assert r.status_code == 201 and len(r.json()["annotations"]) == 2


def test_queue_these_makes_a_round_with_the_query_as_reason(pool, cast, api):
    query, *matches = list(rounds.candidate_clips(pool).order_by("pk")[:4])
    body = {"query_clip": query.pk, "matches": [{"clip": c.pk, "similarity": 0.9} for c in matches]}
    r = api(cast["ann1"]).post(_url(pool, "queue/"), body, format="json")
    assert r.status_code == 201, r.content
    rnd = SamplingRound.objects.get(pk=r.json()["round"])
    assert rnd.strategy == "similar" and rnd.params["query_clip"] == query.pk
    assert [p.reason for p in rnd.picks.all()] == [
        f"similar to clip {query.pk} (distance 0.100)"
    ] * 3
    assert set(AnnotationTask.objects.filter(project=pool).values_list("clip_id", flat=True)) == {
        c.pk for c in matches
    }
    again = api(cast["ann1"]).post(_url(pool, "queue/"), body, format="json")
    assert again.status_code == 409


def test_a_lead_chooses_an_adapter_and_search_uses_its_embeddings(pool, cast, api):
    url = f"/api/projects/{pool.pk}/embedding-adapters/"
    listed = api(cast["ann1"]).get(url).json()
    assert any(a["name"] == "band-stats" and a["licence"] for a in listed["adapters"])
    assert api(cast["ann1"]).put(url, {"adapter": "band-stats"}, format="json").status_code == 403
    assert api(cast["lead"]).put(url, {"adapter": "nope"}, format="json").status_code == 400
    pool.refresh_from_db()
    assert "embedding_adapter" not in pool.sampling_params
    adapters.choose(pool, "band-stats")
    for chunk in adapters.pending_chunks(pool):
        adapters.embed_clips(pool, "band-stats", chunk)
    query = Clip.objects.for_project(pool).filter(recording__name="t0.wav").first()
    r = api(cast["ann1"]).post(_url(pool), {"clip": query.pk, "k": 5}, format="json")
    assert r.status_code == 200 and r.json()["source"] == "adapter-band-stats"
    assert all(_freq(Clip.objects.get(pk=m["clip"])) == LOW for m in r.json()["matches"])


def test_a_large_pool_gets_an_index_that_finds_what_the_exact_scan_finds(
    pool, cast, api, monkeypatch
):
    query = Clip.objects.for_project(pool).filter(recording__name="t1.wav").first()
    box = {
        "clip": query.pk,
        "start_s": query.start_s + 0.1,
        "end_s": query.start_s + 0.3,
        "k": 5,
        "level": "window",
    }
    exact = api(cast["ann1"]).post(_url(pool), box, format="json").json()
    assert exact["method"] == "exact"
    monkeypatch.setattr(
        embeddings_store, "INDEX_ABOVE", 10
    )  # 60 windows count as a large pool here
    source = exact["source"]
    n = embeddings_store.compact(pool.pk, source)  # what a finished rescore does...
    assert embeddings_store._files(pool.pk, source, ".usearch") == []  # (not waiting for it)
    assert embeddings_store.wants_index(n)
    assert tasks.build_search_index(pool.pk, source)  # ...then its own task builds the index
    assert len(embeddings_store._files(pool.pk, source, ".usearch")) == 1
    indexed = api(cast["ann1"]).post(_url(pool), box, format="json").json()
    assert indexed["method"] == "index"
    found = {(m["clip"], m["window_start_s"]) for m in indexed["matches"]}
    expected = {(m["clip"], m["window_start_s"]) for m in exact["matches"]}
    assert len(found & expected) >= 4  # recall@5 of the index on this pool
