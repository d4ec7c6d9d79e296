// The project dashboard's live parts: the training panel (phase, progress, time left, heartbeat,
// and a lead's start and cancel), the rescoring bar, and the tables beside the model and sampling
// charts, refreshed every few seconds while something runs, without reloading the page.
//
// The template provides
//   <div id="echoloop-dashboard" data-model-url="/api/projects/7/dashboard/model/" data-rounds-url="…"
//        data-retrain-url="/api/projects/7/retrain/" data-runs-url="/api/training-runs/"
//        data-csrf-token="…" data-poll-ms="4000">
// with #training-progress, #training-status, #training-phases, #rescore-progress, #progress-idle,
// #eval-set, #versions-table, #class-ap-table, #rounds-table and <object class="chart-object">
// charts inside; leads also get #start-training, #cancel-training and #training-message. The export
// form #export-form (data-options-url) gets its filters' choices and a button per format.
// Imports only embeddingchoice.ts, itself import-free: the annotation page's bundle is not loaded here.

import { startEmbeddingChoice } from "./embeddingchoice";

export interface Training {
  id: number;
  status: "queued" | "running" | "succeeded" | "kept_old" | "failed" | "cancelled";
  phase: string;
  phase_label: string;
  phase_progress: number;
  eta_s: number | null;
  phase_seconds: Record<string, number>;
  epoch: number;
  n_epochs: number;
  attempt: number;
  max_attempts?: number;
  cancel_requested: boolean;
  error: string;
  heartbeat_at: string | null;
  finished_at: string | null;
  budget?: Budget;
}

/** The cost bound a training took (steps cut to its time or step budget). */
export interface Budget {
  steps: number;
  asked_steps: number;
  epochs: number;
  asked_epochs: number;
  max_seconds: number | null;
  max_steps: number | null;
  cut: boolean;
}

/** "budget 20 min: 1.3 of 15 epochs" when the budget cut the run, else "". */
export function budgetText(b: Budget | undefined): string {
  if (!b || !b.cut) return "";
  const bound = b.max_seconds ? formatSeconds(b.max_seconds) : `${b.max_steps} steps`;
  return `budget ${bound}: ${b.epochs} of ${b.asked_epochs} epochs`;
}

interface Rescoring {
  id: number;
  version: number;
  scored: number;
  n_clips: number;
  progress: number;
}

export interface VersionRow {
  version: number;
  name: string;
  n_labels: number;
  det_ap: number | null;
  f1: number | null;
  map: number | null;
  validation: string;
  n_val: number | null;
  is_active: boolean;
}

export interface CurvePoint {
  version: number;
  det_ap: number | null;
  f1: number | null;
  map: number | null;
  ci: Record<string, [number | null, number | null]>;
  threshold: number | null;
}

export interface LearningCurve {
  n_clips: number;
  n_events: number;
  points: CurvePoint[];
  excluded: number;
}

interface ModelFigures {
  generated_at: string;
  versions: VersionRow[];
  learning_curve: LearningCurve;
  class_ap: { version: number | null; classes: { class: string; ap: number | null }[] };
  training: Training | null;
  rescoring: Rescoring | null;
}

interface RoundRow {
  round: number;
  strategy: string;
  cold_start: boolean;
  model_version: number | null;
  picks: number;
  audit: number;
  labelled: number;
  reasons: Record<string, number>;
}

type Cell = string | number | null;

/** Tries of a training whose worker died, when the server does not say (liveness.MAX_ATTEMPTS). */
const MAX_ATTEMPTS = 2;
/** Heartbeats come every 10 s; this much silence is worth saying (the sweep gives up at 90 s). */
const QUIET_HEARTBEAT_S = 30;
const PHASE_ORDER = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"];
const UNFINISHED = new Set(["queued", "running"]);

// ---- words and numbers (pure) ------------------------------------------------------------------

/** "4 s", "1 min 35 s", "2 h 5 min". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (seconds < 0.5) return "< 1 s";
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`;
}

export function fixed(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

/** "0.720 (0.62–0.82)": a value with its 95 % interval, when it has one. */
export function withInterval(value: number | null, ci: [number | null, number | null] | undefined): string {
  const [low, high] = ci ?? [null, null];
  if (value === null || low === null || high === null) return fixed(value);
  return `${fixed(value)} (${fixed(low, 2)}–${fixed(high, 2)})`;
}

