class z extends Error {
  constructor(t, n, i, s = null) {
    super(i), this.status = t, this.body = n, this.retryAfterS = s;
  }
  status;
  body;
  retryAfterS;
}
const ct = 3;
function dt(e, t) {
  return !(e instanceof z) || e.status !== 429 && e.status !== 503 || t >= ct ? null : Math.min(10, Math.max(0.5, e.retryAfterS ?? 1)) * 1e3;
}
function ft(e, t) {
  return new Promise((n, i) => {
    if (t?.aborted) return i(t.reason);
    const s = setTimeout(n, e);
    t?.addEventListener("abort", () => {
      clearTimeout(s), i(t.reason);
    }, { once: !0 });
  });
}
function T(e, t = "") {
  return e == null ? [] : typeof e == "string" ? [t && t !== "detail" && t !== "non_field_errors" ? `${t}: ${e}` : e] : Array.isArray(e) ? e.flatMap(
    (n, i) => typeof n == "object" && n !== null ? T(n, `${t}[${i + 1}]`) : T(n, t)
  ) : typeof e == "object" ? Object.entries(e).filter(([n]) => n !== "current").flatMap(([n, i]) => T(i, t ? `${t}.${n}` : n)) : [String(e)];
}
function j(e) {
  const t = new URLSearchParams();
  for (const [n, i] of Object.entries(e))
    i != null && t.set(n, String(typeof i == "number" ? Number(i.toFixed(6)) : i));
  return t.toString();
}
function M(e, t) {
  const n = Number(e.get(t));
  if (e.get(t) === null || !Number.isFinite(n)) throw new z(0, null, `image response lacks ${t}`);
  return n;
}
class Gt {
  constructor(t, n) {
    this.base = t, this.csrfToken = n;
  }
  base;
  csrfToken;
  url(t) {
    return this.base.replace(/\/?$/, "/") + t;
  }
  async request(t, n, i, s) {
    const o = { Accept: "application/json" };
    t !== "GET" && (o["X-CSRFToken"] = this.csrfToken), i !== void 0 && (o["Content-Type"] = "application/json");
    let r;
    try {
      r = await fetch(this.url(n), {
        method: t,
        headers: o,
        credentials: "same-origin",
        body: i === void 0 ? void 0 : JSON.stringify(i),
        signal: s
      });
    } catch (a) {
      throw s?.aborted ? a : new z(0, null, `network error: ${a.message}`);
    }
    if (!r.ok) {
      const a = await r.text().catch(() => "");
      let h = a;
      try {
        h = JSON.parse(a);
      } catch {
      }
      const l = T(h).join("; ") || r.statusText, u = Number(r.headers.get("Retry-After") ?? NaN);
      throw new z(
        r.status,
        h,
        `HTTP ${r.status}${l ? `: ${l.slice(0, 300)}` : ""}`,
        Number.isFinite(u) ? u : null
      );
    }
    return r;
  }
  async project(t) {
    return (await this.request("GET", `projects/${t}/`)).json();
  }
  /** The next task, or null when the queue is empty (204). */
  async nextTask(t) {
    const n = await this.request("POST", `projects/${t}/tasks/next/`);
    return n.status === 204 ? null : n.json();
  }
  /** Extend the lease on a task you hold; 409 (an ApiError) when it is no longer yours. */
  async renew(t) {
    return (await this.request("POST", `tasks/${t}/renew/`)).json();
  }
  /** Skip the task, saying why (400 for an unknown reason, or "other" without a note). */
  async release(t, n) {
    await this.request("POST", `tasks/${t}/release/`, n);
  }
  async submit(t, n) {
    return (await this.request("POST", `tasks/${t}/submit/`, n)).json();
  }
  async predictions(t) {
    return (await this.request("GET", `clips/${t}/predictions/`)).json();
  }
  /** A view and its extent; asked again (up to IMAGE_RETRIES times, after Retry-After) when the
   * server answers 429 or 503: an uncached render waits for a free place instead of failing. */
  async image(t, n, i, s) {
    for (let o = 0; ; o++)
      try {
        return await this.imageOnce(t, n, i, s);
      } catch (r) {
        const a = dt(r, o);
        if (a === null || s?.aborted) throw r;
        await ft(a, s);
      }
  }
  async imageOnce(t, n, i, s) {
    const o = t === "scalogram" ? { ...i, scale: void 0, norm: void 0, window_s: void 0, overlap: void 0, window_type: void 0, sharpen: void 0 } : { ...i, w0: void 0 }, r = await this.request("GET", `recordings/${n}/${t}.png?${j(o)}`, void 0, s), a = r.headers, h = {
      start: M(a, "X-Extent-Start"),
      end: M(a, "X-Extent-End"),
      low: M(a, "X-Extent-Low"),
      high: M(a, "X-Extent-High")
    }, l = a.get("X-Freq-Scale"), u = l === "linear" || l === "mel" || l === "log" ? l : null, c = (a.get("X-Levels") ?? "").split(" ").map(Number), m = Number(a.get("X-Window") ?? NaN);
    return {
      bitmap: await createImageBitmap(await r.blob()),
      extent: h,
      scale: u,
      kind: t,
      levels: c.length === 2 && c.every(Number.isFinite) ? [c[0], c[1]] : null,
      windowS: Number.isFinite(m) ? m : null
    };
  }
  /** Any JSON endpoint under the API base (GET). */
  async json(t, n) {
    return (await this.request("GET", t, void 0, n)).json();
  }
  audioUrl(t, n) {
    return this.url(`recordings/${t}/audio.wav?${j(n)}`);
  }
}
function pt(e = null) {
  return { version: e, tags: [], no_calls: !1, noise: !1, uncertain: !1, notes: "", events: [] };
}
function Vt(e) {
  return e ? {
    version: e.version,
    tags: [...e.tags],
    no_calls: e.no_calls,
    noise: e.noise,
    uncertain: e.uncertain,
    notes: e.notes ?? "",
    events: e.events.map(({ start_s: t, end_s: n, low_hz: i, high_hz: s, tag: o, confidence: r, notes: a }) => ({
      start_s: t,
      end_s: n,
      low_hz: i,
      high_hz: s,
      tag: o,
      confidence: r,
      notes: a ?? ""
    }))
  } : pt();
}
function $(e) {
  const t = (n, i) => Number(n.toFixed(i));
  return {
    ...e,
    start_s: t(e.start_s, 6),
    end_s: t(e.end_s, 6),
    low_hz: e.low_hz === null ? null : t(e.low_hz, 1),
    high_hz: e.high_hz === null ? null : t(e.high_hz, 1)
  };
}
function Jt(e, t) {
  return { ...e, events: [...e.events, $(t)] };
}
function I(e, t, n) {
  const i = e.events.map((s, o) => o === t ? $({ ...s, ...n }) : s);
  return { ...e, events: i };
}
function Ut(e, t) {
  return { ...e, events: e.events.filter((n, i) => i !== t) };
}
function Yt(e, t) {
  const n = e.tags.includes(t) ? e.tags.filter((i) => i !== t) : [...e.tags, t];
  return { ...e, tags: n };
}
function C(e) {
  return [...new Set(e.events.map((t) => t.tag).filter((t) => t !== null))];
}
function S(e, t) {
  const n = new Set(e);
  return n.size === new Set(t).size && t.every((i) => n.has(i));
}
function Qt(e, t) {
  if (!S(t.tags, e.tags) || !S(e.tags, C(e))) return t;
  const n = C(t);
  return S(n, t.tags) ? t : { ...t, tags: n };
}
function te(e) {
  return S(e.tags, C(e));
}
function ee(e, t) {
  return { ...e, [t]: !e[t] };
}
function ne(e, t) {
  return { ...e, notes: t };
}
function b(e) {
  const t = $(e);
  return JSON.stringify([t.start_s, t.end_s, t.low_hz, t.high_hz, t.tag, t.confidence, t.notes]);
}
function ie(e, t) {
  const n = (i) => [...i].sort().join("|");
  return e.no_calls === t.no_calls && e.noise === t.noise && e.uncertain === t.uncertain && e.notes === t.notes && n(e.tags.map(String)) === n(t.tags.map(String)) && n(e.events.map(b)) === n(t.events.map(b));
}
function se(e, t) {
  const n = new Set(t.events.map(b)), i = [...t.events, ...e.events.filter((o) => !n.has(b(o)))], s = e.notes === t.notes || !e.notes ? t.notes : t.notes ? `${t.notes}
---
${e.notes}` : e.notes;
  return {
    version: t.version,
    tags: [.../* @__PURE__ */ new Set([...t.tags, ...e.tags])],
    no_calls: (e.no_calls || t.no_calls) && i.length === 0,
    noise: e.noise || t.noise,
    uncertain: e.uncertain || t.uncertain,
    notes: s,
    events: i
  };
}
function mt(e, t) {
  const n = t === "box" && e.low_hz !== null && e.high_hz !== null;
  return $({
    start_s: e.start_s,
    end_s: e.end_s,
    low_hz: n ? e.low_hz : null,
    high_hz: n ? e.high_hz : null,
    tag: e.tag,
    confidence: null,
    notes: ""
  });
}
function oe(e, t, n) {
  const i = b(mt(t, n));
  return e.events.some((s) => b({ ...s, confidence: null, notes: "" }) === i);
}
function re(e) {
  const t = [];
  e.no_calls && e.events.length > 0 && t.push(`"No calls" is set but there are ${e.events.length} boxes`);
  const n = e.events.filter((i) => i.tag === null).length;
  return n && t.push(`${n} box${n > 1 ? "es have" : " has"} no tag`), t;
}
function wt(e) {
  return 2595 * Math.log10(1 + e / 700);
}
function gt(e) {
  return 700 * (Math.pow(10, e / 2595) - 1);
}
const yt = 1;
function d(e, t) {
  return e === "mel" ? wt(t) : e === "log" ? Math.log(Math.max(t, yt)) : t;
}
function w(e, t) {
  return e === "mel" ? gt(t) : e === "log" ? Math.exp(t) : t;
}
function p(e, t, n) {
  return (e - t.start) / (t.end - t.start) * n.width;
}
function g(e, t, n) {
  return t.start + e / n.width * (t.end - t.start);
}
function x(e, t, n, i) {
  const s = d(i, t.low), o = d(i, t.high);
  return (o - d(i, e)) / (o - s) * n.height;
}
function y(e, t, n, i) {
  const s = d(i, t.low), o = d(i, t.high);
  return w(i, o - e / n.height * (o - s));
}
function vt(e, t, n, i) {
  const s = p(e.start, t, n), o = p(e.end, t, n), r = x(e.high, t, n, i), a = x(e.low, t, n, i);
  return { x: s, y: r, w: o - s, h: a - r };
}
function bt(e, t, n, i, s) {
  const o = vt(e, n, i, s), r = Math.max(0, o.x), a = Math.max(0, o.y), h = Math.min(i.width, o.x + o.w), l = Math.min(i.height, o.y + o.h);
  if (h <= r || l <= a) return null;
  const u = t.width / o.w, c = t.height / o.h;
  return {
    src: { x: (r - o.x) * u, y: (a - o.y) * c, w: (h - r) * u, h: (l - a) * c },
    dst: { x: r, y: a, w: h - r, h: l - a }
  };
}
function L(e) {
  const t = e.end - e.start;
  return { bounds: e, minDuration: Math.max(2e-3, t / 2e3), minFreqFraction: 1 / 200 };
}
function N(e, t, n, i) {
  const s = Math.min(t - e, i - n);
  let o = Math.min(Math.max(e, n), i - s);
  return o = Math.max(o, n), [o, o + s];
}
function et(e, t, n, i, s, o, r) {
  const a = Math.min(Math.max((t - e) / n, s), r - o), h = (i - e) / (t - e);
  return N(i - h * a, i - h * a + a, o, r);
}
function D(e, t, n, i) {
  const { bounds: s } = i, [o, r] = et(e.start, e.end, t, n, i.minDuration, s.start, s.end);
  return { ...e, start: o, end: r };
}
function W(e, t, n, i, s) {
  const o = d(s, i.bounds.low), r = d(s, i.bounds.high), a = (r - o) * i.minFreqFraction, h = (c) => d(s, c), [l, u] = et(h(e.low), h(e.high), t, h(n), a, o, r);
  return { ...e, low: w(s, l), high: w(s, u) };
}
function kt(e, t, n, i, s, o) {
  const { bounds: r } = s, a = t / i.width * (e.end - e.start), [h, l] = N(e.start - a, e.end - a, r.start, r.end);
  if (n === 0) return { ...e, start: h, end: l };
  const u = d(o, e.low), c = d(o, e.high), m = n / i.height * (c - u), [k, K] = N(u + m, c + m, d(o, r.low), d(o, r.high));
  return { start: h, end: l, low: w(o, k), high: w(o, K) };
}
function v(e, t, n) {
  return Math.min(Math.max(e, t), n);
}
function f(e) {
  return e.low_hz === null || e.high_hz === null;
}
function E(e, t) {
  const n = p(e.start_s, t.view, t.size), i = p(e.end_s, t.view, t.size);
  if (f(e)) return { x: n, y: 0, w: i - n, h: t.size.height };
  const s = x(e.high_hz, t.view, t.size, t.scale), o = x(e.low_hz, t.view, t.size, t.scale);
  return { x: n, y: s, w: i - n, h: o - s };
}
function nt(e, t, n = 0) {
  return t.x >= e.x - n && t.x <= e.x + e.w + n && t.y >= e.y - n && t.y <= e.y + e.h + n;
}
function _t(e, t, n, i) {
  if (!nt(e, t, n)) return null;
  const s = Math.abs(t.x - e.x) <= n, o = Math.abs(t.x - (e.x + e.w)) <= n;
  if (i) return s ? "w" : o ? "e" : null;
  const r = Math.abs(t.y - e.y) <= n, a = Math.abs(t.y - (e.y + e.h)) <= n;
  return (r ? "n" : a ? "s" : "") + (s ? "w" : o ? "e" : "") || null;
}
function F(e, t, n, i, s = 5) {
  if (i !== null && e[i]) {
    const a = _t(E(e[i], n), t, s, f(e[i]));
    if (a) return { kind: "handle", index: i, handle: a };
  }
  let o = null, r = 1 / 0;
  for (let a = 0; a < e.length; a++) {
    const h = E(e[a], n), l = Math.abs(h.w * h.h);
    nt(h, t, 2) && l < r && (o = { kind: "inside", index: a }, r = l);
  }
  return o;
}
function it(e, t) {
  const [n, i] = [Math.min(e.start_s, e.end_s), Math.max(e.start_s, e.end_s)], s = { ...e, start_s: v(n, t.start, t.end), end_s: v(i, t.start, t.end) };
  if (f(e)) return { ...s, low_hz: null, high_hz: null };
  const o = Math.min(e.low_hz, e.high_hz), r = Math.max(e.low_hz, e.high_hz);
  return { ...s, low_hz: v(o, t.low, t.high), high_hz: v(r, t.low, t.high) };
}
function H(e, t, n, i, s) {
  const o = {
    start_s: g(e.x, n.view, n.size),
    end_s: g(t.x, n.view, n.size),
    low_hz: i ? null : y(t.y, n.view, n.size, n.scale),
    high_hz: i ? null : y(e.y, n.view, n.size, n.scale)
  };
  return it(o, s);
}
function X(e, t, n, i = 3) {
  return Math.abs(e.x - t.x) >= i && (n || Math.abs(e.y - t.y) >= i);
}
function xt(e, t, n, i, s) {
  const o = g(n.x, i.view, i.size) - g(t.x, i.view, i.size), r = e.end_s - e.start_s, a = v(e.start_s + o, s.start, s.end - r), h = { ...e, start_s: a, end_s: a + r };
  if (f(e)) return h;
  const l = (K) => d(i.scale, K), u = l(y(n.y, i.view, i.size, i.scale)) - l(y(t.y, i.view, i.size, i.scale)), c = l(e.low_hz), m = l(e.high_hz), k = v(u, l(s.low) - c, l(s.high) - m);
  return { ...h, low_hz: w(i.scale, c + k), high_hz: w(i.scale, m + k) };
}
function Mt(e, t, n, i, s) {
  const o = g(n.x, i.view, i.size), r = y(n.y, i.view, i.size, i.scale), a = { ...e };
  return t.includes("w") && (a.start_s = o), t.includes("e") && (a.end_s = o), f(e) || (t.includes("n") && (a.high_hz = r), t.includes("s") && (a.low_hz = r)), it(a, s);
}
function Tt(e) {
  return e.length === 2 ? `${e}-resize` : e === "n" || e === "s" ? "ns-resize" : "ew-resize";
}
function _(e, t = {}, ...n) {
  const i = document.createElement(e);
  for (const [s, o] of Object.entries(t))
    o == null || o === !1 || (typeof o == "function" ? i.addEventListener(s.replace(/^on/, ""), o) : o === !0 ? i.setAttribute(s, "") : i.setAttribute(s, String(o)));
  for (const s of n) s != null && s !== !1 && i.append(s);
  return i;
}
function ae(e) {
  return e instanceof HTMLElement ? e instanceof HTMLTextAreaElement || e.isContentEditable ? "text" : e instanceof HTMLSelectElement ? "line" : e instanceof HTMLInputElement ? ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(e.type) ? null : "line" : null : null;
}
function le(e, t) {
  document.activeElement !== e && e.value !== t && (e.value = t);
}
function St(e, t, n, i = "") {
  return _("button", { type: "button", title: t, class: i, onclick: (s) => (n(), s.currentTarget.blur()) }, e);
}
function he() {
  const e = document.getElementById("echoloop-config");
  try {
    return e?.textContent ? JSON.parse(e.textContent) : {};
  } catch {
    return {};
  }
}
function ue(e, t, n, i) {
  e.replaceChildren(
    _("strong", {}, t),
    _("ul", {}, ...n.map((s) => _("li", {}, s))),
    _("div", { class: "el-row" }, ...i.map((s) => St(s.label, s.label, () => (e.hidden = !0, s.run()))))
  ), e.hidden = !1;
}
const P = {
  s: { type: "toggleView" },
  n: { type: "noCalls" },
  x: { type: "noise" },
  u: { type: "uncertain" },
  k: { type: "skip" },
  p: { type: "togglePredictions" },
  a: { type: "acceptPrediction" },
  h: { type: "panMode" },
  e: { type: "cycleExpansion" }
}, q = {
  Enter: { type: "submit" },
  " ": { type: "play" },
  Delete: { type: "delete" },
  Backspace: { type: "delete" },
  Escape: { type: "escape" },
  "+": { type: "zoomIn" },
  "=": { type: "zoomIn" },
  "-": { type: "zoomOut" },
  _: { type: "zoomOut" },
  0: { type: "resetZoom" },
  "?": { type: "help" },
  "[": { type: "window", step: -1 },
  "]": { type: "window", step: 1 },
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 }
}, zt = /* @__PURE__ */ new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]), st = /* @__PURE__ */ new Set([...Object.keys(P), ...Object.keys(q)]);
function ce(e, t) {
  const n = Et(e, t);
  return n && e.repeat && !zt.has(n.type) ? null : n;
}
function Et(e, t) {
  const n = e.ctrlKey || e.metaKey;
  if (t.typing)
    return e.key === "Escape" ? { type: "blur" } : n && e.key === "Enter" ? { type: "submit" } : e.key === "Enter" && !t.multiline && !e.shiftKey && !e.altKey ? { type: "blur" } : null;
  if (n) return At(e);
  if (e.altKey) return null;
  if (e.key === "Tab") return { type: e.shiftKey ? "selectPrev" : "selectNext" };
  const i = ot(e);
  if (i !== null && i > 0) {
    const r = t.tags[i - 1];
    return r ? { type: "tag", tagId: r.id } : null;
  }
  if (e.key in q) return q[e.key];
  const s = e.key.length === 1 ? e.key.toLowerCase() : "";
  if (s === "a" && e.shiftKey) return { type: "acceptAllPredictions" };
  if (s === "r" && e.shiftKey) return { type: "cycleSharpen" };
  if (s === "l" && e.shiftKey) return { type: "autoLevels" };
  if (s in P) return P[s];
  const o = s ? t.tags.find((r) => (r.hotkey ?? "").toLowerCase() === s) : void 0;
  return o ? { type: "tag", tagId: o.id } : null;
}
function At(e) {
  if (e.altKey) return null;
  const t = e.key.toLowerCase();
  return t === "z" ? { type: e.shiftKey ? "redo" : "undo" } : t === "y" ? { type: "redo" } : e.key === "Enter" ? { type: "submit" } : null;
}
function ot(e) {
  if (/^[0-9]$/.test(e.key)) return Number(e.key);
  const t = /^Digit([0-9])$/.exec(e.code ?? "");
  return t && !e.shiftKey ? Number(t[1]) : null;
}
function de(e) {
  return new Set(e.filter((t) => t.hotkey && st.has(t.hotkey.toLowerCase())).map((t) => t.id));
}
function fe(e, t) {
  const n = [];
  t < 9 && n.push(String(t + 1));
  const i = (e[t].hotkey ?? "").toLowerCase();
  return i && !st.has(i) && !/^[0-9]$/.test(i) && n.push(i), n.join(" ");
}
const rt = [
  { value: "cant_tell", label: "can't tell", key: "1" },
  { value: "broken_audio", label: "broken audio", key: "2" },
  { value: "other", label: "other (say why)", key: "3" }
];
function pe(e, t) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return null;
  if (e.key === "Escape") return { type: "cancel" };
  if (e.key === "Enter") return { type: "confirm" };
  if (t) return null;
  const n = ot(e), i = rt.find((s) => Number(s.key) === n);
  return i ? { type: "choose", reason: i.value } : null;
}
function me(e) {
  return e.reason === "other" ? e.note : rt.find((t) => t.value === e.reason)?.label ?? e.reason;
}
function we(e, t) {
  return e ? e === "other" && !t.trim() ? "Say in a few words why you skip it." : { reason: e, note: t.trim() } : "Choose a reason: 1, 2 or 3.";
}
const ge = [
  ["drag", "draw a box (on empty area); drag a box to move, its handles to resize"],
  ["Shift+drag", "draw a box even on top of another one"],
  ["1–9, tag letters", "set the selected box's tag, or the tag of the next box"],
  ["Tab / Shift+Tab", "select next / previous box"],
  ["Delete, Backspace", "delete the selected box"],
  ["Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y", "undo / redo"],
  ["Enter", "submit and open the next clip"],
  ["k", "skip: say why (1 can't tell, 2 broken audio, 3 other), Enter; the clip goes to the end of your queue"],
  ["n / x / u", "no calls / noise / uncertain"],
  ["Space", "play or pause the view (or the selected box)"],
  ["e", "cycle playback slow-down 1×, 5×, 10×, 20×"],
  ["s", "spectrogram / scalogram"],
  ["[ / ]", "shorter / longer STFT window (the window select has auto)"],
  ["Shift+R / Shift+L", "cycle sharpening (plain, reassigned, multitaper) / automatic levels on or off"],
  ["+ / − / 0", "zoom time in / out / reset"],
  ["wheel, Ctrl+wheel, Shift+wheel", "pan time, zoom time, zoom frequency"],
  ["middle drag, h", "pan; h toggles pan mode for the left button"],
  ["arrows", "pan"],
  ["p / a / Shift+A", "show predictions / accept selected / accept all above threshold"],
  ["Escape", "deselect, cancel, leave a text field"],
  ["?", "this help"]
], ye = [1, 5, 10, 20], $t = 3e3;
function Kt(e, t, n) {
  return e + t / n;
}
function ve(e, t) {
  return e / t >= $t;
}
class be {
  constructor(t, n) {
    this.onTick = t, this.onState = n;
  }
  onTick;
  onState;
  audio = null;
  segment = null;
  frame = 0;
  get playing() {
    return !!this.audio && !this.audio.paused && !this.audio.ended;
  }
  /** Play `seg`, resuming where it paused if it is the segment already loaded. */
  play(t) {
    (!this.audio || !this.segment || this.segment.url !== t.url || this.audio.ended) && this.load(t), this.audio.play().then(
      () => {
        this.onState("playing"), this.loop();
      },
      (i) => {
        i.name !== "AbortError" && this.onState("error", `playback failed: ${i.message}`);
      }
    );
  }
  pause() {
    this.audio && (this.audio.pause(), cancelAnimationFrame(this.frame), this.onState("paused"));
  }
  stop() {
    cancelAnimationFrame(this.frame), this.audio && (this.audio.pause(), this.audio.removeAttribute("src"), this.audio.load()), this.audio = null, this.segment = null, this.onTick(null), this.onState("stopped");
  }
  load(t) {
    this.stop();
    const n = new Audio();
    n.preload = "auto", n.src = t.url, n.addEventListener("ended", () => this.stop()), n.addEventListener("error", () => {
      const i = n.error;
      this.audio === n && this.onState("error", `audio error${i ? ` ${i.code}: ${i.message}` : ""}`);
    }), this.audio = n, this.segment = t;
  }
  loop = () => {
    const { audio: t, segment: n } = this;
    !t || !n || t.paused || (this.onTick(Math.min(n.end, Kt(n.start, t.currentTime, n.expansion))), this.frame = requestAnimationFrame(this.loop));
  };
}
class ke {
  constructor(t, n) {
    this.canvas = t, this.host = n, t.addEventListener("pointerdown", (i) => this.down(i)), t.addEventListener("pointermove", (i) => this.move(i)), t.addEventListener("pointerup", (i) => this.up(i)), t.addEventListener("pointercancel", () => this.cancel()), t.addEventListener("pointerleave", () => this.host.setCursor(null)), t.addEventListener("wheel", (i) => this.wheel(i), { passive: !1 }), t.addEventListener("auxclick", (i) => i.preventDefault()), t.addEventListener("contextmenu", (i) => i.preventDefault());
  }
  canvas;
  host;
  drag = null;
  get active() {
    return this.drag !== null;
  }
  /** Abandon the gesture in progress (Escape), restoring the draft it started from. */
  cancel() {
    const t = this.drag;
    return t ? ((t.kind === "move" || t.kind === "resize") && this.host.preview(t.before), t.kind === "draw" && this.host.setDrawing(null), this.drag = null, !0) : !1;
  }
  point(t) {
    const n = this.canvas.getBoundingClientRect();
    return { x: t.clientX - n.left, y: t.clientY - n.top };
  }
  down(t) {
    if (t.button !== 0 && t.button !== 1) return;
    t.preventDefault(), this.canvas.focus({ preventScroll: !0 }), this.canvas.setPointerCapture(t.pointerId);
    const n = this.point(t);
    if (t.button === 1 || this.host.panMode()) {
      this.drag = { kind: "pan", last: n }, this.canvas.style.cursor = "grabbing";
      return;
    }
    const i = this.host, s = i.draft(), o = t.shiftKey ? null : F(s.events, n, i.geometry(), i.selected());
    if (o && o.kind === "handle" && i.canEdit())
      this.drag = { kind: "resize", index: o.index, handle: o.handle, orig: s.events[o.index], before: s };
    else if (o)
      i.select(o.index), i.canEdit() && (this.drag = { kind: "move", index: o.index, from: n, orig: s.events[o.index], before: s, moved: !1 });
    else {
      const r = i.visiblePredictions(), a = F(r.map((l) => l.p), n, i.geometry(), null);
      i.select(null), i.selectPrediction(null);
      const h = a ? r[a.index].index : null;
      i.canEdit() ? this.drag = { kind: "draw", from: n, prediction: h } : h !== null && i.selectPrediction(h);
    }
  }
  move(t) {
    const n = this.point(t), i = this.host;
    i.setCursor(n);
    const s = this.drag;
    if (!s) {
      this.hover(n);
      return;
    }
    const o = i.geometry();
    s.kind === "pan" ? (i.pan(n.x - s.last.x, n.y - s.last.y), s.last = n) : s.kind === "draw" ? i.setDrawing(X(s.from, n, i.interval()) ? H(s.from, n, o, i.interval(), i.boxBounds()) : null) : s.kind === "move" ? (s.moved ||= Math.abs(n.x - s.from.x) + Math.abs(n.y - s.from.y) >= 2, s.moved && i.preview(I(s.before, s.index, xt(s.orig, s.from, n, o, i.boxBounds())))) : i.preview(I(s.before, s.index, Mt(s.orig, s.handle, n, o, i.boxBounds())));
  }
  up(t) {
    const n = this.drag;
    if (this.drag = null, this.canvas.style.cursor = "", !n) return;
    const i = this.point(t), s = this.host;
    if (n.kind === "draw")
      s.setDrawing(null), X(n.from, i, s.interval()) ? s.addBox(H(n.from, i, s.geometry(), s.interval(), s.boxBounds())) : n.prediction !== null && s.selectPrediction(n.prediction);
    else if (n.kind === "move" || n.kind === "resize") {
      const o = s.draft();
      o !== n.before && (n.kind === "resize" || n.moved) && s.commit(o, n.before);
    }
  }
  hover(t) {
    const n = this.host;
    if (n.panMode()) {
      this.canvas.style.cursor = "grab";
      return;
    }
    const i = F(n.draft().events, t, n.geometry(), n.selected());
    this.canvas.style.cursor = i ? i.kind === "handle" ? Tt(i.handle) : "move" : "crosshair";
  }
  wheel(t) {
    t.preventDefault();
    const n = t.deltaMode === 1 ? 16 : t.deltaMode === 2 ? 400 : 1, i = this.point(t), s = (t.deltaY || t.deltaX) * n;
    t.ctrlKey || t.metaKey ? this.host.zoomTime(Math.exp(-s * 2e-3), i) : t.shiftKey ? this.host.zoomFreq(Math.exp(-s * 2e-3), i) : this.host.pan(-s, 0);
  }
}
function B(e) {
  const t = Math.pow(10, Math.floor(Math.log10(e)));
  for (const n of [1, 2, 5, 10]) if (n * t >= e * (1 - 1e-9)) return n * t;
  return 10 * t;
}
function at(e) {
  return Math.max(0, Math.ceil(-Math.log10(e) - 1e-9));
}
function Lt(e, t) {
  return `${e.toFixed(at(t))} s`;
}
function Z(e) {
  const t = Math.abs(e);
  return t < 1 ? `${(e * 1e3).toFixed(t < 0.01 ? 2 : 1)} ms` : `${e.toFixed(3)} s`;
}
function Dt(e, t) {
  return `${Number((e / 1e3).toFixed(at(t / 1e3)))} kHz`;
}
function lt(e, t, n) {
  const i = [], s = Math.ceil(e / n - 1e-9);
  for (let o = s; o * n <= t + n * 1e-9; o++) i.push(Number((o * n).toPrecision(12)));
  return i;
}
function Ft(e, t, n = 90) {
  const i = e.end - e.start;
  if (!(i > 0) || t <= 0) return [];
  const s = B(i * n / t), o = { width: t };
  return lt(e.start, e.end, s).map((r) => ({
    value: r,
    pos: p(r, e, o),
    label: Lt(r, s)
  }));
}
function Ot(e, t, n, i = 26) {
  const s = e.high - e.low;
  if (!(s > 0) || t <= 0) return [];
  const o = { height: t }, r = B(s * i / t / (n === "linear" ? 1 : 4)), a = lt(e.low, e.high, r).map((l) => ({
    value: l,
    pos: x(l, e, o, n),
    label: "",
    rank: Ct(l, r)
  }));
  a.sort((l, u) => u.rank - l.rank || l.value - u.value);
  const h = [];
  for (const l of a) h.every((u) => Math.abs(u.pos - l.pos) >= i) && h.push(l);
  return h.sort((l, u) => u.pos - l.pos).map(({ value: l, pos: u }) => ({ value: l, pos: u, label: Dt(l, r) }));
}
function Ct(e, t) {
  let n = 0, i = t;
  for (let s = 0; s < 12 && (i = B(i * 1.5), !(Math.abs(e / i - Math.round(e / i)) > 1e-6)); s++)
    n++;
  return n;
}
const G = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"], V = "#ffffff";
function R(e, t) {
  if (t === null) return V;
  const n = e.findIndex((i) => i.id === t);
  return n < 0 ? V : e[n].color || G[n % G.length];
}
function J(e, t) {
  if (t === null) return "no tag";
  const n = e.find((i) => i.id === t);
  return n ? n.display_name || n.value : `tag ${t}`;
}
function O(e, t) {
  const n = window.devicePixelRatio || 1, i = Math.round(t.width * n), s = Math.round(t.height * n);
  (e.width !== i || e.height !== s) && (e.width = i, e.height = s);
  const o = e.getContext("2d");
  return o.setTransform(n, 0, 0, n, 0, 0), o;
}
function Nt(e, t) {
  const { width: n, height: i } = t.size, s = { view: t.view, size: t.size, scale: t.scale };
  e.fillStyle = "#000", e.fillRect(0, 0, n, i), e.imageSmoothingEnabled = !0;
  for (const r of t.images) {
    const a = bt(r.extent, r.bitmap, t.view, t.size, t.scale);
    a && e.drawImage(r.bitmap, a.src.x, a.src.y, a.src.w, a.src.h, a.dst.x, a.dst.y, a.dst.w, a.dst.h);
  }
  Pt(e, t);
  const o = [];
  t.predictions.forEach((r, a) => Rt(e, r, s, t, a === t.selectedPrediction, o)), t.events.forEach((r, a) => U(e, r, s, R(t.tags, r.tag), J(t.tags, r.tag), a === t.selected)), t.drawing && U(e, t.drawing, s, R(t.tags, t.drawing.tag), J(t.tags, t.drawing.tag), !0, !0), t.playhead !== null && Bt(e, p(t.playhead, t.view, t.size), i), t.cursor && jt(e, t.cursor, t.size);
}
function Pt(e, t) {
  const n = p(t.clip.start, t.view, t.size), i = p(t.clip.end, t.view, t.size), { width: s, height: o } = t.size;
  e.fillStyle = "rgba(0, 0, 0, 0.5)", n > 0 && e.fillRect(0, 0, Math.min(n, s), o), i < s && e.fillRect(Math.max(i, 0), 0, s - Math.max(i, 0), o), e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.8)", e.setLineDash([6, 4]), e.lineWidth = 1;
  for (const r of [n, i])
    r < 0 || r > s || (e.beginPath(), e.moveTo(Math.round(r) + 0.5, 0), e.lineTo(Math.round(r) + 0.5, o), e.stroke());
  e.restore();
}
function ht(e, t, n, i, s, o = !1, r) {
  e.font = `${o ? "italic " : ""}12px system-ui, sans-serif`;
  const a = e.measureText(t).width + 6, h = Math.max(0, n), l = Math.max(0, i - 16);
  if (r) {
    if (r.some((u) => h < u.x + u.w && u.x < h + a && l < u.y + u.h && u.y < l + 16)) return;
    r.push({ x: h, y: l, w: a, h: 16 });
  }
  e.fillStyle = "rgba(0, 0, 0, 0.7)", e.fillRect(h, l, a, 16), e.fillStyle = s, e.textBaseline = "middle", e.fillText(t, h + 3, l + 8);
}
function U(e, t, n, i, s, o, r = !1) {
  const a = E(t, n);
  e.save(), e.fillStyle = i, e.globalAlpha = f(t) ? 0.18 : 0.1, e.fillRect(a.x, a.y, a.w, a.h), e.globalAlpha = 1, e.strokeStyle = i, e.lineWidth = o ? 2.5 : 1.5, r && e.setLineDash([4, 3]), e.strokeRect(a.x, a.y, a.w, a.h), e.setLineDash([]), ht(e, s, a.x, f(t) ? 18 : a.y, i), o && !r && qt(e, a, f(t), i), e.restore();
}
function qt(e, t, n, i) {
  const s = [t.x, t.x + t.w / 2, t.x + t.w], o = n ? [t.y + t.h / 2] : [t.y, t.y + t.h / 2, t.y + t.h];
  e.fillStyle = "#fff", e.strokeStyle = i, e.lineWidth = 1;
  for (const r of s)
    for (const a of o)
      r === s[1] && (n || a === o[1]) || (e.fillRect(r - 3.5, a - 3.5, 7, 7), e.strokeRect(r - 3.5, a - 3.5, 7, 7));
}
function Rt(e, t, n, i, s, o) {
  const r = E(t, n), a = R(i.tags, t.tag);
  e.save(), e.strokeStyle = a, e.lineWidth = s ? 2.5 : 1.25, e.setLineDash([5, 4]), e.strokeRect(r.x, r.y, r.w, r.h), e.restore(), ht(e, `${t.label} ${t.score.toFixed(2)}`, r.x, f(t) ? 36 : r.y + r.h + 16, a, !0, s ? void 0 : o);
}
function Bt(e, t, n) {
  e.save(), e.strokeStyle = "#ffeb3b", e.lineWidth = 2, e.beginPath(), e.moveTo(t, 0), e.lineTo(t, n), e.stroke(), e.restore();
}
function jt(e, t, n) {
  e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.45)", e.lineWidth = 1, e.beginPath(), e.moveTo(0, Math.round(t.y) + 0.5), e.lineTo(n.width, Math.round(t.y) + 0.5), e.moveTo(Math.round(t.x) + 0.5, 0), e.lineTo(Math.round(t.x) + 0.5, n.height), e.stroke(), e.restore();
}
const ut = "11px system-ui, sans-serif", A = "#cfd8dc";
function It(e, t, n, i) {
  e.clearRect(0, 0, n.width, n.height), e.strokeStyle = A, e.fillStyle = A, e.font = ut, e.textAlign = "center", e.textBaseline = "top", e.lineWidth = 1;
  for (const s of Ft(t, n.width)) {
    const o = Math.round(s.pos) + 0.5;
    e.beginPath(), e.moveTo(o, 0), e.lineTo(o, 5), e.stroke(), e.fillText(s.label, Math.min(Math.max(s.pos, 24), n.width - 24), 7);
  }
  e.fillStyle = "#ffffff";
  for (const s of [i.start, i.end]) {
    const o = p(s, t, n);
    o < 0 || o > n.width || (e.beginPath(), e.moveTo(o - 4, 0), e.lineTo(o + 4, 0), e.lineTo(o, 5), e.fill());
  }
}
function Wt(e, t, n, i) {
  e.clearRect(0, 0, n.width, n.height), e.strokeStyle = A, e.fillStyle = A, e.font = ut, e.textAlign = "right", e.textBaseline = "middle";
  for (const s of Ot(t, n.height, i)) {
    const o = Math.round(s.pos) + 0.5;
    e.beginPath(), e.moveTo(n.width - 5, o), e.lineTo(n.width, o), e.stroke(), e.fillText(s.label, n.width - 7, Math.min(Math.max(s.pos, 7), n.height - 7));
  }
}
function _e(e = 300) {
  return { past: [], future: [], lastKey: null, limit: e };
}
function xe(e, t, n = null) {
  if (n !== null && n === e.lastKey && e.past.length > 0)
    return { ...e, future: [] };
  const i = [...e.past, t].slice(-e.limit);
  return { ...e, past: i, future: [], lastKey: n };
}
function Me(e, t) {
  return e.past.length === 0 ? null : {
    state: e.past[e.past.length - 1],
    stack: { ...e, past: e.past.slice(0, -1), future: [t, ...e.future], lastKey: null }
  };
}
function Te(e, t) {
  if (e.future.length === 0) return null;
  const [n, ...i] = e.future;
  return {
    state: n,
    stack: { ...e, past: [...e.past, t].slice(-e.limit), future: i, lastKey: null }
  };
}
const Ht = 12;
class Xt {
  constructor(t, n, i) {
    this.api = t, this.onChange = n, this.onError = i;
  }
  api;
  onChange;
  onError;
  base = null;
  detail = null;
  cache = /* @__PURE__ */ new Map();
  baseKey = "";
  detailKey = "";
  shownDetailKey = "";
  detailTimer;
  detailAbort = null;
  /** Forget everything (a new task). */
  clear() {
    this.cancelDetail(), this.cache.clear(), this.base = null, this.detail = null, this.baseKey = "", this.shownDetailKey = "";
  }
  /** Show the base image for `req`; resolves with it, or null when a newer request won. Throws if it failed. */
  async showBase(t) {
    const n = JSON.stringify(t);
    this.baseKey = n;
    let i;
    try {
      i = await this.get(t);
    } catch (s) {
      if (this.baseKey !== n) return null;
      throw this.onError(`image failed: ${s.message}`), s;
    }
    return this.baseKey !== n ? null : (this.base = i, this.detail && this.detail.kind !== t.kind && (this.detail = null), this.onChange(), i);
  }
  /** Warm the cache (e.g. the other view kind), ignoring failures. */
  prefetch(t) {
    this.get(t).catch(() => {
    });
  }
  /** Ask for a detail image after `delayMs` of quiet; null drops the detail image. */
  requestDetail(t, n = 250) {
    if (this.cancelDetail(), !t) {
      this.detail && (this.detail = null, this.shownDetailKey = "", this.onChange());
      return;
    }
    const i = JSON.stringify(t);
    i === this.shownDetailKey && this.detail || (this.detailTimer = setTimeout(() => this.loadDetail(t, i), n));
  }
  async loadDetail(t, n) {
    this.detailKey = n;
    const i = new AbortController();
    this.detailAbort = i;
    try {
      const s = await this.get(t, i.signal);
      if (this.detailKey !== n || i.signal.aborted) return;
      this.detail = s, this.shownDetailKey = n, this.onChange();
    } catch (s) {
      i.signal.aborted || this.onError(`zoomed image failed: ${s.message}`);
    }
  }
  cancelDetail() {
    clearTimeout(this.detailTimer), this.detailAbort?.abort(), this.detailAbort = null, this.detailKey = "";
  }
  get(t, n) {
    const i = JSON.stringify(t);
    let s = this.cache.get(i);
    for (s ? this.cache.delete(i) : (s = this.api.image(t.kind, t.rid, t.params, n), s.catch(() => this.cache.delete(i))), this.cache.set(i, s); this.cache.size > Ht; ) this.cache.delete(this.cache.keys().next().value);
    return s;
  }
}
const Y = { width: 1600, height: 512 }, Q = 1.5, tt = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16];
function Se(e) {
  const t = ["none", "reassigned", "multitaper"];
  return t[(t.indexOf(e) + 1) % t.length];
}
function Zt(e, t) {
  const n = e * 1e3;
  return ((t > 0 ? tt.find((s) => s > n * 1.01) : [...tt].reverse().find((s) => s < n * 0.99)) ?? n) / 1e3;
}
class ze {
  constructor(t, n, i, s, o) {
    this.project = t, this.ui = i, this.overlay = s, this.images = new Xt(n, () => (this.render(), this.onOptions()), (a) => o(a, "error"));
    const r = t.settings;
    [this.dbMin, this.dbMax] = [r.db_min, r.db_max], this.options = {
      window: r.auto_window ? "auto" : r.window_s,
      overlap: r.overlap,
      windowType: r.window_type,
      sharpen: r.sharpen,
      autoLevels: r.auto_levels,
      w0: r.wavelet_w0
    };
  }
  project;
  ui;
  overlay;
  images;
  kind = "spectrogram";
  norm = "db";
  dbMin;
  dbMax;
  options;
  /** Called when the options change (a control, a key) or a new image shows what "auto" chose. */
  onOptions = () => {
  };
  view = { start: 0, end: 1, low: 0, high: 1 };
  size = { width: 800, height: 400 };
  cursor = null;
  drawing = null;
  playhead = null;
  limits = L(this.view);
  task = null;
  userZoomed = !1;
  frame = 0;
  dbTimer;
  /** Show a new task's clip; "ready" once its image is on screen, "stale" if another task came first. */
  async open(t) {
    this.close(), this.task = t, this.view = this.clipWindow(), this.limits = L(this.view), this.render();
    const n = await this.loadBase();
    return n === "ready" && this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), Y)), n;
  }
  close() {
    this.images.clear(), this.task = null, this.userZoomed = !1, [this.drawing, this.playhead, this.cursor] = [null, null, null];
  }
  /** The time span of the image and frequency band the view may move in. */
  get bounds() {
    return this.limits.bounds;
  }
  scale() {
    const t = this.images.base;
    return t && t.kind === this.kind && t.scale ? t.scale : this.kind === "spectrogram" ? this.project.settings.freq_scale : "linear";
  }
  geometry() {
    return { view: this.view, size: this.size, scale: this.scale() };
  }
  // ---- images ------------------------------------------------------------------------------
  /** Clip plus context on both sides, inside the recording; the project's band. */
  clipWindow() {
    const t = this.task.clip, n = this.project.settings;
    return {
      start: Math.max(0, t.start_s - n.context_s),
      end: Math.min(t.recording.duration_s, t.end_s + n.context_s),
      low: n.fmin_hz,
      high: n.fmax_hz
    };
  }
  request(t, n, i) {
    const s = this.project.settings, o = {
      start: n.start,
      end: n.end,
      fmin: n.low,
      fmax: n.high,
      width: Math.round(i.width),
      height: Math.round(i.height),
      cmap: s.colormap,
      db_min: this.dbMin,
      db_max: this.dbMax,
      levels: this.options.autoLevels ? "auto" : "fixed"
    }, r = this.options;
    return t === "spectrogram" ? Object.assign(o, { scale: s.freq_scale, norm: this.norm, window_s: r.window, overlap: r.overlap, window_type: r.windowType, sharpen: r.sharpen }) : o.w0 = r.w0, { kind: t, rid: this.task.clip.recording.id, params: o };
  }
  otherKind() {
    return this.kind === "spectrogram" ? "scalogram" : "spectrogram";
  }
  /** (Re)load the base image; the extent in its headers becomes the bounds of the view. */
  async loadBase() {
    const t = this.task;
    if (!t) return "stale";
    this.images.requestDetail(null);
    let n;
    try {
      n = await this.images.showBase(this.request(this.kind, this.clipWindow(), Y));
    } catch {
      return this.task === t ? "failed" : "stale";
    }
    return !n || this.task !== t ? "stale" : (this.limits = L(n.extent), this.view = this.userZoomed ? this.clamp(this.view) : { ...n.extent }, this.requestDetail(), this.render(), "ready");
  }
  /** A sharper image of the visible window when the base image is too coarse for it. */
  requestDetail() {
    const t = this.images.base;
    if (!this.task || !t || t.kind !== this.kind) return;
    if (!this.userZoomed) return this.images.requestDetail(null);
    const n = window.devicePixelRatio || 1, i = { width: Math.min(4096, this.size.width * n), height: Math.min(2048, this.size.height * n) }, s = (h) => d(this.scale(), h), o = (this.view.end - this.view.start) / (t.extent.end - t.extent.start), r = (s(this.view.high) - s(this.view.low)) / (s(t.extent.high) - s(t.extent.low)), a = o * t.bitmap.width < i.width * 0.9 || r * t.bitmap.height < i.height * 0.9;
    this.images.requestDetail(a ? this.request(this.kind, this.view, i) : null);
  }
  toggleKind() {
    this.kind = this.otherKind(), this.onOptions(), this.loadBase(), this.render();
  }
  setNorm(t) {
    this.norm = t, this.loadBase();
  }
  /** Change how the images are computed; both the base and the detail image follow. */
  setOptions(t) {
    this.options = { ...this.options, ...t }, this.onOptions(), this.loadBase();
  }
  /** The window the visible image was computed with (s): "auto" resolved by the server. */
  shownWindow() {
    const t = this.images.detail ?? this.images.base;
    return typeof this.options.window == "number" ? this.options.window : t?.windowS ?? this.project.settings.window_s;
  }
  /** [ / ]: one offered window shorter or longer than the one shown (leaves "auto"). */
  stepWindow(t) {
    this.setOptions({ window: Zt(this.shownWindow(), t) });
  }
  /** The levels the image on screen was drawn with (automatic ones come from the server). */
  shownLevels() {
    const t = this.images.detail ?? this.images.base;
    return t && t.kind === this.kind ? t.levels : null;
  }
  /** Brightness/contrast: re-request the images once the sliders rest (moving them ends automatic levels). */
  setDb(t, n) {
    this.options.autoLevels && (this.options = { ...this.options, autoLevels: !1 }, this.onOptions()), [this.dbMin, this.dbMax] = [Math.min(t, n - 1), Math.max(n, t + 1)], clearTimeout(this.dbTimer), this.dbTimer = setTimeout(() => {
      this.loadBase();
    }, 300);
  }
  // ---- zoom and pan --------------------------------------------------------------------------
  setView(t) {
    this.view = t, this.userZoomed = !0, this.render(), this.requestDetail();
  }
  clamp(t) {
    return W(D(t, 1, t.start, this.limits), 1, t.low, this.limits, this.scale());
  }
  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(t, n = (this.view.start + this.view.end) / 2) {
    if (t === 0)
      return this.view = { ...this.limits.bounds }, this.userZoomed = !1, this.render(), this.images.requestDetail(null);
    this.setView(D(this.view, t > 0 ? Q : 1 / Q, n, this.limits));
  }
  zoomTime(t, n) {
    this.setView(D(this.view, t, g(n.x, this.view, this.size), this.limits));
  }
  zoomFreq(t, n) {
    const i = this.scale();
    this.setView(W(this.view, t, y(n.y, this.view, this.size, i), this.limits, i));
  }
  /** Move the content by pixels (it follows the pointer). */
  pan(t, n) {
    this.setView(kt(this.view, t, n, this.size, this.limits, this.scale()));
  }
  resize() {
    const t = this.ui.plot.getBoundingClientRect();
    this.size = { width: Math.max(50, t.width), height: Math.max(50, t.height) }, this.render(), this.requestDetail();
  }
  // ---- drawing -------------------------------------------------------------------------------
  /** Redraw on the next animation frame (many events may ask within one frame). */
  render() {
    this.frame || (this.frame = requestAnimationFrame(() => {
      this.frame = 0, this.paint();
    }));
  }
  paint() {
    if (!this.task) return;
    const { ui: t, view: n, size: i } = this, s = this.scale(), o = { start: this.task.clip.start_s, end: this.task.clip.end_s }, r = this.overlay();
    Nt(O(t.canvas, i), {
      ...r,
      size: i,
      view: n,
      scale: s,
      clip: o,
      images: [this.images.base, this.images.detail].filter((l) => l !== null && l.kind === this.kind),
      drawing: this.drawing ? { ...this.drawing, tag: r.drawingTag } : null,
      playhead: this.playhead,
      cursor: this.cursor
    });
    const a = { width: i.width, height: t.timeAxis.clientHeight || 24 };
    It(O(t.timeAxis, a), n, a, o);
    const h = { width: t.freqAxis.clientWidth || 64, height: i.height };
    Wt(O(t.freqAxis, h), n, h, s), t.readout.textContent = this.readout(s);
  }
  readout(t) {
    const n = this.task.clip, i = this.view, s = [];
    if (this.cursor) {
      const a = g(this.cursor.x, i, this.size), h = y(this.cursor.y, i, this.size, t), l = a - n.start_s;
      s.push(`t ${a.toFixed(4)} s (clip ${l >= 0 ? "+" : "−"}${Z(Math.abs(l))})`, `f ${(h / 1e3).toFixed(2)} kHz`);
    }
    const o = this.drawing;
    o && (s.push(`Δt ${Z(o.end_s - o.start_s)}`), o.low_hz !== null && o.high_hz !== null && s.push(`${(o.low_hz / 1e3).toFixed(2)}–${(o.high_hz / 1e3).toFixed(2)} kHz`));
    const r = `${(i.low / 1e3).toFixed(1)}–${(i.high / 1e3).toFixed(1)} kHz${t !== "linear" ? ` (${t})` : ""}`;
    return s.push(`view ${i.start.toFixed(3)}–${i.end.toFixed(3)} s, ${r}`), s.join("  ·  ");
  }
  /** For the test hook: the base image's exact extent and the visible window. */
  extent() {
    const t = this.images.base;
    if (!t || t.kind !== this.kind) return null;
    const { width: n, height: i } = t.bitmap;
    return { ...t.extent, kind: t.kind, scale: this.scale(), width: n, height: i, view: { ...this.view } };
  }
}
export {
  z as A,
  Te as B,
  I as C,
  it as D,
  ye as E,
  Ut as F,
  Jt as G,
  ge as H,
  mt as I,
  ae as J,
  ce as K,
  Se as L,
  ee as M,
  oe as N,
  ne as O,
  be as P,
  Yt as Q,
  he as R,
  rt as S,
  Gt as T,
  E as U,
  ze as V,
  tt as W,
  de as a,
  St as b,
  J as c,
  R as d,
  T as e,
  Vt as f,
  ve as g,
  _ as h,
  le as i,
  te as j,
  Z as k,
  ue as l,
  we as m,
  pt as n,
  _e as o,
  O as p,
  ke as q,
  pe as r,
  ie as s,
  fe as t,
  se as u,
  me as v,
  re as w,
  Qt as x,
  xe as y,
  Me as z
};
