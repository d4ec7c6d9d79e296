// The annotation page: one task at a time, its draft (boxes, tags, flags, notes), submitting,
// playback and the keyboard. What is on screen (image, zoom, axes) is the Viewer's business.

import * as A from "./annotation";
import { ApiError, type Api } from "./api";
import { normalise, type Box, type Geometry, type Point } from "./boxes";
import { recover, type DraftStore } from "./draft";
import { h, typingTarget } from "./dom";
import { resolveKey, skipWords, type Action } from "./hotkeys";
import { LeaseKeeper } from "./lease";
import type { Span } from "./mapping";
import { EXPANSIONS, Player, expansionPlayable } from "./player";
import { Pointer, type PointerHost } from "./pointer";
import { Submitter, type SubmitEvents } from "./submit";
import { tagName } from "./canvas";
import type { Annotation, ContinuingEvent, Draft, EventDraft, Prediction, Predictions, Project, Task } from "./types";
import { renderEmpty, renderFatal, Ui, type Handlers, type StatusLevel } from "./ui";
import { AnalysisPanels } from "./analysis";
import { SimilarStrip, type SimilarQuery } from "./similar";
import { createUndo, record, redo, undo, type UndoStack } from "./undo";
import { ViewControls } from "./viewcontrols";
import { nextSharpen, Viewer, type Overlay } from "./viewer";

const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;
/** The score threshold when the version states none (predictions made before calibration). */
export const DEFAULT_THRESHOLD = 0.5;

