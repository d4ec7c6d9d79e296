import { s as E, f as z, A as C, e as U, h as n, b as u, E as N, a as Y, t as J, c as b, d as X, H as G, g as P, i as p, j as Z, k as Q, l as tt, S as et, r as st, m as it, p as L, W as nt, P as ot, n as at, o as B, q as rt, V as lt, u as ht, v as D, w as dt, x as ct, y as ut, z as pt, B as ft, C as gt, D as mt, F as T, G as wt, I as vt, J as V, K as bt, L as yt, M as xt, N as kt, O as x, Q as St, R as _t, T as Tt, U as $t, X as Mt } from "./shared-viewer.js";
const K = "echoloop:draft:v1:";
function w(i, t) {
  return `${K}${i}:${t ?? "new"}`;
}
class Et {
  constructor(t, e = Date.now) {
    this.store = t, this.now = e;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(t, e, s) {
    const o = { taskId: t, version: e, savedAt: this.now(), draft: s };
    try {
      return this.store.setItem(w(t, e), JSON.stringify(o)), !0;
    } catch {
      return !1;
    }
  }
  load(t, e) {
    return this.parse(this.store.getItem(w(t, e)));
  }
  remove(t, e) {
    this.store.removeItem(w(t, e));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(t, e) {
    const s = w(t, e);
    return this.all().filter((o) => o.taskId === t && w(o.taskId, o.version) !== s).sort((o, a) => a.savedAt - o.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(t) {
    const e = this.now() - t, s = this.all().filter((o) => o.savedAt < e);
    for (const o of s) this.remove(o.taskId, o.version);
    return s.length;
  }
  all() {
    const t = [];
    for (let e = 0; e < this.store.length; e++) {
      const s = this.store.key(e);
      s && s.startsWith(K) && t.push(s);
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
function zt(i, t, e) {
  const s = i.load(t, e.version);
  if (s && !E(s.draft, e))
    return { draft: { ...s.draft, version: e.version }, restored: s, older: null };
  s && i.remove(t, e.version);
  const o = i.others(t, e.version).find((a) => !E(a.draft, e)) ?? null;
  return { draft: e, restored: null, older: o };
}
const Ct = {
  now: () => Date.now(),
  setTimeout: (i, t) => setTimeout(i, t),
  clearTimeout: (i) => clearTimeout(i)
};
function Nt(i, t, e = 15e3) {
  return Math.max(e, Math.floor((i - t) / 2));
}
class Pt {
  constructor(t, e, s = Ct) {
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
    const t = Nt(this.expiresAt, this.clock.now());
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
function It(i) {
  if (!(i instanceof C)) return { kind: "retry", message: String(i?.message ?? i) };
  const t = i.body;
  if (i.status === 409) {
    const e = t && typeof t == "object" ? t.current ?? null : null, s = t && typeof t == "object" && typeof t.detail == "string" ? t.detail : "";
    return { kind: "conflict", current: e, message: s || "Someone else saved this clip meanwhile." };
  }
  if (i.status === 400) {
    const e = U(i.body);
    return { kind: "invalid", messages: e.length ? e : [i.message] };
  }
  return i.status === 0 || i.status >= 500 || i.status === 429 || i.status === 408 ? { kind: "retry", message: i.message } : { kind: "fatal", message: i.message };
}
function At(i, t = Math.random) {
  const e = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, i)));
  return Math.round(e * (1 + 0.2 * t()));
}
class Ft {
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
    } catch (o) {
      s = It(o);
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
      const a = At(this.attempt++);
      this.on.status(`Submit failed (${t.message}). Your draft is kept; retrying in ${Math.round(a / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(e);
      }, a);
      return;
    }
    if (this.attempt = 0, t.kind === "conflict")
      return t.current && E(z(t.current), s) ? this.on.done(s) : this.on.conflict(t.current, t.message);
    const o = t.kind === "invalid" ? t.messages.join("; ") : t.message;
    this.on.status(`Not saved: ${o} (your draft is kept)`, "error");
  }
}
function $(i) {
  return i.display_name || i.value;
}
function Lt(i) {
  const t = [];
  if (i.returned_to) {
    const e = i.return_note ? `: “${i.return_note}”` : "", s = i.annotation ? " Your earlier answer is loaded: fix it and submit." : "";
    t.push(`A lead sent this clip back${e}.${s}`);
  }
  return i.your_last_skip && t.push(`You skipped this clip before (${i.your_last_skip.why}); nothing else is waiting for you.`), t;
}
function Bt(i, t, e) {
  const s = i.toFixed(2);
  if (!e && t !== null)
    return { short: `${s} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${s}: the model's threshold on its calibrated scores` };
  if (e) {
    const o = t === null ? "" : `; the model's calibrated threshold is ${t.toFixed(2)}`;
    return { short: `${s} (yours)`, long: `Showing predictions scoring at least ${s}, your choice${o}` };
  }
  return { short: s, long: `Prediction score threshold: showing predictions scoring at least ${s}` };
}
class Dt {
  constructor(t, e, s) {
    this.root = t, this.project = e, this.handlers = s, this.helpDialog = this.buildHelp(), this.main = n(
      "div",
      { class: "el-app" },
      n("header", { class: "el-header" }, n("strong", {}, e.name), this.header, u("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
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
  skipChooser = new Vt();
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
    const t = this.project.settings;
    for (const s of [this.dbMin, this.dbMax])
      s.min = String(Math.min(-140, t.db_min - 20)), s.max = String(Math.max(40, t.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const e = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", e), this.dbMax.addEventListener("input", e);
    for (const s of N) this.expansionSelect.append(n("option", { value: s }, `${s}×`));
    N.includes(t.time_expansion) || this.expansionSelect.append(n("option", { value: t.time_expansion }, `${t.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
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
    const t = this.project.tags, e = Y(t), s = n("div", { class: "el-tag-list" }), o = n("div", { class: "el-clip-tags" });
    t.forEach((l, h) => {
      const d = J(t, h), c = e.has(l.id) ? ` (hotkey "${l.hotkey}" is taken by a built-in key)` : "", f = u("", `${b(t, l.id)}${c}`, () => this.handlers.tag(l.id), "el-tag");
      f.append(n("span", { class: "el-swatch", style: `background:${X(t, l.id)}` }), n("kbd", {}, d || "·"), ` ${$(l)}`), this.tagButtons.set(l.id, f), s.append(f);
      const g = n("input", { type: "checkbox", "data-tag": l.id });
      g.addEventListener("change", () => (this.handlers.toggleClipTag(l.id), g.blur())), this.clipTagBoxes.set(l.id, g), o.append(n("label", { title: b(t, l.id) }, g, ` ${$(l)}`));
    });
    const a = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], r = n("div", { class: "el-flags" });
    for (const [l, h, d] of a) {
      const c = u(`${h} (${d})`, `${h} (${d})`, () => this.handlers.flag(l), "el-flag");
      c.setAttribute("aria-pressed", "false"), this.flagButtons.set(l, c), r.append(c);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), n(
      "aside",
      { class: "el-side" },
      n("section", {}, n("h2", {}, "Box tag"), this.pendingLabel, s),
      n("section", {}, n("h2", {}, "Selected box"), this.inspector),
      this.sidePanels,
      n("section", {}, n("h2", {}, "Clip"), r, o, this.clipTagsHint, this.notesArea)
    );
  }
  buildHelp() {
    const t = G.map(([s, o]) => n("tr", {}, n("th", {}, s), n("td", {}, o)));
    return n("dialog", { class: "el-help" }, n("h2", {}, "Keyboard"), n("table", {}, ...t), n("form", { method: "dialog" }, n("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(t) {
    const e = t.clip, s = e.recording;
    this.header.textContent = ` · ${s.name} · ${e.start_s.toFixed(3)}–${e.end_s.toFixed(3)} s · task ${t.id}${t.reason ? ` · ${t.reason}` : ""}`, this.header.title = `lease expires ${new Date(t.lease_expires_at).toLocaleTimeString()}`;
    for (const a of Array.from(this.expansionSelect.options)) {
      const r = P(s.samplerate, Number(a.value));
      a.disabled = !r, a.title = r ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    const o = Lt(t);
    this.taskNote.replaceChildren(...o.map((a) => n("p", {}, a))), this.taskNote.hidden = o.length === 0, this.hideConflict(), this.hideNotice();
  }
  /** Ask why the annotator skips (keys 1/2/3, Enter, Escape); null if they go back to the clip. */
  askSkipReason() {
    return this.skipChooser.ask();
  }
  updateToolbar(t) {
    this.viewButton.textContent = t.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = t.kind !== "spectrogram", p(this.normSelect, t.norm), p(this.dbMin, String(t.dbMin)), p(this.dbMax, String(t.dbMax)), this.dbText.textContent = `${t.dbMin} … ${t.dbMax}`, this.panButton.setAttribute("aria-pressed", String(t.panMode)), this.playButton.textContent = t.playing ? "❚❚ Pause" : "▶ Play", p(this.expansionSelect, String(t.expansion));
  }
  updatePredictions(t) {
    this.predToggle.checked = t.show, p(this.threshold, String(t.threshold));
    const e = Bt(t.threshold, t.served, t.chosen);
    this.thresholdText.textContent = e.short, this.threshold.title = this.thresholdText.title = e.long, this.predInfo.textContent = t.model ? `${t.model}: ${t.shown}/${t.count}` : "no model";
  }
  updateDraft(t, e, s, o) {
    const a = this.project.tags, r = e ? e.tag : s;
    for (const [d, c] of this.tagButtons) c.classList.toggle("el-active", d === r);
    const l = a.find((d) => d.id === s);
    this.pendingLabel.textContent = e ? "Keys set the selected box's tag" : `Next box: ${l ? $(l) : "no tag"}`;
    for (const [d, c] of this.clipTagBoxes) c.checked = t.tags.includes(d);
    const h = Z(t);
    this.clipTagsHint.textContent = h ? "Clip tags follow the boxes' tags until you change them." : "Clip tags as you set them.";
    for (const [d, c] of this.flagButtons) c.setAttribute("aria-pressed", String(t[d]));
    p(this.notesArea, t.notes), this.updateInspector(e, o);
  }
  inspectorBuilt = !1;
  updateInspector(t, e) {
    if (!t) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(n("p", { class: "el-muted" }, e === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const s = (a) => this.inspector.querySelector(`[name=${a}]`);
    p(s("start_s"), t.start_s.toFixed(4)), p(s("end_s"), t.end_s.toFixed(4));
    const o = t.low_hz !== null && t.high_hz !== null;
    for (const a of ["low_hz", "high_hz"]) s(a).closest("label").hidden = !o;
    o && (p(s("low_hz"), (t.low_hz / 1e3).toFixed(2)), p(s("high_hz"), (t.high_hz / 1e3).toFixed(2))), p(this.inspector.querySelector("select"), t.tag === null ? "" : String(t.tag)), p(s("confidence"), t.confidence === null ? "" : String(t.confidence)), p(s("notes"), t.notes), this.inspector.querySelector(".el-duration").textContent = `${Q(t.end_s - t.start_s)}${o ? ` · ${((t.high_hz - t.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const t = (l, h, d, c) => {
      const f = n("input", { type: "number", name: l, step: d });
      return f.addEventListener("change", () => {
        const g = c(f.value);
        g === null && l !== "confidence" || this.handlers.editEvent({ [l]: g }, l);
      }), n("label", {}, h, f);
    }, e = (l) => l.trim() === "" || !Number.isFinite(Number(l)) ? null : Number(l), s = (l) => e(l) === null ? null : Number(l) * 1e3, o = n("select", { name: "tag" }, n("option", { value: "" }, "no tag"), ...this.project.tags.map((l) => n("option", { value: l.id }, b(this.project.tags, l.id))));
    o.addEventListener("change", () => this.handlers.editEvent({ tag: o.value === "" ? null : Number(o.value) }, "tag"));
    const a = n("input", { type: "text", name: "notes", placeholder: "box notes" });
    a.addEventListener("input", () => this.handlers.editEvent({ notes: a.value }, "notes"));
    const r = t("confidence", "confidence", "0.05", (l) => e(l) === null ? null : Math.min(1, Math.max(0, Number(l))));
    this.inspector.replaceChildren(
      n("div", { class: "el-grid" }, t("start_s", "start s", "0.0001", e), t("end_s", "end s", "0.0001", e), t("low_hz", "low kHz", "0.01", s), t("high_hz", "high kHz", "0.01", s)),
      n("label", {}, "tag ", o),
      r,
      a,
      n("div", { class: "el-row" }, n("span", { class: "el-duration el-muted" }), u("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
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
    this.notice.replaceChildren(n("span", {}, t), ...e.map((s) => u(s.label, s.label, () => (this.hideNotice(), s.run()))), u("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(t, e, s) {
    tt(this.conflict, t, e, s);
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
class Vt {
  dialog;
  options = /* @__PURE__ */ new Map();
  note = n("input", { type: "text", class: "el-skip-note", maxlength: 500, placeholder: "why (needed for “other”)", "aria-label": "Why you skip this clip" });
  problem = n("p", { class: "el-skip-problem", role: "alert" });
  reason = null;
  settle = null;
  constructor() {
    const t = n("div", { class: "el-skip-options", role: "radiogroup" });
    for (const e of et) {
      const s = u("", e.label, () => this.choose(e.value), "el-skip-option");
      s.setAttribute("role", "radio"), s.dataset.reason = e.value, s.append(n("kbd", {}, e.key), ` ${e.label}`), this.options.set(e.value, s), t.append(s);
    }
    this.dialog = n(
      "dialog",
      { class: "el-skip" },
      n("h2", {}, "Why skip this clip?"),
      n("p", { class: "el-muted" }, "It goes to the end of your queue; leads see the reason."),
      t,
      this.note,
      this.problem,
      n("div", { class: "el-row" }, u("Skip ⏎", "Skip with this reason (Enter)", () => this.confirm(), "el-primary"), u("Back (Esc)", "Back to the clip (Escape)", () => this.close(null)))
    ), this.dialog.addEventListener("keydown", (e) => this.onKey(e)), this.dialog.addEventListener("cancel", (e) => (e.preventDefault(), this.close(null)));
  }
  ask() {
    return this.reason = null, this.note.value = "", this.problem.textContent = "", this.refresh(), this.dialog.showModal(), this.dialog.focus(), new Promise((t) => this.settle = t);
  }
  onKey(t) {
    const e = st(t, t.target === this.note);
    e && (t.preventDefault(), t.stopPropagation(), e.type === "choose" ? this.choose(e.reason) : e.type === "confirm" ? this.confirm() : this.close(null));
  }
  choose(t) {
    this.reason = t, this.problem.textContent = "", this.refresh(), t === "other" && this.note.focus();
  }
  confirm() {
    const t = it(this.reason, this.note.value);
    if (typeof t == "string") {
      this.problem.textContent = t, this.reason === "other" && this.note.focus();
      return;
    }
    this.close(t);
  }
  close(t) {
    this.dialog.open && this.dialog.close(), this.settle?.(t), this.settle = null;
  }
  refresh() {
    for (const [t, e] of this.options) e.setAttribute("aria-checked", String(t === this.reason));
  }
}
function Ht(i, t, e, s) {
  i.replaceChildren(
    n(
      "div",
      { class: "el-empty" },
      n("h1", {}, "Queue empty"),
      n("p", {}, `No clips are waiting for you in ${t}. New ones appear after the next sampling round.`),
      n("p", {}, u("Check again", "Ask for the next clip again", s, "el-primary"), e ? n("a", { href: e }, "Back to the project") : null)
    )
  );
}
function jt(i, t, e) {
  i.replaceChildren(n("div", { class: "el-empty el-error" }, n("h1", {}, "Could not load the annotator"), n("p", {}, t), n("p", {}, u("Try again", "Try again", e, "el-primary"))));
}
const qt = [
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
function Rt(i, t) {
  if (i === null || !Number.isFinite(i)) return "—";
  switch (t) {
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
function H(i, t, e) {
  if (!t) {
    i.replaceChildren(n("p", { class: "el-muted" }, e));
    return;
  }
  const s = qt.map(([o, a, r, l]) => {
    const h = t[o];
    return n("tr", { title: l }, n("th", {}, a), n("td", { "data-field": o, "data-value": h === null ? "" : String(h) }, Rt(h, r)));
  });
  i.replaceChildren(n("table", { class: "el-measure-table" }, ...s), t.reason ? n("p", { class: "el-muted el-measure-note" }, t.reason) : "");
}
const M = 60;
function I(i) {
  let t = -1;
  for (let e = 0; e < i.db.length; e++) (t < 0 || i.db[e] > i.db[t]) && (t = e);
  return t;
}
function Ot(i, t, e, s = "") {
  const { width: o, height: a } = t, r = { left: 30, right: 6, top: 14, bottom: 16 };
  i.clearRect(0, 0, o, a), i.fillStyle = "#0b0e11", i.fillRect(0, 0, o, a), i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif";
  const l = e ? I(e) : -1;
  if (!e || l < 0) {
    i.fillText(s || e?.reason || "", 6, a / 2);
    return;
  }
  const h = e.freqs_hz[0], d = e.freqs_hz[e.freqs_hz.length - 1], c = e.db[l], f = o - r.left - r.right, g = a - r.top - r.bottom, y = (m) => r.left + (d > h ? (m - h) / (d - h) * f : f / 2), A = (m) => r.top + Math.min(M, Math.max(0, c - m)) / M * g;
  i.strokeStyle = "#323b44", i.strokeRect(r.left, r.top, f, g), i.strokeStyle = "#4fc3f7", i.beginPath(), e.freqs_hz.forEach((m, _) => _ ? i.lineTo(y(m), A(e.db[_])) : i.moveTo(y(m), A(e.db[_]))), i.stroke(), i.fillStyle = "#8d9aa5", i.fillText(`${(h / 1e3).toFixed(1)}`, r.left, a - 4);
  const F = `${(d / 1e3).toFixed(1)} kHz`;
  i.fillText(F, o - r.right - i.measureText(F).width, a - 4), i.fillText(`${c.toFixed(0)}`, 2, r.top + 8), i.fillText(`${(c - M).toFixed(0)}`, 2, a - r.bottom), i.fillStyle = "#ffb74d", i.fillText(`peak ${(e.freqs_hz[l] / 1e3).toFixed(2)} kHz, ${c.toFixed(1)} dB`, r.left + 4, r.top - 3);
}
function j(i, t, e) {
  return (i - t.start) / (t.end - t.start) * e;
}
function Kt(i) {
  let t = 0;
  for (let e = 0; e < i.min.length; e++) t = Math.max(t, Math.abs(i.min[e]), Math.abs(i.max[e]));
  return t > 0 ? 0.9 / t : 1;
}
function Wt(i, t, e, s) {
  const { width: o, height: a } = t, r = a / 2;
  if (i.clearRect(0, 0, o, a), i.fillStyle = "#0b0e11", i.fillRect(0, 0, o, a), i.strokeStyle = "#323b44", i.beginPath(), i.moveTo(0, r), i.lineTo(o, r), i.stroke(), !e || !e.min.length) return;
  const l = Kt(e) * r, h = (e.end - e.start) / e.min.length;
  i.fillStyle = "#4fc3f7";
  for (let d = 0; d < e.min.length; d++) {
    const c = j(e.start + d * h, s, o), f = j(e.start + (d + 1) * h, s, o);
    if (f < 0 || c > o) continue;
    const g = r - e.max[d] * l, y = r - e.min[d] * l;
    i.fillRect(c, g, Math.max(1, f - c), Math.max(1, y - g));
  }
  i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif", i.fillText(`±${(0.9 / (l / r)).toFixed(3)} FS`, 4, 11);
}
const Ut = 80, Yt = 150, Jt = 4096, Xt = 64, Gt = 120;
class q {
  timer;
  controller = null;
  run(t, e) {
    this.cancel();
    const s = new AbortController();
    this.controller = s, this.timer = setTimeout(() => {
      e(s.signal).catch(() => {
      });
    }, t);
  }
  cancel() {
    clearTimeout(this.timer), this.controller?.abort(), this.controller = null;
  }
}
function R(i) {
  return Object.entries(i).filter(([, t]) => t !== null).map(([t, e]) => `${t}=${Number(e.toFixed(7))}`).join("&");
}
class Zt {
  constructor(t) {
    this.api = t, H(this.table, null, "Select a box to measure it.");
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
  follow(t, e) {
    this.view = e, this.drawWave();
    const s = Math.min(Jt, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!t || s < 1) return;
    const o = t.clip.recording, a = Math.max(0, e.start), r = Math.min(o.duration_s, e.end), l = `${o.id}:${a.toFixed(6)}:${r.toFixed(6)}:${s}`;
    l === this.envelopeKey || !(r > a) || (this.envelopeKey.startsWith(`${o.id}:`) || (this.envelope = null), this.envelopeKey = l, this.envelopes.run(Ut, async (h) => {
      this.envelope = await this.api.json(`recordings/${o.id}/envelope/?${R({ start: a, end: r, width: s })}`, h), this.drawWave();
    }));
  }
  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(t, e) {
    const s = t && e ? `${t.clip.recording.id}:${e.start_s}:${e.end_s}:${e.low_hz}:${e.high_hz}` : "";
    if (s === this.selectionKey) return;
    if (this.selectionKey = s, !t || !e)
      return this.measures.cancel(), this.show("empty", null, null, "Select a box to measure it.");
    this.show("loading", null, null, "Measuring…");
    const o = t.clip.recording.id, a = R({ start: e.start_s, end: e.end_s, low: e.low_hz, high: e.high_hz });
    this.measures.run(Yt, async (r) => {
      try {
        const [l, h] = await Promise.all([
          this.api.json(`recordings/${o}/spectrum/?${a}&bins=512`, r),
          this.api.json(`recordings/${o}/measurements/?${a}`, r)
        ]);
        this.selectionKey === s && this.show("ready", l, h, "");
      } catch (l) {
        !r.aborted && this.selectionKey === s && this.show("error", null, null, l.message);
      }
    });
  }
  show(t, e, s, o) {
    this.side.dataset.state = t, this.spectrum = e, H(this.table, s, o), this.drawSpectrumPanel(o);
  }
  drawWave() {
    if (!this.view) return;
    const t = { width: this.wave.clientWidth || 300, height: Xt };
    Wt(L(this.wave, t), t, this.envelope, this.view), this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }
  drawSpectrumPanel(t) {
    const e = { width: this.spectrumCanvas.clientWidth || 240, height: Gt };
    Ot(L(this.spectrumCanvas, e), e, this.spectrum, t);
    const s = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(s?.db.length ?? 0), this.spectrumCanvas.dataset.peakHz = s && I(s) >= 0 ? String(s.freqs_hz[I(s)]) : "";
  }
}
const Qt = [0, 0.5, 0.75, 0.9], te = ["hann", "hamming", "blackman", "blackmanharris", "boxcar"], ee = [
  ["none", "plain"],
  ["reassigned", "reassigned"],
  ["multitaper", "multitaper"]
], se = [
  [6, "FM (w0 6)"],
  [200, "CF (w0 200)"]
];
function v(i, t, e) {
  return n("select", { title: i, name: t, class: "el-view-option" }, ...e.map(([s, o]) => n("option", { value: s }, o)));
}
function k(i, t, e) {
  Array.from(i.options).some((s) => s.value === t) || i.append(n("option", { value: t }, e));
}
const S = (i) => `${Number((i * 1e3).toPrecision(3))} ms`;
class ie {
  constructor(t) {
    this.viewer = t;
    const e = t.options;
    e.window !== "auto" && k(this.window, String(e.window), S(e.window)), k(this.overlap, String(e.overlap), `${Math.round(e.overlap * 100)} %`), k(this.wavelet, String(e.w0), `w0 ${e.w0}`), this.window.addEventListener("change", () => this.set({ window: this.window.value === "auto" ? "auto" : Number(this.window.value) })), this.overlap.addEventListener("change", () => this.set({ overlap: Number(this.overlap.value) })), this.windowType.addEventListener("change", () => this.set({ windowType: this.windowType.value })), this.sharpen.addEventListener("change", () => this.set({ sharpen: this.sharpen.value })), this.wavelet.addEventListener("change", () => this.set({ w0: Number(this.wavelet.value) })), this.autoLevels.addEventListener("change", () => this.set({ autoLevels: this.autoLevels.checked })), this.element = n(
      "div",
      { class: "el-group el-view-options" },
      n("label", {}, "window ", this.window),
      this.overlap,
      this.windowType,
      this.sharpen,
      this.wavelet,
      n("label", { title: "Levels from each view's percentiles (Shift+L); the dB sliders turn it off" }, this.autoLevels, " auto levels"),
      this.levelsText
    ), t.onOptions = () => this.update(), this.update();
  }
  viewer;
  element;
  window = v("STFT window ([ shorter, ] longer); auto follows the zoom", "window", [
    ["auto", "auto"],
    ...nt.map((t) => [String(t / 1e3), S(t / 1e3)])
  ]);
  overlap = v("STFT overlap", "overlap", Qt.map((t) => [String(t), `${Math.round(t * 100)} %`]));
  windowType = v("STFT window type", "window_type", te.map((t) => [t, t]));
  sharpen = v("Sharpening (Shift+R cycles): reassigned draws FM sweeps as thin lines; multitaper speckles less", "sharpen", ee);
  wavelet = v("Scalogram bandwidth: narrow for constant-frequency calls", "w0", se.map(([t, e]) => [String(t), e]));
  autoLevels = n("input", { type: "checkbox", name: "auto_levels" });
  levelsText = n("span", { class: "el-levels-text el-muted" });
  set(t) {
    document.activeElement?.blur(), this.viewer.setOptions(t);
  }
  /** Show the viewer's options, and what "auto" resolved to for the image on screen. */
  update() {
    const t = this.viewer.options, e = this.viewer.kind === "spectrogram";
    t.window !== "auto" && k(this.window, String(t.window), S(t.window)), p(this.window, String(t.window)), this.window.options[0].textContent = t.window === "auto" && e ? `auto (${S(this.viewer.shownWindow())})` : "auto", p(this.overlap, String(t.overlap)), p(this.windowType, t.windowType), p(this.sharpen, t.sharpen), p(this.wavelet, String(t.w0));
    for (const o of [this.window, this.overlap, this.windowType, this.sharpen]) o.hidden = !e;
    this.wavelet.hidden = e, this.autoLevels.checked = t.autoLevels;
    const s = this.viewer.shownLevels();
    this.levelsText.textContent = t.autoLevels && s ? `${s[0].toFixed(0)} … ${s[1].toFixed(0)}` : "";
  }
}
const ne = 720 * 3600 * 1e3, oe = 0.5;
function W(i) {
  const t = i?.model_version?.threshold;
  return typeof t == "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}
function ae(i, t) {
  return t ?? W(i) ?? oe;
}
class re {
  constructor(t) {
    this.page = t, this.submitter = new Ft((e, s) => t.api.submit(e, s), () => this.draftValue, this.submitEvents()), this.lease = new Pt(async (e) => (await t.api.renew(e)).lease_expires_at, {
      lost: (e) => this.status(`Your hold on this clip ran out (${e}). Submitting still saves your work.`, "warn")
    }), this.player = new ot(
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
  analysis;
  similar;
  pointer;
  player;
  task = null;
  draftValue = at();
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
    const { root: t, api: e, projectId: s } = this.page;
    t.dataset.state = "loading";
    try {
      this.project = await e.project(s);
    } catch (a) {
      t.dataset.state = "error", jt(t, a.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new Dt(t, this.project, this.handlers()), this.analysis = new Zt(e), this.similar = new rt({ api: e, projectId: s, tags: this.project.tags, currentTag: () => this.currentTag(), batch: !1 }), this.ui.belowPlot.replaceChildren(this.analysis.strip, this.similar.element), this.ui.sidePanels.replaceChildren(this.analysis.side);
    const o = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new lt(this.project, e, this.ui, o, (a, r) => this.status(a, r)), this.ui.main.querySelector(".el-toolbar")?.append(
      new ie(this.viewer).element,
      n("button", { type: "button", class: "el-find-similar", title: "The project's clips most like the selected box (or this clip)", onclick: () => this.findSimilar() }, "Find similar")
    ), this.pointer = new ht(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (a) => this.onKey(a));
    for (const a of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(a, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(ne), await this.loadNext();
  }
  async loadNext() {
    const { root: t, api: e, projectId: s } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, t.dataset.state = "loading", t.contains(this.ui.main) || t.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let o;
    try {
      o = await e.nextTask(s);
    } catch (a) {
      t.dataset.state = "error", this.status(`Could not get the next clip: ${a.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!o) {
      t.dataset.state = "empty", Ht(t, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(o);
  }
  openTask(t) {
    this.task = t, this.similar.close(), this.lease.start(t.id, t.lease_expires_at), this.ui.setTask(t), this.draftValue = this.restoreDraft(t), this.undoStack = B(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], P(t.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(t), this.page.api.predictions(t.clip.id).then(
      (e) => this.task === t && (this.predictions = e, this.refresh()),
      () => {
      }
      // predictions are optional help; the page works without them
    );
  }
  /** The selected box (cut to the clip) or the whole clip, as a search by example. */
  findSimilar() {
    if (!this.task) return;
    const t = this.task.clip, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = { clip: t.id };
    e && Math.min(e.end_s, t.end_s) > Math.max(e.start_s, t.start_s) && Object.assign(s, { start_s: Math.max(e.start_s, t.start_s), end_s: Math.min(e.end_s, t.end_s), low_hz: e.low_hz, high_hz: e.high_hz }), this.similar.find(s);
  }
  /** The tag Enter applies to a match: the selected box's, else the one picked for the next box. */
  currentTag() {
    return (this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null)?.tag ?? this.pendingTag;
  }
  showImage(t) {
    this.viewer.open(t).then((e) => {
      this.task !== t || e === "stale" || (e === "ready" ? this.page.root.dataset.state = "ready" : this.ui.showNotice("The image did not load.", [{ label: "Retry", run: () => this.showImage(t) }]));
    });
  }
  /** The server's annotation, or the user's unsaved work on it from localStorage. */
  restoreDraft(t) {
    const { drafts: e } = this.page, s = z(t.annotation), { draft: o, restored: a, older: r } = zt(e, t.id, s), l = (h) => new Date(h).toLocaleString();
    return a ? (this.status(`Restored your unsaved draft from ${l(a.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${l(a.savedAt)}).`, [{ label: "Discard it", run: () => this.change(s) }])) : r && this.ui.showNotice(`You have unsaved work on this clip from ${l(r.savedAt)}, but someone saved it since (version ${s.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...r.draft, version: s.version }) },
      { label: "Merge mine into theirs", run: () => this.change(D(r.draft, s)) },
      { label: "Discard mine", run: () => e.remove(t.id, r.version) }
    ]), a || this.status(t.annotation ? `Editing saved version ${t.annotation.version}.` : "New clip.", "info"), !a && !r && this.noticeContinuing(t), o;
  }
  /** Say which long events from other clips continue into this one, offering to delete each
   * (on its own clip: the same author-only PUT, with its version checked). */
  noticeContinuing(t) {
    const e = t.continuing ?? [];
    if (!e.length) return;
    const s = [...new Set(e.map((r) => r.from_clip))], o = `from clip${s.length > 1 ? "s" : ""} ${s.join(", ")}`, a = e.length === 1 ? `An event of yours ${o} continues` : `${e.length} events of yours ${o} continue`;
    this.ui.showNotice(
      `${a} into this clip (dotted). Labelled already: labelling ${e.length === 1 ? "it" : "them"} again here is refused.`,
      e.slice(0, 3).map((r) => ({
        label: `Delete ${b(this.project.tags, r.tag)} ${r.start_s.toFixed(2)}–${r.end_s.toFixed(2)} s`,
        run: () => {
          this.deleteContinuing(t, r);
        }
      }))
    );
  }
  async deleteContinuing(t, e) {
    const s = `${b(this.project.tags, e.tag)} ${e.start_s.toFixed(2)}–${e.end_s.toFixed(2)} s`;
    try {
      const o = await this.page.api.annotation(e.annotation), a = await this.page.api.updateAnnotation(o.id, dt(o, e.id));
      if (t.continuing = (t.continuing ?? []).filter((r) => r.id !== e.id), this.task !== t) return;
      this.status(`Deleted ${s} from clip ${e.from_clip} (its version ${a.version}).`, "ok"), this.refresh();
    } catch (o) {
      this.task === t && this.status(`Could not delete ${s}: ${o.message}`, "error");
    }
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const t = ct(this.draftValue);
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
    const s = this.task, o = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !t) {
      const h = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(e, ["Your draft is kept and will be offered again."], [h]);
    }
    const a = z(t), r = (h) => `${h.events.length} boxes, ${h.tags.length} clip tags${h.no_calls ? ", no calls" : ""}${h.noise ? ", noise" : ""}${h.uncertain ? ", uncertain" : ""}`, l = (h) => {
      this.page.drafts.remove(s.id, o.version), this.change(h);
    };
    this.ui.showConflict(
      `${e} (now version ${t.version})`,
      [`Theirs: ${r(a)}`, `Yours: ${r(o)}`],
      [
        { label: "Use theirs", run: () => l(a) },
        { label: "Merge (theirs + your boxes)", run: () => (l(D(o, a)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (l({ ...o, version: t.version }), void this.submitter.send(s.id)) }
      ]
    );
  }
  /** k: ask why, release the task with the reason (its draft stays in localStorage) and open the next. */
  async skip() {
    const t = this.task;
    if (!t || this.submitter.inFlight || this.skipping) return;
    this.skipping = !0;
    const e = await this.ui.askSkipReason();
    if (!e || this.task !== t) return void (this.skipping = !1);
    this.submitter.cancel(), this.player.stop(), this.status("Skipping…", "busy");
    try {
      await this.page.api.release(t.id, e), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${t.clip.id} (${ut(e)}).`, "info");
    } catch (s) {
      if (this.skipping = !1, s instanceof C && s.status === 409) return void this.loadNext();
      this.status(`Could not skip: ${s instanceof C ? s.message : String(s)}`, "error");
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(t, e = null, s = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    t !== s && (t = pt(s, t), this.undoStack = ft(this.undoStack, s, e), this.draftValue = t, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const t = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(t ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(t) {
    if (!this.canEdit()) return;
    const e = t === "undo" ? gt(this.undoStack, this.draftValue) : mt(this.undoStack, this.draftValue);
    if (!e) return this.status(`Nothing to ${t}.`, "info");
    this.undoStack = e.stack, this.draftValue = { ...e.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(t) {
    if (this.selectedIndex === null)
      return this.pendingTag = t, this.refresh();
    this.change(T(this.draftValue, this.selectedIndex, { tag: t }));
  }
  editSelected(t, e) {
    const s = this.selectedIndex;
    if (s === null) return;
    let o = T(this.draftValue, s, t);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(e) && (o = T(o, s, wt(o.events[s], this.boxBounds()))), this.change(o, `edit:${s}:${e}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const t = this.selectedIndex;
    this.selectedIndex = null, this.change(vt(this.draftValue, t));
  }
  cycleSelection(t) {
    const e = this.draftValue.events.map((o, a) => [o.start_s, a]).sort((o, a) => o[0] - a[0]).map((o) => o[1]);
    if (!e.length) return;
    const s = this.selectedIndex === null ? t > 0 ? -1 : 0 : e.indexOf(this.selectedIndex);
    this.select(e[(s + t + e.length) % e.length]);
  }
  accept(t) {
    const e = this.project.settings.annotation_mode, s = !t && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, o = s ? [s] : this.visiblePredictions().map((r) => r.p);
    if (!o.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let a = this.draftValue;
    for (const r of o) a = V(a, bt(r, e));
    this.selectedPred = null, this.change(a), o.length === 1 && this.select(a.events.length - 1), this.status(`Accepted ${o.length} prediction${o.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const t = this.task.clip.recording, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = this.viewer.view, o = Math.max(0, e ? e.start_s : s.start), a = Math.min(t.duration_s, e ? e.end_s : s.end), r = e && e.low_hz !== null && e.high_hz !== null ? { low: e.low_hz, high: e.high_hz } : {}, l = this.page.api.audioUrl(t.id, { start: o, end: a, expansion: this.expansion, ...r });
    this.player.play({ url: l, start: o, end: a, expansion: this.expansion });
  }
  setExpansion(t) {
    this.player.stop(), this.expansion = t, this.refreshToolbar();
  }
  cycleExpansion() {
    const t = this.task?.clip.recording.samplerate ?? 1 / 0, e = N.filter((o) => P(t, o)), s = e[(e.indexOf(this.expansion) + 1) % e.length] ?? 1;
    this.setExpansion(s), this.status(`Playback slowed down ${s}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(t) {
    if (t.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const e = t.target, s = yt(e);
    if ((e instanceof HTMLButtonElement || e instanceof HTMLAnchorElement || e instanceof HTMLInputElement && !s) && ["Enter", " ", "Tab"].includes(t.key)) return;
    const a = xt(t, { tags: this.project.tags, typing: s !== null, multiline: s === "text" });
    if (a) {
      if (this.pointer.active && a.type !== "escape") return t.preventDefault();
      (a.type === "selectNext" || a.type === "selectPrev") && !this.draftValue.events.length || (t.preventDefault(), this.perform(a, e));
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
        return this.change(x(this.draftValue, "no_calls"));
      case "noise":
        return this.change(x(this.draftValue, "noise"));
      case "uncertain":
        return this.change(x(this.draftValue, "uncertain"));
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
      case "window":
        return s.stepWindow(t.step);
      case "cycleSharpen":
        return s.setOptions({ sharpen: kt(s.options.sharpen) });
      case "autoLevels":
        return s.setOptions({ autoLevels: !s.options.autoLevels });
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
    return this.predictions.events.map((e, s) => ({ p: e, index: s })).filter(({ p: e }) => e.score >= this.threshold && !St(this.draftValue, e, t));
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
    const e = V(this.draftValue, { ...t, tag: this.pendingTag, confidence: null, notes: "" });
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
    return ae(this.predictions, this.chosenThreshold);
  }
  overlay() {
    const t = this.visiblePredictions(), e = t.findIndex((s) => s.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: this.draftValue.events,
      selected: this.selectedIndex,
      predictions: t.map((s) => s.p),
      selectedPrediction: e >= 0 ? e : null,
      continuing: this.task?.continuing ?? [],
      drawingTag: this.pendingTag
    };
  }
  /** Refresh every panel and redraw (after a draft or selection change). */
  refresh() {
    const t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] ?? null : null;
    this.ui.updateDraft(this.draftValue, t, this.pendingTag, this.project.settings.annotation_mode), this.analysis.select(this.task, t), this.refreshToolbar();
    const e = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: W(e),
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
      toggleClipTag: (t) => this.change(Tt(this.draftValue, t)),
      flag: (t) => this.change(x(this.draftValue, t)),
      notes: (t) => this.change(_t(this.draftValue, t), "notes"),
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
      // Long events from other clips drawn (dotted) over this clip.
      continuing: () => JSON.parse(JSON.stringify(this.overlay().continuing ?? [])),
      predictions: () => ({ threshold: this.threshold, shown: JSON.parse(JSON.stringify(this.overlay().predictions)) })
    };
  }
}
function le() {
  try {
    const i = window.localStorage;
    return i.setItem("echoloop:probe", "1"), i.removeItem("echoloop:probe"), i;
  } catch {
    const i = /* @__PURE__ */ new Map();
    return {
      getItem: (t) => i.get(t) ?? null,
      setItem: (t, e) => {
        i.set(t, e);
      },
      removeItem: (t) => {
        i.delete(t);
      },
      key: (t) => [...i.keys()][t] ?? null,
      get length() {
        return i.size;
      }
    };
  }
}
function O() {
  const i = document.getElementById("echoloop-annotator");
  if (!i) return;
  const t = $t(), e = new re({
    root: i,
    api: new Mt(i.dataset.apiBase || "/api/", t.csrfToken ?? ""),
    drafts: new Et(le()),
    projectId: Number(i.dataset.projectId),
    nextUrl: i.dataset.nextUrl || void 0
  });
  window.echoloop = e.hook(), e.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", O) : O();
