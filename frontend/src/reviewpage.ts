// The lead's review page: walk the answers awaiting review, see every annotator's boxes (and the
// model's predictions) on the clip's spectrogram, and accept, reject with a note, correct, or
// settle a double-annotated clip with a one-key consensus. Drawing and zoom are the annotation
// page's (viewer.ts, canvas.ts, pointer.ts); this module holds the review's state and verbs.

import * as A from "./annotation";
import { ApiError, type Api } from "./api";
import type { Box } from "./boxes";
import { tagName } from "./canvas";
import { h, typingTarget } from "./dom";
import { Player } from "./player";
import { Panel, type PanelHost } from "./reviewpanel";
import { ReviewApi, conflictCurrent, type Verdict } from "./reviewapi";
import { Correction } from "./reviewedit";
import { consensusPair, drawnBoxes, isDouble, plainAnswers, type Answer, type ClipReview, type DrawnBox, type Filters, type ReviewItem } from "./reviewdata";
import { reviewKey, type ReviewAction, type ReviewMode } from "./reviewkeys";
import { ReviewUi, type Person } from "./reviewui";
import { SimilarStrip } from "./similar";
import type { Annotation, Draft, Prediction, Predictions, Project } from "./types";
import type { StatusLevel } from "./ui";
import type { Overlay, Viewer } from "./viewer";

const DEFAULT_THRESHOLD = 0.5;

export interface ReviewSetup {
  root: HTMLElement;
  api: Api;
  reviewApi: ReviewApi;
  projectId: number;
  annotators: Person[];
  datasets: { id: number; name: string }[];
}

export class ReviewApp implements PanelHost {
  private project!: Project;
  private ui!: ReviewUi;
  private panels: Panel[] = [];
  private items: ReviewItem[] = [];
  private count = 0;
  private hasMore = false;
  private index = -1;
  private filters: Filters = { status: "pending", annotator: null, dataset: null };
  private clip: ClipReview | null = null;
  private predictions: Predictions | null = null;
  private showPreds = true;
  private mode: ReviewMode = "view";
  private layout: "split" | "overlay" = "split";
  private busy = false;
  /** The correction in progress (mode "edit"). */
  private correction: Correction | null = null;
  /** Escape was pressed once on an edited correction. */
  private dropArmed = false;
  private selectedPred: number | null = null;
  private readonly player: Player;
  private opened = 0;
  private similar!: SimilarStrip;

  constructor(private readonly page: ReviewSetup) {
    this.player = new Player(
      (t) => this.panels.forEach((p) => ((p.viewer.playhead = t), p.render())),
      (state, message) => state === "error" && this.status(message ?? "playback failed", "error"),
    );
  }

  async start(): Promise<void> {
    const { root, api, projectId } = this.page;
    root.dataset.state = "loading";
    try {
      this.project = await api.project(projectId);
    } catch (e) {
      root.dataset.state = "error";
      root.textContent = `Could not load the project: ${(e as Error).message}`;
      return;
    }
    this.ui = new ReviewUi(root, this.project, this.page.annotators, this.page.datasets, this.handlers());
    this.panels = [0, 1].map((i) => new Panel(i, this.project, api, this));
    this.ui.panels.append(...this.panels.map((p) => p.element));
    // Search by example: the clip under review → its nearest clips; a lead labels them in a batch.
    this.similar = new SimilarStrip({ api, projectId, tags: this.project.tags, currentTag: () => this.reviewedTag(), batch: true });
    const find = h("button", { type: "button", class: "el-find-similar", onclick: () => this.clip && void this.similar.find({ clip: this.clip.clip.id }) }, "Find similar");
    this.ui.panels.after(h("div", { class: "el-review-similar" }, find, this.similar.element));
    document.addEventListener("keydown", (e) => this.onKey(e));
    await this.reload();
  }

