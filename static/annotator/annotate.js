import { s as M, f as z, A as P, e as U, h as n, b as u, E as C, a as Y, t as J, c as T, d as G, H as X, g as N, i as p, j as Z, k as Q, l as ee, S as te, r as se, m as ie, p as F, W as ne, P as oe, n as ae, o as B, V as re, q as le, u as D, w as he, v as de, x as ce, y as ue, z as pe, B as fe, C as _, D as ge, F as me, G as V, I as we, J as ve, K as be, L as ye, M as y, N as xe, O as ke, Q as Se, R as Te, T as _e } from "./shared-viewer.js";
const K = "echoloop:draft:v1:";
function w(i, e) {
  return `${K}${i}:${e ?? "new"}`;
}
class $e {
  constructor(e, t = Date.now) {
    this.store = e, this.now = t;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(e, t, s) {
    const o = { taskId: e, version: t, savedAt: this.now(), draft: s };
    try {
      return this.store.setItem(w(e, t), JSON.stringify(o)), !0;
    } catch {
      return !1;
    }
  }
  load(e, t) {
    return this.parse(this.store.getItem(w(e, t)));
  }
  remove(e, t) {
    this.store.removeItem(w(e, t));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(e, t) {
    const s = w(e, t);
    return this.all().filter((o) => o.taskId === e && w(o.taskId, o.version) !== s).sort((o, a) => a.savedAt - o.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(e) {
    const t = this.now() - e, s = this.all().filter((o) => o.savedAt < t);
    for (const o of s) this.remove(o.taskId, o.version);
    return s.length;
  }
  all() {
    const e = [];
    for (let t = 0; t < this.store.length; t++) {
      const s = this.store.key(t);
      s && s.startsWith(K) && e.push(s);
    }
    return e.map((t) => this.parse(this.store.getItem(t))).filter((t) => t !== null);
  }
  parse(e) {
    if (!e) return null;
    try {
      const t = JSON.parse(e);
      return t && typeof t.taskId == "number" && t.draft && Array.isArray(t.draft.events) ? t : null;
    } catch {
      return null;
    }
  }
}
function Ee(i, e, t) {
  const s = i.load(e, t.version);
  if (s && !M(s.draft, t))
    return { draft: { ...s.draft, version: t.version }, restored: s, older: null };
  s && i.remove(e, t.version);
  const o = i.others(e, t.version).find((a) => !M(a.draft, t)) ?? null;
  return { draft: t, restored: null, older: o };
}
const Me = {
  now: () => Date.now(),
  setTimeout: (i, e) => setTimeout(i, e),
  clearTimeout: (i) => clearTimeout(i)
};
function ze(i, e, t = 15e3) {
  return Math.max(t, Math.floor((i - e) / 2));
}
class Pe {
  constructor(e, t, s = Me) {
    this.renew = e, this.events = t, this.clock = s;
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
  start(e, t) {
    this.stop(), this.taskId = e, this.expiresAt = Date.parse(t), this.lastRenewal = this.clock.now(), this.activeSince = 0, this.schedule();
  }
  /** The annotator did something (a key, a pointer move on the canvas). */
  activity() {
    this.activeSince = this.clock.now();
  }
  stop() {
    this.timer !== void 0 && this.clock.clearTimeout(this.timer), this.timer = void 0, this.taskId = null;
  }
  schedule() {
    const e = ze(this.expiresAt, this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.check();
    }, e);
  }
  async check() {
    const e = this.taskId;
    if (e !== null) {
      if (this.activeSince <= this.lastRenewal) {
        this.clock.now() < this.expiresAt && this.schedule();
        return;
      }
      try {
        const t = await this.renew(e);
        if (this.taskId !== e) return;
        this.expiresAt = Date.parse(t), this.lastRenewal = this.clock.now(), this.schedule();
      } catch (t) {
        if (this.taskId !== e) return;
        t.status === 409 ? (this.stop(), this.events.lost(t.message)) : this.clock.now() < this.expiresAt && this.schedule();
      }
    }
  }
}
function Ce(i) {
  if (!(i instanceof P)) return { kind: "retry", message: String(i?.message ?? i) };
  const e = i.body;
  if (i.status === 409) {
    const t = e && typeof e == "object" ? e.current ?? null : null, s = e && typeof e == "object" && typeof e.detail == "string" ? e.detail : "";
    return { kind: "conflict", current: t, message: s || "Someone else saved this clip meanwhile." };
  }
  if (i.status === 400) {
    const t = U(i.body);
    return { kind: "invalid", messages: t.length ? t : [i.message] };
  }
  return i.status === 0 || i.status >= 500 || i.status === 429 || i.status === 408 ? { kind: "retry", message: i.message } : { kind: "fatal", message: i.message };
}
function Ne(i, e = Math.random) {
  const t = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, i)));
  return Math.round(t * (1 + 0.2 * e()));
}
class Ie {
  constructor(e, t, s) {
    this.post = e, this.current = t, this.on = s;
  }
  post;
  current;
  on;
  attempt = 0;
  timer;
  inFlight = !1;
  async send(e) {
    if (this.inFlight) return;
    clearTimeout(this.timer);
    const t = this.current();
    this.inFlight = !0, this.on.busy(!0), this.on.status(this.attempt ? `Submitting (attempt ${this.attempt + 1})…` : "Submitting…", "busy");
    let s = null;
    try {
      await this.post(e, t);
    } catch (o) {
      s = Ce(o);
    }
    if (this.inFlight = !1, this.on.busy(!1), !s) return this.succeed(t);
    this.fail(s, e, t);
  }
  /** Stop retrying (another task is opening). */
  cancel() {
    clearTimeout(this.timer), this.attempt = 0;
  }
  succeed(e) {
    this.attempt = 0, this.on.done(e);
  }
  fail(e, t, s) {
    if (e.kind === "retry") {
      const a = Ne(this.attempt++);
      this.on.status(`Submit failed (${e.message}). Your draft is kept; retrying in ${Math.round(a / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(t);
      }, a);
      return;
    }
    if (this.attempt = 0, e.kind === "conflict")
      return e.current && M(z(e.current), s) ? this.on.done(s) : this.on.conflict(e.current, e.message);
    const o = e.kind === "invalid" ? e.messages.join("; ") : e.message;
    this.on.status(`Not saved: ${o} (your draft is kept)`, "error");
  }
}
function $(i) {
  return i.display_name || i.value;
}
function Ae(i) {
  const e = [];
  if (i.returned_to) {
    const t = i.return_note ? `: “${i.return_note}”` : "", s = i.annotation ? " Your earlier answer is loaded: fix it and submit." : "";
    e.push(`A lead sent this clip back${t}.${s}`);
  }
  return i.your_last_skip && e.push(`You skipped this clip before (${i.your_last_skip.why}); nothing else is waiting for you.`), e;
}
function Le(i, e, t) {
  const s = i.toFixed(2);
  if (!t && e !== null)
    return { short: `${s} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${s}: the model's threshold on its calibrated scores` };
  if (t) {
    const o = e === null ? "" : `; the model's calibrated threshold is ${e.toFixed(2)}`;
    return { short: `${s} (yours)`, long: `Showing predictions scoring at least ${s}, your choice${o}` };
  }
  return { short: s, long: `Prediction score threshold: showing predictions scoring at least ${s}` };
}
class Fe {
  constructor(e, t, s) {
    this.root = e, this.project = t, this.handlers = s, this.helpDialog = this.buildHelp(), this.main = n(
      "div",
      { class: "el-app" },
      n("header", { class: "el-header" }, n("strong", {}, t.name), this.header, u("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.taskNote,
      this.notice,
      this.conflict,
      n(
        "div",
        { class: "el-body" },
        n("div", { class: "el-viewer" }, n("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, n("div"), this.timeAxis), this.belowPlot, this.readout),
        this.buildSide()
      ),
      n("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog,
      this.skipChooser.dialog
    ), this.retry.hidden = !0, e.replaceChildren(this.main);
  }
  root;
  project;
  handlers;
  canvas = n("canvas", { id: "spectrogram-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram: drag to draw a box" });
  plot = n("div", { class: "el-plot" }, this.canvas);
  timeAxis = n("canvas", { class: "el-time-axis" });
  freqAxis = n("canvas", { class: "el-freq-axis" });
  readout = n("div", { class: "el-readout" }, " ");
  /** Slots for panels other modules build: under the image, and in the side bar. */
  belowPlot = n("div", { class: "el-below-plot" });
  sidePanels = n("div", { class: "el-side-panels" });
  status = n("span", { class: "el-status", role: "status", "aria-live": "polite" });
  draftState = n("span", { class: "el-draft-state" });
  retry = u("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  header = n("span", { class: "el-task" });
  notice = n("div", { class: "el-notice", hidden: !0 });
  taskNote = n("div", { class: "el-task-note", role: "note", hidden: !0 });
  clipTagsHint = n("p", { class: "el-muted el-clip-tags-hint" });
  skipChooser = new Be();
  conflict = n("div", { class: "el-conflict", hidden: !0 });
  tagButtons = /* @__PURE__ */ new Map();
  clipTagBoxes = /* @__PURE__ */ new Map();
  flagButtons = /* @__PURE__ */ new Map();
  notesArea = n("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  inspector = n("div", { class: "el-inspector" });
  pendingLabel = n("div", { class: "el-pending" });
  viewButton = u("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  normSelect = n("select", { title: "Spectrogram normalisation" }, n("option", { value: "db" }, "dB"), n("option", { value: "pcen" }, "PCEN"));
  dbMin = n("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  dbMax = n("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  dbText = n("span", { class: "el-db-text" });
  panButton = u("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  playButton = u("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  expansionSelect = n("select", { title: "Playback slow-down (e)" });
  predToggle = n("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  threshold = n("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  thresholdText = n("span", { class: "el-threshold-text" }, "0.50");
  predInfo = n("span", { class: "el-pred-info" });
  helpDialog;
  submitButton = u("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  skipButton = u("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  main;
  buildToolbar() {
    const e = this.project.settings;
    for (const s of [this.dbMin, this.dbMax])
      s.min = String(Math.min(-140, e.db_min - 20)), s.max = String(Math.max(40, e.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const t = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", t), this.dbMax.addEventListener("input", t);
    for (const s of C) this.expansionSelect.append(n("option", { value: s }, `${s}×`));
    C.includes(e.time_expansion) || this.expansionSelect.append(n("option", { value: e.time_expansion }, `${e.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const s of [this.dbMin, this.dbMax, this.threshold]) s.addEventListener("change", () => s.blur());
    return n(
      "div",
      { class: "el-toolbar" },
      n("div", { class: "el-group" }, this.viewButton, this.normSelect),
      n("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      n(
        "div",
        { class: "el-group" },
        u("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        u("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        u("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton
      ),
      n("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      n(
        "div",
        { class: "el-group" },
        n("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        u("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo
      )
    );
  }
  buildSide() {
    const e = this.project.tags, t = Y(e), s = n("div", { class: "el-tag-list" }), o = n("div", { class: "el-clip-tags" });
    e.forEach((r, h) => {
      const d = J(e, h), c = t.has(r.id) ? ` (hotkey "${r.hotkey}" is taken by a built-in key)` : "", f = u("", `${T(e, r.id)}${c}`, () => this.handlers.tag(r.id), "el-tag");
      f.append(n("span", { class: "el-swatch", style: `background:${G(e, r.id)}` }), n("kbd", {}, d || "·"), ` ${$(r)}`), this.tagButtons.set(r.id, f), s.append(f);
      const g = n("input", { type: "checkbox", "data-tag": r.id });
      g.addEventListener("change", () => (this.handlers.toggleClipTag(r.id), g.blur())), this.clipTagBoxes.set(r.id, g), o.append(n("label", { title: T(e, r.id) }, g, ` ${$(r)}`));
    });
    const a = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], l = n("div", { class: "el-flags" });
    for (const [r, h, d] of a) {
      const c = u(`${h} (${d})`, `${h} (${d})`, () => this.handlers.flag(r), "el-flag");
      c.setAttribute("aria-pressed", "false"), this.flagButtons.set(r, c), l.append(c);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), n(
      "aside",
      { class: "el-side" },
      n("section", {}, n("h2", {}, "Box tag"), this.pendingLabel, s),
      n("section", {}, n("h2", {}, "Selected box"), this.inspector),
      this.sidePanels,
      n("section", {}, n("h2", {}, "Clip"), l, o, this.clipTagsHint, this.notesArea)
    );
  }
  buildHelp() {
    const e = X.map(([s, o]) => n("tr", {}, n("th", {}, s), n("td", {}, o)));
    return n("dialog", { class: "el-help" }, n("h2", {}, "Keyboard"), n("table", {}, ...e), n("form", { method: "dialog" }, n("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(e) {
    const t = e.clip, s = t.recording;
    this.header.textContent = ` · ${s.name} · ${t.start_s.toFixed(3)}–${t.end_s.toFixed(3)} s · task ${e.id}${e.reason ? ` · ${e.reason}` : ""}`, this.header.title = `lease expires ${new Date(e.lease_expires_at).toLocaleTimeString()}`;
    for (const a of Array.from(this.expansionSelect.options)) {
      const l = N(s.samplerate, Number(a.value));
      a.disabled = !l, a.title = l ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    const o = Ae(e);
    this.taskNote.replaceChildren(...o.map((a) => n("p", {}, a))), this.taskNote.hidden = o.length === 0, this.hideConflict(), this.hideNotice();
  }
  /** Ask why the annotator skips (keys 1/2/3, Enter, Escape); null if they go back to the clip. */
  askSkipReason() {
    return this.skipChooser.ask();
  }
  updateToolbar(e) {
    this.viewButton.textContent = e.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = e.kind !== "spectrogram", p(this.normSelect, e.norm), p(this.dbMin, String(e.dbMin)), p(this.dbMax, String(e.dbMax)), this.dbText.textContent = `${e.dbMin} … ${e.dbMax}`, this.panButton.setAttribute("aria-pressed", String(e.panMode)), this.playButton.textContent = e.playing ? "❚❚ Pause" : "▶ Play", p(this.expansionSelect, String(e.expansion));
  }
  updatePredictions(e) {
    this.predToggle.checked = e.show, p(this.threshold, String(e.threshold));
    const t = Le(e.threshold, e.served, e.chosen);
    this.thresholdText.textContent = t.short, this.threshold.title = this.thresholdText.title = t.long, this.predInfo.textContent = e.model ? `${e.model}: ${e.shown}/${e.count}` : "no model";
  }
  updateDraft(e, t, s, o) {
    const a = this.project.tags, l = t ? t.tag : s;
    for (const [d, c] of this.tagButtons) c.classList.toggle("el-active", d === l);
    const r = a.find((d) => d.id === s);
    this.pendingLabel.textContent = t ? "Keys set the selected box's tag" : `Next box: ${r ? $(r) : "no tag"}`;
    for (const [d, c] of this.clipTagBoxes) c.checked = e.tags.includes(d);
    const h = Z(e);
    this.clipTagsHint.textContent = h ? "Clip tags follow the boxes' tags until you change them." : "Clip tags as you set them.";
    for (const [d, c] of this.flagButtons) c.setAttribute("aria-pressed", String(e[d]));
    p(this.notesArea, e.notes), this.updateInspector(t, o);
  }
  inspectorBuilt = !1;
  updateInspector(e, t) {
    if (!e) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(n("p", { class: "el-muted" }, t === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const s = (a) => this.inspector.querySelector(`[name=${a}]`);
    p(s("start_s"), e.start_s.toFixed(4)), p(s("end_s"), e.end_s.toFixed(4));
    const o = e.low_hz !== null && e.high_hz !== null;
    for (const a of ["low_hz", "high_hz"]) s(a).closest("label").hidden = !o;
    o && (p(s("low_hz"), (e.low_hz / 1e3).toFixed(2)), p(s("high_hz"), (e.high_hz / 1e3).toFixed(2))), p(this.inspector.querySelector("select"), e.tag === null ? "" : String(e.tag)), p(s("confidence"), e.confidence === null ? "" : String(e.confidence)), p(s("notes"), e.notes), this.inspector.querySelector(".el-duration").textContent = `${Q(e.end_s - e.start_s)}${o ? ` · ${((e.high_hz - e.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const e = (r, h, d, c) => {
      const f = n("input", { type: "number", name: r, step: d });
      return f.addEventListener("change", () => {
        const g = c(f.value);
        g === null && r !== "confidence" || this.handlers.editEvent({ [r]: g }, r);
      }), n("label", {}, h, f);
    }, t = (r) => r.trim() === "" || !Number.isFinite(Number(r)) ? null : Number(r), s = (r) => t(r) === null ? null : Number(r) * 1e3, o = n("select", { name: "tag" }, n("option", { value: "" }, "no tag"), ...this.project.tags.map((r) => n("option", { value: r.id }, T(this.project.tags, r.id))));
    o.addEventListener("change", () => this.handlers.editEvent({ tag: o.value === "" ? null : Number(o.value) }, "tag"));
    const a = n("input", { type: "text", name: "notes", placeholder: "box notes" });
    a.addEventListener("input", () => this.handlers.editEvent({ notes: a.value }, "notes"));
    const l = e("confidence", "confidence", "0.05", (r) => t(r) === null ? null : Math.min(1, Math.max(0, Number(r))));
    this.inspector.replaceChildren(
      n("div", { class: "el-grid" }, e("start_s", "start s", "0.0001", t), e("end_s", "end s", "0.0001", t), e("low_hz", "low kHz", "0.01", s), e("high_hz", "high kHz", "0.01", s)),
      n("label", {}, "tag ", o),
      l,
      a,
      n("div", { class: "el-row" }, n("span", { class: "el-duration el-muted" }), u("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
    );
  }
  /** Freeze the text fields and the submit/skip buttons while a request is out. */
  setBusy(e) {
    for (const t of this.main.querySelectorAll(".el-side input, .el-side textarea"))
      t.type === "checkbox" ? t.disabled = e : t.readOnly = e;
    this.submitButton.disabled = e, this.skipButton.disabled = e;
  }
  setStatus(e, t = "info", s = !1) {
    this.status.textContent = e, this.status.dataset.level = t, this.retry.hidden = !s;
  }
  setDraftState(e) {
    this.draftState.textContent = e;
  }
  showNotice(e, t = []) {
    this.notice.replaceChildren(n("span", {}, e), ...t.map((s) => u(s.label, s.label, () => (this.hideNotice(), s.run()))), u("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(e, t, s) {
    ee(this.conflict, e, t, s);
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
class Be {
  dialog;
  options = /* @__PURE__ */ new Map();
  note = n("input", { type: "text", class: "el-skip-note", maxlength: 500, placeholder: "why (needed for “other”)", "aria-label": "Why you skip this clip" });
  problem = n("p", { class: "el-skip-problem", role: "alert" });
  reason = null;
  settle = null;
  constructor() {
    const e = n("div", { class: "el-skip-options", role: "radiogroup" });
    for (const t of te) {
      const s = u("", t.label, () => this.choose(t.value), "el-skip-option");
      s.setAttribute("role", "radio"), s.dataset.reason = t.value, s.append(n("kbd", {}, t.key), ` ${t.label}`), this.options.set(t.value, s), e.append(s);
    }
    this.dialog = n(
      "dialog",
      { class: "el-skip" },
      n("h2", {}, "Why skip this clip?"),
      n("p", { class: "el-muted" }, "It goes to the end of your queue; leads see the reason."),
      e,
      this.note,
      this.problem,
      n("div", { class: "el-row" }, u("Skip ⏎", "Skip with this reason (Enter)", () => this.confirm(), "el-primary"), u("Back (Esc)", "Back to the clip (Escape)", () => this.close(null)))
    ), this.dialog.addEventListener("keydown", (t) => this.onKey(t)), this.dialog.addEventListener("cancel", (t) => (t.preventDefault(), this.close(null)));
  }
  ask() {
    return this.reason = null, this.note.value = "", this.problem.textContent = "", this.refresh(), this.dialog.showModal(), this.dialog.focus(), new Promise((e) => this.settle = e);
  }
  onKey(e) {
    const t = se(e, e.target === this.note);
    t && (e.preventDefault(), e.stopPropagation(), t.type === "choose" ? this.choose(t.reason) : t.type === "confirm" ? this.confirm() : this.close(null));
  }
  choose(e) {
    this.reason = e, this.problem.textContent = "", this.refresh(), e === "other" && this.note.focus();
  }
  confirm() {
    const e = ie(this.reason, this.note.value);
    if (typeof e == "string") {
      this.problem.textContent = e, this.reason === "other" && this.note.focus();
      return;
    }
    this.close(e);
  }
  close(e) {
    this.dialog.open && this.dialog.close(), this.settle?.(e), this.settle = null;
  }
  refresh() {
    for (const [e, t] of this.options) t.setAttribute("aria-checked", String(e === this.reason));
  }
}
function De(i, e, t, s) {
  i.replaceChildren(
    n(
      "div",
      { class: "el-empty" },
      n("h1", {}, "Queue empty"),
      n("p", {}, `No clips are waiting for you in ${e}. New ones appear after the next sampling round.`),
      n("p", {}, u("Check again", "Ask for the next clip again", s, "el-primary"), t ? n("a", { href: t }, "Back to the project") : null)
    )
  );
}
function Ve(i, e, t) {
  i.replaceChildren(n("div", { class: "el-empty el-error" }, n("h1", {}, "Could not load the annotator"), n("p", {}, e), n("p", {}, u("Try again", "Try again", t, "el-primary"))));
}
const He = [
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
  ["snr_db", "SNR", "dB", "The call's loudest part over the box's noise floor"]
];
function Re(i, e) {
  if (i === null || !Number.isFinite(i)) return "—";
  switch (e) {
    case "ms":
      return `${(i * 1e3).toFixed(2)} ms`;
    case "kHz":
      return `${(i / 1e3).toFixed(2)} kHz`;
    case "s":
      return `${i.toFixed(4)} s`;
    case "dB":
      return `${i.toFixed(1)} dB`;
  }
}
function H(i, e, t) {
  if (!e) {
    i.replaceChildren(n("p", { class: "el-muted" }, t));
    return;
  }
  const s = He.map(([o, a, l, r]) => {
    const h = e[o];
    return n("tr", { title: r }, n("th", {}, a), n("td", { "data-field": o, "data-value": h === null ? "" : String(h) }, Re(h, l)));
  });
  i.replaceChildren(n("table", { class: "el-measure-table" }, ...s), e.reason ? n("p", { class: "el-muted el-measure-note" }, e.reason) : "");
}
const E = 60;
function I(i) {
  let e = -1;
  for (let t = 0; t < i.db.length; t++) (e < 0 || i.db[t] > i.db[e]) && (e = t);
  return e;
}
function qe(i, e, t, s = "") {
  const { width: o, height: a } = e, l = { left: 30, right: 6, top: 14, bottom: 16 };
  i.clearRect(0, 0, o, a), i.fillStyle = "#0b0e11", i.fillRect(0, 0, o, a), i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif";
  const r = t ? I(t) : -1;
  if (!t || r < 0) {
    i.fillText(s || t?.reason || "", 6, a / 2);
    return;
  }
  const h = t.freqs_hz[0], d = t.freqs_hz[t.freqs_hz.length - 1], c = t.db[r], f = o - l.left - l.right, g = a - l.top - l.bottom, b = (m) => l.left + (d > h ? (m - h) / (d - h) * f : f / 2), A = (m) => l.top + Math.min(E, Math.max(0, c - m)) / E * g;
  i.strokeStyle = "#323b44", i.strokeRect(l.left, l.top, f, g), i.strokeStyle = "#4fc3f7", i.beginPath(), t.freqs_hz.forEach((m, S) => S ? i.lineTo(b(m), A(t.db[S])) : i.moveTo(b(m), A(t.db[S]))), i.stroke(), i.fillStyle = "#8d9aa5", i.fillText(`${(h / 1e3).toFixed(1)}`, l.left, a - 4);
  const L = `${(d / 1e3).toFixed(1)} kHz`;
  i.fillText(L, o - l.right - i.measureText(L).width, a - 4), i.fillText(`${c.toFixed(0)}`, 2, l.top + 8), i.fillText(`${(c - E).toFixed(0)}`, 2, a - l.bottom), i.fillStyle = "#ffb74d", i.fillText(`peak ${(t.freqs_hz[r] / 1e3).toFixed(2)} kHz, ${c.toFixed(1)} dB`, l.left + 4, l.top - 3);
}
function R(i, e, t) {
  return (i - e.start) / (e.end - e.start) * t;
}
function je(i) {
  let e = 0;
  for (let t = 0; t < i.min.length; t++) e = Math.max(e, Math.abs(i.min[t]), Math.abs(i.max[t]));
  return e > 0 ? 0.9 / e : 1;
}
function Oe(i, e, t, s) {
  const { width: o, height: a } = e, l = a / 2;
  if (i.clearRect(0, 0, o, a), i.fillStyle = "#0b0e11", i.fillRect(0, 0, o, a), i.strokeStyle = "#323b44", i.beginPath(), i.moveTo(0, l), i.lineTo(o, l), i.stroke(), !t || !t.min.length) return;
  const r = je(t) * l, h = (t.end - t.start) / t.min.length;
  i.fillStyle = "#4fc3f7";
  for (let d = 0; d < t.min.length; d++) {
    const c = R(t.start + d * h, s, o), f = R(t.start + (d + 1) * h, s, o);
    if (f < 0 || c > o) continue;
    const g = l - t.max[d] * r, b = l - t.min[d] * r;
    i.fillRect(c, g, Math.max(1, f - c), Math.max(1, b - g));
  }
  i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif", i.fillText(`±${(0.9 / (r / l)).toFixed(3)} FS`, 4, 11);
}
const Ke = 80, We = 150, Ue = 4096, Ye = 64, Je = 120;
class q {
  timer;
  controller = null;
  run(e, t) {
    this.cancel();
    const s = new AbortController();
    this.controller = s, this.timer = setTimeout(() => {
      t(s.signal).catch(() => {
      });
    }, e);
  }
  cancel() {
    clearTimeout(this.timer), this.controller?.abort(), this.controller = null;
  }
}
function j(i) {
  return Object.entries(i).filter(([, e]) => e !== null).map(([e, t]) => `${e}=${Number(t.toFixed(7))}`).join("&");
}
class Ge {
  constructor(e) {
    this.api = e, H(this.table, null, "Select a box to measure it.");
  }
  api;
  wave = n("canvas", { class: "el-waveform", "aria-label": "Waveform of the visible window" });
  spectrumCanvas = n("canvas", { class: "el-spectrum", "aria-label": "Power spectrum of the selected box" });
  table = n("div", { class: "el-measurements" });
  /** Under the image, aligned with it (the empty cell sits under the frequency axis). */
  strip = n("div", { class: "el-wave-row" }, n("div", { class: "el-wave-label" }, "wave"), this.wave);
  side = n("section", { class: "el-analysis", "data-state": "empty" }, n("h2", {}, "Spectrum of the box"), this.spectrumCanvas, n("h2", {}, "Measurements"), this.table);
  envelope = null;
  envelopeKey = "";
  view = null;
  spectrum = null;
  selectionKey = "";
  envelopes = new q();
  measures = new q();
  /** The visible window changed (or was repainted): redraw the strip, fetch a new envelope if needed. */
  follow(e, t) {
    this.view = t, this.drawWave();
    const s = Math.min(Ue, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!e || s < 1) return;
    const o = e.clip.recording, a = Math.max(0, t.start), l = Math.min(o.duration_s, t.end), r = `${o.id}:${a.toFixed(6)}:${l.toFixed(6)}:${s}`;
    r === this.envelopeKey || !(l > a) || (this.envelopeKey.startsWith(`${o.id}:`) || (this.envelope = null), this.envelopeKey = r, this.envelopes.run(Ke, async (h) => {
      this.envelope = await this.api.json(`recordings/${o.id}/envelope/?${j({ start: a, end: l, width: s })}`, h), this.drawWave();
    }));
  }
  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(e, t) {
    const s = e && t ? `${e.clip.recording.id}:${t.start_s}:${t.end_s}:${t.low_hz}:${t.high_hz}` : "";
    if (s === this.selectionKey) return;
    if (this.selectionKey = s, !e || !t)
      return this.measures.cancel(), this.show("empty", null, null, "Select a box to measure it.");
    this.show("loading", null, null, "Measuring…");
    const o = e.clip.recording.id, a = j({ start: t.start_s, end: t.end_s, low: t.low_hz, high: t.high_hz });
    this.measures.run(We, async (l) => {
      try {
        const [r, h] = await Promise.all([
          this.api.json(`recordings/${o}/spectrum/?${a}&bins=512`, l),
          this.api.json(`recordings/${o}/measurements/?${a}`, l)
        ]);
        this.selectionKey === s && this.show("ready", r, h, "");
      } catch (r) {
        !l.aborted && this.selectionKey === s && this.show("error", null, null, r.message);
      }
    });
  }
  show(e, t, s, o) {
    this.side.dataset.state = e, this.spectrum = t, H(this.table, s, o), this.drawSpectrumPanel(o);
  }
  drawWave() {
    if (!this.view) return;
    const e = { width: this.wave.clientWidth || 300, height: Ye };
    Oe(F(this.wave, e), e, this.envelope, this.view), this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }
  drawSpectrumPanel(e) {
    const t = { width: this.spectrumCanvas.clientWidth || 240, height: Je };
    qe(F(this.spectrumCanvas, t), t, this.spectrum, e);
    const s = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(s?.db.length ?? 0), this.spectrumCanvas.dataset.peakHz = s && I(s) >= 0 ? String(s.freqs_hz[I(s)]) : "";
  }
}
const Xe = [0, 0.5, 0.75, 0.9], Ze = ["hann", "hamming", "blackman", "blackmanharris", "boxcar"], Qe = [
  ["none", "plain"],
  ["reassigned", "reassigned"],
  ["multitaper", "multitaper"]
], et = [
  [6, "FM (w0 6)"],
  [200, "CF (w0 200)"]
];
function v(i, e, t) {
  return n("select", { title: i, name: e, class: "el-view-option" }, ...t.map(([s, o]) => n("option", { value: s }, o)));
}
function x(i, e, t) {
  Array.from(i.options).some((s) => s.value === e) || i.append(n("option", { value: e }, t));
}
const k = (i) => `${Number((i * 1e3).toPrecision(3))} ms`;
class tt {
  constructor(e) {
    this.viewer = e;
    const t = e.options;
    t.window !== "auto" && x(this.window, String(t.window), k(t.window)), x(this.overlap, String(t.overlap), `${Math.round(t.overlap * 100)} %`), x(this.wavelet, String(t.w0), `w0 ${t.w0}`), this.window.addEventListener("change", () => this.set({ window: this.window.value === "auto" ? "auto" : Number(this.window.value) })), this.overlap.addEventListener("change", () => this.set({ overlap: Number(this.overlap.value) })), this.windowType.addEventListener("change", () => this.set({ windowType: this.windowType.value })), this.sharpen.addEventListener("change", () => this.set({ sharpen: this.sharpen.value })), this.wavelet.addEventListener("change", () => this.set({ w0: Number(this.wavelet.value) })), this.autoLevels.addEventListener("change", () => this.set({ autoLevels: this.autoLevels.checked })), this.element = n(
      "div",
      { class: "el-group el-view-options" },
      n("label", {}, "window ", this.window),
      this.overlap,
      this.windowType,
      this.sharpen,
      this.wavelet,
      n("label", { title: "Levels from each view's percentiles (Shift+L); the dB sliders turn it off" }, this.autoLevels, " auto levels"),
      this.levelsText
    ), e.onOptions = () => this.update(), this.update();
  }
  viewer;
  element;
  window = v("STFT window ([ shorter, ] longer); auto follows the zoom", "window", [
    ["auto", "auto"],
    ...ne.map((e) => [String(e / 1e3), k(e / 1e3)])
  ]);
  overlap = v("STFT overlap", "overlap", Xe.map((e) => [String(e), `${Math.round(e * 100)} %`]));
  windowType = v("STFT window type", "window_type", Ze.map((e) => [e, e]));
  sharpen = v("Sharpening (Shift+R cycles): reassigned draws FM sweeps as thin lines; multitaper speckles less", "sharpen", Qe);
  wavelet = v("Scalogram bandwidth: narrow for constant-frequency calls", "w0", et.map(([e, t]) => [String(e), t]));
  autoLevels = n("input", { type: "checkbox", name: "auto_levels" });
  levelsText = n("span", { class: "el-levels-text el-muted" });
  set(e) {
    document.activeElement?.blur(), this.viewer.setOptions(e);
  }
  /** Show the viewer's options, and what "auto" resolved to for the image on screen. */
  update() {
    const e = this.viewer.options, t = this.viewer.kind === "spectrogram";
    e.window !== "auto" && x(this.window, String(e.window), k(e.window)), p(this.window, String(e.window)), this.window.options[0].textContent = e.window === "auto" && t ? `auto (${k(this.viewer.shownWindow())})` : "auto", p(this.overlap, String(e.overlap)), p(this.windowType, e.windowType), p(this.sharpen, e.sharpen), p(this.wavelet, String(e.w0));
    for (const o of [this.window, this.overlap, this.windowType, this.sharpen]) o.hidden = !t;
    this.wavelet.hidden = t, this.autoLevels.checked = e.autoLevels;
    const s = this.viewer.shownLevels();
    this.levelsText.textContent = e.autoLevels && s ? `${s[0].toFixed(0)} … ${s[1].toFixed(0)}` : "";
  }
}
const st = 720 * 3600 * 1e3, it = 0.5;
function W(i) {
  const e = i?.model_version?.threshold;
  return typeof e == "number" && Number.isFinite(e) && e >= 0 && e <= 1 ? e : null;
}
function nt(i, e) {
  return e ?? W(i) ?? it;
}
class ot {
  constructor(e) {
    this.page = e, this.submitter = new Ie((t, s) => e.api.submit(t, s), () => this.draftValue, this.submitEvents()), this.lease = new Pe(async (t) => (await e.api.renew(t)).lease_expires_at, {
      lost: (t) => this.status(`Your hold on this clip ran out (${t}). Submitting still saves your work.`, "warn")
    }), this.player = new oe(
      (t) => this.viewer && (this.viewer.playhead = t, this.viewer.render()),
      (t, s) => {
        t === "error" && this.status(s ?? "playback failed", "error"), this.refreshToolbar();
      }
    );
  }
  page;
  project;
  ui;
  viewer;
  analysis;
  pointer;
  player;
  task = null;
  draftValue = ae();
  undoStack = B();
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
    const { root: e, api: t, projectId: s } = this.page;
    e.dataset.state = "loading";
    try {
      this.project = await t.project(s);
    } catch (a) {
      e.dataset.state = "error", Ve(e, a.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new Fe(e, this.project, this.handlers()), this.analysis = new Ge(t), this.ui.belowPlot.replaceChildren(this.analysis.strip), this.ui.sidePanels.replaceChildren(this.analysis.side);
    const o = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new re(this.project, t, this.ui, o, (a, l) => this.status(a, l)), this.ui.main.querySelector(".el-toolbar")?.append(new tt(this.viewer).element), this.pointer = new le(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (a) => this.onKey(a));
    for (const a of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(a, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(st), await this.loadNext();
  }
  async loadNext() {
    const { root: e, api: t, projectId: s } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, e.dataset.state = "loading", e.contains(this.ui.main) || e.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let o;
    try {
      o = await t.nextTask(s);
    } catch (a) {
      e.dataset.state = "error", this.status(`Could not get the next clip: ${a.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!o) {
      e.dataset.state = "empty", De(e, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(o);
  }
  openTask(e) {
    this.task = e, this.lease.start(e.id, e.lease_expires_at), this.ui.setTask(e), this.draftValue = this.restoreDraft(e), this.undoStack = B(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], N(e.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(e), this.page.api.predictions(e.clip.id).then(
      (t) => this.task === e && (this.predictions = t, this.refresh()),
      () => {
      }
      // predictions are optional help; the page works without them
    );
  }
  showImage(e) {
    this.viewer.open(e).then((t) => {
      this.task !== e || t === "stale" || (t === "ready" ? this.page.root.dataset.state = "ready" : this.ui.showNotice("The image did not load.", [{ label: "Retry", run: () => this.showImage(e) }]));
    });
  }
  /** The server's annotation, or the user's unsaved work on it from localStorage. */
  restoreDraft(e) {
    const { drafts: t } = this.page, s = z(e.annotation), { draft: o, restored: a, older: l } = Ee(t, e.id, s), r = (h) => new Date(h).toLocaleString();
    return a ? (this.status(`Restored your unsaved draft from ${r(a.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${r(a.savedAt)}).`, [{ label: "Discard it", run: () => this.change(s) }])) : l && this.ui.showNotice(`You have unsaved work on this clip from ${r(l.savedAt)}, but someone saved it since (version ${s.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...l.draft, version: s.version }) },
      { label: "Merge mine into theirs", run: () => this.change(D(l.draft, s)) },
      { label: "Discard mine", run: () => t.remove(e.id, l.version) }
    ]), a || this.status(e.annotation ? `Editing saved version ${e.annotation.version}.` : "New clip.", "info"), o;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const e = he(this.draftValue);
    if (e.length && this.warnedFor !== this.draftValue)
      return this.warnedFor = this.draftValue, this.status(`${e.join("; ")}. Press Enter again to submit anyway.`, "warn");
    this.submitter.send(this.task.id);
  }
  submitEvents() {
    return {
      busy: (e) => {
        this.page.root.dataset.state = e ? "submitting" : "ready", this.ui.setBusy(e);
      },
      status: (e, t, s) => this.status(e, t, s),
      done: (e) => {
        const t = this.task;
        this.page.drafts.remove(t.id, e.version), this.status(`Submitted clip ${t.clip.id}.`, "ok"), this.loadNext().then(() => this.task && this.status(`Submitted clip ${t.clip.id}; here is the next one.`, "ok"));
      },
      conflict: (e, t) => this.showConflict(e, t)
    };
  }
  /** 409: show both versions and let the user choose; never overwrite silently. */
  showConflict(e, t) {
    const s = this.task, o = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !e) {
      const h = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(t, ["Your draft is kept and will be offered again."], [h]);
    }
    const a = z(e), l = (h) => `${h.events.length} boxes, ${h.tags.length} clip tags${h.no_calls ? ", no calls" : ""}${h.noise ? ", noise" : ""}${h.uncertain ? ", uncertain" : ""}`, r = (h) => {
      this.page.drafts.remove(s.id, o.version), this.change(h);
    };
    this.ui.showConflict(
      `${t} (now version ${e.version})`,
      [`Theirs: ${l(a)}`, `Yours: ${l(o)}`],
      [
        { label: "Use theirs", run: () => r(a) },
        { label: "Merge (theirs + your boxes)", run: () => (r(D(o, a)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (r({ ...o, version: e.version }), void this.submitter.send(s.id)) }
      ]
    );
  }
  /** k: ask why, release the task with the reason (its draft stays in localStorage) and open the next. */
  async skip() {
    const e = this.task;
    if (!e || this.submitter.inFlight || this.skipping) return;
    this.skipping = !0;
    const t = await this.ui.askSkipReason();
    if (!t || this.task !== e) return void (this.skipping = !1);
    this.submitter.cancel(), this.player.stop(), this.status("Skipping…", "busy");
    try {
      await this.page.api.release(e.id, t), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${e.clip.id} (${de(t)}).`, "info");
    } catch (s) {
      if (this.skipping = !1, s instanceof P && s.status === 409) return void this.loadNext();
      this.status(`Could not skip: ${s instanceof P ? s.message : String(s)}`, "error");
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(e, t = null, s = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    e !== s && (e = ce(s, e), this.undoStack = ue(this.undoStack, s, t), this.draftValue = e, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const e = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(e ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(e) {
    if (!this.canEdit()) return;
    const t = e === "undo" ? pe(this.undoStack, this.draftValue) : fe(this.undoStack, this.draftValue);
    if (!t) return this.status(`Nothing to ${e}.`, "info");
    this.undoStack = t.stack, this.draftValue = { ...t.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(e) {
    if (this.selectedIndex === null)
      return this.pendingTag = e, this.refresh();
    this.change(_(this.draftValue, this.selectedIndex, { tag: e }));
  }
  editSelected(e, t) {
    const s = this.selectedIndex;
    if (s === null) return;
    let o = _(this.draftValue, s, e);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(t) && (o = _(o, s, ge(o.events[s], this.boxBounds()))), this.change(o, `edit:${s}:${t}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const e = this.selectedIndex;
    this.selectedIndex = null, this.change(me(this.draftValue, e));
  }
  cycleSelection(e) {
    const t = this.draftValue.events.map((o, a) => [o.start_s, a]).sort((o, a) => o[0] - a[0]).map((o) => o[1]);
    if (!t.length) return;
    const s = this.selectedIndex === null ? e > 0 ? -1 : 0 : t.indexOf(this.selectedIndex);
    this.select(t[(s + e + t.length) % t.length]);
  }
  accept(e) {
    const t = this.project.settings.annotation_mode, s = !e && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, o = s ? [s] : this.visiblePredictions().map((l) => l.p);
    if (!o.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let a = this.draftValue;
    for (const l of o) a = V(a, we(l, t));
    this.selectedPred = null, this.change(a), o.length === 1 && this.select(a.events.length - 1), this.status(`Accepted ${o.length} prediction${o.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const e = this.task.clip.recording, t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = this.viewer.view, o = Math.max(0, t ? t.start_s : s.start), a = Math.min(e.duration_s, t ? t.end_s : s.end), l = t && t.low_hz !== null && t.high_hz !== null ? { low: t.low_hz, high: t.high_hz } : {}, r = this.page.api.audioUrl(e.id, { start: o, end: a, expansion: this.expansion, ...l });
    this.player.play({ url: r, start: o, end: a, expansion: this.expansion });
  }
  setExpansion(e) {
    this.player.stop(), this.expansion = e, this.refreshToolbar();
  }
  cycleExpansion() {
    const e = this.task?.clip.recording.samplerate ?? 1 / 0, t = C.filter((o) => N(e, o)), s = t[(t.indexOf(this.expansion) + 1) % t.length] ?? 1;
    this.setExpansion(s), this.status(`Playback slowed down ${s}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(e) {
    if (e.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const t = e.target, s = ve(t);
    if ((t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement || t instanceof HTMLInputElement && !s) && ["Enter", " ", "Tab"].includes(e.key)) return;
    const a = be(e, { tags: this.project.tags, typing: s !== null, multiline: s === "text" });
    if (a) {
      if (this.pointer.active && a.type !== "escape") return e.preventDefault();
      (a.type === "selectNext" || a.type === "selectPrev") && !this.draftValue.events.length || (e.preventDefault(), this.perform(a, t));
    }
  }
  perform(e, t) {
    const s = this.viewer;
    switch (e.type) {
      case "submit":
        return this.submit();
      case "skip":
        return void this.skip();
      case "toggleView":
        return s.toggleKind(), this.refreshToolbar();
      case "noCalls":
        return this.change(y(this.draftValue, "no_calls"));
      case "noise":
        return this.change(y(this.draftValue, "noise"));
      case "uncertain":
        return this.change(y(this.draftValue, "uncertain"));
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
        return this.setTag(e.tagId);
      case "blur":
        return t?.blur();
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
        return s.pan(-e.dx * s.size.width, e.dy * s.size.height);
      case "panMode":
        return this.panning = !this.panning, this.refreshToolbar();
      case "cycleExpansion":
        return this.cycleExpansion();
      case "help":
        return this.ui.toggleHelp();
      case "window":
        return s.stepWindow(e.step);
      case "cycleSharpen":
        return s.setOptions({ sharpen: ye(s.options.sharpen) });
      case "autoLevels":
        return s.setOptions({ autoLevels: !s.options.autoLevels });
    }
  }
  /** +/- zoom around the selected box if there is one, else around the middle. */
  zoom(e) {
    const t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null;
    this.viewer.zoomStep(e, t ? (t.start_s + t.end_s) / 2 : void 0);
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
    const e = this.task.clip;
    return { start: e.start_s, end: e.end_s, low: this.viewer.bounds.low, high: this.viewer.bounds.high };
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
    const e = this.project.settings.annotation_mode;
    return this.predictions.events.map((t, s) => ({ p: t, index: s })).filter(({ p: t }) => t.score >= this.threshold && !xe(this.draftValue, t, e));
  }
  select(e) {
    this.selectedIndex = e, e !== null && (this.selectedPred = null), this.refresh();
  }
  selectPrediction(e) {
    this.selectedPred = e, this.refresh();
  }
  preview(e) {
    this.draftValue = e, this.refresh();
  }
  commit(e, t) {
    this.draftValue = t, this.change(e, null, t);
  }
  addBox(e) {
    if (e.end_s - e.start_s <= 0) return this.status("Boxes must lie inside the clip (the bright part).", "warn");
    const t = V(this.draftValue, { ...e, tag: this.pendingTag, confidence: null, notes: "" });
    this.change(t), this.select(t.events.length - 1);
  }
  setDrawing(e) {
    this.viewer.drawing = e, this.viewer.render();
  }
  setCursor(e) {
    this.viewer.cursor = e, this.viewer.render();
  }
  pan(e, t) {
    this.viewer.pan(e, t);
  }
  zoomTime(e, t) {
    this.viewer.zoomTime(e, t);
  }
  zoomFreq(e, t) {
    this.viewer.zoomFreq(e, t);
  }
  canEdit() {
    return !!this.task && !this.submitter.inFlight && !this.skipping;
  }
  // ---- panels --------------------------------------------------------------------------------
  get threshold() {
    return nt(this.predictions, this.chosenThreshold);
  }
  overlay() {
    const e = this.visiblePredictions(), t = e.findIndex((s) => s.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: this.draftValue.events,
      selected: this.selectedIndex,
      predictions: e.map((s) => s.p),
      selectedPrediction: t >= 0 ? t : null,
      drawingTag: this.pendingTag
    };
  }
  /** Refresh every panel and redraw (after a draft or selection change). */
  refresh() {
    const e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] ?? null : null;
    this.ui.updateDraft(this.draftValue, e, this.pendingTag, this.project.settings.annotation_mode), this.analysis.select(this.task, e), this.refreshToolbar();
    const t = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: W(t),
      chosen: this.chosenThreshold !== null,
      model: t?.model_version?.name ?? null,
      count: t?.events.length ?? 0,
      shown: this.visiblePredictions().length
    }), this.viewer.render();
  }
  refreshToolbar() {
    const e = this.viewer;
    e && this.ui.updateToolbar({ kind: e.kind, norm: e.norm, dbMin: e.dbMin, dbMax: e.dbMax, panMode: this.panning, playing: this.player.playing, expansion: this.expansion });
  }
  status(e, t = "info", s = !1) {
    this.ui?.setStatus(e, t, s);
  }
  handlers() {
    return {
      tag: (e) => this.setTag(e),
      toggleClipTag: (e) => this.change(Se(this.draftValue, e)),
      flag: (e) => this.change(y(this.draftValue, e)),
      notes: (e) => this.change(ke(this.draftValue, e), "notes"),
      editEvent: (e, t) => this.editSelected(e, t),
      deleteSelected: () => this.deleteSelected(),
      toggleView: () => (this.viewer.toggleKind(), this.refreshToolbar()),
      norm: (e) => this.viewer.setNorm(e),
      db: (e, t) => (this.viewer.setDb(e, t), this.refreshToolbar()),
      zoom: (e) => this.zoom(e),
      panMode: () => (this.panning = !this.panning, this.refreshToolbar()),
      play: () => this.togglePlay(),
      expansion: (e) => this.setExpansion(e),
      showPredictions: (e) => (this.showPreds = e, this.refresh()),
      threshold: (e) => (this.chosenThreshold = e, this.selectedPred = null, this.refresh()),
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
function at() {
  try {
    const i = window.localStorage;
    return i.setItem("echoloop:probe", "1"), i.removeItem("echoloop:probe"), i;
  } catch {
    const i = /* @__PURE__ */ new Map();
    return {
      getItem: (e) => i.get(e) ?? null,
      setItem: (e, t) => {
        i.set(e, t);
      },
      removeItem: (e) => {
        i.delete(e);
      },
      key: (e) => [...i.keys()][e] ?? null,
      get length() {
        return i.size;
      }
    };
  }
}
function O() {
  const i = document.getElementById("echoloop-annotator");
  if (!i) return;
  const e = Te(), t = new ot({
    root: i,
    api: new _e(i.dataset.apiBase || "/api/", e.csrfToken ?? ""),
    drafts: new $e(at()),
    projectId: Number(i.dataset.projectId),
    nextUrl: i.dataset.nextUrl || void 0
  });
  window.echoloop = t.hook(), t.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", O) : O();
