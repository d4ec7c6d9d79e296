import { A as w, e as k, h as o, V as C, u as _, Y as E, f as b, o as A, s as T, B as R, F as j, I as P, C as M, D as L, J as N, G as D, M as z, b as h, c as p, d as O, t as B, i as v, l as V, P as K, q as I, L as q, n as F, U as H, X as U } from "./shared-viewer.js";
const x = ["#00e5ff", "#ff4fa3", "#ffd600", "#76ff03", "#b388ff", "#ff9100", "#ffffff"];
function m(a, e) {
  const t = a.findIndex((s) => s.id === e);
  return x[(t < 0 ? e : t) % x.length];
}
function y(a) {
  return a.answers.filter((e) => e.consensus === null);
}
function S(a) {
  return !!a && y(a).length >= 2;
}
function f(a) {
  const e = y(a), t = e.find((n) => n.id === a.annotation) ?? e[0], s = e.find((n) => n !== t);
  return t && s ? [t, s] : null;
}
function W(a) {
  const e = /* @__PURE__ */ new Map(), t = (s, n) => {
    const i = e.get(s);
    (!i || i === "agreed" || i === "label" && n === "unmatched") && e.set(s, n);
  };
  for (const s of a.comparisons) {
    for (const i of s.matches)
      t(i.first, i.same_tag ? "agreed" : "label"), t(i.second, i.same_tag ? "agreed" : "label");
    const n = new Set(s.matches.filter((i) => !i.same_tag).flatMap((i) => [i.first, i.second]));
    for (const i of [...s.unmatched_first, ...s.unmatched_second]) n.has(i) || t(i, "unmatched");
  }
  return e;
}
function G(a, e, t, s) {
  const n = W(a), i = [];
  for (const r of a.answers) {
    if (!e.includes(r.id)) continue;
    const c = r.consensus ? `consensus (${r.annotator_name})` : r.annotator_name;
    for (const l of r.events) {
      const d = r.consensus ? "agreed" : n.get(l.id) ?? "agreed", u = d === "unmatched" ? " · unmatched" : d === "label" ? " · label differs" : "";
      i.push({ ...l, answer: r.id, event: l.id, color: m(t, r.annotator), label: `${c}: ${s(l.tag)}${u}`, mark: d });
    }
  }
  return i;
}
function J(a, e) {
  const t = a.matches.filter((i) => !i.same_tag).length, s = a.box_f1 === null ? "no boxes" : `box F1 ${a.box_f1.toFixed(2)}`;
  if (a.agrees) return `${e(a.first)} and ${e(a.second)} agree (${s}).`;
  const n = [`${a.matches.length} matched`];
  return t && n.push(`${t} with different labels`), a.unmatched_first.length - t > 0 && n.push(`${a.unmatched_first.length - t} only ${e(a.first)}'s`), a.unmatched_second.length - t > 0 && n.push(`${a.unmatched_second.length - t} only ${e(a.second)}'s`), `${n.join(", ")} (${s}).`;
}
function Z(a, e = 1) {
  const t = new URLSearchParams({ status: a.status });
  return a.annotator !== null && t.set("annotator", String(a.annotator)), a.dataset !== null && t.set("dataset", String(a.dataset)), e > 1 && t.set("page", String(e)), t.toString();
}
class X {
  constructor(e, t) {
    this.base = e, this.csrfToken = t;
  }
  base;
  csrfToken;
  async send(e, t, s) {
    const n = { Accept: "application/json" };
    e === "POST" && Object.assign(n, { "X-CSRFToken": this.csrfToken, "Content-Type": "application/json" });
    let i;
    try {
      i = await fetch(this.base.replace(/\/?$/, "/") + t, { method: e, headers: n, credentials: "same-origin", body: s === void 0 ? void 0 : JSON.stringify(s) });
    } catch (l) {
      throw new w(0, null, `network error: ${l.message}`);
    }
    const r = await i.text();
    let c = r;
    try {
      c = r ? JSON.parse(r) : null;
    } catch {
    }
    if (!i.ok) throw new w(i.status, c, `HTTP ${i.status}: ${k(c).join("; ").slice(0, 300) || i.statusText}`);
    return c;
  }
  list(e, t, s = 1) {
    return this.send("GET", `projects/${e}/review/?${Z(t, s)}`);
  }
  clip(e) {
    return this.send("GET", `annotations/${e}/comparison/`);
  }
  review(e, t) {
    return this.send("POST", `annotations/${e}/review/`, t);
  }
  consensus(e, t) {
    return this.send("POST", `annotations/${e}/consensus/`, t);
  }
}
function Y(a) {
  return !(a instanceof w) || a.status !== 409 ? null : a.body?.current ?? null;
}
class Q {
  constructor(e, t, s, n) {
    this.index = e, this.host = n, this.element = o(
      "div",
      { class: "el-review-panel", "data-panel": e },
      this.caption,
      o("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, o("div"), this.timeAxis),
      this.readout
    );
    const i = { canvas: this.canvas, plot: this.plot, timeAxis: this.timeAxis, freqAxis: this.freqAxis, readout: this.readout };
    this.viewer = new C(t, s, i, () => this.overlay(), (r, c) => n.status(r, c)), this.pointer = new _(this.canvas, this.pointerHost()), new ResizeObserver(() => this.viewer.resize()).observe(this.plot);
  }
  index;
  host;
  canvas = o("canvas", { class: "el-review-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram with the annotators' boxes" });
  plot = o("div", { class: "el-plot" }, this.canvas);
  timeAxis = o("canvas", { class: "el-time-axis" });
  freqAxis = o("canvas", { class: "el-freq-axis" });
  readout = o("div", { class: "el-readout" }, " ");
  caption = o("div", { class: "el-review-caption" });
  element;
  viewer;
  pointer;
  /** The answers this panel shows. */
  answers = [];
  clip = null;
  painted = [];
  /** Show `clip`; "ready" once its image is on screen. */
  open(e) {
    this.clip = e;
    const t = { id: e.id, rank: 0, reason: "", lease_expires_at: "", clip: e, annotation: null };
    return this.viewer.open(t);
  }
  close() {
    this.clip = null, this.viewer.close();
  }
  render() {
    this.viewer.render();
  }
  /** The boxes as last painted, for the test hook. */
  drawn() {
    return this.painted;
  }
  overlay() {
    return queueMicrotask(() => this.paintAnswers()), this.host.overlay(this);
  }
  paintAnswers() {
    if (!this.clip) return;
    const e = this.canvas.getContext("2d"), { boxes: t, faint: s } = this.host.boxes(this), n = this.viewer.geometry();
    this.painted = t;
    const i = [];
    for (const r of t) te(e, r, n, s, i);
  }
  pointerHost() {
    const e = this.host, t = this.viewer;
    return {
      geometry: () => t.geometry(),
      boxBounds: () => {
        const s = this.clip;
        return { start: s.start_s, end: s.end_s, low: t.bounds.low, high: t.bounds.high };
      },
      interval: () => e.interval(),
      panMode: () => e.panMode(),
      draft: () => e.draft(),
      selected: () => e.selected(),
      visiblePredictions: () => e.visiblePredictions(),
      select: (s) => e.select(s),
      selectPrediction: (s) => e.selectPrediction(s),
      preview: (s) => e.preview(s),
      commit: (s, n) => e.commit(s, n),
      addBox: (s) => e.addBox(s),
      setDrawing: (s) => (t.drawing = s, t.render()),
      setCursor: (s) => (t.cursor = s, t.render()),
      pan: (s, n) => e.everyViewer((i) => i.pan(s, n)),
      zoomTime: (s, n) => e.everyViewer((i) => i.zoomTime(s, n)),
      zoomFreq: (s, n) => e.everyViewer((i) => i.zoomFreq(s, n)),
      canEdit: () => e.canEdit()
    };
  }
}
const ee = { agreed: null, unmatched: "#ff1744", label: "#ffea00" };
function te(a, e, t, s, n) {
  const i = E(e, t);
  a.save(), a.globalAlpha = s ? 0.45 : 1;
  const r = s ? null : ee[e.mark];
  r && (a.strokeStyle = r, a.lineWidth = 5, a.globalAlpha = 0.55, a.strokeRect(i.x - 2, i.y - 2, i.w + 4, i.h + 4), a.globalAlpha = 1), a.strokeStyle = e.color, a.lineWidth = e.mark === "agreed" ? 1.5 : 2.5, (e.mark === "unmatched" || s) && a.setLineDash([7, 4]), a.strokeRect(i.x, i.y, i.w, i.h), a.setLineDash([]), s || se(a, e.label, i.x, i.y, e.color, r, n), a.restore();
}
function se(a, e, t, s, n, i, r) {
  a.font = "12px system-ui, sans-serif";
  const c = a.measureText(e).width + 6;
  let l = Math.max(0, s - 16);
  const d = Math.max(0, t);
  for (; r.some((u) => Math.abs(u.y - l) < 16 && d < u.x + u.w && u.x < d + c); ) l += 16;
  r.push({ x: d, y: l, w: c }), a.fillStyle = "rgba(0, 0, 0, 0.75)", a.fillRect(d, l, c, 16), i && (a.strokeStyle = i, a.lineWidth = 1, a.strokeRect(d + 0.5, l + 0.5, c - 1, 15)), a.fillStyle = n, a.textBaseline = "middle", a.fillText(e, d + 3, l + 8);
}
class ie {
  constructor(e, t) {
    this.answer = e, this.changed = t, this.draft = b(e);
  }
  answer;
  changed;
  draft;
  selected = null;
  pendingTag = null;
  history = A();
  /** Whether there is anything to lose by leaving. */
  get edited() {
    return !T(this.draft, b(this.answer));
  }
  /** Record `next` as one undoable step made from `before`. */
  change(e, t = this.draft) {
    e !== t && (this.history = R(this.history, t)), this.draft = e, this.changed();
  }
  /** Show a draft while a box is dragged, without recording it. */
  preview(e) {
    this.draft = e, this.changed();
  }
  /** A tag key: the selected box's tag, or the tag of the next box drawn. */
  setTag(e) {
    return this.selected === null ? (this.pendingTag = e, this.changed(), "next") : (this.change(j(this.draft, this.selected, { tag: e })), "box");
  }
  deleteSelected() {
    if (this.selected === null) return;
    const e = this.selected;
    this.selected = null, this.change(P(this.draft, e));
  }
  /** False when there is nothing to undo (or redo). */
  step(e) {
    const t = e === "undo" ? M(this.history, this.draft) : L(this.history, this.draft);
    return t ? ([this.history, this.draft, this.selected] = [t.stack, t.state, null], this.changed(), !0) : !1;
  }
  /** Tab / Shift+Tab: the next or previous box, wrapping around. */
  cycle(e) {
    const t = this.draft.events.length;
    return t ? this.selected === null ? e > 0 ? 0 : t - 1 : (this.selected + e + t) % t : null;
  }
  /** A box drawn on the clip (kept inside `bounds`), selected, with the pending tag. */
  addBox(e, t) {
    const s = N(this.draft, { ...D(e, t), tag: this.pendingTag, confidence: null, notes: "" });
    this.change(s), this.selected = s.events.length - 1, this.changed();
  }
}
const ne = {
  a: { type: "accept" },
  r: { type: "reject" },
  e: { type: "edit" },
  n: { type: "next" },
  p: { type: "previous" },
  j: { type: "next" },
  k: { type: "previous" },
  1: { type: "consensus", rule: "first" },
  2: { type: "consensus", rule: "second" },
  u: { type: "consensus", rule: "union" },
  v: { type: "layout" },
  m: { type: "predictions" },
  s: { type: "toggleView" }
}, g = {
  "+": { type: "zoomIn" },
  "=": { type: "zoomIn" },
  "-": { type: "zoomOut" },
  _: { type: "zoomOut" },
  0: { type: "resetZoom" },
  " ": { type: "play" },
  "?": { type: "help" },
  Escape: { type: "escape" },
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 }
}, ae = /* @__PURE__ */ new Set(["tag", "delete", "undo", "redo", "selectNext", "selectPrev", "toggleView"]);
function oe(a, e, t, s) {
  const n = a.ctrlKey || a.metaKey;
  if (e === "note" || s)
    return a.key === "Escape" ? { type: "escape" } : a.key === "Enter" && !a.shiftKey && !a.altKey ? e === "note" ? { type: "reject" } : { type: "blur" } : null;
  if (a.altKey) return null;
  if (e === "edit") return re(a, t);
  if (n || a.repeat && !["+", "=", "-", "_"].includes(a.key) && !a.key.startsWith("Arrow")) return null;
  if (a.key in g) return g[a.key];
  const i = a.key.length === 1 ? a.key.toLowerCase() : "";
  return a.key === "A" || a.key === "R" || a.key === "E" ? null : ne[i] ?? null;
}
function re(a, e) {
  if ((a.ctrlKey || a.metaKey || !a.shiftKey) && a.key === "Enter") return { type: "save" };
  if (!(a.ctrlKey || a.metaKey) && a.key in g) return g[a.key];
  const t = z(a, { tags: e, typing: !1 });
  return !t || !ae.has(t.type) ? null : t;
}
const le = [
  ["a", "accept the answer"],
  ["r", "reject: type the note (required), Enter sends, Escape cancels"],
  ["e", "correct: edit, move, add or delete boxes; Enter saves the corrected version, Escape leaves"],
  ["n / p (j / k)", "next / previous answer in the list"],
  ["1 / 2 / u", "double-annotated clip: consensus from the first answer, the second, or the matched union"],
  ["v", "side by side / overlaid answers"],
  ["m", "show or hide the model's predictions"],
  ["s", "spectrogram / scalogram"],
  ["+ / − / 0, arrows, wheel", "zoom, pan (both sides together)"],
  ["Space", "play or pause the view"],
  ["while correcting", "drag to draw, drag a box to move, its handles to resize; 1–9 or tag letters set its tag; Delete removes it; Ctrl+Z undoes"],
  ["?", "this help"]
], ce = { pending: "·", accepted: "✓", rejected: "✗", settled: "≡" };
class he {
  constructor(e, t, s, n, i) {
    this.root = e, this.annotators = s, this.handlers = i, this.annotatorSelect = o("select", { name: "annotator", title: "Annotator" }, o("option", { value: "" }, "every annotator"), ...s.map((r) => o("option", { value: r.id }, r.username))), this.datasetSelect = o("select", { name: "dataset", title: "Dataset" }, o("option", { value: "" }, "every dataset"), ...n.map((r) => o("option", { value: r.id }, r.name)));
    for (const r of [this.statusSelect, this.annotatorSelect, this.datasetSelect]) r.addEventListener("change", () => (this.handlers.filters(this.filters()), r.blur()));
    this.noteBox = o("div", { class: "el-review-notebox", hidden: !0 }, this.note, o("div", { class: "el-row" }, h("Reject ⏎", "Reject with this note (Enter)", () => i.reject(), "el-primary"), h("Cancel", "Cancel (Escape)", () => i.leave()))), this.verdicts = o(
      "div",
      { class: "el-row el-review-verdicts" },
      h("Accept (a)", "Accept the answer (a)", () => i.accept(), "el-primary"),
      h("Reject (r)", "Reject with a note (r)", () => i.reject()),
      h("Correct (e)", "Edit the boxes and save a corrected version (e)", () => i.edit())
    ), this.consensusRow = o(
      "div",
      { class: "el-row el-review-consensus" },
      h("Take A (1)", "Consensus: the first answer as it is (1)", () => i.consensus("first")),
      h("Take B (2)", "Consensus: the second answer as it is (2)", () => i.consensus("second")),
      h("Union (u)", "Consensus: matched boxes merged, every other box kept (u)", () => i.consensus("union")),
      h("Side by side (v)", "Side by side / overlaid (v)", () => i.layout())
    ), this.editRow = o("div", { class: "el-review-edit", hidden: !0 }, o("p", { class: "el-muted" }, "Correcting: drag to draw, drag a box to move it, its handles to resize; Delete removes the selected box."), this.tagRow, o("div", { class: "el-row" }, h("Save correction ⏎", "Save the corrected version (Enter)", () => i.save(), "el-primary"), h("Cancel", "Leave without saving (Escape)", () => i.leave()))), t.tags.forEach((r, c) => {
      const l = h("", p(t.tags, r.id), () => i.tag(r.id), "el-tag");
      l.dataset.tag = String(r.id), l.append(o("span", { class: "el-swatch", style: `background:${O(t.tags, r.id)}` }), o("kbd", {}, B(t.tags, c) || "·"), ` ${p(t.tags, r.id)}`), this.tagRow.append(l);
    }), this.helpDialog = o("dialog", { class: "el-help" }, o("h2", {}, "Review keys"), o("table", {}, ...le.map(([r, c]) => o("tr", {}, o("th", {}, r), o("td", {}, c)))), o("form", { method: "dialog" }, o("button", {}, "Close"))), this.main = o(
      "div",
      { class: "el-app el-review" },
      o("header", { class: "el-header" }, o("strong", {}, `Review · ${t.name}`), this.position, h("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      o("div", { class: "el-toolbar" }, o("label", { class: "el-group" }, "Show ", this.statusSelect), o("label", { class: "el-group" }, this.annotatorSelect), o("label", { class: "el-group" }, this.datasetSelect)),
      this.conflict,
      o(
        "div",
        { class: "el-body" },
        o("div", { class: "el-viewer" }, this.panels),
        o(
          "aside",
          { class: "el-side" },
          o(
            "section",
            {},
            o("h2", {}, "Answers on this clip"),
            this.legend,
            this.summary,
            o("p", { class: "el-muted el-review-key" }, o("span", { class: "el-review-halo-red" }, "red halo"), ": only one annotator drew it · ", o("span", { class: "el-review-halo-yellow" }, "yellow"), ": same place, another label · dashed: the model's predictions")
          ),
          o("section", {}, o("h2", {}, "Verdict"), this.verdicts, this.consensusRow, this.noteBox, this.editRow),
          o("section", {}, o("h2", {}, "Awaiting review"), this.list)
        )
      ),
      o("footer", { class: "el-footer" }, this.status),
      this.helpDialog
    ), e.replaceChildren(this.main);
  }
  root;
  annotators;
  handlers;
  main;
  panels = o("div", { class: "el-review-panels" });
  note = o("textarea", { class: "el-notes el-review-note", rows: 3, placeholder: "Why is it rejected? (required; Enter sends, Shift+Enter new line, Escape cancels)" });
  position = o("span", { class: "el-task" });
  list = o("ol", { class: "el-review-list" });
  legend = o("div", { class: "el-review-legend" });
  summary = o("div", { class: "el-review-summary" });
  status = o("span", { class: "el-status", role: "status", "aria-live": "polite" });
  conflict = o("div", { class: "el-conflict", hidden: !0 });
  noteBox;
  verdicts;
  consensusRow;
  editRow;
  tagRow = o("div", { class: "el-tag-list" });
  helpDialog;
  statusSelect = o("select", { name: "status", title: "Review status" }, ...["pending", "accepted", "rejected", "all"].map((e) => o("option", { value: e }, e === "pending" ? "awaiting review" : e)));
  annotatorSelect;
  datasetSelect;
  filters() {
    const e = (t) => t.value === "" ? null : Number(t.value);
    return { status: this.statusSelect.value, annotator: e(this.annotatorSelect), dataset: e(this.datasetSelect) };
  }
  setFilters(e) {
    v(this.statusSelect, e.status), v(this.annotatorSelect, e.annotator === null ? "" : String(e.annotator)), v(this.datasetSelect, e.dataset === null ? "" : String(e.dataset));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setList(e, t, s) {
    this.position.textContent = e.length ? ` · ${t + 1} of ${e.length} listed · ${s} match the filters now` : " · nothing to review", this.list.replaceChildren(
      ...e.map((n, i) => {
        const r = n.clip, c = o(
          "li",
          { class: i === t ? "el-active" : "", "data-annotation": n.id, "data-status": n.review_status },
          o("span", { class: "el-review-done", title: n.review_status }, ce[n.review_status]),
          o("span", { class: "el-swatch", style: `background:${m(this.annotators, n.annotator)}` }),
          ` ${n.annotator_name}`,
          n.answers > 1 ? o("span", { class: "el-review-badge", title: `${n.answers} annotators answered this clip` }, `×${n.answers}`) : null,
          ` · ${r.recording.name} ${r.start_s.toFixed(2)}–${r.end_s.toFixed(2)} s`
        );
        return c.addEventListener("click", () => this.handlers.open(i)), c;
      })
    ), this.list.querySelector(".el-active")?.scrollIntoView({ block: "nearest" });
  }
  setClip(e, t, s) {
    this.root.dataset.mode = t, this.legend.replaceChildren(), this.summary.replaceChildren(), e && this.fillLegend(e);
    const n = S(e);
    this.verdicts.hidden = t !== "view" || !e, this.consensusRow.hidden = t !== "view" || !n, this.consensusRow.lastElementChild.textContent = s === "split" ? "Overlay (v)" : "Side by side (v)", this.noteBox.hidden = t !== "note", this.editRow.hidden = t !== "edit";
  }
  fillLegend(e) {
    const t = f(e), s = (i) => t ? t[0].id === i ? "A " : t[1].id === i ? "B " : "" : "";
    for (const i of e.answers) {
      const r = i.no_calls ? "no calls" : `${i.events.length} box${i.events.length === 1 ? "" : "es"}`;
      this.legend.append(
        o(
          "div",
          { class: "el-review-answer", "data-answer": i.id },
          o("span", { class: "el-swatch", style: `background:${m(this.annotators, i.annotator)}` }),
          o("strong", {}, ` ${s(i.id)}${i.consensus ? `consensus (${i.consensus.rule}) by ${i.annotator_name}` : i.annotator_name}`),
          ` v${i.version} · ${i.review_status} · ${r}`,
          i.notes ? o("div", { class: "el-muted" }, `“${i.notes}”`) : null
        )
      );
    }
    const n = (i) => e.answers.find((r) => r.id === i)?.annotator_name ?? `#${i}`;
    for (const i of e.comparisons) this.summary.append(o("p", { class: i.agrees ? "el-muted" : "el-review-disagree" }, J(i, n)));
  }
  setPendingTag(e) {
    for (const t of this.tagRow.querySelectorAll("button")) t.classList.toggle("el-active", Number(t.dataset.tag) === e);
  }
  setStatus(e, t = "info") {
    this.status.textContent = e, this.status.dataset.level = t;
  }
  showConflict(e, t, s) {
    V(this.conflict, e, t, s);
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
const de = 0.5;
class ue {
  constructor(e) {
    this.page = e, this.player = new K(
      (t) => this.panels.forEach((s) => (s.viewer.playhead = t, s.render())),
      (t, s) => t === "error" && this.status(s ?? "playback failed", "error")
    );
  }
  page;
  project;
  ui;
  panels = [];
  items = [];
  count = 0;
  hasMore = !1;
  index = -1;
  filters = { status: "pending", annotator: null, dataset: null };
  clip = null;
  predictions = null;
  showPreds = !0;
  mode = "view";
  layout = "split";
  busy = !1;
  /** The correction in progress (mode "edit"). */
  correction = null;
  /** Escape was pressed once on an edited correction. */
  dropArmed = !1;
  selectedPred = null;
  player;
  opened = 0;
  similar;
  async start() {
    const { root: e, api: t, projectId: s } = this.page;
    e.dataset.state = "loading";
    try {
      this.project = await t.project(s);
    } catch (i) {
      e.dataset.state = "error", e.textContent = `Could not load the project: ${i.message}`;
      return;
    }
    this.ui = new he(e, this.project, this.page.annotators, this.page.datasets, this.handlers()), this.panels = [0, 1].map((i) => new Q(i, this.project, t, this)), this.ui.panels.append(...this.panels.map((i) => i.element)), this.similar = new I({ api: t, projectId: s, tags: this.project.tags, currentTag: () => this.reviewedTag(), batch: !0 });
    const n = o("button", { type: "button", class: "el-find-similar", onclick: () => this.clip && void this.similar.find({ clip: this.clip.clip.id }) }, "Find similar");
    this.ui.panels.after(o("div", { class: "el-review-similar" }, n, this.similar.element)), document.addEventListener("keydown", (i) => this.onKey(i)), await this.reload();
  }
  /** The tag the answers under review name first (boxes, then clip tags): what a batch gets. */
  reviewedTag() {
    for (const e of this.clip?.answers ?? []) {
      const t = e.events.find((s) => s.tag !== null)?.tag ?? e.tags[0];
      if (t != null) return t;
    }
    return null;
  }
  // ---- the list --------------------------------------------------------------------------
  async reload() {
    this.items = [], this.hasMore = !0, this.index = -1, await this.loadMore() && await this.open(0);
  }
  /** More of the list: the first rows the server lists that the page has not shown yet; false
   *  when there are none or the request failed. The server's list shrinks as answers get their
   *  verdict, so it is read again from its first page, not by a page number that has moved on. */
  async loadMore() {
    if (!this.hasMore) return !1;
    const e = new Set(this.items.map((t) => t.id));
    try {
      for (let t = 1; ; t++) {
        const s = await this.page.reviewApi.list(this.page.projectId, this.filters, t), n = s.results.filter((i) => !e.has(i.id));
        if (this.count = s.count, this.hasMore = s.next !== null, n.length || !this.hasMore)
          return this.items = [...this.items, ...n], this.ui.setList(this.items, this.index, this.count), this.items.length || this.empty(), n.length > 0;
      }
    } catch (t) {
      return this.status(`Could not load the list: ${t.message}`, "error"), this.page.root.dataset.state = "error", !1;
    }
  }
  empty() {
    this.page.root.dataset.state = "empty", this.clip = null, this.panels.forEach((e) => (e.element.hidden = !0, e.close())), this.ui.setClip(null, "view", this.layout), this.status(this.filters.status === "pending" ? "Nothing awaits review with these filters." : "No answers match these filters.", "ok");
  }
  async step(e) {
    const t = this.index + e;
    if (t < 0) return this.status("This is the first answer in the list.", "info");
    if (t >= this.items.length && !await this.loadMore()) return this.status("That was the last answer in the list.", "info");
    await this.open(t);
  }
  /** Open the list's answer `index`: its clip, every answer on it, the predictions. */
  async open(e) {
    const t = this.items[e];
    if (!t) return;
    if (this.correction?.edited)
      return this.status("Save the correction (Enter) or leave it (Escape) first.", "warn");
    const s = ++this.opened;
    this.index = e, this.similar.close(), this.leaveMode(), this.player.stop(), this.ui.hideConflict(), this.ui.setList(this.items, e, this.count), this.page.root.dataset.state = "loading";
    let n;
    try {
      n = await this.page.reviewApi.clip(t.id);
    } catch (r) {
      return this.page.root.dataset.state = "error", this.status(`Could not load answer ${t.id}: ${r.message}`, "error");
    }
    if (s !== this.opened) return;
    [this.clip, this.predictions, this.selectedPred] = [n, null, null], this.page.api.predictions(n.clip.id).then(
      (r) => s === this.opened && (this.predictions = r, this.redraw()),
      () => {
      }
      // predictions are optional help
    );
    const i = n.answers[0];
    this.status(`${i.annotator_name}'s answer, version ${i.version}, ${i.review_status}.`, "info"), await this.showClip(s);
  }
  /** Lay the panels out for the mode and open the clip in each one shown. */
  async showClip(e = this.opened) {
    const t = this.clip;
    if (!t) return;
    const s = this.mode !== "edit" && this.layout === "split" && S(t), n = f(t), i = t.answers.map((l) => l.id);
    this.panels[0].answers = s && n ? [n[0].id] : this.mode === "edit" ? i.filter((l) => l !== t.annotation) : i, this.panels[1].answers = s && n ? [n[1].id] : [], this.panels[1].element.hidden = !s, this.ui.panels.classList.toggle("el-review-split", s);
    for (const l of this.panels) l.caption.textContent = this.caption(l);
    this.ui.setClip(t, this.mode, this.layout);
    const r = this.panels.filter((l) => !l.element.hidden);
    this.panels.filter((l) => l.element.hidden).forEach((l) => l.close());
    const c = await Promise.all(r.map((l) => l.open(t.clip)));
    e === this.opened && (this.page.root.dataset.state = c.every((l) => l === "ready") ? "ready" : c.includes("failed") ? "error" : this.page.root.dataset.state, c.includes("failed") && this.status("The spectrogram did not load; press n / p to move on or reload the page.", "error"));
  }
  caption(e) {
    const t = this.clip, s = f(t);
    return this.mode === "edit" ? `Correcting ${t.answers[0].annotator_name}'s answer (others dashed)` : e.answers.length === 1 && s ? `${s[0].id === e.answers[0] ? "A" : "B"}: ${t.answers.find((i) => i.id === e.answers[0])?.annotator_name}` : `${t.clip.recording.name} · ${t.clip.start_s.toFixed(3)}–${t.clip.end_s.toFixed(3)} s · every answer`;
  }
  // ---- verdicts --------------------------------------------------------------------------
  current() {
    return this.clip?.answers[0] ?? null;
  }
  accept() {
    const e = this.current();
    e && this.verdict(e, { action: "accept", version: e.version }, "Accepted");
  }
  /** r opens the note; in the note, Enter (or r's button) sends it. */
  reject() {
    const e = this.current();
    if (!e) return;
    if (this.mode !== "note")
      return this.mode = "note", this.ui.setClip(this.clip, this.mode, this.layout), this.ui.note.value = "", this.ui.note.focus(), this.status("Say why, then press Enter (Escape cancels).", "info");
    const t = this.ui.note.value.trim();
    if (!t)
      return this.ui.note.focus(), this.status("A rejection needs a note: say what is wrong.", "warn");
    this.verdict(e, { action: "reject", version: e.version, note: t }, "Rejected");
  }
  edit() {
    const e = this.current();
    if (!e || e.consensus) return this.status(e ? "A consensus is corrected by settling the clip again." : "Nothing to correct.", "warn");
    this.mode = "edit", this.correction = new ie(e, () => (this.dropArmed = !1, this.redraw())), this.ui.setPendingTag(null), this.showClip(), this.status(`Correcting ${e.annotator_name}'s answer (${e.events.length} box${e.events.length === 1 ? "" : "es"}): Enter saves, Escape leaves.`, "info");
  }
  save(e) {
    const t = this.current();
    if (!t || !this.correction) return;
    const s = { action: "correct", ...this.correction.draft, version: e ?? t.version };
    this.verdict(t, s, "Corrected");
  }
  async verdict(e, t, s) {
    this.busy || await this.send(async () => {
      const n = await this.page.reviewApi.review(e.id, t);
      this.settled([e.id], n.version, n.review_status);
      const i = t.action === "reject" ? "; the clip goes back to the queue with the note" : "";
      return `${s} ${e.annotator_name}'s answer (now version ${n.version})${i}.`;
    }, e);
  }
  consensus(e) {
    const t = this.clip && f(this.clip);
    if (!t) return this.status("Consensus needs a clip with two answers.", "info");
    const [s, n] = t;
    this.send(async () => {
      const i = await this.page.reviewApi.consensus(s.id, { second: n.id, rule: e, version: s.version, second_version: n.version });
      return this.settled([s.id, n.id], null, "settled"), `Consensus saved from ${e === "union" ? "the matched union" : `${(e === "first" ? s : n).annotator_name}'s answer`}: ${i.events.length} boxes, accepted.`;
    }, s);
  }
  /** Send one verdict; on success move on, on 409 say plainly that nothing was saved. */
  async send(e, t) {
    this.busy = !0, this.page.root.dataset.state = "saving";
    try {
      const s = await e();
      this.busy = !1, this.leaveMode();
      const n = await this.nextToReview();
      await this.open(n ?? this.index), this.status(n !== null ? `${s} Next one.` : `${s} That was the last one.`, "ok");
    } catch (s) {
      this.busy = !1, this.page.root.dataset.state = "ready";
      const n = Y(s);
      if (s instanceof w && s.status === 409) return this.conflict(t, n);
      this.status(`Not saved: ${s.message}`, "error");
    }
  }
  conflict(e, t) {
    const s = this.clip?.answers.find((r) => r.id === t?.id) ?? e, n = t ? `version ${t.version}` : "a newer version";
    this.status(`Not saved: ${s.annotator_name}'s answer changed since you opened it.`, "error");
    const i = [{ label: "Reload this clip", run: () => {
      this.open(this.index);
    } }];
    this.mode === "edit" && t && i.push({ label: "Save my correction over it", run: () => this.save(t.version) }), this.ui.showConflict(
      `Nothing was saved: this answer is now ${n} (you reviewed version ${s.version}).`,
      ["Someone (the annotator or another lead) changed or reviewed it meanwhile.", this.mode === "edit" ? "Your correction is still here." : "Reload to see what changed."],
      i
    ), this.page.root.dataset.state = "conflict";
  }
  /** The next answer in the list that still awaits a verdict (a consensus settles two at once). */
  async nextToReview() {
    const e = (s, n) => n > this.index && (this.filters.status !== "pending" || s.review_status === "pending");
    let t = this.items.findIndex(e);
    for (; t < 0 && await this.loadMore(); ) t = this.items.findIndex(e);
    return t < 0 ? null : t;
  }
  /** Show the new state in the list without reloading it (the rows stay where they were). */
  settled(e, t, s) {
    this.items = this.items.map((n) => e.includes(n.id) ? { ...n, review_status: s, version: t ?? n.version } : n);
  }
  leaveMode() {
    this.mode = "view", this.dropArmed = !1, this.correction = null, this.ui.note.value = "";
  }
  escape() {
    if (this.panels.some((s) => s.pointer.cancel())) return this.redraw();
    if (this.player.playing) return this.player.stop();
    const e = this.correction;
    if (e && e.selected !== null) return this.select(null);
    if (this.mode === "view") return;
    if (e?.edited && !this.dropArmed)
      return this.dropArmed = !0, this.status("Press Escape again to drop your changes (Enter saves them).", "warn");
    const t = this.mode;
    this.leaveMode(), this.ui.hideConflict(), this.showClip(), this.status(t === "edit" ? "Left the correction; nothing was saved." : "Rejection cancelled.", "info");
  }
  // ---- keyboard --------------------------------------------------------------------------
  onKey(e) {
    if (e.isComposing || document.querySelector("dialog[open]")) return;
    const t = e.target, s = q(t) !== null && t !== this.ui.note;
    if ((t instanceof HTMLButtonElement || t instanceof HTMLAnchorElement) && ["Enter", " ", "Tab"].includes(e.key)) return;
    const i = oe(e, this.mode, this.project.tags, s);
    if (i) {
      if (this.panels.some((r) => r.pointer.active) && i.type !== "escape") return e.preventDefault();
      e.preventDefault(), this.perform(i, t);
    }
  }
  perform(e, t) {
    if (this.busy && !["zoomIn", "zoomOut", "resetZoom", "pan", "help", "play"].includes(e.type)) return this.status("Saving…", "busy");
    switch (e.type) {
      case "accept":
        return this.accept();
      case "reject":
        return this.reject();
      case "edit":
        return this.edit();
      case "save":
        return this.save();
      case "next":
        return void this.step(1);
      case "previous":
        return void this.step(-1);
      case "consensus":
        return this.consensus(e.rule);
      case "layout":
        return this.layout = this.layout === "split" ? "overlay" : "split", void this.showClip();
      case "predictions":
        return this.showPreds = !this.showPreds, this.redraw();
      case "toggleView":
        return this.everyViewer((s) => s.toggleKind());
      case "zoomIn":
        return this.everyViewer((s) => s.zoomStep(1));
      case "zoomOut":
        return this.everyViewer((s) => s.zoomStep(-1));
      case "resetZoom":
        return this.everyViewer((s) => s.zoomStep(0));
      case "pan":
        return this.everyViewer((s) => s.pan(-e.dx * s.size.width, e.dy * s.size.height));
      case "play":
        return this.togglePlay();
      case "help":
        return this.ui.toggleHelp();
      case "escape":
        return this.escape();
      case "blur":
        return t?.blur();
      case "tag":
        return this.setTag(e.tagId);
      case "delete":
        return this.correction?.deleteSelected();
      case "undo":
        return this.undoRedo("undo");
      case "redo":
        return this.undoRedo("redo");
      case "selectNext":
        return this.select(this.correction?.cycle(1) ?? null);
      case "selectPrev":
        return this.select(this.correction?.cycle(-1) ?? null);
    }
  }
  togglePlay() {
    if (!this.clip) return;
    if (this.player.playing) return this.player.pause();
    const e = this.clip.clip.recording, t = this.panels[0].viewer.view, [s, n] = [Math.max(0, t.start), Math.min(e.duration_s, t.end)], i = this.project.settings.time_expansion;
    this.player.play({ url: this.page.api.audioUrl(e.id, { start: s, end: n, expansion: i }), start: s, end: n, expansion: i });
  }
  // ---- correcting ------------------------------------------------------------------------
  setTag(e) {
    const t = this.correction;
    t && t.setTag(e) === "next" && (this.ui.setPendingTag(e), this.status(`New boxes get ${p(this.project.tags, e)}.`, "info"));
  }
  undoRedo(e) {
    this.correction && !this.correction.step(e) && this.status(`Nothing to ${e}.`, "info");
  }
  // ---- PanelHost -------------------------------------------------------------------------
  overlay(e) {
    const t = this.mode === "edit" && e.index === 0, s = this.visiblePredictions(), n = s.findIndex((i) => i.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: t && this.correction ? this.correction.draft.events : [],
      selected: t && this.correction ? this.correction.selected : null,
      predictions: s.map((i) => i.p),
      selectedPrediction: n >= 0 ? n : null,
      drawingTag: this.correction?.pendingTag ?? null
    };
  }
  boxes(e) {
    return this.clip ? { boxes: G(this.clip, e.answers, this.page.annotators, (s) => p(this.project.tags, s)), faint: this.mode === "edit" } : { boxes: [], faint: !1 };
  }
  everyViewer(e) {
    for (const t of this.panels) t.element.hidden || e(t.viewer);
  }
  status(e, t = "info") {
    this.ui?.setStatus(e, t);
  }
  interval() {
    return this.project.settings.annotation_mode === "interval";
  }
  panMode() {
    return !1;
  }
  draft() {
    return this.correction?.draft ?? F();
  }
  selected() {
    return this.correction?.selected ?? null;
  }
  visiblePredictions() {
    const e = this.predictions;
    if (!this.showPreds || !e) return [];
    const t = e.model_version?.threshold ?? de;
    return e.events.map((s, n) => ({ p: s, index: n })).filter(({ p: s }) => s.score >= t);
  }
  select(e) {
    const t = this.correction;
    if (t) {
      if (t.selected = e, e !== null) {
        this.selectedPred = null;
        const s = t.draft.events[e]?.tag ?? null;
        this.status(`Box ${e + 1} of ${t.draft.events.length}: ${p(this.project.tags, s)}.`, "info");
      }
      this.redraw();
    }
  }
  selectPrediction(e) {
    this.selectedPred = e;
    const t = e === null ? null : this.predictions?.events[e];
    t && this.status(`Prediction: ${t.label} ${t.score.toFixed(2)}.`, "info"), this.redraw();
  }
  preview(e) {
    this.correction?.preview(e);
  }
  commit(e, t) {
    this.correction?.change(e, t);
  }
  addBox(e) {
    const t = this.clip?.clip;
    if (!t || !this.correction || e.end_s - e.start_s <= 0) return this.status("Boxes must lie inside the clip (the bright part).", "warn");
    const { low: s, high: n } = this.panels[0].viewer.bounds;
    this.correction.addBox(e, { start: t.start_s, end: t.end_s, low: s, high: n });
  }
  canEdit() {
    return this.correction !== null && !this.busy;
  }
  redraw() {
    for (const e of this.panels) e.element.hidden || e.render();
  }
  handlers() {
    return {
      filters: (e) => (this.filters = e, void this.reload()),
      open: (e) => {
        this.open(e);
      },
      accept: () => this.accept(),
      reject: () => this.reject(),
      edit: () => this.edit(),
      save: () => this.save(),
      leave: () => this.escape(),
      consensus: (e) => this.consensus(e),
      layout: () => this.perform({ type: "layout" }, null),
      tag: (e) => this.setTag(e)
    };
  }
  /** The test hook: what is open, the correction in progress, the boxes each panel painted, the
   *  predictions drawn (dashed, by the Viewer). */
  hook() {
    const e = (t) => JSON.parse(JSON.stringify(t));
    return {
      state: () => e({
        index: this.index,
        annotation: this.clip?.annotation ?? null,
        mode: this.mode,
        layout: this.layout,
        items: this.items.map((t) => ({ id: t.id, status: t.review_status })),
        draft: this.correction?.draft ?? null,
        answers: this.clip ? y(this.clip).map((t) => t.id) : []
      }),
      panels: () => e(this.panels.filter((t) => !t.element.hidden).map((t) => ({ answers: t.answers, boxes: t.drawn() }))),
      predictions: () => e(this.visiblePredictions().map((t) => t.p)),
      extent: (t = 0) => this.panels[t]?.viewer.extent() ?? null
    };
  }
}
function $() {
  const a = document.querySelector('#echoloop-annotator[data-page="review"]');
  if (!a) return;
  const e = H(), t = a.dataset.apiBase || "/api/", s = new ue({
    root: a,
    api: new U(t, e.csrfToken ?? ""),
    reviewApi: new X(t, e.csrfToken ?? ""),
    projectId: Number(a.dataset.projectId),
    annotators: e.annotators ?? [],
    datasets: e.datasets ?? []
  });
  window.echoloopReview = s.hook(), s.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", $) : $();