  /** The tag the answers under review name first (boxes, then clip tags): what a batch gets. */
  private reviewedTag(): number | null {
    for (const a of this.clip?.answers ?? []) {
      const tag = a.events.find((e) => e.tag !== null)?.tag ?? a.tags[0];
      if (tag !== undefined && tag !== null) return tag;
    }
    return null;
  }

  // ---- the list --------------------------------------------------------------------------

  private async reload(): Promise<void> {
    this.items = [];
    this.hasMore = true;
    this.index = -1;
    if (await this.loadMore()) await this.open(0);
  }

  /** More of the list: the first rows the server lists that the page has not shown yet; false
   *  when there are none or the request failed. The server's list shrinks as answers get their
   *  verdict, so it is read again from its first page, not by a page number that has moved on. */
  private async loadMore(): Promise<boolean> {
    if (!this.hasMore) return false;
    const seen = new Set(this.items.map((it) => it.id));
    try {
      for (let n = 1; ; n++) {
        const page = await this.page.reviewApi.list(this.page.projectId, this.filters, n);
        const fresh = page.results.filter((it) => !seen.has(it.id));
        this.count = page.count;
        this.hasMore = page.next !== null;
        if (fresh.length || !this.hasMore) {
          this.items = [...this.items, ...fresh];
          this.ui.setList(this.items, this.index, this.count);
          if (!this.items.length) this.empty();
          return fresh.length > 0;
        }
      }
    } catch (e) {
      this.status(`Could not load the list: ${(e as Error).message}`, "error");
      this.page.root.dataset.state = "error";
      return false;
    }
  }

  private empty(): void {
    this.page.root.dataset.state = "empty";
    this.clip = null;
    this.panels.forEach((p) => ((p.element.hidden = true), p.close()));
    this.ui.setClip(null, "view", this.layout);
    this.status(this.filters.status === "pending" ? "Nothing awaits review with these filters." : "No answers match these filters.", "ok");
  }

  private async step(delta: 1 | -1): Promise<void> {
    const target = this.index + delta;
    if (target < 0) return this.status("This is the first answer in the list.", "info");
    if (target >= this.items.length && !(await this.loadMore())) return this.status("That was the last answer in the list.", "info");
    await this.open(target);
  }

  /** Open the list's answer `index`: its clip, every answer on it, the predictions. */
  private async open(index: number): Promise<void> {
    const item = this.items[index];
    if (!item) return;
    if (this.correction?.edited) {
      return this.status("Save the correction (Enter) or leave it (Escape) first.", "warn");
    }
    const ticket = ++this.opened;
    this.index = index;
    this.similar.close();
    this.leaveMode();
    this.player.stop();
    this.ui.hideConflict();
    this.ui.setList(this.items, index, this.count);
    this.page.root.dataset.state = "loading";
    let clip: ClipReview;
    try {
      clip = await this.page.reviewApi.clip(item.id);
    } catch (e) {
      this.page.root.dataset.state = "error";
      return this.status(`Could not load answer ${item.id}: ${(e as Error).message}`, "error");
    }
    if (ticket !== this.opened) return;
    [this.clip, this.predictions, this.selectedPred] = [clip, null, null];
    this.page.api.predictions(clip.clip.id).then(
      (p) => ticket === this.opened && ((this.predictions = p), this.redraw()),
      () => undefined, // predictions are optional help
    );
    const current = clip.answers[0];
    this.status(`${current.annotator_name}'s answer, version ${current.version}, ${current.review_status}.`, "info");
    await this.showClip(ticket);
  }

