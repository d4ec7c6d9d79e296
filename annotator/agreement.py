"""Agreement between annotators on double-annotated clips: Cohen's kappa per tag, box F1 per pair.

The measures are pure functions over plain data (`ClipAnswer`, `EventBox`); only `load_answers`
touches the ORM. A clip is double-annotated when annotators other than one another each saved a
ClipAnnotation on it; with three or more annotators every pair of them is compared.

- Clip level: each (clip, annotator pair) is one item rated twice — is tag T present? A clip's
  tags are its clip-level tags plus its events' tags; "no calls" means every tag is absent.
  Cohen's kappa per tag is pooled over all items (the pair's first rater is the lower user id).
- Event level: boxes are matched one-to-one by IoU ≥ threshold (time–frequency IoU, time-only when
  either event is an interval) with Hungarian matching (`scipy.optimize.linear_sum_assignment`).
  F1 = 2·matches / (boxes of A + boxes of B), symmetric in the pair. For the tagged F1 a match
  must also have the same tag (matching is then done per tag).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from annotator.boxes import box_iou, iou  # noqa: F401  (iou: public here)
from annotator.boxes import rows as box_rows

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class EventBox:
    """One sound event: a box, or a time interval when the band is None."""

    start_s: float
    end_s: float
    low_hz: float | None = None
    high_hz: float | None = None
    tag: int | None = None
    id: int | None = None

    @property
    def is_box(self) -> bool:
        return self.low_hz is not None and self.high_hz is not None


@dataclass(frozen=True)
class ClipAnswer:
    """What one annotator said about one clip."""

    clip: int
    annotator: int
    tags: frozenset[int] = frozenset()
    no_calls: bool = False
    events: tuple[EventBox, ...] = ()
    annotation: int | None = None
    version: int | None = None

    @property
    def tag_set(self) -> frozenset[int]:
        """Tags present at clip level: clip tags ∪ event tags, none at all when "no calls"."""
        if self.no_calls:
            return frozenset()
        return self.tags | {e.tag for e in self.events if e.tag is not None}


# --- geometry and matching ----------------------------------------------------------------------


def match_boxes(
    a: Sequence[EventBox], b: Sequence[EventBox], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """One-to-one matches (index in a, index in b, IoU) with IoU ≥ threshold.

    Hungarian assignment on cost 1 − IoU. Pairs under the threshold cost more than any full set
    of valid pairs, so the assignment maximises the number of matches first and their total IoU
    second (plain 1 − IoU could trade two fair matches for one perfect one).
    """
    if not a or not b:
        return []
    scores = box_iou(box_rows(a), box_rows(b))
    valid = scores >= threshold
    forbidden = float(min(len(a), len(b)) + 1)
    rows, cols = linear_sum_assignment(np.where(valid, 1.0 - scores, forbidden))
    return [
        (int(i), int(j), float(scores[i, j]))
        for i, j in zip(rows, cols, strict=True)
        if valid[i, j]
    ]


def match_tagged(
    a: Sequence[EventBox], b: Sequence[EventBox], threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, float]]:
    """Like `match_boxes`, but only boxes with the same tag (None included) may match."""
    matches: list[tuple[int, int, float]] = []
    for tag in {e.tag for e in a} & {e.tag for e in b}:
        ia = [i for i, e in enumerate(a) if e.tag == tag]
        ib = [j for j, e in enumerate(b) if e.tag == tag]
        found = match_boxes([a[i] for i in ia], [b[j] for j in ib], threshold)
        matches += [(ia[i], ib[j], score) for i, j, score in found]
    return sorted(matches)


def f1(matches: int, n_a: int, n_b: int) -> float | None:
    """2·matches / (n_a + n_b): the F1 of either rater against the other; None with no boxes."""
    total = n_a + n_b
    return 2 * matches / total if total else None


# --- kappa --------------------------------------------------------------------------------------


@dataclass
class TagCounts:
    """A 2×2 table of one tag over items rated by two raters (first, second)."""

    both: int = 0
    only_first: int = 0
    only_second: int = 0
    neither: int = 0

    def add(self, first: bool, second: bool) -> None:
        if first and second:
            self.both += 1
        elif first:
            self.only_first += 1
        elif second:
            self.only_second += 1
        else:
            self.neither += 1

    @property
    def n(self) -> int:
        return self.both + self.only_first + self.only_second + self.neither

    @property
    def observed(self) -> float | None:
        return (self.both + self.neither) / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa; None when chance agreement is 1 (both raters constant and equal)."""
        return cohen_kappa(self.both, self.only_first, self.only_second, self.neither)


def cohen_kappa(both: int, only_first: int, only_second: int, neither: int) -> float | None:
    """(p_o − p_e) / (1 − p_e) for a 2×2 table; None when p_e = 1 (kappa undefined)."""
    n = both + only_first + only_second + neither
    if n == 0:
        return None
    p_o = (both + neither) / n
    first_yes, second_yes = (both + only_first) / n, (both + only_second) / n
    p_e = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    if p_e >= 1.0 - 1e-12:
        return None
    return (p_o - p_e) / (1 - p_e)


