import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api";
import { LeaseKeeper, nextCheckMs, type LeaseClock } from "../src/lease";

/** A clock whose timers fire only when the test advances it. */
class FakeClock implements LeaseClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.timers.push({ at: this.t + ms, fn, id: ++this.seq });
    return this.seq;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      await new Promise((r) => setTimeout(r, 0)); // let the renewal's promise settle
    }
    this.t = end;
  }
}

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function keeper(clock: FakeClock, answer: (id: number) => Promise<string>) {
  const calls: number[] = [];
  const lost: string[] = [];
  const k = new LeaseKeeper((id) => (calls.push(id), answer(id)), { lost: (m) => lost.push(m) }, clock);
  return { k, calls, lost };
}

describe("lease renewal", () => {
  it("checks at half the remaining lease, not sooner than 15 s", () => {
    expect(nextCheckMs(30 * MIN, 0)).toBe(15 * MIN);
    expect(nextCheckMs(10_000, 0)).toBe(15_000);
  });

  it("renews an active annotator's lease before it runs out, again and again", async () => {
    const clock = new FakeClock();
    const { k, calls, lost } = keeper(clock, async () => iso(clock.t + 30 * MIN));
    k.start(7, iso(30 * MIN));
    for (let i = 0; i < 6; i++) {
      await clock.advance(5 * MIN);
      k.activity();
    }
    // 30 minutes of work on one clip: renewed at 15 min and at 30 min, never lost
    expect(calls).toEqual([7, 7]);
    expect(lost).toEqual([]);
  });

  it("lets an idle tab's lease expire", async () => {
    const clock = new FakeClock();
    const { k, calls } = keeper(clock, async () => iso(clock.t + 30 * MIN));
    k.start(7, iso(30 * MIN));
    await clock.advance(40 * MIN);
    expect(calls).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it("reports a lost lease (409) once and stops", async () => {
    const clock = new FakeClock();
    const { k, calls, lost } = keeper(clock, async () => {
      throw new ApiError(409, { detail: "gone" }, "HTTP 409: gone");
    });
    k.start(7, iso(30 * MIN));
    k.activity();
    clock.t = 1; // activity after the start
    k.activity();
    await clock.advance(60 * MIN);
    expect(calls).toEqual([7]);
    expect(lost).toEqual(["HTTP 409: gone"]);
    expect(clock.pending()).toBe(0);
  });

  it("retries after network trouble while the lease lasts", async () => {
    const clock = new FakeClock();
    let fail = true;
    const { k, calls, lost } = keeper(clock, async () => {
      if (fail) throw new ApiError(0, null, "network error");
      return iso(clock.t + 30 * MIN);
    });
    k.start(7, iso(30 * MIN));
    clock.t = 1;
    k.activity();
    await clock.advance(15 * MIN); // first try fails
    fail = false;
    await clock.advance(8 * MIN); // the retry at half the remaining time succeeds
    expect(calls).toEqual([7, 7]);
    expect(lost).toEqual([]);
  });

  it("stops keeping a task once the page moves on", async () => {
    const clock = new FakeClock();
    const { k, calls } = keeper(clock, async () => iso(clock.t + 30 * MIN));
    k.start(7, iso(30 * MIN));
    clock.t = 1;
    k.activity();
    k.stop();
    await clock.advance(60 * MIN);
    expect(calls).toEqual([]);
  });
});
