import { describe, expect, it } from "vitest";
import { resolveKey, shadowedTagHotkeys, tagKeyLabel, type KeyLike } from "../src/hotkeys";
import type { Tag } from "../src/types";

const tag = (id: number, hotkey: string | null): Tag => ({ id, key: "species", value: `t${id}`, display_name: `T${id}`, hotkey, color: null });
const tags = [tag(21, "q"), tag(22, "m"), tag(23, null), tag(24, "s")];
const ctx = { tags, typing: false };
const key = (k: string, extra: Partial<KeyLike> = {}) => resolveKey({ key: k, ...extra }, ctx);

describe("hotkeys", () => {
  it("maps the built-in keys", () => {
    expect(key("Enter")).toEqual({ type: "submit" });
    expect(key("k")).toEqual({ type: "skip" });
    expect(key("s")).toEqual({ type: "toggleView" });
    expect(key("n")).toEqual({ type: "noCalls" });
    expect(key("x")).toEqual({ type: "noise" });
    expect(key("u")).toEqual({ type: "uncertain" });
    expect(key(" ")).toEqual({ type: "play" });
    expect(key("Delete")).toEqual({ type: "delete" });
    expect(key("Backspace")).toEqual({ type: "delete" });
    expect(key("+")).toEqual({ type: "zoomIn" });
    expect(key("-")).toEqual({ type: "zoomOut" });
    expect(key("0")).toEqual({ type: "resetZoom" });
  });

  it("maps undo and redo, with Ctrl or Cmd", () => {
    expect(key("z", { ctrlKey: true })).toEqual({ type: "undo" });
    expect(key("Z", { ctrlKey: true, shiftKey: true })).toEqual({ type: "redo" });
    expect(key("y", { ctrlKey: true })).toEqual({ type: "redo" });
    expect(key("z", { metaKey: true })).toEqual({ type: "undo" });
  });

  it("leaves other Ctrl combinations to the browser", () => {
    expect(key("r", { ctrlKey: true })).toBeNull();
    expect(key("c", { ctrlKey: true })).toBeNull();
  });

  it("maps digits to the first tags, and the physical digit row", () => {
    expect(key("1")).toEqual({ type: "tag", tagId: 21 });
    expect(key("3")).toEqual({ type: "tag", tagId: 23 });
    expect(key("9")).toBeNull();
    expect(key("&", { code: "Digit1" })).toEqual({ type: "tag", tagId: 21 });
  });

  it("maps the project's letter hotkeys, case-insensitively", () => {
    expect(key("m")).toEqual({ type: "tag", tagId: 22 });
    expect(key("Q")).toEqual({ type: "tag", tagId: 21 });
  });

  it("lets built-in keys win over a tag hotkey, and reports the clash", () => {
    expect(key("s")).toEqual({ type: "toggleView" });
    expect([...shadowedTagHotkeys(tags)]).toEqual([24]);
    expect(tagKeyLabel(tags, 3)).toBe("4");
    expect(tagKeyLabel(tags, 1)).toBe("2 m");
  });

  it("is silent while typing, except Escape, Ctrl+Enter and Enter in one-line fields", () => {
    const typing = { tags, typing: true };
    expect(resolveKey({ key: "n" }, typing)).toBeNull();
    expect(resolveKey({ key: "1" }, typing)).toBeNull();
    expect(resolveKey({ key: "Backspace" }, typing)).toBeNull();
    expect(resolveKey({ key: "z", ctrlKey: true }, typing)).toBeNull();
    expect(resolveKey({ key: "Escape" }, typing)).toEqual({ type: "blur" });
    expect(resolveKey({ key: "Enter", ctrlKey: true }, typing)).toEqual({ type: "submit" });
    expect(resolveKey({ key: "Enter" }, typing)).toEqual({ type: "blur" });
    expect(resolveKey({ key: "Enter" }, { ...typing, multiline: true })).toBeNull();
  });

  it("ignores auto-repeat for one-shot actions but not for zoom and pan", () => {
    expect(key("Enter", { repeat: true })).toBeNull();
    expect(key("k", { repeat: true })).toBeNull();
    expect(key("+", { repeat: true })).toEqual({ type: "zoomIn" });
    expect(key("ArrowLeft", { repeat: true })).toEqual({ type: "pan", dx: -0.25, dy: 0 });
  });

  it("maps Tab to box selection and Shift+A to accept all", () => {
    expect(key("Tab")).toEqual({ type: "selectNext" });
    expect(key("Tab", { shiftKey: true })).toEqual({ type: "selectPrev" });
    expect(key("a")).toEqual({ type: "acceptPrediction" });
    expect(key("A", { shiftKey: true })).toEqual({ type: "acceptAllPredictions" });
  });

  it("ignores Alt combinations", () => {
    expect(key("n", { altKey: true })).toBeNull();
  });
});
