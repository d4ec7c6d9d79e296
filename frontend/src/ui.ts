// The page's controls around the canvas: toolbar, tag picker, clip answers, box inspector,
// status line, dialogs. Built once per project; `update*` methods refresh values in place.

import { tagsFollowBoxes, type Flag } from "./annotation";
import { tagColor, tagName } from "./canvas";
import { button, h, setValue, showConflict, type NoticeAction } from "./dom";

export type { NoticeAction };
import { HELP, SKIP_REASONS, resolveSkipKey, shadowedTagHotkeys, skipBody, tagKeyLabel, type SkipReason } from "./hotkeys";
import { EXPANSIONS, expansionPlayable } from "./player";
import { formatDuration } from "./ticks";
import type { AnnotationMode, Draft, EventDraft, Project, Tag, Task, ViewKind } from "./types";

export interface Handlers {
  tag(tagId: number): void;
  toggleClipTag(tagId: number): void;
  flag(flag: Flag): void;
  notes(text: string): void;
  editEvent(patch: Partial<EventDraft>, field: string): void;
  deleteSelected(): void;
  toggleView(): void;
  norm(norm: "db" | "pcen"): void;
  db(min: number, max: number): void;
  zoom(direction: 1 | -1 | 0): void;
  panMode(): void;
  play(): void;
  expansion(x: number): void;
  showPredictions(show: boolean): void;
  threshold(value: number): void;
  acceptAll(): void;
  submit(): void;
  skip(): void;
  retryNow(): void;
}

export type StatusLevel = "info" | "ok" | "warn" | "error" | "busy";

/** A tag as a button or checkbox reads: its display name, else the species (the value) alone. */
export function tagLabel(t: Tag): string {
  return t.display_name || t.value;
}

/** What the page says about a task before the annotator starts: a lead's note on a clip
 *  returned to them, or that they skipped it before (it comes back when nothing else is open). */
export function taskNotes(task: Task): string[] {
  const out: string[] = [];
  if (task.returned_to) {
    const note = task.return_note ? `: “${task.return_note}”` : "";
    const loaded = task.annotation ? " Your earlier answer is loaded: fix it and submit." : "";
    out.push(`A lead sent this clip back${note}.${loaded}`);
  }
  if (task.your_last_skip) out.push(`You skipped this clip before (${task.your_last_skip.why}); nothing else is waiting for you.`);
  return out;
}

/** The threshold beside the slider: whose it is (the model's calibrated one, or the annotator's). */
export function thresholdText(value: number, served: number | null, chosen: boolean): { short: string; long: string } {
  const v = value.toFixed(2);
  if (!chosen && served !== null) {
    return { short: `${v} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${v}: the model's threshold on its calibrated scores` };
  }
  if (chosen) {
    const model = served === null ? "" : `; the model's calibrated threshold is ${served.toFixed(2)}`;
    return { short: `${v} (yours)`, long: `Showing predictions scoring at least ${v}, your choice${model}` };
  }
  return { short: v, long: `Prediction score threshold: showing predictions scoring at least ${v}` };
}

