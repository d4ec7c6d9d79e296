import { s as x, f as y, A as M, e as E, h as n, E as k, a as C, t as A, b as m, c as z, H as B, d as S, g as c, i as V, P as D, j as L, k as T, V as F, l as j, m as $, w as R, r as H, u as O, n as q, o as w, p as K, q as U, v as _, x as J, y as Y, z as X, B as v, C as Z, D as G, F as W, G as Q } from "./shared-viewer.js";
const N = "echoloop:draft:v1:";
function b(a, t) {
  return `${N}${a}:${t ?? "new"}`;
}
class tt {
  constructor(t, e = Date.now) {
    this.store = t, this.now = e;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(t, e, s) {
    const i = { taskId: t, version: e, savedAt: this.now(), draft: s };
    try {
      return this.store.setItem(b(t, e), JSON.stringify(i)), !0;
    } catch {
      return !1;
    }
  }
  load(t, e) {
    return this.parse(this.store.getItem(b(t, e)));
  }
  remove(t, e) {
    this.store.removeItem(b(t, e));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(t, e) {
    const s = b(t, e);
    return this.all().filter((i) => i.taskId === t && b(i.taskId, i.version) !== s).sort((i, r) => r.savedAt - i.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(t) {
    const e = this.now() - t, s = this.all().filter((i) => i.savedAt < e);
    for (const i of s) this.remove(i.taskId, i.version);
    return s.length;
  }
  all() {
    const t = [];
    for (let e = 0; e < this.store.length; e++) {
      const s = this.store.key(e);
      s && s.startsWith(N) && t.push(s);
    }
    return t.map((e) => this.parse(this.store.getItem(e))).filter((e) => e !== null);
  }
  parse(t) {
    if (!t) return null;
    try {
      const e = JSON.parse(t);
      return e && typeof e.taskId == "number" && e.draft && Array.isArray(e.draft.events) ? e : null;
    } catch {
      return null;
    }
  }
}
function et(a, t, e) {
  const s = a.load(t, e.version);
  if (s && !x(s.draft, e))
    return { draft: { ...s.draft, version: e.version }, restored: s, older: null };
  s && a.remove(t, e.version);
  const i = a.others(t, e.version).find((r) => !x(r.draft, e)) ?? null;
  return { draft: e, restored: null, older: i };
}
const st = {
  now: () => Date.now(),
  setTimeout: (a, t) => setTimeout(a, t),
  clearTimeout: (a) => clearTimeout(a)
};
function it(a, t, e = 15e3) {
  return Math.max(e, Math.floor((a - t) / 2));
}
class nt {
  constructor(t, e, s = st) {
    this.renew = t, this.events = e, this.clock = s;
  }
  renew;
  events;
  clock;
  taskId = null;
  expiresAt = 0;
  activeSince = 0;
  lastRenewal = 0;
  timer;
  /** Start keeping the lease of a newly opened task. */
  start(t, e) {
    this.stop(), this.taskId = t, this.expiresAt = Date.parse(e), this.lastRenewal = this.clock.now(), this.activeSince = 0, this.schedule();
  }
  /** The annotator did something (a key, a pointer move on the canvas). */
  activity() {
    this.activeSince = this.clock.now();
  }
  stop() {
    this.timer !== void 0 && this.clock.clearTimeout(this.timer), this.timer = void 0, this.taskId = null;
  }
  schedule() {
    const t = it(this.expiresAt, this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.check();
    }, t);
  }
  async check() {
    const t = this.taskId;
    if (t !== null) {
      if (this.activeSince <= this.lastRenewal) {
        this.clock.now() < this.expiresAt && this.schedule();
        return;
      }
      try {
        const e = await this.renew(t);
        if (this.taskId !== t) return;
        this.expiresAt = Date.parse(e), this.lastRenewal = this.clock.now(), this.schedule();
      } catch (e) {
        if (this.taskId !== t) return;
        e.status === 409 ? (this.stop(), this.events.lost(e.message)) : this.clock.now() < this.expiresAt && this.schedule();
      }
    }
  }
}
function at(a) {
  if (!(a instanceof M)) return { kind: "retry", message: String(a?.message ?? a) };
  const t = a.body;
  if (a.status === 409) {
    const e = t && typeof t == "object" ? t.current ?? null : null, s = t && typeof t == "object" && typeof t.detail == "string" ? t.detail : "";
    return { kind: "conflict", current: e, message: s || "Someone else saved this clip meanwhile." };
  }
  if (a.status === 400) {
    const e = E(a.body);
    return { kind: "invalid", messages: e.length ? e : [a.message] };
  }
  return a.status === 0 || a.status >= 500 || a.status === 429 || a.status === 408 ? { kind: "retry", message: a.message } : { kind: "fatal", message: a.message };
}
function rt(a, t = Math.random) {
  const e = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, a)));
  return Math.round(e * (1 + 0.2 * t()));
}
class ot {
  constructor(t, e, s) {
    this.post = t, this.current = e, this.on = s;
  }
  post;
  current;
  on;
  attempt = 0;
  timer;
  inFlight = !1;
  async send(t) {
    if (this.inFlight) return;
    clearTimeout(this.timer);
    const e = this.current();
    this.inFlight = !0, this.on.busy(!0), this.on.status(this.attempt ? `Submitting (attempt ${this.attempt + 1})…` : "Submitting…", "busy");
    let s = null;
    try {
      await this.post(t, e);
    } catch (i) {
      s = at(i);
    }
    if (this.inFlight = !1, this.on.busy(!1), !s) return this.succeed(e);
    this.fail(s, t, e);
  }
  /** Stop retrying (another task is opening). */
  cancel() {
    clearTimeout(this.timer), this.attempt = 0;
  }
  succeed(t) {
    this.attempt = 0, this.on.done(t);
  }
  fail(t, e, s) {
    if (t.kind === "retry") {
      const r = rt(this.attempt++);
      this.on.status(`Submit failed (${t.message}). Your draft is kept; retrying in ${Math.round(r / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(e);
      }, r);
      return;
    }
    if (this.attempt = 0, t.kind === "conflict")
      return t.current && x(y(t.current), s) ? this.on.done(s) : this.on.conflict(t.current, t.message);
    const i = t.kind === "invalid" ? t.messages.join("; ") : t.message;
    this.on.status(`Not saved: ${i} (your draft is kept)`, "error");
  }
}
function d(a, t, e, s = "") {
  return n("button", { type: "button", title: t, class: s, onclick: (i) => (e(), i.currentTarget.blur()) }, a);
}
function lt(a, t, e) {
  const s = a.toFixed(2);
  if (!e && t !== null)
    return { short: `${s} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${s}: the model's threshold on its calibrated scores` };
  if (e) {
    const i = t === null ? "" : `; the model's calibrated threshold is ${t.toFixed(2)}`;
    return { short: `${s} (yours)`, long: `Showing predictions scoring at least ${s}, your choice${i}` };
  }
  return { short: s, long: `Prediction score threshold: showing predictions scoring at least ${s}` };
}
class ht {
  constructor(t, e, s) {
    this.root = t, this.project = e, this.handlers = s, this.helpDialog = this.buildHelp(), this.main = n(
      "div",
      { class: "el-app" },
      n("header", { class: "el-header" }, n("strong", {}, e.name), this.header, d("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.notice,
      this.conflict,
      n(
        "div",
        { class: "el-body" },
        n("div", { class: "el-viewer" }, n("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, n("div"), this.timeAxis), this.readout),
        this.buildSide()
      ),
      n("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog
    ), this.retry.hidden = !0, t.replaceChildren(this.main);
  }
  root;
  project;
  handlers;
  canvas = n("canvas", { id: "spectrogram-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram: drag to draw a box" });
  plot = n("div", { class: "el-plot" }, this.canvas);
  timeAxis = n("canvas", { class: "el-time-axis" });
  freqAxis = n("canvas", { class: "el-freq-axis" });
  readout = n("div", { class: "el-readout" }, " ");
  status = n("span", { class: "el-status", role: "status", "aria-live": "polite" });
  draftState = n("span", { class: "el-draft-state" });
  retry = d("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  header = n("span", { class: "el-task" });
  notice = n("div", { class: "el-notice", hidden: !0 });
  conflict = n("div", { class: "el-conflict", hidden: !0 });
  tagButtons = /* @__PURE__ */ new Map();
  clipTagBoxes = /* @__PURE__ */ new Map();
  flagButtons = /* @__PURE__ */ new Map();
  notesArea = n("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  inspector = n("div", { class: "el-inspector" });
  pendingLabel = n("div", { class: "el-pending" });
  viewButton = d("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  normSelect = n("select", { title: "Spectrogram normalisation" }, n("option", { value: "db" }, "dB"), n("option", { value: "pcen" }, "PCEN"));
  dbMin = n("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  dbMax = n("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  dbText = n("span", { class: "el-db-text" });
  panButton = d("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  playButton = d("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  expansionSelect = n("select", { title: "Playback slow-down (e)" });
  predToggle = n("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  threshold = n("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  thresholdText = n("span", { class: "el-threshold-text" }, "0.50");
  predInfo = n("span", { class: "el-pred-info" });
  helpDialog;
  submitButton = d("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  skipButton = d("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  main;
  buildToolbar() {
    const t = this.project.settings;
    for (const s of [this.dbMin, this.dbMax])
      s.min = String(Math.min(-140, t.db_min - 20)), s.max = String(Math.max(40, t.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const e = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", e), this.dbMax.addEventListener("input", e);
    for (const s of k) this.expansionSelect.append(n("option", { value: s }, `${s}×`));
    k.includes(t.time_expansion) || this.expansionSelect.append(n("option", { value: t.time_expansion }, `${t.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const s of [this.dbMin, this.dbMax, this.threshold]) s.addEventListener("change", () => s.blur());
    return n(
      "div",
      { class: "el-toolbar" },
      n("div", { class: "el-group" }, this.viewButton, this.normSelect),
      n("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      n(
        "div",
        { class: "el-group" },
        d("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        d("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        d("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton
      ),
      n("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      n(
        "div",
        { class: "el-group" },
        n("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        d("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo
      )
    );
  }
  buildSide() {
    const t = this.project.tags, e = C(t), s = n("div", { class: "el-tag-list" }), i = n("div", { class: "el-clip-tags" });
    t.forEach((o, l) => {
      const f = A(t, l), u = e.has(o.id) ? ` (hotkey "${o.hotkey}" is taken by a built-in key)` : "", p = d("", `${m(t, o.id)}${u}`, () => this.handlers.tag(o.id), "el-tag");
      p.append(n("span", { class: "el-swatch", style: `background:${z(t, o.id)}` }), n("kbd", {}, f || "·"), ` ${m(t, o.id)}`), this.tagButtons.set(o.id, p), s.append(p);
      const g = n("input", { type: "checkbox", "data-tag": o.id });
      g.addEventListener("change", () => (this.handlers.toggleClipTag(o.id), g.blur())), this.clipTagBoxes.set(o.id, g), i.append(n("label", {}, g, ` ${m(t, o.id)}`));
    });
    const r = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], h = n("div", { class: "el-flags" });
    for (const [o, l, f] of r) {
      const u = d(`${l} (${f})`, `${l} (${f})`, () => this.handlers.flag(o), "el-flag");
      u.setAttribute("aria-pressed", "false"), this.flagButtons.set(o, u), h.append(u);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), n(
      "aside",
      { class: "el-side" },
      n("section", {}, n("h2", {}, "Box tag"), this.pendingLabel, s),
      n("section", {}, n("h2", {}, "Selected box"), this.inspector),
      n("section", {}, n("h2", {}, "Clip"), h, i, this.notesArea)
    );
  }
  buildHelp() {
    const t = B.map(([s, i]) => n("tr", {}, n("th", {}, s), n("td", {}, i)));
    return n("dialog", { class: "el-help" }, n("h2", {}, "Keyboard"), n("table", {}, ...t), n("form", { method: "dialog" }, n("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(t) {
    const e = t.clip, s = e.recording;
    this.header.textContent = ` · ${s.name} · ${e.start_s.toFixed(3)}–${e.end_s.toFixed(3)} s · task ${t.id}${t.reason ? ` · ${t.reason}` : ""}`, this.header.title = `lease expires ${new Date(t.lease_expires_at).toLocaleTimeString()}`;
    for (const i of Array.from(this.expansionSelect.options)) {
      const r = S(s.samplerate, Number(i.value));
      i.disabled = !r, i.title = r ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    this.hideConflict(), this.hideNotice();
  }
  updateToolbar(t) {
    this.viewButton.textContent = t.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = t.kind !== "spectrogram", c(this.normSelect, t.norm), c(this.dbMin, String(t.dbMin)), c(this.dbMax, String(t.dbMax)), this.dbText.textContent = `${t.dbMin} … ${t.dbMax}`, this.panButton.setAttribute("aria-pressed", String(t.panMode)), this.playButton.textContent = t.playing ? "❚❚ Pause" : "▶ Play", c(this.expansionSelect, String(t.expansion));
  }
  updatePredictions(t) {
    this.predToggle.checked = t.show, c(this.threshold, String(t.threshold));
    const e = lt(t.threshold, t.served, t.chosen);
    this.thresholdText.textContent = e.short, this.threshold.title = this.thresholdText.title = e.long, this.predInfo.textContent = t.model ? `${t.model}: ${t.shown}/${t.count}` : "no model";
  }
  updateDraft(t, e, s, i) {
    const r = this.project.tags, h = e ? e.tag : s;
    for (const [o, l] of this.tagButtons) l.classList.toggle("el-active", o === h);
    this.pendingLabel.textContent = e ? "Keys set the selected box's tag" : `Next box: ${m(r, s)}`;
    for (const [o, l] of this.clipTagBoxes) l.checked = t.tags.includes(o);
    for (const [o, l] of this.flagButtons) l.setAttribute("aria-pressed", String(t[o]));
    c(this.notesArea, t.notes), this.updateInspector(e, i);
  }
  inspectorBuilt = !1;
  updateInspector(t, e) {
    if (!t) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(n("p", { class: "el-muted" }, e === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const s = (r) => this.inspector.querySelector(`[name=${r}]`);
    c(s("start_s"), t.start_s.toFixed(4)), c(s("end_s"), t.end_s.toFixed(4));
    const i = t.low_hz !== null && t.high_hz !== null;
    for (const r of ["low_hz", "high_hz"]) s(r).closest("label").hidden = !i;
    i && (c(s("low_hz"), (t.low_hz / 1e3).toFixed(2)), c(s("high_hz"), (t.high_hz / 1e3).toFixed(2))), c(this.inspector.querySelector("select"), t.tag === null ? "" : String(t.tag)), c(s("confidence"), t.confidence === null ? "" : String(t.confidence)), c(s("notes"), t.notes), this.inspector.querySelector(".el-duration").textContent = `${V(t.end_s - t.start_s)}${i ? ` · ${((t.high_hz - t.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const t = (o, l, f, u) => {
      const p = n("input", { type: "number", name: o, step: f });
      return p.addEventListener("change", () => {
        const g = u(p.value);
        g === null && o !== "confidence" || this.handlers.editEvent({ [o]: g }, o);
      }), n("label", {}, l, p);
    }, e = (o) => o.trim() === "" || !Number.isFinite(Number(o)) ? null : Number(o), s = (o) => e(o) === null ? null : Number(o) * 1e3, i = n("select", { name: "tag" }, n("option", { value: "" }, "no tag"), ...this.project.tags.map((o) => n("option", { value: o.id }, m(this.project.tags, o.id))));
    i.addEventListener("change", () => this.handlers.editEvent({ tag: i.value === "" ? null : Number(i.value) }, "tag"));
    const r = n("input", { type: "text", name: "notes", placeholder: "box notes" });
    r.addEventListener("input", () => this.handlers.editEvent({ notes: r.value }, "notes"));
    const h = t("confidence", "confidence", "0.05", (o) => e(o) === null ? null : Math.min(1, Math.max(0, Number(o))));
    this.inspector.replaceChildren(
      n("div", { class: "el-grid" }, t("start_s", "start s", "0.0001", e), t("end_s", "end s", "0.0001", e), t("low_hz", "low kHz", "0.01", s), t("high_hz", "high kHz", "0.01", s)),
      n("label", {}, "tag ", i),
      h,
      r,
      n("div", { class: "el-row" }, n("span", { class: "el-duration el-muted" }), d("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
    );
  }
  /** Freeze the text fields and the submit/skip buttons while a request is out. */
  setBusy(t) {
    for (const e of this.main.querySelectorAll(".el-side input, .el-side textarea"))
      e.type === "checkbox" ? e.disabled = t : e.readOnly = t;
    this.submitButton.disabled = t, this.skipButton.disabled = t;
  }
  setStatus(t, e = "info", s = !1) {
    this.status.textContent = t, this.status.dataset.level = e, this.retry.hidden = !s;
  }
  setDraftState(t) {
    this.draftState.textContent = t;
  }
  showNotice(t, e = []) {
    this.notice.replaceChildren(n("span", {}, t), ...e.map((s) => d(s.label, s.label, () => (this.hideNotice(), s.run()))), d("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(t, e, s) {
    this.conflict.replaceChildren(
      n("strong", {}, t),
      n("ul", {}, ...e.map((i) => n("li", {}, i))),
      n("div", { class: "el-row" }, ...s.map((i) => d(i.label, i.label, () => (this.hideConflict(), i.run()))))
    ), this.conflict.hidden = !1;
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
function dt(a, t, e, s) {
  a.replaceChildren(
    n(
      "div",
      { class: "el-empty" },
      n("h1", {}, "Queue empty"),
      n("p", {}, `No clips are waiting for you in ${t}. New ones appear after the next sampling round.`),
      n("p", {}, d("Check again", "Ask for the next clip again", s, "el-primary"), e ? n("a", { href: e }, "Back to the project") : null)
    )
  );
}
function ct(a, t, e) {
  a.replaceChildren(n("div", { class: "el-empty el-error" }, n("h1", {}, "Could not load the annotator"), n("p", {}, t), n("p", {}, d("Try again", "Try again", e, "el-primary"))));
}
const ut = 720 * 3600 * 1e3, pt = 0.5;
function P(a) {
  const t = a?.model_version?.threshold;
  return typeof t == "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}
function gt(a, t) {
  return t ?? P(a) ?? pt;
}
class ft {
  constructor(t) {
    this.page = t, this.submitter = new ot((e, s) => t.api.submit(e, s), () => this.draftValue, this.submitEvents()), this.lease = new nt(async (e) => (await t.api.renew(e)).lease_expires_at, {
      lost: (e) => this.status(`Your hold on this clip ran out (${e}). Submitting still saves your work.`, "warn")
    }), this.player = new D(
      (e) => this.viewer && (this.viewer.playhead = e, this.viewer.render()),
      (e, s) => {
        e === "error" && this.status(s ?? "playback failed", "error"), this.refreshToolbar();
      }
    );
  }
  page;
  project;
  ui;
  viewer;
  pointer;
  player;
  task = null;
  draftValue = L();
  undoStack = T();
  selectedIndex = null;
  selectedPred = null;
  pendingTag = null;
  predictions = null;
  showPreds = !0;
  /** The annotator's slider value, null until they move it. */
  chosenThreshold = null;
  panning = !1;
  expansion = 1;
  skipping = !1;
  warnedFor = null;
  submitter;
  lease;
  // ---- start-up and the task cycle -------------------------------------------------------
  async start() {
    const { root: t, api: e, projectId: s } = this.page;
    t.dataset.state = "loading";
    try {
      this.project = await e.project(s);
    } catch (i) {
      t.dataset.state = "error", ct(t, i.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new ht(t, this.project, this.handlers()), this.viewer = new F(this.project, e, this.ui, () => this.overlay(), (i, r) => this.status(i, r)), this.pointer = new j(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (i) => this.onKey(i));
    for (const i of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(i, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(ut), await this.loadNext();
  }
  async loadNext() {
    const { root: t, api: e, projectId: s } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, t.dataset.state = "loading", t.contains(this.ui.main) || t.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let i;
    try {
      i = await e.nextTask(s);
    } catch (r) {
      t.dataset.state = "error", this.status(`Could not get the next clip: ${r.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!i) {
      t.dataset.state = "empty", dt(t, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(i);
  }
  openTask(t) {
    this.task = t, this.lease.start(t.id, t.lease_expires_at), this.ui.setTask(t), this.draftValue = this.restoreDraft(t), this.undoStack = T(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], S(t.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(t), this.page.api.predictions(t.clip.id).then(
      (e) => this.task === t && (this.predictions = e, this.refresh()),
      () => {
      }
      // predictions are optional help; the page works without them
    );
  }
  showImage(t) {
    this.viewer.open(t).then((e) => {
      this.task !== t || e === "stale" || (e === "ready" ? this.page.root.dataset.state = "ready" : this.ui.showNotice("The image did not load.", [{ label: "Retry", run: () => this.showImage(t) }]));
    });
  }
  /** The server's annotation, or the user's unsaved work on it from localStorage. */
  restoreDraft(t) {
    const { drafts: e } = this.page, s = y(t.annotation), { draft: i, restored: r, older: h } = et(e, t.id, s), o = (l) => new Date(l).toLocaleString();
    return r ? (this.status(`Restored your unsaved draft from ${o(r.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${o(r.savedAt)}).`, [{ label: "Discard it", run: () => this.change(s) }])) : h && this.ui.showNotice(`You have unsaved work on this clip from ${o(h.savedAt)}, but someone saved it since (version ${s.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...h.draft, version: s.version }) },
      { label: "Merge mine into theirs", run: () => this.change($(h.draft, s)) },
      { label: "Discard mine", run: () => e.remove(t.id, h.version) }
    ]), r || this.status(t.annotation ? `Editing saved version ${t.annotation.version}.` : "New clip.", "info"), i;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const t = R(this.draftValue);
    if (t.length && this.warnedFor !== this.draftValue)
      return this.warnedFor = this.draftValue, this.status(`${t.join("; ")}. Press Enter again to submit anyway.`, "warn");
    this.submitter.send(this.task.id);
  }
  submitEvents() {
    return {
      busy: (t) => {
        this.page.root.dataset.state = t ? "submitting" : "ready", this.ui.setBusy(t);
      },
      status: (t, e, s) => this.status(t, e, s),
      done: (t) => {
        const e = this.task;
        this.page.drafts.remove(e.id, t.version), this.status(`Submitted clip ${e.clip.id}.`, "ok"), this.loadNext().then(() => this.task && this.status(`Submitted clip ${e.clip.id}; here is the next one.`, "ok"));
      },
      conflict: (t, e) => this.showConflict(t, e)
    };
  }
  /** 409: show both versions and let the user choose; never overwrite silently. */
  showConflict(t, e) {
    const s = this.task, i = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !t) {
      const l = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(e, ["Your draft is kept and will be offered again."], [l]);
    }
    const r = y(t), h = (l) => `${l.events.length} boxes, ${l.tags.length} clip tags${l.no_calls ? ", no calls" : ""}${l.noise ? ", noise" : ""}${l.uncertain ? ", uncertain" : ""}`, o = (l) => {
      this.page.drafts.remove(s.id, i.version), this.change(l);
    };
    this.ui.showConflict(
      `${e} (now version ${t.version})`,
      [`Theirs: ${h(r)}`, `Yours: ${h(i)}`],
      [
        { label: "Use theirs", run: () => o(r) },
        { label: "Merge (theirs + your boxes)", run: () => (o($(i, r)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (o({ ...i, version: t.version }), void this.submitter.send(s.id)) }
      ]
    );
  }
  /** k: release the task (its draft stays in localStorage) and open the next. */
  async skip() {
    const t = this.task;
    if (!(!t || this.submitter.inFlight || this.skipping)) {
      this.submitter.cancel(), this.player.stop(), this.skipping = !0, this.status("Skipping…", "busy");
      try {
        await this.page.api.release(t.id), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${t.clip.id}.`, "info");
      } catch (e) {
        this.skipping = !1, this.status(`Could not skip: ${e instanceof M ? e.message : String(e)}`, "error");
      }
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(t, e = null, s = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    t !== s && (this.undoStack = H(this.undoStack, s, e), this.draftValue = t, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const t = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(t ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(t) {
    if (!this.canEdit()) return;
    const e = t === "undo" ? O(this.undoStack, this.draftValue) : q(this.undoStack, this.draftValue);
    if (!e) return this.status(`Nothing to ${t}.`, "info");
    this.undoStack = e.stack, this.draftValue = { ...e.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(t) {
    if (this.selectedIndex === null)
      return this.pendingTag = t, this.refresh();
    this.change(w(this.draftValue, this.selectedIndex, { tag: t }));
  }
  editSelected(t, e) {
    const s = this.selectedIndex;
    if (s === null) return;
    let i = w(this.draftValue, s, t);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(e) && (i = w(i, s, K(i.events[s], this.boxBounds()))), this.change(i, `edit:${s}:${e}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const t = this.selectedIndex;
    this.selectedIndex = null, this.change(U(this.draftValue, t));
  }
  cycleSelection(t) {
    const e = this.draftValue.events.map((i, r) => [i.start_s, r]).sort((i, r) => i[0] - r[0]).map((i) => i[1]);
    if (!e.length) return;
    const s = this.selectedIndex === null ? t > 0 ? -1 : 0 : e.indexOf(this.selectedIndex);
    this.select(e[(s + t + e.length) % e.length]);
  }
  accept(t) {
    const e = this.project.settings.annotation_mode, s = !t && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, i = s ? [s] : this.visiblePredictions().map((h) => h.p);
    if (!i.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let r = this.draftValue;
    for (const h of i) r = _(r, J(h, e));
    this.selectedPred = null, this.change(r), i.length === 1 && this.select(r.events.length - 1), this.status(`Accepted ${i.length} prediction${i.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const t = this.task.clip.recording, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = this.viewer.view, i = Math.max(0, e ? e.start_s : s.start), r = Math.min(t.duration_s, e ? e.end_s : s.end), h = e && e.low_hz !== null && e.high_hz !== null ? { low: e.low_hz, high: e.high_hz } : {}, o = this.page.api.audioUrl(t.id, { start: i, end: r, expansion: this.expansion, ...h });
    this.player.play({ url: o, start: i, end: r, expansion: this.expansion });
  }
  setExpansion(t) {
    this.player.stop(), this.expansion = t, this.refreshToolbar();
  }
  cycleExpansion() {
    const t = this.task?.clip.recording.samplerate ?? 1 / 0, e = k.filter((i) => S(t, i)), s = e[(e.indexOf(this.expansion) + 1) % e.length] ?? 1;
    this.setExpansion(s), this.status(`Playback slowed down ${s}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(t) {
    if (t.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const e = t.target, s = Y(e);
    if ((e instanceof HTMLButtonElement || e instanceof HTMLAnchorElement || e instanceof HTMLInputElement && !s) && ["Enter", " ", "Tab"].includes(t.key)) return;
    const r = X(t, { tags: this.project.tags, typing: s !== null, multiline: s === "text" });
    if (r) {
      if (this.pointer.active && r.type !== "escape") return t.preventDefault();
      (r.type === "selectNext" || r.type === "selectPrev") && !this.draftValue.events.length || (t.preventDefault(), this.perform(r, e));
    }
  }
  perform(t, e) {
    const s = this.viewer;
    switch (t.type) {
      case "submit":
        return this.submit();
      case "skip":
        return void this.skip();
      case "toggleView":
        return s.toggleKind(), this.refreshToolbar();
      case "noCalls":
        return this.change(v(this.draftValue, "no_calls"));
      case "noise":
        return this.change(v(this.draftValue, "noise"));
      case "uncertain":
        return this.change(v(this.draftValue, "uncertain"));
      case "undo":
        return this.step("undo");
      case "redo":
        return this.step("redo");
      case "delete":
        return this.deleteSelected();
      case "zoomIn":
        return this.zoom(1);
      case "zoomOut":
        return this.zoom(-1);
      case "resetZoom":
        return this.zoom(0);
      case "play":
        return this.togglePlay();
      case "tag":
        return this.setTag(t.tagId);
      case "blur":
        return e?.blur();
      case "escape":
        return this.escape();
      case "selectNext":
        return this.cycleSelection(1);
      case "selectPrev":
        return this.cycleSelection(-1);
      case "togglePredictions":
        return this.showPreds = !this.showPreds, this.refresh();
      case "acceptPrediction":
        return this.accept(!1);
      case "acceptAllPredictions":
        return this.accept(!0);
      case "pan":
        return s.pan(-t.dx * s.size.width, t.dy * s.size.height);
      case "panMode":
        return this.panning = !this.panning, this.refreshToolbar();
      case "cycleExpansion":
        return this.cycleExpansion();
      case "help":
        return this.ui.toggleHelp();
    }
  }
  /** +/- zoom around the selected box if there is one, else around the middle. */
  zoom(t) {
    const e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    this.viewer.zoomStep(t, e ? (e.start_s + e.end_s) / 2 : void 0);
  }
  escape() {
    if (this.pointer.cancel()) return this.viewer.render();
    if (this.player.playing) return this.player.stop();
    this.selectedIndex = null, this.selectedPred = null, this.refresh();
  }
  // ---- PointerHost ---------------------------------------------------------------------------
  geometry() {
    return this.viewer.geometry();
  }
  boxBounds() {
    const t = this.task.clip;
    return { start: t.start_s, end: t.end_s, low: this.viewer.bounds.low, high: this.viewer.bounds.high };
  }
  interval() {
    return this.project.settings.annotation_mode === "interval";
  }
  panMode() {
    return this.panning;
  }
  draft() {
    return this.draftValue;
  }
  selected() {
    return this.selectedIndex;
  }
  visiblePredictions() {
    if (!this.showPreds || !this.predictions) return [];
    const t = this.project.settings.annotation_mode;
    return this.predictions.events.map((e, s) => ({ p: e, index: s })).filter(({ p: e }) => e.score >= this.threshold && !Z(this.draftValue, e, t));
  }
  select(t) {
    this.selectedIndex = t, t !== null && (this.selectedPred = null), this.refresh();
  }
  selectPrediction(t) {
    this.selectedPred = t, this.refresh();
  }
  preview(t) {
    this.draftValue = t, this.refresh();
  }
  commit(t, e) {
    this.draftValue = e, this.change(t, null, e);
  }
  addBox(t) {
    if (t.end_s - t.start_s <= 0) return this.status("Boxes must lie inside the clip (the bright part).", "warn");
    const e = _(this.draftValue, { ...t, tag: this.pendingTag, confidence: null, notes: "" });
    this.change(e), this.select(e.events.length - 1);
  }
  setDrawing(t) {
    this.viewer.drawing = t, this.viewer.render();
  }
  setCursor(t) {
    this.viewer.cursor = t, this.viewer.render();
  }
  pan(t, e) {
    this.viewer.pan(t, e);
  }
  zoomTime(t, e) {
    this.viewer.zoomTime(t, e);
  }
  zoomFreq(t, e) {
    this.viewer.zoomFreq(t, e);
  }
  canEdit() {
    return !!this.task && !this.submitter.inFlight && !this.skipping;
  }
  // ---- panels --------------------------------------------------------------------------------
  get threshold() {
    return gt(this.predictions, this.chosenThreshold);
  }
  overlay() {
    const t = this.visiblePredictions(), e = t.findIndex((s) => s.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: this.draftValue.events,
      selected: this.selectedIndex,
      predictions: t.map((s) => s.p),
      selectedPrediction: e >= 0 ? e : null,
      drawingTag: this.pendingTag
    };
  }
  /** Refresh every panel and redraw (after a draft or selection change). */
  refresh() {
    const t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] ?? null : null;
    this.ui.updateDraft(this.draftValue, t, this.pendingTag, this.project.settings.annotation_mode), this.refreshToolbar();
    const e = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: P(e),
      chosen: this.chosenThreshold !== null,
      model: e?.model_version?.name ?? null,
      count: e?.events.length ?? 0,
      shown: this.visiblePredictions().length
    }), this.viewer.render();
  }
  refreshToolbar() {
    const t = this.viewer;
    t && this.ui.updateToolbar({ kind: t.kind, norm: t.norm, dbMin: t.dbMin, dbMax: t.dbMax, panMode: this.panning, playing: this.player.playing, expansion: this.expansion });
  }
  status(t, e = "info", s = !1) {
    this.ui?.setStatus(t, e, s);
  }
  handlers() {
    return {
      tag: (t) => this.setTag(t),
      toggleClipTag: (t) => this.change(W(this.draftValue, t)),
      flag: (t) => this.change(v(this.draftValue, t)),
      notes: (t) => this.change(G(this.draftValue, t), "notes"),
      editEvent: (t, e) => this.editSelected(t, e),
      deleteSelected: () => this.deleteSelected(),
      toggleView: () => (this.viewer.toggleKind(), this.refreshToolbar()),
      norm: (t) => this.viewer.setNorm(t),
      db: (t, e) => (this.viewer.setDb(t, e), this.refreshToolbar()),
      zoom: (t) => this.zoom(t),
      panMode: () => (this.panning = !this.panning, this.refreshToolbar()),
      play: () => this.togglePlay(),
      expansion: (t) => this.setExpansion(t),
      showPredictions: (t) => (this.showPreds = t, this.refresh()),
      threshold: (t) => (this.chosenThreshold = t, this.selectedPred = null, this.refresh()),
      acceptAll: () => this.accept(!0),
      submit: () => this.submit(),
      skip: () => {
        this.skip();
      },
      retryNow: () => this.task && void this.submitter.send(this.task.id)
    };
  }
  /** The test hook: the draft as the server would receive it, the image's exact extent, the predictions drawn. */
  hook() {
    return {
      state: () => this.task ? JSON.parse(JSON.stringify({ task: this.task.id, ...this.draftValue })) : null,
      extent: () => this.viewer ? this.viewer.extent() : null,
      // The dashed boxes as drawn, and the score threshold that chose them.
      predictions: () => ({ threshold: this.threshold, shown: JSON.parse(JSON.stringify(this.overlay().predictions)) })
    };
  }
}
function mt() {
  const a = document.getElementById("echoloop-config");
  try {
    return a?.textContent ? JSON.parse(a.textContent) : {};
  } catch {
    return {};
  }
}
function bt() {
  try {
    const a = window.localStorage;
    return a.setItem("echoloop:probe", "1"), a.removeItem("echoloop:probe"), a;
  } catch {
    const a = /* @__PURE__ */ new Map();
    return {
      getItem: (t) => a.get(t) ?? null,
      setItem: (t, e) => {
        a.set(t, e);
      },
      removeItem: (t) => {
        a.delete(t);
      },
      key: (t) => [...a.keys()][t] ?? null,
      get length() {
        return a.size;
      }
    };
  }
}
function I() {
  const a = document.getElementById("echoloop-annotator");
  if (!a) return;
  const t = mt(), e = new ft({
    root: a,
    api: new Q(a.dataset.apiBase || "/api/", t.csrfToken ?? ""),
    drafts: new tt(bt()),
    projectId: Number(a.dataset.projectId),
    nextUrl: a.dataset.nextUrl || void 0
  });
  window.echoloop = e.hook(), e.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", I) : I();
