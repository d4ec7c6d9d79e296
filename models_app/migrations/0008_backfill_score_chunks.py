"""Pack the predictions of versions scored before score chunks existed (and of imported
versions) into chunks, so a sampling round reads every version as arrays.

Not atomic: each chunk of 1,000 clips is its own transaction, so a million predictions never
sit in one transaction and an interrupted run resumes where it stopped (``backfill`` packs
only the clips no chunk holds). A version this misses is packed by its first round."""

from django.db import migrations


def backfill_chunks(apps, schema_editor):
    from models_app import poolscores

    ModelVersion = apps.get_model("models_app", "ModelVersion")
    Prediction = apps.get_model("models_app", "Prediction")
    ScoreChunk = apps.get_model("models_app", "ScoreChunk")
    for version_id in ModelVersion.objects.order_by("pk").values_list("pk", flat=True):
        poolscores.backfill(version_id, prediction_model=Prediction, chunk_model=ScoreChunk)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("models_app", "0007_light_head")]

    operations = [
        migrations.RunPython(backfill_chunks, migrations.RunPython.noop, elidable=True),
    ]
