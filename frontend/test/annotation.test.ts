import { describe, expect, it } from "vitest";
import * as A from "../src/annotation";
import { continuingLabel } from "../src/canvas";
import type { Annotation, Prediction } from "../src/types";

const ev = (start: number, tag: number | null = 1) => ({ start_s: start, end_s: start + 0.1, low_hz: 20_000, high_hz: 40_000, tag, confidence: null, notes: "" });
const saved: Annotation = {
  id: 9, version: 4, tags: [2], no_calls: false, noise: true, uncertain: false, notes: "n",
  events: [{ id: 77, ...ev(1) }],
};

describe("draft operations", () => {
  it("builds a draft from a saved annotation, dropping ids", () => {
    const d = A.fromAnnotation(saved);
    expect(d.version).toBe(4);
    expect(d.events[0]).toEqual(ev(1));
    expect(A.fromAnnotation(null)).toEqual(A.emptyDraft());
  });

  it("rounds to microseconds and tenths of Hz", () => {
    const d = A.addEvent(A.emptyDraft(), { ...ev(1), start_s: 1.23456789, low_hz: 20_000.123 });
    expect(d.events[0].start_s).toBe(1.234568);
    expect(d.events[0].low_hz).toBe(20_000.1);
  });

  it("edits without mutating", () => {
    const d0 = A.addEvent(A.emptyDraft(), ev(1));
    const d1 = A.updateEvent(d0, 0, { tag: 5 });
    expect(d0.events[0].tag).toBe(1);
    expect(d1.events[0].tag).toBe(5);
    expect(A.removeEvent(d1, 0).events).toEqual([]);
    expect(A.toggleClipTag(A.toggleClipTag(d0, 3), 3).tags).toEqual([]);
    expect(A.toggleFlag(d0, "no_calls").no_calls).toBe(true);
  });

  it("compares content ignoring order and version", () => {
    const a = { ...A.emptyDraft(4), tags: [1, 2], events: [ev(1), ev(2)] };
    const b = { ...A.emptyDraft(5), tags: [2, 1], events: [ev(2), ev(1)] };
    expect(A.sameContent(a, b)).toBe(true);
    expect(A.sameContent(a, { ...b, noise: true })).toBe(false);
  });

  it("merges mine onto theirs without duplicates", () => {
    const theirs = A.fromAnnotation(saved);
    const mine = { ...A.emptyDraft(3), tags: [5], notes: "mine", events: [ev(1), ev(3)] };
    const m = A.mergeDrafts(mine, theirs);
    expect(m.version).toBe(4);
    expect(m.events).toEqual([ev(1), ev(3)]);
    expect(m.tags).toEqual([2, 5]);
    expect(m.noise).toBe(true);
    expect(m.notes).toBe("n\n---\nmine");
  });

  it("turns predictions into events and recognises accepted ones", () => {
    const p: Prediction = { start_s: 1, end_s: 1.1, low_hz: 20_000, high_hz: 40_000, tag: 1, label: "x", score: 0.9 };
    expect(A.eventFromPrediction(p, "box")).toEqual(ev(1));
    expect(A.eventFromPrediction(p, "interval")).toMatchObject({ low_hz: null, high_hz: null });
    const d = A.addEvent(A.emptyDraft(), A.eventFromPrediction(p, "box"));
    expect(A.isAccepted(d, p, "box")).toBe(true);
    expect(A.isAccepted(A.emptyDraft(), p, "box")).toBe(false);
  });

  it("warns about untagged boxes and no-calls with boxes", () => {
    const d = { ...A.emptyDraft(), no_calls: true, events: [ev(1, null)] };
    expect(A.warnings(d)).toHaveLength(2);
    expect(A.warnings(A.emptyDraft())).toEqual([]);
  });
});

describe("long events from other clips", () => {
  it("deletes one event of a saved annotation, keeping the rest and its version", () => {
    const home: Annotation = { ...saved, events: [{ id: 77, ...ev(1) }, { id: 78, ...ev(2, 3) }] };
    const body = A.withoutEvent(home, 77);
    expect(body.version).toBe(4);
    expect(body.events).toEqual([ev(2, 3)]);
    expect([body.tags, body.noise, body.notes]).toEqual([[2], true, "n"]);
    expect(home.events).toHaveLength(2); // not mutated
  });

  it("labels a continuing event with its tag, its clip and the way it runs on", () => {
    const tags = [{ id: 3, key: "species", value: "Myotis", display_name: "", hotkey: null, color: null }];
    const long = { id: 78, ...ev(2, 3), from_clip: 5, annotation: 9, continues: true, runs_on: false };
    expect(continuingLabel(tags, long)).toBe("← Myotis (clip 5)");
    expect(continuingLabel(tags, { ...long, continues: false, runs_on: true })).toBe("Myotis (clip 5) →");
  });
});
