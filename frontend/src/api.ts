// The HTTP API of the annotation page (see the contract in the brief / templates).

import type { Span } from "./mapping";
import type { Annotation, FreqScale, Predictions, Project, SubmitBody, Task, ViewKind } from "./types";

export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request never got an answer. */
    readonly status: number,
    readonly body: unknown,
    message: string,
    /** Seconds from the Retry-After header (429 and 503 answers), when there was one. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

/** Times an image is asked for again after 429 (your renders in progress) or 503 (server busy). */
export const IMAGE_RETRIES = 3;

/** How long to wait before asking for an image again after `e`, or null to give up. */
export function imageRetryMs(e: unknown, attempt: number): number | null {
  if (!(e instanceof ApiError) || (e.status !== 429 && e.status !== 503) || attempt >= IMAGE_RETRIES) return null;
  return Math.min(10, Math.max(0.5, e.retryAfterS ?? 1)) * 1000;
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

export interface LoadedImage {
  bitmap: ImageBitmap;
  /** Exactly what the pixels cover, from the X-Extent-* headers. */
  extent: Span;
  /** Row layout from X-Freq-Scale when the server sends it; otherwise null. */
  scale: FreqScale | null;
  kind: ViewKind;
  /** The display range the server used (X-Levels; automatic levels pick it per view). */
  levels: [number, number] | null;
  /** The STFT window the server used, seconds (X-Window; "auto" resolves per view). */
  windowS: number | null;
}

export interface ImageRequest {
  start: number;
  end: number;
  fmin: number;
  fmax: number;
  width: number;
  height: number;
  cmap: string;
  db_min: number;
  db_max: number;
  /** Spectrogram only. */
  scale?: string;
  norm?: "db" | "pcen";
  levels?: "auto" | "fixed";
  window_s?: number | "auto";
  overlap?: number;
  window_type?: string;
  sharpen?: string;
  /** Scalogram only: the wavelet's bandwidth. */
  w0?: number;
}

export interface AudioRequest {
  start: number;
  end: number;
  expansion: number;
  low?: number;
  high?: number;
}

/** "field: message" lines from a DRF-style error body ({field: [msgs]}, {detail}, nested lists). */
export function errorMessages(body: unknown, path = ""): string[] {
  if (body === null || body === undefined) return [];
  if (typeof body === "string") return [path && path !== "detail" && path !== "non_field_errors" ? `${path}: ${body}` : body];
  if (Array.isArray(body)) {
    return body.flatMap((item, i) =>
      typeof item === "object" && item !== null ? errorMessages(item, `${path}[${i + 1}]`) : errorMessages(item, path),
    );
  }
  if (typeof body === "object") {
    return Object.entries(body as Record<string, unknown>)
      .filter(([k]) => k !== "current")
      .flatMap(([k, v]) => errorMessages(v, path ? `${path}.${k}` : k));
  }
  return [String(body)];
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    q.set(k, typeof v === "number" ? String(Number(v.toFixed(6))) : String(v));
  }
  return q.toString();
}

