import { s as M, f as z, A as j, e as K, h as a, E, a as U, t as J, b as w, c as Y, H as G, d as P, g as c, i as X, p as A, W as Z, P as Q, j as ee, k as F, V as te, l as se, m as L, w as ie, r as ne, u as ae, n as oe, o as $, q as re, v as le, x as B, y as he, z as de, B as ce, C as ue, D as x, F as pe, G as fe, I as ge, J as me } from "./shared-viewer.js";
const O = "echoloop:draft:v1:";
function v(i, e) {
  return `${O}${i}:${e ?? "new"}`;
}
class we {
  constructor(e, t = Date.now) {
    this.store = e, this.now = t;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(e, t, s) {
    const n = { taskId: e, version: t, savedAt: this.now(), draft: s };
    try {
      return this.store.setItem(v(e, t), JSON.stringify(n)), !0;
    } catch {
      return !1;
    }
  }
  load(e, t) {
    return this.parse(this.store.getItem(v(e, t)));
  }
  remove(e, t) {
    this.store.removeItem(v(e, t));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(e, t) {
    const s = v(e, t);
    return this.all().filter((n) => n.taskId === e && v(n.taskId, n.version) !== s).sort((n, o) => o.savedAt - n.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(e) {
    const t = this.now() - e, s = this.all().filter((n) => n.savedAt < t);
    for (const n of s) this.remove(n.taskId, n.version);
    return s.length;
  }
  all() {
    const e = [];
    for (let t = 0; t < this.store.length; t++) {
      const s = this.store.key(t);
      s && s.startsWith(O) && e.push(s);
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
function ve(i, e, t) {
  const s = i.load(e, t.version);
  if (s && !M(s.draft, t))
    return { draft: { ...s.draft, version: t.version }, restored: s, older: null };
  s && i.remove(e, t.version);
  const n = i.others(e, t.version).find((o) => !M(o.draft, t)) ?? null;
  return { draft: t, restored: null, older: n };
}
const be = {
  now: () => Date.now(),
  setTimeout: (i, e) => setTimeout(i, e),
  clearTimeout: (i) => clearTimeout(i)
};
function ye(i, e, t = 15e3) {
  return Math.max(t, Math.floor((i - e) / 2));
}
class xe {
  constructor(e, t, s = be) {
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
    const e = ye(this.expiresAt, this.clock.now());
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
function ke(i) {
  if (!(i instanceof j)) return { kind: "retry", message: String(i?.message ?? i) };
  const e = i.body;
  if (i.status === 409) {
    const t = e && typeof e == "object" ? e.current ?? null : null, s = e && typeof e == "object" && typeof e.detail == "string" ? e.detail : "";
    return { kind: "conflict", current: t, message: s || "Someone else saved this clip meanwhile." };
  }
  if (i.status === 400) {
    const t = K(i.body);
    return { kind: "invalid", messages: t.length ? t : [i.message] };
  }
  return i.status === 0 || i.status >= 500 || i.status === 429 || i.status === 408 ? { kind: "retry", message: i.message } : { kind: "fatal", message: i.message };
}
function Se(i, e = Math.random) {
  const t = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, i)));
  return Math.round(t * (1 + 0.2 * e()));
}
class Te {
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
    } catch (n) {
      s = ke(n);
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
      const o = Se(this.attempt++);
      this.on.status(`Submit failed (${e.message}). Your draft is kept; retrying in ${Math.round(o / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(t);
      }, o);
      return;
    }
    if (this.attempt = 0, e.kind === "conflict")
      return e.current && M(z(e.current), s) ? this.on.done(s) : this.on.conflict(e.current, e.message);
    const n = e.kind === "invalid" ? e.messages.join("; ") : e.message;
    this.on.status(`Not saved: ${n} (your draft is kept)`, "error");
  }
}
function d(i, e, t, s = "") {
  return a("button", { type: "button", title: e, class: s, onclick: (n) => (t(), n.currentTarget.blur()) }, i);
}
function $e(i, e, t) {
  const s = i.toFixed(2);
  if (!t && e !== null)
    return { short: `${s} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${s}: the model's threshold on its calibrated scores` };
  if (t) {
    const n = e === null ? "" : `; the model's calibrated threshold is ${e.toFixed(2)}`;
    return { short: `${s} (yours)`, long: `Showing predictions scoring at least ${s}, your choice${n}` };
  }
  return { short: s, long: `Prediction score threshold: showing predictions scoring at least ${s}` };
}
class _e {
  constructor(e, t, s) {
    this.root = e, this.project = t, this.handlers = s, this.helpDialog = this.buildHelp(), this.main = a(
      "div",
      { class: "el-app" },
      a("header", { class: "el-header" }, a("strong", {}, t.name), this.header, d("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.notice,
      this.conflict,
      a(
        "div",
        { class: "el-body" },
        a("div", { class: "el-viewer" }, a("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, a("div"), this.timeAxis), this.belowPlot, this.readout),
        this.buildSide()
      ),
      a("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog
    ), this.retry.hidden = !0, e.replaceChildren(this.main);
  }
  root;
  project;
  handlers;
  canvas = a("canvas", { id: "spectrogram-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram: drag to draw a box" });
  plot = a("div", { class: "el-plot" }, this.canvas);
  timeAxis = a("canvas", { class: "el-time-axis" });
  freqAxis = a("canvas", { class: "el-freq-axis" });
  readout = a("div", { class: "el-readout" }, " ");
  /** Slots for panels other modules build: under the image, and in the side bar. */
  belowPlot = a("div", { class: "el-below-plot" });
  sidePanels = a("div", { class: "el-side-panels" });
  status = a("span", { class: "el-status", role: "status", "aria-live": "polite" });
  draftState = a("span", { class: "el-draft-state" });
  retry = d("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  header = a("span", { class: "el-task" });
  notice = a("div", { class: "el-notice", hidden: !0 });
  conflict = a("div", { class: "el-conflict", hidden: !0 });
  tagButtons = /* @__PURE__ */ new Map();
  clipTagBoxes = /* @__PURE__ */ new Map();
  flagButtons = /* @__PURE__ */ new Map();
  notesArea = a("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  inspector = a("div", { class: "el-inspector" });
  pendingLabel = a("div", { class: "el-pending" });
  viewButton = d("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  normSelect = a("select", { title: "Spectrogram normalisation" }, a("option", { value: "db" }, "dB"), a("option", { value: "pcen" }, "PCEN"));
  dbMin = a("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  dbMax = a("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  dbText = a("span", { class: "el-db-text" });
  panButton = d("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  playButton = d("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  expansionSelect = a("select", { title: "Playback slow-down (e)" });
  predToggle = a("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  threshold = a("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  thresholdText = a("span", { class: "el-threshold-text" }, "0.50");
  predInfo = a("span", { class: "el-pred-info" });
  helpDialog;
  submitButton = d("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  skipButton = d("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  main;
  buildToolbar() {
    const e = this.project.settings;
    for (const s of [this.dbMin, this.dbMax])
      s.min = String(Math.min(-140, e.db_min - 20)), s.max = String(Math.max(40, e.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const t = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", t), this.dbMax.addEventListener("input", t);
    for (const s of E) this.expansionSelect.append(a("option", { value: s }, `${s}×`));
    E.includes(e.time_expansion) || this.expansionSelect.append(a("option", { value: e.time_expansion }, `${e.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const s of [this.dbMin, this.dbMax, this.threshold]) s.addEventListener("change", () => s.blur());
    return a(
      "div",
      { class: "el-toolbar" },
      a("div", { class: "el-group" }, this.viewButton, this.normSelect),
      a("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      a(
        "div",
        { class: "el-group" },
        d("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        d("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        d("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton
      ),
      a("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      a(
        "div",
        { class: "el-group" },
        a("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        d("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo
      )
    );
  }
  buildSide() {
    const e = this.project.tags, t = U(e), s = a("div", { class: "el-tag-list" }), n = a("div", { class: "el-clip-tags" });
    e.forEach((r, h) => {
      const u = J(e, h), p = t.has(r.id) ? ` (hotkey "${r.hotkey}" is taken by a built-in key)` : "", f = d("", `${w(e, r.id)}${p}`, () => this.handlers.tag(r.id), "el-tag");
      f.append(a("span", { class: "el-swatch", style: `background:${Y(e, r.id)}` }), a("kbd", {}, u || "·"), ` ${w(e, r.id)}`), this.tagButtons.set(r.id, f), s.append(f);
      const g = a("input", { type: "checkbox", "data-tag": r.id });
      g.addEventListener("change", () => (this.handlers.toggleClipTag(r.id), g.blur())), this.clipTagBoxes.set(r.id, g), n.append(a("label", {}, g, ` ${w(e, r.id)}`));
    });
    const o = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], l = a("div", { class: "el-flags" });
    for (const [r, h, u] of o) {
      const p = d(`${h} (${u})`, `${h} (${u})`, () => this.handlers.flag(r), "el-flag");
      p.setAttribute("aria-pressed", "false"), this.flagButtons.set(r, p), l.append(p);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), a(
      "aside",
      { class: "el-side" },
      a("section", {}, a("h2", {}, "Box tag"), this.pendingLabel, s),
      a("section", {}, a("h2", {}, "Selected box"), this.inspector),
      this.sidePanels,
      a("section", {}, a("h2", {}, "Clip"), l, n, this.notesArea)
    );
  }
  buildHelp() {
    const e = G.map(([s, n]) => a("tr", {}, a("th", {}, s), a("td", {}, n)));
    return a("dialog", { class: "el-help" }, a("h2", {}, "Keyboard"), a("table", {}, ...e), a("form", { method: "dialog" }, a("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(e) {
    const t = e.clip, s = t.recording;
    this.header.textContent = ` · ${s.name} · ${t.start_s.toFixed(3)}–${t.end_s.toFixed(3)} s · task ${e.id}${e.reason ? ` · ${e.reason}` : ""}`, this.header.title = `lease expires ${new Date(e.lease_expires_at).toLocaleTimeString()}`;
    for (const n of Array.from(this.expansionSelect.options)) {
      const o = P(s.samplerate, Number(n.value));
      n.disabled = !o, n.title = o ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    this.hideConflict(), this.hideNotice();
  }
  updateToolbar(e) {
    this.viewButton.textContent = e.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = e.kind !== "spectrogram", c(this.normSelect, e.norm), c(this.dbMin, String(e.dbMin)), c(this.dbMax, String(e.dbMax)), this.dbText.textContent = `${e.dbMin} … ${e.dbMax}`, this.panButton.setAttribute("aria-pressed", String(e.panMode)), this.playButton.textContent = e.playing ? "❚❚ Pause" : "▶ Play", c(this.expansionSelect, String(e.expansion));
  }
  updatePredictions(e) {
    this.predToggle.checked = e.show, c(this.threshold, String(e.threshold));
    const t = $e(e.threshold, e.served, e.chosen);
    this.thresholdText.textContent = t.short, this.threshold.title = this.thresholdText.title = t.long, this.predInfo.textContent = e.model ? `${e.model}: ${e.shown}/${e.count}` : "no model";
  }
  updateDraft(e, t, s, n) {
    const o = this.project.tags, l = t ? t.tag : s;
    for (const [r, h] of this.tagButtons) h.classList.toggle("el-active", r === l);
    this.pendingLabel.textContent = t ? "Keys set the selected box's tag" : `Next box: ${w(o, s)}`;
    for (const [r, h] of this.clipTagBoxes) h.checked = e.tags.includes(r);
    for (const [r, h] of this.flagButtons) h.setAttribute("aria-pressed", String(e[r]));
    c(this.notesArea, e.notes), this.updateInspector(t, n);
  }
  inspectorBuilt = !1;
  updateInspector(e, t) {
    if (!e) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(a("p", { class: "el-muted" }, t === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const s = (o) => this.inspector.querySelector(`[name=${o}]`);
    c(s("start_s"), e.start_s.toFixed(4)), c(s("end_s"), e.end_s.toFixed(4));
    const n = e.low_hz !== null && e.high_hz !== null;
    for (const o of ["low_hz", "high_hz"]) s(o).closest("label").hidden = !n;
    n && (c(s("low_hz"), (e.low_hz / 1e3).toFixed(2)), c(s("high_hz"), (e.high_hz / 1e3).toFixed(2))), c(this.inspector.querySelector("select"), e.tag === null ? "" : String(e.tag)), c(s("confidence"), e.confidence === null ? "" : String(e.confidence)), c(s("notes"), e.notes), this.inspector.querySelector(".el-duration").textContent = `${X(e.end_s - e.start_s)}${n ? ` · ${((e.high_hz - e.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const e = (r, h, u, p) => {
      const f = a("input", { type: "number", name: r, step: u });
      return f.addEventListener("change", () => {
        const g = p(f.value);
        g === null && r !== "confidence" || this.handlers.editEvent({ [r]: g }, r);
      }), a("label", {}, h, f);
    }, t = (r) => r.trim() === "" || !Number.isFinite(Number(r)) ? null : Number(r), s = (r) => t(r) === null ? null : Number(r) * 1e3, n = a("select", { name: "tag" }, a("option", { value: "" }, "no tag"), ...this.project.tags.map((r) => a("option", { value: r.id }, w(this.project.tags, r.id))));
    n.addEventListener("change", () => this.handlers.editEvent({ tag: n.value === "" ? null : Number(n.value) }, "tag"));
    const o = a("input", { type: "text", name: "notes", placeholder: "box notes" });
    o.addEventListener("input", () => this.handlers.editEvent({ notes: o.value }, "notes"));
    const l = e("confidence", "confidence", "0.05", (r) => t(r) === null ? null : Math.min(1, Math.max(0, Number(r))));
    this.inspector.replaceChildren(
      a("div", { class: "el-grid" }, e("start_s", "start s", "0.0001", t), e("end_s", "end s", "0.0001", t), e("low_hz", "low kHz", "0.01", s), e("high_hz", "high kHz", "0.01", s)),
      a("label", {}, "tag ", n),
      l,
      o,
      a("div", { class: "el-row" }, a("span", { class: "el-duration el-muted" }), d("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
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
    this.notice.replaceChildren(a("span", {}, e), ...t.map((s) => d(s.label, s.label, () => (this.hideNotice(), s.run()))), d("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(e, t, s) {
    this.conflict.replaceChildren(
      a("strong", {}, e),
      a("ul", {}, ...t.map((n) => a("li", {}, n))),
      a("div", { class: "el-row" }, ...s.map((n) => d(n.label, n.label, () => (this.hideConflict(), n.run()))))
    ), this.conflict.hidden = !1;
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
function Me(i, e, t, s) {
  i.replaceChildren(
    a(
      "div",
      { class: "el-empty" },
      a("h1", {}, "Queue empty"),
      a("p", {}, `No clips are waiting for you in ${e}. New ones appear after the next sampling round.`),
      a("p", {}, d("Check again", "Ask for the next clip again", s, "el-primary"), t ? a("a", { href: t }, "Back to the project") : null)
    )
  );
}
function ze(i, e, t) {
  i.replaceChildren(a("div", { class: "el-empty el-error" }, a("h1", {}, "Could not load the annotator"), a("p", {}, e), a("p", {}, d("Try again", "Try again", t, "el-primary"))));
}
const Ee = [
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
function Pe(i, e) {
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
function V(i, e, t) {
  if (!e) {
    i.replaceChildren(a("p", { class: "el-muted" }, t));
    return;
  }
  const s = Ee.map(([n, o, l, r]) => {
    const h = e[n];
    return a("tr", { title: r }, a("th", {}, o), a("td", { "data-field": n, "data-value": h === null ? "" : String(h) }, Pe(h, l)));
  });
  i.replaceChildren(a("table", { class: "el-measure-table" }, ...s), e.reason ? a("p", { class: "el-muted el-measure-note" }, e.reason) : "");
}
const _ = 60;
function N(i) {
  let e = -1;
  for (let t = 0; t < i.db.length; t++) (e < 0 || i.db[t] > i.db[e]) && (e = t);
  return e;
}
function Ne(i, e, t, s = "") {
  const { width: n, height: o } = e, l = { left: 30, right: 6, top: 14, bottom: 16 };
  i.clearRect(0, 0, n, o), i.fillStyle = "#0b0e11", i.fillRect(0, 0, n, o), i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif";
  const r = t ? N(t) : -1;
  if (!t || r < 0) {
    i.fillText(s || t?.reason || "", 6, o / 2);
    return;
  }
  const h = t.freqs_hz[0], u = t.freqs_hz[t.freqs_hz.length - 1], p = t.db[r], f = n - l.left - l.right, g = o - l.top - l.bottom, y = (m) => l.left + (u > h ? (m - h) / (u - h) * f : f / 2), C = (m) => l.top + Math.min(_, Math.max(0, p - m)) / _ * g;
  i.strokeStyle = "#323b44", i.strokeRect(l.left, l.top, f, g), i.strokeStyle = "#4fc3f7", i.beginPath(), t.freqs_hz.forEach((m, T) => T ? i.lineTo(y(m), C(t.db[T])) : i.moveTo(y(m), C(t.db[T]))), i.stroke(), i.fillStyle = "#8d9aa5", i.fillText(`${(h / 1e3).toFixed(1)}`, l.left, o - 4);
  const I = `${(u / 1e3).toFixed(1)} kHz`;
  i.fillText(I, n - l.right - i.measureText(I).width, o - 4), i.fillText(`${p.toFixed(0)}`, 2, l.top + 8), i.fillText(`${(p - _).toFixed(0)}`, 2, o - l.bottom), i.fillStyle = "#ffb74d", i.fillText(`peak ${(t.freqs_hz[r] / 1e3).toFixed(2)} kHz, ${p.toFixed(1)} dB`, l.left + 4, l.top - 3);
}
function D(i, e, t) {
  return (i - e.start) / (e.end - e.start) * t;
}
function Ce(i) {
  let e = 0;
  for (let t = 0; t < i.min.length; t++) e = Math.max(e, Math.abs(i.min[t]), Math.abs(i.max[t]));
  return e > 0 ? 0.9 / e : 1;
}
function Ie(i, e, t, s) {
  const { width: n, height: o } = e, l = o / 2;
  if (i.clearRect(0, 0, n, o), i.fillStyle = "#0b0e11", i.fillRect(0, 0, n, o), i.strokeStyle = "#323b44", i.beginPath(), i.moveTo(0, l), i.lineTo(n, l), i.stroke(), !t || !t.min.length) return;
  const r = Ce(t) * l, h = (t.end - t.start) / t.min.length;
  i.fillStyle = "#4fc3f7";
  for (let u = 0; u < t.min.length; u++) {
    const p = D(t.start + u * h, s, n), f = D(t.start + (u + 1) * h, s, n);
    if (f < 0 || p > n) continue;
    const g = l - t.max[u] * r, y = l - t.min[u] * r;
    i.fillRect(p, g, Math.max(1, f - p), Math.max(1, y - g));
  }
  i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif", i.fillText(`±${(0.9 / (r / l)).toFixed(3)} FS`, 4, 11);
}
const Ae = 80, Fe = 150, Le = 4096, Be = 64, Ve = 120;
class H {
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
function q(i) {
  return Object.entries(i).filter(([, e]) => e !== null).map(([e, t]) => `${e}=${Number(t.toFixed(7))}`).join("&");
}
class De {
  constructor(e) {
    this.api = e, V(this.table, null, "Select a box to measure it.");
  }
  api;
  wave = a("canvas", { class: "el-waveform", "aria-label": "Waveform of the visible window" });
  spectrumCanvas = a("canvas", { class: "el-spectrum", "aria-label": "Power spectrum of the selected box" });
  table = a("div", { class: "el-measurements" });
  /** Under the image, aligned with it (the empty cell sits under the frequency axis). */
  strip = a("div", { class: "el-wave-row" }, a("div", { class: "el-wave-label" }, "wave"), this.wave);
  side = a("section", { class: "el-analysis", "data-state": "empty" }, a("h2", {}, "Spectrum of the box"), this.spectrumCanvas, a("h2", {}, "Measurements"), this.table);
  envelope = null;
  envelopeKey = "";
  view = null;
  spectrum = null;
  selectionKey = "";
  envelopes = new H();
  measures = new H();
  /** The visible window changed (or was repainted): redraw the strip, fetch a new envelope if needed. */
  follow(e, t) {
    this.view = t, this.drawWave();
    const s = Math.min(Le, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!e || s < 1) return;
    const n = e.clip.recording, o = Math.max(0, t.start), l = Math.min(n.duration_s, t.end), r = `${n.id}:${o.toFixed(6)}:${l.toFixed(6)}:${s}`;
    r === this.envelopeKey || !(l > o) || (this.envelopeKey.startsWith(`${n.id}:`) || (this.envelope = null), this.envelopeKey = r, this.envelopes.run(Ae, async (h) => {
      this.envelope = await this.api.json(`recordings/${n.id}/envelope/?${q({ start: o, end: l, width: s })}`, h), this.drawWave();
    }));
  }
  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(e, t) {
    const s = e && t ? `${e.clip.recording.id}:${t.start_s}:${t.end_s}:${t.low_hz}:${t.high_hz}` : "";
    if (s === this.selectionKey) return;
    if (this.selectionKey = s, !e || !t)
      return this.measures.cancel(), this.show("empty", null, null, "Select a box to measure it.");
    this.show("loading", null, null, "Measuring…");
    const n = e.clip.recording.id, o = q({ start: t.start_s, end: t.end_s, low: t.low_hz, high: t.high_hz });
    this.measures.run(Fe, async (l) => {
      try {
        const [r, h] = await Promise.all([
          this.api.json(`recordings/${n}/spectrum/?${o}&bins=512`, l),
          this.api.json(`recordings/${n}/measurements/?${o}`, l)
        ]);
        this.selectionKey === s && this.show("ready", r, h, "");
      } catch (r) {
        !l.aborted && this.selectionKey === s && this.show("error", null, null, r.message);
      }
    });
  }
  show(e, t, s, n) {
    this.side.dataset.state = e, this.spectrum = t, V(this.table, s, n), this.drawSpectrumPanel(n);
  }
  drawWave() {
    if (!this.view) return;
    const e = { width: this.wave.clientWidth || 300, height: Be };
    Ie(A(this.wave, e), e, this.envelope, this.view), this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }
  drawSpectrumPanel(e) {
    const t = { width: this.spectrumCanvas.clientWidth || 240, height: Ve };
    Ne(A(this.spectrumCanvas, t), t, this.spectrum, e);
    const s = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(s?.db.length ?? 0), this.spectrumCanvas.dataset.peakHz = s && N(s) >= 0 ? String(s.freqs_hz[N(s)]) : "";
  }
}
const He = [0, 0.5, 0.75, 0.9], qe = ["hann", "hamming", "blackman", "blackmanharris", "boxcar"], Re = [
  ["none", "plain"],
  ["reassigned", "reassigned"],
  ["multitaper", "multitaper"]
], je = [
  [6, "FM (w0 6)"],
  [200, "CF (w0 200)"]
];
function b(i, e, t) {
  return a("select", { title: i, name: e, class: "el-view-option" }, ...t.map(([s, n]) => a("option", { value: s }, n)));
}
function k(i, e, t) {
  Array.from(i.options).some((s) => s.value === e) || i.append(a("option", { value: e }, t));
}
const S = (i) => `${Number((i * 1e3).toPrecision(3))} ms`;
class Oe {
  constructor(e) {
    this.viewer = e;
    const t = e.options;
    t.window !== "auto" && k(this.window, String(t.window), S(t.window)), k(this.overlap, String(t.overlap), `${Math.round(t.overlap * 100)} %`), k(this.wavelet, String(t.w0), `w0 ${t.w0}`), this.window.addEventListener("change", () => this.set({ window: this.window.value === "auto" ? "auto" : Number(this.window.value) })), this.overlap.addEventListener("change", () => this.set({ overlap: Number(this.overlap.value) })), this.windowType.addEventListener("change", () => this.set({ windowType: this.windowType.value })), this.sharpen.addEventListener("change", () => this.set({ sharpen: this.sharpen.value })), this.wavelet.addEventListener("change", () => this.set({ w0: Number(this.wavelet.value) })), this.autoLevels.addEventListener("change", () => this.set({ autoLevels: this.autoLevels.checked })), this.element = a(
      "div",
      { class: "el-group el-view-options" },
      a("label", {}, "window ", this.window),
      this.overlap,
      this.windowType,
      this.sharpen,
      this.wavelet,
      a("label", { title: "Levels from each view's percentiles (Shift+L); the dB sliders turn it off" }, this.autoLevels, " auto levels"),
      this.levelsText
    ), e.onOptions = () => this.update(), this.update();
  }
  viewer;
  element;
  window = b("STFT window ([ shorter, ] longer); auto follows the zoom", "window", [
    ["auto", "auto"],
    ...Z.map((e) => [String(e / 1e3), S(e / 1e3)])
  ]);
  overlap = b("STFT overlap", "overlap", He.map((e) => [String(e), `${Math.round(e * 100)} %`]));
  windowType = b("STFT window type", "window_type", qe.map((e) => [e, e]));
  sharpen = b("Sharpening (Shift+R cycles): reassigned draws FM sweeps as thin lines; multitaper speckles less", "sharpen", Re);
  wavelet = b("Scalogram bandwidth: narrow for constant-frequency calls", "w0", je.map(([e, t]) => [String(e), t]));
  autoLevels = a("input", { type: "checkbox", name: "auto_levels" });
  levelsText = a("span", { class: "el-levels-text el-muted" });
  set(e) {
    document.activeElement?.blur(), this.viewer.setOptions(e);
  }
  /** Show the viewer's options, and what "auto" resolved to for the image on screen. */
  update() {
    const e = this.viewer.options, t = this.viewer.kind === "spectrogram";
    e.window !== "auto" && k(this.window, String(e.window), S(e.window)), c(this.window, String(e.window)), this.window.options[0].textContent = e.window === "auto" && t ? `auto (${S(this.viewer.shownWindow())})` : "auto", c(this.overlap, String(e.overlap)), c(this.windowType, e.windowType), c(this.sharpen, e.sharpen), c(this.wavelet, String(e.w0));
    for (const n of [this.window, this.overlap, this.windowType, this.sharpen]) n.hidden = !t;
    this.wavelet.hidden = t, this.autoLevels.checked = e.autoLevels;
    const s = this.viewer.shownLevels();
    this.levelsText.textContent = e.autoLevels && s ? `${s[0].toFixed(0)} … ${s[1].toFixed(0)}` : "";
  }
}
const We = 720 * 3600 * 1e3, Ke = 0.5;
function W(i) {
  const e = i?.model_version?.threshold;
  return typeof e == "number" && Number.isFinite(e) && e >= 0 && e <= 1 ? e : null;
}
function Ue(i, e) {
  return e ?? W(i) ?? Ke;
}
class Je {
  constructor(e) {
    this.page = e, this.submitter = new Te((t, s) => e.api.submit(t, s), () => this.draftValue, this.submitEvents()), this.lease = new xe(async (t) => (await e.api.renew(t)).lease_expires_at, {
      lost: (t) => this.status(`Your hold on this clip ran out (${t}). Submitting still saves your work.`, "warn")
    }), this.player = new Q(
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
  draftValue = ee();
  undoStack = F();
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
    } catch (o) {
      e.dataset.state = "error", ze(e, o.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new _e(e, this.project, this.handlers()), this.analysis = new De(t), this.ui.belowPlot.replaceChildren(this.analysis.strip), this.ui.sidePanels.replaceChildren(this.analysis.side);
    const n = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new te(this.project, t, this.ui, n, (o, l) => this.status(o, l)), this.ui.main.querySelector(".el-toolbar")?.append(new Oe(this.viewer).element), this.pointer = new se(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (o) => this.onKey(o));
    for (const o of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(o, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(We), await this.loadNext();
  }
  async loadNext() {
    const { root: e, api: t, projectId: s } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, e.dataset.state = "loading", e.contains(this.ui.main) || e.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let n;
    try {
      n = await t.nextTask(s);
    } catch (o) {
      e.dataset.state = "error", this.status(`Could not get the next clip: ${o.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!n) {
      e.dataset.state = "empty", Me(e, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(n);
  }
  openTask(e) {
    this.task = e, this.lease.start(e.id, e.lease_expires_at), this.ui.setTask(e), this.draftValue = this.restoreDraft(e), this.undoStack = F(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], P(e.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(e), this.page.api.predictions(e.clip.id).then(
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
    const { drafts: t } = this.page, s = z(e.annotation), { draft: n, restored: o, older: l } = ve(t, e.id, s), r = (h) => new Date(h).toLocaleString();
    return o ? (this.status(`Restored your unsaved draft from ${r(o.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${r(o.savedAt)}).`, [{ label: "Discard it", run: () => this.change(s) }])) : l && this.ui.showNotice(`You have unsaved work on this clip from ${r(l.savedAt)}, but someone saved it since (version ${s.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...l.draft, version: s.version }) },
      { label: "Merge mine into theirs", run: () => this.change(L(l.draft, s)) },
      { label: "Discard mine", run: () => t.remove(e.id, l.version) }
    ]), o || this.status(e.annotation ? `Editing saved version ${e.annotation.version}.` : "New clip.", "info"), n;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const e = ie(this.draftValue);
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
    const s = this.task, n = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !e) {
      const h = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(t, ["Your draft is kept and will be offered again."], [h]);
    }
    const o = z(e), l = (h) => `${h.events.length} boxes, ${h.tags.length} clip tags${h.no_calls ? ", no calls" : ""}${h.noise ? ", noise" : ""}${h.uncertain ? ", uncertain" : ""}`, r = (h) => {
      this.page.drafts.remove(s.id, n.version), this.change(h);
    };
    this.ui.showConflict(
      `${t} (now version ${e.version})`,
      [`Theirs: ${l(o)}`, `Yours: ${l(n)}`],
      [
        { label: "Use theirs", run: () => r(o) },
        { label: "Merge (theirs + your boxes)", run: () => (r(L(n, o)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (r({ ...n, version: e.version }), void this.submitter.send(s.id)) }
      ]
    );
  }
  /** k: release the task (its draft stays in localStorage) and open the next. */
  async skip() {
    const e = this.task;
    if (!(!e || this.submitter.inFlight || this.skipping)) {
      this.submitter.cancel(), this.player.stop(), this.skipping = !0, this.status("Skipping…", "busy");
      try {
        await this.page.api.release(e.id), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${e.clip.id}.`, "info");
      } catch (t) {
        this.skipping = !1, this.status(`Could not skip: ${t instanceof j ? t.message : String(t)}`, "error");
      }
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(e, t = null, s = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    e !== s && (this.undoStack = ne(this.undoStack, s, t), this.draftValue = e, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const e = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(e ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(e) {
    if (!this.canEdit()) return;
    const t = e === "undo" ? ae(this.undoStack, this.draftValue) : oe(this.undoStack, this.draftValue);
    if (!t) return this.status(`Nothing to ${e}.`, "info");
    this.undoStack = t.stack, this.draftValue = { ...t.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(e) {
    if (this.selectedIndex === null)
      return this.pendingTag = e, this.refresh();
    this.change($(this.draftValue, this.selectedIndex, { tag: e }));
  }
  editSelected(e, t) {
    const s = this.selectedIndex;
    if (s === null) return;
    let n = $(this.draftValue, s, e);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(t) && (n = $(n, s, re(n.events[s], this.boxBounds()))), this.change(n, `edit:${s}:${t}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const e = this.selectedIndex;
    this.selectedIndex = null, this.change(le(this.draftValue, e));
  }
  cycleSelection(e) {
    const t = this.draftValue.events.map((n, o) => [n.start_s, o]).sort((n, o) => n[0] - o[0]).map((n) => n[1]);
    if (!t.length) return;
    const s = this.selectedIndex === null ? e > 0 ? -1 : 0 : t.indexOf(this.selectedIndex);
    this.select(t[(s + e + t.length) % t.length]);
  }
  accept(e) {
    const t = this.project.settings.annotation_mode, s = !e && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, n = s ? [s] : this.visiblePredictions().map((l) => l.p);
    if (!n.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let o = this.draftValue;
    for (const l of n) o = B(o, he(l, t));
    this.selectedPred = null, this.change(o), n.length === 1 && this.select(o.events.length - 1), this.status(`Accepted ${n.length} prediction${n.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const e = this.task.clip.recording, t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = this.viewer.view, n = Math.max(0, t ? t.start_s : s.start), o = Math.min(e.duration_s, t ? t.end_s : s.end), l = t && t.low_hz !== null && t.high_hz !== null ? { low: t.low_hz, high: t.high_hz } : {}, r = this.page.api.audioUrl(e.id, { start: n, end: o, expansion: this.expansion, ...l });
    this.player.play({ url: r, start: n, end: o, expansion: this.expansion });
  }
  setExpansion(e) {
    this.player.stop(), this.expansion = e, this.refreshToolbar();
  }
  cycleExpansion() {
    const e = this.task?.clip.recording.samplerate ?? 1 / 0, t = E.filter((n) => P(e, n)), s = t[(t.indexOf(this.expansion) + 1) % t.length] ?? 1;
    this.setExpansion(s), this.status(`Playback slowed down ${s}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(e) {
    if (e.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const t = e.target, s = de(t);
    if ((t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement || t instanceof HTMLInputElement && !s) && ["Enter", " ", "Tab"].includes(e.key)) return;
    const o = ce(e, { tags: this.project.tags, typing: s !== null, multiline: s === "text" });
    if (o) {
      if (this.pointer.active && o.type !== "escape") return e.preventDefault();
      (o.type === "selectNext" || o.type === "selectPrev") && !this.draftValue.events.length || (e.preventDefault(), this.perform(o, t));
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
        return s.setOptions({ sharpen: ue(s.options.sharpen) });
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
    return this.predictions.events.map((t, s) => ({ p: t, index: s })).filter(({ p: t }) => t.score >= this.threshold && !pe(this.draftValue, t, e));
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
    const t = B(this.draftValue, { ...e, tag: this.pendingTag, confidence: null, notes: "" });
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
    return Ue(this.predictions, this.chosenThreshold);
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
      toggleClipTag: (e) => this.change(ge(this.draftValue, e)),
      flag: (e) => this.change(x(this.draftValue, e)),
      notes: (e) => this.change(fe(this.draftValue, e), "notes"),
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
function Ye() {
  const i = document.getElementById("echoloop-config");
  try {
    return i?.textContent ? JSON.parse(i.textContent) : {};
  } catch {
    return {};
  }
}
function Ge() {
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
function R() {
  const i = document.getElementById("echoloop-annotator");
  if (!i) return;
  const e = Ye(), t = new Je({
    root: i,
    api: new me(i.dataset.apiBase || "/api/", e.csrfToken ?? ""),
    drafts: new we(Ge()),
    projectId: Number(i.dataset.projectId),
    nextUrl: i.dataset.nextUrl || void 0
  });
  window.echoloop = t.hook(), t.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", R) : R();
