// Box geometry: hit testing in pixels, create/move/resize in seconds and Hz. Pure functions.
//
// Events with low_hz/high_hz null are time intervals: they span the whole height and only
// their left and right edges can be dragged.

import { clamp, freqToY, timeToX, unwarp, warp, xToTime, yToFreq, type Rect, type Size, type Span } from "./mapping";
import type { EventDraft, FreqScale } from "./types";

export interface Geometry {
  view: Span;
  size: Size;
  scale: FreqScale;
}

export interface Point {
  x: number;
  y: number;
}

export type Handle = "n" | "s" | "e" | "w" | "ne" | "nw" | "se" | "sw";

export type Hit = { kind: "handle"; index: number; handle: Handle } | { kind: "inside"; index: number };

/** The part of an event needed for geometry (annotation events and predictions alike). */
export type Box = Pick<EventDraft, "start_s" | "end_s" | "low_hz" | "high_hz">;

export function isInterval(b: Box): boolean {
  return b.low_hz === null || b.high_hz === null;
}

export function boxRect(b: Box, g: Geometry): Rect {
  const x0 = timeToX(b.start_s, g.view, g.size);
  const x1 = timeToX(b.end_s, g.view, g.size);
  if (isInterval(b)) return { x: x0, y: 0, w: x1 - x0, h: g.size.height };
  const y0 = freqToY(b.high_hz as number, g.view, g.size, g.scale);
  const y1 = freqToY(b.low_hz as number, g.view, g.size, g.scale);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function inside(r: Rect, p: Point, pad = 0): boolean {
  return p.x >= r.x - pad && p.x <= r.x + r.w + pad && p.y >= r.y - pad && p.y <= r.y + r.h + pad;
}

/** Which handle of a rectangle is under the point (edges and corners, `tol` px wide). */
export function handleAt(r: Rect, p: Point, tol: number, interval: boolean): Handle | null {
  if (!inside(r, p, tol)) return null;
  const w = Math.abs(p.x - r.x) <= tol;
  const e = Math.abs(p.x - (r.x + r.w)) <= tol;
  if (interval) return w ? "w" : e ? "e" : null;
  const n = Math.abs(p.y - r.y) <= tol;
  const s = Math.abs(p.y - (r.y + r.h)) <= tol;
  const v = n ? "n" : s ? "s" : "";
  const h = w ? "w" : e ? "e" : "";
  return (v + h || null) as Handle | null;
}

/**
 * What the pointer is on: a handle of the selected box first, then the smallest box that
 * contains the point (so a small box inside a big one can still be picked).
 */
export function hitTest(boxes: readonly Box[], p: Point, g: Geometry, selected: number | null, tol = 5): Hit | null {
  if (selected !== null && boxes[selected]) {
    const handle = handleAt(boxRect(boxes[selected], g), p, tol, isInterval(boxes[selected]));
    if (handle) return { kind: "handle", index: selected, handle };
  }
  let best: Hit | null = null;
  let bestArea = Infinity;
  for (let index = 0; index < boxes.length; index++) {
    const r = boxRect(boxes[index], g);
    const area = Math.abs(r.w * r.h);
    if (inside(r, p, 2) && area < bestArea) {
      best = { kind: "inside", index };
      bestArea = area;
    }
  }
  return best;
}

/** Order the corners and keep the box inside `bounds` (time: the clip; frequency: the image). */
export function normalise<T extends Box>(b: T, bounds: Span): T {
  const [t0, t1] = [Math.min(b.start_s, b.end_s), Math.max(b.start_s, b.end_s)];
  const out = { ...b, start_s: clamp(t0, bounds.start, bounds.end), end_s: clamp(t1, bounds.start, bounds.end) };
  if (isInterval(b)) return { ...out, low_hz: null, high_hz: null };
  const lo = Math.min(b.low_hz as number, b.high_hz as number);
  const hi = Math.max(b.low_hz as number, b.high_hz as number);
  return { ...out, low_hz: clamp(lo, bounds.low, bounds.high), high_hz: clamp(hi, bounds.low, bounds.high) };
}

/** A new box between two canvas points. */
export function boxFromPoints(a: Point, b: Point, g: Geometry, interval: boolean, bounds: Span): Box {
  const box: Box = {
    start_s: xToTime(a.x, g.view, g.size),
    end_s: xToTime(b.x, g.view, g.size),
    low_hz: interval ? null : yToFreq(b.y, g.view, g.size, g.scale),
    high_hz: interval ? null : yToFreq(a.y, g.view, g.size, g.scale),
  };
  return normalise(box, bounds);
}

/** Big enough to be a box rather than a click. */
export function isDrawn(a: Point, b: Point, interval: boolean, minPx = 3): boolean {
  return Math.abs(a.x - b.x) >= minPx && (interval || Math.abs(a.y - b.y) >= minPx);
}

/**
 * Move a box by the pointer's travel from `from` to `to`, keeping its size on screen (on a mel
 * axis a box keeps its pixel height, not its Hz span) and stopping at the bounds.
 */
export function moveBox<T extends Box>(b: T, from: Point, to: Point, g: Geometry, bounds: Span): T {
  const dt = xToTime(to.x, g.view, g.size) - xToTime(from.x, g.view, g.size);
  const duration = b.end_s - b.start_s;
  const start = clamp(b.start_s + dt, bounds.start, bounds.end - duration);
  const moved = { ...b, start_s: start, end_s: start + duration };
  if (isInterval(b)) return moved;
  const w = (hz: number) => warp(g.scale, hz);
  const dv = w(yToFreq(to.y, g.view, g.size, g.scale)) - w(yToFreq(from.y, g.view, g.size, g.scale));
  const lo = w(b.low_hz as number);
  const hi = w(b.high_hz as number);
  const shift = clamp(dv, w(bounds.low) - lo, w(bounds.high) - hi);
  return { ...moved, low_hz: unwarp(g.scale, lo + shift), high_hz: unwarp(g.scale, hi + shift) };
}

/** Drag one edge or corner to the pointer; dragging past the opposite edge flips the box. */
export function resizeBox<T extends Box>(b: T, handle: Handle, to: Point, g: Geometry, bounds: Span): T {
  const t = xToTime(to.x, g.view, g.size);
  const f = yToFreq(to.y, g.view, g.size, g.scale);
  const out = { ...b };
  if (handle.includes("w")) out.start_s = t;
  if (handle.includes("e")) out.end_s = t;
  if (!isInterval(b)) {
    if (handle.includes("n")) out.high_hz = f;
    if (handle.includes("s")) out.low_hz = f;
  }
  return normalise(out, bounds);
}

export function cursorFor(handle: Handle): string {
  return handle.length === 2 ? `${handle}-resize` : handle === "n" || handle === "s" ? "ns-resize" : "ew-resize";
}