  /** Lay the panels out for the mode and open the clip in each one shown. */
  private async showClip(ticket = this.opened): Promise<void> {
    const clip = this.clip;
    if (!clip) return;
    const split = this.mode !== "edit" && this.layout === "split" && isDouble(clip);
    const pair = consensusPair(clip);
    const all = clip.answers.map((a) => a.id);
    this.panels[0].answers = split && pair ? [pair[0].id] : this.mode === "edit" ? all.filter((id) => id !== clip.annotation) : all;
    this.panels[1].answers = split && pair ? [pair[1].id] : [];
    this.panels[1].element.hidden = !split;
    this.ui.panels.classList.toggle("el-review-split", split);
    for (const p of this.panels) p.caption.textContent = this.caption(p);
    this.ui.setClip(clip, this.mode, this.layout);
    const shown = this.panels.filter((p) => !p.element.hidden);
    this.panels.filter((p) => p.element.hidden).forEach((p) => p.close());
    const results = await Promise.all(shown.map((p) => p.open(clip.clip)));
    if (ticket !== this.opened) return;
    this.page.root.dataset.state = results.every((r) => r === "ready") ? "ready" : results.includes("failed") ? "error" : this.page.root.dataset.state;
    if (results.includes("failed")) this.status("The spectrogram did not load; press n / p to move on or reload the page.", "error");
  }

  private caption(p: Panel): string {
    const clip = this.clip as ClipReview;
    const pair = consensusPair(clip);
    if (this.mode === "edit") return `Correcting ${clip.answers[0].annotator_name}'s answer (others dashed)`;
    if (p.answers.length === 1 && pair) return `${pair[0].id === p.answers[0] ? "A" : "B"}: ${clip.answers.find((a) => a.id === p.answers[0])?.annotator_name}`;
    const r = clip.clip.recording;
    return `${r.name} · ${clip.clip.start_s.toFixed(3)}–${clip.clip.end_s.toFixed(3)} s · every answer`;
  }

  // ---- verdicts --------------------------------------------------------------------------

  private current(): Answer | null {
    return this.clip?.answers[0] ?? null;
  }

  private accept(): void {
    const a = this.current();
    if (a) void this.verdict(a, { action: "accept", version: a.version }, "Accepted");
  }

  /** r opens the note; in the note, Enter (or r's button) sends it. */
  private reject(): void {
    const a = this.current();
    if (!a) return;
    if (this.mode !== "note") {
      this.mode = "note";
      this.ui.setClip(this.clip, this.mode, this.layout);
      this.ui.note.value = "";
      this.ui.note.focus();
      return this.status("Say why, then press Enter (Escape cancels).", "info");
    }
    const note = this.ui.note.value.trim();
    if (!note) {
      this.ui.note.focus();
      return this.status("A rejection needs a note: say what is wrong.", "warn");
    }
    void this.verdict(a, { action: "reject", version: a.version, note }, "Rejected");
  }

  private edit(): void {
    const a = this.current();
    if (!a || a.consensus) return this.status(a ? "A consensus is corrected by settling the clip again." : "Nothing to correct.", "warn");
    this.mode = "edit";
    this.correction = new Correction(a, () => ((this.dropArmed = false), this.redraw()));
    this.ui.setPendingTag(null);
    void this.showClip();
    this.status(`Correcting ${a.annotator_name}'s answer (${a.events.length} box${a.events.length === 1 ? "" : "es"}): Enter saves, Escape leaves.`, "info");
  }

  private save(version?: number): void {
    const a = this.current();
    if (!a || !this.correction) return;
    const body: Verdict = { action: "correct", ...this.correction.draft, version: version ?? a.version };
    void this.verdict(a, body, "Corrected");
  }

  private async verdict(a: Answer, body: Verdict, done: string): Promise<void> {
    if (this.busy) return;
    await this.send(async () => {
      const saved = await this.page.reviewApi.review(a.id, body);
      this.settled([a.id], saved.version, saved.review_status);
      const extra = body.action === "reject" ? "; the clip goes back to the queue with the note" : "";
      return `${done} ${a.annotator_name}'s answer (now version ${saved.version})${extra}.`;
    }, a);
  }

