import { describe, expect, it } from "vitest";
import { resolveKey } from "../src/hotkeys";
import { nextSharpen, stepWindow, WINDOWS_MS } from "../src/viewer";

describe("view options", () => {
  it("steps the window through the offered lengths, from any current value", () => {
    expect(stepWindow(0.002, 1)).toBe(0.004);
    expect(stepWindow(0.002, -1)).toBe(0.001);
    expect(stepWindow(0.00033, -1)).toBe(0.00025); // from an automatic window between two offers
    expect(stepWindow(0.00033, 1)).toBe(0.0005);
    expect(stepWindow(WINDOWS_MS[WINDOWS_MS.length - 1] / 1000, 1)).toBe(0.016); // stays at the ends
  });

  it("cycles the sharpening", () => {
    expect(nextSharpen("none")).toBe("reassigned");
    expect(nextSharpen("reassigned")).toBe("multitaper");
    expect(nextSharpen("multitaper")).toBe("none");
  });

  it("maps [ ] Shift+R Shift+L, and leaves r and l to tags", () => {
    const ctx = { tags: [{ id: 7, key: "species", value: "R. fer", display_name: "", hotkey: "r", color: null }], typing: false };
    expect(resolveKey({ key: "[" }, ctx)).toEqual({ type: "window", step: -1 });
    expect(resolveKey({ key: "]" }, ctx)).toEqual({ type: "window", step: 1 });
    expect(resolveKey({ key: "R", shiftKey: true }, ctx)).toEqual({ type: "cycleSharpen" });
    expect(resolveKey({ key: "L", shiftKey: true }, ctx)).toEqual({ type: "autoLevels" });
    expect(resolveKey({ key: "r" }, ctx)).toEqual({ type: "tag", tagId: 7 });
  });
});
