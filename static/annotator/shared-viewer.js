class m extends Error {
  constructor(t, s, i, n = null) {
    super(i), this.status = t, this.body = s, this.retryAfterS = n;
  }
  status;
  body;
  retryAfterS;
}
const it = 3;
function nt(e, t) {
  return !(e instanceof m) || e.status !== 429 && e.status !== 503 || t >= it ? null : Math.min(10, Math.max(0.5, e.retryAfterS ?? 1)) * 1e3;
}
function pt(e, t) {
  return new Promise((s, i) => {
    if (t?.aborted) return i(t.reason);
    const n = setTimeout(s, e);
    t?.addEventListener("abort", () => {
      clearTimeout(n), i(t.reason);
    }, { once: !0 });
  });
}
function z(e, t = "") {
  return e == null ? [] : typeof e == "string" ? [t && t !== "detail" && t !== "non_field_errors" ? `${t}: ${e}` : e] : Array.isArray(e) ? e.flatMap(
    (s, i) => typeof s == "object" && s !== null ? z(s, `${t}[${i + 1}]`) : z(s, t)
  ) : typeof e == "object" ? Object.entries(e).filter(([s]) => s !== "current").flatMap(([s, i]) => z(i, t ? `${t}.${s}` : s)) : [String(e)];
}
function K(e) {
  const t = new URLSearchParams();
  for (const [s, i] of Object.entries(e))
    i != null && t.set(s, String(typeof i == "number" ? Number(i.toFixed(6)) : i));
  return t.toString();
}
function M(e, t) {
  const s = Number(e.get(t));
  if (e.get(t) === null || !Number.isFinite(s)) throw new m(0, null, `image response lacks ${t}`);
  return s;
}
class ee {
  constructor(t, s) {
    this.base = t, this.csrfToken = s;
  }
  base;
  csrfToken;
  url(t) {
    return this.base.replace(/\/?$/, "/") + t;
  }
  async request(t, s, i, n) {
    const o = { Accept: "application/json" };
    t !== "GET" && (o["X-CSRFToken"] = this.csrfToken), i !== void 0 && (o["Content-Type"] = "application/json");
    let r;
    try {
      r = await fetch(this.url(s), {
        method: t,
        headers: o,
        credentials: "same-origin",
        body: i === void 0 ? void 0 : JSON.stringify(i),
        signal: n
      });
    } catch (a) {
      throw n?.aborted ? a : new m(0, null, `network error: ${a.message}`);
    }
    if (!r.ok) {
      const a = await r.text().catch(() => "");
      let h = a;
      try {
        h = JSON.parse(a);
      } catch {
      }
      const l = z(h).join("; ") || r.statusText, u = Number(r.headers.get("Retry-After") ?? NaN);
      throw new m(
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
    const s = await this.request("POST", `projects/${t}/tasks/next/`);
    return s.status === 204 ? null : s.json();
  }
  /** Extend the lease on a task you hold; 409 (an ApiError) when it is no longer yours. */
  async renew(t) {
    return (await this.request("POST", `tasks/${t}/renew/`)).json();
  }
  /** Skip the task, saying why (400 for an unknown reason, or "other" without a note). */
  async release(t, s) {
    await this.request("POST", `tasks/${t}/release/`, s);
  }
  async submit(t, s) {
    return (await this.request("POST", `tasks/${t}/submit/`, s)).json();
  }
  /** One of your saved annotations (e.g. the home clip's of a long event). */
  async annotation(t) {
    return (await this.request("GET", `annotations/${t}/`)).json();
  }
  /** Save a new version of your annotation (409 when `body.version` is stale, 403 if not yours). */
  async updateAnnotation(t, s) {
    return (await this.request("PUT", `annotations/${t}/`, s)).json();
  }
  async predictions(t) {
    return (await this.request("GET", `clips/${t}/predictions/`)).json();
  }
  /** A view and its extent; asked again (up to IMAGE_RETRIES times, after Retry-After) when the
   * server answers 429 or 503: an uncached render waits for a free place instead of failing. */
  async image(t, s, i, n) {
    for (let o = 0; ; o++)
      try {
        return await this.imageOnce(t, s, i, n);
      } catch (r) {
        const a = nt(r, o);
        if (a === null || n?.aborted) throw r;
        await pt(a, n);
      }
  }
  async imageOnce(t, s, i, n) {
    const o = t === "scalogram" ? { ...i, scale: void 0, norm: void 0, window_s: void 0, overlap: void 0, window_type: void 0, sharpen: void 0 } : { ...i, w0: void 0 }, r = await this.request("GET", `recordings/${s}/${t}.png?${K(o)}`, void 0, n), a = r.headers, h = {
      start: M(a, "X-Extent-Start"),
      end: M(a, "X-Extent-End"),
      low: M(a, "X-Extent-Low"),
      high: M(a, "X-Extent-High")
    }, l = a.get("X-Freq-Scale"), u = l === "linear" || l === "mel" || l === "log" ? l : null, d = (a.get("X-Levels") ?? "").split(" ").map(Number), w = Number(a.get("X-Window") ?? NaN);
    return {
      bitmap: await createImageBitmap(await r.blob()),
      extent: h,
      scale: u,
      kind: t,
      levels: d.length === 2 && d.every(Number.isFinite) ? [d[0], d[1]] : null,
      windowS: Number.isFinite(w) ? w : null
    };
  }
  /** Any JSON endpoint under the API base (POST with a JSON body). */
  async post(t, s) {
    return (await this.request("POST", t, s)).json();
  }
  /** A small spectrogram of a span of a recording, for an <img> (no extent headers read). */
  spectrogramUrl(t, s) {
    return this.url(`recordings/${t}/spectrogram.png?${K(s)}`);
  }
  /** Any JSON endpoint under the API base (GET). */
  async json(t, s) {
    return (await this.request("GET", t, void 0, s)).json();
  }
  audioUrl(t, s) {
    return this.url(`recordings/${t}/audio.wav?${K(s)}`);
  }
}
function mt(e = null) {
  return { version: e, tags: [], no_calls: !1, noise: !1, uncertain: !1, notes: "", events: [] };
}
function se(e, t) {
  const s = gt({ ...e, events: e.events.filter((i) => i.id !== t) });
  return { ...s, tags: [...s.tags], events: [...s.events] };
}
function gt(e) {
  return e ? {
    version: e.version,
    tags: [...e.tags],
    no_calls: e.no_calls,
    noise: e.noise,
    uncertain: e.uncertain,
    notes: e.notes ?? "",
    events: e.events.map(({ start_s: t, end_s: s, low_hz: i, high_hz: n, tag: o, confidence: r, notes: a }) => ({
      start_s: t,
      end_s: s,
      low_hz: i,
      high_hz: n,
      tag: o,
      confidence: r,
      notes: a ?? ""
    }))
  } : mt();
}
function L(e) {
  const t = (s, i) => Number(s.toFixed(i));
  return {
    ...e,
    start_s: t(e.start_s, 6),
    end_s: t(e.end_s, 6),
    low_hz: e.low_hz === null ? null : t(e.low_hz, 1),
    high_hz: e.high_hz === null ? null : t(e.high_hz, 1)
  };
}
function ie(e, t) {
  return { ...e, events: [...e.events, L(t)] };
}
function X(e, t, s) {
  const i = e.events.map((n, o) => o === t ? L({ ...n, ...s }) : n);
  return { ...e, events: i };
}
function ne(e, t) {
  return { ...e, events: e.events.filter((s, i) => i !== t) };
}
function oe(e, t) {
  const s = e.tags.includes(t) ? e.tags.filter((i) => i !== t) : [...e.tags, t];
  return { ...e, tags: s };
}
function R(e) {
  return [...new Set(e.events.map((t) => t.tag).filter((t) => t !== null))];
}
function E(e, t) {
  const s = new Set(e);
  return s.size === new Set(t).size && t.every((i) => s.has(i));
}
function re(e, t) {
  if (!E(t.tags, e.tags) || !E(e.tags, R(e))) return t;
  const s = R(t);
  return E(s, t.tags) ? t : { ...t, tags: s };
}
function ae(e) {
  return E(e.tags, R(e));
}
function le(e, t) {
  return { ...e, [t]: !e[t] };
}
function he(e, t) {
  return { ...e, notes: t };
}
function _(e) {
  const t = L(e);
  return JSON.stringify([t.start_s, t.end_s, t.low_hz, t.high_hz, t.tag, t.confidence, t.notes]);
}
function ue(e, t) {
  const s = (i) => [...i].sort().join("|");
  return e.no_calls === t.no_calls && e.noise === t.noise && e.uncertain === t.uncertain && e.notes === t.notes && s(e.tags.map(String)) === s(t.tags.map(String)) && s(e.events.map(_)) === s(t.events.map(_));
}
function ce(e, t) {
  const s = new Set(t.events.map(_)), i = [...t.events, ...e.events.filter((o) => !s.has(_(o)))], n = e.notes === t.notes || !e.notes ? t.notes : t.notes ? `${t.notes}
---
${e.notes}` : e.notes;
  return {
    version: t.version,
    tags: [.../* @__PURE__ */ new Set([...t.tags, ...e.tags])],
    no_calls: (e.no_calls || t.no_calls) && i.length === 0,
    noise: e.noise || t.noise,
    uncertain: e.uncertain || t.uncertain,
    notes: n,
    events: i
  };
}
function wt(e, t) {
  const s = t === "box" && e.low_hz !== null && e.high_hz !== null;
  return L({
    start_s: e.start_s,
    end_s: e.end_s,
    low_hz: s ? e.low_hz : null,
    high_hz: s ? e.high_hz : null,
    tag: e.tag,
    confidence: null,
    notes: ""
  });
}
function de(e, t, s) {
  const i = _(wt(t, s));
  return e.events.some((n) => _({ ...n, confidence: null, notes: "" }) === i);
}
function fe(e) {
  const t = [];
  e.no_calls && e.events.length > 0 && t.push(`"No calls" is set but there are ${e.events.length} boxes`);
  const s = e.events.filter((i) => i.tag === null).length;
  return s && t.push(`${s} box${s > 1 ? "es have" : " has"} no tag`), t;
}
function yt(e) {
  return 2595 * Math.log10(1 + e / 700);
}
function bt(e) {
  return 700 * (Math.pow(10, e / 2595) - 1);
}
const vt = 1;
function f(e, t) {
  return e === "mel" ? yt(t) : e === "log" ? Math.log(Math.max(t, vt)) : t;
}
function y(e, t) {
  return e === "mel" ? bt(t) : e === "log" ? Math.exp(t) : t;
}
function g(e, t, s) {
  return (e - t.start) / (t.end - t.start) * s.width;
}
function b(e, t, s) {
  return t.start + e / s.width * (t.end - t.start);
}
function T(e, t, s, i) {
  const n = f(i, t.low), o = f(i, t.high);
  return (o - f(i, e)) / (o - n) * s.height;
}
function v(e, t, s, i) {
  const n = f(i, t.low), o = f(i, t.high);
  return y(i, o - e / s.height * (o - n));
}
function kt(e, t, s, i) {
  const n = g(e.start, t, s), o = g(e.end, t, s), r = T(e.high, t, s, i), a = T(e.low, t, s, i);
  return { x: n, y: r, w: o - n, h: a - r };
}
function _t(e, t, s, i, n) {
  const o = kt(e, s, i, n), r = Math.max(0, o.x), a = Math.max(0, o.y), h = Math.min(i.width, o.x + o.w), l = Math.min(i.height, o.y + o.h);
  if (h <= r || l <= a) return null;
  const u = t.width / o.w, d = t.height / o.h;
  return {
    src: { x: (r - o.x) * u, y: (a - o.y) * d, w: (h - r) * u, h: (l - a) * d },
    dst: { x: r, y: a, w: h - r, h: l - a }
  };
}
function C(e) {
  const t = e.end - e.start;
  return { bounds: e, minDuration: Math.max(2e-3, t / 2e3), minFreqFraction: 1 / 200 };
}
function N(e, t, s, i) {
  const n = Math.min(t - e, i - s);
  let o = Math.min(Math.max(e, s), i - n);
  return o = Math.max(o, s), [o, o + n];
}
function ot(e, t, s, i, n, o, r) {
  const a = Math.min(Math.max((t - e) / s, n), r - o), h = (i - e) / (t - e);
  return N(i - h * a, i - h * a + a, o, r);
}
function F(e, t, s, i) {
  const { bounds: n } = i, [o, r] = ot(e.start, e.end, t, s, i.minDuration, n.start, n.end);
  return { ...e, start: o, end: r };
}
function U(e, t, s, i, n) {
  const o = f(n, i.bounds.low), r = f(n, i.bounds.high), a = (r - o) * i.minFreqFraction, h = (d) => f(n, d), [l, u] = ot(h(e.low), h(e.high), t, h(s), a, o, r);
  return { ...e, low: y(n, l), high: y(n, u) };
}
function St(e, t, s, i, n, o) {
  const { bounds: r } = n, a = t / i.width * (e.end - e.start), [h, l] = N(e.start - a, e.end - a, r.start, r.end);
  if (s === 0) return { ...e, start: h, end: l };
  const u = f(o, e.low), d = f(o, e.high), w = s / i.height * (d - u), [S, q] = N(u + w, d + w, f(o, r.low), f(o, r.high));
  return { start: h, end: l, low: y(o, S), high: y(o, q) };
}
function k(e, t, s) {
  return Math.min(Math.max(e, t), s);
}
function p(e) {
  return e.low_hz === null || e.high_hz === null;
}
function x(e, t) {
  const s = g(e.start_s, t.view, t.size), i = g(e.end_s, t.view, t.size);
  if (p(e)) return { x: s, y: 0, w: i - s, h: t.size.height };
  const n = T(e.high_hz, t.view, t.size, t.scale), o = T(e.low_hz, t.view, t.size, t.scale);
  return { x: s, y: n, w: i - s, h: o - n };
}
function rt(e, t, s = 0) {
  return t.x >= e.x - s && t.x <= e.x + e.w + s && t.y >= e.y - s && t.y <= e.y + e.h + s;
}
function Tt(e, t, s, i) {
  if (!rt(e, t, s)) return null;
  const n = Math.abs(t.x - e.x) <= s, o = Math.abs(t.x - (e.x + e.w)) <= s;
  if (i) return n ? "w" : o ? "e" : null;
  const r = Math.abs(t.y - e.y) <= s, a = Math.abs(t.y - (e.y + e.h)) <= s;
  return (r ? "n" : a ? "s" : "") + (n ? "w" : o ? "e" : "") || null;
}
function P(e, t, s, i, n = 5) {
  if (i !== null && e[i]) {
    const a = Tt(x(e[i], s), t, n, p(e[i]));
    if (a) return { kind: "handle", index: i, handle: a };
  }
  let o = null, r = 1 / 0;
  for (let a = 0; a < e.length; a++) {
    const h = x(e[a], s), l = Math.abs(h.w * h.h);
    rt(h, t, 2) && l < r && (o = { kind: "inside", index: a }, r = l);
  }
  return o;
}
function at(e, t) {
  const [s, i] = [Math.min(e.start_s, e.end_s), Math.max(e.start_s, e.end_s)], n = { ...e, start_s: k(s, t.start, t.end), end_s: k(i, t.start, t.end) };
  if (p(e)) return { ...n, low_hz: null, high_hz: null };
  const o = Math.min(e.low_hz, e.high_hz), r = Math.max(e.low_hz, e.high_hz);
  return { ...n, low_hz: k(o, t.low, t.high), high_hz: k(r, t.low, t.high) };
}
function Z(e, t, s, i, n) {
  const o = {
    start_s: b(e.x, s.view, s.size),
    end_s: b(t.x, s.view, s.size),
    low_hz: i ? null : v(t.y, s.view, s.size, s.scale),
    high_hz: i ? null : v(e.y, s.view, s.size, s.scale)
  };
  return at(o, n);
}
function G(e, t, s, i = 3) {
  return Math.abs(e.x - t.x) >= i && (s || Math.abs(e.y - t.y) >= i);
}
function xt(e, t, s, i, n) {
  const o = b(s.x, i.view, i.size) - b(t.x, i.view, i.size), r = e.end_s - e.start_s, a = k(e.start_s + o, n.start, n.end - r), h = { ...e, start_s: a, end_s: a + r };
  if (p(e)) return h;
  const l = (q) => f(i.scale, q), u = l(v(s.y, i.view, i.size, i.scale)) - l(v(t.y, i.view, i.size, i.scale)), d = l(e.low_hz), w = l(e.high_hz), S = k(u, l(n.low) - d, l(n.high) - w);
  return { ...h, low_hz: y(i.scale, d + S), high_hz: y(i.scale, w + S) };
}
function Mt(e, t, s, i, n) {
  const o = b(s.x, i.view, i.size), r = v(s.y, i.view, i.size, i.scale), a = { ...e };
  return t.includes("w") && (a.start_s = o), t.includes("e") && (a.end_s = o), p(e) || (t.includes("n") && (a.high_hz = r), t.includes("s") && (a.low_hz = r)), at(a, n);
}
function zt(e) {
  return e.length === 2 ? `${e}-resize` : e === "n" || e === "s" ? "ns-resize" : "ew-resize";
}
function c(e, t = {}, ...s) {
  const i = document.createElement(e);
  for (const [n, o] of Object.entries(t))
    o == null || o === !1 || (typeof o == "function" ? i.addEventListener(n.replace(/^on/, ""), o) : o === !0 ? i.setAttribute(n, "") : i.setAttribute(n, String(o)));
  for (const n of s) n != null && n !== !1 && i.append(n);
  return i;
}
function pe(e) {
  return e instanceof HTMLElement ? e instanceof HTMLTextAreaElement || e.isContentEditable ? "text" : e instanceof HTMLSelectElement ? "line" : e instanceof HTMLInputElement ? ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(e.type) ? null : "line" : null : null;
}
function me(e, t) {
  document.activeElement !== e && e.value !== t && (e.value = t);
}
function Et(e, t, s, i = "") {
  return c("button", { type: "button", title: t, class: i, onclick: (n) => (s(), n.currentTarget.blur()) }, e);
}
function ge() {
  const e = document.getElementById("echoloop-config");
  try {
    return e?.textContent ? JSON.parse(e.textContent) : {};
  } catch {
    return {};
  }
}
function we(e, t, s, i) {
  e.replaceChildren(
    c("strong", {}, t),
    c("ul", {}, ...s.map((n) => c("li", {}, n))),
    c("div", { class: "el-row" }, ...i.map((n) => Et(n.label, n.label, () => (e.hidden = !0, n.run()))))
  ), e.hidden = !1;
}
const j = {
  s: { type: "toggleView" },
  n: { type: "noCalls" },
  x: { type: "noise" },
  u: { type: "uncertain" },
  k: { type: "skip" },
  p: { type: "togglePredictions" },
  a: { type: "acceptPrediction" },
  h: { type: "panMode" },
  e: { type: "cycleExpansion" }
}, B = {
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
}, $t = /* @__PURE__ */ new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]), lt = /* @__PURE__ */ new Set([...Object.keys(j), ...Object.keys(B)]);
function ye(e, t) {
  const s = At(e, t);
  return s && e.repeat && !$t.has(s.type) ? null : s;
}
function At(e, t) {
  const s = e.ctrlKey || e.metaKey;
  if (t.typing)
    return e.key === "Escape" ? { type: "blur" } : s && e.key === "Enter" ? { type: "submit" } : e.key === "Enter" && !t.multiline && !e.shiftKey && !e.altKey ? { type: "blur" } : null;
  if (s) return Lt(e);
  if (e.altKey) return null;
  if (e.key === "Tab") return { type: e.shiftKey ? "selectPrev" : "selectNext" };
  const i = ht(e);
  if (i !== null && i > 0) {
    const r = t.tags[i - 1];
    return r ? { type: "tag", tagId: r.id } : null;
  }
  if (e.key in B) return B[e.key];
  const n = e.key.length === 1 ? e.key.toLowerCase() : "";
  if (n === "a" && e.shiftKey) return { type: "acceptAllPredictions" };
  if (n === "r" && e.shiftKey) return { type: "cycleSharpen" };
  if (n === "l" && e.shiftKey) return { type: "autoLevels" };
  if (n in j) return j[n];
  const o = n ? t.tags.find((r) => (r.hotkey ?? "").toLowerCase() === n) : void 0;
  return o ? { type: "tag", tagId: o.id } : null;
}
function Lt(e) {
  if (e.altKey) return null;
  const t = e.key.toLowerCase();
  return t === "z" ? { type: e.shiftKey ? "redo" : "undo" } : t === "y" ? { type: "redo" } : e.key === "Enter" ? { type: "submit" } : null;
}
function ht(e) {
  if (/^[0-9]$/.test(e.key)) return Number(e.key);
  const t = /^Digit([0-9])$/.exec(e.code ?? "");
  return t && !e.shiftKey ? Number(t[1]) : null;
}
function be(e) {
  return new Set(e.filter((t) => t.hotkey && lt.has(t.hotkey.toLowerCase())).map((t) => t.id));
}
function ve(e, t) {
  const s = [];
  t < 9 && s.push(String(t + 1));
  const i = (e[t].hotkey ?? "").toLowerCase();
  return i && !lt.has(i) && !/^[0-9]$/.test(i) && s.push(i), s.join(" ");
}
const ut = [
  { value: "cant_tell", label: "can't tell", key: "1" },
  { value: "broken_audio", label: "broken audio", key: "2" },
  { value: "other", label: "other (say why)", key: "3" }
];
function ke(e, t) {
  if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return null;
  if (e.key === "Escape") return { type: "cancel" };
  if (e.key === "Enter") return { type: "confirm" };
  if (t) return null;
  const s = ht(e), i = ut.find((n) => Number(n.key) === s);
  return i ? { type: "choose", reason: i.value } : null;
}
function _e(e) {
  return e.reason === "other" ? e.note : ut.find((t) => t.value === e.reason)?.label ?? e.reason;
}
function Se(e, t) {
  return e ? e === "other" && !t.trim() ? "Say in a few words why you skip it." : { reason: e, note: t.trim() } : "Choose a reason: 1, 2 or 3.";
}
const Te = [
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
], xe = [1, 5, 10, 20], qt = 3e3;
function Kt(e, t, s) {
  return e + t / s;
}
function Me(e, t) {
  return e / t >= qt;
}
class ze {
  constructor(t, s) {
    this.onTick = t, this.onState = s;
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
    const s = new Audio();
    s.preload = "auto", s.src = t.url, s.addEventListener("ended", () => this.stop()), s.addEventListener("error", () => {
      const i = s.error;
      this.audio === s && this.onState("error", `audio error${i ? ` ${i.code}: ${i.message}` : ""}`);
    }), this.audio = s, this.segment = t;
  }
  loop = () => {
    const { audio: t, segment: s } = this;
    !t || !s || t.paused || (this.onTick(Math.min(s.end, Kt(s.start, t.currentTime, s.expansion))), this.frame = requestAnimationFrame(this.loop));
  };
}
class Ee {
  constructor(t, s) {
    this.canvas = t, this.host = s, t.addEventListener("pointerdown", (i) => this.down(i)), t.addEventListener("pointermove", (i) => this.move(i)), t.addEventListener("pointerup", (i) => this.up(i)), t.addEventListener("pointercancel", () => this.cancel()), t.addEventListener("pointerleave", () => this.host.setCursor(null)), t.addEventListener("wheel", (i) => this.wheel(i), { passive: !1 }), t.addEventListener("auxclick", (i) => i.preventDefault()), t.addEventListener("contextmenu", (i) => i.preventDefault());
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
    const s = this.canvas.getBoundingClientRect();
    return { x: t.clientX - s.left, y: t.clientY - s.top };
  }
  down(t) {
    if (t.button !== 0 && t.button !== 1) return;
    t.preventDefault(), this.canvas.focus({ preventScroll: !0 }), this.canvas.setPointerCapture(t.pointerId);
    const s = this.point(t);
    if (t.button === 1 || this.host.panMode()) {
      this.drag = { kind: "pan", last: s }, this.canvas.style.cursor = "grabbing";
      return;
    }
    const i = this.host, n = i.draft(), o = t.shiftKey ? null : P(n.events, s, i.geometry(), i.selected());
    if (o && o.kind === "handle" && i.canEdit())
      this.drag = { kind: "resize", index: o.index, handle: o.handle, orig: n.events[o.index], before: n };
    else if (o)
      i.select(o.index), i.canEdit() && (this.drag = { kind: "move", index: o.index, from: s, orig: n.events[o.index], before: n, moved: !1 });
    else {
      const r = i.visiblePredictions(), a = P(r.map((l) => l.p), s, i.geometry(), null);
      i.select(null), i.selectPrediction(null);
      const h = a ? r[a.index].index : null;
      i.canEdit() ? this.drag = { kind: "draw", from: s, prediction: h } : h !== null && i.selectPrediction(h);
    }
  }
  move(t) {
    const s = this.point(t), i = this.host;
    i.setCursor(s);
    const n = this.drag;
    if (!n) {
      this.hover(s);
      return;
    }
    const o = i.geometry();
    n.kind === "pan" ? (i.pan(s.x - n.last.x, s.y - n.last.y), n.last = s) : n.kind === "draw" ? i.setDrawing(G(n.from, s, i.interval()) ? Z(n.from, s, o, i.interval(), i.boxBounds()) : null) : n.kind === "move" ? (n.moved ||= Math.abs(s.x - n.from.x) + Math.abs(s.y - n.from.y) >= 2, n.moved && i.preview(X(n.before, n.index, xt(n.orig, n.from, s, o, i.boxBounds())))) : i.preview(X(n.before, n.index, Mt(n.orig, n.handle, s, o, i.boxBounds())));
  }
  up(t) {
    const s = this.drag;
    if (this.drag = null, this.canvas.style.cursor = "", !s) return;
    const i = this.point(t), n = this.host;
    if (s.kind === "draw")
      n.setDrawing(null), G(s.from, i, n.interval()) ? n.addBox(Z(s.from, i, n.geometry(), n.interval(), n.boxBounds())) : s.prediction !== null && n.selectPrediction(s.prediction);
    else if (s.kind === "move" || s.kind === "resize") {
      const o = n.draft();
      o !== s.before && (s.kind === "resize" || s.moved) && n.commit(o, s.before);
    }
  }
  hover(t) {
    const s = this.host;
    if (s.panMode()) {
      this.canvas.style.cursor = "grab";
      return;
    }
    const i = P(s.draft().events, t, s.geometry(), s.selected());
    this.canvas.style.cursor = i ? i.kind === "handle" ? zt(i.handle) : "move" : "crosshair";
  }
  wheel(t) {
    t.preventDefault();
    const s = t.deltaMode === 1 ? 16 : t.deltaMode === 2 ? 400 : 1, i = this.point(t), n = (t.deltaY || t.deltaX) * s;
    t.ctrlKey || t.metaKey ? this.host.zoomTime(Math.exp(-n * 2e-3), i) : t.shiftKey ? this.host.zoomFreq(Math.exp(-n * 2e-3), i) : this.host.pan(-n, 0);
  }
}
function W(e) {
  const t = Math.pow(10, Math.floor(Math.log10(e)));
  for (const s of [1, 2, 5, 10]) if (s * t >= e * (1 - 1e-9)) return s * t;
  return 10 * t;
}
function ct(e) {
  return Math.max(0, Math.ceil(-Math.log10(e) - 1e-9));
}
function Ct(e, t) {
  return `${e.toFixed(ct(t))} s`;
}
function V(e) {
  const t = Math.abs(e);
  return t < 1 ? `${(e * 1e3).toFixed(t < 0.01 ? 2 : 1)} ms` : `${e.toFixed(3)} s`;
}
function Ft(e, t) {
  return `${Number((e / 1e3).toFixed(ct(t / 1e3)))} kHz`;
}
function dt(e, t, s) {
  const i = [], n = Math.ceil(e / s - 1e-9);
  for (let o = n; o * s <= t + s * 1e-9; o++) i.push(Number((o * s).toPrecision(12)));
  return i;
}
function Pt(e, t, s = 90) {
  const i = e.end - e.start;
  if (!(i > 0) || t <= 0) return [];
  const n = W(i * s / t), o = { width: t };
  return dt(e.start, e.end, n).map((r) => ({
    value: r,
    pos: g(r, e, o),
    label: Ct(r, n)
  }));
}
function Dt(e, t, s, i = 26) {
  const n = e.high - e.low;
  if (!(n > 0) || t <= 0) return [];
  const o = { height: t }, r = W(n * i / t / (s === "linear" ? 1 : 4)), a = dt(e.low, e.high, r).map((l) => ({
    value: l,
    pos: T(l, e, o, s),
    label: "",
    rank: Ot(l, r)
  }));
  a.sort((l, u) => u.rank - l.rank || l.value - u.value);
  const h = [];
  for (const l of a) h.every((u) => Math.abs(u.pos - l.pos) >= i) && h.push(l);
  return h.sort((l, u) => u.pos - l.pos).map(({ value: l, pos: u }) => ({ value: l, pos: u, label: Ft(l, r) }));
}
function Ot(e, t) {
  let s = 0, i = t;
  for (let n = 0; n < 12 && (i = W(i * 1.5), !(Math.abs(e / i - Math.round(e / i)) > 1e-6)); n++)
    s++;
  return s;
}
const J = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"], Y = "#ffffff";
function $(e, t) {
  if (t === null) return Y;
  const s = e.findIndex((i) => i.id === t);
  return s < 0 ? Y : e[s].color || J[s % J.length];
}
function I(e, t) {
  if (t === null) return "no tag";
  const s = e.find((i) => i.id === t);
  return s ? s.display_name || s.value : `tag ${t}`;
}
function D(e, t) {
  const s = window.devicePixelRatio || 1, i = Math.round(t.width * s), n = Math.round(t.height * s);
  (e.width !== i || e.height !== n) && (e.width = i, e.height = n);
  const o = e.getContext("2d");
  return o.setTransform(s, 0, 0, s, 0, 0), o;
}
function Rt(e, t) {
  const { width: s, height: i } = t.size, n = { view: t.view, size: t.size, scale: t.scale };
  e.fillStyle = "#000", e.fillRect(0, 0, s, i), e.imageSmoothingEnabled = !0;
  for (const r of t.images) {
    const a = _t(r.extent, r.bitmap, t.view, t.size, t.scale);
    a && e.drawImage(r.bitmap, a.src.x, a.src.y, a.src.w, a.src.h, a.dst.x, a.dst.y, a.dst.w, a.dst.h);
  }
  Nt(e, t);
  const o = [];
  (t.continuing ?? []).forEach((r) => It(e, r, n, t)), t.predictions.forEach((r, a) => Wt(e, r, n, t, a === t.selectedPrediction, o)), t.events.forEach((r, a) => Q(e, r, n, $(t.tags, r.tag), I(t.tags, r.tag), a === t.selected)), t.drawing && Q(e, t.drawing, n, $(t.tags, t.drawing.tag), I(t.tags, t.drawing.tag), !0, !0), t.playhead !== null && Ht(e, g(t.playhead, t.view, t.size), i), t.cursor && Xt(e, t.cursor, t.size);
}
function Nt(e, t) {
  const s = g(t.clip.start, t.view, t.size), i = g(t.clip.end, t.view, t.size), { width: n, height: o } = t.size;
  e.fillStyle = "rgba(0, 0, 0, 0.5)", s > 0 && e.fillRect(0, 0, Math.min(s, n), o), i < n && e.fillRect(Math.max(i, 0), 0, n - Math.max(i, 0), o), e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.8)", e.setLineDash([6, 4]), e.lineWidth = 1;
  for (const r of [s, i])
    r < 0 || r > n || (e.beginPath(), e.moveTo(Math.round(r) + 0.5, 0), e.lineTo(Math.round(r) + 0.5, o), e.stroke());
  e.restore();
}
function H(e, t, s, i, n, o = !1, r) {
  e.font = `${o ? "italic " : ""}12px system-ui, sans-serif`;
  const a = e.measureText(t).width + 6, h = Math.max(0, s), l = Math.max(0, i - 16);
  if (r) {
    if (r.some((u) => h < u.x + u.w && u.x < h + a && l < u.y + u.h && u.y < l + 16)) return;
    r.push({ x: h, y: l, w: a, h: 16 });
  }
  e.fillStyle = "rgba(0, 0, 0, 0.7)", e.fillRect(h, l, a, 16), e.fillStyle = n, e.textBaseline = "middle", e.fillText(t, h + 3, l + 8);
}
function Q(e, t, s, i, n, o, r = !1) {
  const a = x(t, s);
  e.save(), e.fillStyle = i, e.globalAlpha = p(t) ? 0.18 : 0.1, e.fillRect(a.x, a.y, a.w, a.h), e.globalAlpha = 1, e.strokeStyle = i, e.lineWidth = o ? 2.5 : 1.5, r && e.setLineDash([4, 3]), e.strokeRect(a.x, a.y, a.w, a.h), e.setLineDash([]), H(e, n, a.x, p(t) ? 18 : a.y, i), o && !r && jt(e, a, p(t), i), e.restore();
}
function jt(e, t, s, i) {
  const n = [t.x, t.x + t.w / 2, t.x + t.w], o = s ? [t.y + t.h / 2] : [t.y, t.y + t.h / 2, t.y + t.h];
  e.fillStyle = "#fff", e.strokeStyle = i, e.lineWidth = 1;
  for (const r of n)
    for (const a of o)
      r === n[1] && (s || a === o[1]) || (e.fillRect(r - 3.5, a - 3.5, 7, 7), e.strokeRect(r - 3.5, a - 3.5, 7, 7));
}
function Bt(e, t) {
  return `${t.continues ? "← " : ""}${I(e, t.tag)} (clip ${t.from_clip})${t.runs_on ? " →" : ""}`;
}
function It(e, t, s, i) {
  const n = x(t, s), o = $(i.tags, t.tag);
  e.save(), e.fillStyle = o, e.globalAlpha = 0.06, e.fillRect(n.x, n.y, n.w, n.h), e.globalAlpha = 0.9, e.strokeStyle = o, e.lineWidth = 1.5, e.setLineDash([2, 3]), e.strokeRect(n.x, n.y, n.w, n.h), e.restore(), H(e, Bt(i.tags, t), n.x, p(t) ? 54 : n.y + n.h + 16, o, !0);
}
function Wt(e, t, s, i, n, o) {
  const r = x(t, s), a = $(i.tags, t.tag);
  e.save(), e.strokeStyle = a, e.lineWidth = n ? 2.5 : 1.25, e.setLineDash([5, 4]), e.strokeRect(r.x, r.y, r.w, r.h), e.restore(), H(e, `${t.label} ${t.score.toFixed(2)}`, r.x, p(t) ? 36 : r.y + r.h + 16, a, !0, n ? void 0 : o);
}
function Ht(e, t, s) {
  e.save(), e.strokeStyle = "#ffeb3b", e.lineWidth = 2, e.beginPath(), e.moveTo(t, 0), e.lineTo(t, s), e.stroke(), e.restore();
}
function Xt(e, t, s) {
  e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.45)", e.lineWidth = 1, e.beginPath(), e.moveTo(0, Math.round(t.y) + 0.5), e.lineTo(s.width, Math.round(t.y) + 0.5), e.moveTo(Math.round(t.x) + 0.5, 0), e.lineTo(Math.round(t.x) + 0.5, s.height), e.stroke(), e.restore();
}
const ft = "11px system-ui, sans-serif", A = "#cfd8dc";
function Ut(e, t, s, i) {
  e.clearRect(0, 0, s.width, s.height), e.strokeStyle = A, e.fillStyle = A, e.font = ft, e.textAlign = "center", e.textBaseline = "top", e.lineWidth = 1;
  for (const n of Pt(t, s.width)) {
    const o = Math.round(n.pos) + 0.5;
    e.beginPath(), e.moveTo(o, 0), e.lineTo(o, 5), e.stroke(), e.fillText(n.label, Math.min(Math.max(n.pos, 24), s.width - 24), 7);
  }
  e.fillStyle = "#ffffff";
  for (const n of [i.start, i.end]) {
    const o = g(n, t, s);
    o < 0 || o > s.width || (e.beginPath(), e.moveTo(o - 4, 0), e.lineTo(o + 4, 0), e.lineTo(o, 5), e.fill());
  }
}
function Zt(e, t, s, i) {
  e.clearRect(0, 0, s.width, s.height), e.strokeStyle = A, e.fillStyle = A, e.font = ft, e.textAlign = "right", e.textBaseline = "middle";
  for (const n of Dt(t, s.height, i)) {
    const o = Math.round(n.pos) + 0.5;
    e.beginPath(), e.moveTo(s.width - 5, o), e.lineTo(s.width, o), e.stroke(), e.fillText(n.label, s.width - 7, Math.min(Math.max(n.pos, 7), s.height - 7));
  }
}
const Gt = 12, O = { width: 160, height: 96 };
function Vt(e, t) {
  return t.length !== 1 ? null : e.find((s) => s.hotkey && s.hotkey.toLowerCase() === t.toLowerCase()) ?? null;
}
function Jt(e, t, s) {
  return {
    tag: e,
    low_hz: s?.low_hz ?? null,
    high_hz: s?.high_hz ?? null,
    matches: t.map((i) => ({ clip: i.clip, start_s: i.window_start_s, end_s: i.window_end_s }))
  };
}
class $e {
  constructor(t) {
    this.host = t, this.message = c("span", { class: "el-similar-message", role: "status" }), this.actions = c("span", { class: "el-similar-actions" }), this.list = c("div", { class: "el-similar-list", role: "list" }), this.element = c(
      "section",
      { class: "el-similar", hidden: !0, "aria-label": "Similar clips" },
      c("header", {}, c("strong", {}, "Similar clips"), this.message, this.actions),
      this.list
    );
  }
  host;
  element;
  list;
  message;
  actions;
  query = null;
  matches = [];
  /** clip id → the tag's name it was labelled with here */
  labelled = /* @__PURE__ */ new Map();
  /** Thumbnails fetched so far (their URL → an object URL), kept while the strip is open. */
  thumbs = /* @__PURE__ */ new Map();
  thumbRun = 0;
  /** Ask the server for the nearest clips to the query and show them. */
  async find(t) {
    this.query = t, this.element.hidden = !1, this.say("Searching…"), this.list.replaceChildren(), this.actions.replaceChildren();
    try {
      const s = await this.host.api.post(`projects/${this.host.projectId}/similar/`, { ...t, k: Gt });
      if (this.query !== t) return;
      this.matches = s.matches, this.labelled.clear(), this.say(`${s.matches.length} nearest of ${s.n_windows.toLocaleString()} windows (${Math.round(s.seconds * 1e3)} ms). Keys: a tag's hotkey labels the focused match, Enter applies the current tag.`), this.render();
    } catch (s) {
      this.say(s instanceof m ? s.message : String(s), !0);
    }
  }
  close() {
    this.element.hidden = !0, this.query = null, this.matches = [], this.thumbRun++;
    for (const t of this.thumbs.values()) URL.revokeObjectURL(t);
    this.thumbs.clear();
  }
  say(t, s = !1) {
    this.message.textContent = t, this.message.classList.toggle("el-similar-error", s);
  }
  render() {
    const t = () => this.matches.filter((n) => !this.labelled.has(n.clip)), i = [c("button", { type: "button", class: "el-similar-queue", onclick: () => {
      this.queue(t());
    } }, "Queue these")];
    this.host.batch && i.push(c("button", { type: "button", class: "el-similar-batch", onclick: () => {
      this.labelBatch(t());
    } }, "Label all with the current tag")), i.push(c("button", { type: "button", class: "el-similar-close", onclick: () => this.close() }, "Close")), this.actions.replaceChildren(...i), this.list.replaceChildren(...this.matches.map((n) => this.item(n))), this.loadThumbs();
  }
  item(t) {
    const s = this.host.api.spectrogramUrl(t.recording, { start: t.start_s, end: t.end_s, ...O }), i = this.labelled.get(t.clip), n = c(
      "button",
      {
        type: "button",
        class: "el-similar-item",
        role: "listitem",
        "data-clip": t.clip,
        title: `clip ${t.clip}: ${t.start_s.toFixed(2)}–${t.end_s.toFixed(2)} s, best window at ${t.window_start_s.toFixed(2)} s`
      },
      c("img", { "data-src": s, alt: `spectrogram of clip ${t.clip}`, width: O.width, height: O.height }),
      c("span", { class: "el-similar-distance" }, `d ${t.distance.toFixed(3)}`),
      i ? c("span", { class: "el-similar-label" }, i) : null
    );
    return n.addEventListener("keydown", (o) => this.onKey(o, t)), n;
  }
  /** The strip's thumbnails one at a time, in order: a user has few renders in progress at once
   * (the server answers 429 past them), so twelve plain <img> would break most of them. A 429 or
   * 503 is asked again after its Retry-After. A newer strip stops an older one's loading. */
  async loadThumbs() {
    const t = ++this.thumbRun;
    for (const s of Array.from(this.list.querySelectorAll("img[data-src]"))) {
      const i = s.dataset.src ?? "";
      let n = this.thumbs.get(i);
      for (let o = 0; n === void 0 && o <= it; o++) {
        const r = await fetch(i, { credentials: "same-origin" }).catch(() => null);
        if (t !== this.thumbRun) return;
        if (r?.ok)
          n = URL.createObjectURL(await r.blob()), this.thumbs.set(i, n);
        else {
          const a = Number(r?.headers.get("Retry-After")) || null, h = nt(new m(r?.status ?? 0, null, "", a), o);
          if (h === null) break;
          if (await new Promise((l) => setTimeout(l, h)), t !== this.thumbRun) return;
        }
      }
      n !== void 0 && (s.src = n);
    }
  }
  onKey(t, s) {
    if (t.ctrlKey || t.metaKey || t.altKey) return;
    const i = t.key === "Enter" ? this.host.currentTag() : Vt(this.host.tags, t.key)?.id ?? null;
    if (!(t.key !== "Enter" && i === null)) {
      if (t.preventDefault(), t.stopPropagation(), i === null) return this.say("Pick a tag first (its hotkey), then press Enter on a match.", !0);
      this.label([s], i);
    }
  }
  async label(t, s) {
    if (!t.length) return this.say("Nothing left to label.", !0);
    const i = this.host.tags.find((n) => n.id === s);
    try {
      await this.host.api.post(`projects/${this.host.projectId}/similar/label/`, Jt(s, t, this.query));
      for (const r of t) this.labelled.set(r.clip, i?.display_name || i?.value || "labelled");
      this.say(`Labelled ${t.length === 1 ? `clip ${t[0].clip}` : `${t.length} clips`} as ${i?.display_name || i?.value}.`);
      const n = t.length === 1 ? this.matches.indexOf(t[0]) : -1;
      this.render();
      const o = this.list.children[n + 1];
      n >= 0 && (o ?? this.list.children[n])?.focus();
    } catch (n) {
      if (n instanceof m && n.status === 409 && t.length === 1) {
        const o = this.matches.indexOf(t[0]);
        this.labelled.set(t[0].clip, "already labelled"), this.render(), this.say(`Clip ${t[0].clip} is already in your annotations: edit it on its own page.`, !0), (this.list.children[o + 1] ?? this.list.children[o])?.focus();
        return;
      }
      this.say(n instanceof m ? n.message : String(n), !0);
    }
  }
  async labelBatch(t) {
    const s = this.host.currentTag();
    if (s === null) return this.say("Pick a tag first (its hotkey), then label the batch.", !0);
    await this.label(t, s);
  }
  async queue(t) {
    if (!this.query || !t.length) return this.say("Nothing left to queue.", !0);
    try {
      const s = await this.host.api.post(`projects/${this.host.projectId}/similar/queue/`, {
        query_clip: this.query.clip,
        matches: t.map((i) => ({ clip: i.clip, similarity: i.similarity }))
      });
      this.say(`Queued ${s.queued} clip${s.queued === 1 ? "" : "s"} as round ${s.number} (similar to clip ${this.query.clip}).`);
    } catch (s) {
      this.say(s instanceof m ? s.message : String(s), !0);
    }
  }
}
function Ae(e = 300) {
  return { past: [], future: [], lastKey: null, limit: e };
}
function Le(e, t, s = null) {
  if (s !== null && s === e.lastKey && e.past.length > 0)
    return { ...e, future: [] };
  const i = [...e.past, t].slice(-e.limit);
  return { ...e, past: i, future: [], lastKey: s };
}
function qe(e, t) {
  return e.past.length === 0 ? null : {
    state: e.past[e.past.length - 1],
    stack: { ...e, past: e.past.slice(0, -1), future: [t, ...e.future], lastKey: null }
  };
}
function Ke(e, t) {
  if (e.future.length === 0) return null;
  const [s, ...i] = e.future;
  return {
    state: s,
    stack: { ...e, past: [...e.past, t].slice(-e.limit), future: i, lastKey: null }
  };
}
const Yt = 12;
class Qt {
  constructor(t, s, i) {
    this.api = t, this.onChange = s, this.onError = i;
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
    const s = JSON.stringify(t);
    this.baseKey = s;
    let i;
    try {
      i = await this.get(t);
    } catch (n) {
      if (this.baseKey !== s) return null;
      throw this.onError(`image failed: ${n.message}`), n;
    }
    return this.baseKey !== s ? null : (this.base = i, this.detail && this.detail.kind !== t.kind && (this.detail = null), this.onChange(), i);
  }
  /** Warm the cache (e.g. the other view kind), ignoring failures. */
  prefetch(t) {
    this.get(t).catch(() => {
    });
  }
  /** Ask for a detail image after `delayMs` of quiet; null drops the detail image. */
  requestDetail(t, s = 250) {
    if (this.cancelDetail(), !t) {
      this.detail && (this.detail = null, this.shownDetailKey = "", this.onChange());
      return;
    }
    const i = JSON.stringify(t);
    i === this.shownDetailKey && this.detail || (this.detailTimer = setTimeout(() => this.loadDetail(t, i), s));
  }
  async loadDetail(t, s) {
    this.detailKey = s;
    const i = new AbortController();
    this.detailAbort = i;
    try {
      const n = await this.get(t, i.signal);
      if (this.detailKey !== s || i.signal.aborted) return;
      this.detail = n, this.shownDetailKey = s, this.onChange();
    } catch (n) {
      i.signal.aborted || this.onError(`zoomed image failed: ${n.message}`);
    }
  }
  cancelDetail() {
    clearTimeout(this.detailTimer), this.detailAbort?.abort(), this.detailAbort = null, this.detailKey = "";
  }
  get(t, s) {
    const i = JSON.stringify(t);
    let n = this.cache.get(i);
    for (n ? this.cache.delete(i) : (n = this.api.image(t.kind, t.rid, t.params, s), n.catch(() => this.cache.delete(i))), this.cache.set(i, n); this.cache.size > Yt; ) this.cache.delete(this.cache.keys().next().value);
    return n;
  }
}
const tt = { width: 1600, height: 512 }, et = 1.5, st = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16];
function Ce(e) {
  const t = ["none", "reassigned", "multitaper"];
  return t[(t.indexOf(e) + 1) % t.length];
}
function te(e, t) {
  const s = e * 1e3;
  return ((t > 0 ? st.find((n) => n > s * 1.01) : [...st].reverse().find((n) => n < s * 0.99)) ?? s) / 1e3;
}
class Fe {
  constructor(t, s, i, n, o) {
    this.project = t, this.ui = i, this.overlay = n, this.images = new Qt(s, () => (this.render(), this.onOptions()), (a) => o(a, "error"));
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
  limits = C(this.view);
  task = null;
  userZoomed = !1;
  frame = 0;
  dbTimer;
  /** Show a new task's clip; "ready" once its image is on screen, "stale" if another task came first. */
  async open(t) {
    this.close(), this.task = t, this.view = this.clipWindow(), this.limits = C(this.view), this.render();
    const s = await this.loadBase();
    return s === "ready" && this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), tt)), s;
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
    const t = this.task.clip, s = this.project.settings;
    return {
      start: Math.max(0, t.start_s - s.context_s),
      end: Math.min(t.recording.duration_s, t.end_s + s.context_s),
      low: s.fmin_hz,
      high: s.fmax_hz
    };
  }
  request(t, s, i) {
    const n = this.project.settings, o = {
      start: s.start,
      end: s.end,
      fmin: s.low,
      fmax: s.high,
      width: Math.round(i.width),
      height: Math.round(i.height),
      cmap: n.colormap,
      db_min: this.dbMin,
      db_max: this.dbMax,
      levels: this.options.autoLevels ? "auto" : "fixed"
    }, r = this.options;
    return t === "spectrogram" ? Object.assign(o, { scale: n.freq_scale, norm: this.norm, window_s: r.window, overlap: r.overlap, window_type: r.windowType, sharpen: r.sharpen }) : o.w0 = r.w0, { kind: t, rid: this.task.clip.recording.id, params: o };
  }
  otherKind() {
    return this.kind === "spectrogram" ? "scalogram" : "spectrogram";
  }
  /** (Re)load the base image; the extent in its headers becomes the bounds of the view. */
  async loadBase() {
    const t = this.task;
    if (!t) return "stale";
    this.images.requestDetail(null);
    let s;
    try {
      s = await this.images.showBase(this.request(this.kind, this.clipWindow(), tt));
    } catch {
      return this.task === t ? "failed" : "stale";
    }
    return !s || this.task !== t ? "stale" : (this.limits = C(s.extent), this.view = this.userZoomed ? this.clamp(this.view) : { ...s.extent }, this.requestDetail(), this.render(), "ready");
  }
  /** A sharper image of the visible window when the base image is too coarse for it. */
  requestDetail() {
    const t = this.images.base;
    if (!this.task || !t || t.kind !== this.kind) return;
    if (!this.userZoomed) return this.images.requestDetail(null);
    const s = window.devicePixelRatio || 1, i = { width: Math.min(4096, this.size.width * s), height: Math.min(2048, this.size.height * s) }, n = (h) => f(this.scale(), h), o = (this.view.end - this.view.start) / (t.extent.end - t.extent.start), r = (n(this.view.high) - n(this.view.low)) / (n(t.extent.high) - n(t.extent.low)), a = o * t.bitmap.width < i.width * 0.9 || r * t.bitmap.height < i.height * 0.9;
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
    this.setOptions({ window: te(this.shownWindow(), t) });
  }
  /** The levels the image on screen was drawn with (automatic ones come from the server). */
  shownLevels() {
    const t = this.images.detail ?? this.images.base;
    return t && t.kind === this.kind ? t.levels : null;
  }
  /** Brightness/contrast: re-request the images once the sliders rest (moving them ends automatic levels). */
  setDb(t, s) {
    this.options.autoLevels && (this.options = { ...this.options, autoLevels: !1 }, this.onOptions()), [this.dbMin, this.dbMax] = [Math.min(t, s - 1), Math.max(s, t + 1)], clearTimeout(this.dbTimer), this.dbTimer = setTimeout(() => {
      this.loadBase();
    }, 300);
  }
  // ---- zoom and pan --------------------------------------------------------------------------
  setView(t) {
    this.view = t, this.userZoomed = !0, this.render(), this.requestDetail();
  }
  clamp(t) {
    return U(F(t, 1, t.start, this.limits), 1, t.low, this.limits, this.scale());
  }
  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(t, s = (this.view.start + this.view.end) / 2) {
    if (t === 0)
      return this.view = { ...this.limits.bounds }, this.userZoomed = !1, this.render(), this.images.requestDetail(null);
    this.setView(F(this.view, t > 0 ? et : 1 / et, s, this.limits));
  }
  zoomTime(t, s) {
    this.setView(F(this.view, t, b(s.x, this.view, this.size), this.limits));
  }
  zoomFreq(t, s) {
    const i = this.scale();
    this.setView(U(this.view, t, v(s.y, this.view, this.size, i), this.limits, i));
  }
  /** Move the content by pixels (it follows the pointer). */
  pan(t, s) {
    this.setView(St(this.view, t, s, this.size, this.limits, this.scale()));
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
    const { ui: t, view: s, size: i } = this, n = this.scale(), o = { start: this.task.clip.start_s, end: this.task.clip.end_s }, r = this.overlay();
    Rt(D(t.canvas, i), {
      ...r,
      size: i,
      view: s,
      scale: n,
      clip: o,
      images: [this.images.base, this.images.detail].filter((l) => l !== null && l.kind === this.kind),
      drawing: this.drawing ? { ...this.drawing, tag: r.drawingTag } : null,
      playhead: this.playhead,
      cursor: this.cursor
    });
    const a = { width: i.width, height: t.timeAxis.clientHeight || 24 };
    Ut(D(t.timeAxis, a), s, a, o);
    const h = { width: t.freqAxis.clientWidth || 64, height: i.height };
    Zt(D(t.freqAxis, h), s, h, n), t.readout.textContent = this.readout(n);
  }
  readout(t) {
    const s = this.task.clip, i = this.view, n = [];
    if (this.cursor) {
      const a = b(this.cursor.x, i, this.size), h = v(this.cursor.y, i, this.size, t), l = a - s.start_s;
      n.push(`t ${a.toFixed(4)} s (clip ${l >= 0 ? "+" : "−"}${V(Math.abs(l))})`, `f ${(h / 1e3).toFixed(2)} kHz`);
    }
    const o = this.drawing;
    o && (n.push(`Δt ${V(o.end_s - o.start_s)}`), o.low_hz !== null && o.high_hz !== null && n.push(`${(o.low_hz / 1e3).toFixed(2)}–${(o.high_hz / 1e3).toFixed(2)} kHz`));
    const r = `${(i.low / 1e3).toFixed(1)}–${(i.high / 1e3).toFixed(1)} kHz${t !== "linear" ? ` (${t})` : ""}`;
    return n.push(`view ${i.start.toFixed(3)}–${i.end.toFixed(3)} s, ${r}`), n.join("  ·  ");
  }
  /** For the test hook: the base image's exact extent and the visible window. */
  extent() {
    const t = this.images.base;
    if (!t || t.kind !== this.kind) return null;
    const { width: s, height: i } = t.bitmap;
    return { ...t.extent, kind: t.kind, scale: this.scale(), width: s, height: i, view: { ...this.view } };
  }
}
export {
  m as A,
  Le as B,
  qe as C,
  Ke as D,
  xe as E,
  X as F,
  at as G,
  Te as H,
  ne as I,
  ie as J,
  wt as K,
  pe as L,
  ye as M,
  Ce as N,
  le as O,
  ze as P,
  de as Q,
  he as R,
  ut as S,
  oe as T,
  ge as U,
  Fe as V,
  st as W,
  ee as X,
  x as Y,
  be as a,
  Et as b,
  I as c,
  $ as d,
  z as e,
  gt as f,
  Me as g,
  c as h,
  me as i,
  ae as j,
  V as k,
  we as l,
  Se as m,
  mt as n,
  Ae as o,
  D as p,
  $e as q,
  ke as r,
  ue as s,
  ve as t,
  Ee as u,
  ce as v,
  se as w,
  fe as x,
  _e as y,
  re as z
};