  private consensus(rule: "first" | "second" | "union"): void {
    const pair = this.clip && consensusPair(this.clip);
    if (!pair) return this.status("Consensus needs a clip with two answers.", "info");
    const [first, second] = pair;
    void this.send(async () => {
      const saved = await this.page.reviewApi.consensus(first.id, { second: second.id, rule, version: first.version, second_version: second.version });
      this.settled([first.id, second.id], null, "settled");
      const how = rule === "union" ? "the matched union" : `${(rule === "first" ? first : second).annotator_name}'s answer`;
      return `Consensus saved from ${how}: ${saved.events.length} boxes, accepted.`;
    }, first);
  }

  /** Send one verdict; on success move on, on 409 say plainly that nothing was saved. */
  private async send(request: () => Promise<string>, answer: Answer): Promise<void> {
    this.busy = true;
    this.page.root.dataset.state = "saving";
    try {
      const message = await request();
      this.busy = false;
      this.leaveMode();
      const next = await this.nextToReview();
      // The last one stays open, reloaded, so its new state shows.
      await this.open(next ?? this.index);
      this.status(next !== null ? `${message} Next one.` : `${message} That was the last one.`, "ok");
    } catch (e) {
      this.busy = false;
      this.page.root.dataset.state = "ready";
      const current = conflictCurrent(e);
      if (e instanceof ApiError && e.status === 409) return this.conflict(answer, current);
      this.status(`Not saved: ${(e as Error).message}`, "error");
    }
  }

  private conflict(sent: Answer, current: Annotation | null): void {
    // A consensus sends two answers; the server names the one that moved on.
    const answer = this.clip?.answers.find((x) => x.id === current?.id) ?? sent;
    const now = current ? `version ${current.version}` : "a newer version";
    this.status(`Not saved: ${answer.annotator_name}'s answer changed since you opened it.`, "error");
    const actions: { label: string; run: () => void }[] = [{ label: "Reload this clip", run: () => void this.open(this.index) }];
    if (this.mode === "edit" && current) actions.push({ label: "Save my correction over it", run: () => this.save(current.version) });
    this.ui.showConflict(
      `Nothing was saved: this answer is now ${now} (you reviewed version ${answer.version}).`,
      ["Someone (the annotator or another lead) changed or reviewed it meanwhile.", this.mode === "edit" ? "Your correction is still here." : "Reload to see what changed."],
      actions,
    );
    this.page.root.dataset.state = "conflict";
  }

  /** The next answer in the list that still awaits a verdict (a consensus settles two at once). */
  private async nextToReview(): Promise<number | null> {
    const waiting = (it: ReviewItem, i: number) => i > this.index && (this.filters.status !== "pending" || it.review_status === "pending");
    let found = this.items.findIndex(waiting);
    while (found < 0 && (await this.loadMore())) found = this.items.findIndex(waiting);
    return found < 0 ? null : found;
  }

  /** Show the new state in the list without reloading it (the rows stay where they were). */
  private settled(ids: number[], version: number | null, status: ReviewItem["review_status"]): void {
    this.items = this.items.map((it) => (ids.includes(it.id) ? { ...it, review_status: status, version: version ?? it.version } : it));
  }

  private leaveMode(): void {
    this.mode = "view";
    this.dropArmed = false;
    this.correction = null;
    this.ui.note.value = "";
  }

  private escape(): void {
    if (this.panels.some((p) => p.pointer.cancel())) return this.redraw();
    if (this.player.playing) return this.player.stop();
    const c = this.correction;
    if (c && c.selected !== null) return this.select(null);
    if (this.mode === "view") return;
    // Changes are dropped on the second Escape only: one stray key must not lose a correction.
    if (c?.edited && !this.dropArmed) {
      this.dropArmed = true;
      return this.status("Press Escape again to drop your changes (Enter saves them).", "warn");
    }
    const was = this.mode;
    this.leaveMode();
    this.ui.hideConflict();
    void this.showClip();
    this.status(was === "edit" ? "Left the correction; nothing was saved." : "Rejection cancelled.", "info");
  }