export class Ui {
  readonly canvas = h("canvas", { id: "spectrogram-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram: drag to draw a box" });
  readonly plot = h("div", { class: "el-plot" }, this.canvas);
  readonly timeAxis = h("canvas", { class: "el-time-axis" });
  readonly freqAxis = h("canvas", { class: "el-freq-axis" });
  readonly readout = h("div", { class: "el-readout" }, "\u00a0");
  /** Slots for panels other modules build: under the image, and in the side bar. */
  readonly belowPlot = h("div", { class: "el-below-plot" });
  readonly sidePanels = h("div", { class: "el-side-panels" });
  private readonly status = h("span", { class: "el-status", role: "status", "aria-live": "polite" });
  private readonly draftState = h("span", { class: "el-draft-state" });
  private readonly retry = button("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  private readonly header = h("span", { class: "el-task" });
  private readonly notice = h("div", { class: "el-notice", hidden: true });
  private readonly taskNote = h("div", { class: "el-task-note", role: "note", hidden: true });
  private readonly clipTagsHint = h("p", { class: "el-muted el-clip-tags-hint" });
  private readonly skipChooser = new SkipChooser();
  private readonly conflict = h("div", { class: "el-conflict", hidden: true });
  private readonly tagButtons = new Map<number, HTMLButtonElement>();
  private readonly clipTagBoxes = new Map<number, HTMLInputElement>();
  private readonly flagButtons = new Map<Flag, HTMLButtonElement>();
  private readonly notesArea = h("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  private readonly inspector = h("div", { class: "el-inspector" });
  private readonly pendingLabel = h("div", { class: "el-pending" });
  private readonly viewButton = button("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  private readonly normSelect = h("select", { title: "Spectrogram normalisation" }, h("option", { value: "db" }, "dB"), h("option", { value: "pcen" }, "PCEN"));
  private readonly dbMin = h("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  private readonly dbMax = h("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  private readonly dbText = h("span", { class: "el-db-text" });
  private readonly panButton = button("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  private readonly playButton = button("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  private readonly expansionSelect = h("select", { title: "Playback slow-down (e)" });
  private readonly predToggle = h("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  private readonly threshold = h("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  private readonly thresholdText = h("span", { class: "el-threshold-text" }, "0.50");
  private readonly predInfo = h("span", { class: "el-pred-info" });
  private readonly helpDialog: HTMLDialogElement;
  readonly submitButton = button("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  readonly skipButton = button("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  readonly main: HTMLElement;

  constructor(
    readonly root: HTMLElement,
    private readonly project: Project,
    private readonly handlers: Handlers,
  ) {
    this.helpDialog = this.buildHelp();
    this.main = h(
      "div",
      { class: "el-app" },
      h("header", { class: "el-header" }, h("strong", {}, project.name), this.header, button("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.taskNote,
      this.notice,
      this.conflict,
      h(
        "div",
        { class: "el-body" },
        h("div", { class: "el-viewer" }, h("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, h("div"), this.timeAxis), this.belowPlot, this.readout),
        this.buildSide(),
      ),
      h("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog,
      this.skipChooser.dialog,
    );
    this.retry.hidden = true;
    root.replaceChildren(this.main);
  }

  private buildToolbar(): HTMLElement {
    const s = this.project.settings;
    for (const el of [this.dbMin, this.dbMax]) {
      el.min = String(Math.min(-140, s.db_min - 20));
      el.max = String(Math.max(40, s.db_max + 20));
    }
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value as "db" | "pcen"), this.normSelect.blur()));
    const onDb = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", onDb);
    this.dbMax.addEventListener("input", onDb);
    for (const x of EXPANSIONS) this.expansionSelect.append(h("option", { value: x }, `${x}×`));
    if (!EXPANSIONS.includes(s.time_expansion as never)) this.expansionSelect.append(h("option", { value: s.time_expansion }, `${s.time_expansion}×`));
    this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur()));
    this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur()));
    this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const el of [this.dbMin, this.dbMax, this.threshold]) el.addEventListener("change", () => el.blur());
    return h(
      "div",
      { class: "el-toolbar" },
      h("div", { class: "el-group" }, this.viewButton, this.normSelect),
      h("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      h(
        "div",
        { class: "el-group" },
        button("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        button("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        button("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton,
      ),
      h("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      h(
        "div",
        { class: "el-group" },
        h("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        button("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo,
      ),
    );
  }

  private buildSide(): HTMLElement {
    const tags = this.project.tags;
    const shadowed = shadowedTagHotkeys(tags);
    const list = h("div", { class: "el-tag-list" });
    const clipTags = h("div", { class: "el-clip-tags" });
    tags.forEach((t, i) => {
      const keys = tagKeyLabel(tags, i);
      const warn = shadowed.has(t.id) ? ` (hotkey "${t.hotkey}" is taken by a built-in key)` : "";
      const b = button("", `${tagName(tags, t.id)}${warn}`, () => this.handlers.tag(t.id), "el-tag");
      b.append(h("span", { class: "el-swatch", style: `background:${tagColor(tags, t.id)}` }), h("kbd", {}, keys || "·"), ` ${tagLabel(t)}`);
      this.tagButtons.set(t.id, b);
      list.append(b);
      const box = h("input", { type: "checkbox", "data-tag": t.id });
      box.addEventListener("change", () => (this.handlers.toggleClipTag(t.id), box.blur()));
      this.clipTagBoxes.set(t.id, box);
      clipTags.append(h("label", { title: tagName(tags, t.id) }, box, ` ${tagLabel(t)}`));
    });
    const flags: [Flag, string, string][] = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"],
    ];
    const flagRow = h("div", { class: "el-flags" });
    for (const [flag, text, key] of flags) {
      const b = button(`${text} (${key})`, `${text} (${key})`, () => this.handlers.flag(flag), "el-flag");
      b.setAttribute("aria-pressed", "false");
      this.flagButtons.set(flag, b);
      flagRow.append(b);
    }
    this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value));
    return h(
      "aside",
      { class: "el-side" },
      h("section", {}, h("h2", {}, "Box tag"), this.pendingLabel, list),
      h("section", {}, h("h2", {}, "Selected box"), this.inspector),
      this.sidePanels,
      h("section", {}, h("h2", {}, "Clip"), flagRow, clipTags, this.clipTagsHint, this.notesArea),
    );
  }

  private buildHelp(): HTMLDialogElement {
    const rows = HELP.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)));
    const dialog = h("dialog", { class: "el-help" }, h("h2", {}, "Keyboard"), h("table", {}, ...rows), h("form", { method: "dialog" }, h("button", {}, "Close")));
    return dialog;
  }

  toggleHelp(): void {
    if (this.helpDialog.open) this.helpDialog.close();
    else this.helpDialog.showModal();
  }

  setTask(task: Task): void {
    const c = task.clip;
    const r = c.recording;
    this.header.textContent = ` · ${r.name} · ${c.start_s.toFixed(3)}–${c.end_s.toFixed(3)} s · task ${task.id}${task.reason ? ` · ${task.reason}` : ""}`;
    this.header.title = `lease expires ${new Date(task.lease_expires_at).toLocaleTimeString()}`;
    for (const opt of Array.from(this.expansionSelect.options)) {
      const ok = expansionPlayable(r.samplerate, Number(opt.value));
      opt.disabled = !ok;
      opt.title = ok ? "" : `plays below ${3000} Hz, which browsers refuse`;
    }
    const notes = taskNotes(task);
    this.taskNote.replaceChildren(...notes.map((n) => h("p", {}, n)));
    this.taskNote.hidden = notes.length === 0;
    this.hideConflict();
    this.hideNotice();
  }

  /** Ask why the annotator skips (keys 1/2/3, Enter, Escape); null if they go back to the clip. */
  askSkipReason(): Promise<{ reason: SkipReason; note: string } | null> {
    return this.skipChooser.ask();
  }

  updateToolbar(v: { kind: ViewKind; norm: string; dbMin: number; dbMax: number; panMode: boolean; playing: boolean; expansion: number }): void {
    this.viewButton.textContent = v.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)";
    this.normSelect.disabled = v.kind !== "spectrogram";
    setValue(this.normSelect, v.norm);
    setValue(this.dbMin, String(v.dbMin));
    setValue(this.dbMax, String(v.dbMax));
    this.dbText.textContent = `${v.dbMin} … ${v.dbMax}`;
    this.panButton.setAttribute("aria-pressed", String(v.panMode));
    this.playButton.textContent = v.playing ? "❚❚ Pause" : "▶ Play";
    setValue(this.expansionSelect, String(v.expansion));
  }

