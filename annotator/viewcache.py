"""The render cache's bound: rendered views live in storage under a byte cap, least recently used
out first.

Every stored view has a `RenderedViewEntry` (its key, size and last use). A store that pushes the
total over ``ECHOLOOP_RENDER_CACHE_BYTES`` evicts the oldest views, files and rows, down to 90 % of
the cap, so the next stores do not evict again. Views stored before the ledger existed get their row
on their next hit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from annotator.models import RenderedViewEntry

# A hit refreshes its view's last use at most this often: recency to the quarter hour is plenty
# for a cache that holds days of views, and a hit then reads the ledger but seldom writes it.
REFRESH_AFTER = timedelta(minutes=15)
# Evicting stops here, leaving room for the next stores before the cap is reached again.
LOW_WATER = 0.9
# At most this many views go per call, so one request never pays for a whole clean-up.
MAX_EVICTIONS = 200


def paths(key: str) -> tuple[str, str]:
    """Where a view's PNG and its extent (JSON) are stored."""
    return f"views/{key[:2]}/{key}.png", f"views/{key[:2]}/{key}.json"


def stored(key: str, nbytes: int) -> list[str]:
    """A view was just written to storage: record it as used now, then keep the cache under its cap."""
    RenderedViewEntry.objects.update_or_create(
        key=key, defaults={"bytes": nbytes, "last_used_at": timezone.now()}
    )
    return evict()


def used(key: str, nbytes: int) -> None:
    """A view was served from storage: refresh its last use if stale; adopt it if it has no row."""
    now = timezone.now()
    last = RenderedViewEntry.objects.filter(key=key).values_list("last_used_at", flat=True).first()
    if last is None:
        try:
            with transaction.atomic():
                RenderedViewEntry.objects.create(key=key, bytes=nbytes, last_used_at=now)
        except IntegrityError:  # another process adopted it first
            return
        evict()
    elif last < now - REFRESH_AFTER:
        RenderedViewEntry.objects.filter(key=key, last_used_at=last).update(last_used_at=now)


def evict() -> list[str]:
    """Drop the least recently used views while the cache is over its cap; the keys dropped."""
    cap = settings.ECHOLOOP_RENDER_CACHE_BYTES
    total = RenderedViewEntry.objects.aggregate(total=Sum("bytes"))["total"] or 0
    if total <= cap:
        return []
    victims = _oldest(total - int(cap * LOW_WATER))
    if not victims:  # another process emptied the ledger meanwhile
        return []
    newest = max(at for _pk, _key, at in victims)
    with transaction.atomic():
        # Two processes evicting at once take disjoint rows: those another holds are skipped (and
        # those refreshed since we looked are spared), so no file is deleted twice, none waits.
        mine = list(
            RenderedViewEntry.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[pk for pk, _key, _at in victims], last_used_at__lte=newest)
            .values_list("pk", "key")
        )
        # Files go while the rows are still locked: a process re-storing one of these views waits
        # for us, then writes its row anew (a missing file is re-rendered on its next request).
        for _pk, key in mine:
            for path in paths(key):
                default_storage.delete(path)
        RenderedViewEntry.objects.filter(pk__in=[pk for pk, _key in mine]).delete()
    return [key for _pk, key in mine]


def _oldest(excess: int) -> list[tuple[int, str, datetime]]:
    """The least recently used views whose sizes add up to ``excess`` (at most `MAX_EVICTIONS`)."""
    rows = RenderedViewEntry.objects.order_by("last_used_at").values_list(
        "pk", "key", "bytes", "last_used_at"
    )
    victims = []
    for pk, key, size, at in rows[:MAX_EVICTIONS]:
        if excess <= 0:
            break
        victims.append((pk, key, at))
        excess -= size
    return victims
