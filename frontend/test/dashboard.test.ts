import { describe, expect, it } from "vitest";
import {
  evaluationSetText,
  formatSeconds,
  heartbeatAge,
  phasesText,
  phaseText,
  statusText,
  versionCells,
  withInterval,
  type LearningCurve,
  type Training,
  type VersionRow,
} from "../src/dashboard";

const NOW = "2025-06-02T10:00:30Z";

function training(patch: Partial<Training> = {}): Training {
  return {
    id: 7, status: "running", phase: "pretraining", phase_label: "Pretraining on synthetic calls",
    phase_progress: 0.4, eta_s: 12, phase_seconds: {}, epoch: 0, n_epochs: 0, attempt: 1,
    cancel_requested: false, error: "", heartbeat_at: "2025-06-02T10:00:26Z", finished_at: null, ...patch,
  };
}

describe("budget", () => {
  it("says when the budget cut a training, and nothing when it did not", () => {
    const budget = { steps: 480, asked_steps: 7170, epochs: 1, asked_epochs: 15, max_seconds: 1200, max_steps: null,
                     cut: true };
    const t = training({ epoch: 0, n_epochs: 1, budget });
    expect(statusText(t, NOW).text).toBe("epoch 0 / 1 · budget 20 min: 1 of 15 epochs · last heartbeat 4 s ago");
    expect(statusText(training({ n_epochs: 3, budget: { ...budget, cut: false } }), NOW).text).toBe(
      "epoch 0 / 3 · last heartbeat 4 s ago");
  });
});

describe("formatSeconds", () => {
  it("reads as seconds, minutes and hours", () => {
    expect(formatSeconds(0.2)).toBe("< 1 s");
    expect(formatSeconds(3.2)).toBe("3 s");
    expect(formatSeconds(59.4)).toBe("59 s");
    expect(formatSeconds(95)).toBe("1 min 35 s");
    expect(formatSeconds(120)).toBe("2 min");
    expect(formatSeconds(7500)).toBe("2 h 5 min");
    expect(formatSeconds(7200)).toBe("2 h");
  });
});

describe("phaseText", () => {
  it("names the phase, its progress and the time left", () => {
    expect(phaseText(training())).toBe("Pretraining on synthetic calls · 40 % · about 12 s left");
  });

  it("leaves out an unknown time left, and says a queued run is queued", () => {
    expect(phaseText(training({ eta_s: null }))).toBe("Pretraining on synthetic calls · 40 %");
    expect(phaseText(training({ status: "queued", phase: "queued", phase_label: "Queued" }))).toBe("Queued");
  });
});

describe("statusText", () => {
  it("shows epochs, the retry and the heartbeat's age on the server's clock", () => {
    const t = training({ phase: "training", epoch: 3, n_epochs: 12, attempt: 2 });
    expect(heartbeatAge(t, NOW)).toBe(4);
    expect(statusText(t, NOW)).toEqual({ text: "epoch 3 / 12 · retry 2 of 2 · last heartbeat 4 s ago", warn: false });
  });

  it("warns when the heartbeat has been quiet for a while", () => {
    const s = statusText(training({ heartbeat_at: "2025-06-02T09:59:40Z" }), NOW);
    expect(s.warn).toBe(true);
    expect(s.text).toContain("last heartbeat 50 s ago (the worker may be gone)");
  });

  it("says a queued run waits for a worker and a cancel is on its way", () => {
    expect(statusText(training({ status: "queued", heartbeat_at: null }), NOW).text).toBe("waiting for a training worker");
    expect(statusText(training({ cancel_requested: true }), NOW).text).toContain("cancel requested");
  });

  it("gives the outcome of an ended run", () => {
    const ended = { phase: "done", finished_at: null };
    expect(statusText(training({ ...ended, status: "cancelled" }), NOW).text).toBe("Cancelled.");
    expect(statusText(training({ ...ended, status: "failed", error: "out of memory" }), NOW)).toEqual({
      text: "Failed: out of memory", warn: true,
    });
    expect(statusText(training({ ...ended, status: "kept_old" }), NOW).text).toContain("previous version stays active");
  });
});

describe("phasesText", () => {
  it("lists the phases in the order they run, with the total", () => {
    expect(phasesText({ training: 140.5, preparing: 3.2, evaluating: 4, pretraining: 61 })).toBe(
      "Time per phase: preparing 3 s · pretraining 1 min 1 s · training 2 min 21 s · evaluating 4 s (total 3 min 29 s)",
    );
    expect(phasesText({})).toBe("");
  });
});

const curve: LearningCurve = {
  n_clips: 30, n_events: 75, excluded: 1,
  points: [{ version: 1, det_ap: 0.31, f1: 0.4, map: 0.2, threshold: 0.62, ci: { det_ap: [0.21, 0.41], f1: [null, null] } }],
};

describe("the learning curve's numbers", () => {
  it("states the evaluation set's size", () => {
    expect(evaluationSetText(curve)).toBe("Evaluation set: 30 clips, 75 calls; 95 % intervals; 1 version not scored on it.");
    expect(evaluationSetText({ n_clips: 0, n_events: 0, excluded: 0, points: [] })).toContain("No version scored");
  });

  it("writes a value with its interval when it has one", () => {
    expect(withInterval(0.72, [0.62, 0.82])).toBe("0.720 (0.62–0.82)");
    expect(withInterval(0.72, undefined)).toBe("0.720");
    expect(withInterval(null, [0.1, 0.2])).toBe("–");
  });

  it("lists versions newest first, with their scores on the evaluation set", () => {
    const versions: VersionRow[] = [
      { version: 1, name: "v1", n_labels: 40, det_ap: 0.3, f1: null, map: null, validation: "audit", n_val: 30, is_active: false },
      { version: 2, name: "v2 (BirdNET)", n_labels: 0, det_ap: null, f1: null, map: null, validation: "", n_val: null, is_active: true },
    ];
    expect(versionCells(versions, curve)).toEqual([
      ["v2 (BirdNET) (active)", 0, "–", "–", "–", "–"],
      ["v1", 40, "0.310 (0.21–0.41)", "0.400", "0.200", "0.62"],
    ]);
  });
});
