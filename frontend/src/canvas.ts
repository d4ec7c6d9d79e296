// Drawing: the image, the clip's bounds, boxes, predictions, playhead, crosshair and axes.

import type { LoadedImage } from "./api";
import { boxRect, isInterval, type Box, type Geometry, type Point } from "./boxes";
import { timeToX, visiblePart, type Rect, type Size, type Span } from "./mapping";
import { freqTicks, timeTicks } from "./ticks";
import type { ContinuingEvent, EventDraft, FreqScale, Prediction, Tag } from "./types";

const PALETTE = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"];
const UNTAGGED = "#ffffff";

export function tagColor(tags: readonly Tag[], tagId: number | null): string {
  if (tagId === null) return UNTAGGED;
  const i = tags.findIndex((t) => t.id === tagId);
  if (i < 0) return UNTAGGED;
  return tags[i].color || PALETTE[i % PALETTE.length];
}

export function tagName(tags: readonly Tag[], tagId: number | null): string {
  if (tagId === null) return "no tag";
  const t = tags.find((x) => x.id === tagId);
  return t ? t.display_name || t.value : `tag ${tagId}`;  // the species name, as on the buttons
}

export interface Scene {
  size: Size;
  view: Span;
  scale: FreqScale;
  images: readonly LoadedImage[];
  clip: { start: number; end: number };
  tags: readonly Tag[];
  events: readonly EventDraft[];
  selected: number | null;
  predictions: readonly Prediction[];
  selectedPrediction: number | null;
  /** Long events filed under other clips that overlap this one (read-only here). */
  continuing?: readonly ContinuingEvent[];
  drawing: (Box & { tag: number | null }) | null;
  playhead: number | null;
  cursor: Point | null;
}

/** Size the canvas' backing store for the device pixel ratio; returns a context in CSS pixels. */
export function prepare(canvas: HTMLCanvasElement, size: Size): CanvasRenderingContext2D {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(size.width * dpr);
  const h = Math.round(size.height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

export function drawScene(ctx: CanvasRenderingContext2D, s: Scene): void {
  const { width, height } = s.size;
  const g: Geometry = { view: s.view, size: s.size, scale: s.scale };
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  for (const img of s.images) {
    const part = visiblePart(img.extent, img.bitmap, s.view, s.size, s.scale);
    if (part) ctx.drawImage(img.bitmap, part.src.x, part.src.y, part.src.w, part.src.h, part.dst.x, part.dst.y, part.dst.w, part.dst.h);
  }
  drawClipBounds(ctx, s);
  const taken: Rect[] = [];
  (s.continuing ?? []).forEach((ev) => drawContinuing(ctx, ev, g, s));
  s.predictions.forEach((p, i) => drawPrediction(ctx, p, g, s, i === s.selectedPrediction, taken));
  s.events.forEach((ev, i) => drawBox(ctx, ev, g, tagColor(s.tags, ev.tag), tagName(s.tags, ev.tag), i === s.selected));
  if (s.drawing) drawBox(ctx, s.drawing, g, tagColor(s.tags, s.drawing.tag), tagName(s.tags, s.drawing.tag), true, true);
  if (s.playhead !== null) drawPlayhead(ctx, timeToX(s.playhead, s.view, s.size), height);
  if (s.cursor) drawCrosshair(ctx, s.cursor, s.size);
}

function drawClipBounds(ctx: CanvasRenderingContext2D, s: Scene): void {
  const x0 = timeToX(s.clip.start, s.view, s.size);
  const x1 = timeToX(s.clip.end, s.view, s.size);
  const { width, height } = s.size;
  ctx.fillStyle = "rgba(0, 0, 0, 0.5)";
  if (x0 > 0) ctx.fillRect(0, 0, Math.min(x0, width), height);
  if (x1 < width) ctx.fillRect(Math.max(x1, 0), 0, width - Math.max(x1, 0), height);
  ctx.save();
  ctx.strokeStyle = "rgba(255, 255, 255, 0.8)";
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1;
  for (const x of [x0, x1]) {
    if (x < 0 || x > width) continue;
    ctx.beginPath();
    ctx.moveTo(Math.round(x) + 0.5, 0);
    ctx.lineTo(Math.round(x) + 0.5, height);
    ctx.stroke();
  }
  ctx.restore();
}

/** Draw a label whose bottom-left is at (x, y), unless it would overlap one in `taken`. */
function label(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string, italic = false, taken?: Rect[]): void {
  ctx.font = `${italic ? "italic " : ""}12px system-ui, sans-serif`;
  const w = ctx.measureText(text).width + 6;
  const lx = Math.max(0, x);
  const ly = Math.max(0, y - 16);
  if (taken) {
    if (taken.some((a) => lx < a.x + a.w && a.x < lx + w && ly < a.y + a.h && a.y < ly + 16)) return;
    taken.push({ x: lx, y: ly, w, h: 16 });
  }
  ctx.fillStyle = "rgba(0, 0, 0, 0.7)";
  ctx.fillRect(lx, ly, w, 16);
  ctx.fillStyle = color;
  ctx.textBaseline = "middle";
  ctx.fillText(text, lx + 3, ly + 8);
}

function drawBox(
  ctx: CanvasRenderingContext2D,
  b: Box,
  g: Geometry,
  color: string,
  name: string,
  selected: boolean,
  drawing = false,
): void {
  const r = boxRect(b, g);
  ctx.save();
  ctx.fillStyle = color;
  ctx.globalAlpha = isInterval(b) ? 0.18 : 0.1;
  ctx.fillRect(r.x, r.y, r.w, r.h);
  ctx.globalAlpha = 1;
  ctx.strokeStyle = color;
  ctx.lineWidth = selected ? 2.5 : 1.5;
  if (drawing) ctx.setLineDash([4, 3]);
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.setLineDash([]);
  label(ctx, name, r.x, isInterval(b) ? 18 : r.y, color);
  if (selected && !drawing) drawHandles(ctx, r, isInterval(b), color);
  ctx.restore();
}

function drawHandles(ctx: CanvasRenderingContext2D, r: Rect, interval: boolean, color: string): void {
  const xs = [r.x, r.x + r.w / 2, r.x + r.w];
  const ys = interval ? [r.y + r.h / 2] : [r.y, r.y + r.h / 2, r.y + r.h];
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = color;
  ctx.lineWidth = 1;
  for (const x of xs) {
    for (const y of ys) {
      if (x === xs[1] && (interval || y === ys[1])) continue;
      ctx.fillRect(x - 3.5, y - 3.5, 7, 7);
      ctx.strokeRect(x - 3.5, y - 3.5, 7, 7);
    }
  }
}

/** The label of a long event from another clip: where it is edited, and which way it runs on. */
export function continuingLabel(tags: readonly Tag[], ev: ContinuingEvent): string {
  return `${ev.continues ? "← " : ""}${tagName(tags, ev.tag)} (clip ${ev.from_clip})${ev.runs_on ? " →" : ""}`;
}

/** A long event from another clip: a dotted outline and a faint fill, so it reads as labelled
 * already but not part of this clip's draft. The canvas clips it to the view; its label stays in
 * view at the left edge when the event began earlier. */
function drawContinuing(ctx: CanvasRenderingContext2D, ev: ContinuingEvent, g: Geometry, s: Scene): void {
  const r = boxRect(ev, g);
  const color = tagColor(s.tags, ev.tag);
  ctx.save();
  ctx.fillStyle = color;
  ctx.globalAlpha = 0.06;
  ctx.fillRect(r.x, r.y, r.w, r.h);
  ctx.globalAlpha = 0.9;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([2, 3]);
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.restore();
  label(ctx, continuingLabel(s.tags, ev), r.x, isInterval(ev) ? 54 : r.y + r.h + 16, color, true);
}

function drawPrediction(ctx: CanvasRenderingContext2D, p: Prediction, g: Geometry, s: Scene, selected: boolean, taken: Rect[]): void {
  const r = boxRect(p, g);
  const color = tagColor(s.tags, p.tag);
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = selected ? 2.5 : 1.25;
  ctx.setLineDash([5, 4]);
  ctx.strokeRect(r.x, r.y, r.w, r.h);
  ctx.restore();
  label(ctx, `${p.label} ${p.score.toFixed(2)}`, r.x, isInterval(p) ? 36 : r.y + r.h + 16, color, true, selected ? undefined : taken);
}

function drawPlayhead(ctx: CanvasRenderingContext2D, x: number, height: number): void {
  ctx.save();
  ctx.strokeStyle = "#ffeb3b";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x, 0);
  ctx.lineTo(x, height);
  ctx.stroke();
  ctx.restore();
}

function drawCrosshair(ctx: CanvasRenderingContext2D, p: Point, size: Size): void {
  ctx.save();
  ctx.strokeStyle = "rgba(255, 255, 255, 0.45)";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, Math.round(p.y) + 0.5);
  ctx.lineTo(size.width, Math.round(p.y) + 0.5);
  ctx.moveTo(Math.round(p.x) + 0.5, 0);
  ctx.lineTo(Math.round(p.x) + 0.5, size.height);
  ctx.stroke();
  ctx.restore();
}

