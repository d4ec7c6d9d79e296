"""What the annotator announces: labels were submitted, clips were added or re-cut."""

from django.dispatch import Signal

# Sent after the transaction that saved an annotation commits; kwargs: project, annotation.
labels_submitted = Signal()

# Sent after recordings were imported (and cut into clips) and committed; kwargs: project.
clips_added = Signal()

# Sent inside the re-cut's transaction, before the old clips are deleted; kwargs: project,
# moves ({old clip id: id of the new clip holding most of it}), tasks ({new clip id: task id of the
# work moved there}). Receivers move rows that point at the old clips.
clips_recut = Signal()
