"""/api/tasks/ and /api/annotations/ page by key: every row once, in id order, and no page (the
last included) runs a COUNT, however many tasks and labels a season has."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotator import queue
from annotator.models import AnnotationTask, ClipAnnotation
from tests import factories as f


def _walk(client, url) -> tuple[list[int], list[str]]:
    """Every id of the list, following ``next``; the SQL of each page."""
    ids, sqls = [], []
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        sqls.append(" ".join(q["sql"].upper() for q in queries.captured_queries))
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, sqls


def test_tasks_are_paged_by_key_and_the_last_page_counts_nothing(project, cast, api):
    recording = f.make_recording(project, duration_s=130.0)
    clips = [f.make_clip(project, recording, i, i + 1) for i in range(120)]
    queue.enqueue(project, clips, priorities=[float(i) for i in range(120)])
    other = f.make_project("elsewhere")
    queue.enqueue(other, [f.make_clip(other)], priorities=[1.0])  # not the viewer's
    ids, sqls = _walk(api(cast["viewer"]), f"/api/tasks/?project={project.pk}&page_size=50")
    assert len(sqls) == 3 and all("COUNT(" not in sql for sql in sqls)
    assert ids == list(
        AnnotationTask.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )


def test_task_filters_still_apply_under_key_paging(project, cast, api):
    recording = f.make_recording(project, duration_s=10.0)
    clips = [f.make_clip(project, recording, i, i + 1) for i in range(6)]
    tasks = queue.enqueue(project, clips, priorities=[float(i) for i in range(6)])
    queue.claim_next(project, cast["ann1"])
    url = f"/api/tasks/?project={project.pk}&status=queued&page_size=2"
    ids, sqls = _walk(api(cast["lead"]), url)
    assert len(ids) == 5 and len(sqls) == 3
    assert set(ids) == {t.pk for t in tasks} - set(
        AnnotationTask.objects.filter(status="leased").values_list("pk", flat=True)
    )


def test_annotations_are_paged_by_key_without_count(project, cast, api):
    recording = f.make_recording(project, duration_s=10.0)
    for i in range(5):
        clip = f.make_clip(project, recording, i, i + 1)
        queue.save_annotation(project, clip, cast["ann1"], queue.Submission(no_calls=True))
    ids, sqls = _walk(api(cast["lead"]), f"/api/annotations/?project={project.pk}&page_size=2")
    assert len(sqls) == 3 and all("COUNT(" not in sql for sql in sqls)
    assert ids == list(
        ClipAnnotation.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
    )
