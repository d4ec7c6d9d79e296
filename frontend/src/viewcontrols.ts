// The experts' view controls beside the toolbar: STFT window (or auto), overlap, window type,
// sharpening, automatic levels and the scalogram's bandwidth. They edit `Viewer.options` and
// follow it (keys change it too), showing what "auto" resolved to for the image on screen.

import { h, setValue } from "./dom";
import type { Sharpen } from "./types";
import { type Viewer, WINDOWS_MS } from "./viewer";

const OVERLAPS = [0, 0.5, 0.75, 0.9];
const WINDOW_TYPES = ["hann", "hamming", "blackman", "blackmanharris", "boxcar"];
const SHARPEN: [Sharpen, string][] = [
  ["none", "plain"],
  ["reassigned", "reassigned"],
  ["multitaper", "multitaper"],
];
const WAVELETS: [number, string][] = [
  [6, "FM (w0 6)"],
  [200, "CF (w0 200)"],
];

function select(title: string, name: string, options: [string, string][]): HTMLSelectElement {
  return h("select", { title, name, class: "el-view-option" }, ...options.map(([value, label]) => h("option", { value }, label)));
}

/** Add an option for a project value the list does not offer, so the select can show it. */
function ensureOption(el: HTMLSelectElement, value: string, label: string): void {
  if (!Array.from(el.options).some((o) => o.value === value)) el.append(h("option", { value }, label));
}

const ms = (s: number) => `${Number((s * 1000).toPrecision(3))} ms`;

export class ViewControls {
  readonly element: HTMLElement;
  private readonly window = select("STFT window ([ shorter, ] longer); auto follows the zoom", "window", [
    ["auto", "auto"],
    ...WINDOWS_MS.map((w): [string, string] => [String(w / 1000), ms(w / 1000)]),
  ]);
  private readonly overlap = select("STFT overlap", "overlap", OVERLAPS.map((o) => [String(o), `${Math.round(o * 100)} %`]));
  private readonly windowType = select("STFT window type", "window_type", WINDOW_TYPES.map((w) => [w, w]));
  private readonly sharpen = select("Sharpening (Shift+R cycles): reassigned draws FM sweeps as thin lines; multitaper speckles less", "sharpen", SHARPEN);
  private readonly wavelet = select("Scalogram bandwidth: narrow for constant-frequency calls", "w0", WAVELETS.map(([w, l]) => [String(w), l]));
  private readonly autoLevels = h("input", { type: "checkbox", name: "auto_levels" });
  private readonly levelsText = h("span", { class: "el-levels-text el-muted" });

  constructor(private readonly viewer: Viewer) {
    const o = viewer.options;
    if (o.window !== "auto") ensureOption(this.window, String(o.window), ms(o.window));
    ensureOption(this.overlap, String(o.overlap), `${Math.round(o.overlap * 100)} %`);
    ensureOption(this.wavelet, String(o.w0), `w0 ${o.w0}`);
    this.window.addEventListener("change", () => this.set({ window: this.window.value === "auto" ? "auto" : Number(this.window.value) }));
    this.overlap.addEventListener("change", () => this.set({ overlap: Number(this.overlap.value) }));
    this.windowType.addEventListener("change", () => this.set({ windowType: this.windowType.value }));
    this.sharpen.addEventListener("change", () => this.set({ sharpen: this.sharpen.value as Sharpen }));
    this.wavelet.addEventListener("change", () => this.set({ w0: Number(this.wavelet.value) }));
    this.autoLevels.addEventListener("change", () => this.set({ autoLevels: this.autoLevels.checked }));
    this.element = h(
      "div",
      { class: "el-group el-view-options" },
      h("label", {}, "window ", this.window),
      this.overlap,
      this.windowType,
      this.sharpen,
      this.wavelet,
      h("label", { title: "Levels from each view's percentiles (Shift+L); the dB sliders turn it off" }, this.autoLevels, " auto levels"),
      this.levelsText,
    );
    viewer.onOptions = () => this.update();
    this.update();
  }

  private set(patch: Parameters<Viewer["setOptions"]>[0]): void {
    (document.activeElement as HTMLElement | null)?.blur(); // the keyboard goes back to the page's hotkeys
    this.viewer.setOptions(patch);
  }

  /** Show the viewer's options, and what "auto" resolved to for the image on screen. */
  update(): void {
    const o = this.viewer.options;
    const spectrogram = this.viewer.kind === "spectrogram";
    if (o.window !== "auto") ensureOption(this.window, String(o.window), ms(o.window));
    setValue(this.window, String(o.window));
    (this.window.options[0] as HTMLOptionElement).textContent = o.window === "auto" && spectrogram ? `auto (${ms(this.viewer.shownWindow())})` : "auto";
    setValue(this.overlap, String(o.overlap));
    setValue(this.windowType, o.windowType);
    setValue(this.sharpen, o.sharpen);
    setValue(this.wavelet, String(o.w0));
    for (const el of [this.window, this.overlap, this.windowType, this.sharpen]) el.hidden = !spectrogram;
    this.wavelet.hidden = spectrogram;
    this.autoLevels.checked = o.autoLevels;
    const levels = this.viewer.shownLevels();
    this.levelsText.textContent = o.autoLevels && levels ? `${levels[0].toFixed(0)} … ${levels[1].toFixed(0)}` : "";
  }
}
