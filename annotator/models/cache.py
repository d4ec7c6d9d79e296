"""The render cache's ledger: which views are stored, their size and when they were last served."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RenderedViewEntry(models.Model):
    """One rendered view in storage (`annotator.viewcache`). The ledger lets the cache stay under
    its byte cap by dropping the least recently used views, without listing the storage."""

    key = models.CharField(max_length=40, unique=True)
    bytes = models.BigIntegerField(help_text="PNG plus its extent, as stored.")
    last_used_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class RenderLease(models.Model):
    """One uncached render a user has in progress (`annotator.renderpool.admitted`). The unique
    (user, slot) pair caps each user's concurrent renders across processes; a lease left by a
    process that died stops counting at ``expires_at``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slot = models.PositiveSmallIntegerField()
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "slot"], name="unique_render_slot")]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.slot}"
