// Keeping the lease on the open task while its annotator works: a long session on one clip must
// not find the task handed to someone else. An idle tab does not hoard tasks: the lease is renewed
// only if there was input since the last renewal, and is otherwise left to expire.

export interface LeaseClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: LeaseClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** When to look again, ms from now: at half the remaining lease, never sooner than `minMs`. */
export function nextCheckMs(expiresAt: number, now: number, minMs = 15_000): number {
  return Math.max(minMs, Math.floor((expiresAt - now) / 2));
}

export interface LeaseEvents {
  /** The server says the lease is gone (409): submitting still saves the work. */
  lost(message: string): void;
}

export class LeaseKeeper {
  private taskId: number | null = null;
  private expiresAt = 0;
  private activeSince = 0;
  private lastRenewal = 0;
  private timer: unknown;

  constructor(
    /** POST tasks/{id}/renew/: the new expiry (ISO), or throws an ApiError (409: lost). */
    private readonly renew: (taskId: number) => Promise<string>,
    private readonly events: LeaseEvents,
    private readonly clock: LeaseClock = realClock,
  ) {}

  /** Start keeping the lease of a newly opened task. */
  start(taskId: number, expiresAtIso: string): void {
    this.stop();
    this.taskId = taskId;
    this.expiresAt = Date.parse(expiresAtIso);
    this.lastRenewal = this.clock.now();
    this.activeSince = 0;
    this.schedule();
  }

  /** The annotator did something (a key, a pointer move on the canvas). */
  activity(): void {
    this.activeSince = this.clock.now();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.taskId = null;
  }

  private schedule(): void {
    const wait = nextCheckMs(this.expiresAt, this.clock.now());
    this.timer = this.clock.setTimeout(() => void this.check(), wait);
  }

  private async check(): Promise<void> {
    const taskId = this.taskId;
    if (taskId === null) return;
    if (this.activeSince <= this.lastRenewal) {
      // Idle since the last renewal: let the lease run out (the draft stays in localStorage).
      if (this.clock.now() < this.expiresAt) this.schedule();
      return;
    }
    try {
      const expires = await this.renew(taskId);
      if (this.taskId !== taskId) return; // the page moved on meanwhile
      this.expiresAt = Date.parse(expires);
      this.lastRenewal = this.clock.now();
      this.schedule();
    } catch (e) {
      if (this.taskId !== taskId) return;
      const status = (e as { status?: number }).status;
      if (status === 409) {
        this.stop();
        this.events.lost((e as Error).message);
      } else if (this.clock.now() < this.expiresAt) {
        this.schedule(); // network trouble: try again while the lease lasts
      }
    }
  }
}
