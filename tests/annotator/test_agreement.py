"""Agreement measures against hand-computed cases, and the loader over the database."""

import pytest

from annotator import agreement as ag
from annotator import queue
from annotator.agreement import ClipAnswer, EventBox
from tests import factories as f

A, B, C = 1, 2, 3  # annotator ids
SPECIES, OTHER = 10, 11  # tag ids


def answer(clip, who, tags=(), events=(), no_calls=False):
    return ClipAnswer(
        clip=clip, annotator=who, tags=frozenset(tags), events=tuple(events), no_calls=no_calls
    )


def box(start, end, low=None, high=None, tag=SPECIES):
    return EventBox(start, end, low, high, tag)


# --- kappa --------------------------------------------------------------------------------------


def test_cohen_kappa_of_a_symmetric_table():
    # both=4, only_first=1, only_second=1, neither=4, n=10
    # p_o = (4 + 4) / 10 = 0.8; first says yes 5/10, second 5/10
    # p_e = 0.5·0.5 + 0.5·0.5 = 0.5; kappa = (0.8 − 0.5) / (1 − 0.5) = 0.6
    assert ag.cohen_kappa(4, 1, 1, 4) == pytest.approx(0.6)


def test_cohen_kappa_of_an_asymmetric_table():
    # both=20, only_first=5, only_second=10, neither=15, n=50
    # p_o = 35/50 = 0.7; first yes 25/50 = 0.5, second yes 30/50 = 0.6
    # p_e = 0.5·0.6 + 0.5·0.4 = 0.5; kappa = (0.7 − 0.5) / 0.5 = 0.4
    assert ag.cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)


def test_kappa_is_undefined_when_both_raters_never_vary():
    # p_e = 1·1 + 0·0 = 1: kappa would be 0/0
    assert ag.cohen_kappa(7, 0, 0, 0) is None
    assert ag.cohen_kappa(0, 0, 0, 0) is None


def test_kappa_per_tag_from_clip_answers():
    # Ten clips, both A and B annotated each. Tag SPECIES present for:
    #   A and B: clips 0-3 (both = 4); only A: clip 4; only B: clip 5; neither: clips 6-9 (4)
    # -> kappa 0.6 as in the symmetric table above.
    answers = []
    for clip in range(10):
        a_has = clip in (0, 1, 2, 3, 4)
        b_has = clip in (0, 1, 2, 3, 5)
        answers.append(answer(clip, A, tags=[SPECIES] if a_has else []))
        answers.append(answer(clip, B, tags=[SPECIES] if b_has else [], no_calls=not b_has))
    result = ag.agreement(answers)
    table = result.kappa[SPECIES]
    assert (table.both, table.only_first, table.only_second, table.neither) == (4, 1, 1, 4)
    assert table.kappa == pytest.approx(0.6)
    assert table.observed == pytest.approx(0.8)
    assert result.clips == 10
    assert result.disagreements == 2  # clips 4 and 5


def test_clip_tags_are_clip_level_tags_and_event_tags_and_no_calls_clears_them():
    with_events = answer(1, A, tags=[OTHER], events=[box(0, 1, tag=SPECIES)])
    assert with_events.tag_set == {OTHER, SPECIES}
    assert answer(1, A, tags=[OTHER], no_calls=True).tag_set == frozenset()


def test_event_tags_count_for_kappa():
    # A tags the clip at clip level, B only draws a box with the same tag: they agree.
    answers = [answer(1, A, tags=[SPECIES]), answer(1, B, events=[box(0.1, 0.2, 1e3, 2e3)])]
    result = ag.agreement(answers)
    assert result.kappa[SPECIES].both == 1
    assert result.disagreements == 1  # the boxes differ (A drew none): box F1 = 0


# --- IoU and matching -----------------------------------------------------------------------------


def test_time_frequency_iou():
    # [0, 1] s × [0, 10] Hz vs [0, 1] s × [0, 8] Hz: inter 8, union 10 + 8 − 8 = 10 -> 0.8
    assert ag.iou(box(0, 1, 0, 10), box(0, 1, 0, 8)) == pytest.approx(0.8)
    # [2, 3] × [0, 10] vs [2.5, 3.5] × [0, 10]: inter 0.5·10 = 5, union 10 + 10 − 5 = 15 -> 1/3
    assert ag.iou(box(2, 3, 0, 10), box(2.5, 3.5, 0, 10)) == pytest.approx(1 / 3)


def test_intervals_use_time_only_iou():
    # [0, 2] vs [1, 3]: inter 1, union 3 -> 1/3, whatever the band of the box
    assert ag.iou(box(0, 2), box(1, 3)) == pytest.approx(1 / 3)
    assert ag.iou(box(0, 2), box(1, 3, 0, 10)) == pytest.approx(1 / 3)


