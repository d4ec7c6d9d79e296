"""The render cache stays under its byte cap, least recently used views out first."""

import math
import random
import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotator import ingest, rendering, viewcache
from annotator.models import Recording, RenderedViewEntry
from sampling import loop
from tests import factories as f
from tests.conftest import DATA


@pytest.fixture
def bat(project, settings, tmp_path, monkeypatch):
    """A recording, with the process's in-memory views off so every request reaches storage."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(rendering, "RECENT", rendering._RecentViews(budget=0))
    f.make_root(DATA / "whombat")
    ingest.import_location(
        project,
        f.make_dataset(project),
        str(DATA / "whombat" / "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"),
    )
    return Recording.objects.get()


def view(recording: Recording, db_min: int, start: float = 0.0) -> rendering.RenderedView:
    params = {
        "start": start,
        "end": start + 0.05,
        "width": 64,
        "height": 64,
        "levels": "fixed",
        "db_min": db_min,
        "db_max": 0,
    }
    return rendering.render(
        recording, rendering.parse_spec("spectrogram", params, recording, recording.project)
    )


def stored_bytes(settings) -> int:
    """What the views really take under MEDIA_ROOT, measured on disk."""
    folder = settings.MEDIA_ROOT / "views"
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def on_disk(settings, key: str) -> bool:
    return any((settings.MEDIA_ROOT / path).exists() for path in viewcache.paths(key))


def age(key: str, minutes: float) -> None:
    RenderedViewEntry.objects.filter(key=key).update(
        last_used_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_random_views_never_grow_storage_past_the_cap(bat, settings):
    view(bat, -100)
    one = stored_bytes(settings)  # a view's size, roughly
    settings.ECHOLOOP_RENDER_CACHE_BYTES = cap = 8 * one
    rng = random.Random(13)
    for db_min in rng.sample(range(-250, -10), 60):
        view(bat, db_min, start=round(rng.uniform(0, 0.5), 3))
        assert stored_bytes(settings) <= cap
    ledger = sum(RenderedViewEntry.objects.values_list("bytes", flat=True))
    assert ledger == stored_bytes(settings) and stored_bytes(settings) >= cap // 2
    assert RenderedViewEntry.objects.count() < 60


def test_recently_used_view_survives_and_the_oldest_goes(bat, settings):
    a, b, c, d = (view(bat, db_min).key for db_min in (-100, -90, -80, -70))
    for key, minutes in ((a, 40), (b, 30), (c, 20), (d, 10)):
        age(key, minutes)
    assert view(bat, -100).cached  # a hit from storage: A is the most recently used now
    # A cap that leaves exactly B's bytes over the low-water mark.
    total, b_bytes = stored_bytes(settings), RenderedViewEntry.objects.get(key=b).bytes
    settings.ECHOLOOP_RENDER_CACHE_BYTES = math.ceil((total - b_bytes) / viewcache.LOW_WATER)
    assert viewcache.evict() == [b]
    assert not on_disk(settings, b) and all(on_disk(settings, key) for key in (a, c, d))
    assert set(RenderedViewEntry.objects.values_list("key", flat=True)) == {a, c, d}


def test_a_hit_refreshes_recency_without_a_write_on_every_hit(bat):
    key = view(bat, -100).key
    age(key, 1)
    before = RenderedViewEntry.objects.get(key=key).last_used_at
    with CaptureQueriesContext(connection) as queries:
        assert view(bat, -100).cached
    assert not [
        q
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    assert RenderedViewEntry.objects.get(key=key).last_used_at == before
    age(key, viewcache.REFRESH_AFTER.total_seconds() / 60 + 1)
    assert view(bat, -100).cached
    assert RenderedViewEntry.objects.get(key=key).last_used_at > timezone.now() - timedelta(
        minutes=1
    )


def test_eviction_deletes_the_files_and_the_row(bat, settings):
    key = view(bat, -100).key
    assert on_disk(settings, key)
    settings.ECHOLOOP_RENDER_CACHE_BYTES = 0
    assert viewcache.evict() == [key]
    assert not on_disk(settings, key) and not RenderedViewEntry.objects.exists()
    settings.ECHOLOOP_RENDER_CACHE_BYTES = 10**9
    again = view(bat, -100)
    assert not again.cached and RenderedViewEntry.objects.get().key == key


def test_a_view_stored_before_the_ledger_is_adopted_on_its_next_hit(bat, settings):
    key = view(bat, -100).key
    RenderedViewEntry.objects.all().delete()
    assert view(bat, -100).cached
    assert RenderedViewEntry.objects.get(key=key).bytes == stored_bytes(settings)


def test_the_beat_trims_a_cache_over_its_cap(bat, settings):
    keys = [view(bat, db_min).key for db_min in (-100, -90, -80)]
    age(keys[0], 30)
    settings.ECHOLOOP_RENDER_CACHE_BYTES = stored_bytes(settings) - 1  # as if the cap were lowered
    assert loop.tend()["evicted_views"] == 1
    assert (
        not on_disk(settings, keys[0])
        and stored_bytes(settings) <= settings.ECHOLOOP_RENDER_CACHE_BYTES
    )


@pytest.mark.django_db(transaction=True)
def test_two_evictions_at_once_take_disjoint_views(settings, tmp_path, monkeypatch):
    """Real concurrent transactions (PostgreSQL in CI): both evictors read the same oldest views;
    one takes them, the other skips the locked rows instead of waiting or deleting them twice."""
    settings.MEDIA_ROOT = tmp_path / "media"
    now = timezone.now()
    for i in range(20):
        key = f"{i:02d}" + "ab" * 19
        for path in viewcache.paths(key):
            default_storage.save(path, ContentFile(b"x" * 50))
        RenderedViewEntry.objects.create(
            key=key, bytes=100, last_used_at=now - timedelta(minutes=100 - i)
        )
    settings.ECHOLOOP_RENDER_CACHE_BYTES = 1000  # 2000 stored: down to 900: the eleven oldest go
    read_both = threading.Barrier(2, timeout=10)
    done = {name: threading.Event() for name in ("one", "two")}
    overlapped, deleted, results, errors, waited = [], [], {}, [], set()
    oldest, delete = viewcache._oldest, default_storage.delete

    def oldest_then_wait(excess):
        victims = oldest(excess)
        read_both.wait()
        return victims

    def delete_while_locked(path):
        name = threading.current_thread().name
        if name not in waited:  # hold the rows until the other evictor is through, if it can be
            waited.add(name)
            overlapped.append(done["two" if name == "one" else "one"].wait(timeout=10))
        deleted.append(path)
        delete(path)

    monkeypatch.setattr(viewcache, "_oldest", oldest_then_wait)
    monkeypatch.setattr(default_storage, "delete", delete_while_locked)

    def run():
        name = threading.current_thread().name
        try:
            results[name] = viewcache.evict()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            done[name].set()
            connection.close()

    threads = [threading.Thread(target=run, name=name) for name in done]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    evicted = results["one"] + results["two"]
    assert len(evicted) == len(set(evicted)) == 11
    assert len(deleted) == len(set(deleted)) == 22
    assert RenderedViewEntry.objects.count() == 9
    assert not any(on_disk(settings, key) for key in evicted)
    if connection.features.has_select_for_update_skip_locked:  # SQLite serialises writers instead
        assert overlapped == [True]  # the other finished while the first still held its rows
