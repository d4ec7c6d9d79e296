// Mouse gestures on the canvas: draw, select, move, resize, pan and wheel zoom. The gesture
// maths lives in boxes.ts and mapping.ts; this module only tracks the drag in progress.

import { updateEvent } from "./annotation";
import { boxFromPoints, cursorFor, hitTest, isDrawn, moveBox, resizeBox, type Box, type Geometry, type Handle, type Point } from "./boxes";
import type { Span } from "./mapping";
import type { Draft, EventDraft, Prediction } from "./types";

/** What the gestures need from the page. */
export interface PointerHost {
  geometry(): Geometry;
  /** Where boxes may go: the clip in time, the image in frequency. */
  boxBounds(): Span;
  interval(): boolean;
  panMode(): boolean;
  draft(): Draft;
  selected(): number | null;
  visiblePredictions(): { p: Prediction; index: number }[];
  select(index: number | null): void;
  selectPrediction(index: number | null): void;
  /** Show a draft while dragging, without recording it. */
  preview(draft: Draft): void;
  /** Record `draft` as one undoable change made from `before`. */
  commit(draft: Draft, before: Draft): void;
  addBox(box: Box): void;
  setDrawing(box: Box | null): void;
  setCursor(p: Point | null): void;
  pan(dx: number, dy: number): void;
  zoomTime(factor: number, anchor: Point): void;
  zoomFreq(factor: number, anchor: Point): void;
  canEdit(): boolean;
}

type Drag =
  | { kind: "draw"; from: Point; prediction: number | null }
  | { kind: "move"; index: number; from: Point; orig: EventDraft; before: Draft; moved: boolean }
  | { kind: "resize"; index: number; handle: Handle; orig: EventDraft; before: Draft }
  | { kind: "pan"; last: Point };

export class Pointer {
  private drag: Drag | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly host: PointerHost,
  ) {
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("pointercancel", () => this.cancel());
    canvas.addEventListener("pointerleave", () => this.host.setCursor(null));
    canvas.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    canvas.addEventListener("auxclick", (e) => e.preventDefault());
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  get active(): boolean {
    return this.drag !== null;
  }

  /** Abandon the gesture in progress (Escape), restoring the draft it started from. */
  cancel(): boolean {
    const d = this.drag;
    if (!d) return false;
    if (d.kind === "move" || d.kind === "resize") this.host.preview(d.before);
    if (d.kind === "draw") this.host.setDrawing(null);
    this.drag = null;
    return true;
  }

  private point(e: MouseEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0 && e.button !== 1) return;
    e.preventDefault();
    this.canvas.focus({ preventScroll: true }); // also takes focus out of a text field
    this.canvas.setPointerCapture(e.pointerId);
    const p = this.point(e);
    if (e.button === 1 || this.host.panMode()) {
      this.drag = { kind: "pan", last: p };
      this.canvas.style.cursor = "grabbing";
      return;
    }
    const h = this.host;
    const draft = h.draft();
    // Shift+drag always draws, even on top of another box.
    const hit = e.shiftKey ? null : hitTest(draft.events, p, h.geometry(), h.selected());
    if (hit && hit.kind === "handle" && h.canEdit()) {
      this.drag = { kind: "resize", index: hit.index, handle: hit.handle, orig: draft.events[hit.index], before: draft };
    } else if (hit) {
      h.select(hit.index);
      if (h.canEdit()) this.drag = { kind: "move", index: hit.index, from: p, orig: draft.events[hit.index], before: draft, moved: false };
    } else {
      // Predictions sit on the calls people want to box: a drag there draws, a click selects.
      const preds = h.visiblePredictions();
      const phit = hitTest(preds.map((x) => x.p), p, h.geometry(), null);
      h.select(null);
      h.selectPrediction(null);
      const prediction = phit ? preds[phit.index].index : null;
      if (h.canEdit()) this.drag = { kind: "draw", from: p, prediction };
      else if (prediction !== null) h.selectPrediction(prediction);
    }
  }

  private move(e: PointerEvent): void {
    const p = this.point(e);
    const h = this.host;
    h.setCursor(p);
    const d = this.drag;
    if (!d) {
      this.hover(p);
      return;
    }
    const g = h.geometry();
    if (d.kind === "pan") {
      h.pan(p.x - d.last.x, p.y - d.last.y);
      d.last = p;
    } else if (d.kind === "draw") {
      h.setDrawing(isDrawn(d.from, p, h.interval()) ? boxFromPoints(d.from, p, g, h.interval(), h.boxBounds()) : null);
    } else if (d.kind === "move") {
      d.moved ||= Math.abs(p.x - d.from.x) + Math.abs(p.y - d.from.y) >= 2;
      if (d.moved) h.preview(updateEvent(d.before, d.index, moveBox(d.orig, d.from, p, g, h.boxBounds())));
    } else {
      h.preview(updateEvent(d.before, d.index, resizeBox(d.orig, d.handle, p, g, h.boxBounds())));
    }
  }

  private up(e: PointerEvent): void {
    const d = this.drag;
    this.drag = null;
    this.canvas.style.cursor = "";
    if (!d) return;
    const p = this.point(e);
    const h = this.host;
    if (d.kind === "draw") {
      h.setDrawing(null);
      if (isDrawn(d.from, p, h.interval())) h.addBox(boxFromPoints(d.from, p, h.geometry(), h.interval(), h.boxBounds()));
      else if (d.prediction !== null) h.selectPrediction(d.prediction);
    } else if (d.kind === "move" || d.kind === "resize") {
      const now = h.draft();
      if (now !== d.before && (d.kind === "resize" || d.moved)) h.commit(now, d.before);
    }
  }

  private hover(p: Point): void {
    const h = this.host;
    if (h.panMode()) {
      this.canvas.style.cursor = "grab";
      return;
    }
    const hit = hitTest(h.draft().events, p, h.geometry(), h.selected());
    this.canvas.style.cursor = !hit ? "crosshair" : hit.kind === "handle" ? cursorFor(hit.handle) : "move";
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const p = this.point(e);
    // Chrome turns Shift+wheel into horizontal scrolling, so read whichever delta is set.
    const delta = (e.deltaY || e.deltaX) * unit;
    if (e.ctrlKey || e.metaKey) this.host.zoomTime(Math.exp(-delta * 0.002), p);
    else if (e.shiftKey) this.host.zoomFreq(Math.exp(-delta * 0.002), p);
    else this.host.pan(-delta, 0);
  }
}