  // ---- keyboard --------------------------------------------------------------------------

  private onKey(e: KeyboardEvent): void {
    if (e.isComposing || document.querySelector("dialog[open]")) return;
    const target = e.target as HTMLElement | null;
    const typing = typingTarget(target) !== null && target !== this.ui.note;
    const onControl = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement;
    if (onControl && ["Enter", " ", "Tab"].includes(e.key)) return;
    const action = reviewKey(e, this.mode, this.project.tags, typing);
    if (!action) return;
    if (this.panels.some((p) => p.pointer.active) && action.type !== "escape") return e.preventDefault();
    e.preventDefault();
    this.perform(action, target);
  }

  private perform(a: ReviewAction, target: HTMLElement | null): void {
    if (this.busy && !["zoomIn", "zoomOut", "resetZoom", "pan", "help", "play"].includes(a.type)) return this.status("Saving…", "busy");
    switch (a.type) {
      case "accept": return this.accept();
      case "reject": return this.reject();
      case "edit": return this.edit();
      case "save": return this.save();
      case "next": return void this.step(1);
      case "previous": return void this.step(-1);
      case "consensus": return this.consensus(a.rule);
      case "layout": return ((this.layout = this.layout === "split" ? "overlay" : "split"), void this.showClip());
      case "predictions": return ((this.showPreds = !this.showPreds), this.redraw());
      case "toggleView": return this.everyViewer((v) => v.toggleKind());
      case "zoomIn": return this.everyViewer((v) => v.zoomStep(1));
      case "zoomOut": return this.everyViewer((v) => v.zoomStep(-1));
      case "resetZoom": return this.everyViewer((v) => v.zoomStep(0));
      case "pan": return this.everyViewer((v) => v.pan(-a.dx * v.size.width, a.dy * v.size.height));
      case "play": return this.togglePlay();
      case "help": return this.ui.toggleHelp();
      case "escape": return this.escape();
      case "blur": return target?.blur();
      case "tag": return this.setTag(a.tagId);
      case "delete": return this.correction?.deleteSelected();
      case "undo": return this.undoRedo("undo");
      case "redo": return this.undoRedo("redo");
      case "selectNext": return this.select(this.correction?.cycle(1) ?? null);
      case "selectPrev": return this.select(this.correction?.cycle(-1) ?? null);
    }
  }

  private togglePlay(): void {
    if (!this.clip) return;
    if (this.player.playing) return this.player.pause();
    const rec = this.clip.clip.recording;
    const view = this.panels[0].viewer.view;
    const [start, end] = [Math.max(0, view.start), Math.min(rec.duration_s, view.end)];
    const expansion = this.project.settings.time_expansion;
    this.player.play({ url: this.page.api.audioUrl(rec.id, { start, end, expansion }), start, end, expansion });
  }

  // ---- correcting ------------------------------------------------------------------------

  private setTag(tagId: number): void {
    const c = this.correction;
    if (c && c.setTag(tagId) === "next") {
      this.ui.setPendingTag(tagId);
      this.status(`New boxes get ${tagName(this.project.tags, tagId)}.`, "info");
    }
  }

  private undoRedo(direction: "undo" | "redo"): void {
    if (this.correction && !this.correction.step(direction)) this.status(`Nothing to ${direction}.`, "info");
  }

  // ---- PanelHost -------------------------------------------------------------------------

  overlay(panel: Panel): Overlay {
    const editing = this.mode === "edit" && panel.index === 0;
    const preds = this.visiblePredictions();
    const sel = preds.findIndex((x) => x.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: editing && this.correction ? this.correction.draft.events : [],
      selected: editing && this.correction ? this.correction.selected : null,
      predictions: preds.map((x) => x.p),
      selectedPrediction: sel >= 0 ? sel : null,
      drawingTag: this.correction?.pendingTag ?? null,
    };
  }

