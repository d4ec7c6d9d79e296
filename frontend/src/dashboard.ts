// The project dashboard's live parts: progress bars of a running training and rescoring, refreshed
// every few seconds without reloading the page, and the tables beside the model and sampling charts.
//
// The template provides
//   <div id="echoloop-dashboard" data-training-url="/api/training-runs/?project=7&status=running"
//        data-model-url="/api/projects/7/dashboard/model/" data-rounds-url="…" data-poll-ms="4000">
// with #training-progress, #rescore-progress, #progress-idle, #versions-table, #class-ap-table,
// #rounds-table and <object class="chart-object"> charts inside. Self-contained: no imports.

interface TrainingRun {
  id: number;
  status: string;
  epoch: number;
  n_epochs: number;
  progress: number;
}

interface Rescoring {
  id: number;
  version: number;
  scored: number;
  n_clips: number;
  progress: number;
}

interface VersionRow {
  version: number;
  name: string;
  n_labels: number;
  det_ap: number | null;
  map: number | null;
  validation: string;
  n_val: number | null;
  is_active: boolean;
}

interface ModelFigures {
  versions: VersionRow[];
  class_ap: { version: number | null; classes: { class: string; ap: number | null }[] };
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

async function getJSON<T>(url: string): Promise<T> {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function fixed(value: number | null, digits = 3): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

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
      if (typeof value === "number") td.className = "num";
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

function showTraining(runs: TrainingRun[]): boolean {
  const run = runs[0];
  if (!run) {
    hide("training-progress");
    return false;
  }
  const text = run.n_epochs ? `epoch ${run.epoch} / ${run.n_epochs} (${Math.round(run.progress * 100)} %)` : "starting…";
  setProgress("training-progress", run.epoch, run.n_epochs, text);
  return true;
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
  const versions = [...model.versions].reverse();
  fillTable(
    document.querySelector<HTMLTableElement>("#versions-table"),
    versions.map((v) => [v.name + (v.is_active ? " (active)" : ""), v.n_labels, fixed(v.det_ap), fixed(v.map),
      v.validation ? `${v.validation}${v.n_val ? ` (${v.n_val})` : ""}` : "–"]),
    "No model version yet.",
    (i) => (versions[i]?.is_active ? "active" : ""),
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

function start(root: HTMLElement): void {
  const { trainingUrl, modelUrl, roundsUrl } = root.dataset;
  const pollMs = Math.max(1000, Number(root.dataset.pollMs) || 4000);
  const idle = document.getElementById("progress-idle");
  let wasBusy = false;

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

  async function poll(): Promise<void> {
    if (!trainingUrl || !modelUrl) return;
    try {
      const [runs, model] = await Promise.all([
        getJSON<{ results: TrainingRun[] }>(trainingUrl),
        getJSON<ModelFigures>(modelUrl),
      ]);
      const training = showTraining(runs.results);
      const rescoring = showRescoring(model.rescoring);
      const busy = training || rescoring;
      showModelTables(model);
      if (idle) idle.hidden = busy;
      if (idle && !busy) idle.textContent = "No training or rescoring is running.";
      if (wasBusy && !busy) {
        reloadCharts(root); // a run just ended: new version, new points, maybe a new round
        void loadRounds();
      }
      wasBusy = busy;
    } catch (error) {
      if (idle) {
        idle.hidden = false;
        idle.textContent = `Could not refresh the progress (${String(error)}); retrying.`;
      }
    }
    window.setTimeout(() => void poll(), document.hidden ? pollMs * 4 : pollMs);
  }

  void poll();
  void loadRounds();
}

const root = document.getElementById("echoloop-dashboard");
if (root) start(root);
