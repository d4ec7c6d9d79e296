import { afterEach, describe, expect, it, vi } from "vitest";
import { emptyDraft } from "../src/annotation";
import { ApiError, errorMessages } from "../src/api";
import { expansionPlayable, playheadTime } from "../src/player";
import { Submitter, backoffMs, classify } from "../src/submit";

describe("error messages", () => {
  it("flattens DRF error bodies", () => {
    expect(errorMessages({ detail: "Lease expired." })).toEqual(["Lease expired."]);
    expect(errorMessages({ tags: ["Unknown tag."] })).toEqual(["tags: Unknown tag."]);
    expect(errorMessages({ events: [{}, { start_s: ["Event must lie inside the clip."] }] })).toEqual(["events[2].start_s: Event must lie inside the clip."]);
    expect(errorMessages({ non_field_errors: ["Bad."] })).toEqual(["Bad."]);
  });
});

describe("submission outcome", () => {
  it("treats 409 as a conflict carrying the current annotation", () => {
    const current = { id: 1, version: 3, tags: [], no_calls: false, noise: false, uncertain: false, notes: "", events: [] };
    const o = classify(new ApiError(409, { detail: "stale", current }, "HTTP 409"));
    expect(o).toEqual({ kind: "conflict", current, message: "stale" });
  });

  it("shows 400 messages without retrying", () => {
    expect(classify(new ApiError(400, { notes: ["Too long."] }, "HTTP 400"))).toEqual({ kind: "invalid", messages: ["notes: Too long."] });
  });

  it("retries network errors and 5xx", () => {
    expect(classify(new ApiError(0, null, "network error")).kind).toBe("retry");
    expect(classify(new ApiError(502, "", "HTTP 502")).kind).toBe("retry");
    expect(classify(new ApiError(429, "", "HTTP 429")).kind).toBe("retry");
    expect(classify(new TypeError("Failed to fetch")).kind).toBe("retry");
  });

  it("does not retry other client errors", () => {
    expect(classify(new ApiError(403, { detail: "no" }, "HTTP 403: no")).kind).toBe("fatal");
  });

  it("backs off exponentially up to 30 s", () => {
    const none = () => 0;
    expect([0, 1, 2, 3, 10].map((a) => backoffMs(a, none))).toEqual([1000, 2000, 4000, 8000, 30000]);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });
});

describe("playback", () => {
  it("maps playback time to recording time through the expansion", () => {
    expect(playheadTime(10, 5, 10)).toBeCloseTo(10.5);
    expect(playheadTime(10, 5, 1)).toBe(15);
  });

  it("rules out slow-downs below the browser's minimum sample rate", () => {
    expect(expansionPlayable(384_000, 20)).toBe(true);
    expect(expansionPlayable(22_050, 10)).toBe(false);
  });
});

describe("Submitter", () => {
  const draft = { ...emptyDraft(), notes: "mine" };
  const saved = { id: 1, version: 1, tags: [], no_calls: false, noise: false, uncertain: false, notes: "mine", events: [] };

  function setup(responses: (() => Promise<typeof saved>)[]) {
    const log: string[] = [];
    const post = vi.fn(() => (responses.shift() as () => Promise<typeof saved>)());
    const s = new Submitter(post, () => draft, {
      busy: (on) => log.push(`busy ${on}`),
      status: (text, level) => log.push(`${level}: ${text}`),
      done: () => log.push("done"),
      conflict: (current) => log.push(`conflict v${current?.version}`),
    });
    return { s, post, log };
  }

  afterEach(() => vi.useRealTimers());

  it("retries a 503 after a backoff and then succeeds", async () => {
    vi.useFakeTimers();
    const { s, post, log } = setup([() => Promise.reject(new ApiError(503, "", "HTTP 503")), () => Promise.resolve(saved)]);
    await s.send(7);
    expect(log.at(-1)).toMatch(/^error: Submit failed .* retrying in 1 s/);
    expect(log).not.toContain("done");
    await vi.advanceTimersByTimeAsync(1300);
    expect(post).toHaveBeenCalledTimes(2);
    expect(log.at(-1)).toBe("done");
  });

  it("counts a 409 whose current annotation is ours as done", async () => {
    const { s, log } = setup([() => Promise.reject(new ApiError(409, { detail: "stale", current: { ...saved, version: 2 } }, "HTTP 409"))]);
    await s.send(7);
    expect(log.at(-1)).toBe("done");
  });

  it("reports a real conflict", async () => {
    const theirs = { ...saved, version: 2, notes: "theirs" };
    const { s, log } = setup([() => Promise.reject(new ApiError(409, { detail: "stale", current: theirs }, "HTTP 409"))]);
    await s.send(7);
    expect(log.at(-1)).toBe("conflict v2");
  });

  it("shows a 400 and does not retry", async () => {
    vi.useFakeTimers();
    const { s, post, log } = setup([() => Promise.reject(new ApiError(400, { notes: ["Too long."] }, "HTTP 400"))]);
    await s.send(7);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(post).toHaveBeenCalledTimes(1);
    expect(log.at(-1)).toBe("error: Not saved: notes: Too long. (your draft is kept)");
  });

  it("stops retrying when cancelled", async () => {
    vi.useFakeTimers();
    const { s, post } = setup([() => Promise.reject(new ApiError(0, null, "network error"))]);
    await s.send(7);
    s.cancel();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(post).toHaveBeenCalledTimes(1);
  });
});
