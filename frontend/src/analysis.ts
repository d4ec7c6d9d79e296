// What bat analysts read beside the spectrogram: the waveform strip of the visible window, and
// the power spectrum and call measurements of the selected box (re-measured when it moves).
// The page calls `follow` whenever it paints and `select` whenever the selection or the draft
// changes; requests are debounced and the stale ones aborted.

import "./analysis.css";
import type { Api } from "./api";
import { prepare } from "./canvas";
import { h } from "./dom";
import type { Span } from "./mapping";
import { renderMeasurements, type Measurements } from "./measurements";
import { drawSpectrum, peakIndex, type Spectrum } from "./spectrum";
import type { EventDraft, Task } from "./types";
import { drawEnvelope, type Envelope } from "./waveform";

const ENVELOPE_DELAY_MS = 80;
const MEASURE_DELAY_MS = 150;
const MAX_COLUMNS = 4096;
const WAVE_HEIGHT = 64;
const SPECTRUM_HEIGHT = 120;

type State = "empty" | "loading" | "ready" | "error";

/** A debounced, abortable fetch: each `run` cancels the previous one. */
class Latest {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | null = null;

  run(delay: number, work: (signal: AbortSignal) => Promise<void>): void {
    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    this.timer = setTimeout(() => void work(controller.signal).catch(() => undefined), delay);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.controller?.abort();
    this.controller = null;
  }
}

function query(params: Record<string, number | null>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k}=${Number((v as number).toFixed(7))}`)
    .join("&");
}

export class AnalysisPanels {
  private readonly wave = h("canvas", { class: "el-waveform", "aria-label": "Waveform of the visible window" });
  private readonly spectrumCanvas = h("canvas", { class: "el-spectrum", "aria-label": "Power spectrum of the selected box" });
  private readonly table = h("div", { class: "el-measurements" });
  /** Under the image, aligned with it (the empty cell sits under the frequency axis). */
  readonly strip = h("div", { class: "el-wave-row" }, h("div", { class: "el-wave-label" }, "wave"), this.wave);
  readonly side = h("section", { class: "el-analysis", "data-state": "empty" }, h("h2", {}, "Spectrum of the box"), this.spectrumCanvas, h("h2", {}, "Measurements"), this.table);
  private envelope: Envelope | null = null;
  private envelopeKey = "";
  private view: Span | null = null;
  private spectrum: Spectrum | null = null;
  private selectionKey = "";
  private readonly envelopes = new Latest();
  private readonly measures = new Latest();

  constructor(private readonly api: Api) {
    renderMeasurements(this.table, null, "Select a box to measure it.");
  }

  /** The visible window changed (or was repainted): redraw the strip, fetch a new envelope if needed. */
  follow(task: Task | null, view: Span): void {
    this.view = view;
    this.drawWave();
    const width = Math.min(MAX_COLUMNS, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!task || width < 1) return;
    const rec = task.clip.recording;
    const start = Math.max(0, view.start);
    const end = Math.min(rec.duration_s, view.end);
    const key = `${rec.id}:${start.toFixed(6)}:${end.toFixed(6)}:${width}`;
    if (key === this.envelopeKey || !(end > start)) return;
    if (!this.envelopeKey.startsWith(`${rec.id}:`)) this.envelope = null; // another recording's
    this.envelopeKey = key;
    this.envelopes.run(ENVELOPE_DELAY_MS, async (signal) => {
      this.envelope = await this.api.json<Envelope>(`recordings/${rec.id}/envelope/?${query({ start, end, width })}`, signal);
      this.drawWave();
    });
  }

  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(task: Task | null, box: EventDraft | null): void {
    const key = task && box ? `${task.clip.recording.id}:${box.start_s}:${box.end_s}:${box.low_hz}:${box.high_hz}` : "";
    if (key === this.selectionKey) return;
    this.selectionKey = key;
    if (!task || !box) {
      this.measures.cancel();
      return this.show("empty", null, null, "Select a box to measure it.");
    }
    this.show("loading", null, null, "Measuring…");
    const rid = task.clip.recording.id;
    const q = query({ start: box.start_s, end: box.end_s, low: box.low_hz, high: box.high_hz });
    this.measures.run(MEASURE_DELAY_MS, async (signal) => {
      try {
        const [spectrum, measured] = await Promise.all([
          this.api.json<Spectrum>(`recordings/${rid}/spectrum/?${q}&bins=512`, signal),
          this.api.json<Measurements>(`recordings/${rid}/measurements/?${q}`, signal),
        ]);
        if (this.selectionKey === key) this.show("ready", spectrum, measured, "");
      } catch (e) {
        if (!signal.aborted && this.selectionKey === key) this.show("error", null, null, (e as Error).message);
      }
    });
  }

  private show(state: State, spectrum: Spectrum | null, measured: Measurements | null, message: string): void {
    this.side.dataset.state = state;
    this.spectrum = spectrum;
    renderMeasurements(this.table, measured, message);
    this.drawSpectrumPanel(message);
  }

  private drawWave(): void {
    if (!this.view) return;
    const size = { width: this.wave.clientWidth || 300, height: WAVE_HEIGHT };
    drawEnvelope(prepare(this.wave, size), size, this.envelope, this.view);
    this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }

  private drawSpectrumPanel(message: string): void {
    const size = { width: this.spectrumCanvas.clientWidth || 240, height: SPECTRUM_HEIGHT };
    drawSpectrum(prepare(this.spectrumCanvas, size), size, this.spectrum, message);
    const s = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(s?.db.length ?? 0);
    this.spectrumCanvas.dataset.peakHz = s && peakIndex(s) >= 0 ? String(s.freqs_hz[peakIndex(s)]) : "";
  }
}
