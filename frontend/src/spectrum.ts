// The power spectrum of the selected box: mean power per frequency (dB full scale) over the box.

import type { Size } from "./mapping";

/** GET recordings/{id}/spectrum/. */
export interface Spectrum {
  freqs_hz: number[];
  db: number[];
  window: number;
  reason: string | null;
}

export const RANGE_DB = 60;

/** Index of the loudest bin, or -1 for an empty spectrum. */
export function peakIndex(s: Spectrum): number {
  let best = -1;
  for (let i = 0; i < s.db.length; i++) if (best < 0 || s.db[i] > s.db[best]) best = i;
  return best;
}

/** Frequency on x (low on the left), dB on y (the peak at the top, RANGE_DB below it at the bottom). */
export function drawSpectrum(ctx: CanvasRenderingContext2D, size: Size, s: Spectrum | null, message = ""): void {
  const { width, height } = size;
  const pad = { left: 30, right: 6, top: 14, bottom: 16 };
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#0b0e11";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "#8d9aa5";
  ctx.font = "10px system-ui, sans-serif";
  const peak = s ? peakIndex(s) : -1;
  if (!s || peak < 0) {
    ctx.fillText(message || s?.reason || "", 6, height / 2);
    return;
  }
  const f0 = s.freqs_hz[0];
  const f1 = s.freqs_hz[s.freqs_hz.length - 1];
  const top = s.db[peak];
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const x = (f: number) => pad.left + (f1 > f0 ? ((f - f0) / (f1 - f0)) * w : w / 2);
  const y = (db: number) => pad.top + (Math.min(RANGE_DB, Math.max(0, top - db)) / RANGE_DB) * h;
  ctx.strokeStyle = "#323b44";
  ctx.strokeRect(pad.left, pad.top, w, h);
  ctx.strokeStyle = "#4fc3f7";
  ctx.beginPath();
  s.freqs_hz.forEach((f, i) => (i ? ctx.lineTo(x(f), y(s.db[i])) : ctx.moveTo(x(f), y(s.db[i]))));
  ctx.stroke();
  ctx.fillStyle = "#8d9aa5";
  ctx.fillText(`${(f0 / 1000).toFixed(1)}`, pad.left, height - 4);
  const right = `${(f1 / 1000).toFixed(1)} kHz`;
  ctx.fillText(right, width - pad.right - ctx.measureText(right).width, height - 4);
  ctx.fillText(`${top.toFixed(0)}`, 2, pad.top + 8);
  ctx.fillText(`${(top - RANGE_DB).toFixed(0)}`, 2, height - pad.bottom);
  ctx.fillStyle = "#ffb74d";
  ctx.fillText(`peak ${(s.freqs_hz[peak] / 1000).toFixed(2)} kHz, ${top.toFixed(1)} dB`, pad.left + 4, pad.top - 3);
}
