import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLD, effectiveThreshold, servedThreshold } from "../src/app";
import type { Predictions } from "../src/types";
import { thresholdText } from "../src/ui";

function predictions(threshold?: number | null): Predictions {
  return { model_version: { id: 1, name: "v3", threshold }, events: [] };
}

describe("servedThreshold", () => {
  it("reads the version's calibrated threshold", () => {
    expect(servedThreshold(predictions(0.7))).toBe(0.7);
    expect(servedThreshold(predictions(0))).toBe(0);
  });

  it("is null without a version or a usable threshold", () => {
    expect(servedThreshold(null)).toBeNull();
    expect(servedThreshold({ model_version: null, events: [] })).toBeNull();
    expect(servedThreshold(predictions(undefined))).toBeNull();
    expect(servedThreshold(predictions(null))).toBeNull();
    expect(servedThreshold(predictions(1.5))).toBeNull();
    expect(servedThreshold(predictions(Number.NaN))).toBeNull();
  });
});

describe("effectiveThreshold", () => {
  it("starts at the version's threshold", () => {
    expect(effectiveThreshold(predictions(0.7), null)).toBe(0.7);
  });

  it("keeps the annotator's value once they moved the slider, whatever the version says", () => {
    expect(effectiveThreshold(predictions(0.7), 0.35)).toBe(0.35);
    expect(effectiveThreshold(predictions(0.2), 0)).toBe(0);
  });

  it("falls back to the default before predictions load or for versions without one", () => {
    expect(effectiveThreshold(null, null)).toBe(DEFAULT_THRESHOLD);
    expect(effectiveThreshold(predictions(undefined), null)).toBe(DEFAULT_THRESHOLD);
  });
});

describe("thresholdText", () => {
  it("says when the threshold is the model's calibrated one", () => {
    expect(thresholdText(0.7, 0.7, false).short).toBe("0.70 (model's calibrated threshold)");
  });

  it("says when it is the annotator's, and what the model's is", () => {
    const t = thresholdText(0.35, 0.7, true);
    expect(t.short).toBe("0.35 (yours)");
    expect(t.long).toContain("calibrated threshold is 0.70");
  });

  it("is the bare number without a model threshold", () => {
    expect(thresholdText(0.5, null, false).short).toBe("0.50");
  });
});
