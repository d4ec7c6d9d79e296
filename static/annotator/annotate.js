import { s as T, f as _, A as L, e as R, h as a, E as $, a as O, t as K, b, c as W, H as U, d as z, g, i as J, p as C, P as Y, j as G, k as N, V as X, l as Z, m as I, w as Q, r as tt, u as et, n as st, o as k, q as it, v as nt, x as A, y as at, z as rt, B as ot, C as y, D as lt, F as ht, G as dt, I as ct } from "./shared-viewer.js";
const q = "echoloop:draft:v1:";
function w(i, t) {
  return `${q}${i}:${t ?? "new"}`;
}
class ut {
  constructor(t, e = Date.now) {
    this.store = t, this.now = e;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(t, e, s) {
    const n = { taskId: t, version: e, savedAt: this.now(), draft: s };
    try {
      return this.store.setItem(w(t, e), JSON.stringify(n)), !0;
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
    return this.all().filter((n) => n.taskId === t && w(n.taskId, n.version) !== s).sort((n, r) => r.savedAt - n.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(t) {
    const e = this.now() - t, s = this.all().filter((n) => n.savedAt < e);
    for (const n of s) this.remove(n.taskId, n.version);
    return s.length;
  }
  all() {
    const t = [];
    for (let e = 0; e < this.store.length; e++) {
      const s = this.store.key(e);
      s && s.startsWith(q) && t.push(s);
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
function pt(i, t, e) {
  const s = i.load(t, e.version);
  if (s && !T(s.draft, e))
    return { draft: { ...s.draft, version: e.version }, restored: s, older: null };
  s && i.remove(t, e.version);
  const n = i.others(t, e.version).find((r) => !T(r.draft, e)) ?? null;
  return { draft: e, restored: null, older: n };
}
const ft = {
  now: () => Date.now(),
  setTimeout: (i, t) => setTimeout(i, t),
  clearTimeout: (i) => clearTimeout(i)
};
function gt(i, t, e = 15e3) {
  return Math.max(e, Math.floor((i - t) / 2));
}
class mt {
  constructor(t, e, s = ft) {
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
    const t = gt(this.expiresAt, this.clock.now());
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
function bt(i) {
  if (!(i instanceof L)) return { kind: "retry", message: String(i?.message ?? i) };
  const t = i.body;
  if (i.status === 409) {
    const e = t && typeof t == "object" ? t.current ?? null : null, s = t && typeof t == "object" && typeof t.detail == "string" ? t.detail : "";
    return { kind: "conflict", current: e, message: s || "Someone else saved this clip meanwhile." };
  }
  if (i.status === 400) {
    const e = R(i.body);
    return { kind: "invalid", messages: e.length ? e : [i.message] };
  }
  return i.status === 0 || i.status >= 500 || i.status === 429 || i.status === 408 ? { kind: "retry", message: i.message } : { kind: "fatal", message: i.message };
}
function wt(i, t = Math.random) {
  const e = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, i)));
  return Math.round(e * (1 + 0.2 * t()));
}
class vt {
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
    } catch (n) {
      s = bt(n);
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
      const r = wt(this.attempt++);
      this.on.status(`Submit failed (${t.message}). Your draft is kept; retrying in ${Math.round(r / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(e);
      }, r);
      return;
    }
    if (this.attempt = 0, t.kind === "conflict")
      return t.current && T(_(t.current), s) ? this.on.done(s) : this.on.conflict(t.current, t.message);
    const n = t.kind === "invalid" ? t.messages.join("; ") : t.message;
    this.on.status(`Not saved: ${n} (your draft is kept)`, "error");
  }
}
function d(i, t, e, s = "") {
  return a("button", { type: "button", title: t, class: s, onclick: (n) => (e(), n.currentTarget.blur()) }, i);
}
function yt(i, t, e) {
  const s = i.toFixed(2);
  if (!e && t !== null)
    return { short: `${s} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${s}: the model's threshold on its calibrated scores` };
  if (e) {
    const n = t === null ? "" : `; the model's calibrated threshold is ${t.toFixed(2)}`;
    return { short: `${s} (yours)`, long: `Showing predictions scoring at least ${s}, your choice${n}` };
  }
  return { short: s, long: `Prediction score threshold: showing predictions scoring at least ${s}` };
}
class xt {
  constructor(t, e, s) {
    this.root = t, this.project = e, this.handlers = s, this.helpDialog = this.buildHelp(), this.main = a(
      "div",
      { class: "el-app" },
      a("header", { class: "el-header" }, a("strong", {}, e.name), this.header, d("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
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
    ), this.retry.hidden = !0, t.replaceChildren(this.main);
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
    const t = this.project.settings;
    for (const s of [this.dbMin, this.dbMax])
      s.min = String(Math.min(-140, t.db_min - 20)), s.max = String(Math.max(40, t.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const e = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", e), this.dbMax.addEventListener("input", e);
    for (const s of $) this.expansionSelect.append(a("option", { value: s }, `${s}×`));
    $.includes(t.time_expansion) || this.expansionSelect.append(a("option", { value: t.time_expansion }, `${t.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
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
    const t = this.project.tags, e = O(t), s = a("div", { class: "el-tag-list" }), n = a("div", { class: "el-clip-tags" });
    t.forEach((o, h) => {
      const c = K(t, h), u = e.has(o.id) ? ` (hotkey "${o.hotkey}" is taken by a built-in key)` : "", p = d("", `${b(t, o.id)}${u}`, () => this.handlers.tag(o.id), "el-tag");
      p.append(a("span", { class: "el-swatch", style: `background:${W(t, o.id)}` }), a("kbd", {}, c || "·"), ` ${b(t, o.id)}`), this.tagButtons.set(o.id, p), s.append(p);
      const f = a("input", { type: "checkbox", "data-tag": o.id });
      f.addEventListener("change", () => (this.handlers.toggleClipTag(o.id), f.blur())), this.clipTagBoxes.set(o.id, f), n.append(a("label", {}, f, ` ${b(t, o.id)}`));
    });
    const r = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], l = a("div", { class: "el-flags" });
    for (const [o, h, c] of r) {
      const u = d(`${h} (${c})`, `${h} (${c})`, () => this.handlers.flag(o), "el-flag");
      u.setAttribute("aria-pressed", "false"), this.flagButtons.set(o, u), l.append(u);
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
    const t = U.map(([s, n]) => a("tr", {}, a("th", {}, s), a("td", {}, n)));
    return a("dialog", { class: "el-help" }, a("h2", {}, "Keyboard"), a("table", {}, ...t), a("form", { method: "dialog" }, a("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(t) {
    const e = t.clip, s = e.recording;
    this.header.textContent = ` · ${s.name} · ${e.start_s.toFixed(3)}–${e.end_s.toFixed(3)} s · task ${t.id}${t.reason ? ` · ${t.reason}` : ""}`, this.header.title = `lease expires ${new Date(t.lease_expires_at).toLocaleTimeString()}`;
    for (const n of Array.from(this.expansionSelect.options)) {
      const r = z(s.samplerate, Number(n.value));
      n.disabled = !r, n.title = r ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    this.hideConflict(), this.hideNotice();
  }
  updateToolbar(t) {
    this.viewButton.textContent = t.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = t.kind !== "spectrogram", g(this.normSelect, t.norm), g(this.dbMin, String(t.dbMin)), g(this.dbMax, String(t.dbMax)), this.dbText.textContent = `${t.dbMin} … ${t.dbMax}`, this.panButton.setAttribute("aria-pressed", String(t.panMode)), this.playButton.textContent = t.playing ? "❚❚ Pause" : "▶ Play", g(this.expansionSelect, String(t.expansion));
  }
  updatePredictions(t) {
    this.predToggle.checked = t.show, g(this.threshold, String(t.threshold));
    const e = yt(t.threshold, t.served, t.chosen);
    this.thresholdText.textContent = e.short, this.threshold.title = this.thresholdText.title = e.long, this.predInfo.textContent = t.model ? `${t.model}: ${t.shown}/${t.count}` : "no model";
  }
  updateDraft(t, e, s, n) {
    const r = this.project.tags, l = e ? e.tag : s;
    for (const [o, h] of this.tagButtons) h.classList.toggle("el-active", o === l);
    this.pendingLabel.textContent = e ? "Keys set the selected box's tag" : `Next box: ${b(r, s)}`;
    for (const [o, h] of this.clipTagBoxes) h.checked = t.tags.includes(o);
    for (const [o, h] of this.flagButtons) h.setAttribute("aria-pressed", String(t[o]));
    g(this.notesArea, t.notes), this.updateInspector(e, n);
  }
  inspectorBuilt = !1;
  updateInspector(t, e) {
    if (!t) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(a("p", { class: "el-muted" }, e === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const s = (r) => this.inspector.querySelector(`[name=${r}]`);
    g(s("start_s"), t.start_s.toFixed(4)), g(s("end_s"), t.end_s.toFixed(4));
    const n = t.low_hz !== null && t.high_hz !== null;
    for (const r of ["low_hz", "high_hz"]) s(r).closest("label").hidden = !n;
    n && (g(s("low_hz"), (t.low_hz / 1e3).toFixed(2)), g(s("high_hz"), (t.high_hz / 1e3).toFixed(2))), g(this.inspector.querySelector("select"), t.tag === null ? "" : String(t.tag)), g(s("confidence"), t.confidence === null ? "" : String(t.confidence)), g(s("notes"), t.notes), this.inspector.querySelector(".el-duration").textContent = `${J(t.end_s - t.start_s)}${n ? ` · ${((t.high_hz - t.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const t = (o, h, c, u) => {
      const p = a("input", { type: "number", name: o, step: c });
      return p.addEventListener("change", () => {
        const f = u(p.value);
        f === null && o !== "confidence" || this.handlers.editEvent({ [o]: f }, o);
      }), a("label", {}, h, p);
    }, e = (o) => o.trim() === "" || !Number.isFinite(Number(o)) ? null : Number(o), s = (o) => e(o) === null ? null : Number(o) * 1e3, n = a("select", { name: "tag" }, a("option", { value: "" }, "no tag"), ...this.project.tags.map((o) => a("option", { value: o.id }, b(this.project.tags, o.id))));
    n.addEventListener("change", () => this.handlers.editEvent({ tag: n.value === "" ? null : Number(n.value) }, "tag"));
    const r = a("input", { type: "text", name: "notes", placeholder: "box notes" });
    r.addEventListener("input", () => this.handlers.editEvent({ notes: r.value }, "notes"));
    const l = t("confidence", "confidence", "0.05", (o) => e(o) === null ? null : Math.min(1, Math.max(0, Number(o))));
    this.inspector.replaceChildren(
      a("div", { class: "el-grid" }, t("start_s", "start s", "0.0001", e), t("end_s", "end s", "0.0001", e), t("low_hz", "low kHz", "0.01", s), t("high_hz", "high kHz", "0.01", s)),
      a("label", {}, "tag ", n),
      l,
      r,
      a("div", { class: "el-row" }, a("span", { class: "el-duration el-muted" }), d("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
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
    this.notice.replaceChildren(a("span", {}, t), ...e.map((s) => d(s.label, s.label, () => (this.hideNotice(), s.run()))), d("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(t, e, s) {
    this.conflict.replaceChildren(
      a("strong", {}, t),
      a("ul", {}, ...e.map((n) => a("li", {}, n))),
      a("div", { class: "el-row" }, ...s.map((n) => d(n.label, n.label, () => (this.hideConflict(), n.run()))))
    ), this.conflict.hidden = !1;
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
function kt(i, t, e, s) {
  i.replaceChildren(
    a(
      "div",
      { class: "el-empty" },
      a("h1", {}, "Queue empty"),
      a("p", {}, `No clips are waiting for you in ${t}. New ones appear after the next sampling round.`),
      a("p", {}, d("Check again", "Ask for the next clip again", s, "el-primary"), e ? a("a", { href: e }, "Back to the project") : null)
    )
  );
}
function St(i, t, e) {
  i.replaceChildren(a("div", { class: "el-empty el-error" }, a("h1", {}, "Could not load the annotator"), a("p", {}, t), a("p", {}, d("Try again", "Try again", e, "el-primary"))));
}
const Tt = [
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
function _t(i, t) {
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
function B(i, t, e) {
  if (!t) {
    i.replaceChildren(a("p", { class: "el-muted" }, e));
    return;
  }
  const s = Tt.map(([n, r, l, o]) => {
    const h = t[n];
    return a("tr", { title: o }, a("th", {}, r), a("td", { "data-field": n, "data-value": h === null ? "" : String(h) }, _t(h, l)));
  });
  i.replaceChildren(a("table", { class: "el-measure-table" }, ...s), t.reason ? a("p", { class: "el-muted el-measure-note" }, t.reason) : "");
}
const S = 60;
function M(i) {
  let t = -1;
  for (let e = 0; e < i.db.length; e++) (t < 0 || i.db[e] > i.db[t]) && (t = e);
  return t;
}
function $t(i, t, e, s = "") {
  const { width: n, height: r } = t, l = { left: 30, right: 6, top: 14, bottom: 16 };
  i.clearRect(0, 0, n, r), i.fillStyle = "#0b0e11", i.fillRect(0, 0, n, r), i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif";
  const o = e ? M(e) : -1;
  if (!e || o < 0) {
    i.fillText(s || e?.reason || "", 6, r / 2);
    return;
  }
  const h = e.freqs_hz[0], c = e.freqs_hz[e.freqs_hz.length - 1], u = e.db[o], p = n - l.left - l.right, f = r - l.top - l.bottom, v = (m) => l.left + (c > h ? (m - h) / (c - h) * p : p / 2), P = (m) => l.top + Math.min(S, Math.max(0, u - m)) / S * f;
  i.strokeStyle = "#323b44", i.strokeRect(l.left, l.top, p, f), i.strokeStyle = "#4fc3f7", i.beginPath(), e.freqs_hz.forEach((m, x) => x ? i.lineTo(v(m), P(e.db[x])) : i.moveTo(v(m), P(e.db[x]))), i.stroke(), i.fillStyle = "#8d9aa5", i.fillText(`${(h / 1e3).toFixed(1)}`, l.left, r - 4);
  const E = `${(c / 1e3).toFixed(1)} kHz`;
  i.fillText(E, n - l.right - i.measureText(E).width, r - 4), i.fillText(`${u.toFixed(0)}`, 2, l.top + 8), i.fillText(`${(u - S).toFixed(0)}`, 2, r - l.bottom), i.fillStyle = "#ffb74d", i.fillText(`peak ${(e.freqs_hz[o] / 1e3).toFixed(2)} kHz, ${u.toFixed(1)} dB`, l.left + 4, l.top - 3);
}
function F(i, t, e) {
  return (i - t.start) / (t.end - t.start) * e;
}
function zt(i) {
  let t = 0;
  for (let e = 0; e < i.min.length; e++) t = Math.max(t, Math.abs(i.min[e]), Math.abs(i.max[e]));
  return t > 0 ? 0.9 / t : 1;
}
function Mt(i, t, e, s) {
  const { width: n, height: r } = t, l = r / 2;
  if (i.clearRect(0, 0, n, r), i.fillStyle = "#0b0e11", i.fillRect(0, 0, n, r), i.strokeStyle = "#323b44", i.beginPath(), i.moveTo(0, l), i.lineTo(n, l), i.stroke(), !e || !e.min.length) return;
  const o = zt(e) * l, h = (e.end - e.start) / e.min.length;
  i.fillStyle = "#4fc3f7";
  for (let c = 0; c < e.min.length; c++) {
    const u = F(e.start + c * h, s, n), p = F(e.start + (c + 1) * h, s, n);
    if (p < 0 || u > n) continue;
    const f = l - e.max[c] * o, v = l - e.min[c] * o;
    i.fillRect(u, f, Math.max(1, p - u), Math.max(1, v - f));
  }
  i.fillStyle = "#8d9aa5", i.font = "10px system-ui, sans-serif", i.fillText(`±${(0.9 / (o / l)).toFixed(3)} FS`, 4, 11);
}
const Pt = 80, Et = 150, Ct = 4096, Nt = 64, It = 120;
class V {
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
function D(i) {
  return Object.entries(i).filter(([, t]) => t !== null).map(([t, e]) => `${t}=${Number(e.toFixed(7))}`).join("&");
}
class At {
  constructor(t) {
    this.api = t, B(this.table, null, "Select a box to measure it.");
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
  envelopes = new V();
  measures = new V();
  /** The visible window changed (or was repainted): redraw the strip, fetch a new envelope if needed. */
  follow(t, e) {
    this.view = e, this.drawWave();
    const s = Math.min(Ct, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!t || s < 1) return;
    const n = t.clip.recording, r = Math.max(0, e.start), l = Math.min(n.duration_s, e.end), o = `${n.id}:${r.toFixed(6)}:${l.toFixed(6)}:${s}`;
    o === this.envelopeKey || !(l > r) || (this.envelopeKey.startsWith(`${n.id}:`) || (this.envelope = null), this.envelopeKey = o, this.envelopes.run(Pt, async (h) => {
      this.envelope = await this.api.json(`recordings/${n.id}/envelope/?${D({ start: r, end: l, width: s })}`, h), this.drawWave();
    }));
  }
  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(t, e) {
    const s = t && e ? `${t.clip.recording.id}:${e.start_s}:${e.end_s}:${e.low_hz}:${e.high_hz}` : "";
    if (s === this.selectionKey) return;
    if (this.selectionKey = s, !t || !e)
      return this.measures.cancel(), this.show("empty", null, null, "Select a box to measure it.");
    this.show("loading", null, null, "Measuring…");
    const n = t.clip.recording.id, r = D({ start: e.start_s, end: e.end_s, low: e.low_hz, high: e.high_hz });
    this.measures.run(Et, async (l) => {
      try {
        const [o, h] = await Promise.all([
          this.api.json(`recordings/${n}/spectrum/?${r}&bins=512`, l),
          this.api.json(`recordings/${n}/measurements/?${r}`, l)
        ]);
        this.selectionKey === s && this.show("ready", o, h, "");
      } catch (o) {
        !l.aborted && this.selectionKey === s && this.show("error", null, null, o.message);
      }
    });
  }
  show(t, e, s, n) {
    this.side.dataset.state = t, this.spectrum = e, B(this.table, s, n), this.drawSpectrumPanel(n);
  }
  drawWave() {
    if (!this.view) return;
    const t = { width: this.wave.clientWidth || 300, height: Nt };
    Mt(C(this.wave, t), t, this.envelope, this.view), this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }
  drawSpectrumPanel(t) {
    const e = { width: this.spectrumCanvas.clientWidth || 240, height: It };
    $t(C(this.spectrumCanvas, e), e, this.spectrum, t);
    const s = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(s?.db.length ?? 0), this.spectrumCanvas.dataset.peakHz = s && M(s) >= 0 ? String(s.freqs_hz[M(s)]) : "";
  }
}
const Bt = 720 * 3600 * 1e3, Ft = 0.5;
function j(i) {
  const t = i?.model_version?.threshold;
  return typeof t == "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}
function Vt(i, t) {
  return t ?? j(i) ?? Ft;
}
class Dt {
  constructor(t) {
    this.page = t, this.submitter = new vt((e, s) => t.api.submit(e, s), () => this.draftValue, this.submitEvents()), this.lease = new mt(async (e) => (await t.api.renew(e)).lease_expires_at, {
      lost: (e) => this.status(`Your hold on this clip ran out (${e}). Submitting still saves your work.`, "warn")
    }), this.player = new Y(
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
  pointer;
  player;
  task = null;
  draftValue = G();
  undoStack = N();
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
    } catch (r) {
      t.dataset.state = "error", St(t, r.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new xt(t, this.project, this.handlers()), this.analysis = new At(e), this.ui.belowPlot.replaceChildren(this.analysis.strip), this.ui.sidePanels.replaceChildren(this.analysis.side);
    const n = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new X(this.project, e, this.ui, n, (r, l) => this.status(r, l)), this.pointer = new Z(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (r) => this.onKey(r));
    for (const r of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(r, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(Bt), await this.loadNext();
  }
  async loadNext() {
    const { root: t, api: e, projectId: s } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, t.dataset.state = "loading", t.contains(this.ui.main) || t.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let n;
    try {
      n = await e.nextTask(s);
    } catch (r) {
      t.dataset.state = "error", this.status(`Could not get the next clip: ${r.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!n) {
      t.dataset.state = "empty", kt(t, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(n);
  }
  openTask(t) {
    this.task = t, this.lease.start(t.id, t.lease_expires_at), this.ui.setTask(t), this.draftValue = this.restoreDraft(t), this.undoStack = N(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], z(t.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(t), this.page.api.predictions(t.clip.id).then(
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
    const { drafts: e } = this.page, s = _(t.annotation), { draft: n, restored: r, older: l } = pt(e, t.id, s), o = (h) => new Date(h).toLocaleString();
    return r ? (this.status(`Restored your unsaved draft from ${o(r.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${o(r.savedAt)}).`, [{ label: "Discard it", run: () => this.change(s) }])) : l && this.ui.showNotice(`You have unsaved work on this clip from ${o(l.savedAt)}, but someone saved it since (version ${s.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...l.draft, version: s.version }) },
      { label: "Merge mine into theirs", run: () => this.change(I(l.draft, s)) },
      { label: "Discard mine", run: () => e.remove(t.id, l.version) }
    ]), r || this.status(t.annotation ? `Editing saved version ${t.annotation.version}.` : "New clip.", "info"), n;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const t = Q(this.draftValue);
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
    const s = this.task, n = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !t) {
      const h = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(e, ["Your draft is kept and will be offered again."], [h]);
    }
    const r = _(t), l = (h) => `${h.events.length} boxes, ${h.tags.length} clip tags${h.no_calls ? ", no calls" : ""}${h.noise ? ", noise" : ""}${h.uncertain ? ", uncertain" : ""}`, o = (h) => {
      this.page.drafts.remove(s.id, n.version), this.change(h);
    };
    this.ui.showConflict(
      `${e} (now version ${t.version})`,
      [`Theirs: ${l(r)}`, `Yours: ${l(n)}`],
      [
        { label: "Use theirs", run: () => o(r) },
        { label: "Merge (theirs + your boxes)", run: () => (o(I(n, r)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (o({ ...n, version: t.version }), void this.submitter.send(s.id)) }
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
        this.skipping = !1, this.status(`Could not skip: ${e instanceof L ? e.message : String(e)}`, "error");
      }
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(t, e = null, s = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    t !== s && (this.undoStack = tt(this.undoStack, s, e), this.draftValue = t, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const t = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(t ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(t) {
    if (!this.canEdit()) return;
    const e = t === "undo" ? et(this.undoStack, this.draftValue) : st(this.undoStack, this.draftValue);
    if (!e) return this.status(`Nothing to ${t}.`, "info");
    this.undoStack = e.stack, this.draftValue = { ...e.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(t) {
    if (this.selectedIndex === null)
      return this.pendingTag = t, this.refresh();
    this.change(k(this.draftValue, this.selectedIndex, { tag: t }));
  }
  editSelected(t, e) {
    const s = this.selectedIndex;
    if (s === null) return;
    let n = k(this.draftValue, s, t);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(e) && (n = k(n, s, it(n.events[s], this.boxBounds()))), this.change(n, `edit:${s}:${e}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const t = this.selectedIndex;
    this.selectedIndex = null, this.change(nt(this.draftValue, t));
  }
  cycleSelection(t) {
    const e = this.draftValue.events.map((n, r) => [n.start_s, r]).sort((n, r) => n[0] - r[0]).map((n) => n[1]);
    if (!e.length) return;
    const s = this.selectedIndex === null ? t > 0 ? -1 : 0 : e.indexOf(this.selectedIndex);
    this.select(e[(s + t + e.length) % e.length]);
  }
  accept(t) {
    const e = this.project.settings.annotation_mode, s = !t && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, n = s ? [s] : this.visiblePredictions().map((l) => l.p);
    if (!n.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let r = this.draftValue;
    for (const l of n) r = A(r, at(l, e));
    this.selectedPred = null, this.change(r), n.length === 1 && this.select(r.events.length - 1), this.status(`Accepted ${n.length} prediction${n.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const t = this.task.clip.recording, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, s = this.viewer.view, n = Math.max(0, e ? e.start_s : s.start), r = Math.min(t.duration_s, e ? e.end_s : s.end), l = e && e.low_hz !== null && e.high_hz !== null ? { low: e.low_hz, high: e.high_hz } : {}, o = this.page.api.audioUrl(t.id, { start: n, end: r, expansion: this.expansion, ...l });
    this.player.play({ url: o, start: n, end: r, expansion: this.expansion });
  }
  setExpansion(t) {
    this.player.stop(), this.expansion = t, this.refreshToolbar();
  }
  cycleExpansion() {
    const t = this.task?.clip.recording.samplerate ?? 1 / 0, e = $.filter((n) => z(t, n)), s = e[(e.indexOf(this.expansion) + 1) % e.length] ?? 1;
    this.setExpansion(s), this.status(`Playback slowed down ${s}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(t) {
    if (t.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const e = t.target, s = rt(e);
    if ((e instanceof HTMLButtonElement || e instanceof HTMLAnchorElement || e instanceof HTMLInputElement && !s) && ["Enter", " ", "Tab"].includes(t.key)) return;
    const r = ot(t, { tags: this.project.tags, typing: s !== null, multiline: s === "text" });
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
    return this.predictions.events.map((e, s) => ({ p: e, index: s })).filter(({ p: e }) => e.score >= this.threshold && !lt(this.draftValue, e, t));
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
    const e = A(this.draftValue, { ...t, tag: this.pendingTag, confidence: null, notes: "" });
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
    return Vt(this.predictions, this.chosenThreshold);
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
    this.ui.updateDraft(this.draftValue, t, this.pendingTag, this.project.settings.annotation_mode), this.analysis.select(this.task, t), this.refreshToolbar();
    const e = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: j(e),
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
      toggleClipTag: (t) => this.change(dt(this.draftValue, t)),
      flag: (t) => this.change(y(this.draftValue, t)),
      notes: (t) => this.change(ht(this.draftValue, t), "notes"),
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
function Ht() {
  const i = document.getElementById("echoloop-config");
  try {
    return i?.textContent ? JSON.parse(i.textContent) : {};
  } catch {
    return {};
  }
}
function Lt() {
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
function H() {
  const i = document.getElementById("echoloop-annotator");
  if (!i) return;
  const t = Ht(), e = new Dt({
    root: i,
    api: new ct(i.dataset.apiBase || "/api/", t.csrfToken ?? ""),
    drafts: new ut(Lt()),
    projectId: Number(i.dataset.projectId),
    nextUrl: i.dataset.nextUrl || void 0
  });
  window.echoloop = e.hook(), e.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", H) : H();
