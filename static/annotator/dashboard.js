function O(e) {
  const t = [{ value: "", name: "The detector's own embedding (default)", licence: "Echoloop's own", note: "Window embeddings of the active model version.", enabled: !0, chosen: !e.chosen }];
  for (const n of e.adapters)
    t.push({ value: n.name, name: n.name, licence: n.available ? n.licence : "—", note: n.available ? n.description : `not usable: ${n.error}`, enabled: n.available, chosen: e.chosen === n.name });
  return t;
}
function I(e) {
  return e.fitted ? `Light head: fitted on ${e.n_labels} labelled clips in ${(e.fit_seconds ?? 0).toFixed(2)} s (${e.source}), ${new Date(e.fitted_at ?? "").toLocaleString()}.` : "Light head: not fitted yet (it fits within seconds of the first labels once the pool has embeddings).";
}
function c(e, t = "", n = "") {
  const s = document.createElement(e);
  return t && (s.textContent = t), n && (s.className = n), s;
}
async function j(e) {
  const t = e.dataset.url, n = e.dataset.csrfToken, s = c("p", "", "muted"), a = async () => {
    let i, d = { fitted: !1 };
    try {
      i = await (await fetch(t, { credentials: "same-origin" })).json(), e.dataset.headUrl && (d = await (await fetch(e.dataset.headUrl, { credentials: "same-origin" })).json());
    } catch (o) {
      e.replaceChildren(c("p", `Could not load the embeddings (${String(o)}).`, "muted"));
      return;
    }
    const l = c("table", "", "grid compact"), p = c("tr");
    for (const o of ["", "embedding", "licence", "what"]) p.append(c("th", o));
    l.append(c("thead"), c("tbody")), l.tHead?.append(p);
    for (const o of O(i)) {
      const m = c("tr"), r = c("input");
      Object.assign(r, { type: "radio", name: "embedding", value: o.value, checked: o.chosen, disabled: !n || !o.enabled });
      const h = c("td");
      h.append(r), m.append(h, c("td", o.name), c("td", o.licence, "licence"), c("td", o.note)), m.dataset.embedding = o.value || "detector", l.tBodies[0].append(m);
    }
    const u = [l, c("p", I(d), "muted light-head")];
    if (n) {
      const o = c("button", "Use the selected embedding");
      o.type = "button", o.className = "use-embedding", o.addEventListener("click", async () => {
        const m = e.querySelector("input[name=embedding]:checked"), r = await fetch(t, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": n },
          body: JSON.stringify({ adapter: m?.value || null })
        }), h = await r.json().catch(() => ({}));
        s.textContent = r.ok ? `Now using ${h.chosen ?? "the detector's own embedding"}${h.chosen ? ": the pool is being embedded with it" : ""}.` : `Not changed: ${h.detail ?? `HTTP ${r.status}`}`, r.ok && await a();
      }), u.push(o);
    }
    u.push(s), e.replaceChildren(...u);
  };
  await a();
}
function R(e) {
  return !e || !e.cut ? "" : `budget ${e.max_seconds ? b(e.max_seconds) : `${e.max_steps} steps`}: ${e.epochs} of ${e.asked_epochs} epochs`;
}
const U = 2, L = 30, x = ["queued", "preparing", "pretraining", "training", "evaluating", "storing", "done"], D = /* @__PURE__ */ new Set(["queued", "running"]);
function b(e) {
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
function _(e, t) {
  const [n, s] = t ?? [null, null];
  return e === null || n === null || s === null ? g(e) : `${g(e)} (${g(n, 2)}–${g(s, 2)})`;
}
function w(e) {
  return D.has(e.status);
}
function F(e, t) {
  return e.heartbeat_at ? Math.max(0, (Date.parse(t) - Date.parse(e.heartbeat_at)) / 1e3) : null;
}
function H(e) {
  if (e.status === "queued") return e.phase_label || "Queued";
  const t = [e.phase_label || e.phase, `${Math.round(e.phase_progress * 100)} %`];
  return e.eta_s !== null && e.eta_s !== void 0 && t.push(`about ${b(e.eta_s)} left`), t.join(" · ");
}
const P = {
  succeeded: "Finished: the new version is active.",
  kept_old: "Finished: the previous version stays active (the new one was not better).",
  cancelled: "Cancelled."
};
function J(e, t) {
  if (!w(e)) {
    const d = e.status === "failed" ? `Failed: ${e.error || "no reason given"}` : P[e.status] ?? e.status, l = e.finished_at ? ` (ended ${new Date(e.finished_at).toLocaleTimeString()})` : "";
    return { text: d + l, warn: e.status === "failed" };
  }
  const n = [];
  e.n_epochs && n.push(`epoch ${e.epoch} / ${e.n_epochs}`);
  const s = R(e.budget);
  s && n.push(s), e.attempt > 1 && n.push(`retry ${e.attempt} of ${Math.max(e.attempt, e.max_attempts ?? U)}`);
  const a = F(e, t);
  let i = !1;
  return e.status === "queued" ? n.push("waiting for a training worker") : a === null ? n.push("no heartbeat yet") : (i = a > L, n.push(`last heartbeat ${b(a)} ago${i ? " (the worker may be gone)" : ""}`)), e.cancel_requested && n.push("cancel requested: it stops at its next progress report"), { text: n.join(" · "), warn: i };
}
function X(e) {
  const t = Object.keys(e).sort((s, a) => T(s) - T(a));
  if (!t.length) return "";
  const n = t.reduce((s, a) => s + e[a], 0);
  return `Time per phase: ${t.map((s) => `${s} ${b(e[s])}`).join(" · ")} (total ${b(n)})`;
}
function T(e) {
  const t = x.indexOf(e);
  return t < 0 ? x.length : t;
}
function W(e) {
  if (!e.n_clips) return "No version scored on the evaluation set yet.";
  const t = `${e.n_events} call${e.n_events === 1 ? "" : "s"}`, n = e.excluded ? `; ${e.excluded} version${e.excluded === 1 ? "" : "s"} not scored on it` : "";
  return `Evaluation set: ${e.n_clips} clip${e.n_clips === 1 ? "" : "s"}, ${t}; 95 % intervals${n}.`;
}
function Q(e, t) {
  const n = new Map(t.points.map((s) => [s.version, s]));
  return [...e].reverse().map((s) => {
    const a = n.get(s.version), i = s.name + (s.is_active ? " (active)" : "");
    return a ? [
      i,
      s.n_labels,
      _(a.det_ap, a.ci?.det_ap),
      _(a.f1, a.ci?.f1),
      g(a.map),
      g(a.threshold, 2)
    ] : [i, s.n_labels, "–", "–", "–", "–"];
  });
}
async function v(e) {
  const t = await fetch(e, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!t.ok) throw new Error(`${e}: HTTP ${t.status}`);
  return await t.json();
}
async function z(e, t, n) {
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
const G = /^(–|-?\d+(\.\d+)?)( \(.+\))?$/;
function $(e, t, n, s) {
  if (!e) return;
  const a = document.createElement("tbody"), i = e.tHead?.rows[0]?.cells.length ?? 1;
  t.length === 0 && (t = [[n, ...Array(i - 1).fill("")]]), t.forEach((d, l) => {
    const p = a.insertRow();
    s && (p.className = s(l));
    for (const u of d) {
      const o = p.insertCell();
      o.textContent = u === null ? "–" : String(u), (typeof u == "number" || G.test(String(u))) && (o.className = "num");
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
function E(e, t, n = "") {
  const s = document.getElementById(e);
  s && (s.textContent = t, s.hidden = !t, s.className = n);
}
function K(e, t) {
  !e || !w(e) ? q("training-progress") : M("training-progress", e.phase_progress, 1, H(e));
  const n = e ? J(e, t) : { text: "", warn: !1 };
  E("training-status", n.text, n.warn ? "warn" : ""), E("training-phases", e && !w(e) ? X(e.phase_seconds) : "", "muted small");
}
function V(e) {
  if (!e)
    return q("rescore-progress"), !1;
  const t = `v${e.version}: ${e.scored} / ${e.n_clips} clips (${Math.round(e.progress * 100)} %)`;
  return M("rescore-progress", e.scored, e.n_clips, t), !0;
}
function Y(e) {
  const t = document.getElementById("eval-set");
  t && (t.textContent = W(e.learning_curve));
  const n = [...e.versions].reverse();
  $(
    document.querySelector("#versions-table"),
    Q(e.versions, e.learning_curve),
    "No model version yet.",
    (s) => n[s]?.is_active ? "active" : ""
  ), $(
    document.querySelector("#class-ap-table"),
    e.class_ap.classes.map((s) => [s.class, g(s.ap)]),
    "No active version yet."
  );
}
function Z(e) {
  const t = [...e].reverse();
  $(
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
function S(e) {
  const t = e.contentDocument?.documentElement, n = Number(t?.getAttribute("width")), s = Number(t?.getAttribute("height"));
  n > 0 && s > 0 && (e.style.aspectRatio = `${n} / ${s}`, e.style.maxWidth = `${n}px`, e.removeAttribute("height"));
}
function ee(e) {
  for (const t of e.querySelectorAll("object.chart-object")) {
    const n = new URL(t.data, window.location.href);
    n.searchParams.set("t", String(Date.now())), t.data = n.toString();
  }
}
function C(e) {
  return e ? `${e.id}:${e.status}` : "";
}
class te {
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
    this.training = t, this.message?.textContent && C(t) !== this.messageAbout && this.say("", t), this.update();
  }
  update() {
    const t = this.training, n = !!t && w(t);
    this.startButton && (this.startButton.disabled = n || this.sending, this.startButton.title = n ? "A training is under way." : "Train a new version on the labels so far, then rescore and sample."), this.cancelButton && (this.cancelButton.hidden = !n, this.cancelButton.disabled = !n || this.sending || !!t?.cancel_requested, this.cancelButton.textContent = t?.cancel_requested ? "Cancelling…" : "Cancel");
  }
  say(t, n, s = "") {
    this.message && (this.message.textContent = t, this.message.className = s, this.messageAbout = C(n));
  }
  async send(t, n) {
    this.sending = !0, this.update();
    try {
      return await z(t, this.root.dataset.csrfToken ?? "", n);
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
function ne(e) {
  const { modelUrl: t, roundsUrl: n } = e.dataset, s = Math.max(1e3, Number(e.dataset.pollMs) || 4e3), a = document.getElementById("progress-idle");
  let i = !1, d, l = 0;
  for (const r of e.querySelectorAll("object.chart-object"))
    r.addEventListener("load", () => S(r)), S(r);
  async function p() {
    if (n)
      try {
        Z((await v(n)).rounds);
      } catch (r) {
        $(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(r)}).`);
      }
  }
  const u = new te(e, () => {
    o();
  });
  async function o() {
    if (!t) return;
    window.clearTimeout(d);
    const r = ++l;
    let h = s;
    try {
      const f = await v(t);
      if (r !== l) return;
      K(f.training, f.generated_at), u.show(f.training);
      const A = !!f.training && w(f.training), y = V(f.rescoring) || A;
      Y(f), a && (a.hidden = y), a && !y && (a.textContent = "No training or rescoring is running."), i && !y && (ee(e), p()), i = y, y || (h = s * 3);
    } catch (f) {
      if (r !== l) return;
      a && (a.hidden = !1, a.textContent = `Could not refresh the progress (${String(f)}); retrying.`);
    }
    d = window.setTimeout(() => {
      o();
    }, document.hidden ? h * 4 : h);
  }
  o(), p();
  const m = document.getElementById("export-form");
  m instanceof HTMLFormElement && se(m);
}
function B(e, t) {
  if (e instanceof HTMLSelectElement)
    for (const [n, s] of t) e.append(new Option(s, n));
}
async function se(e) {
  const t = e.querySelector("#export-formats");
  try {
    const n = await v(e.getAttribute("data-options-url") ?? "");
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
k && ne(k);
const N = typeof document > "u" ? null : document.getElementById("embedding-choice");
N && j(N);
export {
  R as budgetText,
  W as evaluationSetText,
  g as fixed,
  b as formatSeconds,
  F as heartbeatAge,
  w as isUnfinished,
  H as phaseText,
  X as phasesText,
  J as statusText,
  Q as versionCells,
  _ as withInterval
};
