"""The roles of a project's members, and who may write: named once, imported by models and queries."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    ANNOTATOR = "annotator", "Annotator"
    VIEWER = "viewer", "Viewer"


# Who may do what, named once (annotator.access and the API's ProjectRole check them).
WRITE_ROLES = (
    Role.LEAD,
    Role.ANNOTATOR,
)  # annotate: claim, submit, edit their answers; viewers read
LEAD_ROLES = (Role.LEAD,)  # configure, review, import, export, and steer the loop
