const $ = "detector";
function I(e) {
  const t = e.embedding, s = [
    { value: "", name: "Project default", licence: "—", note: t && t.chosen_by === "default" ? `Now ${t.name}: ${t.reason}.` : "The embedding measured best for the project's recordings.", enabled: !0, chosen: !e.chosen },
    { value: $, name: "The detector's own embedding", licence: "Echoloop's own", note: "Window embeddings of the active model version.", enabled: !0, chosen: e.chosen === $ }
  ];
  for (const a of e.adapters)
    s.push({ value: a.name, name: a.name, licence: a.available ? a.licence : "—", note: a.available ? a.description : `not usable: ${a.error}`, enabled: a.available, chosen: e.chosen === a.name });
  return s;
}
function O(e) {
  if (!e) return "";
  const t = e.chosen_by === "lead" ? "chosen by a lead" : `project default — ${e.reason}`;
  return `In use for sampling, search and the light head: ${e.name} (${t}).`;
}
function R(e) {
  return e.fitted ? `Light head: fitted on ${e.n_labels} labelled clips in ${(e.fit_seconds ?? 0).toFixed(2)} s (${e.source}), ${new Date(e.fitted_at ?? "").toLocaleString()}.` : "Light head: not fitted yet (it fits within seconds of the first labels once the pool has embeddings).";
}
function c(e, t = "", n = "") {
  const s = document.createElement(e);
  return t && (s.textContent = t), n && (s.className = n), s;
}
async function U(e) {
  const t = e.dataset.url, n = e.dataset.csrfToken, s = c("p", "", "muted"), a = async () => {
    let i, d = { fitted: !1 };
    try {
      i = await (await fetch(t, { credentials: "same-origin" })).json(), e.dataset.headUrl && (d = await (await fetch(e.dataset.headUrl, { credentials: "same-origin" })).json());
    } catch (o) {
      e.replaceChildren(c("p", `Could not load the embeddings (${String(o)}).`, "muted"));
      return;
    }
    const u = c("table", "", "grid compact"), m = c("tr");
    for (const o of ["", "embedding", "licence", "what"]) m.append(c("th", o));
    u.append(c("thead"), c("tbody")), u.tHead?.append(m);
    for (const o of I(i)) {
      const p = c("tr"), r = c("input");
      Object.assign(r, { type: "radio", name: "embedding", value: o.value, checked: o.chosen, disabled: !n || !o.enabled });
      const f = c("td");
      f.append(r), p.append(f, c("td", o.name), c("td", o.licence, "licence"), c("td", o.note)), p.dataset.embedding = o.value || "default", u.tBodies[0].append(p);
    }
    const h = [c("p", O(i.embedding), "embedding-in-use"), u, c("p", R(d), "muted light-head")];
    if (n) {
      const o = c("button", "Use the selected embedding");
      o.type = "button", o.className = "use-embedding", o.addEventListener("click", async () => {
        const p = e.querySelector("input[name=embedding]:checked"), r = await fetch(t, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": n },
          body: JSON.stringify({ adapter: p?.value || null })
        }), f = await r.json().catch(() => ({})), l = f.embedding?.name ?? "";
        s.textContent = r.ok ? `Now using ${l === $ ? "the detector's own embedding" : l}${l === $ ? "" : ": the pool is being embedded with it"}.` : `Not changed: ${f.detail ?? `HTTP ${r.status}`}`, r.ok && await a();
      }), h.push(o);
    }
    h.push(s), e.replaceChildren(...h);
  };
  await a();
}
function L(e) {
  return !e || !e.cut ? "" : `budget ${e.max_seconds ? y(e.max_seconds) : `${e.max_steps} steps`}: ${e.epochs} of ${e.asked_epochs} epochs`;
}
const F = 2, D = 30, _ = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"], H = /* @__PURE__ */ new Set(["queued", "running"]);
function y(e) {
  const t = Math.max(0, Math.round(e));
  if (e < 0.5) return "< 1 s";
  if (t < 60) return `${t} s`;
  if (t < 3600) return t % 60 ? `${Math.floor(t / 60)} min ${t % 60} s` : `${t / 60} min`;
  const n = Math.round(t / 60);
  return n % 60 ? `${Math.floor(n / 60)} h ${n % 60} min` : `${n / 60} h`;
}
function g(e, t = 3) {
  return e == null ? "–" : e.toFixed(t);
}
function T(e, t) {
  const [n, s] = t ?? [null, null];
  return e === null || n === null || s === null ? g(e) : `${g(e)} (${g(n, 2)}–${g(s, 2)})`;
}
function w(e) {
  return H.has(e.status);
}
function P(e, t) {
  return e.heartbeat_at ? Math.max(0, (Date.parse(t) - Date.parse(e.heartbeat_at)) / 1e3) : null;
}
function J(e) {
  if (e.status === "queued") return e.phase_label || "Queued";
  const t = [e.phase_label || e.phase, `${Math.round(e.phase_progress * 100)} %`];
  return e.eta_s !== null && e.eta_s !== void 0 && t.push(`about ${y(e.eta_s)} left`), t.join(" · ");
}
const X = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled."
};
function W(e, t) {
  if (!w(e)) {
    const d = e.status === "failed" ? `Failed: ${e.error || "no reason given"}` : X[e.status] ?? e.status, u = e.finished_at ? ` (ended ${new Date(e.finished_at).toLocaleTimeString()})` : "";
    return { text: d + u, warn: e.status === "failed" };
  }
  const n = [];
  e.n_epochs && n.push(`epoch ${e.epoch} / ${e.n_epochs}`);
  const s = L(e.budget);
  s && n.push(s), e.attempt > 1 && n.push(`retry ${e.attempt} of ${Math.max(e.attempt, e.max_attempts ?? F)}`);
  const a = P(e, t);
  let i = !1;
  return e.status === "queued" ? n.push("waiting for a training worker") : a === null ? n.push("no heartbeat yet") : (i = a > D, n.push(`last heartbeat ${y(a)} ago${i ? " (the worker may be gone)" : ""}`)), e.cancel_requested && n.push("cancel requested: it stops at its next progress report"), { text: n.join(" · "), warn: i };
}
function Q(e) {
  const t = Object.keys(e).sort((s, a) => E(s) - E(a));
  if (!t.length) return "";
  const n = t.reduce((s, a) => s + e[a], 0);
  return `Time per phase: ${t.map((s) => `${s} ${y(e[s])}`).join(" · ")} (total ${y(n)})`;
}
function E(e) {
  const t = _.indexOf(e);
  return t < 0 ? _.length : t;
}
function z(e) {
  if (!e.n_clips) return "No version scored on the evaluation set yet.";
  const t = `${e.n_events} call${e.n_events === 1 ? "" : "s"}`, n = e.excluded ? `; ${e.excluded} version${e.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${e.n_clips} clip${e.n_clips === 1 ? "" : "s"}, ${t}; 95 % intervals${n}.`;
}
function G(e, t) {
  const n = new Map(t.points.map((s) => [s.version, s]));
  return [...e].reverse().map((s) => {
    const a = n.get(s.version), i = s.name + (s.is_active ? " (active)" : "");
    return a ? [
      i,
      s.n_labels,
      T(a.det_ap, a.ci?.det_ap),
      T(a.f1, a.ci?.f1),
      g(a.map),
      g(a.threshold, 2)
    ] : [i, s.n_labels, "–", "–", "–", "–"];
  });
}
async function x(e) {
  const t = await fetch(e, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!t.ok) throw new Error(`${e}: HTTP ${t.status}`);
  return await t.json();
}
async function K(e, t, n) {
  let s;
  try {
    s = await fetch(e, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": t },
      body: JSON.stringify(n)
    });
  } catch (d) {
    return { ok: !1, data: {}, message: `the server did not answer (${String(d)})` };
  }
  const a = await s.json().catch(() => ({})), i = typeof a.detail == "string" ? a.detail : `HTTP ${s.status}`;
  return { ok: s.ok, data: a, message: i };
}
const V = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;
function v(e, t, n, s) {
  if (!e) return;
  const a = document.createElement("tbody"), i = e.tHead?.rows[0]?.cells.length ?? 1;
  t.length === 0 && (t = [[n, ...Array(i - 1).fill("")]]), t.forEach((d, u) => {
    const m = a.insertRow();
    s && (m.className = s(u));
    for (const h of d) {
      const o = m.insertCell();
      o.textContent = h === null ? "–" : String(h), (typeof h == "number" || V.test(String(h))) && (o.className = "num");
    }
  }), e.tBodies[0]?.replaceWith(a);
}
function M(e, t, n, s) {
  const a = document.getElementById(e);
  if (!a) return;
  a.hidden = !1;
  const i = a.querySelector("progress");
  i && (i.max = Math.max(n, 1), i.value = Math.min(t, i.max));
  const d = a.querySelector(".figure-text");
  d && (d.textContent = s);
}
function q(e) {
  const t = document.getElementById(e);
  t && (t.hidden = !0);
}
function S(e, t, n = "") {
  const s = document.getElementById(e);
  s && (s.textContent = t, s.hidden = !t, s.className = n);
}
function Y(e, t) {
  !e || !w(e) ? q("training-progress") : M("training-progress", e.phase_progress, 1, J(e));
  const n = e ? W(e, t) : { text: "", warn: !1 };
  S("training-status", n.text, n.warn ? "warn" : ""), S("training-phases", e && !w(e) ? Q(e.phase_seconds) : "", "muted small");
}
function Z(e) {
  if (!e)
    return q("rescore-progress"), !1;
  const t = `v${e.version}: ${e.scored} / ${e.n_clips} clips (${Math.round(e.progress * 100)} %)`;
  return M("rescore-progress", e.scored, e.n_clips, t), !0;
}
function ee(e) {
  const t = document.getElementById("eval-set");
  t && (t.textContent = z(e.learning_curve));
  const n = [...e.versions].reverse();
  v(
    document.querySelector("#versions-table"),
    G(e.versions, e.learning_curve),
    "No model version yet.",
    (s) => n[s]?.is_active ? "active" : ""
  ), v(
    document.querySelector("#class-ap-table"),
    e.class_ap.classes.map((s) => [s.class, g(s.ap)]),
    "No active version yet."
  );
}
function te(e) {
  const t = [...e].reverse();
  v(
    document.querySelector("#rounds-table"),
    t.map((n) => [
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
function C(e) {
  const t = e.contentDocument?.documentElement, n = Number(t?.getAttribute("width")), s = Number(t?.getAttribute("height"));
  n > 0 && s > 0 && (e.style.aspectRatio = `${n} / ${s}`, e.style.maxWidth = `${n}px`, e.removeAttribute("height"));
}
function ne(e) {
  for (const t of e.querySelectorAll("object.chart-object")) {
    const n = new URL(t.data, window.location.href);
    n.searchParams.set("t", String(Date.now())), t.data = n.toString();
  }
}
function N(e) {
  return e ? `${e.id}:${e.status}` : "";
}
class se {
  constructor(t, n) {
    this.root = t, this.refresh = n, this.startButton?.addEventListener("click", () => {
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
  show(t) {
    this.training = t, this.message?.textContent && N(t) !== this.messageAbout && this.say("", t), this.update();
  }
  update() {
    const t = this.training, n = !!t && w(t);
    this.startButton && (this.startButton.disabled = n || this.sending, this.startButton.title = n ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample."), this.cancelButton && (this.cancelButton.hidden = !n, this.cancelButton.disabled = !n || this.sending || !!t?.cancel_requested, this.cancelButton.textContent = t?.cancel_requested ? "Cancelling…" : "Cancel");
  }
  say(t, n, s = "") {
    this.message && (this.message.textContent = t, this.message.className = s, this.messageAbout = N(n));
  }
  async send(t, n) {
    this.sending = !0, this.update();
    try {
      return await K(t, this.root.dataset.csrfToken ?? "", n);
    } finally {
      this.sending = !1, this.update();
    }
  }
  async start() {
    const t = this.root.dataset.retrainUrl;
    if (!t || this.sending) return;
    const n = await this.send(t, { force: !1 });
    n.ok ? this.say(`Training queued (run ${String(n.data.id)}).`, n.data) : this.say(`Not started: ${n.message}`, this.training, "error"), this.refresh();
  }
  async cancel() {
    const t = this.training, n = this.root.dataset.runsUrl;
    if (!t || !n || this.sending) return;
    const s = await this.send(`${n.replace(/\/?$/, "/")}${t.id}/cancel/`, {}), a = s.data;
    s.ok ? a.status === "cancelled" ? this.say("Cancelled before it started.", a) : this.say("Cancel requested: the training stops at its next progress report.", a) : this.say(`Not cancelled: ${s.message}`, t, "error"), this.refresh();
  }
}
function ae(e) {
  const { modelUrl: t, roundsUrl: n } = e.dataset, s = Math.max(1e3, Number(e.dataset.pollMs) || 4e3), a = document.getElementById("progress-idle");
  let i = !1, d, u = 0;
  for (const r of e.querySelectorAll("object.chart-object"))
    r.addEventListener("load", () => C(r)), C(r);
  async function m() {
    if (n)
      try {
        te((await x(n)).rounds);
      } catch (r) {
        v(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(r)}).`);
      }
  }
  const h = new se(e, () => {
    o();
  });
  async function o() {
    if (!t) return;
    window.clearTimeout(d);
    const r = ++u;
    let f = s;
    try {
      const l = await x(t);
      if (r !== u) return;
      Y(l.training, l.generated_at), h.show(l.training);
      const j = !!l.training && w(l.training), b = Z(l.rescoring) || j;
      ee(l), a && (a.hidden = b), a && !b && (a.textContent = "No training or rescoring is running."), i && !b && (ne(e), m()), i = b, b || (f = s * 3);
    } catch (l) {
      if (r !== u) return;
      a && (a.hidden = !1, a.textContent = `Could not refresh the progress (${String(l)}); retrying.`);
    }
    d = window.setTimeout(() => {
      o();
    }, document.hidden ? f * 4 : f);
  }
  o(), m();
  const p = document.getElementById("export-form");
  p instanceof HTMLFormElement && oe(p);
}
function B(e, t) {
  if (e instanceof HTMLSelectElement)
    for (const [n, s] of t) e.append(new Option(s, n));
}
async function oe(e) {
  const t = e.querySelector("#export-formats");
  try {
    const n = await x(e.getAttribute("data-options-url") ?? "");
    B(e.elements.namedItem("dataset"), n.datasets.map((s) => [String(s.id), s.name])), B(e.elements.namedItem("annotator"), n.annotators.map((s) => [String(s.id), s.username])), t?.replaceChildren(
      ...n.formats.map((s) => {
        const a = document.createElement("button");
        return Object.assign(a, { type: "submit", name: "format", value: s.name, textContent: s.label }), a;
      })
    );
  } catch (n) {
    t?.replaceChildren(`Could not load the export choices (${String(n)}).`);
  }
}
const k = typeof document > "u" ? null : document.getElementById("echoloop-dashboard");
k && ae(k);
const A = typeof document > "u" ? null : document.getElementById("embedding-choice");
A && U(A);
export {
  L as budgetText,
  z as evaluationSetText,
  g as fixed,
  y as formatSeconds,
  P as heartbeatAge,
  w as isUnfinished,
  J as phaseText,
  Q as phasesText,
  W as statusText,
  G as versionCells,
  T as withInterval
};
