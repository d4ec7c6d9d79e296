import { describe, expect, it } from "vitest";
import { Correction } from "../src/reviewedit";
import type { Annotation } from "../src/types";

const answer: Annotation = {
  id: 1,
  version: 3,
  tags: [],
  no_calls: false,
  noise: false,
  uncertain: false,
  notes: "",
  events: [{ id: 9, start_s: 0.1, end_s: 0.2, low_hz: 1000, high_hz: 2000, tag: 7, confidence: 0.5, notes: "x" }],
};
const bounds = { start: 0, end: 1, low: 0, high: 10_000 };

describe("a correction", () => {
  it("starts as the answer, at its version, unedited", () => {
    const c = new Correction(answer, () => undefined);
    expect(c.draft.version).toBe(3);
    expect(c.draft.events).toHaveLength(1);
    expect(c.edited).toBe(false);
  });

  it("adds a box inside the clip with the pending tag, selects it, and undoes", () => {
    let redraws = 0;
    const c = new Correction(answer, () => redraws++);
    expect(c.setTag(8)).toBe("next");
    c.addBox({ start_s: 0.9, end_s: 1.3, low_hz: 500, high_hz: 20_000 }, bounds);
    expect(c.draft.events[1]).toMatchObject({ start_s: 0.9, end_s: 1, low_hz: 500, high_hz: 10_000, tag: 8 });
    expect(c.selected).toBe(1);
    expect(c.edited).toBe(true);
    expect(redraws).toBeGreaterThan(0);
    expect(c.step("undo")).toBe(true);
    expect(c.draft.events).toHaveLength(1);
    expect(c.edited).toBe(false);
    expect(c.step("undo")).toBe(false);
  });

  it("retags and deletes the selected box", () => {
    const c = new Correction(answer, () => undefined);
    c.selected = c.cycle(1);
    expect(c.setTag(8)).toBe("box");
    expect(c.draft.events[0].tag).toBe(8);
    c.deleteSelected();
    expect(c.draft.events).toEqual([]);
    expect(c.selected).toBeNull();
  });
});
