import pytest

from annotator import ingest, queue
from annotator.models import Clip, Recording
from echoloop.celery import app
from tests import factories as f
from tests.conftest import DATA


@pytest.fixture
def eager():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_queued_clips_are_prerendered_so_the_first_view_is_a_cache_hit(
    project, cast, api, settings, tmp_path, eager, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(
        project,
        f.make_dataset(project),
        str(DATA / "whombat" / "XC824040-Carollia_castanea-2013.01.17-CL00312_A_15.wav"),
    )
    clip = Clip.objects.get()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue.enqueue(project, [clip])
    assert len(callbacks) == 1
    start, end = (
        max(0, clip.start_s - project.context_s),
        min(clip.recording.duration_s, clip.end_s + project.context_s),
    )
    for kind in ("spectrogram", "scalogram"):
        response = api(cast["ann1"]).get(
            f"/api/recordings/{clip.recording_id}/{kind}.png?start={start}&end={end}&width=1600&height=512"
        )
        assert response.status_code == 200 and response["X-Cache"] == "hit", kind


def test_render_task_skips_clips_that_are_gone(project):
    from annotator.tasks import render_clip_views

    assert render_clip_views.apply(args=([987654],)).get() == 0
    assert not Recording.objects.exists()