export function isUnfinished(t: Training): boolean {
  return UNFINISHED.has(t.status);
}

/** Seconds between the training's last heartbeat and ``now`` (the server's clock), or null. */
export function heartbeatAge(t: Training, now: string): number | null {
  if (!t.heartbeat_at) return null;
  return Math.max(0, (Date.parse(now) - Date.parse(t.heartbeat_at)) / 1000);
}

/** Beside the bar: the phase, how far it is, and the time it has left. */
export function phaseText(t: Training): string {
  if (t.status === "queued") return t.phase_label || "Queued";
  const parts = [t.phase_label || t.phase, `${Math.round(t.phase_progress * 100)} %`];
  if (t.eta_s !== null && t.eta_s !== undefined) parts.push(`about ${formatSeconds(t.eta_s)} left`);
  return parts.join(" · ");
}

const OUTCOMES: Record<string, string> = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled.",
};

/** The line under the bar: epochs, attempt, heartbeat while it runs; the outcome once it ended. */
export function statusText(t: Training, now: string): { text: string; warn: boolean } {
  if (!isUnfinished(t)) {
    const outcome = t.status === "failed" ? `Failed: ${t.error || "no reason given"}` : (OUTCOMES[t.status] ?? t.status);
    const when = t.finished_at ? ` (ended ${new Date(t.finished_at).toLocaleTimeString()})` : "";
    return { text: outcome + when, warn: t.status === "failed" };
  }
  const parts: string[] = [];
  if (t.n_epochs) parts.push(`epoch ${t.epoch} / ${t.n_epochs}`);
  const budget = budgetText(t.budget);
  if (budget) parts.push(budget);
  if (t.attempt > 1) parts.push(`retry ${t.attempt} of ${Math.max(t.attempt, t.max_attempts ?? MAX_ATTEMPTS)}`);
  const age = heartbeatAge(t, now);
  let warn = false;
  if (t.status === "queued") parts.push("waiting for a training worker");
  else if (age === null) parts.push("no heartbeat yet");
  else {
    warn = age > QUIET_HEARTBEAT_S;
    parts.push(`last heartbeat ${formatSeconds(age)} ago${warn ? " (the worker may be gone)" : ""}`);
  }
  if (t.cancel_requested) parts.push("cancel requested: it stops at its next progress report");
  return { text: parts.join(" · "), warn };
}

/** "preparing 3 s · training 2 min 21 s · … (total …)", phases in the order they run. */
export function phasesText(seconds: Record<string, number>): string {
  const names = Object.keys(seconds).sort((a, b) => rank(a) - rank(b));
  if (!names.length) return "";
  const total = names.reduce((sum, name) => sum + seconds[name], 0);
  return `Time per phase: ${names.map((n) => `${n} ${formatSeconds(seconds[n])}`).join(" · ")} (total ${formatSeconds(total)})`;
}

function rank(phase: string): number {
  const i = PHASE_ORDER.indexOf(phase);
  return i < 0 ? PHASE_ORDER.length : i;
}

/** What the learning curve was measured on. */
export function evaluationSetText(curve: LearningCurve): string {
  if (!curve.n_clips) return "No version scored on the evaluation set yet.";
  const calls = `${curve.n_events} call${curve.n_events === 1 ? "" : "s"}`;
  const left = curve.excluded ? `; ${curve.excluded} version${curve.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${curve.n_clips} clip${curve.n_clips === 1 ? "" : "s"}, ${calls}; 95 % intervals${left}.`;
}

/** The versions table, newest first, with their scores on the evaluation set and intervals
 *  ("–" for versions not scored on it: imported ones, or older than the set). */
