// The waveform strip under the image: min and max sample per pixel column of the visible window,
// on the same time axis as the spectrogram above it.

import type { Span } from "./mapping";
import type { Size } from "./mapping";

/** GET recordings/{id}/envelope/: the window actually read, and min/max per column. */
export interface Envelope {
  start: number;
  end: number;
  samplerate: number;
  min: number[];
  max: number[];
}

/** x (CSS px) of time t in a strip of `width` showing `view`. */
export function timeToX(t: number, view: Span, width: number): number {
  return ((t - view.start) / (view.end - view.start)) * width;
}

/** The gain that makes the loudest sample of the envelope fill 90 % of the half height. */
export function gainFor(env: Envelope): number {
  let peak = 0;
  for (let i = 0; i < env.min.length; i++) peak = Math.max(peak, Math.abs(env.min[i]), Math.abs(env.max[i]));
  return peak > 0 ? 0.9 / peak : 1;
}

/** Draw `env` in a strip showing `view` (parts of the view the envelope lacks stay empty). */
export function drawEnvelope(ctx: CanvasRenderingContext2D, size: Size, env: Envelope | null, view: Span): void {
  const { width, height } = size;
  const mid = height / 2;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#0b0e11";
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = "#323b44";
  ctx.beginPath();
  ctx.moveTo(0, mid);
  ctx.lineTo(width, mid);
  ctx.stroke();
  if (!env || !env.min.length) return;
  const gain = gainFor(env) * mid;
  const step = (env.end - env.start) / env.min.length;
  ctx.fillStyle = "#4fc3f7";
  for (let i = 0; i < env.min.length; i++) {
    const x0 = timeToX(env.start + i * step, view, width);
    const x1 = timeToX(env.start + (i + 1) * step, view, width);
    if (x1 < 0 || x0 > width) continue;
    const top = mid - env.max[i] * gain;
    const bottom = mid - env.min[i] * gain;
    ctx.fillRect(x0, top, Math.max(1, x1 - x0), Math.max(1, bottom - top));
  }
  ctx.fillStyle = "#8d9aa5";
  ctx.font = "10px system-ui, sans-serif";
  ctx.fillText(`±${(0.9 / (gain / mid)).toFixed(3)} FS`, 4, 11);
}
