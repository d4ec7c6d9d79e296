// What is shown: the image (spectrogram or scalogram) of the clip with its context, the visible
// window (zoom and pan), the axes and the crosshair readout. The annotation on top comes from
// the page through `overlay()`.

import type { Api, ImageRequest } from "./api";
import type { Box, Geometry, Point } from "./boxes";
import { drawFreqAxis, drawScene, drawTimeAxis, prepare, type Scene } from "./canvas";
import { ImageLoader, type ViewRequest } from "./images";
import * as M from "./mapping";
import { formatDuration } from "./ticks";
import type { FreqScale, Project, Sharpen, Task, ViewKind } from "./types";
import type { StatusLevel, Ui } from "./ui";

/** The clip + context image is always requested at this size, so pre-rendered views hit the cache. */
export const BASE_IMAGE = { width: 1600, height: 512 } as const;
const ZOOM_STEP = 1.5;

export type Loaded = "ready" | "failed" | "stale";

/** How the images are computed: the experts' settings, from the project's defaults. */
export interface ViewOptions {
  /** STFT window, seconds, or "auto": it shrinks as the view zooms in (the project's window is the longest). */
  window: number | "auto";
  overlap: number;
  windowType: string;
  sharpen: Sharpen;
  /** Levels from each view's percentiles; off: the dB sliders. */
  autoLevels: boolean;
  /** Scalogram bandwidth (Morlet w0): 6 for FM calls, 200 for CF calls. */
  w0: number;
}

/** The fixed windows the page offers (ms); "auto" besides. */
export const WINDOWS_MS = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16] as const;

/** Shift+R: plain → reassigned → multitaper → plain. */
export function nextSharpen(current: Sharpen): Sharpen {
  const order: Sharpen[] = ["none", "reassigned", "multitaper"];
  return order[(order.indexOf(current) + 1) % order.length];
}

/** One window step shorter (-1) or longer (+1) than `current` (s), from the offered ones. */
export function stepWindow(current: number, step: 1 | -1): number {
  const ms = current * 1000;
  const next = step > 0 ? WINDOWS_MS.find((w) => w > ms * 1.01) : [...WINDOWS_MS].reverse().find((w) => w < ms * 0.99);
  return (next ?? ms) / 1000;
}

/** The page's part of the picture: boxes, predictions, selection. */
export type Overlay = Pick<Scene, "tags" | "events" | "selected" | "predictions" | "selectedPrediction" | "continuing"> & { drawingTag: number | null };

