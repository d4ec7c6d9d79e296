// The review endpoints (the images, audio and predictions come through api.ts).

import { ApiError, errorMessages } from "./api";
import type { ClipReview, Filters, ReviewPage, ReviewStatus } from "./reviewdata";
import { listQuery } from "./reviewdata";
import type { Annotation, SubmitBody } from "./types";

export type Verdict = { action: "accept"; version: number } | { action: "reject"; version: number; note: string } | ({ action: "correct"; note?: string } & SubmitBody);

export class ReviewApi {
  constructor(
    private readonly base: string,
    private readonly csrfToken: string,
  ) {}

  private async send<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (method === "POST") Object.assign(headers, { "X-CSRFToken": this.csrfToken, "Content-Type": "application/json" });
    let res: Response;
    try {
      res = await fetch(this.base.replace(/\/?$/, "/") + path, { method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, null, `network error: ${(e as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    if (!res.ok) throw new ApiError(res.status, parsed, `HTTP ${res.status}: ${errorMessages(parsed).join("; ").slice(0, 300) || res.statusText}`);
    return parsed as T;
  }

  list(pid: number, filters: Filters, page = 1): Promise<ReviewPage> {
    return this.send("GET", `projects/${pid}/review/?${listQuery(filters, page)}`);
  }

  clip(aid: number): Promise<ClipReview> {
    return this.send("GET", `annotations/${aid}/comparison/`);
  }

  review(aid: number, verdict: Verdict): Promise<Annotation & { review_status: ReviewStatus }> {
    return this.send("POST", `annotations/${aid}/review/`, verdict);
  }

  consensus(first: number, body: { second: number; rule: string; version: number; second_version: number }): Promise<Annotation> {
    return this.send("POST", `annotations/${first}/consensus/`, body);
  }
}

/** The server's current state in a 409 body, if it sent one. */
export function conflictCurrent(e: unknown): Annotation | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const body = e.body as { current?: Annotation } | null;
  return body?.current ?? null;
}
