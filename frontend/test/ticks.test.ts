import { describe, expect, it } from "vitest";
import { formatDuration, formatFreq, formatTime, freqTicks, niceStep, timeTicks } from "../src/ticks";

describe("ticks", () => {
  it("picks 1-2-5 steps", () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(0.0031)).toBeCloseTo(0.005);
    expect(niceStep(7000)).toBe(10_000);
  });

  it("labels time in seconds with the decimals the step needs", () => {
    expect(formatTime(12, 1)).toBe("12 s");
    expect(formatTime(12.25, 0.05)).toBe("12.25 s");
    expect(formatTime(12.3456, 0.002)).toBe("12.346 s");
  });

  it("labels durations in ms below a second", () => {
    expect(formatDuration(0.0052)).toBe("5.20 ms");
    expect(formatDuration(0.25)).toBe("250.0 ms");
    expect(formatDuration(1.5)).toBe("1.500 s");
  });

  it("labels frequency in kHz", () => {
    expect(formatFreq(45_000, 10_000)).toBe("45 kHz");
    expect(formatFreq(45_500, 500)).toBe("45.5 kHz");
  });

  it("spaces time ticks evenly inside the view", () => {
    const ticks = timeTicks({ start: 9, end: 16, low: 0, high: 1 }, 700);
    expect(ticks.map((t) => t.value)).toEqual([9, 10, 11, 12, 13, 14, 15, 16]);
    expect(ticks[1].pos).toBeCloseTo(100);
  });

  it("drops crowded mel ticks but keeps them in order", () => {
    const ticks = freqTicks({ start: 0, end: 1, low: 10_000, high: 120_000 }, 400, "mel");
    expect(ticks.length).toBeGreaterThan(3);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i - 1].pos - ticks[i].pos).toBeGreaterThanOrEqual(26);
  });
});

describe("mel ticks", () => {
  it("keeps the roundest values first", () => {
    const ticks = freqTicks({ start: 0, end: 1, low: 10_000, high: 120_000 }, 540, "mel");
    const values = ticks.map((t) => t.value / 1000);
    for (const v of [10, 20, 30, 40, 50, 60, 80, 100]) expect(values).toContain(v);
    expect(ticks[0].value).toBe(10_000); // bottom first, like the linear axis
  });
});
