"""Sound events longer than a clip: shown on every clip they overlap, labelled once.

An event belongs to the recording and is filed under the clip it starts in (``queue``,
``exchange.importing``). The other clips it overlaps show it as a *continuing* event, and a box
drawn on one of them that repeats it is refused. The page does not edit it as part of the
neighbour's draft (that would change another clip's answer, its version and review, through this
clip's submit); it offers to delete it, which saves the home clip's answer without it through the
same author-only, version-checked PUT as any edit of that answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from django.core.exceptions import ValidationError

from annotator import boxes
from annotator.models import Clip, SoundEventAnnotation

# A new box with the same tag whose part inside the clip overlaps a continuing event's part by at
# least this IoU is the same sound labelled twice.
DUPLICATE_IOU = 0.5


def continuing_into(clip: Clip, annotator) -> list[SoundEventAnnotation]:
    """``annotator``'s events of the clip's recording, filed under other clips, that overlap
    ``clip`` (what the page shows as continuing events: the page shows only your own labels)."""
    return list(
        SoundEventAnnotation.objects.filter(
            clip_annotation__clip__recording_id=clip.recording_id,
            clip_annotation__annotator=annotator,
            start_s__lt=clip.end_s,
            end_s__gt=clip.start_s,
        )
        .exclude(clip_annotation__clip_id=clip.pk)
        .select_related("clip_annotation")
        .order_by("start_s", "pk")
    )


def as_continuing(event: SoundEventAnnotation, clip: Clip) -> dict:
    """The event as the page gets it: its box, its home clip and annotation, and whether it
    started before this clip (``continues``) or runs past its end (``runs_on``)."""
    return {
        **event.as_dict(),
        "from_clip": event.clip_annotation.clip_id,
        "annotation": event.clip_annotation_id,
        "continues": event.start_s < clip.start_s,
        "runs_on": event.end_s > clip.end_s,
    }


def refuse_duplicates(clip: Clip, annotator, events: Sequence) -> None:
    """Refuse (ValidationError on ``events``) new boxes that repeat one of the annotator's
    continuing events: same tag, and their parts inside the clip overlap with IoU ≥
    ``DUPLICATE_IOU``. The parts are compared, not the whole boxes: what the annotator sees on
    this page is the long event's part in the clip, and drawing that part is the duplicate."""
    if not events:
        return
    others = continuing_into(clip, annotator)
    if not others:
        return
    new = _inside(boxes.rows(events), clip)
    old = _inside(boxes.rows(others), clip)
    iou = boxes.box_iou(new, old)
    problems = []
    for i, event in enumerate(events):
        for j, other in enumerate(others):
            if event.tag == other.tag_id and iou[i, j] >= DUPLICATE_IOU:
                problems.append(
                    f"event {i}: repeats the event {other.start_s:.3f}–{other.end_s:.3f} s "
                    f"already labelled on clip {other.clip_annotation.clip_id} (it continues into "
                    "this clip); edit it there instead of labelling it twice"
                )
                break
    if problems:
        raise ValidationError({"events": problems})


def _inside(rows: np.ndarray, clip: Clip) -> np.ndarray:
    """Box rows with their times cut to the clip's span."""
    out = rows.copy()
    out[:, 0] = np.clip(out[:, 0], clip.start_s, clip.end_s)
    out[:, 1] = np.clip(out[:, 1], clip.start_s, clip.end_s)
    return out
