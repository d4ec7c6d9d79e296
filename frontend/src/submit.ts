// Submitting a draft: what a failure means, backing off and retrying, and recognising that an
// earlier attempt went through after all. The draft is dropped by the caller only on success.

import { fromAnnotation, sameContent } from "./annotation";
import { ApiError, errorMessages } from "./api";
import type { Annotation, Draft } from "./types";

export type Outcome =
  /** Someone else saved a newer version: show theirs, let the user choose. */
  | { kind: "conflict"; current: Annotation | null; message: string }
  /** The server refused the content (400): show the messages, do not retry. */
  | { kind: "invalid"; messages: string[] }
  /** Network trouble, 5xx, 429: keep the draft and try again later. */
  | { kind: "retry"; message: string }
  /** Anything else (403 lease lost, 404 ...): show it, keep the draft, do not retry by itself. */
  | { kind: "fatal"; message: string };

export function classify(err: unknown): Outcome {
  if (!(err instanceof ApiError)) return { kind: "retry", message: String((err as Error)?.message ?? err) };
  const body = err.body as Record<string, unknown> | null;
  if (err.status === 409) {
    const current = body && typeof body === "object" ? ((body.current as Annotation) ?? null) : null;
    const detail = body && typeof body === "object" && typeof body.detail === "string" ? body.detail : "";
    return { kind: "conflict", current, message: detail || "Someone else saved this clip meanwhile." };
  }
  if (err.status === 400) {
    const messages = errorMessages(err.body);
    return { kind: "invalid", messages: messages.length ? messages : [err.message] };
  }
  if (err.status === 0 || err.status >= 500 || err.status === 429 || err.status === 408) {
    return { kind: "retry", message: err.message };
  }
  return { kind: "fatal", message: err.message };
}

/** 1 s, 2 s, 4 s ... capped at 30 s, with up to 20 % jitter so clients do not retry in step. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * Math.pow(2, Math.max(0, attempt)));
  return Math.round(base * (1 + 0.2 * random()));
}

export interface SubmitEvents {
  /** A request is out (true) or back (false); the page freezes the draft meanwhile. */
  busy(on: boolean): void;
  status(text: string, level: "busy" | "error", retryable?: boolean): void;
  /** The server holds `body` (200, or a 409 whose current annotation is `body`). */
  done(body: Draft): void;
  conflict(current: Annotation | null, message: string): void;
}

/** Sends the current draft; on network errors and 5xx keeps retrying with backoff. */
export class Submitter {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  inFlight = false;

  constructor(
    private readonly post: (taskId: number, body: Draft) => Promise<Annotation>,
    /** Read at each attempt, so a retry sends what the user has now. */
    private readonly current: () => Draft,
    private readonly on: SubmitEvents,
  ) {}

  async send(taskId: number): Promise<void> {
    if (this.inFlight) return;
    clearTimeout(this.timer);
    const body = this.current();
    this.inFlight = true;
    this.on.busy(true);
    this.on.status(this.attempt ? `Submitting (attempt ${this.attempt + 1})…` : "Submitting…", "busy");
    let outcome: Outcome | null = null;
    try {
      await this.post(taskId, body);
    } catch (e) {
      outcome = classify(e);
    }
    this.inFlight = false;
    this.on.busy(false);
    if (!outcome) return this.succeed(body);
    this.fail(outcome, taskId, body);
  }

  /** Stop retrying (another task is opening). */
  cancel(): void {
    clearTimeout(this.timer);
    this.attempt = 0;
  }

  private succeed(body: Draft): void {
    this.attempt = 0;
    this.on.done(body);
  }

  private fail(o: Outcome, taskId: number, body: Draft): void {
    if (o.kind === "retry") {
      const delay = backoffMs(this.attempt++);
      this.on.status(`Submit failed (${o.message}). Your draft is kept; retrying in ${Math.round(delay / 1000)} s.`, "error", true);
      this.timer = setTimeout(() => void this.send(taskId), delay);
      return;
    }
    this.attempt = 0;
    if (o.kind === "conflict") {
      // A retried request may have been saved the first time: then "theirs" is ours.
      if (o.current && sameContent(fromAnnotation(o.current), body)) return this.on.done(body);
      return this.on.conflict(o.current, o.message);
    }
    const text = o.kind === "invalid" ? o.messages.join("; ") : o.message;
    this.on.status(`Not saved: ${text} (your draft is kept)`, "error");
  }
}
