async function h(e) {
  const n = await fetch(e, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!n.ok) throw new Error(`${e}: HTTP ${n.status}`);
  return await n.json();
}
function m(e, n = 3) {
  return e == null ? "–" : e.toFixed(n);
}
function f(e, n, t, r) {
  if (!e) return;
  const i = document.createElement("tbody"), o = e.tHead?.rows[0]?.cells.length ?? 1;
  n.length === 0 && (n = [[t, ...Array(o - 1).fill("")]]), n.forEach((c, d) => {
    const a = i.insertRow();
    r && (a.className = r(d));
    for (const s of c) {
      const l = a.insertCell();
      l.textContent = s === null ? "–" : String(s), typeof s == "number" && (l.className = "num");
    }
  }), e.tBodies[0]?.replaceWith(i);
}
function y(e, n, t, r) {
  const i = document.getElementById(e);
  if (!i) return;
  i.hidden = !1;
  const o = i.querySelector("progress");
  o && (o.max = Math.max(t, 1), o.value = Math.min(n, o.max));
  const c = i.querySelector(".figure-text");
  c && (c.textContent = r);
}
function w(e) {
  const n = document.getElementById(e);
  n && (n.hidden = !0);
}
function b(e) {
  const n = e[0];
  if (!n)
    return w("training-progress"), !1;
  const t = n.n_epochs ? `epoch ${n.epoch} / ${n.n_epochs} (${Math.round(n.progress * 100)} %)` : "starting…";
  return y("training-progress", n.epoch, n.n_epochs, t), !0;
}
function x(e) {
  if (!e)
    return w("rescore-progress"), !1;
  const n = `v${e.version}: ${e.scored} / ${e.n_clips} clips (${Math.round(e.progress * 100)} %)`;
  return y("rescore-progress", e.scored, e.n_clips, n), !0;
}
function S(e) {
  const n = [...e.versions].reverse();
  f(
    document.querySelector("#versions-table"),
    n.map((t) => [
      t.name + (t.is_active ? " (active)" : ""),
      t.n_labels,
      m(t.det_ap),
      m(t.map),
      t.validation ? `${t.validation}${t.n_val ? ` (${t.n_val})` : ""}` : "–"
    ]),
    "No model version yet.",
    (t) => n[t]?.is_active ? "active" : ""
  ), f(
    document.querySelector("#class-ap-table"),
    e.class_ap.classes.map((t) => [t.class, m(t.ap)]),
    "No active version yet."
  );
}
function _(e) {
  const n = [...e].reverse();
  f(
    document.querySelector("#rounds-table"),
    n.map((t) => [
      t.round,
      t.cold_start ? `${t.strategy} (cold start)` : `${t.strategy}, v${t.model_version ?? "?"}`,
      t.picks,
      t.audit,
      t.labelled,
      Object.entries(t.reasons).map(([r, i]) => `${r} ${i}`).join(", ")
    ]),
    "No sampling round yet."
  );
}
function g(e) {
  const n = e.contentDocument?.documentElement, t = Number(n?.getAttribute("width")), r = Number(n?.getAttribute("height"));
  t > 0 && r > 0 && (e.style.aspectRatio = `${t} / ${r}`, e.style.maxWidth = `${t}px`, e.removeAttribute("height"));
}
function N(e) {
  for (const n of e.querySelectorAll("object.chart-object")) {
    const t = new URL(n.data, window.location.href);
    t.searchParams.set("t", String(Date.now())), n.data = t.toString();
  }
}
function E(e) {
  const { trainingUrl: n, modelUrl: t, roundsUrl: r } = e.dataset, i = Math.max(1e3, Number(e.dataset.pollMs) || 4e3), o = document.getElementById("progress-idle");
  let c = !1;
  for (const s of e.querySelectorAll("object.chart-object"))
    s.addEventListener("load", () => g(s)), g(s);
  async function d() {
    if (r)
      try {
        _((await h(r)).rounds);
      } catch (s) {
        f(document.querySelector("#rounds-table"), [], `Could not load the rounds (${String(s)}).`);
      }
  }
  async function a() {
    if (!(!n || !t)) {
      try {
        const [s, l] = await Promise.all([
          h(n),
          h(t)
        ]), $ = b(s.results), v = x(l.rescoring), u = $ || v;
        S(l), o && (o.hidden = u), o && !u && (o.textContent = "No training or rescoring is running."), c && !u && (N(e), d()), c = u;
      } catch (s) {
        o && (o.hidden = !1, o.textContent = `Could not refresh the progress (${String(s)}); retrying.`);
      }
      window.setTimeout(() => {
        a();
      }, document.hidden ? i * 4 : i);
    }
  }
  a(), d();
}
const p = document.getElementById("echoloop-dashboard");
p && E(p);
