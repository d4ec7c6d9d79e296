// Search by example: "find similar" on a box or the clip shows a strip of the nearest clips of the
// project's pool as small spectrograms with their distances. Each match is labelled with one key
// (a tag's hotkey, or Enter for the current tag); "Queue these" makes a sampling round of them
// ("similar to clip X"); on the review page a lead labels the whole batch at once.

import { ApiError, IMAGE_RETRIES, imageRetryMs, type Api } from "./api";
import { h } from "./dom";
import type { Tag } from "./types";

export interface SimilarQuery {
  clip: number;
  start_s?: number;
  end_s?: number;
  low_hz?: number | null;
  high_hz?: number | null;
}

export interface SimilarMatch {
  clip: number;
  recording: number;
  start_s: number;
  end_s: number;
  window_start_s: number;
  window_end_s: number;
  similarity: number;
  distance: number;
}

interface SimilarResult {
  query_clip: number;
  source: string;
  n_windows: number;
  seconds: number;
  matches: SimilarMatch[];
}

export interface SimilarHost {
  api: Api;
  projectId: number;
  tags: Tag[];
  /** The tag Enter applies (the selected box's, or the one picked for the next box). */
  currentTag(): number | null;
  /** Whether the batch button shows (leads, on the review page). */
  batch: boolean;
}

export const STRIP_SIZE = 12;
const THUMB = { width: 160, height: 96 };

/** The tag a key names, if any (hotkeys are single characters, compared case-insensitively). */
export function tagForKey(tags: Tag[], key: string): Tag | null {
  if (key.length !== 1) return null;
  return tags.find((t) => t.hotkey && t.hotkey.toLowerCase() === key.toLowerCase()) ?? null;
}

/** The label request of matches, with the query's band (their boxes span the matched window). */
export function labelBody(tag: number, matches: SimilarMatch[], query: SimilarQuery | null) {
  return {
    tag,
    low_hz: query?.low_hz ?? null,
    high_hz: query?.high_hz ?? null,
    matches: matches.map((m) => ({ clip: m.clip, start_s: m.window_start_s, end_s: m.window_end_s })),
  };
}

export class SimilarStrip {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly message: HTMLElement;
  private readonly actions: HTMLElement;
  private query: SimilarQuery | null = null;
  private matches: SimilarMatch[] = [];
  /** clip id → the tag's name it was labelled with here */
  private readonly labelled = new Map<number, string>();
  /** Thumbnails fetched so far (their URL → an object URL), kept while the strip is open. */
  private readonly thumbs = new Map<string, string>();
  private thumbRun = 0;

  constructor(private readonly host: SimilarHost) {
    this.message = h("span", { class: "el-similar-message", role: "status" });
    this.actions = h("span", { class: "el-similar-actions" });
    this.list = h("div", { class: "el-similar-list", role: "list" });
    this.element = h("section", { class: "el-similar", hidden: true, "aria-label": "Similar clips" },
      h("header", {}, h("strong", {}, "Similar clips"), this.message, this.actions), this.list);
  }

  /** Ask the server for the nearest clips to the query and show them. */
  async find(query: SimilarQuery): Promise<void> {
    this.query = query;
    this.element.hidden = false;
    this.say("Searching…");
    this.list.replaceChildren();
    this.actions.replaceChildren();
    try {
      const r = await this.host.api.post<SimilarResult>(`projects/${this.host.projectId}/similar/`, { ...query, k: STRIP_SIZE });
      if (this.query !== query) return;
      this.matches = r.matches;
      this.labelled.clear();
      this.say(`${r.matches.length} nearest of ${r.n_windows.toLocaleString()} windows (${Math.round(r.seconds * 1000)} ms). Keys: a tag's hotkey labels the focused match, Enter applies the current tag.`);
      this.render();
    } catch (e) {
      this.say(e instanceof ApiError ? e.message : String(e), true);
    }
  }

  close(): void {
    this.element.hidden = true;
    this.query = null;
    this.matches = [];
    this.thumbRun++;
    for (const url of this.thumbs.values()) URL.revokeObjectURL(url);
    this.thumbs.clear();
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle("el-similar-error", error);
  }

  private render(): void {
    const open = () => this.matches.filter((m) => !this.labelled.has(m.clip));
    const queue = h("button", { type: "button", class: "el-similar-queue", onclick: () => void this.queue(open()) }, "Queue these");
    const buttons: HTMLElement[] = [queue];
    if (this.host.batch) {
      buttons.push(h("button", { type: "button", class: "el-similar-batch", onclick: () => void this.labelBatch(open()) }, "Label all with the current tag"));
    }
    buttons.push(h("button", { type: "button", class: "el-similar-close", onclick: () => this.close() }, "Close"));
    this.actions.replaceChildren(...buttons);
    this.list.replaceChildren(...this.matches.map((m) => this.item(m)));
    void this.loadThumbs();
  }

