import { describe, expect, it } from "vitest";
import {
  covers,
  defaultLimits,
  freqToY,
  hzToMel,
  melToHz,
  panPixels,
  placeImage,
  timeToX,
  visiblePart,
  xToTime,
  yToFreq,
  zoomFreq,
  zoomTime,
} from "../src/mapping";

const view = { start: 9, end: 16, low: 10_000, high: 120_000 };
const size = { width: 1400, height: 500 };

describe("time axis", () => {
  it("maps the view's edges to the canvas edges", () => {
    expect(timeToX(9, view, size)).toBe(0);
    expect(timeToX(16, view, size)).toBeCloseTo(1400);
    expect(xToTime(700, view, size)).toBeCloseTo(12.5);
  });

  it("round-trips pixel -> seconds -> pixel", () => {
    for (const x of [0, 1, 123.5, 700, 1399.9]) expect(timeToX(xToTime(x, view, size), view, size)).toBeCloseTo(x, 9);
  });
});

describe("frequency axis", () => {
  it("puts the high frequency on row 0 (linear)", () => {
    expect(freqToY(120_000, view, size, "linear")).toBeCloseTo(0);
    expect(freqToY(10_000, view, size, "linear")).toBeCloseTo(500);
    expect(yToFreq(250, view, size, "linear")).toBeCloseTo(65_000);
  });

  it.each(["linear", "mel", "log"] as const)("round-trips pixel -> Hz -> pixel on a %s axis", (scale) => {
    for (const y of [0, 0.5, 77, 250, 499.5, 500]) expect(freqToY(yToFreq(y, view, size, scale), view, size, scale)).toBeCloseTo(y, 6);
    for (const hz of [10_000, 23_456.7, 60_000, 120_000]) expect(yToFreq(freqToY(hz, view, size, scale), view, size, scale)).toBeCloseTo(hz, 4);
  });

  it("uses the HTK mel formula", () => {
    expect(hzToMel(700)).toBeCloseTo(2595 * Math.log10(2));
    expect(hzToMel(1000)).toBeCloseTo(999.99, 1);
    expect(melToHz(hzToMel(44_100))).toBeCloseTo(44_100, 6);
  });

  it("puts the mel midpoint (not the Hz midpoint) in the middle row", () => {
    const mid = melToHz((hzToMel(10_000) + hzToMel(120_000)) / 2);
    expect(yToFreq(250, view, size, "mel")).toBeCloseTo(mid, 3);
    expect(mid).toBeLessThan(65_000);
  });
});

describe("image placement", () => {
  const extent = { start: 9, end: 16, low: 10_000, high: 120_000 };
  const image = { width: 1600, height: 512 };

  it("fills the canvas when the view is the extent", () => {
    expect(placeImage(extent, view, size, "linear")).toEqual({ x: 0, y: 0, w: 1400, h: 500 });
  });

  it("crops the source to the visible part when zoomed", () => {
    const zoomed = { start: 10, end: 11, low: 10_000, high: 65_000 };
    const part = visiblePart(extent, image, zoomed, size, "linear")!;
    expect(part.dst).toEqual({ x: 0, y: 0, w: 1400, h: 500 });
    expect(part.src.x).toBeCloseTo((1 / 7) * 1600);
    expect(part.src.w).toBeCloseTo((1 / 7) * 1600);
    expect(part.src.y).toBeCloseTo(256);
    expect(part.src.h).toBeCloseTo(256);
  });

  it("returns nothing for an image outside the view", () => {
    expect(visiblePart({ ...extent, start: 20, end: 21 }, image, view, size, "linear")).toBeNull();
  });

  it("checks coverage", () => {
    expect(covers(extent, { start: 10, end: 11, low: 20_000, high: 30_000 })).toBe(true);
    expect(covers(extent, { start: 8, end: 11, low: 20_000, high: 30_000 })).toBe(false);
  });
});

describe("zoom and pan", () => {
  const limits = defaultLimits(view);

  it("keeps the anchor time at the same pixel", () => {
    const z = zoomTime(view, 2, 10, limits);
    expect(z.end - z.start).toBeCloseTo(3.5);
    expect(timeToX(10, z, size)).toBeCloseTo(timeToX(10, view, size));
  });

  it("never leaves the bounds or zooms out past them", () => {
    const z = zoomTime(view, 0.1, 12, limits);
    expect(z).toMatchObject({ start: 9, end: 16 });
    const edge = zoomTime(zoomTime(view, 4, 9.1, limits), 0.5, 15.9, limits);
    expect(edge.start).toBeGreaterThanOrEqual(9);
    expect(edge.end).toBeLessThanOrEqual(16);
  });

  it("stops at the minimum duration", () => {
    const z = zoomTime(view, 1e9, 12, limits);
    expect(z.end - z.start).toBeCloseTo(limits.minDuration);
  });

  it("zooms frequency around the anchor in mel units", () => {
    const z = zoomFreq(view, 2, 40_000, limits, "mel");
    expect(freqToY(40_000, z, size, "mel")).toBeCloseTo(freqToY(40_000, view, size, "mel"), 6);
    expect(hzToMel(z.high) - hzToMel(z.low)).toBeCloseTo((hzToMel(120_000) - hzToMel(10_000)) / 2, 6);
  });

  it("pans with the pointer and stops at the bounds", () => {
    const z = zoomTime(view, 2, 12.5, limits);
    const p = panPixels(z, 140, 0, size, limits, "linear");
    expect(p.start).toBeCloseTo(z.start - 0.35);
    expect(p.low).toBe(z.low);
    const far = panPixels(z, 1e6, 0, size, limits, "linear");
    expect(far.start).toBe(9);
    expect(far.end - far.start).toBeCloseTo(3.5);
  });
});
