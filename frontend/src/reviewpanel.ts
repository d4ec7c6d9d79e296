// One spectrogram of the review page: the annotation page's Viewer (image, zoom, axes,
// predictions, the box being corrected) with the annotators' boxes painted over it.

import type { Api } from "./api";
import { boxRect, type Box, type Geometry, type Point } from "./boxes";
import { h } from "./dom";
import type { Span } from "./mapping";
import { Pointer, type PointerHost } from "./pointer";
import type { DrawnBox } from "./reviewdata";
import type { Clip, Draft, Prediction, Project, Task } from "./types";
import type { StatusLevel, Ui } from "./ui";
import { Viewer, type Loaded, type Overlay } from "./viewer";

/** What a panel asks of the page: the scene, the boxes to paint, and the correction's edits. */
export interface PanelHost extends Omit<PointerHost, "geometry" | "boxBounds" | "setDrawing" | "setCursor" | "pan" | "zoomTime" | "zoomFreq"> {
  overlay(panel: Panel): Overlay;
  boxes(panel: Panel): { boxes: DrawnBox[]; faint: boolean };
  /** Apply a zoom or pan to every panel, so the two sides stay aligned. */
  everyViewer(f: (v: Viewer) => void): void;
  status(text: string, level: StatusLevel): void;
}

export class Panel {
  readonly canvas = h("canvas", { class: "el-review-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram with the annotators' boxes" });
  readonly plot = h("div", { class: "el-plot" }, this.canvas);
  readonly timeAxis = h("canvas", { class: "el-time-axis" });
  readonly freqAxis = h("canvas", { class: "el-freq-axis" });
  readonly readout = h("div", { class: "el-readout" }, "\u00a0");
  readonly caption = h("div", { class: "el-review-caption" });
  readonly element: HTMLElement;
  readonly viewer: Viewer;
  readonly pointer: Pointer;
  /** The answers this panel shows. */
  answers: number[] = [];
  private clip: Clip | null = null;
  private painted: DrawnBox[] = [];

  constructor(
    readonly index: number,
    project: Project,
    api: Api,
    private readonly host: PanelHost,
  ) {
    this.element = h(
      "div",
      { class: "el-review-panel", "data-panel": index },
      this.caption,
      h("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, h("div"), this.timeAxis),
      this.readout,
    );
    // The Viewer reads only these five parts of the annotation page's Ui.
    const parts = { canvas: this.canvas, plot: this.plot, timeAxis: this.timeAxis, freqAxis: this.freqAxis, readout: this.readout };
    this.viewer = new Viewer(project, api, parts as unknown as Ui, () => this.overlay(), (m, l) => host.status(m, l));
    this.pointer = new Pointer(this.canvas, this.pointerHost());
    new ResizeObserver(() => this.viewer.resize()).observe(this.plot);
  }

  /** Show `clip`; "ready" once its image is on screen. */
  open(clip: Clip): Promise<Loaded> {
    this.clip = clip;
    const task: Task = { id: clip.id, rank: 0, reason: "", lease_expires_at: "", clip, annotation: null };
    return this.viewer.open(task);
  }

  close(): void {
    this.clip = null;
    this.viewer.close();
  }

  render(): void {
    this.viewer.render();
  }

  /** The boxes as last painted, for the test hook. */
  drawn(): DrawnBox[] {
    return this.painted;
  }

  private overlay(): Overlay {
    // The Viewer paints inside an animation frame; the annotators' boxes go on top right after.
    queueMicrotask(() => this.paintAnswers());
    return this.host.overlay(this);
  }

  private paintAnswers(): void {
    if (!this.clip) return;
    const ctx = this.canvas.getContext("2d") as CanvasRenderingContext2D;
    const { boxes, faint } = this.host.boxes(this);
    const g = this.viewer.geometry();
    this.painted = boxes;
    const taken: { x: number; y: number; w: number }[] = [];
    for (const b of boxes) paintBox(ctx, b, g, faint, taken);
  }

  private pointerHost(): PointerHost {
    const host = this.host;
    const v = this.viewer;
    return {
      geometry: () => v.geometry(),
      boxBounds: (): Span => {
        const c = this.clip as Clip;
        return { start: c.start_s, end: c.end_s, low: v.bounds.low, high: v.bounds.high };
      },
      interval: () => host.interval(),
      panMode: () => host.panMode(),
      draft: (): Draft => host.draft(),
      selected: () => host.selected(),
      visiblePredictions: (): { p: Prediction; index: number }[] => host.visiblePredictions(),
      select: (i) => host.select(i),
      selectPrediction: (i) => host.selectPrediction(i),
      preview: (d) => host.preview(d),
      commit: (d, before) => host.commit(d, before),
      addBox: (b: Box) => host.addBox(b),
      setDrawing: (b) => ((v.drawing = b), v.render()),
      setCursor: (p: Point | null) => ((v.cursor = p), v.render()),
      pan: (dx, dy) => host.everyViewer((x) => x.pan(dx, dy)),
      zoomTime: (f, at) => host.everyViewer((x) => x.zoomTime(f, at)),
      zoomFreq: (f, at) => host.everyViewer((x) => x.zoomFreq(f, at)),
      canEdit: () => host.canEdit(),
    };
  }
}

const MARK_HALO: Record<DrawnBox["mark"], string | null> = { agreed: null, unmatched: "#ff1744", label: "#ffea00" };

/** An annotator's box: their colour; a red halo when nobody else drew it, yellow when the labels differ. */
function paintBox(ctx: CanvasRenderingContext2D, b: DrawnBox, g: Geometry, faint: boolean, taken: { x: number; y: number; w: number }[]): void {
  const r = boxRect(b, g);
  ctx.save();
  ctx.globalAlpha = faint ? 0.45 : 1;
  const halo = faint ? null : MARK_HALO[b.mark];
  if (halo) {
    ctx.strokeStyle = halo;
    ctx.lineWidth = 5;
    ctx.globalAlpha = 0.55;
    ctx.strokeRect(r.x - 2, r.y - 2, r.w + 4, r.h + 4);
    ctx.globalAlpha = 1;
  }
  ctx.strokeStyle = b.color;
  ctx.lineWidth = b.mark === "agreed" ? 1.5 : 2.5;
  if (b.mark === "unmatched" || faint) ctx.setLineDash([7, 4]);
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.setLineDash([]);
  if (!faint) label(ctx, b.label, r.x, r.y, b.color, halo, taken);
  ctx.restore();
}

function label(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string, halo: string | null, taken: { x: number; y: number; w: number }[]): void {
  ctx.font = "12px system-ui, sans-serif";
  const w = ctx.measureText(text).width + 6;
  let ly = Math.max(0, y - 16);
  const lx = Math.max(0, x);
  // Stack labels that would cover one another (two annotators' boxes on one call).
  while (taken.some((t) => Math.abs(t.y - ly) < 16 && lx < t.x + t.w && t.x < lx + w)) ly += 16;
  taken.push({ x: lx, y: ly, w });
  ctx.fillStyle = "rgba(0, 0, 0, 0.75)";
  ctx.fillRect(lx, ly, w, 16);
  if (halo) {
    ctx.strokeStyle = halo;
    ctx.lineWidth = 1;
    ctx.strokeRect(lx + 0.5, ly + 0.5, w - 1, 15);
  }
  ctx.fillStyle = color;
  ctx.textBaseline = "middle";
  ctx.fillText(text, lx + 3, ly + 8);
}