def test_box_f1_of_a_pair_by_hand():
    # A: 3 boxes, B: 2 boxes. A1~B1 IoU 0.8 (match), A2~B2 IoU 1/3 (< 0.5, no match), A3 alone.
    # matches = 1 -> F1 = 2·1 / (3 + 2) = 0.4
    a = [box(0, 1, 0, 10), box(2, 3, 0, 10), box(5, 6, 0, 10)]
    b = [box(0, 1, 0, 8), box(2.5, 3.5, 0, 10)]
    result = ag.agreement([answer(1, A, events=a), answer(1, B, events=b)])
    (pair,) = result.pairs
    assert (pair.boxes.first, pair.boxes.second, pair.boxes.matches) == (3, 2, 1)
    assert pair.boxes.f1 == pytest.approx(0.4)
    assert pair.tagged.f1 == pytest.approx(0.4)


def test_hungarian_matching_finds_more_matches_than_greedy():
    # Intervals. IoU(a1, b1) = 9/10 = 0.9, IoU(a1, b2) = 6/10 = 0.6,
    # IoU(a2, b1) = 8.5/11 ≈ 0.773, IoU(a2, b2) = 4.5/12 = 0.375 (< 0.5).
    # Greedy takes a1–b1 first and leaves a2 with nothing; Hungarian pairs a1–b2 and a2–b1.
    a = [box(0, 10), box(1.5, 12)]
    b = [box(1, 10), box(0, 6)]
    matches = ag.match_boxes(a, b, 0.5)
    assert [(i, j) for i, j, _ in matches] == [(0, 1), (1, 0)]
    assert ag.f1(len(matches), 2, 2) == 1.0


def test_tagged_f1_needs_the_same_tag():
    # Same two boxes, the second with another tag: box F1 = 2·2/4 = 1, tagged F1 = 2·1/4 = 0.5.
    a = [box(0, 1, 0, 10, SPECIES), box(2, 3, 0, 10, SPECIES)]
    b = [box(0, 1, 0, 10, SPECIES), box(2, 3, 0, 10, OTHER)]
    result = ag.agreement([answer(1, A, events=a), answer(1, B, events=b)])
    (pair,) = result.pairs
    assert pair.boxes.f1 == 1.0
    assert pair.tagged.f1 == pytest.approx(0.5)
    # per tag: SPECIES 2 + 1 boxes, 1 match -> 2/3; OTHER 0 + 1 boxes, 0 matches -> 0
    assert result.f1_by_tag[SPECIES].f1 == pytest.approx(2 / 3)
    assert result.f1_by_tag[OTHER].f1 == 0.0


def test_three_annotators_give_three_pairs():
    answers = [answer(1, who, events=[box(0, 1, 0, 10)]) for who in (C, A, B)]
    result = ag.agreement(answers)
    assert [p.annotators for p in result.pairs] == [(A, B), (A, C), (B, C)]
    assert all(p.boxes.f1 == 1.0 for p in result.pairs)


# --- disagreements --------------------------------------------------------------------------------


def test_disagreements_list_what_differs():
    same = [answer(1, A, events=[box(0, 1, 0, 10)]), answer(1, B, events=[box(0, 1, 0, 9.9)])]
    differ = [
        answer(2, A, tags=[OTHER], events=[box(0, 1, 0, 10, SPECIES), box(5, 6, 0, 10)]),
        answer(2, B, events=[box(0, 1, 0, 10, OTHER)]),
    ]
    (found,) = ag.disagreements(same + differ)
    assert found.clip == 2
    assert found.tags_only_first == {SPECIES} and found.tags_only_second == frozenset()
    assert [e.start_s for e in found.unmatched_first] == [0, 5]
    assert [e.tag for e in found.unmatched_second] == [OTHER]
    ((mine, theirs),) = found.tag_mismatches
    assert (mine.tag, theirs.tag) == (SPECIES, OTHER)
    # geometry: 1 match of 2 + 1 boxes -> 2/3; same tag: none -> 0
    assert found.box_f1 == pytest.approx(2 / 3) and found.tagged_f1 == 0.0


def test_clips_without_boxes_and_same_tags_agree():
    answers = [answer(1, A, no_calls=True), answer(1, B, no_calls=True)]
    assert ag.disagreements(answers) == []
    assert ag.agreement(answers).pairs[0].boxes.f1 is None


# --- loading from the database --------------------------------------------------------------------


def test_load_answers_takes_only_clips_with_two_annotators(project, cast):
    tag = f.make_tag(project)
    recording = f.make_recording(project, duration_s=2)
    shared, single = f.make_clip(project, recording, 0, 1), f.make_clip(project, recording, 1, 2)
    event = queue.EventInput(0.2, 0.3, 20_000, 40_000, tag.pk)
    for who in ("ann1", "ann2"):
        queue.save_annotation(project, shared, cast[who], queue.Submission(events=[event]))
    queue.save_annotation(project, single, cast["ann1"], queue.Submission(no_calls=True))
    answers = ag.load_answers(project)
    assert {(a.clip, a.annotator) for a in answers} == {
        (shared.pk, cast["ann1"].pk),
        (shared.pk, cast["ann2"].pk),
    }
    assert all(a.tag_set == {tag.pk} and len(a.events) == 1 for a in answers)
    assert ag.agreement(answers).pairs[0].tagged.f1 == 1.0