# --- comparing pairs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairOnClip:
    """The comparison of two annotators' answers on one clip."""

    first: ClipAnswer
    second: ClipAnswer
    matches: list[tuple[int, int, float]]
    tagged_matches: list[tuple[int, int, float]]

    @property
    def box_f1(self) -> float | None:
        return f1(len(self.matches), len(self.first.events), len(self.second.events))

    @property
    def tagged_f1(self) -> float | None:
        return f1(len(self.tagged_matches), len(self.first.events), len(self.second.events))

    @property
    def agrees(self) -> bool:
        """Same clip tags and every box matched with the same tag (no boxes at all agrees)."""
        same_tags = self.first.tag_set == self.second.tag_set
        return same_tags and self.tagged_f1 in (None, 1.0)


def compare(first: ClipAnswer, second: ClipAnswer, threshold: float) -> PairOnClip:
    """Match the two answers' boxes, with and without regard to tags."""
    a, b = first.events, second.events
    return PairOnClip(first, second, match_boxes(a, b, threshold), match_tagged(a, b, threshold))


def pairs_on_clips(answers: Iterable[ClipAnswer], threshold: float) -> list[PairOnClip]:
    """Every pair of different annotators on every clip, the lower user id first."""
    by_clip: dict[int, list[ClipAnswer]] = defaultdict(list)
    for answer in answers:
        by_clip[answer.clip].append(answer)
    compared = []
    for clip in sorted(by_clip):
        ordered = sorted(by_clip[clip], key=lambda x: x.annotator)
        for first, second in combinations(ordered, 2):
            if first.annotator != second.annotator:
                compared.append(compare(first, second, threshold))
    return compared


@dataclass
class BoxCounts:
    """Matches and box totals accumulated over clips."""

    first: int = 0
    second: int = 0
    matches: int = 0

    @property
    def f1(self) -> float | None:
        return f1(self.matches, self.first, self.second)

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "boxes_first": self.first,
            "boxes_second": self.second,
            "matches": self.matches,
            "f1": self.f1,
        }


@dataclass
class PairSummary:
    """Agreement of one annotator pair over the clips they both annotated."""

    annotators: tuple[int, int]
    clips: int = 0
    boxes: BoxCounts = field(default_factory=BoxCounts)
    tagged: BoxCounts = field(default_factory=BoxCounts)
    by_tag: dict[int | None, BoxCounts] = field(default_factory=lambda: defaultdict(BoxCounts))
    kappa: dict[int, TagCounts] = field(default_factory=lambda: defaultdict(TagCounts))

    def add(self, pair: PairOnClip) -> None:
        self.clips += 1
        a, b = pair.first.events, pair.second.events
        _add_counts(self.boxes, len(a), len(b), len(pair.matches))
        _add_counts(self.tagged, len(a), len(b), len(pair.tagged_matches))
        _add_tag_counts(self.by_tag, pair)


def _add_counts(counts: BoxCounts, first: int, second: int, matches: int) -> None:
    counts.first += first
    counts.second += second
    counts.matches += matches


def _add_tag_counts(by_tag: dict[int | None, BoxCounts], pair: PairOnClip) -> None:
    a, b = pair.first.events, pair.second.events
    for e in a:
        by_tag[e.tag].first += 1
    for e in b:
        by_tag[e.tag].second += 1
    for i, _j, _score in pair.tagged_matches:
        by_tag[a[i].tag].matches += 1


@dataclass
class Agreement:
    """Everything the agreement endpoint reports."""

    threshold: float
    clips: int
    pairs: list[PairSummary]
    kappa: dict[int, TagCounts]
    f1_by_tag: dict[int | None, BoxCounts]
    disagreements: int


def agreement(answers: Iterable[ClipAnswer], threshold: float = DEFAULT_THRESHOLD) -> Agreement:
    """Kappa per tag (pooled over all pairs), box F1 per annotator pair and per tag."""
    compared = pairs_on_clips(answers, threshold)
    tags = sorted({t for p in compared for t in p.first.tag_set | p.second.tag_set})
    kappa: dict[int, TagCounts] = {tag: TagCounts() for tag in tags}
    pairs: dict[tuple[int, int], PairSummary] = {}
    f1_by_tag: dict[int | None, BoxCounts] = defaultdict(BoxCounts)
    for pair in compared:
        key = (pair.first.annotator, pair.second.annotator)
        summary = pairs.setdefault(key, PairSummary(key))
        summary.add(pair)
        _add_tag_counts(f1_by_tag, pair)
        for tag in tags:
            first, second = tag in pair.first.tag_set, tag in pair.second.tag_set
            kappa[tag].add(first, second)
            summary.kappa[tag].add(first, second)
    return Agreement(
        threshold=threshold,
        clips=len({p.first.clip for p in compared}),
        pairs=[pairs[key] for key in sorted(pairs)],
        kappa=kappa,
        f1_by_tag=dict(f1_by_tag),
        disagreements=sum(not p.agrees for p in compared),
    )