const AXIS_FONT = "11px system-ui, sans-serif";
const AXIS_COLOR = "#cfd8dc";

export function drawTimeAxis(ctx: CanvasRenderingContext2D, view: Span, size: Size, clip: { start: number; end: number }): void {
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = AXIS_COLOR;
  ctx.font = AXIS_FONT;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.lineWidth = 1;
  for (const t of timeTicks(view, size.width)) {
    const x = Math.round(t.pos) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, 5);
    ctx.stroke();
    ctx.fillText(t.label, Math.min(Math.max(t.pos, 24), size.width - 24), 7);
  }
  // Clip bounds as small markers under the image.
  ctx.fillStyle = "#ffffff";
  for (const t of [clip.start, clip.end]) {
    const x = timeToX(t, view, size);
    if (x < 0 || x > size.width) continue;
    ctx.beginPath();
    ctx.moveTo(x - 4, 0);
    ctx.lineTo(x + 4, 0);
    ctx.lineTo(x, 5);
    ctx.fill();
  }
}

export function drawFreqAxis(ctx: CanvasRenderingContext2D, view: Span, size: Size, scale: FreqScale): void {
  ctx.clearRect(0, 0, size.width, size.height);
  ctx.strokeStyle = AXIS_COLOR;
  ctx.fillStyle = AXIS_COLOR;
  ctx.font = AXIS_FONT;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of freqTicks(view, size.height, scale)) {
    const y = Math.round(t.pos) + 0.5;
    ctx.beginPath();
    ctx.moveTo(size.width - 5, y);
    ctx.lineTo(size.width, y);
    ctx.stroke();
    ctx.fillText(t.label, size.width - 7, Math.min(Math.max(t.pos, 7), size.height - 7));
  }
}