export class Viewer {
  readonly images: ImageLoader;
  kind: ViewKind = "spectrogram";
  norm: "db" | "pcen" = "db";
  dbMin: number;
  dbMax: number;
  options: ViewOptions;
  /** Called when the options change (a control, a key) or a new image shows what "auto" chose. */
  onOptions: () => void = () => undefined;
  view: M.Span = { start: 0, end: 1, low: 0, high: 1 };
  size: M.Size = { width: 800, height: 400 };
  cursor: Point | null = null;
  drawing: Box | null = null;
  playhead: number | null = null;
  private limits: M.Limits = M.defaultLimits(this.view);
  private task: Task | null = null;
  private userZoomed = false;
  private frame = 0;
  private dbTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly project: Project,
    api: Api,
    private readonly ui: Ui,
    private readonly overlay: () => Overlay,
    status: (text: string, level: StatusLevel) => void,
  ) {
    this.images = new ImageLoader(api, () => (this.render(), this.onOptions()), (m) => status(m, "error"));
    const s = project.settings;
    [this.dbMin, this.dbMax] = [s.db_min, s.db_max];
    this.options = {
      window: s.auto_window ? "auto" : s.window_s,
      overlap: s.overlap,
      windowType: s.window_type,
      sharpen: s.sharpen,
      autoLevels: s.auto_levels,
      w0: s.wavelet_w0,
    };
  }

  /** Show a new task's clip; "ready" once its image is on screen, "stale" if another task came first. */
  async open(task: Task): Promise<Loaded> {
    this.close();
    this.task = task;
    this.view = this.clipWindow();
    this.limits = M.defaultLimits(this.view);
    this.render();
    const result = await this.loadBase();
    if (result === "ready") this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), BASE_IMAGE));
    return result;
  }

  close(): void {
    this.images.clear();
    this.task = null;
    this.userZoomed = false;
    [this.drawing, this.playhead, this.cursor] = [null, null, null];
  }

  /** The time span of the image and frequency band the view may move in. */
  get bounds(): M.Span {
    return this.limits.bounds;
  }

  scale(): FreqScale {
    const base = this.images.base;
    if (base && base.kind === this.kind && base.scale) return base.scale;
    return this.kind === "spectrogram" ? this.project.settings.freq_scale : "linear";
  }

  geometry(): Geometry {
    return { view: this.view, size: this.size, scale: this.scale() };
  }

  // ---- images ------------------------------------------------------------------------------

  /** Clip plus context on both sides, inside the recording; the project's band. */
  private clipWindow(): M.Span {
    const c = (this.task as Task).clip;
    const s = this.project.settings;
    return {
      start: Math.max(0, c.start_s - s.context_s),
      end: Math.min(c.recording.duration_s, c.end_s + s.context_s),
      low: s.fmin_hz,
      high: s.fmax_hz,
    };
  }

  private request(kind: ViewKind, win: M.Span, px: M.Size): ViewRequest {
    const s = this.project.settings;
    const params: ImageRequest = {
      start: win.start,
      end: win.end,
      fmin: win.low,
      fmax: win.high,
      width: Math.round(px.width),
      height: Math.round(px.height),
      cmap: s.colormap,
      db_min: this.dbMin,
      db_max: this.dbMax,
      levels: this.options.autoLevels ? "auto" : "fixed",
    };
    const o = this.options;
    if (kind === "spectrogram") Object.assign(params, { scale: s.freq_scale, norm: this.norm, window_s: o.window, overlap: o.overlap, window_type: o.windowType, sharpen: o.sharpen });
    else params.w0 = o.w0;
    return { kind, rid: (this.task as Task).clip.recording.id, params };
  }

  private otherKind(): ViewKind {
    return this.kind === "spectrogram" ? "scalogram" : "spectrogram";
  }

  /** (Re)load the base image; the extent in its headers becomes the bounds of the view. */
  private async loadBase(): Promise<Loaded> {
    const task = this.task;
    if (!task) return "stale";
    this.images.requestDetail(null);
    let img;
    try {
      img = await this.images.showBase(this.request(this.kind, this.clipWindow(), BASE_IMAGE));
    } catch {
      return this.task === task ? "failed" : "stale";
    }
    if (!img || this.task !== task) return "stale";
    this.limits = M.defaultLimits(img.extent);
    this.view = this.userZoomed ? this.clamp(this.view) : { ...img.extent };
    this.requestDetail();
    this.render();
    return "ready";
  }

  /** A sharper image of the visible window when the base image is too coarse for it. */
  private requestDetail(): void {
    const base = this.images.base;
    if (!this.task || !base || base.kind !== this.kind) return;
    if (!this.userZoomed) return this.images.requestDetail(null);
    const dpr = window.devicePixelRatio || 1;
    const px = { width: Math.min(4096, this.size.width * dpr), height: Math.min(2048, this.size.height * dpr) };
    const w = (hz: number) => M.warp(this.scale(), hz);
    const fracT = (this.view.end - this.view.start) / (base.extent.end - base.extent.start);
    const fracF = (w(this.view.high) - w(this.view.low)) / (w(base.extent.high) - w(base.extent.low));
    const coarse = fracT * base.bitmap.width < px.width * 0.9 || fracF * base.bitmap.height < px.height * 0.9;
    this.images.requestDetail(coarse ? this.request(this.kind, this.view, px) : null);
  }

  toggleKind(): void {
    this.kind = this.otherKind();
    this.onOptions();
    void this.loadBase();
    this.render();
  }

  setNorm(norm: "db" | "pcen"): void {
    this.norm = norm;
    void this.loadBase();
  }

  /** Change how the images are computed; both the base and the detail image follow. */
  setOptions(patch: Partial<ViewOptions>): void {
    this.options = { ...this.options, ...patch };
    this.onOptions();
    void this.loadBase();
  }

  /** The window the visible image was computed with (s): "auto" resolved by the server. */
  shownWindow(): number {
    const img = this.images.detail ?? this.images.base;
    if (typeof this.options.window === "number") return this.options.window;
    return img?.windowS ?? this.project.settings.window_s;
  }

  /** [ / ]: one offered window shorter or longer than the one shown (leaves "auto"). */
  stepWindow(step: 1 | -1): void {
    this.setOptions({ window: stepWindow(this.shownWindow(), step) });
  }

  /** The levels the image on screen was drawn with (automatic ones come from the server). */
  shownLevels(): [number, number] | null {
    const img = this.images.detail ?? this.images.base;
    return img && img.kind === this.kind ? img.levels : null;
  }

  /** Brightness/contrast: re-request the images once the sliders rest (moving them ends automatic levels). */
  setDb(min: number, max: number): void {
    if (this.options.autoLevels) (this.options = { ...this.options, autoLevels: false }), this.onOptions();
    [this.dbMin, this.dbMax] = [Math.min(min, max - 1), Math.max(max, min + 1)];
    clearTimeout(this.dbTimer);
    this.dbTimer = setTimeout(() => void this.loadBase(), 300);
  }

  // ---- zoom and pan --------------------------------------------------------------------------

  private setView(view: M.Span): void {
    this.view = view;
    this.userZoomed = true;
    this.render();
    this.requestDetail();
  }

  private clamp(v: M.Span): M.Span {
    return M.zoomFreq(M.zoomTime(v, 1, v.start, this.limits), 1, v.low, this.limits, this.scale());
  }

  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(direction: 1 | -1 | 0, anchor = (this.view.start + this.view.end) / 2): void {
    if (direction === 0) {
      this.view = { ...this.limits.bounds };
      this.userZoomed = false;
      this.render();
      return this.images.requestDetail(null);
    }
    this.setView(M.zoomTime(this.view, direction > 0 ? ZOOM_STEP : 1 / ZOOM_STEP, anchor, this.limits));
  }

  zoomTime(factor: number, at: Point): void {
    this.setView(M.zoomTime(this.view, factor, M.xToTime(at.x, this.view, this.size), this.limits));
  }

  zoomFreq(factor: number, at: Point): void {
    const s = this.scale();
    this.setView(M.zoomFreq(this.view, factor, M.yToFreq(at.y, this.view, this.size, s), this.limits, s));
  }

  /** Move the content by pixels (it follows the pointer). */
  pan(dx: number, dy: number): void {
    this.setView(M.panPixels(this.view, dx, dy, this.size, this.limits, this.scale()));
  }

  resize(): void {
    const r = this.ui.plot.getBoundingClientRect();
    this.size = { width: Math.max(50, r.width), height: Math.max(50, r.height) };
    this.render();
    this.requestDetail();
  }

  // ---- drawing -------------------------------------------------------------------------------

  /** Redraw on the next animation frame (many events may ask within one frame). */
  render(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private paint(): void {
    if (!this.task) return;
    const { ui, view, size } = this;
    const scale = this.scale();
    const clip = { start: this.task.clip.start_s, end: this.task.clip.end_s };
    const o = this.overlay();
    drawScene(prepare(ui.canvas, size), {
      ...o,
      size,
      view,
      scale,
      clip,
      images: [this.images.base, this.images.detail].filter((i) => i !== null && i.kind === this.kind) as NonNullable<typeof this.images.base>[],
      drawing: this.drawing ? { ...this.drawing, tag: o.drawingTag } : null,
      playhead: this.playhead,
      cursor: this.cursor,
    });
    const timeSize = { width: size.width, height: ui.timeAxis.clientHeight || 24 };
    drawTimeAxis(prepare(ui.timeAxis, timeSize), view, timeSize, clip);
    const freqSize = { width: ui.freqAxis.clientWidth || 64, height: size.height };
    drawFreqAxis(prepare(ui.freqAxis, freqSize), view, freqSize, scale);
    ui.readout.textContent = this.readout(scale);
  }

  private readout(scale: FreqScale): string {
    const c = (this.task as Task).clip;
    const v = this.view;
    const parts: string[] = [];
    if (this.cursor) {
      const t = M.xToTime(this.cursor.x, v, this.size);
      const f = M.yToFreq(this.cursor.y, v, this.size, scale);
      const rel = t - c.start_s;
      parts.push(`t ${t.toFixed(4)} s (clip ${rel >= 0 ? "+" : "−"}${formatDuration(Math.abs(rel))})`, `f ${(f / 1000).toFixed(2)} kHz`);
    }
    const d = this.drawing;
    if (d) {
      parts.push(`Δt ${formatDuration(d.end_s - d.start_s)}`);
      if (d.low_hz !== null && d.high_hz !== null) parts.push(`${(d.low_hz / 1000).toFixed(2)}–${(d.high_hz / 1000).toFixed(2)} kHz`);
    }
    const band = `${(v.low / 1000).toFixed(1)}–${(v.high / 1000).toFixed(1)} kHz${scale !== "linear" ? ` (${scale})` : ""}`;
    parts.push(`view ${v.start.toFixed(3)}–${v.end.toFixed(3)} s, ${band}`);
    return parts.join("  ·  ");
  }

  /** For the test hook: the base image's exact extent and the visible window. */
  extent() {
    const base = this.images.base;
    if (!base || base.kind !== this.kind) return null;
    const { width, height } = base.bitmap;
    return { ...base.extent, kind: base.kind, scale: this.scale(), width, height, view: { ...this.view } };
  }
}
