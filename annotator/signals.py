"""The one announcement the annotator makes: labels were submitted (the model loop listens)."""

from django.dispatch import Signal

# Sent after the transaction that saved an annotation commits; kwargs: project, annotation.
labels_submitted = Signal()

# Sent after recordings were imported (and cut into clips) and committed; kwargs: project.
clips_added = Signal()
