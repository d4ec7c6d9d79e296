"""The render cache's ledger: which views are stored, their size and when they were last served."""

from __future__ import annotations

from django.db import models


class RenderedViewEntry(models.Model):
    """One rendered view in storage (`annotator.viewcache`). The ledger lets the cache stay under
    its byte cap by dropping the least recently used views, without listing the storage."""

    key = models.CharField(max_length=40, unique=True)
    bytes = models.BigIntegerField(help_text="PNG plus its extent, as stored.")
    last_used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key
