// Axis ticks and number formatting. Pure functions.

import { freqToY, timeToX, type Span } from "./mapping";
import type { FreqScale } from "./types";

export interface Tick {
  value: number;
  /** Pixel position along the axis (x for time, y for frequency). */
  pos: number;
  label: string;
}

/** Smallest 1, 2 or 5 x 10^n that is >= raw. */
export function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw * (1 - 1e-9)) return m * p;
  return 10 * p;
}

function decimalsFor(step: number): number {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

/** Time label in seconds, with as many decimals as the tick step needs ("12 s", "12.35 s"). */
export function formatTime(t: number, step: number): string {
  return `${t.toFixed(decimalsFor(step))} s`;
}

/** A duration for people: "850 ms" below a second, "1.25 s" above. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 1) return `${(seconds * 1000).toFixed(abs < 0.01 ? 2 : 1)} ms`;
  return `${seconds.toFixed(3)} s`;
}

/** kHz with the decimals the step needs, trailing zeros dropped ("45 kHz", "12.5 kHz"). */
export function formatFreq(hz: number, stepHz: number): string {
  return `${Number((hz / 1000).toFixed(decimalsFor(stepHz / 1000)))} kHz`;
}

function multiples(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  const first = Math.ceil(from / step - 1e-9);
  for (let i = first; i * step <= to + step * 1e-9; i++) out.push(Number((i * step).toPrecision(12)));
  return out;
}

export function timeTicks(view: Span, width: number, minSpacingPx = 90): Tick[] {
  const duration = view.end - view.start;
  if (!(duration > 0) || width <= 0) return [];
  const step = niceStep((duration * minSpacingPx) / width);
  const size = { width, height: 1 };
  return multiples(view.start, view.end, step).map((t) => ({
    value: t,
    pos: timeToX(t, view, size),
    label: formatTime(t, step),
  }));
}

/**
 * Frequency ticks at round kHz values. On a mel or log axis round values are not evenly spaced,
 * so ticks are kept roundest first (100 kHz before 50 before 10 before 5) while they stay at
 * least `minSpacingPx` apart.
 */
export function freqTicks(view: Span, height: number, scale: FreqScale, minSpacingPx = 26): Tick[] {
  const range = view.high - view.low;
  if (!(range > 0) || height <= 0) return [];
  const size = { width: 1, height };
  const step = niceStep((range * minSpacingPx) / height / (scale === "linear" ? 1 : 4));
  const candidates = multiples(view.low, view.high, step).map((hz) => ({
    value: hz,
    pos: freqToY(hz, view, size, scale),
    label: "",
    rank: roundness(hz, step),
  }));
  candidates.sort((a, b) => b.rank - a.rank || a.value - b.value);
  const kept: typeof candidates = [];
  for (const c of candidates) if (kept.every((k) => Math.abs(k.pos - c.pos) >= minSpacingPx)) kept.push(c);
  return kept.sort((a, b) => b.pos - a.pos).map(({ value, pos }) => ({ value, pos, label: formatFreq(value, step) }));
}

/** How round a multiple of `step` is: 0 for any multiple, +1 per 2x/5x/10x nice step it also divides. */
function roundness(value: number, step: number): number {
  let rank = 0;
  let s = step;
  for (let i = 0; i < 12; i++) {
    s = niceStep(s * 1.5);
    if (Math.abs(value / s - Math.round(value / s)) > 1e-6) break;
    rank++;
  }
  return rank;
}