export function versionCells(versions: VersionRow[], curve: LearningCurve): Cell[][] {
  const points = new Map(curve.points.map((p) => [p.version, p]));
  return [...versions].reverse().map((v) => {
    const p = points.get(v.version);
    const name = v.name + (v.is_active ? " (active)" : "");
    if (!p) return [name, v.n_labels, "–", "–", "–", "–"];
    return [name, v.n_labels, withInterval(p.det_ap, p.ci?.det_ap), withInterval(p.f1, p.ci?.f1), fixed(p.map),
      fixed(p.threshold, 2)];
  });
}

// ---- the page -------------------------------------------------------------------------------------

async function getJSON<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** POST JSON; the answer's body and status, with DRF's ``detail`` as the message of a refusal. */
async function postJSON(url: string, csrf: string, body: unknown): Promise<{ ok: boolean; data: Record<string, unknown>; message: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  } catch (error) {
    return { ok: false, data: {}, message: `the server did not answer (${String(error)})` };
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const detail = typeof data.detail === "string" ? data.detail : `HTTP ${response.status}`;
  return { ok: response.ok, data, message: detail };
}

/** "0.720", "–", "0.720 (0.620–0.820)": text cells aligned as numbers. */
const NUMBER_TEXT = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;

/** Replace a table's body with rows of text cells (numbers right-aligned); never parses HTML. */
function fillTable(table: HTMLTableElement | null, rows: Cell[][], empty: string, mark?: (i: number) => string): void {
  if (!table) return;
  const body = document.createElement("tbody");
  const columns = table.tHead?.rows[0]?.cells.length ?? 1;
  if (rows.length === 0) rows = [[empty, ...Array<Cell>(columns - 1).fill("")]];
  rows.forEach((row, i) => {
    const tr = body.insertRow();
    if (mark) tr.className = mark(i);
    for (const value of row) {
      const td = tr.insertCell();
      td.textContent = value === null ? "–" : String(value);
      if (typeof value === "number" || NUMBER_TEXT.test(String(value))) td.className = "num";
    }
  });
  table.tBodies[0]?.replaceWith(body);
}

function setProgress(id: string, done: number, total: number, text: string): void {
  const row = document.getElementById(id);
  if (!row) return;
  row.hidden = false;
  const bar = row.querySelector("progress");
  if (bar) {
    bar.max = Math.max(total, 1);
    bar.value = Math.min(done, bar.max);
  }
  const label = row.querySelector(".figure-text");
  if (label) label.textContent = text;
}

function hide(id: string): void {
  const row = document.getElementById(id);
  if (row) row.hidden = true;
}

function setText(id: string, text: string, cls = ""): void {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  el.hidden = !text;
  el.className = cls;
}

function showTraining(t: Training | null, now: string): void {
  if (!t || !isUnfinished(t)) hide("training-progress");
  else setProgress("training-progress", t.phase_progress, 1, phaseText(t));
  const status = t ? statusText(t, now) : { text: "", warn: false };
  setText("training-status", status.text, status.warn ? "warn" : "");
  setText("training-phases", t && !isUnfinished(t) ? phasesText(t.phase_seconds) : "", "muted small");
}

function showRescoring(job: Rescoring | null): boolean {
  if (!job) {
    hide("rescore-progress");
    return false;
  }
  const text = `v${job.version}: ${job.scored} / ${job.n_clips} clips (${Math.round(job.progress * 100)} %)`;
  setProgress("rescore-progress", job.scored, job.n_clips, text);
  return true;
}

function showModelTables(model: ModelFigures): void {
  const caption = document.getElementById("eval-set");
  if (caption) caption.textContent = evaluationSetText(model.learning_curve);
  const newest = [...model.versions].reverse();
  fillTable(
    document.querySelector<HTMLTableElement>("#versions-table"),
    versionCells(model.versions, model.learning_curve),
    "No model version yet.",
    (i) => (newest[i]?.is_active ? "active" : ""),
  );
  fillTable(
    document.querySelector<HTMLTableElement>("#class-ap-table"),
    model.class_ap.classes.map((c) => [c.class, fixed(c.ap)]),
    "No active version yet.",
  );
}

