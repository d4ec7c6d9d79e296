"""A lead managing the project in Chromium: a tag made on the settings page answers its hotkey on
the annotation page, and the dashboard's export buttons download the filtered rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from annotator import queue
from annotator.models import Clip, ClipAnnotation, Role, Tag
from tests import factories as f
from tests.browser.test_annotate_page import drag
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = Path("/tmp/echoloop_manage.png")


@pytest.fixture
def bats(settings, tmp_path):
    """The Whombat bat recordings, a lead ("lena") and every clip of one recording queued."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "Managed bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
    )
    f.import_whombat(project)
    lead = f.make_user("lena")
    f.add_member(project, lead, Role.LEAD)
    clips = list(Clip.objects.filter(project=project, recording__name__contains="castanea"))
    queue.enqueue(project, clips, priorities=[len(clips) - i for i in range(len(clips))])
    return project, lead, clips


def test_lead_makes_a_tag_with_a_hotkey_and_uses_it(bats, live_server, browser_page, log_in):
    project, lead, clips = bats
    page = browser_page
    log_in("lena", "/")
    page.click(f"a[href='/projects/{project.pk}/manage/']")
    page.wait_for_selector("#new-tag")
    page.fill("#new-tag [name=new-tag-value]", "Myotis testii")
    page.fill("#new-tag [name=new-tag-display_name]", "Test bat")
    page.fill("#new-tag [name=new-tag-hotkey]", "M")
    page.fill("#new-tag [name=new-tag-color]", "#ff00aa")
    with page.expect_navigation():
        page.click("#new-tag button[type=submit]")
    tag = Tag.objects.get(project=project, value="Myotis testii")
    assert (tag.hotkey, tag.color, tag.display_name) == ("m", "#ff00aa", "Test bat")
    assert (
        page.locator(f"form[data-tag='{tag.pk}'] [name=tag-{tag.pk}-hotkey]").input_value() == "m"
    )
    assert "Added Test bat." in page.locator(".messages").inner_text()

    # a second tag on the same key is refused beside the form, with the lead's input kept
    page.fill("#new-tag [name=new-tag-value]", "Myotis alterus")
    page.fill("#new-tag [name=new-tag-hotkey]", "m")
    with page.expect_navigation():
        page.click("#new-tag button[type=submit]")
    assert "Another tag of this project has this hotkey." in page.locator("#new-tag").inner_text()
    assert page.locator("#new-tag [name=new-tag-value]").input_value() == "Myotis alterus"
    page.screenshot(path=str(SHOT), full_page=True)
    assert not Tag.objects.filter(value="Myotis alterus").exists()
    assert [e for e in page.console_errors if "/manage/tags/" not in e] == []
    page.console_errors.clear()  # the refused form's page answered 400, on purpose

    page.goto(f"{live_server.url}/projects/{project.pk}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    drag(page, 0.20, 0.26, 40_000, 90_000)
    page.keyboard.press("m")
    page.keyboard.press("Enter")
    wait_until(
        lambda: ClipAnnotation.objects.filter(clip=clips[0]).exists(),
        timeout=30,
        what="the submission to reach the database",
    )
    event = ClipAnnotation.objects.get(clip=clips[0]).events.get()
    assert event.tag == tag
    assert not page.console_errors, page.console_errors


@pytest.fixture
def exported(project, cast):
    """Boxes in two datasets by two annotators; one of ann1's annotations accepted by the lead."""
    tag = f.make_tag(project)
    clips = []
    for name in ("north", "south"):
        recording = f.make_recording(project, name=f"{name}.wav")
        recording.dataset = f.make_dataset(project, name)
        recording.save()
        clips.append(f.make_clip(project, recording))
    saved = {}
    for who, clip, start in [
        ("ann1", clips[0], 0.1),
        ("ann1", clips[1], 0.2),
        ("ann2", clips[0], 0.3),
    ]:
        event = queue.EventInput(start, start + 0.05, 20_000, 40_000, tag.pk)
        saved[start] = queue.save_annotation(
            project, clip, cast[who], queue.Submission(events=[event])
        )
    saved[0.2].review_status = ClipAnnotation.Review.ACCEPTED
    saved[0.2].save()
    return clips


def download_csv(page) -> tuple[str, list[dict]]:
    with page.expect_download() as info:
        page.click("#export-formats button[value=csv]")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    return download.suggested_filename, list(csv.DictReader(io.StringIO(text)))


def starts(rows: list[dict]) -> list[float]:
    return sorted(round(float(r["start_s"]), 3) for r in rows)


def test_export_buttons_download_the_filtered_rows(
    exported, project, cast, live_server, browser_page, log_in
):
    page = browser_page
    log_in("viewer", f"/projects/{project.pk}/dashboard/")
    page.wait_for_selector("#export-formats button[value=csv]")
    labels = page.locator("#export-formats button").all_inner_texts()
    assert labels == ["AOEF (Whombat)", "Raven tables", "Audacity labels", "BatDetect2 JSON", "CSV"]

    name, rows = download_csv(page)
    assert name == "managed-bats.csv" or name.endswith(".csv")
    assert starts(rows) == [0.1, 0.2, 0.3]

    page.select_option("select[name=annotator]", label="ann2")
    assert starts(download_csv(page)[1]) == [0.3]

    page.select_option("select[name=annotator]", label="all")
    page.select_option("select[name=dataset]", label="north")
    assert starts(download_csv(page)[1]) == [0.1, 0.3]

    page.select_option("select[name=dataset]", label="all")
    page.check("input[name=reviewed]")
    assert starts(download_csv(page)[1]) == [0.2]

    with page.expect_download() as info:
        page.click("#export-formats button[value=raven]")
    assert (
        info.value.suggested_filename == "south.Table.1.selections.txt"
    )  # only the accepted one's recording
    assert not page.console_errors, page.console_errors
