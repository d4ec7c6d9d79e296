"""/api/clips/ pages by key: every clip once, in id order, with no COUNT and no sort by names."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator.models import Clip
from tests import factories as f


def test_clips_are_paged_by_cursor_without_count(project, cast, api):
    rec = f.make_recording(project, duration_s=200.0)
    Clip.objects.bulk_create(
        Clip(project=project, recording=rec, start_s=i, end_s=i + 1) for i in range(120)
    )
    f.make_clip(f.make_project("elsewhere"))  # not the viewer's
    client, seen, url, pages = api(cast["viewer"]), [], "/api/clips/?page_size=50", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        assert "count" not in body and "cursor=" in (body["next"] or "cursor=")
        sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
        assert "COUNT(" not in sql and '"ANNOTATOR_RECORDING"."NAME" ASC' not in sql
        seen += [c["id"] for c in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert seen == list(
        Clip.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )


def test_recordings_are_paged_by_cursor(project, cast, api):
    for i in range(3):
        f.make_recording(project, name=f"r{i}.wav")
    body = api(cast["viewer"]).get(f"/api/recordings/?project={project.pk}&page_size=2").json()
    assert "count" not in body and len(body["results"]) == 2
    rest = api(cast["viewer"]).get(body["next"]).json()
    assert [r["name"] for r in body["results"] + rest["results"]] == ["r0.wav", "r1.wav", "r2.wav"]
