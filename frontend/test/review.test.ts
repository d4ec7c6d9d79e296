import { describe, expect, it } from "vitest";
import { comparisonSummary, consensusPair, drawnBoxes, eventMarks, listQuery, type Answer, type ClipReview } from "../src/reviewdata";
import { reviewKey } from "../src/reviewkeys";
import type { Tag } from "../src/types";

const tags: Tag[] = [
  { id: 7, key: "species", value: "M. myotis", display_name: "", hotkey: "q", color: null },
  { id: 8, key: "species", value: "E. serotinus", display_name: "", hotkey: null, color: null },
];

function answer(id: number, annotator: number, events: [number, number][], consensus = false): Answer {
  return {
    id,
    annotator,
    annotator_name: `user${annotator}`,
    version: 1,
    review_status: consensus ? "accepted" : "pending",
    consensus: consensus ? { rule: "union", sources: [1, 2] } : null,
    tags: [],
    no_calls: false,
    noise: false,
    uncertain: false,
    notes: "",
    events: events.map(([eid, tag]) => ({ id: eid, start_s: eid / 10, end_s: eid / 10 + 0.01, low_hz: 1000, high_hz: 2000, tag, confidence: null, notes: "" })),
  };
}

// Answer 1 (user 3): events 11 (tag 7), 12 (tag 7); answer 2 (user 4): 21 (tag 7), 22 (tag 8), 23 (tag 8).
// 11~21 agree, 12~22 match in place but not in label, 23 is bert's alone.
const review: ClipReview = {
  annotation: 2,
  clip: { id: 5, start_s: 0, end_s: 1, recording: { id: 1, name: "r", samplerate: 384000, duration_s: 3, time_expansion: 10 } },
  threshold: 0.5,
  answers: [answer(2, 4, [[21, 7], [22, 8], [23, 8]]), answer(1, 3, [[11, 7], [12, 7]]), answer(9, 5, [[91, 7]], true)],
  comparisons: [
    {
      first: 2,
      second: 1,
      agrees: false,
      box_f1: 0.8,
      tagged_f1: 0.4,
      matches: [
        { first: 21, second: 11, iou: 0.9, same_tag: true },
        { first: 22, second: 12, iou: 1, same_tag: false },
      ],
      unmatched_first: [22, 23],
      unmatched_second: [12],
    },
  ],
};

describe("review keys", () => {
  const key = (k: string, mode: "view" | "edit" | "note" = "view", extra = {}) => reviewKey({ key: k, ...extra }, mode, tags, false);

  it("gives each verdict one key while reviewing", () => {
    expect(key("a")).toEqual({ type: "accept" });
    expect(key("r")).toEqual({ type: "reject" });
    expect(key("e")).toEqual({ type: "edit" });
    expect(key("n")).toEqual({ type: "next" });
    expect(key("p")).toEqual({ type: "previous" });
    expect(key("u")).toEqual({ type: "consensus", rule: "union" });
    expect(key("2")).toEqual({ type: "consensus", rule: "second" });
    expect(key("?")).toEqual({ type: "help" });
  });

  it("does not repeat a verdict from a held key, nor take Ctrl or Shift letters", () => {
    expect(key("a", "view", { repeat: true })).toBeNull();
    expect(key("a", "view", { ctrlKey: true })).toBeNull();
    expect(key("A", "view", { shiftKey: true })).toBeNull();
    expect(key("+", "view", { repeat: true })).toEqual({ type: "zoomIn" });
  });

  it("in the note, Enter sends and Escape cancels; letters are text", () => {
    expect(key("Enter", "note")).toEqual({ type: "reject" });
    expect(key("Enter", "note", { shiftKey: true })).toBeNull();
    expect(key("Escape", "note")).toEqual({ type: "escape" });
    expect(key("a", "note")).toBeNull();
  });

  it("while correcting, digits and tag letters tag the box and Enter saves", () => {
    expect(key("1", "edit")).toEqual({ type: "tag", tagId: 7 });
    expect(key("q", "edit")).toEqual({ type: "tag", tagId: 7 });
    expect(key("Delete", "edit")).toEqual({ type: "delete" });
    expect(key("z", "edit", { ctrlKey: true })).toEqual({ type: "undo" });
    expect(key("Enter", "edit")).toEqual({ type: "save" });
    expect(key("a", "edit")).toBeNull(); // no verdict by accident mid-correction
    expect(key("0", "edit")).toEqual({ type: "resetZoom" });
  });
});

describe("review data", () => {
  it("marks matched, mislabelled and unmatched boxes", () => {
    const marks = eventMarks(review);
    expect(Object.fromEntries(marks)).toEqual({ 21: "agreed", 11: "agreed", 22: "label", 12: "label", 23: "unmatched" });
  });

  it("pairs the answer under review with the other plain answer, never the consensus", () => {
    expect(consensusPair(review)?.map((a) => a.id)).toEqual([2, 1]);
  });

  it("colours boxes by annotator and names them", () => {
    const drawn = drawnBoxes(review, [2, 9], [{ id: 3 }, { id: 4 }, { id: 5 }], (t) => `tag${t}`);
    expect(drawn.map((b) => [b.event, b.mark, b.label])).toEqual([
      [21, "agreed", "user4: tag7"],
      [22, "label", "user4: tag8 · label differs"],
      [23, "unmatched", "user4: tag8 · unmatched"],
      [91, "agreed", "consensus (user5): tag7"],
    ]);
    expect(new Set(drawn.map((b) => b.color)).size).toBe(2);
  });

  it("sums up a pair in words", () => {
    const names = (id: number) => (id === 2 ? "B" : "A");
    expect(comparisonSummary(review.comparisons[0], names)).toBe("2 matched, 1 with different labels, 1 only B's (box F1 0.80).");
  });

  it("puts only the filters set into the list's query", () => {
    expect(listQuery({ status: "pending", annotator: null, dataset: 3 }, 2)).toBe("status=pending&dataset=3&page=2");
  });
});
