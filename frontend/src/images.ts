// Which images are on screen: a base image of the whole clip + context (fixed size, so the
// server's pre-rendered view can be served from its cache), and, when zoomed in, a sharper
// detail image of the visible window requested after the view settles.

import type { Api, ImageRequest, LoadedImage } from "./api";
import type { ViewKind } from "./types";

export interface ViewRequest {
  kind: ViewKind;
  rid: number;
  params: ImageRequest;
}

const CACHE_SIZE = 12;

export class ImageLoader {
  base: LoadedImage | null = null;
  detail: LoadedImage | null = null;
  private readonly cache = new Map<string, Promise<LoadedImage>>();
  private baseKey = "";
  private detailKey = "";
  private shownDetailKey = "";
  private detailTimer: ReturnType<typeof setTimeout> | undefined;
  private detailAbort: AbortController | null = null;

  constructor(
    private readonly api: Api,
    private readonly onChange: () => void,
    private readonly onError: (message: string) => void,
  ) {}

  /** Forget everything (a new task). */
  clear(): void {
    this.cancelDetail();
    this.cache.clear();
    this.base = null;
    this.detail = null;
    this.baseKey = "";
    this.shownDetailKey = "";
  }

  /** Show the base image for `req`; resolves with it, or null when a newer request won. Throws if it failed. */
  async showBase(req: ViewRequest): Promise<LoadedImage | null> {
    const key = JSON.stringify(req);
    this.baseKey = key;
    let img: LoadedImage;
    try {
      img = await this.get(req);
    } catch (e) {
      if (this.baseKey !== key) return null;
      this.onError(`image failed: ${(e as Error).message}`);
      throw e;
    }
    if (this.baseKey !== key) return null;
    this.base = img;
    if (this.detail && this.detail.kind !== req.kind) this.detail = null;
    this.onChange();
    return img;
  }

  /** Warm the cache (e.g. the other view kind), ignoring failures. */
  prefetch(req: ViewRequest): void {
    this.get(req).catch(() => undefined);
  }

  /** Ask for a detail image after `delayMs` of quiet; null drops the detail image. */
  requestDetail(req: ViewRequest | null, delayMs = 250): void {
    this.cancelDetail();
    if (!req) {
      if (this.detail) {
        this.detail = null;
        this.shownDetailKey = "";
        this.onChange();
      }
      return;
    }
    const key = JSON.stringify(req);
    if (key === this.shownDetailKey && this.detail) return;
    this.detailTimer = setTimeout(() => this.loadDetail(req, key), delayMs);
  }

  private async loadDetail(req: ViewRequest, key: string): Promise<void> {
    this.detailKey = key;
    const abort = new AbortController();
    this.detailAbort = abort;
    try {
      const img = await this.get(req, abort.signal);
      if (this.detailKey !== key || abort.signal.aborted) return;
      this.detail = img;
      this.shownDetailKey = key;
      this.onChange();
    } catch (e) {
      if (!abort.signal.aborted) this.onError(`zoomed image failed: ${(e as Error).message}`);
    }
  }

  private cancelDetail(): void {
    clearTimeout(this.detailTimer);
    this.detailAbort?.abort();
    this.detailAbort = null;
    this.detailKey = "";
  }

  private get(req: ViewRequest, signal?: AbortSignal): Promise<LoadedImage> {
    const key = JSON.stringify(req);
    let p = this.cache.get(key);
    if (p) {
      this.cache.delete(key); // re-insert: most recently used last
    } else {
      p = this.api.image(req.kind, req.rid, req.params, signal);
      p.catch(() => this.cache.delete(key));
    }
    this.cache.set(key, p);
    while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return p;
  }
}
