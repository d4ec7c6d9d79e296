"""The content of a consensus: one answer as it is, or the matched union of two (pure parts)."""

from annotator import queue, review
from annotator.agreement import EventBox, merged_union
from tests import factories as f

E = queue.EventInput


def test_union_merges_same_tag_matches_and_keeps_the_rest():
    a = [EventBox(0.10, 0.20, 1000, 2000, tag=1), EventBox(0.5, 0.6, 1000, 2000, tag=1)]
    b = [EventBox(0.12, 0.20, 1200, 2000, tag=1), EventBox(0.5, 0.6, 1000, 2000, tag=2)]
    merged = merged_union(a, b)
    assert merged == [
        EventBox(0.11, 0.20, 1100, 2000, tag=1),
        EventBox(0.5, 0.6, 1000, 2000, tag=1),
        EventBox(0.5, 0.6, 1000, 2000, tag=2),
    ]


def test_union_of_an_interval_and_a_box_is_an_interval():
    merged = merged_union([EventBox(0.1, 0.2, tag=1)], [EventBox(0.1, 0.2, 1000, 2000, tag=1)])
    assert merged == [EventBox(0.1, 0.2, None, None, tag=1)]


def test_union_with_nothing_is_the_other_answer():
    only = [EventBox(0.1, 0.2, 1000, 2000, tag=3)]
    assert merged_union(only, []) == only and merged_union([], only) == only


def test_taking_one_answer_copies_all_of_it(project, cast):
    tag = f.make_tag(project)
    clip = f.make_clip(project, start_s=1, end_s=2)
    event = E(1.1, 1.2, 30_000, 60_000, tag.pk, 0.7, "faint")
    first = queue.save_annotation(
        project,
        clip,
        cast["ann1"],
        queue.Submission(tags=[tag.pk], uncertain=True, notes="hm", events=[event]),
    )
    second = queue.save_annotation(project, clip, cast["ann2"], queue.Submission(no_calls=True))
    taken = review.consensus_submission(first, second, "first", 0.5)
    assert taken == queue.Submission(tags=[tag.pk], uncertain=True, notes="hm", events=[event])
    assert review.consensus_submission(first, second, "second", 0.5) == queue.Submission(
        no_calls=True
    )
    union = review.consensus_submission(first, second, "union", 0.5)
    assert not union.no_calls and union.uncertain and union.tags == [tag.pk]
    assert union.events == [event]  # kept as it was: its confidence and notes too


def test_training_learns_from_the_consensus_over_an_earlier_accepted_answer(project, cast):
    from models_app.registry import chosen_annotations

    tag = f.make_tag(project)
    clip = f.make_clip(project, start_s=1, end_s=2)
    first = queue.save_annotation(
        project, clip, cast["ann1"], queue.Submission(events=[E(1.1, 1.2, 30_000, 60_000, tag.pk)])
    )
    second = queue.save_annotation(project, clip, cast["ann2"], queue.Submission(no_calls=True))
    first = review.accept(first, cast["lead"], version=first.version)
    assert [a.pk for a in chosen_annotations(project)] == [first.pk]  # accepted beats the other
    settled = review.consensus(
        first, second, cast["lead"], "second", versions=(first.version, second.version)
    )
    assert [a.pk for a in chosen_annotations(project)] == [settled.pk]
    assert settled.no_calls
