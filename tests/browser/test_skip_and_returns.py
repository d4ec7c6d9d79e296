"""Skip moves on (with a reason the lead then reads), and a rejected clip reaches its annotator
with the lead's note — in Debian's Chromium against the live Django app."""

from __future__ import annotations

import pytest

from annotator import queue, review
from annotator.models import AnnotationTask, Clip, Role, Tag, TaskSkip
from tests import factories as f
from tests.browser.test_annotate_page import drag
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READY = '#echoloop-annotator[data-state="ready"]'


@pytest.fixture
def bats(settings, tmp_path):
    """The whombat bat recordings queued in a project with a lead and two annotators; the
    *C. castanea* tag answers to "1" (its hotkey too, as in the demo)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "Skipping bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.import_whombat(project)
    tag = Tag.objects.get(project=project, value="Carollia castanea")
    tag.hotkey = "1"
    tag.save()
    people = {name: f.make_user(name) for name in ("lena", "annie", "otto")}
    f.add_member(project, people["lena"], Role.LEAD)
    f.add_member(project, people["annie"], Role.ANNOTATOR)
    f.add_member(project, people["otto"], Role.ANNOTATOR)
    clips = list(Clip.objects.filter(project=project).order_by("recording__name", "start_s"))[:4]
    tasks = queue.enqueue(project, clips, priorities=[len(clips) - i for i in range(len(clips))])
    return project, tag, people, tasks


def open_annotator(page, base: str, project) -> int:
    page.goto(f"{base}/projects/{project.pk}/annotate/")
    page.wait_for_selector(READY, timeout=60_000)
    return page.evaluate("window.echoloop.state().task")


def test_skip_with_a_reason_moves_on_and_the_lead_reads_it(
    browser_page, chromium_browser, live_server, log_in, bats
):
    project, tag, _people, tasks = bats
    page = browser_page
    log_in("annie", f"/projects/{project.pk}/annotate/")
    first = open_annotator(page, live_server.url, project)
    assert first == tasks[0].pk
    # Tag buttons: the species name and its key once (the hotkey "1" is also its position).
    button = page.locator(".el-tag", has_text="Carollia castanea")
    assert " ".join(button.inner_text().split()) == "1 Carollia castanea"

    # k opens the chooser; Escape goes back to the same clip, and nothing is recorded.
    page.keyboard.press("k")
    page.wait_for_selector("dialog.el-skip[open]")
    page.keyboard.press("Escape")
    page.wait_for_selector("dialog.el-skip", state="hidden")
    assert page.evaluate("window.echoloop.state().task") == first and not TaskSkip.objects.exists()

    # "other" needs a note: Enter without one keeps the dialog open and says so.
    page.keyboard.press("k")
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    assert "few words" in page.locator(".el-skip-problem").inner_text()
    page.keyboard.type("two bats and rain")
    page.keyboard.press("Enter")
    page.wait_for_function(f"window.echoloop.state() && window.echoloop.state().task !== {first}")
    page.wait_for_selector(READY, timeout=60_000)
    assert page.evaluate("window.echoloop.state().task") == tasks[1].pk
    status = page.locator(".el-status")
    wait_until(
        lambda: f"Skipped clip {tasks[0].clip_id} (two bats and rain)" in status.inner_text(),
        timeout=10,
        what=lambda: f"the status to say what was skipped, have {status.inner_text()!r}",
    )
    skip = TaskSkip.objects.get()
    assert (skip.task_id, skip.user.username, skip.reason, skip.note) == (
        first,
        "annie",
        "other",
        "two bats and rain",
    )

    # The next clip: a box labelled with key 1 makes Carollia castanea a clip tag.
    page.keyboard.press("1")
    drag(page, tasks[1].clip.start_s + 0.05, tasks[1].clip.start_s + 0.08, 40_000, 90_000)
    wait_until(
        lambda: page.evaluate("window.echoloop.state().tags") == [tag.pk],
        timeout=10,
        what=lambda: f"clip tags from the box, have {page.evaluate('window.echoloop.state()')}",
    )

    # The lead sees the skipped clip and its reason on the project page.
    lead = chromium_browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    lead.goto(f"{live_server.url}/login/?next=/projects/{project.pk}/")
    lead.fill("input[name=username]", "lena")
    lead.fill("input[name=password]", "pw-for-tests-only")
    with lead.expect_navigation():
        lead.click("button[type=submit]")
    row = lead.locator(f'#skipped-clips tr[data-task="{first}"]')
    assert (
        "annie" in row.inner_text()
        and row.locator(".skip-reason").inner_text() == "other: two bats and rain"
    )
    assert page.console_errors == []


def test_skip_twice_then_the_skipped_clip_comes_back_last_saying_why(
    browser_page, live_server, log_in, bats
):
    project, _tag, _people, tasks = bats
    AnnotationTask.objects.filter(pk__in=[t.pk for t in tasks[1:]]).delete()
    page = browser_page
    log_in("annie", f"/projects/{project.pk}/annotate/")
    first = open_annotator(page, live_server.url, project)
    page.keyboard.press("k")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    # Nothing else is open: the same clip comes back, and the page says it was skipped and why.
    note = page.locator(".el-task-note")
    wait_until(
        lambda: note.is_visible() and "broken audio" in note.inner_text(),
        timeout=30,
        what="the note that the clip was skipped before",
    )
    assert page.evaluate("window.echoloop.state().task") == first
    assert TaskSkip.objects.get().reason == "broken_audio"


def test_rejected_clip_reaches_its_annotator_with_the_note(browser_page, live_server, log_in, bats):
    project, _tag, people, tasks = bats
    annie, lena = people["annie"], people["lena"]
    task = queue.claim_next(project, annie)
    annotation = queue.submit(task, annie, queue.Submission(no_calls=True, notes="nothing here"))
    review.reject(
        annotation, lena, version=annotation.version, note="There is a Carollia call at 0.2 s"
    )

    page = browser_page
    log_in("annie", f"/projects/{project.pk}/")
    count = page.locator('#returned-to-you [data-count="returned"]')
    assert count.inner_text() == "1"
    # Otto is not offered the returned clip; annie gets it first, with her answer and the note.
    assert queue.claim_next(project, people["otto"]).pk != task.pk
    assert open_annotator(page, live_server.url, project) == task.pk
    note = page.locator(".el-task-note")
    assert note.is_visible() and "There is a Carollia call at 0.2 s" in note.inner_text()
    state = page.evaluate("window.echoloop.state()")
    assert (
        state["no_calls"]
        and state["notes"] == "nothing here"
        and state["version"] == annotation.version + 1
    )
    assert page.console_errors == []