function showRounds(rounds: RoundRow[]): void {
  const newest = [...rounds].reverse();
  fillTable(
    document.querySelector<HTMLTableElement>("#rounds-table"),
    newest.map((r) => [
      r.round,
      r.cold_start ? `${r.strategy} (cold start)` : `${r.strategy}, v${r.model_version ?? "?"}`,
      r.picks,
      r.audit,
      r.labelled,
      Object.entries(r.reasons).map(([why, n]) => `${why} ${n}`).join(", "),
    ]),
    "No sampling round yet.",
  );
}

/** Fit each <object> chart to its SVG's own aspect ratio (bar charts grow with their rows). */
function fitObject(obj: HTMLObjectElement): void {
  const svg = obj.contentDocument?.documentElement;
  const w = Number(svg?.getAttribute("width"));
  const h = Number(svg?.getAttribute("height"));
  if (w > 0 && h > 0) {
    obj.style.aspectRatio = `${w} / ${h}`;
    obj.style.maxWidth = `${w}px`;
    obj.removeAttribute("height");
  }
}

function reloadCharts(root: HTMLElement): void {
  for (const obj of root.querySelectorAll<HTMLObjectElement>("object.chart-object")) {
    const url = new URL(obj.data, window.location.href);
    url.searchParams.set("t", String(Date.now()));
    obj.data = url.toString();
  }
}

function about(t: Pick<Training, "id" | "status"> | null): string {
  return t ? `${t.id}:${t.status}` : "";
}

/** A lead's buttons: start a training, cancel the one shown. Absent for everyone else. */
class TrainingControls {
  private readonly startButton = document.getElementById("start-training") as HTMLButtonElement | null;
  private readonly cancelButton = document.getElementById("cancel-training") as HTMLButtonElement | null;
  private readonly message = document.getElementById("training-message");
  private training: Training | null = null;
  private sending = false;
  /** The run and status the message is about: it goes once the panel shows another. */
  private messageAbout = "";

  constructor(
    private readonly root: HTMLElement,
    private readonly refresh: () => void,
  ) {
    this.startButton?.addEventListener("click", () => void this.start());
    this.cancelButton?.addEventListener("click", () => void this.cancel());
  }

  show(t: Training | null): void {
    this.training = t;
    if (this.message?.textContent && about(t) !== this.messageAbout) this.say("", t);
    this.update();
  }

  private update(): void {
    const t = this.training;
    const running = !!t && isUnfinished(t);
    if (this.startButton) {
      this.startButton.disabled = running || this.sending;
      this.startButton.title = running ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample.";
    }
    if (this.cancelButton) {
      this.cancelButton.hidden = !running;
      this.cancelButton.disabled = !running || this.sending || !!t?.cancel_requested;
      this.cancelButton.textContent = t?.cancel_requested ? "Cancelling…" : "Cancel";
    }
  }

  private say(text: string, t: Pick<Training, "id" | "status"> | null, cls = ""): void {
    if (!this.message) return;
    this.message.textContent = text;
    this.message.className = cls;
    this.messageAbout = about(t);
  }

  private async send(url: string, body: unknown): Promise<{ ok: boolean; data: Record<string, unknown>; message: string }> {
    this.sending = true;
    this.update();
    try {
      return await postJSON(url, this.root.dataset.csrfToken ?? "", body);
    } finally {
      this.sending = false;
      this.update();
    }
  }

  private async start(): Promise<void> {
    const url = this.root.dataset.retrainUrl;
    if (!url || this.sending) return;
    const answer = await this.send(url, { force: false });
    if (answer.ok) this.say(`Training queued (run ${String(answer.data.id)}).`, answer.data as unknown as Training);
    else this.say(`Not started: ${answer.message}`, this.training, "error");
    this.refresh();
  }

  private async cancel(): Promise<void> {
    const t = this.training;
    const base = this.root.dataset.runsUrl;
    if (!t || !base || this.sending) return;
    const answer = await this.send(`${base.replace(/\/?$/, "/")}${t.id}/cancel/`, {});
    const run = answer.data as unknown as Training;
    if (!answer.ok) this.say(`Not cancelled: ${answer.message}`, t, "error");
    else if (run.status === "cancelled") this.say("Cancelled before it started.", run);
    else this.say("Cancel requested: the training stops at its next progress report.", run);
    this.refresh();
  }
}

