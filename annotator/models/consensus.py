"""A lead's consensus over a double-annotated clip: which answers it settles, and how."""

from __future__ import annotations

from django.db import models

from .annotations import ClipAnnotation


class Consensus(models.Model):
    """Marks ``annotation`` (the lead's, accepted) as the reviewed answer built from ``sources``.

    The sources stay as their annotators left them, so agreement still compares what each one
    said; agreement leaves consensus annotations out, and training prefers them (accepted).
    """

    class Rule(models.TextChoices):
        FIRST = "first", "take the first annotator's answer"
        SECOND = "second", "take the second annotator's answer"
        UNION = "union", "matched boxes merged, every other box kept"

    annotation = models.OneToOneField(
        ClipAnnotation, on_delete=models.CASCADE, related_name="consensus"
    )
    sources = models.ManyToManyField(ClipAnnotation, related_name="settled_by")
    rule = models.CharField(max_length=10, choices=Rule)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"consensus ({self.rule}) {self.annotation}"