@dataclass(frozen=True)
class Disagreement:
    """What differs between two annotators on one clip."""

    clip: int
    first: ClipAnswer
    second: ClipAnswer
    tags_only_first: frozenset[int]
    tags_only_second: frozenset[int]
    unmatched_first: tuple[EventBox, ...]
    unmatched_second: tuple[EventBox, ...]
    tag_mismatches: tuple[tuple[EventBox, EventBox], ...]
    box_f1: float | None
    tagged_f1: float | None


def disagreements(
    answers: Iterable[ClipAnswer], threshold: float = DEFAULT_THRESHOLD
) -> list[Disagreement]:
    """Clips where a pair's tag sets differ or their boxes don't all match (with the same tag).

    A box matched by geometry but with another tag is listed in `tag_mismatches` and, since it
    has no same-tag partner, also among the unmatched boxes.
    """
    found = []
    for pair in pairs_on_clips(answers, threshold):
        if pair.agrees:
            continue
        a, b = pair.first.events, pair.second.events
        tagged_a = {i for i, _, _ in pair.tagged_matches}
        tagged_b = {j for _, j, _ in pair.tagged_matches}
        found.append(
            Disagreement(
                clip=pair.first.clip,
                first=pair.first,
                second=pair.second,
                tags_only_first=pair.first.tag_set - pair.second.tag_set,
                tags_only_second=pair.second.tag_set - pair.first.tag_set,
                unmatched_first=tuple(e for i, e in enumerate(a) if i not in tagged_a),
                unmatched_second=tuple(e for j, e in enumerate(b) if j not in tagged_b),
                tag_mismatches=tuple(
                    (a[i], b[j]) for i, j, _ in pair.matches if a[i].tag != b[j].tag
                ),
                box_f1=pair.box_f1,
                tagged_f1=pair.tagged_f1,
            )
        )
    return found


def merged_union(
    a: Sequence[EventBox], b: Sequence[EventBox], threshold: float = DEFAULT_THRESHOLD
) -> list[EventBox]:
    """The matched union of two answers' boxes, for a consensus.

    A pair matched with the same tag becomes one box (the mean of the two, as neither annotator
    is preferred); every other box is kept, so a label mismatch stays visible as two boxes.
    """
    pairs = match_tagged(a, b, threshold)
    used_a = {i for i, _, _ in pairs}
    used_b = {j for _, j, _ in pairs}
    merged = [_mean(a[i], b[j]) for i, j, _ in pairs]
    merged += [e for i, e in enumerate(a) if i not in used_a]
    merged += [e for j, e in enumerate(b) if j not in used_b]
    return sorted(merged, key=lambda e: (e.start_s, e.end_s))


def _mean(x: EventBox, y: EventBox) -> EventBox:
    both = x.is_box and y.is_box
    return EventBox(
        start_s=(x.start_s + y.start_s) / 2,
        end_s=(x.end_s + y.end_s) / 2,
        low_hz=(x.low_hz + y.low_hz) / 2 if both else None,  # type: ignore[operator]
        high_hz=(x.high_hz + y.high_hz) / 2 if both else None,  # type: ignore[operator]
        tag=x.tag,
    )


# --- loading from the database ------------------------------------------------------------------


def load_answers(project) -> list[ClipAnswer]:
    """The answers on the project's clips that more than one annotator annotated."""
    from django.db.models import Count

    from annotator.models import ClipAnnotation

    # A consensus is the lead's verdict on two answers, not a third answer to compare.
    answers = ClipAnnotation.objects.filter(project=project, consensus__isnull=True)
    shared = (
        answers.values("clip")
        .annotate(n=Count("annotator", distinct=True))
        .filter(n__gt=1)
        .values("clip")
    )
    annotations = (
        answers.filter(clip__in=shared)
        .prefetch_related("tags", "events")
        .order_by("clip_id", "annotator_id")
    )
    return [answer_of(annotation) for annotation in annotations]


def answer_of(annotation) -> ClipAnswer:
    """What one saved annotation says, as plain data (its events and tags prefetched or not)."""
    return ClipAnswer(
        clip=annotation.clip_id,
        annotator=annotation.annotator_id,
        tags=frozenset(tag.pk for tag in annotation.tags.all()),
        no_calls=annotation.no_calls,
        events=tuple(
            EventBox(e.start_s, e.end_s, e.low_hz, e.high_hz, e.tag_id, e.pk)
            for e in annotation.events.all()
        ),
        annotation=annotation.pk,
        version=annotation.version,
    )
