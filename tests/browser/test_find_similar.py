"""Search by example in Chromium: find similar on the annotation page → label a match from the
strip with one key → queue the rest as a round "similar to clip X"; and a lead's batch label on the
review page."""

from __future__ import annotations

import pytest

from annotator import queue
from annotator.models import Clip, ClipAnnotation, Role, Tag
from models_app import embeddings_store, registry
from models_app.inference import Detector
from models_app.models import ModelVersion
from models_app.starts import PRETRAINED
from sampling.models import SamplingRound
from tests import factories as f
from tests.services import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def bats(settings, tmp_path, monkeypatch):
    """The Whombat bats, scored by the shipped pretrained detector (its windows stored), one clip queued."""
    settings.MEDIA_ROOT = tmp_path / "media"
    project = f.make_project(
        "Similar bats",
        fmin_hz=10_000,
        fmax_hz=150_000,
        context_s=0.1,
        double_annotation_fraction=0.0,
        retrain_every=0,
        audit_fraction=0.0,
    )
    f.import_whombat(project)
    tag = Tag.objects.get(project=project, value="Carollia castanea")
    tag.hotkey = "1"
    tag.save()
    detector = Detector.load(PRETRAINED / "synthetic-ebf98fc849888fe233586887.pt", device="cpu")
    monkeypatch.setattr(registry, "detector_for", lambda version: detector)
    version = ModelVersion.objects.create(
        project=project, number=1, class_names=detector.class_names, is_active=True
    )
    registry.score_clips(
        version, list(Clip.objects.for_project(project).values_list("pk", flat=True))
    )
    embeddings_store.compact(project.pk, embeddings_store.version_source(version.pk))
    people = {name: f.make_user(name) for name in ("annie", "lena")}
    f.add_member(project, people["annie"], Role.ANNOTATOR)
    f.add_member(project, people["lena"], Role.LEAD)
    query = (
        Clip.objects.filter(project=project, recording__name__contains="castanea")
        .order_by("start_s")
        .first()
    )
    queue.enqueue(project, [query])
    return project, tag, people, query


def test_find_similar_label_from_the_strip_and_queue_these(browser_page, live_server, log_in, bats):
    project, tag, people, query = bats
    page = browser_page
    log_in("annie", f"/projects/{project.pk}/annotate/")
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    page.click("button.el-find-similar")
    page.wait_for_selector(".el-similar-item img", timeout=30_000)
    items = page.locator(".el-similar-item")
    stored = embeddings_store.load(
        project.pk, embeddings_store.version_source(project.model_versions.get().pk)
    )
    n_clips = len(set(stored.clip_ids.tolist()))
    assert items.count() == min(12, n_clips - 1) > 3
    first = int(items.nth(0).get_attribute("data-clip"))
    assert first != query.pk
    distances = [
        float(t.split()[1]) for t in page.locator(".el-similar-distance").all_inner_texts()
    ]
    assert distances == sorted(distances)
    # One key labels the focused match (and the clip under annotation gets nothing).
    items.nth(0).focus()
    page.keyboard.press("1")
    wait_until(
        lambda: ClipAnnotation.objects.filter(clip_id=first, annotator=people["annie"]).exists(),
        timeout=20,
        what="the match's label to reach the database",
    )
    ann = ClipAnnotation.objects.get(clip_id=first, annotator=people["annie"])
    assert list(ann.tags.values_list("value", flat=True)) == [tag.value]
    page.wait_for_selector(f'.el-similar-item[data-clip="{first}"] .el-similar-label')
    assert page.evaluate("window.echoloop.state().events.length") == 0
    assert not ClipAnnotation.objects.filter(clip=query).exists()
    # A match annie annotated already elsewhere: its key says so on the match (no raw "HTTP 409"),
    # keeps her earlier answer as it was, and moves on to the next match.
    second = int(items.nth(1).get_attribute("data-clip"))
    earlier = ClipAnnotation.objects.create(
        project=project, clip_id=second, annotator=people["annie"], notes="mine"
    )
    items.nth(1).focus()
    page.keyboard.press("1")
    page.wait_for_selector(
        f'.el-similar-item[data-clip="{second}"] .el-similar-label:has-text("already labelled")'
    )
    message = page.locator(".el-similar-message").inner_text()
    assert f"Clip {second} is already in your annotations" in message and "HTTP" not in message
    assert page.evaluate("document.activeElement.dataset.clip") == items.nth(2).get_attribute(
        "data-clip"
    )
    earlier.refresh_from_db()
    assert earlier.notes == "mine" and not earlier.tags.exists()
    # Queue the rest: a round of the unlabelled matches, with the query as the reason.
    page.click("button.el-similar-queue")
    page.wait_for_selector(".el-similar-message:has-text('Queued')", timeout=20_000)
    rnd = SamplingRound.objects.get(project=project, strategy="similar")
    picks = list(rnd.picks.all())
    assert picks and all(p.reason.startswith(f"similar to clip {query.pk}") for p in picks)
    assert first not in {p.clip_id for p in picks}
    # The browser logs the refused label's 409 itself; nothing else may fail.
    assert [e for e in page.console_errors if "status of 409" not in e] == []


def test_a_lead_labels_a_batch_of_matches_on_the_review_page(
    browser_page, live_server, log_in, bats
):
    project, tag, people, query = bats
    queue.save_annotation(project, query, people["annie"], queue.Submission(tags=[tag.pk]))
    page = browser_page
    log_in("lena", f"/projects/{project.pk}/review/")
    page.wait_for_selector("button.el-find-similar", timeout=60_000)
    page.wait_for_selector('#echoloop-annotator[data-state="ready"]', timeout=60_000)
    page.click("button.el-find-similar")
    try:
        page.wait_for_selector(".el-similar-item", timeout=30_000)
    except Exception as exc:
        exc.add_note(f"strip says: {page.locator('.el-similar-message').inner_text()}")
        raise
    n = page.locator(".el-similar-item").count()
    page.click("button.el-similar-batch")
    page.wait_for_selector(f".el-similar-message:has-text('Labelled {n} clips')", timeout=20_000)
    assert (
        ClipAnnotation.objects.filter(project=project, annotator=people["lena"], tags=tag).count()
        == n
    )
    assert not page.console_errors


def test_a_lead_sees_each_embeddings_licence_and_chooses_one(
    browser_page, live_server, log_in, bats
):
    project, _tag, _people, _query = bats
    page = browser_page
    log_in("lena", f"/projects/{project.pk}/dashboard/")
    row = page.wait_for_selector(
        '#embedding-choice tr[data-embedding="band-stats"]', timeout=30_000
    )
    assert "no model weights" in row.inner_text()
    # Nothing chosen yet: the project's default is in use, with the reason (bats: band statistics).
    in_use = page.inner_text("#embedding-choice .embedding-in-use")
    assert "band-stats (project default — ultrasonic recordings (375 kHz)" in in_use
    assert page.is_checked('#embedding-choice tr[data-embedding="default"] input')
    assert page.is_disabled('#embedding-choice input[value="selfsupervised"]')
    page.check('#embedding-choice input[value="band-stats"]')
    page.click("#embedding-choice button.use-embedding")
    page.wait_for_selector("#embedding-choice p:has-text('Now using band-stats')", timeout=20_000)
    page.wait_for_selector(
        "#embedding-choice .embedding-in-use:has-text('band-stats (chosen by a lead)')",
        timeout=20_000,
    )
    project.refresh_from_db()
    assert project.sampling_params["embedding_adapter"] == "band-stats"
    assert not page.console_errors
