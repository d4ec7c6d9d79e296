// Pixel <-> time/frequency mapping, and zoom/pan of the visible window. Pure functions.
//
// A `Span` is a rectangle in time (s, recording time) x frequency (Hz). It describes an image's
// extent (from the X-Extent-* headers) and the visible view alike. x grows with time; y grows
// downwards, so y = 0 is `high`. Along y the axis is linear in the scale's warped units
// (Hz, mel or log Hz), which is how the server lays out image rows.

import type { FreqScale } from "./types";

export interface Span {
  start: number;
  end: number;
  low: number;
  high: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** HTK mel: 2595 * log10(1 + f / 700). */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

export function melToHz(mel: number): number {
  return 700 * (Math.pow(10, mel / 2595) - 1);
}

const LOG_FLOOR_HZ = 1;

/** Hz -> the unit in which the frequency axis is linear. */
export function warp(scale: FreqScale, hz: number): number {
  if (scale === "mel") return hzToMel(hz);
  if (scale === "log") return Math.log(Math.max(hz, LOG_FLOOR_HZ));
  return hz;
}

export function unwarp(scale: FreqScale, v: number): number {
  if (scale === "mel") return melToHz(v);
  if (scale === "log") return Math.exp(v);
  return v;
}

export function timeToX(t: number, view: Span, size: Size): number {
  return ((t - view.start) / (view.end - view.start)) * size.width;
}

export function xToTime(x: number, view: Span, size: Size): number {
  return view.start + (x / size.width) * (view.end - view.start);
}

export function freqToY(hz: number, view: Span, size: Size, scale: FreqScale): number {
  const lo = warp(scale, view.low);
  const hi = warp(scale, view.high);
  return ((hi - warp(scale, hz)) / (hi - lo)) * size.height;
}

export function yToFreq(y: number, view: Span, size: Size, scale: FreqScale): number {
  const lo = warp(scale, view.low);
  const hi = warp(scale, view.high);
  return unwarp(scale, hi - (y / size.height) * (hi - lo));
}

/** Where an image covering `extent` lands on a canvas showing `view` (may exceed the canvas). */
export function placeImage(extent: Span, view: Span, size: Size, scale: FreqScale): Rect {
  const x0 = timeToX(extent.start, view, size);
  const x1 = timeToX(extent.end, view, size);
  const y0 = freqToY(extent.high, view, size, scale);
  const y1 = freqToY(extent.low, view, size, scale);
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** The part of an image (in its own pixels) that shows `view`, and where it goes on the canvas. */
export function visiblePart(
  extent: Span,
  image: Size,
  view: Span,
  size: Size,
  scale: FreqScale,
): { src: Rect; dst: Rect } | null {
  const dst = placeImage(extent, view, size, scale);
  const cx0 = Math.max(0, dst.x);
  const cy0 = Math.max(0, dst.y);
  const cx1 = Math.min(size.width, dst.x + dst.w);
  const cy1 = Math.min(size.height, dst.y + dst.h);
  if (cx1 <= cx0 || cy1 <= cy0) return null;
  const sx = image.width / dst.w;
  const sy = image.height / dst.h;
  return {
    src: { x: (cx0 - dst.x) * sx, y: (cy0 - dst.y) * sy, w: (cx1 - cx0) * sx, h: (cy1 - cy0) * sy },
    dst: { x: cx0, y: cy0, w: cx1 - cx0, h: cy1 - cy0 },
  };
}

export function covers(outer: Span, inner: Span, tolerance = 1e-9): boolean {
  return (
    outer.start <= inner.start + tolerance &&
    outer.end >= inner.end - tolerance &&
    outer.low <= inner.low + tolerance &&
    outer.high >= inner.high - tolerance
  );
}

/** Limits for zooming and panning: the view stays inside `bounds` and no smaller than the minima. */
export interface Limits {
  bounds: Span;
  minDuration: number;
  /** Smallest frequency span as a fraction of the bounds' span, in warped units. */
  minFreqFraction: number;
}

export function defaultLimits(bounds: Span): Limits {
  const duration = bounds.end - bounds.start;
  return { bounds, minDuration: Math.max(0.002, duration / 2000), minFreqFraction: 1 / 200 };
}

/** Fit [a, b] (in some linear unit) inside [lo, hi] keeping its length if possible. */
function fit(a: number, b: number, lo: number, hi: number): [number, number] {
  const len = Math.min(b - a, hi - lo);
  let start = Math.min(Math.max(a, lo), hi - len);
  start = Math.max(start, lo);
  return [start, start + len];
}

function zoomRange(a: number, b: number, factor: number, anchor: number, minLen: number, lo: number, hi: number) {
  const len = Math.min(Math.max((b - a) / factor, minLen), hi - lo);
  const ratio = (anchor - a) / (b - a);
  return fit(anchor - ratio * len, anchor - ratio * len + len, lo, hi);
}

/** Zoom time by `factor` (>1 zooms in) keeping time `anchor` at the same pixel. */
export function zoomTime(view: Span, factor: number, anchor: number, limits: Limits): Span {
  const { bounds } = limits;
  const [start, end] = zoomRange(view.start, view.end, factor, anchor, limits.minDuration, bounds.start, bounds.end);
  return { ...view, start, end };
}

/** Zoom frequency by `factor` keeping frequency `anchor` (Hz) at the same pixel. */
export function zoomFreq(view: Span, factor: number, anchor: number, limits: Limits, scale: FreqScale): Span {
  const lo = warp(scale, limits.bounds.low);
  const hi = warp(scale, limits.bounds.high);
  const minLen = (hi - lo) * limits.minFreqFraction;
  const w = (hz: number) => warp(scale, hz);
  const [a, b] = zoomRange(w(view.low), w(view.high), factor, w(anchor), minLen, lo, hi);
  return { ...view, low: unwarp(scale, a), high: unwarp(scale, b) };
}

/** Move the view by a pixel offset (content follows the pointer: dx > 0 shows earlier times). */
export function panPixels(view: Span, dx: number, dy: number, size: Size, limits: Limits, scale: FreqScale): Span {
  const { bounds } = limits;
  const dt = (dx / size.width) * (view.end - view.start);
  const [start, end] = fit(view.start - dt, view.end - dt, bounds.start, bounds.end);
  if (dy === 0) return { ...view, start, end };
  const lo = warp(scale, view.low);
  const hi = warp(scale, view.high);
  const dv = (dy / size.height) * (hi - lo);
  const [a, b] = fit(lo + dv, hi + dv, warp(scale, bounds.low), warp(scale, bounds.high));
  return { start, end, low: unwarp(scale, a), high: unwarp(scale, b) };
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}