  updatePredictions(v: { show: boolean; threshold: number; served: number | null; chosen: boolean; model: string | null; count: number; shown: number }): void {
    this.predToggle.checked = v.show;
    setValue(this.threshold, String(v.threshold));
    const text = thresholdText(v.threshold, v.served, v.chosen);
    this.thresholdText.textContent = text.short;
    this.threshold.title = this.thresholdText.title = text.long;
    this.predInfo.textContent = v.model ? `${v.model}: ${v.shown}/${v.count}` : "no model";
  }

  updateDraft(draft: Draft, selected: EventDraft | null, pendingTag: number | null, mode: AnnotationMode): void {
    const tags = this.project.tags;
    const active = selected ? selected.tag : pendingTag;
    for (const [id, b] of this.tagButtons) b.classList.toggle("el-active", id === active);
    const pending = tags.find((t) => t.id === pendingTag);
    this.pendingLabel.textContent = selected ? "Keys set the selected box's tag" : `Next box: ${pending ? tagLabel(pending) : "no tag"}`;
    for (const [id, box] of this.clipTagBoxes) box.checked = draft.tags.includes(id);
    const follow = tagsFollowBoxes(draft);
    this.clipTagsHint.textContent = follow ? "Clip tags follow the boxes' tags until you change them." : "Clip tags as you set them.";
    for (const [flag, b] of this.flagButtons) b.setAttribute("aria-pressed", String(draft[flag]));
    setValue(this.notesArea, draft.notes);
    this.updateInspector(selected, mode);
  }