  boxes(panel: Panel): { boxes: DrawnBox[]; faint: boolean } {
    if (!this.clip) return { boxes: [], faint: false };
    const boxes = drawnBoxes(this.clip, panel.answers, this.page.annotators, (t) => tagName(this.project.tags, t));
    return { boxes, faint: this.mode === "edit" };
  }

  everyViewer(f: (v: Viewer) => void): void {
    for (const p of this.panels) if (!p.element.hidden) f(p.viewer);
  }

  status(text: string, level: StatusLevel = "info"): void {
    this.ui?.setStatus(text, level);
  }

  interval(): boolean {
    return this.project.settings.annotation_mode === "interval";
  }
  panMode(): boolean {
    return false;
  }
  draft(): Draft {
    return this.correction?.draft ?? A.emptyDraft();
  }
  selected(): number | null {
    return this.correction?.selected ?? null;
  }
  visiblePredictions(): { p: Prediction; index: number }[] {
    const p = this.predictions;
    if (!this.showPreds || !p) return [];
    const t = p.model_version?.threshold ?? DEFAULT_THRESHOLD;
    return p.events.map((x, index) => ({ p: x, index })).filter(({ p: x }) => x.score >= t);
  }
  select(index: number | null): void {
    const c = this.correction;
    if (!c) return;
    c.selected = index;
    if (index !== null) {
      this.selectedPred = null;
      const tag = c.draft.events[index]?.tag ?? null;
      this.status(`Box ${index + 1} of ${c.draft.events.length}: ${tagName(this.project.tags, tag)}.`, "info");
    }
    this.redraw();
  }
  selectPrediction(index: number | null): void {
    this.selectedPred = index;
    const p = index === null ? null : this.predictions?.events[index];
    if (p) this.status(`Prediction: ${p.label} ${p.score.toFixed(2)}.`, "info");
    this.redraw();
  }
  preview(draft: Draft): void {
    this.correction?.preview(draft);
  }
  commit(draft: Draft, before: Draft): void {
    this.correction?.change(draft, before);
  }
  addBox(box: Box): void {
    const clip = this.clip?.clip;
    if (!clip || !this.correction || box.end_s - box.start_s <= 0) return this.status("Boxes must lie inside the clip (the bright part).", "warn");
    const { low, high } = this.panels[0].viewer.bounds;
    this.correction.addBox(box, { start: clip.start_s, end: clip.end_s, low, high });
  }
  canEdit(): boolean {
    return this.correction !== null && !this.busy;
  }

  private redraw(): void {
    for (const p of this.panels) if (!p.element.hidden) p.render();
  }

  private handlers() {
    return {
      filters: (f: Filters) => ((this.filters = f), void this.reload()),
      open: (i: number) => void this.open(i),
      accept: () => this.accept(),
      reject: () => this.reject(),
      edit: () => this.edit(),
      save: () => this.save(),
      leave: () => this.escape(),
      consensus: (rule: "first" | "second" | "union") => this.consensus(rule),
      layout: () => this.perform({ type: "layout" }, null),
      tag: (id: number) => this.setTag(id),
    };
  }

  /** The test hook: what is open, the correction in progress, the boxes each panel painted, the
   *  predictions drawn (dashed, by the Viewer). */
  hook() {
    const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x));
    return {
      state: () =>
        copy({
          index: this.index,
          annotation: this.clip?.annotation ?? null,
          mode: this.mode,
          layout: this.layout,
          items: this.items.map((it) => ({ id: it.id, status: it.review_status })),
          draft: this.correction?.draft ?? null,
          answers: this.clip ? plainAnswers(this.clip).map((a) => a.id) : [],
        }),
      panels: () => copy(this.panels.filter((p) => !p.element.hidden).map((p) => ({ answers: p.answers, boxes: p.drawn() }))),
      predictions: () => copy(this.visiblePredictions().map((x) => x.p)),
      extent: (panel = 0) => this.panels[panel]?.viewer.extent() ?? null,
    };
  }
}
