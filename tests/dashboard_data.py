"""Projects with known dashboard figures, written straight to the tables (no queue, no signals), so
the dashboard tests, the model/sampling ones and the browser test share one set of numbers.

The labelling world (``labelling_world``), times in UTC:

| clip | who  | submitted (task)  | events              | notes                    |
| ---- | ---- | ----------------- | ------------------- | ------------------------ |
| c1   | ann1 | day 1 10:00:00    | Myotis ×3           | task reviewed, audit     |
| c2   | ann1 | day 1 10:00:30    | Myotis              |                          |
| c3   | ann1 | day 1 10:01:30    | Pipistrellus        |                          |
| c4   | ann1 | day 1 10:02:00    | — (no calls)        |                          |
| c5   | ann2 | day 1 11:00:00    | Myotis ×2           |                          |
| c6   | ann2 | day 1 11:00:45    | Nyctalus            | audit                    |
| c7   | ann2 | day 2 09:00:00    | Pipistrellus ×2     | annotation rejected      |
| c8   | lead | day 2 12:00:00    | <script> tag        |                          |
| c9   | ann2 | day 4 08:00:00    | Nyctalus            | imported: no task        |

plus four unlabelled clips: two queued, one leased (live), one leased with an expired lease.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from annotator.models import AnnotationTask, ClipAnnotation, SoundEventAnnotation, TaskStatus
from tests import factories as f

DAY1 = datetime(2025, 6, 2, tzinfo=UTC)
SCRIPT_TAG = "<script>alert(1)</script>"

SUBMISSIONS = [
    # (clip, user, time, event tags, task?, review)
    ("c1", "ann1", DAY1 + timedelta(hours=10), ["M", "M", "M"], True, "accepted"),
    ("c2", "ann1", DAY1 + timedelta(hours=10, seconds=30), ["M"], True, "pending"),
    ("c3", "ann1", DAY1 + timedelta(hours=10, seconds=90), ["P"], True, "pending"),
    ("c4", "ann1", DAY1 + timedelta(hours=10, seconds=120), [], True, "pending"),
    ("c5", "ann2", DAY1 + timedelta(hours=11), ["M", "M"], True, "pending"),
    ("c6", "ann2", DAY1 + timedelta(hours=11, seconds=45), ["N"], True, "pending"),
    ("c7", "ann2", DAY1 + timedelta(days=1, hours=9), ["P", "P"], True, "rejected"),
    ("c8", "lead", DAY1 + timedelta(days=1, hours=12), ["S"], True, "pending"),
    ("c9", "ann2", DAY1 + timedelta(days=3, hours=8), ["N"], False, "pending"),
]

EXPECTED = {
    "totals": {"labelled_clips": 9, "annotations": 9, "events": 12, "annotators": 3},
    "days": [
        ("2025-06-02", 6, 6),
        ("2025-06-03", 2, 8),
        ("2025-06-04", 0, 8),
        ("2025-06-05", 1, 9),
    ],
    "per_day_annotator": {
        "2025-06-02": {"ann1": 4, "ann2": 2, "lead": 0},
        "2025-06-03": {"ann1": 0, "ann2": 1, "lead": 1},
    },
    # annotator: clips, timed clips, sessions, clips/hour, median s/clip
    "throughput": [
        ("ann1", 4, 3, 1, 90.0, 30.0),
        ("ann2", 3, 1, 2, 80.0, 45.0),
        ("lead", 1, 0, 1, None, None),
    ],
    "species": [
        ("Myotis myotis", 6, 3),
        ("Nyctalus noctula", 2, 2),
        (SCRIPT_TAG, 1, 1),
        ("Pipistrellus pipistrellus", 1, 1),
    ],
    "unseen": ["Rare bat"],
    "queue": {
        "queued": 2,
        "leased": 2,
        "submitted": 7,
        "reviewed": 1,
        "expired_leases": 1,
        "audit": 2,
    },
}


def labelling_world(project, cast) -> dict:
    """The table above in ``project`` (whose cast is ``cast``); returns the tags and clips by name."""
    tags = {
        "M": f.make_tag(project, "Myotis myotis"),
        "P": f.make_tag(project, "Pipistrellus pipistrellus"),
        "N": f.make_tag(project, "Nyctalus noctula"),
        "S": f.make_tag(project, SCRIPT_TAG),
        "R": f.make_tag(project, "Rare bat"),
    }
    clips = {}
    for name, who, when, events, with_task, review in SUBMISSIONS:
        clips[name] = clip = f.make_clip(project)
        task = (
            _done_task(
                project,
                clip,
                cast[who],
                when,
                audit=name in ("c1", "c6"),
                reviewed=review == "accepted",
            )
            if with_task
            else None
        )
        _annotation(project, clip, cast[who], task, when, [tags[t] for t in events], review)
    _open_tasks(project, cast)
    return {"tags": tags, "clips": clips}


def _done_task(project, clip, user, when, *, audit: bool, reviewed: bool) -> AnnotationTask:
    return AnnotationTask.objects.create(
        project=project,
        clip=clip,
        is_audit=audit,
        completed_by=user,
        completed_at=when,
        status=TaskStatus.REVIEWED if reviewed else TaskStatus.SUBMITTED,
    )


def _annotation(project, clip, user, task, when, tags, review) -> ClipAnnotation:
    ann = ClipAnnotation.objects.create(
        project=project,
        clip=clip,
        annotator=user,
        task=task,
        no_calls=not tags,
        review_status=review,
    )
    if when is not None:
        ClipAnnotation.objects.filter(pk=ann.pk).update(created_at=when, updated_at=when)
    SoundEventAnnotation.objects.bulk_create(
        SoundEventAnnotation(
            clip_annotation=ann,
            start_s=0.1 + 0.1 * i,
            end_s=0.15 + 0.1 * i,
            low_hz=20_000,
            high_hz=40_000,
            tag=tag,
        )
        for i, tag in enumerate(tags)
    )
    return ann


def _open_tasks(project, cast) -> None:
    from django.utils import timezone

    for _ in range(2):
        AnnotationTask.objects.create(project=project, clip=f.make_clip(project))
    now = timezone.now()
    for holder, expires in (
        (cast["ann1"], now + timedelta(minutes=20)),
        (cast["ann2"], now - timedelta(minutes=5)),
    ):
        AnnotationTask.objects.create(
            project=project,
            clip=f.make_clip(project),
            status=TaskStatus.LEASED,
            lease_holder=holder,
            lease_expires_at=expires,
        )
