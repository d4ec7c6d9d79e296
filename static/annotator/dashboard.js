const w = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"], M = /* @__PURE__ */ new Set(["queued", "running"]);
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
  return M.has(t.status);
}
function N(t, e) {
  return t.heartbeat_at ? Math.max(0, (Date.parse(e) - Date.parse(t.heartbeat_at)) / 1e3) : null;
}
function q(t) {
  if (t.status === "queued") return t.phase_label || "Queued";
  const e = [t.phase_label || t.phase, `${Math.round(t.phase_progress * 100)} %`];
  return t.eta_s !== null && t.eta_s !== void 0 && e.push(`about ${m(t.eta_s)} left`), e.join(" · ");
}
const k = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled."
};
function I(t, e) {
  if (!p(t)) {
    const i = t.status === "failed" ? `Failed: ${t.error || "no reason given"}` : k[t.status] ?? t.status, r = t.finished_at ? ` (ended ${new Date(t.finished_at).toLocaleTimeString()})` : "";
    return { text: i + r, warn: t.status === "failed" };
  }
  const n = [];
  t.n_epochs && n.push(`epoch ${t.epoch} / ${t.n_epochs}`), t.attempt > 1 && n.push(`retry ${t.attempt} of ${Math.max(t.attempt, t.max_attempts ?? 2)}`);
  const s = N(t, e);
  let a = !1;
  return t.status === "queued" ? n.push("waiting for a training worker") : s === null ? n.push("no heartbeat yet") : (a = s > 30, n.push(`last heartbeat ${m(s)} ago${a ? " (the worker may be gone)" : ""}`)), t.cancel_requested && n.push("cancel requested: it stops at its next progress report"), { text: n.join(" · "), warn: a };
}
function R(t) {
  const e = Object.keys(t).sort((s, a) => v(s) - v(a));
  if (!e.length) return "";
  const n = e.reduce((s, a) => s + t[a], 0);
  return `Time per phase: ${e.map((s) => `${s} ${m(t[s])}`).join(" · ")} (total ${m(n)})`;
}
function v(t) {
  const e = w.indexOf(t);
  return e < 0 ? w.length : e;
}
function O(t) {
  if (!t.n_clips) return "No version scored on the evaluation set yet.";
  const e = `${t.n_events} call${t.n_events === 1 ? "" : "s"}`, n = t.excluded ? `; ${t.excluded} version${t.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${t.n_clips} clip${t.n_clips === 1 ? "" : "s"}, ${e}; 95 % intervals${n}.`;
}
function U(t, e) {
  const n = new Map(e.points.map((s) => [s.version, s]));
  return [...t].reverse().map((s) => {
    const a = n.get(s.version), i = s.name + (s.is_active ? " (active)" : "");
    return a ? [
      i,
      s.n_labels,
      _(a.det_ap, a.ci?.det_ap),
      _(a.f1, a.ci?.f1),
      l(a.map),
      l(a.threshold, 2)
    ] : [i, s.n_labels, "–", "–", "–", "–"];
  });
}
async function b(t) {
  const e = await fetch(t, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!e.ok) throw new Error(`${t}: HTTP ${e.status}`);
  return await e.json();
}
async function j(t, e, n) {
  let s;
  try {
    s = await fetch(t, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": e },
      body: JSON.stringify(n)
    });
  } catch (r) {
    return { ok: !1, data: {}, message: `the server did not answer (${String(r)})` };
  }
  const a = await s.json().catch(() => ({})), i = typeof a.detail == "string" ? a.detail : `HTTP ${s.status}`;
  return { ok: s.ok, data: a, message: i };
}
const P = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;
function y(t, e, n, s) {
  if (!t) return;
  const a = document.createElement("tbody"), i = t.tHead?.rows[0]?.cells.length ?? 1;
  e.length === 0 && (e = [[n, ...Array(i - 1).fill("")]]), e.forEach((r, h) => {
    const f = a.insertRow();
    s && (f.className = s(h));
    for (const u of r) {
      const d = f.insertCell();
      d.textContent = u === null ? "–" : String(u), (typeof u == "number" || P.test(String(u))) && (d.className = "num");
    }
  }), t.tBodies[0]?.replaceWith(a);
}
function B(t, e, n, s) {
  const a = document.getElementById(t);
  if (!a) return;
  a.hidden = !1;
  const i = a.querySelector("progress");
  i && (i.max = Math.max(n, 1), i.value = Math.min(e, i.max));
  const r = a.querySelector(".figure-text");
  r && (r.textContent = s);
}
function C(t) {
  const e = document.getElementById(t);
  e && (e.hidden = !0);
}
function x(t, e, n = "") {
  const s = document.getElementById(t);
  s && (s.textContent = e, s.hidden = !e, s.className = n);
}
function D(t, e) {
  !t || !p(t) ? C("training-progress") : B("training-progress", t.phase_progress, 1, q(t));
  const n = t ? I(t, e) : { text: "", warn: !1 };
  x("training-status", n.text, n.warn ? "warn" : ""), x("training-phases", t && !p(t) ? R(t.phase_seconds) : "", "muted small");
}
function H(t) {
  if (!t)
    return C("rescore-progress"), !1;
  const e = `v${t.version}: ${t.scored} / ${t.n_clips} clips (${Math.round(t.progress * 100)} %)`;
  return B("rescore-progress", t.scored, t.n_clips, e), !0;
}
function F(t) {
  const e = document.getElementById("eval-set");
  e && (e.textContent = O(t.learning_curve));
  const n = [...t.versions].reverse();
  y(
    document.querySelector("#versions-table"),
    U(t.versions, t.learning_curve),
    "No model version yet.",
    (s) => n[s]?.is_active ? "active" : ""
  ), y(
    document.querySelector("#class-ap-table"),
    t.class_ap.classes.map((s) => [s.class, l(s.ap)]),
    "No active version yet."
  );
}
function L(t) {
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
function X(t) {
  for (const e of t.querySelectorAll("object.chart-object")) {
    const n = new URL(e.data, window.location.href);
    n.searchParams.set("t", String(Date.now())), e.data = n.toString();
  }
}
function S(t) {
  return t ? `${t.id}:${t.status}` : "";
}
class J {
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
    this.training = e, this.message?.textContent && S(e) !== this.messageAbout && this.say("", e), this.update();
  }
  update() {
    const e = this.training, n = !!e && p(e);
    this.startButton && (this.startButton.disabled = n || this.sending, this.startButton.title = n ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample."), this.cancelButton && (this.cancelButton.hidden = !n, this.cancelButton.disabled = !n || this.sending || !!e?.cancel_requested, this.cancelButton.textContent = e?.cancel_requested ? "Cancelling…" : "Cancel");
  }
  say(e, n, s = "") {
    this.message && (this.message.textContent = e, this.message.className = s, this.messageAbout = S(n));
  }
  async send(e, n) {
    this.sending = !0, this.update();
    try {
      return await j(e, this.root.dataset.csrfToken ?? "", n);
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
function Q(t) {
  const { modelUrl: e, roundsUrl: n } = t.dataset, s = Math.max(1e3, Number(t.dataset.pollMs) || 4e3), a = document.getElementById("progress-idle");
  let i = !1, r, h = 0;
  for (const c of t.querySelectorAll("object.chart-object"))
    c.addEventListener("load", () => T(c)), T(c);
  async function f() {
    if (n)
      try {
        L((await b(n)).rounds);
      } catch (c) {
        y(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(c)}).`);
      }
  }
  const u = new J(t, () => {
    d();
  });
  async function d() {
    if (!e) return;
    window.clearTimeout(r);
    const c = ++h;
    let $ = s;
    try {
      const o = await b(e);
      if (c !== h) return;
      D(o.training, o.generated_at), u.show(o.training);
      const A = !!o.training && p(o.training), g = H(o.rescoring) || A;
      F(o), a && (a.hidden = g), a && !g && (a.textContent = "No training or rescoring is running."), i && !g && (X(t), f()), i = g, g || ($ = s * 3);
    } catch (o) {
      if (c !== h) return;
      a && (a.hidden = !1, a.textContent = `Could not refresh the progress (${String(o)}); retrying.`);
    }
    r = window.setTimeout(() => {
      d();
    }, document.hidden ? $ * 4 : $);
  }
  d(), f();
}
const E = typeof document > "u" ? null : document.getElementById("echoloop-dashboard");
E && Q(E);
export {
  O as evaluationSetText,
  l as fixed,
  m as formatSeconds,
  N as heartbeatAge,
  p as isUnfinished,
  q as phaseText,
  R as phasesText,
  I as statusText,
  U as versionCells,
  _ as withInterval
};
