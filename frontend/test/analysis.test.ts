import { describe, expect, it } from "vitest";
import { formatValue, ROWS } from "../src/measurements";
import { peakIndex } from "../src/spectrum";
import { gainFor, timeToX } from "../src/waveform";

describe("measurements panel", () => {
  it("formats each unit and shows a dash for missing values", () => {
    expect(formatValue(0.00234, "ms")).toBe("2.34 ms");
    expect(formatValue(45123, "kHz")).toBe("45.12 kHz");
    expect(formatValue(1.23456, "s")).toBe("1.2346 s");
    expect(formatValue(17.26, "dB")).toBe("17.3 dB");
    expect(formatValue(null, "kHz")).toBe("—");
  });

  it("lists every measurement the issue asks for", () => {
    const fields = ROWS.map((r) => r[0]);
    for (const f of ["duration_s", "low_hz", "high_hz", "peak_hz", "start_hz", "end_hz", "characteristic_hz", "bandwidth_hz"]) {
      expect(fields).toContain(f);
    }
  });
});

describe("spectrum and waveform", () => {
  it("finds the loudest bin", () => {
    expect(peakIndex({ freqs_hz: [1, 2, 3], db: [-40, -10, -30], window: 64, reason: null })).toBe(1);
    expect(peakIndex({ freqs_hz: [], db: [], window: 0, reason: "short" })).toBe(-1);
  });

  it("maps time to the strip like the image above it", () => {
    const view = { start: 1, end: 2, low: 0, high: 1 };
    expect(timeToX(1, view, 800)).toBe(0);
    expect(timeToX(1.5, view, 800)).toBe(400);
    expect(timeToX(2, view, 800)).toBe(800);
  });

  it("scales the loudest sample to 90 % of the half height", () => {
    expect(gainFor({ start: 0, end: 1, samplerate: 1, min: [-0.5, 0], max: [0.25, 0.1] })).toBeCloseTo(1.8);
    expect(gainFor({ start: 0, end: 1, samplerate: 1, min: [0], max: [0] })).toBe(1);
  });
});