  private inspectorBuilt = false;

  private updateInspector(ev: EventDraft | null, mode: AnnotationMode): void {
    if (!ev) {
      this.inspectorBuilt = false;
      this.inspector.replaceChildren(h("p", { class: "el-muted" }, mode === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    if (!this.inspectorBuilt) this.buildInspector();
    this.inspectorBuilt = true;
    const field = (name: string) => this.inspector.querySelector(`[name=${name}]`) as HTMLInputElement;
    setValue(field("start_s"), ev.start_s.toFixed(4));
    setValue(field("end_s"), ev.end_s.toFixed(4));
    const box = ev.low_hz !== null && ev.high_hz !== null;
    for (const n of ["low_hz", "high_hz"]) (field(n).closest("label") as HTMLElement).hidden = !box;
    if (box) {
      setValue(field("low_hz"), ((ev.low_hz as number) / 1000).toFixed(2));
      setValue(field("high_hz"), ((ev.high_hz as number) / 1000).toFixed(2));
    }
    setValue(this.inspector.querySelector("select") as HTMLSelectElement, ev.tag === null ? "" : String(ev.tag));
    setValue(field("confidence"), ev.confidence === null ? "" : String(ev.confidence));
    setValue(field("notes"), ev.notes);
    (this.inspector.querySelector(".el-duration") as HTMLElement).textContent =
      `${formatDuration(ev.end_s - ev.start_s)}${box ? ` · ${(((ev.high_hz as number) - (ev.low_hz as number)) / 1000).toFixed(2)} kHz band` : ""}`;
  }

  private buildInspector(): void {
    const num = (name: string, label: string, step: string, toValue: (v: string) => number | null) => {
      const input = h("input", { type: "number", name, step });
      input.addEventListener("change", () => {
        const v = toValue(input.value);
        if (v === null && name !== "confidence") return;
        this.handlers.editEvent({ [name]: v } as Partial<EventDraft>, name);
      });
      return h("label", {}, label, input);
    };
    const seconds = (v: string) => (v.trim() === "" || !Number.isFinite(Number(v)) ? null : Number(v));
    const khz = (v: string) => (seconds(v) === null ? null : Number(v) * 1000);
    const tagSelect = h("select", { name: "tag" }, h("option", { value: "" }, "no tag"), ...this.project.tags.map((t) => h("option", { value: t.id }, tagName(this.project.tags, t.id))));
    tagSelect.addEventListener("change", () => this.handlers.editEvent({ tag: tagSelect.value === "" ? null : Number(tagSelect.value) }, "tag"));
    const notes = h("input", { type: "text", name: "notes", placeholder: "box notes" });
    notes.addEventListener("input", () => this.handlers.editEvent({ notes: notes.value }, "notes"));
    const confidence = num("confidence", "confidence", "0.05", (v) => (seconds(v) === null ? null : Math.min(1, Math.max(0, Number(v)))));
    this.inspector.replaceChildren(
      h("div", { class: "el-grid" }, num("start_s", "start s", "0.0001", seconds), num("end_s", "end s", "0.0001", seconds), num("low_hz", "low kHz", "0.01", khz), num("high_hz", "high kHz", "0.01", khz)),
      h("label", {}, "tag ", tagSelect),
      confidence,
      notes,
      h("div", { class: "el-row" }, h("span", { class: "el-duration el-muted" }), button("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected())),
    );
  }

  /** Freeze the text fields and the submit/skip buttons while a request is out. */
  setBusy(busy: boolean): void {
    for (const el of this.main.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(".el-side input, .el-side textarea")) {
      if (el.type === "checkbox") el.disabled = busy;
      else el.readOnly = busy;
    }
    this.submitButton.disabled = busy;
    this.skipButton.disabled = busy;
  }

  setStatus(text: string, level: StatusLevel = "info", retryable = false): void {
    this.status.textContent = text;
    this.status.dataset.level = level;
    this.retry.hidden = !retryable;
  }

  setDraftState(text: string): void {
    this.draftState.textContent = text;
  }

  showNotice(text: string, actions: NoticeAction[] = []): void {
    this.notice.replaceChildren(h("span", {}, text), ...actions.map((a) => button(a.label, a.label, () => (this.hideNotice(), a.run()))), button("×", "Dismiss", () => this.hideNotice(), "el-dismiss"));
    this.notice.hidden = false;
  }

  hideNotice(): void {
    this.notice.hidden = true;
  }

  showConflict(text: string, details: string[], actions: NoticeAction[]): void {
    showConflict(this.conflict, text, details, actions);
  }

  hideConflict(): void {
    this.conflict.hidden = true;
  }
}

/** The small dialog k opens: why skip this clip? Keyboard first: 1/2/3, Enter, Escape. */
class SkipChooser {
  readonly dialog: HTMLDialogElement;
  private readonly options = new Map<SkipReason, HTMLButtonElement>();
  private readonly note = h("input", { type: "text", class: "el-skip-note", maxlength: 500, placeholder: "why (needed for “other”)", "aria-label": "Why you skip this clip" });
  private readonly problem = h("p", { class: "el-skip-problem", role: "alert" });
  private reason: SkipReason | null = null;
  private settle: ((v: { reason: SkipReason; note: string } | null) => void) | null = null;

  constructor() {
    const list = h("div", { class: "el-skip-options", role: "radiogroup" });
    for (const r of SKIP_REASONS) {
      const b = button("", r.label, () => this.choose(r.value), "el-skip-option");
      b.setAttribute("role", "radio");
      b.dataset.reason = r.value;
      b.append(h("kbd", {}, r.key), ` ${r.label}`);
      this.options.set(r.value, b);
      list.append(b);
    }
    this.dialog = h(
      "dialog",
      { class: "el-skip" },
      h("h2", {}, "Why skip this clip?"),
      h("p", { class: "el-muted" }, "It goes to the end of your queue; leads see the reason."),
      list,
      this.note,
      this.problem,
      h("div", { class: "el-row" }, button("Skip ⏎", "Skip with this reason (Enter)", () => this.confirm(), "el-primary"), button("Back (Esc)", "Back to the clip (Escape)", () => this.close(null))),
    );
    this.dialog.addEventListener("keydown", (e) => this.onKey(e));
    this.dialog.addEventListener("cancel", (e) => (e.preventDefault(), this.close(null)));
  }

  ask(): Promise<{ reason: SkipReason; note: string } | null> {
    this.reason = null;
    this.note.value = "";
    this.problem.textContent = "";
    this.refresh();
    this.dialog.showModal();
    this.dialog.focus();
    return new Promise((resolve) => (this.settle = resolve));
  }

  private onKey(e: KeyboardEvent): void {
    const action = resolveSkipKey(e, e.target === this.note);
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    if (action.type === "choose") this.choose(action.reason);
    else if (action.type === "confirm") this.confirm();
    else this.close(null);
  }

  private choose(reason: SkipReason): void {
    this.reason = reason;
    this.problem.textContent = "";
    this.refresh();
    if (reason === "other") this.note.focus();
  }

  private confirm(): void {
    const body = skipBody(this.reason, this.note.value);
    if (typeof body === "string") {
      this.problem.textContent = body;
      if (this.reason === "other") this.note.focus();
      return;
    }
    this.close(body);
  }

  private close(value: { reason: SkipReason; note: string } | null): void {
    if (this.dialog.open) this.dialog.close();
    this.settle?.(value);
    this.settle = null;
  }

  private refresh(): void {
    for (const [value, b] of this.options) b.setAttribute("aria-checked", String(value === this.reason));
  }
}

/** Shown instead of the annotator when the queue is empty. */
export function renderEmpty(root: HTMLElement, projectName: string, nextUrl: string | undefined, again: () => void): void {
  root.replaceChildren(
    h(
      "div",
      { class: "el-empty" },
      h("h1", {}, "Queue empty"),
      h("p", {}, `No clips are waiting for you in ${projectName}. New ones appear after the next sampling round.`),
      h("p", {}, button("Check again", "Ask for the next clip again", again, "el-primary"), nextUrl ? h("a", { href: nextUrl }, "Back to the project") : null),
    ),
  );
}

export function renderFatal(root: HTMLElement, message: string, again: () => void): void {
  root.replaceChildren(h("div", { class: "el-empty el-error" }, h("h1", {}, "Could not load the annotator"), h("p", {}, message), h("p", {}, button("Try again", "Try again", again, "el-primary"))));
}
