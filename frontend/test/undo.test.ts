import { describe, expect, it } from "vitest";
import { canRedo, canUndo, createUndo, record, redo, undo } from "../src/undo";

describe("undo stack", () => {
  it("undoes and redoes in order", () => {
    let s = createUndo<number>();
    let cur = 0;
    for (const next of [1, 2, 3]) {
      s = record(s, cur);
      cur = next;
    }
    let r = undo(s, cur)!;
    expect(r.state).toBe(2);
    r = undo(r.stack, r.state)!;
    expect(r.state).toBe(1);
    const again = redo(r.stack, r.state)!;
    expect(again.state).toBe(2);
    expect(canRedo(again.stack)).toBe(true);
  });

  it("returns null with nothing to undo or redo", () => {
    const s = createUndo<number>();
    expect(undo(s, 0)).toBeNull();
    expect(redo(s, 0)).toBeNull();
    expect(canUndo(s)).toBe(false);
  });

  it("drops the redo branch on a new change", () => {
    let s = record(createUndo<string>(), "a");
    const r = undo(s, "b")!;
    s = record(r.stack, "a");
    expect(canRedo(s)).toBe(false);
  });

  it("coalesces changes with the same key", () => {
    let s = createUndo<string>();
    s = record(s, "", "notes");
    s = record(s, "h", "notes");
    s = record(s, "he", "notes");
    expect(s.past).toEqual([""]);
    s = record(s, "hel", null);
    expect(s.past).toEqual(["", "hel"]);
  });

  it("does not coalesce across an undo", () => {
    let s = record(createUndo<string>(), "", "notes");
    const r = undo(s, "x")!;
    s = record(r.stack, "", "notes");
    expect(s.past).toEqual([""]);
  });

  it("keeps at most `limit` steps", () => {
    let s = createUndo<number>(3);
    for (let i = 0; i < 10; i++) s = record(s, i);
    expect(s.past).toEqual([7, 8, 9]);
  });

  it("does not mutate the stack it was given", () => {
    const s = record(createUndo<number>(), 1);
    const frozen = JSON.stringify(s);
    record(s, 2);
    undo(s, 3);
    expect(JSON.stringify(s)).toBe(frozen);
  });
});