function headerNumber(h: Headers, name: string): number {
  const v = Number(h.get(name));
  if (h.get(name) === null || !Number.isFinite(v)) throw new ApiError(0, null, `image response lacks ${name}`);
  return v;
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly csrfToken: string,
  ) {}

  private url(path: string): string {
    return this.base.replace(/\/?$/, "/") + path;
  }

  private async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = this.csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw e;
      throw new ApiError(0, null, `network error: ${(e as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
      const detail = errorMessages(parsed).join("; ") || res.statusText;
      const retryAfter = Number(res.headers.get("Retry-After") ?? NaN);
      throw new ApiError(res.status, parsed, `HTTP ${res.status}${detail ? `: ${detail.slice(0, 300)}` : ""}`,
        Number.isFinite(retryAfter) ? retryAfter : null);
    }
    return res;
  }

  async project(pid: number): Promise<Project> {
    return (await this.request("GET", `projects/${pid}/`)).json();
  }

  /** The next task, or null when the queue is empty (204). */
  async nextTask(pid: number): Promise<Task | null> {
    const res = await this.request("POST", `projects/${pid}/tasks/next/`);
    return res.status === 204 ? null : res.json();
  }

  /** Extend the lease on a task you hold; 409 (an ApiError) when it is no longer yours. */
  async renew(tid: number): Promise<Task> {
    return (await this.request("POST", `tasks/${tid}/renew/`)).json();
  }

  /** Skip the task, saying why (400 for an unknown reason, or "other" without a note). */
  async release(tid: number, why: { reason: string; note: string }): Promise<void> {
    await this.request("POST", `tasks/${tid}/release/`, why);
  }

  async submit(tid: number, body: SubmitBody): Promise<Annotation> {
    return (await this.request("POST", `tasks/${tid}/submit/`, body)).json();
  }

  /** One of your saved annotations (e.g. the home clip's of a long event). */
  async annotation(aid: number): Promise<Annotation> {
    return (await this.request("GET", `annotations/${aid}/`)).json();
  }

  /** Save a new version of your annotation (409 when `body.version` is stale, 403 if not yours). */
  async updateAnnotation(aid: number, body: SubmitBody): Promise<Annotation> {
    return (await this.request("PUT", `annotations/${aid}/`, body)).json();
  }

  async predictions(cid: number): Promise<Predictions> {
    return (await this.request("GET", `clips/${cid}/predictions/`)).json();
  }

  /** A view and its extent; asked again (up to IMAGE_RETRIES times, after Retry-After) when the
   * server answers 429 or 503: an uncached render waits for a free place instead of failing. */
  async image(kind: ViewKind, rid: number, params: ImageRequest, signal?: AbortSignal): Promise<LoadedImage> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.imageOnce(kind, rid, params, signal);
      } catch (e) {
        const wait = imageRetryMs(e, attempt);
        if (wait === null || signal?.aborted) throw e;
        await pause(wait, signal);
      }
    }
  }

  private async imageOnce(kind: ViewKind, rid: number, params: ImageRequest, signal?: AbortSignal): Promise<LoadedImage> {
    const p =
      kind === "scalogram"
        ? { ...params, scale: undefined, norm: undefined, window_s: undefined, overlap: undefined, window_type: undefined, sharpen: undefined }
        : { ...params, w0: undefined };
    const res = await this.request("GET", `recordings/${rid}/${kind}.png?${query(p)}`, undefined, signal);
    const h = res.headers;
    const extent = {
      start: headerNumber(h, "X-Extent-Start"),
      end: headerNumber(h, "X-Extent-End"),
      low: headerNumber(h, "X-Extent-Low"),
      high: headerNumber(h, "X-Extent-High"),
    };
    const scaleHeader = h.get("X-Freq-Scale");
    const scale = scaleHeader === "linear" || scaleHeader === "mel" || scaleHeader === "log" ? scaleHeader : null;
    const levels = (h.get("X-Levels") ?? "").split(" ").map(Number);
    const windowS = Number(h.get("X-Window") ?? NaN);
    const bitmap = await createImageBitmap(await res.blob());
    return {
      bitmap,
      extent,
      scale,
      kind,
      levels: levels.length === 2 && levels.every(Number.isFinite) ? [levels[0], levels[1]] : null,
      windowS: Number.isFinite(windowS) ? windowS : null,
    };
  }

  /** Any JSON endpoint under the API base (POST with a JSON body). */
  async post<T>(path: string, body: unknown): Promise<T> {
    return (await this.request("POST", path, body)).json();
  }

  /** A small spectrogram of a span of a recording, for an <img> (no extent headers read). */
  spectrogramUrl(rid: number, params: { start: number; end: number; width: number; height: number }): string {
    return this.url(`recordings/${rid}/spectrogram.png?${query(params)}`);
  }

  /** Any JSON endpoint under the API base (GET). */
  async json<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.request("GET", path, undefined, signal)).json();
  }

  audioUrl(rid: number, params: AudioRequest): string {
    return this.url(`recordings/${rid}/audio.wav?${query(params)}`);
  }
}
