"""A version's pool scores are read as packed chunks whatever wrote its predictions: an external
import writes chunks itself, and predictions no chunk holds (scored before chunks existed) are
packed once, by the migration or by the first round, never decoded per clip on every round."""

import importlib

import numpy as np
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext

from annotator import formats
from models_app import external, poolscores
from models_app.models import ModelVersion, Prediction, ScoreChunk
from sampling import rounds
from tests.models_app.test_external import BD2, bd2_project  # noqa: F401 (fixture)
from tests.sampling.test_rounds import add_predictions, pool_project  # noqa: F401 (fixture)


def _reads_prediction_json(queries) -> bool:
    return any("class_probs" in q["sql"] and "models_app_prediction" in q["sql"] for q in queries)


def _blank_prediction_json(version) -> None:
    """Empty every prediction's scores: a read that still finds them read the chunks."""
    Prediction.objects.filter(version=version).update(class_probs=[], window_uncertainty=[])


def _import_bd2(project) -> ModelVersion:
    path = sorted((BD2 / "anns").glob("*.json"))[0]
    format_name, annset = formats.read(path.name, path.read_bytes(), recording=path.name)
    return external.import_predictions(project, annset, format_name)


def test_an_imported_version_is_read_from_its_chunks(bd2_project):  # noqa: F811
    version = _import_bd2(bd2_project)
    rows = Prediction.objects.filter(version=version).order_by("clip_id")
    expected = np.array([p.class_probs for p in rows], dtype=np.float32)
    assert len(expected) and expected.max() > 0
    assert ScoreChunk.objects.filter(version=version).count() >= 1

    _blank_prediction_json(version)
    with CaptureQueriesContext(connection) as queries:
        scores = poolscores.read(version)
    assert scores.ids.tolist() == [p.clip_id for p in rows]
    np.testing.assert_allclose(scores.probs, expected)
    assert not _reads_prediction_json(queries.captured_queries)


def test_a_round_on_an_imported_version_reads_chunks_not_predictions(bd2_project, cast):  # noqa: F811
    version = _import_bd2(bd2_project)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    scored = Prediction.objects.filter(version=version).count()
    _blank_prediction_json(version)
    with CaptureQueriesContext(connection) as queries:
        rnd = rounds.start_round(bd2_project, k=3, strategy="entropy", seed=0)
    assert rnd.model_version_id == version.pk and 1 <= rnd.candidates <= scored
    assert rnd.batch_size == min(3, rnd.candidates)  # only the clips the import scored
    assert not _reads_prediction_json(queries.captured_queries)


def test_legacy_predictions_are_packed_once_then_read_as_chunks(pool_project):  # noqa: F811
    version = add_predictions(pool_project, np.random.default_rng(4))
    rows = Prediction.objects.filter(version=version).order_by("clip_id")
    expected = np.array([p.class_probs for p in rows], dtype=np.float32)
    assert not ScoreChunk.objects.filter(version=version).exists()

    first = poolscores.read(version)  # the slow path, once: packs them
    np.testing.assert_allclose(first.probs, expected)
    assert ScoreChunk.objects.filter(version=version).count() == 1
    _blank_prediction_json(version)
    with CaptureQueriesContext(connection) as queries:
        again = poolscores.read(version)
    np.testing.assert_allclose(again.probs, expected)
    np.testing.assert_array_equal(again.embeddings, first.embeddings)
    np.testing.assert_allclose(again.windows, [[0.1, 0.2]] * len(expected), rtol=1e-6)
    assert not _reads_prediction_json(queries.captured_queries)
    assert ScoreChunk.objects.filter(version=version).count() == 1  # nothing packed twice


def test_backfill_packs_only_what_no_chunk_holds_in_bounded_chunks(pool_project):  # noqa: F811
    version = add_predictions(pool_project, np.random.default_rng(5))
    ids = list(
        Prediction.objects.filter(version=version)
        .order_by("clip_id")
        .values_list("clip_id", flat=True)
    )
    held = ids[10:20]  # as if a rescore after chunks existed had written these
    poolscores.chunk_row(version, held, np.full((10, 2), 0.5), [np.zeros(1)] * 10, None).save()

    assert poolscores.backfill(version.pk, rows=7) == len(ids) - 10
    chunks = ScoreChunk.objects.filter(version=version).exclude(n_clips=10)
    assert max(c.n_clips for c in chunks) <= 7
    packed = np.concatenate([np.frombuffer(bytes(c.clip_ids), np.int64) for c in chunks])
    assert sorted(packed.tolist()) == sorted(set(ids) - set(held))
    assert poolscores.backfill(version.pk, rows=7) == 0  # resumable: a second run packs nothing


def test_the_migration_packs_with_historical_models(pool_project):  # noqa: F811
    version = add_predictions(pool_project, np.random.default_rng(6), embeddings=False)
    migration = importlib.import_module("models_app.migrations.0008_backfill_score_chunks")
    state = MigrationLoader(connection).project_state(("models_app", "0008_backfill_score_chunks"))
    migration.backfill_chunks(state.apps, None)
    scores = poolscores.read(version)
    assert len(scores) == Prediction.objects.filter(version=version).count()
    assert scores.embeddings is None
    assert ScoreChunk.objects.filter(version=version).count() == 1


@pytest.mark.parametrize("width", [0, 3])
def test_packing_rows_keeps_the_probability_width(width):
    rows = [(i, [0.5] * width, [0.1], None) for i in (3, 1)]
    fields = poolscores._pack_rows(rows)
    assert fields["n_classes"] == width and fields["n_clips"] == 2 and fields["embeddings"] is None