function start(root: HTMLElement): void {
  const { modelUrl, roundsUrl } = root.dataset;
  const pollMs = Math.max(1000, Number(root.dataset.pollMs) || 4000);
  const idle = document.getElementById("progress-idle");
  let wasBusy = false;
  let timer: number | undefined;
  let generation = 0;

  for (const obj of root.querySelectorAll<HTMLObjectElement>("object.chart-object")) {
    obj.addEventListener("load", () => fitObject(obj));
    fitObject(obj);
  }
  async function loadRounds(): Promise<void> {
    if (!roundsUrl) return;
    try {
      showRounds((await getJSON<{ rounds: RoundRow[] }>(roundsUrl)).rounds);
    } catch (error) {
      fillTable(document.querySelector<HTMLTableElement>("#rounds-table"), [], `Could not load the rounds (${String(error)}).`);
    }
  }

  const controls = new TrainingControls(root, () => void poll());

  /** One refresh; a newer one (after a click) supersedes any still in flight. */
  async function poll(): Promise<void> {
    if (!modelUrl) return;
    window.clearTimeout(timer);
    const mine = ++generation;
    let next = pollMs;
    try {
      const model = await getJSON<ModelFigures>(modelUrl);
      if (mine !== generation) return;
      showTraining(model.training, model.generated_at);
      controls.show(model.training);
      const training = !!model.training && isUnfinished(model.training);
      const busy = showRescoring(model.rescoring) || training;
      showModelTables(model);
      if (idle) idle.hidden = busy;
      if (idle && !busy) idle.textContent = "No training or rescoring is running.";
      if (wasBusy && !busy) {
        reloadCharts(root); // a run just ended: new version, new points, maybe a new round
        void loadRounds();
      }
      wasBusy = busy;
      if (!busy) next = pollMs * 3; // idle: a training started elsewhere still shows within seconds
    } catch (error) {
      if (mine !== generation) return;
      if (idle) {
        idle.hidden = false;
        idle.textContent = `Could not refresh the progress (${String(error)}); retrying.`;
      }
    }
    timer = window.setTimeout(() => void poll(), document.hidden ? next * 4 : next);
  }

  void poll();
  void loadRounds();
  const exportForm = document.getElementById("export-form");
  if (exportForm instanceof HTMLFormElement) void startExport(exportForm);
}

// ---- the export form ------------------------------------------------------------------------------

interface ExportOptions {
  formats: { name: string; label: string }[];
  datasets: { id: number; name: string }[];
  annotators: { id: number; username: string }[];
}

function addOptions(select: Element | RadioNodeList | null, choices: [string, string][]): void {
  if (!(select instanceof HTMLSelectElement)) return;
  for (const [value, text] of choices) select.append(new Option(text, value));
}

/** Fill the export form (#export-form): its dataset and annotator filters and one download
 * button per format. The form itself is a plain GET, so the browser downloads the file. */
async function startExport(form: HTMLFormElement): Promise<void> {
  const formats = form.querySelector<HTMLElement>("#export-formats");
  try {
    // Not form.dataset: a form's controls are its properties, and one is named "dataset".
    const options = await getJSON<ExportOptions>(form.getAttribute("data-options-url") ?? "");
    addOptions(form.elements.namedItem("dataset"), options.datasets.map((d) => [String(d.id), d.name]));
    addOptions(form.elements.namedItem("annotator"), options.annotators.map((a) => [String(a.id), a.username]));
    formats?.replaceChildren(
      ...options.formats.map((f) => {
        const button = document.createElement("button");
        Object.assign(button, { type: "submit", name: "format", value: f.name, textContent: f.label });
        return button;
      }),
    );
  } catch (error) {
    formats?.replaceChildren(`Could not load the export choices (${String(error)}).`);
  }
}

const root = typeof document === "undefined" ? null : document.getElementById("echoloop-dashboard");
if (root) start(root);
const embeddingCard = typeof document === "undefined" ? null : document.getElementById("embedding-choice");
if (embeddingCard) void startEmbeddingChoice(embeddingCard);
