const x = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"], q = /* @__PURE__ */ new Set(["queued", "running"]);
function m(t) {
  const e = Math.max(0, Math.round(t));
  if (t < 0.5) return "< 1 s";
  if (e < 60) return `${e} s`;
  if (e < 3600) return e % 60 ? `${Math.floor(e / 60)} min ${e % 60} s` : `${e / 60} min`;
  const n = Math.round(e / 60);
  return n % 60 ? `${Math.floor(n / 60)} h ${n % 60} min` : `${n / 60} h`;
}
function l(t, e = 3) {
  return t == null ? "–" : t.toFixed(e);
}
function _(t, e) {
  const [n, s] = e ?? [null, null];
  return t === null || n === null || s === null ? l(t) : `${l(t)} (${l(n, 2)}–${l(s, 2)})`;
}
function p(t) {
  return q.has(t.status);
}
function I(t, e) {
  return t.heartbeat_at ? Math.max(0, (Date.parse(e) - Date.parse(t.heartbeat_at)) / 1e3) : null;
}
function k(t) {
  if (t.status === "queued") return t.phase_label || "Queued";
  const e = [t.phase_label || t.phase, `${Math.round(t.phase_progress * 100)} %`];
  return t.eta_s !== null && t.eta_s !== void 0 && e.push(`about ${m(t.eta_s)} left`), e.join(" · ");
}
const O = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled."
};
function R(t, e) {
  if (!p(t)) {
    const r = t.status === "failed" ? `Failed: ${t.error || "no reason given"}` : O[t.status] ?? t.status, o = t.finished_at ? ` (ended ${new Date(t.finished_at).toLocaleTimeString()})` : "";
    return { text: r + o, warn: t.status === "failed" };
  }
  const n = [];
  t.n_epochs && n.push(`epoch ${t.epoch} / ${t.n_epochs}`), t.attempt > 1 && n.push(`retry ${t.attempt} of ${Math.max(t.attempt, t.max_attempts ?? 2)}`);
  const s = I(t, e);
  let a = !1;
  return t.status === "queued" ? n.push("waiting for a training worker") : s === null ? n.push("no heartbeat yet") : (a = s > 30, n.push(`last heartbeat ${m(s)} ago${a ? " (the worker may be gone)" : ""}`)), t.cancel_requested && n.push("cancel requested: it stops at its next progress report"), { text: n.join(" · "), warn: a };
}
function U(t) {
  const e = Object.keys(t).sort((s, a) => v(s) - v(a));
  if (!e.length) return "";
  const n = e.reduce((s, a) => s + t[a], 0);
  return `Time per phase: ${e.map((s) => `${s} ${m(t[s])}`).join(" · ")} (total ${m(n)})`;
}
function v(t) {
  const e = x.indexOf(t);
  return e < 0 ? x.length : e;
}
function j(t) {
  if (!t.n_clips) return "No version scored on the evaluation set yet.";
  const e = `${t.n_events} call${t.n_events === 1 ? "" : "s"}`, n = t.excluded ? `; ${t.excluded} version${t.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${t.n_clips} clip${t.n_clips === 1 ? "" : "s"}, ${e}; 95 % intervals${n}.`;
}
function H(t, e) {
  const n = new Map(e.points.map((s) => [s.version, s]));
  return [...t].reverse().map((s) => {
    const a = n.get(s.version), r = s.name + (s.is_active ? " (active)" : "");
    return a ? [
      r,
      s.n_labels,
      _(a.det_ap, a.ci?.det_ap),
      _(a.f1, a.ci?.f1),
      l(a.map),
      l(a.threshold, 2)
    ] : [r, s.n_labels, "–", "–", "–", "–"];
  });
}
async function w(t) {
  const e = await fetch(t, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!e.ok) throw new Error(`${t}: HTTP ${e.status}`);
  return await e.json();
}
async function F(t, e, n) {
  let s;
  try {
    s = await fetch(t, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": e },
      body: JSON.stringify(n)
    });
  } catch (o) {
    return { ok: !1, data: {}, message: `the server did not answer (${String(o)})` };
  }
  const a = await s.json().catch(() => ({})), r = typeof a.detail == "string" ? a.detail : `HTTP ${s.status}`;
  return { ok: s.ok, data: a, message: r };
}
const P = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;
function y(t, e, n, s) {
  if (!t) return;
  const a = document.createElement("tbody"), r = t.tHead?.rows[0]?.cells.length ?? 1;
  e.length === 0 && (e = [[n, ...Array(r - 1).fill("")]]), e.forEach((o, h) => {
    const f = a.insertRow();
    s && (f.className = s(h));
    for (const u of o) {
      const d = f.insertCell();
      d.textContent = u === null ? "–" : String(u), (typeof u == "number" || P.test(String(u))) && (d.className = "num");
    }
  }), t.tBodies[0]?.replaceWith(a);
}
function M(t, e, n, s) {
  const a = document.getElementById(t);
  if (!a) return;
  a.hidden = !1;
  const r = a.querySelector("progress");
  r && (r.max = Math.max(n, 1), r.value = Math.min(e, r.max));
  const o = a.querySelector(".figure-text");
  o && (o.textContent = s);
}
function A(t) {
  const e = document.getElementById(t);
  e && (e.hidden = !0);
}
function T(t, e, n = "") {
  const s = document.getElementById(t);
  s && (s.textContent = e, s.hidden = !e, s.className = n);
}
function D(t, e) {
  !t || !p(t) ? A("training-progress") : M("training-progress", t.phase_progress, 1, k(t));
  const n = t ? R(t, e) : { text: "", warn: !1 };
  T("training-status", n.text, n.warn ? "warn" : ""), T("training-phases", t && !p(t) ? U(t.phase_seconds) : "", "muted small");
}
function L(t) {
  if (!t)
    return A("rescore-progress"), !1;
  const e = `v${t.version}: ${t.scored} / ${t.n_clips} clips (${Math.round(t.progress * 100)} %)`;
  return M("rescore-progress", t.scored, t.n_clips, e), !0;
}
function X(t) {
  const e = document.getElementById("eval-set");
  e && (e.textContent = j(t.learning_curve));
  const n = [...t.versions].reverse();
  y(
    document.querySelector("#versions-table"),
    H(t.versions, t.learning_curve),
    "No model version yet.",
    (s) => n[s]?.is_active ? "active" : ""
  ), y(
    document.querySelector("#class-ap-table"),
    t.class_ap.classes.map((s) => [s.class, l(s.ap)]),
    "No active version yet."
  );
}
function J(t) {
  const e = [...t].reverse();
  y(
    document.querySelector("#rounds-table"),
    e.map((n) => [
      n.round,
      n.cold_start ? `${n.strategy} (cold start)` : `${n.strategy}, v${n.model_version ?? "?"}`,
      n.picks,
      n.audit,
      n.labelled,
      Object.entries(n.reasons).map(([s, a]) => `${s} ${a}`).join(", ")
    ]),
    "No sampling round yet."
  );
}
function S(t) {
  const e = t.contentDocument?.documentElement, n = Number(e?.getAttribute("width")), s = Number(e?.getAttribute("height"));
  n > 0 && s > 0 && (t.style.aspectRatio = `${n} / ${s}`, t.style.maxWidth = `${n}px`, t.removeAttribute("height"));
}
function Q(t) {
  for (const e of t.querySelectorAll("object.chart-object")) {
    const n = new URL(e.data, window.location.href);
    n.searchParams.set("t", String(Date.now())), e.data = n.toString();
  }
}
function E(t) {
  return t ? `${t.id}:${t.status}` : "";
}
class W {
  constructor(e, n) {
    this.root = e, this.refresh = n, this.startButton?.addEventListener("click", () => {
      this.start();
    }), this.cancelButton?.addEventListener("click", () => {
      this.cancel();
    });
  }
  root;
  refresh;
  startButton = document.getElementById("start-training");
  cancelButton = document.getElementById("cancel-training");
  message = document.getElementById("training-message");
  training = null;
  sending = !1;
  /** The run and status the message is about: it goes once the panel shows another. */
  messageAbout = "";
  show(e) {
    this.training = e, this.message?.textContent && E(e) !== this.messageAbout && this.say("", e), this.update();
  }
  update() {
    const e = this.training, n = !!e && p(e);
    this.startButton && (this.startButton.disabled = n || this.sending, this.startButton.title = n ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample."), this.cancelButton && (this.cancelButton.hidden = !n, this.cancelButton.disabled = !n || this.sending || !!e?.cancel_requested, this.cancelButton.textContent = e?.cancel_requested ? "Cancelling…" : "Cancel");
  }
  say(e, n, s = "") {
    this.message && (this.message.textContent = e, this.message.className = s, this.messageAbout = E(n));
  }
  async send(e, n) {
    this.sending = !0, this.update();
    try {
      return await F(e, this.root.dataset.csrfToken ?? "", n);
    } finally {
      this.sending = !1, this.update();
    }
  }
  async start() {
    const e = this.root.dataset.retrainUrl;
    if (!e || this.sending) return;
    const n = await this.send(e, { force: !1 });
    n.ok ? this.say(`Training queued (run ${String(n.data.id)}).`, n.data) : this.say(`Not started: ${n.message}`, this.training, "error"), this.refresh();
  }
  async cancel() {
    const e = this.training, n = this.root.dataset.runsUrl;
    if (!e || !n || this.sending) return;
    const s = await this.send(`${n.replace(/\/?$/, "/")}${e.id}/cancel/`, {}), a = s.data;
    s.ok ? a.status === "cancelled" ? this.say("Cancelled before it started.", a) : this.say("Cancel requested: the training stops at its next progress report.", a) : this.say(`Not cancelled: ${s.message}`, e, "error"), this.refresh();
  }
}
function z(t) {
  const { modelUrl: e, roundsUrl: n } = t.dataset, s = Math.max(1e3, Number(t.dataset.pollMs) || 4e3), a = document.getElementById("progress-idle");
  let r = !1, o, h = 0;
  for (const c of t.querySelectorAll("object.chart-object"))
    c.addEventListener("load", () => S(c)), S(c);
  async function f() {
    if (n)
      try {
        J((await w(n)).rounds);
      } catch (c) {
        y(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(c)}).`);
      }
  }
  const u = new W(t, () => {
    d();
  });
  async function d() {
    if (!e) return;
    window.clearTimeout(o);
    const c = ++h;
    let $ = s;
    try {
      const i = await w(e);
      if (c !== h) return;
      D(i.training, i.generated_at), u.show(i.training);
      const N = !!i.training && p(i.training), g = L(i.rescoring) || N;
      X(i), a && (a.hidden = g), a && !g && (a.textContent = "No training or rescoring is running."), r && !g && (Q(t), f()), r = g, g || ($ = s * 3);
    } catch (i) {
      if (c !== h) return;
      a && (a.hidden = !1, a.textContent = `Could not refresh the progress (${String(i)}); retrying.`);
    }
    o = window.setTimeout(() => {
      d();
    }, document.hidden ? $ * 4 : $);
  }
  d(), f();
  const b = document.getElementById("export-form");
  b instanceof HTMLFormElement && G(b);
}
function C(t, e) {
  if (t instanceof HTMLSelectElement)
    for (const [n, s] of e) t.append(new Option(s, n));
}
async function G(t) {
  const e = t.querySelector("#export-formats");
  try {
    const n = await w(t.getAttribute("data-options-url") ?? "");
    C(t.elements.namedItem("dataset"), n.datasets.map((s) => [String(s.id), s.name])), C(t.elements.namedItem("annotator"), n.annotators.map((s) => [String(s.id), s.username])), e?.replaceChildren(
      ...n.formats.map((s) => {
        const a = document.createElement("button");
        return Object.assign(a, { type: "submit", name: "format", value: s.name, textContent: s.label }), a;
      })
    );
  } catch (n) {
    e?.replaceChildren(`Could not load the export choices (${String(n)}).`);
  }
}
const B = typeof document > "u" ? null : document.getElementById("echoloop-dashboard");
B && z(B);
export {
  j as evaluationSetText,
  l as fixed,
  m as formatSeconds,
  I as heartbeatAge,
  p as isUnfinished,
  k as phaseText,
  U as phasesText,
  R as statusText,
  H as versionCells,
  _ as withInterval
};