  private item(m: SimilarMatch): HTMLElement {
    const src = this.host.api.spectrogramUrl(m.recording, { start: m.start_s, end: m.end_s, ...THUMB });
    const badge = this.labelled.get(m.clip);
    const el = h("button", { type: "button", class: "el-similar-item", role: "listitem", "data-clip": m.clip,
      title: `clip ${m.clip}: ${m.start_s.toFixed(2)}–${m.end_s.toFixed(2)} s, best window at ${m.window_start_s.toFixed(2)} s` },
      h("img", { "data-src": src, alt: `spectrogram of clip ${m.clip}`, width: THUMB.width, height: THUMB.height }),
      h("span", { class: "el-similar-distance" }, `d ${m.distance.toFixed(3)}`),
      badge ? h("span", { class: "el-similar-label" }, badge) : null);
    el.addEventListener("keydown", (e) => this.onKey(e, m));
    return el;
  }

  /** The strip's thumbnails one at a time, in order: a user has few renders in progress at once
   * (the server answers 429 past them), so twelve plain <img> would break most of them. A 429 or
   * 503 is asked again after its Retry-After. A newer strip stops an older one's loading. */
  private async loadThumbs(): Promise<void> {
    const run = ++this.thumbRun;
    for (const img of Array.from(this.list.querySelectorAll<HTMLImageElement>("img[data-src]"))) {
      const src = img.dataset.src ?? "";
      let url = this.thumbs.get(src);
      for (let attempt = 0; url === undefined && attempt <= IMAGE_RETRIES; attempt++) {
        const res = await fetch(src, { credentials: "same-origin" }).catch(() => null);
        if (run !== this.thumbRun) return;
        if (res?.ok) {
          url = URL.createObjectURL(await res.blob());
          this.thumbs.set(src, url);
        } else {
          // The page's own rule for images: 429/503 again after Retry-After, anything else stays.
          const retryAfter = Number(res?.headers.get("Retry-After")) || null;
          const wait = imageRetryMs(new ApiError(res?.status ?? 0, null, "", retryAfter), attempt);
          if (wait === null) break; // the alt text stays
          await new Promise((resolve) => setTimeout(resolve, wait));
          if (run !== this.thumbRun) return;
        }
      }
      if (url !== undefined) img.src = url;
    }
  }

  private onKey(e: KeyboardEvent, m: SimilarMatch): void {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const tag = e.key === "Enter" ? this.host.currentTag() : tagForKey(this.host.tags, e.key)?.id ?? null;
    if (e.key !== "Enter" && tag === null) return;
    // The page's own keys must not act on the clip being annotated.
    e.preventDefault();
    e.stopPropagation();
    if (tag === null) return this.say("Pick a tag first (its hotkey), then press Enter on a match.", true);
    void this.label([m], tag);
  }

  private async label(matches: SimilarMatch[], tag: number): Promise<void> {
    if (!matches.length) return this.say("Nothing left to label.", true);
    const name = this.host.tags.find((t) => t.id === tag);
    try {
      await this.host.api.post(`projects/${this.host.projectId}/similar/label/`, labelBody(tag, matches, this.query));
      for (const m of matches) this.labelled.set(m.clip, name?.display_name || name?.value || "labelled");
      this.say(`Labelled ${matches.length === 1 ? `clip ${matches[0].clip}` : `${matches.length} clips`} as ${name?.display_name || name?.value}.`);
      const focused = matches.length === 1 ? this.matches.indexOf(matches[0]) : -1;
      this.render();
      // Move on to the next match, so a run of keys labels the strip in order.
      const next = this.list.children[focused + 1] as HTMLElement | undefined;
      if (focused >= 0) (next ?? (this.list.children[focused] as HTMLElement | undefined))?.focus();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && matches.length === 1) {
        // Already annotated by this user: say so on the match and move on, as after a label.
        const focused = this.matches.indexOf(matches[0]);
        this.labelled.set(matches[0].clip, "already labelled");
        this.render();
        this.say(`Clip ${matches[0].clip} is already in your annotations: edit it on its own page.`, true);
        ((this.list.children[focused + 1] ?? this.list.children[focused]) as HTMLElement | undefined)?.focus();
        return;
      }
      this.say(e instanceof ApiError ? e.message : String(e), true);
    }
  }

  private async labelBatch(matches: SimilarMatch[]): Promise<void> {
    const tag = this.host.currentTag();
    if (tag === null) return this.say("Pick a tag first (its hotkey), then label the batch.", true);
    await this.label(matches, tag);
  }

  private async queue(matches: SimilarMatch[]): Promise<void> {
    if (!this.query || !matches.length) return this.say("Nothing left to queue.", true);
    try {
      const r = await this.host.api.post<{ number: number; queued: number }>(`projects/${this.host.projectId}/similar/queue/`, {
        query_clip: this.query.clip,
        matches: matches.map((m) => ({ clip: m.clip, similarity: m.similarity })),
      });
      this.say(`Queued ${r.queued} clip${r.queued === 1 ? "" : "s"} as round ${r.number} (similar to clip ${this.query.clip}).`);
    } catch (e) {
      this.say(e instanceof ApiError ? e.message : String(e), true);
    }
  }
}
