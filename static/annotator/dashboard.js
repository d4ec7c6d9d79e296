function A(t) {
  return !t || !t.cut ? "" : `budget ${t.max_seconds ? p(t.max_seconds) : `${t.max_steps} steps`}: ${t.epochs} of ${t.asked_epochs} epochs`;
}
const k = 2, I = 30, _ = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"], O = /* @__PURE__ */ new Set(["queued", "running"]);
function p(t) {
  const e = Math.max(0, Math.round(t));
  if (t < 0.5) return "< 1 s";
  if (e < 60) return `${e} s`;
  if (e < 3600) return e % 60 ? `${Math.floor(e / 60)} min ${e % 60} s` : `${e / 60} min`;
  const n = Math.round(e / 60);
  return n % 60 ? `${Math.floor(n / 60)} h ${n % 60} min` : `${n / 60} h`;
}
function u(t, e = 3) {
  return t == null ? "–" : t.toFixed(e);
}
function b(t, e) {
  const [n, s] = e ?? [null, null];
  return t === null || n === null || s === null ? u(t) : `${u(t)} (${u(n, 2)}–${u(s, 2)})`;
}
function m(t) {
  return O.has(t.status);
}
function R(t, e) {
  return t.heartbeat_at ? Math.max(0, (Date.parse(e) - Date.parse(t.heartbeat_at)) / 1e3) : null;
}
function j(t) {
  if (t.status === "queued") return t.phase_label || "Queued";
  const e = [t.phase_label || t.phase, `${Math.round(t.phase_progress * 100)} %`];
  return t.eta_s !== null && t.eta_s !== void 0 && e.push(`about ${p(t.eta_s)} left`), e.join(" · ");
}
const U = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled."
};
function F(t, e) {
  if (!m(t)) {
    const o = t.status === "failed" ? `Failed: ${t.error || "no reason given"}` : U[t.status] ?? t.status, l = t.finished_at ? ` (ended ${new Date(t.finished_at).toLocaleTimeString()})` : "";
    return { text: o + l, warn: t.status === "failed" };
  }
  const n = [];
  t.n_epochs && n.push(`epoch ${t.epoch} / ${t.n_epochs}`);
  const s = A(t.budget);
  s && n.push(s), t.attempt > 1 && n.push(`retry ${t.attempt} of ${Math.max(t.attempt, t.max_attempts ?? k)}`);
  const a = R(t, e);
  let r = !1;
  return t.status === "queued" ? n.push("waiting for a training worker") : a === null ? n.push("no heartbeat yet") : (r = a > I, n.push(`last heartbeat ${p(a)} ago${r ? " (the worker may be gone)" : ""}`)), t.cancel_requested && n.push("cancel requested: it stops at its next progress report"), { text: n.join(" · "), warn: r };
}
function H(t) {
  const e = Object.keys(t).sort((s, a) => v(s) - v(a));
  if (!e.length) return "";
  const n = e.reduce((s, a) => s + t[a], 0);
  return `Time per phase: ${e.map((s) => `${s} ${p(t[s])}`).join(" · ")} (total ${p(n)})`;
}
function v(t) {
  const e = _.indexOf(t);
  return e < 0 ? _.length : e;
}
function D(t) {
  if (!t.n_clips) return "No version scored on the evaluation set yet.";
  const e = `${t.n_events} call${t.n_events === 1 ? "" : "s"}`, n = t.excluded ? `; ${t.excluded} version${t.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${t.n_clips} clip${t.n_clips === 1 ? "" : "s"}, ${e}; 95 % intervals${n}.`;
}
function L(t, e) {
  const n = new Map(e.points.map((s) => [s.version, s]));
  return [...t].reverse().map((s) => {
    const a = n.get(s.version), r = s.name + (s.is_active ? " (active)" : "");
    return a ? [
      r,
      s.n_labels,
      b(a.det_ap, a.ci?.det_ap),
      b(a.f1, a.ci?.f1),
      u(a.map),
      u(a.threshold, 2)
    ] : [r, s.n_labels, "–", "–", "–", "–"];
  });
}
async function w(t) {
  const e = await fetch(t, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!e.ok) throw new Error(`${t}: HTTP ${e.status}`);
  return await e.json();
}
async function P(t, e, n) {
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
const J = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;
function y(t, e, n, s) {
  if (!t) return;
  const a = document.createElement("tbody"), r = t.tHead?.rows[0]?.cells.length ?? 1;
  e.length === 0 && (e = [[n, ...Array(r - 1).fill("")]]), e.forEach((o, l) => {
    const f = a.insertRow();
    s && (f.className = s(l));
    for (const d of o) {
      const h = f.insertCell();
      h.textContent = d === null ? "–" : String(d), (typeof d == "number" || J.test(String(d))) && (h.className = "num");
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
function N(t) {
  const e = document.getElementById(t);
  e && (e.hidden = !0);
}
function S(t, e, n = "") {
  const s = document.getElementById(t);
  s && (s.textContent = e, s.hidden = !e, s.className = n);
}
function X(t, e) {
  !t || !m(t) ? N("training-progress") : M("training-progress", t.phase_progress, 1, j(t));
  const n = t ? F(t, e) : { text: "", warn: !1 };
  S("training-status", n.text, n.warn ? "warn" : ""), S("training-phases", t && !m(t) ? H(t.phase_seconds) : "", "muted small");
}
function Q(t) {
  if (!t)
    return N("rescore-progress"), !1;
  const e = `v${t.version}: ${t.scored} / ${t.n_clips} clips (${Math.round(t.progress * 100)} %)`;
  return M("rescore-progress", t.scored, t.n_clips, e), !0;
}
function W(t) {
  const e = document.getElementById("eval-set");
  e && (e.textContent = D(t.learning_curve));
  const n = [...t.versions].reverse();
  y(
    document.querySelector("#versions-table"),
    L(t.versions, t.learning_curve),
    "No model version yet.",
    (s) => n[s]?.is_active ? "active" : ""
  ), y(
    document.querySelector("#class-ap-table"),
    t.class_ap.classes.map((s) => [s.class, u(s.ap)]),
    "No active version yet."
  );
}
function z(t) {
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
function T(t) {
  const e = t.contentDocument?.documentElement, n = Number(e?.getAttribute("width")), s = Number(e?.getAttribute("height"));
  n > 0 && s > 0 && (t.style.aspectRatio = `${n} / ${s}`, t.style.maxWidth = `${n}px`, t.removeAttribute("height"));
}
function G(t) {
  for (const e of t.querySelectorAll("object.chart-object")) {
    const n = new URL(e.data, window.location.href);
    n.searchParams.set("t", String(Date.now())), e.data = n.toString();
  }
}
function E(t) {
  return t ? `${t.id}:${t.status}` : "";
}
class K {
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
    const e = this.training, n = !!e && m(e);
    this.startButton && (this.startButton.disabled = n || this.sending, this.startButton.title = n ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample."), this.cancelButton && (this.cancelButton.hidden = !n, this.cancelButton.disabled = !n || this.sending || !!e?.cancel_requested, this.cancelButton.textContent = e?.cancel_requested ? "Cancelling…" : "Cancel");
  }
  say(e, n, s = "") {
    this.message && (this.message.textContent = e, this.message.className = s, this.messageAbout = E(n));
  }
  async send(e, n) {
    this.sending = !0, this.update();
    try {
      return await P(e, this.root.dataset.csrfToken ?? "", n);
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
function V(t) {
  const { modelUrl: e, roundsUrl: n } = t.dataset, s = Math.max(1e3, Number(t.dataset.pollMs) || 4e3), a = document.getElementById("progress-idle");
  let r = !1, o, l = 0;
  for (const c of t.querySelectorAll("object.chart-object"))
    c.addEventListener("load", () => T(c)), T(c);
  async function f() {
    if (n)
      try {
        z((await w(n)).rounds);
      } catch (c) {
        y(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(c)}).`);
      }
  }
  const d = new K(t, () => {
    h();
  });
  async function h() {
    if (!e) return;
    window.clearTimeout(o);
    const c = ++l;
    let $ = s;
    try {
      const i = await w(e);
      if (c !== l) return;
      X(i.training, i.generated_at), d.show(i.training);
      const q = !!i.training && m(i.training), g = Q(i.rescoring) || q;
      W(i), a && (a.hidden = g), a && !g && (a.textContent = "No training or rescoring is running."), r && !g && (G(t), f()), r = g, g || ($ = s * 3);
    } catch (i) {
      if (c !== l) return;
      a && (a.hidden = !1, a.textContent = `Could not refresh the progress (${String(i)}); retrying.`);
    }
    o = window.setTimeout(() => {
      h();
    }, document.hidden ? $ * 4 : $);
  }
  h(), f();
  const x = document.getElementById("export-form");
  x instanceof HTMLFormElement && Y(x);
}
function C(t, e) {
  if (t instanceof HTMLSelectElement)
    for (const [n, s] of e) t.append(new Option(s, n));
}
async function Y(t) {
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
B && V(B);
export {
  A as budgetText,
  D as evaluationSetText,
  u as fixed,
  p as formatSeconds,
  R as heartbeatAge,
  m as isUnfinished,
  j as phaseText,
  H as phasesText,
  F as statusText,
  L as versionCells,
  b as withInterval
};
