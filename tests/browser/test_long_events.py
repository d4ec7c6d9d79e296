"""A long event imported across two clips shows (dotted) on the second clip's page; labelling it
again there is refused with a clear message, and it can be deleted from there."""

from __future__ import annotations

import pytest

from annotator import exchange, ingest, queue
from annotator.models import Clip, ClipAnnotation, Role, Tag
from tests import factories as f
from tests.browser.test_annotate_page import SHOTS, drag, open_annotator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\ntone.wav,0.3,0.7,30000,50000,Myotis\n"


@pytest.fixture
def long_event(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = tmp_path / "audio"
    folder.mkdir()
    f.write_tone(folder / "tone.wav", duration_s=1.5)
    project = f.make_project(
        "Long events", fmin_hz=10_000, fmax_hz=150_000, context_s=0.05, clip_length_s=0.5
    )
    project.double_annotation_fraction = 0.0
    project.save()
    f.make_root(folder)
    ingest.import_location(project, f.make_dataset(project), str(folder))
    annie = f.make_user("annie")
    f.add_member(project, annie, Role.ANNOTATOR)
    exchange.import_annotations(
        project, exchange.Upload("long.csv", CSV.encode()), annotator=annie, create_tags=True
    )
    Tag.objects.filter(project=project, value="Myotis").update(hotkey="1")
    home, second = Clip.objects.filter(project=project).order_by("start_s")[:2]
    queue.enqueue(project, [second])
    return project, home, second


def test_long_event_from_the_first_clip_shows_on_the_second(
    browser_page, live_server, log_in, long_event
):
    project, home, second = long_event
    page = browser_page
    log_in("annie", f"/projects/{project.pk}/annotate/")
    open_annotator(page, live_server.url, project)
    assert page.evaluate("window.echoloop.state().task") is not None
    (drawn,) = page.evaluate("window.echoloop.continuing()")
    assert (drawn["start_s"], drawn["end_s"], drawn["from_clip"]) == (0.3, 0.7, home.pk)
    assert drawn["continues"] is True
    page.screenshot(path=str(SHOTS / "echoloop_browser_long_event.png"))
    notice = page.locator(".el-notice")
    assert notice.is_visible()
    assert f"from clip {home.pk} continues into this clip" in notice.inner_text()
    # Not part of this clip's draft: submitting the clip does not copy it.
    assert page.evaluate("window.echoloop.state().events") == []
    # Drawing the visible part again and submitting is refused, saying where it is labelled.
    drag(page, 0.51, 0.69, 31_000, 49_000)
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.querySelector('.el-status').textContent.includes('already labelled on clip')",
        timeout=30_000,
    )
    assert not ClipAnnotation.objects.filter(clip=second).exists()


def test_long_event_is_deleted_from_the_clip_it_continues_into(
    browser_page, live_server, log_in, long_event
):
    """The notice's Delete saves the home clip's answer without the event (a new version, the
    old one kept as a revision), and the dotted box goes."""
    project, home, _second = long_event
    page = browser_page
    log_in("annie", f"/projects/{project.pk}/annotate/")
    open_annotator(page, live_server.url, project)
    answer = ClipAnnotation.objects.get(clip=home)
    assert answer.events.count() == 1
    page.locator(".el-notice button", has_text="Delete Myotis 0.30–0.70 s").click()
    page.wait_for_function(
        "document.querySelector('.el-status').textContent.includes('Deleted Myotis')",
        timeout=30_000,
    )
    answer.refresh_from_db()
    assert answer.events.count() == 0 and answer.version == 2
    assert answer.revisions.get(version=1).data["events"][0]["start_s"] == 0.3
    assert page.evaluate("window.echoloop.continuing()") == []
