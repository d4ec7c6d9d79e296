// Call measurements of the selected box, as the server computes them (annotator/measurements.py):
// a table of values with their definitions in the tooltips.

import { h } from "./dom";

/** GET recordings/{id}/measurements/ (values null, with `reason`, where the box holds no call). */
export interface Measurements {
  duration_s: number | null;
  call_start_s: number | null;
  call_end_s: number | null;
  low_hz: number | null;
  high_hz: number | null;
  bandwidth_hz: number | null;
  start_hz: number | null;
  end_hz: number | null;
  characteristic_hz: number | null;
  peak_hz: number | null;
  peak_time_s: number | null;
  center_hz: number | null;
  freq_5_hz: number | null;
  freq_95_hz: number | null;
  bw_90_hz: number | null;
  snr_db: number | null;
  reason: string | null;
}

type Unit = "ms" | "kHz" | "s" | "dB";

/** [field, label, unit, definition] in the order the panel shows them. */
export const ROWS: [keyof Measurements, string, Unit, string][] = [
  ["duration_s", "Duration", "ms", "The call: where it stays within 20 dB of its loudest point"],
  ["low_hz", "Low freq", "kHz", "Lowest frequency of the call's ridge (within 20 dB of its peak)"],
  ["high_hz", "High freq", "kHz", "Highest frequency of the call's ridge"],
  ["bandwidth_hz", "Bandwidth", "kHz", "High minus low frequency"],
  ["start_hz", "Start freq", "kHz", "The ridge's frequency where the call begins"],
  ["end_hz", "End freq", "kHz", "The ridge's frequency where the call ends"],
  ["characteristic_hz", "Char. freq (Fc)", "kHz", "Frequency at the end of the flattest part of the call's final 40 %"],
  ["peak_hz", "Peak freq", "kHz", "Frequency of the box's loudest point (Raven's Peak Freq)"],
  ["peak_time_s", "Peak time", "s", "When the box is loudest (recording time)"],
  ["center_hz", "Center freq", "kHz", "Half the box's energy lies below it (Raven's Center Freq)"],
  ["bw_90_hz", "BW 90%", "kHz", "Between the frequencies below which 5 % and 95 % of the energy lie"],
  ["snr_db", "SNR", "dB", "The call's loudest part over the box's noise floor"],
];

/** The value as shown: ms and kHz with two decimals, seconds with four, dB with one; "—" for none. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (unit) {
    case "ms":
      return `${(value * 1000).toFixed(2)} ms`;
    case "kHz":
      return `${(value / 1000).toFixed(2)} kHz`;
    case "s":
      return `${value.toFixed(4)} s`;
    case "dB":
      return `${value.toFixed(1)} dB`;
  }
}

/** The panel's content for `m` (null: a placeholder, e.g. while loading or with no box selected). */
export function renderMeasurements(el: HTMLElement, m: Measurements | null, placeholder: string): void {
  if (!m) {
    el.replaceChildren(h("p", { class: "el-muted" }, placeholder));
    return;
  }
  const rows = ROWS.map(([field, label, unit, title]) => {
    const value = m[field] as number | null;
    return h("tr", { title }, h("th", {}, label), h("td", { "data-field": field, "data-value": value === null ? "" : String(value) }, formatValue(value, unit)));
  });
  el.replaceChildren(h("table", { class: "el-measure-table" }, ...rows), m.reason ? h("p", { class: "el-muted el-measure-note" }, m.reason) : "");
}
