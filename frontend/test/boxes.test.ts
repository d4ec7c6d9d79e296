import { describe, expect, it } from "vitest";
import { boxFromPoints, boxRect, handleAt, hitTest, isDrawn, moveBox, normalise, resizeBox, type Geometry } from "../src/boxes";
import { freqToY, timeToX } from "../src/mapping";

const g: Geometry = { view: { start: 9, end: 16, low: 10_000, high: 120_000 }, size: { width: 1400, height: 550 }, scale: "linear" };
const bounds = { start: 10, end: 15, low: 10_000, high: 120_000 };
// 200 px per second, 200 Hz per px.
const box = { start_s: 11, end_s: 11.5, low_hz: 40_000, high_hz: 60_000 };
const px = (t: number, hz: number) => ({ x: timeToX(t, g.view, g.size), y: freqToY(hz, g.view, g.size, g.scale) });

describe("geometry", () => {
  it("maps a box to its pixel rectangle", () => {
    expect(boxRect(box, g)).toEqual({ x: 400, y: 300, w: 100, h: 100 });
  });

  it("spans the whole height for intervals", () => {
    expect(boxRect({ ...box, low_hz: null, high_hz: null }, g)).toEqual({ x: 400, y: 0, w: 100, h: 550 });
  });
});

describe("hit testing", () => {
  const r = { x: 400, y: 300, w: 100, h: 100 };

  it("finds corners and edges", () => {
    expect(handleAt(r, { x: 401, y: 301 }, 5, false)).toBe("nw");
    expect(handleAt(r, { x: 500, y: 400 }, 5, false)).toBe("se");
    expect(handleAt(r, { x: 450, y: 398 }, 5, false)).toBe("s");
    expect(handleAt(r, { x: 503, y: 350 }, 5, false)).toBe("e");
    expect(handleAt(r, { x: 450, y: 350 }, 5, false)).toBeNull();
    expect(handleAt(r, { x: 600, y: 350 }, 5, false)).toBeNull();
  });

  it("offers only left and right edges for intervals", () => {
    expect(handleAt(r, { x: 401, y: 301 }, 5, true)).toBe("w");
    expect(handleAt(r, { x: 450, y: 301 }, 5, true)).toBeNull();
  });

  it("gives handles only for the selected box", () => {
    expect(hitTest([box], { x: 400, y: 300 }, g, null)).toEqual({ kind: "inside", index: 0 });
    expect(hitTest([box], { x: 400, y: 300 }, g, 0)).toEqual({ kind: "handle", index: 0, handle: "nw" });
  });

  it("prefers the smallest box under the pointer", () => {
    const big = { start_s: 10, end_s: 14, low_hz: 20_000, high_hz: 100_000 };
    expect(hitTest([big, box], { x: 450, y: 350 }, g, null)).toEqual({ kind: "inside", index: 1 });
    expect(hitTest([big, box], { x: 300, y: 350 }, g, null)).toEqual({ kind: "inside", index: 0 });
    expect(hitTest([big, box], { x: 1300, y: 350 }, g, null)).toBeNull();
  });
});

describe("drawing", () => {
  it("creates a box from a drag in any direction", () => {
    const b = boxFromPoints(px(11.5, 40_000), px(11, 60_000), g, false, bounds);
    expect(b.start_s).toBeCloseTo(11);
    expect(b.end_s).toBeCloseTo(11.5);
    expect(b.low_hz).toBeCloseTo(40_000);
    expect(b.high_hz).toBeCloseTo(60_000);
  });

  it("clips a box to the clip in time", () => {
    const b = boxFromPoints(px(9.5, 40_000), px(10.5, 60_000), g, false, bounds);
    expect(b.start_s).toBe(10);
    expect(b.end_s).toBeCloseTo(10.5);
  });

  it("makes intervals in interval mode", () => {
    const b = boxFromPoints(px(11, 40_000), px(12, 60_000), g, true, bounds);
    expect(b).toMatchObject({ low_hz: null, high_hz: null });
  });

  it("tells a drag from a click", () => {
    expect(isDrawn({ x: 0, y: 0 }, { x: 2, y: 10 }, false)).toBe(false);
    expect(isDrawn({ x: 0, y: 0 }, { x: 10, y: 2 }, false)).toBe(false);
    expect(isDrawn({ x: 0, y: 0 }, { x: 10, y: 2 }, true)).toBe(true);
  });

  it("normalises inverted and out-of-range boxes", () => {
    expect(normalise({ start_s: 12, end_s: 11, low_hz: 130_000, high_hz: 5_000 }, bounds)).toEqual({ start_s: 11, end_s: 12, low_hz: 10_000, high_hz: 120_000 });
  });
});

describe("moving and resizing", () => {
  it("moves by the pointer's travel", () => {
    const m = moveBox(box, { x: 450, y: 350 }, { x: 470, y: 330 }, g, bounds);
    expect(m.start_s).toBeCloseTo(11.1);
    expect(m.end_s).toBeCloseTo(11.6);
    expect(m.low_hz).toBeCloseTo(44_000);
    expect(m.high_hz).toBeCloseTo(64_000);
  });

  it("stops at the bounds keeping the size", () => {
    const m = moveBox(box, { x: 450, y: 350 }, { x: 2000, y: -2000 }, g, bounds);
    expect(m.end_s).toBe(15);
    expect(m.end_s - m.start_s).toBeCloseTo(0.5);
    expect(m.high_hz).toBeCloseTo(120_000);
    expect((m.high_hz as number) - (m.low_hz as number)).toBeCloseTo(20_000);
  });

  it("keeps a box's pixel height on a mel axis", () => {
    const mg: Geometry = { ...g, scale: "mel" };
    const b = { ...box };
    const h0 = boxRect(b, mg).h;
    const m = moveBox(b, { x: 450, y: 300 }, { x: 450, y: 250 }, mg, bounds);
    expect(boxRect(m, mg).h).toBeCloseTo(h0, 6);
    expect(boxRect(m, mg).y).toBeCloseTo(boxRect(b, mg).y - 50, 6);
  });

  it("resizes one edge or a corner", () => {
    const e = resizeBox(box, "e", px(12, 0), g, bounds);
    expect(e).toMatchObject({ start_s: 11, low_hz: 40_000, high_hz: 60_000 });
    expect(e.end_s).toBeCloseTo(12);
    const nw = resizeBox(box, "nw", px(10.5, 70_000), g, bounds);
    expect(nw.start_s).toBeCloseTo(10.5);
    expect(nw.high_hz).toBeCloseTo(70_000);
    expect(nw.end_s).toBe(11.5);
  });

  it("flips when dragged past the opposite edge", () => {
    const r = resizeBox(box, "w", px(12, 0), g, bounds);
    expect(r.start_s).toBe(11.5);
    expect(r.end_s).toBeCloseTo(12);
  });

  it("ignores vertical handles on intervals", () => {
    const iv = { ...box, low_hz: null, high_hz: null };
    expect(resizeBox(iv, "n", px(11.2, 70_000), g, bounds)).toEqual(iv);
  });
});