/** The version's served threshold, if the predictions carry a usable one. */
export function servedThreshold(p: Predictions | null): number | null {
  const t = p?.model_version?.threshold;
  return typeof t === "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}

/** The threshold the page filters predictions with: the annotator's own once they moved the
 *  slider (it then holds for every clip of this page), else the model's calibrated one. */
export function effectiveThreshold(p: Predictions | null, chosen: number | null): number {
  return chosen ?? servedThreshold(p) ?? DEFAULT_THRESHOLD;
}

export interface Page {
  root: HTMLElement;
  api: Api;
  drafts: DraftStore;
  projectId: number;
  nextUrl?: string;
}

export class App implements PointerHost {
  private project!: Project;
  private ui!: Ui;
  private viewer!: Viewer;
  private analysis!: AnalysisPanels;
  private similar!: SimilarStrip;
  private pointer!: Pointer;
  private readonly player: Player;
  private task: Task | null = null;
  private draftValue: Draft = A.emptyDraft();
  private undoStack: UndoStack<Draft> = createUndo();
  private selectedIndex: number | null = null;
  private selectedPred: number | null = null;
  private pendingTag: number | null = null;
  private predictions: Predictions | null = null;
  private showPreds = true;
  /** The annotator's slider value, null until they move it. */
  private chosenThreshold: number | null = null;
  private panning = false;
  private expansion = 1;
  private skipping = false;
  private warnedFor: Draft | null = null;
  private readonly submitter: Submitter;
  private readonly lease: LeaseKeeper;

  constructor(private readonly page: Page) {
    this.submitter = new Submitter((id, body) => page.api.submit(id, body), () => this.draftValue, this.submitEvents());
    this.lease = new LeaseKeeper(async (id) => (await page.api.renew(id)).lease_expires_at, {
      lost: (m) => this.status(`Your hold on this clip ran out (${m}). Submitting still saves your work.`, "warn"),
    });
    this.player = new Player(
      (t) => this.viewer && ((this.viewer.playhead = t), this.viewer.render()),
      (state, message) => {
        if (state === "error") this.status(message ?? "playback failed", "error");
        this.refreshToolbar();
      },
    );
  }

  // ---- start-up and the task cycle -------------------------------------------------------

  async start(): Promise<void> {
    const { root, api, projectId } = this.page;
    root.dataset.state = "loading";
    try {
      this.project = await api.project(projectId);
    } catch (e) {
      root.dataset.state = "error";
      renderFatal(root, (e as Error).message, () => void this.start());
      return;
    }
    this.expansion = this.project.settings.time_expansion;
    this.ui = new Ui(root, this.project, this.handlers());
    this.analysis = new AnalysisPanels(api);
    this.similar = new SimilarStrip({ api, projectId, tags: this.project.tags, currentTag: () => this.currentTag(), batch: false });
    this.ui.belowPlot.replaceChildren(this.analysis.strip, this.similar.element);
    this.ui.sidePanels.replaceChildren(this.analysis.side);
    // Every paint also redraws the waveform strip for the window painted.
    const paintOverlay = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new Viewer(this.project, api, this.ui, paintOverlay, (m, l) => this.status(m, l));
    this.ui.main.querySelector(".el-toolbar")?.append(
      new ViewControls(this.viewer).element,
      h("button", { type: "button", class: "el-find-similar", title: "The project's clips most like the selected box (or this clip)", onclick: () => this.findSimilar() }, "Find similar"),
    );
    this.pointer = new Pointer(this.ui.canvas, this);
    new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot);
    document.addEventListener("keydown", (e) => this.onKey(e));
    for (const type of ["keydown", "pointerdown", "wheel"]) {
      document.addEventListener(type, () => this.lease.activity(), { capture: true, passive: true });
    }
    this.page.drafts.prune(DRAFT_MAX_AGE_MS);
    await this.loadNext();
  }

  private async loadNext(): Promise<void> {
    const { root, api, projectId } = this.page;
    this.submitter.cancel();
    this.lease.stop();
    this.player.stop();
    this.viewer.close();
    this.task = null;
    root.dataset.state = "loading";
    if (!root.contains(this.ui.main)) root.replaceChildren(this.ui.main);
    this.status("Loading the next clip…", "busy");
    let task: Task | null;
    try {
      task = await api.nextTask(projectId);
    } catch (e) {
      root.dataset.state = "error";
      this.status(`Could not get the next clip: ${(e as Error).message}`, "error");
      this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => void this.loadNext() }]);
      return;
    }
    if (!task) {
      root.dataset.state = "empty";
      renderEmpty(root, this.project.name, this.page.nextUrl, () => void this.loadNext());
      return;
    }
    this.openTask(task);
  }

  private openTask(task: Task): void {
    this.task = task;
    this.similar.close();
    this.lease.start(task.id, task.lease_expires_at);
    this.ui.setTask(task);
    this.draftValue = this.restoreDraft(task);
    this.undoStack = createUndo();
    [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null];
    if (!expansionPlayable(task.clip.recording.samplerate, this.expansion)) this.expansion = 1;
    this.refresh();
    this.showImage(task);
    this.page.api.predictions(task.clip.id).then(
      (p) => this.task === task && ((this.predictions = p), this.refresh()),
      () => undefined, // predictions are optional help; the page works without them
    );
  }

  /** The selected box (cut to the clip) or the whole clip, as a search by example. */
  private findSimilar(): void {
    if (!this.task) return;
    const clip = this.task.clip;
    const ev = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    const query: SimilarQuery = { clip: clip.id };
    if (ev && Math.min(ev.end_s, clip.end_s) > Math.max(ev.start_s, clip.start_s)) {
      Object.assign(query, { start_s: Math.max(ev.start_s, clip.start_s), end_s: Math.min(ev.end_s, clip.end_s), low_hz: ev.low_hz, high_hz: ev.high_hz });
    }
    void this.similar.find(query);
  }

  /** The tag Enter applies to a match: the selected box's, else the one picked for the next box. */
  private currentTag(): number | null {
    const ev = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    return ev?.tag ?? this.pendingTag;
  }

  private showImage(task: Task): void {
    void this.viewer.open(task).then((result) => {
      if (this.task !== task || result === "stale") return;
      if (result === "ready") this.page.root.dataset.state = "ready";
      else this.ui.showNotice("The image did not load.", [{ label: "Retry", run: () => this.showImage(task) }]);
    });
  }

  /** The server's annotation, or the user's unsaved work on it from localStorage. */
  private restoreDraft(task: Task): Draft {
    const { drafts } = this.page;
    const server = A.fromAnnotation(task.annotation);
    const { draft, restored, older } = recover(drafts, task.id, server);
    const when = (t: number) => new Date(t).toLocaleString();
    if (restored) {
      this.status(`Restored your unsaved draft from ${when(restored.savedAt)}.`, "ok");
      this.ui.showNotice(`Restored your unsaved draft of this clip (${when(restored.savedAt)}).`, [{ label: "Discard it", run: () => this.change(server) }]);
    } else if (older) {
      this.ui.showNotice(`You have unsaved work on this clip from ${when(older.savedAt)}, but someone saved it since (version ${server.version}).`, [
        { label: "Restore mine", run: () => this.change({ ...older.draft, version: server.version }) },
        { label: "Merge mine into theirs", run: () => this.change(A.mergeDrafts(older.draft, server)) },
        { label: "Discard mine", run: () => drafts.remove(task.id, older.version) },
      ]);
    }
    if (!restored) this.status(task.annotation ? `Editing saved version ${task.annotation.version}.` : "New clip.", "info");
    if (!restored && !older) this.noticeContinuing(task);
    return draft;
  }

  /** Say which long events from other clips continue into this one, offering to delete each
   * (on its own clip: the same author-only PUT, with its version checked). */
  private noticeContinuing(task: Task): void {
    const long = task.continuing ?? [];
    if (!long.length) return;
    const homes = [...new Set(long.map((e) => e.from_clip))];
    const from = `from clip${homes.length > 1 ? "s" : ""} ${homes.join(", ")}`;
    const what = long.length === 1 ? `An event of yours ${from} continues` : `${long.length} events of yours ${from} continue`;
    this.ui.showNotice(
      `${what} into this clip (dotted). Labelled already: labelling ${long.length === 1 ? "it" : "them"} again here is refused.`,
      long.slice(0, 3).map((ev) => ({
        label: `Delete ${tagName(this.project.tags, ev.tag)} ${ev.start_s.toFixed(2)}–${ev.end_s.toFixed(2)} s`,
        run: () => void this.deleteContinuing(task, ev),
      })),
    );
  }

  private async deleteContinuing(task: Task, ev: ContinuingEvent): Promise<void> {
    const what = `${tagName(this.project.tags, ev.tag)} ${ev.start_s.toFixed(2)}–${ev.end_s.toFixed(2)} s`;
    try {
      const home = await this.page.api.annotation(ev.annotation);
      const saved = await this.page.api.updateAnnotation(home.id, A.withoutEvent(home, ev.id));
      task.continuing = (task.continuing ?? []).filter((e) => e.id !== ev.id);
      if (this.task !== task) return;
      this.status(`Deleted ${what} from clip ${ev.from_clip} (its version ${saved.version}).`, "ok");
      this.refresh();
    } catch (e) {
      if (this.task === task) this.status(`Could not delete ${what}: ${(e as Error).message}`, "error");
    }
  }

  // ---- submitting and skipping -----------------------------------------------------------

  private submit(): void {
    if (!this.task || this.submitter.inFlight) return;
    const warnings = A.warnings(this.draftValue);
    if (warnings.length && this.warnedFor !== this.draftValue) {
      this.warnedFor = this.draftValue;
      return this.status(`${warnings.join("; ")}. Press Enter again to submit anyway.`, "warn");
    }
    void this.submitter.send(this.task.id);
  }

  private submitEvents(): SubmitEvents {
    return {
      busy: (on) => {
        this.page.root.dataset.state = on ? "submitting" : "ready";
        this.ui.setBusy(on);
      },
      status: (text, level, retryable) => this.status(text, level, retryable),
      done: (body) => {
        // The server has it: only now the draft goes.
        const task = this.task as Task;
        this.page.drafts.remove(task.id, body.version);
        this.status(`Submitted clip ${task.clip.id}.`, "ok");
        void this.loadNext().then(() => this.task && this.status(`Submitted clip ${task.clip.id}; here is the next one.`, "ok"));
      },
      conflict: (current, message) => this.showConflict(current, message),
    };
  }

  /** 409: show both versions and let the user choose; never overwrite silently. */
  private showConflict(current: Annotation | null, message: string): void {
    const task = this.task as Task;
    const mine = this.draftValue;
    this.status("Not saved: someone else saved this clip meanwhile.", "error");
    if (!current) {
      const reload = { label: "Reload the clip", run: () => void this.loadNext() };
      return this.ui.showConflict(message, ["Your draft is kept and will be offered again."], [reload]);
    }
    const theirs = A.fromAnnotation(current);
    const describe = (d: Draft) =>
      `${d.events.length} boxes, ${d.tags.length} clip tags${d.no_calls ? ", no calls" : ""}${d.noise ? ", noise" : ""}${d.uncertain ? ", uncertain" : ""}`;
    const adopt = (next: Draft) => {
      this.page.drafts.remove(task.id, mine.version);
      this.change(next);
    };
    this.ui.showConflict(
      `${message} (now version ${current.version})`,
      [`Theirs: ${describe(theirs)}`, `Yours: ${describe(mine)}`],
      [
        { label: "Use theirs", run: () => adopt(theirs) },
        { label: "Merge (theirs + your boxes)", run: () => (adopt(A.mergeDrafts(mine, theirs)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (adopt({ ...mine, version: current.version }), void this.submitter.send(task.id)) },
      ],
    );
  }

  /** k: ask why, release the task with the reason (its draft stays in localStorage) and open the next. */
  private async skip(): Promise<void> {
    const task = this.task;
    if (!task || this.submitter.inFlight || this.skipping) return;
    this.skipping = true;
    const why = await this.ui.askSkipReason();
    if (!why || this.task !== task) return void (this.skipping = false);
    this.submitter.cancel();
    this.player.stop();
    this.status("Skipping…", "busy");
    try {
      await this.page.api.release(task.id, why);
      this.skipping = false;
      await this.loadNext();
      if (this.task) this.status(`Skipped clip ${task.clip.id} (${skipWords(why)}).`, "info");
    } catch (e) {
      this.skipping = false;
      // 409: the lease ran out and the clip is no longer held; moving on is what the skip wanted.
      if (e instanceof ApiError && e.status === 409) return void this.loadNext();
      this.status(`Could not skip: ${e instanceof ApiError ? e.message : String(e)}`, "error");
    }
  }

  // ---- editing ---------------------------------------------------------------------------

  /** Apply an undoable change, save the draft, redraw. */
  private change(next: Draft, key: string | null = null, before: Draft = this.draftValue): void {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    if (next === before) return;
    next = A.followBoxTags(before, next);
    this.undoStack = record(this.undoStack, before, key);
    this.draftValue = next;
    this.persist();
    this.refresh();
  }

  private persist(): void {
    if (!this.task) return;
    const ok = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(ok ? `Draft saved ${new Date().toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }

  private step(direction: "undo" | "redo"): void {
    if (!this.canEdit()) return;
    const r = direction === "undo" ? undo(this.undoStack, this.draftValue) : redo(this.undoStack, this.draftValue);
    if (!r) return this.status(`Nothing to ${direction}.`, "info");
    this.undoStack = r.stack;
    // Keep the newest version number: undoing must not bring back a stale version.
    this.draftValue = { ...r.state, version: this.draftValue.version };
    if (this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length) this.selectedIndex = null;
    this.persist();
    this.refresh();
  }

  private setTag(tagId: number): void {
    if (this.selectedIndex === null) {
      this.pendingTag = tagId;
      return this.refresh();
    }
    this.change(A.updateEvent(this.draftValue, this.selectedIndex, { tag: tagId }));
  }

  private editSelected(patch: Partial<EventDraft>, field: string): void {
    const i = this.selectedIndex;
    if (i === null) return;
    let next = A.updateEvent(this.draftValue, i, patch);
    if (["start_s", "end_s", "low_hz", "high_hz"].includes(field)) next = A.updateEvent(next, i, normalise(next.events[i], this.boxBounds()));
    this.change(next, `edit:${i}:${field}`);
  }

  private deleteSelected(): void {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const i = this.selectedIndex;
    this.selectedIndex = null;
    this.change(A.removeEvent(this.draftValue, i));
  }

  private cycleSelection(delta: 1 | -1): void {
    const order = this.draftValue.events.map((e, i) => [e.start_s, i]).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
    if (!order.length) return;
    const pos = this.selectedIndex === null ? (delta > 0 ? -1 : 0) : order.indexOf(this.selectedIndex);
    this.select(order[(pos + delta + order.length) % order.length]);
  }

  private accept(all: boolean): void {
    const mode = this.project.settings.annotation_mode;
    const one = !all && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null;
    const chosen = one ? [one] : this.visiblePredictions().map((x) => x.p);
    if (!chosen.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let next = this.draftValue;
    for (const p of chosen) next = A.addEvent(next, A.eventFromPrediction(p, mode));
    this.selectedPred = null;
    this.change(next);
    if (chosen.length === 1) this.select(next.events.length - 1);
    this.status(`Accepted ${chosen.length} prediction${chosen.length > 1 ? "s" : ""}.`, "ok");
  }

  // ---- playback ----------------------------------------------------------------------------

  /** Space: play the selected box's span and band, or the visible window. */
  private togglePlay(): void {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const rec = this.task.clip.recording;
    const ev = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    const view = this.viewer.view;
    const start = Math.max(0, ev ? ev.start_s : view.start);
    const end = Math.min(rec.duration_s, ev ? ev.end_s : view.end);
    const band = ev && ev.low_hz !== null && ev.high_hz !== null ? { low: ev.low_hz, high: ev.high_hz } : {};
    const url = this.page.api.audioUrl(rec.id, { start, end, expansion: this.expansion, ...band });
    this.player.play({ url, start, end, expansion: this.expansion });
  }

  private setExpansion(x: number): void {
    this.player.stop();
    this.expansion = x;
    this.refreshToolbar();
  }

  private cycleExpansion(): void {
    const rate = this.task?.clip.recording.samplerate ?? Infinity;
    const options = EXPANSIONS.filter((x) => expansionPlayable(rate, x));
    const next = options[(options.indexOf(this.expansion as never) + 1) % options.length] ?? 1;
    this.setExpansion(next);
    this.status(`Playback slowed down ${next}×.`, "info");
  }

  // ---- keyboard ----------------------------------------------------------------------------

  private onKey(e: KeyboardEvent): void {
    if (e.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const target = e.target as HTMLElement | null;
    const typing = typingTarget(target);
    // On a focused button, link or checkbox, Enter, Space and Tab keep their usual meaning.
    const onControl = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement || (target instanceof HTMLInputElement && !typing);
    if (onControl && ["Enter", " ", "Tab"].includes(e.key)) return;
    const action = resolveKey(e, { tags: this.project.tags, typing: typing !== null, multiline: typing === "text" });
    if (!action) return;
    // Mid-drag only Escape acts (a half-moved box must not be submitted).
    if (this.pointer.active && action.type !== "escape") return e.preventDefault();
    // With no boxes to cycle through, Tab moves the focus as usual.
    if ((action.type === "selectNext" || action.type === "selectPrev") && !this.draftValue.events.length) return;
    e.preventDefault();
    this.perform(action, target);
  }

  private perform(a: Action, target: HTMLElement | null): void {
    const v = this.viewer;
    switch (a.type) {
      case "submit": return this.submit();
      case "skip": return void this.skip();
      case "toggleView": return (v.toggleKind(), this.refreshToolbar());
      case "noCalls": return this.change(A.toggleFlag(this.draftValue, "no_calls"));
      case "noise": return this.change(A.toggleFlag(this.draftValue, "noise"));
      case "uncertain": return this.change(A.toggleFlag(this.draftValue, "uncertain"));
      case "undo": return this.step("undo");
      case "redo": return this.step("redo");
      case "delete": return this.deleteSelected();
      case "zoomIn": return this.zoom(1);
      case "zoomOut": return this.zoom(-1);
      case "resetZoom": return this.zoom(0);
      case "play": return this.togglePlay();
      case "tag": return this.setTag(a.tagId);
      case "blur": return target?.blur();
      case "escape": return this.escape();
      case "selectNext": return this.cycleSelection(1);
      case "selectPrev": return this.cycleSelection(-1);
      case "togglePredictions": return ((this.showPreds = !this.showPreds), this.refresh());
      case "acceptPrediction": return this.accept(false);
      case "acceptAllPredictions": return this.accept(true);
      case "pan": return v.pan(-a.dx * v.size.width, a.dy * v.size.height);
      case "panMode": return ((this.panning = !this.panning), this.refreshToolbar());
      case "cycleExpansion": return this.cycleExpansion();
      case "help": return this.ui.toggleHelp();
      case "window": return v.stepWindow(a.step);
      case "cycleSharpen": return v.setOptions({ sharpen: nextSharpen(v.options.sharpen) });
      case "autoLevels": return v.setOptions({ autoLevels: !v.options.autoLevels });
    }
  }

  /** +/- zoom around the selected box if there is one, else around the middle. */
  private zoom(direction: 1 | -1 | 0): void {
    const sel = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    this.viewer.zoomStep(direction, sel ? (sel.start_s + sel.end_s) / 2 : undefined);
  }

  private escape(): void {
    if (this.pointer.cancel()) return this.viewer.render();
    if (this.player.playing) return this.player.stop();
    this.selectedIndex = null;
    this.selectedPred = null;
    this.refresh();
  }

  // ---- PointerHost ---------------------------------------------------------------------------

  geometry(): Geometry {
    return this.viewer.geometry();
  }
  boxBounds(): Span {
    const c = (this.task as Task).clip;
    return { start: c.start_s, end: c.end_s, low: this.viewer.bounds.low, high: this.viewer.bounds.high };
  }
  interval(): boolean {
    return this.project.settings.annotation_mode === "interval";
  }
  panMode(): boolean {
    return this.panning;
  }
  draft(): Draft {
    return this.draftValue;
  }
  selected(): number | null {
    return this.selectedIndex;
  }
  visiblePredictions(): { p: Prediction; index: number }[] {
    if (!this.showPreds || !this.predictions) return [];
    const mode = this.project.settings.annotation_mode;
    return this.predictions.events
      .map((p, index) => ({ p, index }))
      .filter(({ p }) => p.score >= this.threshold && !A.isAccepted(this.draftValue, p, mode));
  }
  select(index: number | null): void {
    this.selectedIndex = index;
    if (index !== null) this.selectedPred = null;
    this.refresh();
  }
  selectPrediction(index: number | null): void {
    this.selectedPred = index;
    this.refresh();
  }
  preview(draft: Draft): void {
    this.draftValue = draft;
    this.refresh();
  }
  commit(draft: Draft, before: Draft): void {
    this.draftValue = before;
    this.change(draft, null, before);
  }
  addBox(box: Box): void {
    if (box.end_s - box.start_s <= 0) return this.status("Boxes must lie inside the clip (the bright part).", "warn");
    const next = A.addEvent(this.draftValue, { ...box, tag: this.pendingTag, confidence: null, notes: "" });
    this.change(next);
    this.select(next.events.length - 1);
  }
  setDrawing(box: Box | null): void {
    this.viewer.drawing = box;
    this.viewer.render();
  }
  setCursor(p: Point | null): void {
    this.viewer.cursor = p;
    this.viewer.render();
  }
  pan(dx: number, dy: number): void {
    this.viewer.pan(dx, dy);
  }
  zoomTime(factor: number, anchor: Point): void {
    this.viewer.zoomTime(factor, anchor);
  }
  zoomFreq(factor: number, anchor: Point): void {
    this.viewer.zoomFreq(factor, anchor);
  }
  canEdit(): boolean {
    return !!this.task && !this.submitter.inFlight && !this.skipping;
  }

  // ---- panels --------------------------------------------------------------------------------

  private get threshold(): number {
    return effectiveThreshold(this.predictions, this.chosenThreshold);
  }

  private overlay(): Overlay {
    const preds = this.visiblePredictions();
    const selPred = preds.findIndex((x) => x.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: this.draftValue.events,
      selected: this.selectedIndex,
      predictions: preds.map((x) => x.p),
      selectedPrediction: selPred >= 0 ? selPred : null,
      continuing: this.task?.continuing ?? [],
      drawingTag: this.pendingTag,
    };
  }

  /** Refresh every panel and redraw (after a draft or selection change). */
  private refresh(): void {
    const sel = this.selectedIndex !== null ? (this.draftValue.events[this.selectedIndex] ?? null) : null;
    this.ui.updateDraft(this.draftValue, sel, this.pendingTag, this.project.settings.annotation_mode);
    this.analysis.select(this.task, sel);
    this.refreshToolbar();
    const p = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: servedThreshold(p),
      chosen: this.chosenThreshold !== null,
      model: p?.model_version?.name ?? null,
      count: p?.events.length ?? 0,
      shown: this.visiblePredictions().length,
    });
    this.viewer.render();
  }

  private refreshToolbar(): void {
    const v = this.viewer;
    if (!v) return;
    this.ui.updateToolbar({ kind: v.kind, norm: v.norm, dbMin: v.dbMin, dbMax: v.dbMax, panMode: this.panning, playing: this.player.playing, expansion: this.expansion });
  }

  private status(text: string, level: StatusLevel = "info", retryable = false): void {
    this.ui?.setStatus(text, level, retryable);
  }

  private handlers(): Handlers {
    return {
      tag: (id) => this.setTag(id),
      toggleClipTag: (id) => this.change(A.toggleClipTag(this.draftValue, id)),
      flag: (f) => this.change(A.toggleFlag(this.draftValue, f)),
      notes: (text) => this.change(A.setNotes(this.draftValue, text), "notes"),
      editEvent: (patch, field) => this.editSelected(patch, field),
      deleteSelected: () => this.deleteSelected(),
      toggleView: () => (this.viewer.toggleKind(), this.refreshToolbar()),
      norm: (n) => this.viewer.setNorm(n),
      db: (min, max) => (this.viewer.setDb(min, max), this.refreshToolbar()),
      zoom: (d) => this.zoom(d),
      panMode: () => ((this.panning = !this.panning), this.refreshToolbar()),
      play: () => this.togglePlay(),
      expansion: (x) => this.setExpansion(x),
      showPredictions: (v) => ((this.showPreds = v), this.refresh()),
      threshold: (v) => ((this.chosenThreshold = v), (this.selectedPred = null), this.refresh()),
      acceptAll: () => this.accept(true),
      submit: () => this.submit(),
      skip: () => void this.skip(),
      retryNow: () => this.task && void this.submitter.send(this.task.id),
    };
  }

  /** The test hook: the draft as the server would receive it, the image's exact extent, the predictions drawn. */
  hook() {
    return {
      state: () => (this.task ? JSON.parse(JSON.stringify({ task: this.task.id, ...this.draftValue })) : null),
      extent: () => (this.viewer ? this.viewer.extent() : null),
      // The dashed boxes as drawn, and the score threshold that chose them.
      // Long events from other clips drawn (dotted) over this clip.
      continuing: () => JSON.parse(JSON.stringify(this.overlay().continuing ?? [])),
      predictions: () => ({ threshold: this.threshold, shown: JSON.parse(JSON.stringify(this.overlay().predictions)) }),
    };
  }
}
