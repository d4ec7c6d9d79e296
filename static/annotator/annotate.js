class S extends Error {
  constructor(t, e, i) {
    super(i), this.status = t, this.body = e;
  }
  status;
  body;
}
function M(s, t = "") {
  return s == null ? [] : typeof s == "string" ? [t && t !== "detail" && t !== "non_field_errors" ? `${t}: ${s}` : s] : Array.isArray(s) ? s.flatMap(
    (e, i) => typeof e == "object" && e !== null ? M(e, `${t}[${i + 1}]`) : M(e, t)
  ) : typeof s == "object" ? Object.entries(s).filter(([e]) => e !== "current").flatMap(([e, i]) => M(i, t ? `${t}.${e}` : e)) : [String(s)];
}
function st(s) {
  const t = new URLSearchParams();
  for (const [e, i] of Object.entries(s))
    i != null && t.set(e, String(typeof i == "number" ? Number(i.toFixed(6)) : i));
  return t.toString();
}
function C(s, t) {
  const e = Number(s.get(t));
  if (s.get(t) === null || !Number.isFinite(e)) throw new S(0, null, `image response lacks ${t}`);
  return e;
}
class $t {
  constructor(t, e) {
    this.base = t, this.csrfToken = e;
  }
  base;
  csrfToken;
  url(t) {
    return this.base.replace(/\/?$/, "/") + t;
  }
  async request(t, e, i, n) {
    const o = { Accept: "application/json" };
    t !== "GET" && (o["X-CSRFToken"] = this.csrfToken), i !== void 0 && (o["Content-Type"] = "application/json");
    let a;
    try {
      a = await fetch(this.url(e), {
        method: t,
        headers: o,
        credentials: "same-origin",
        body: i === void 0 ? void 0 : JSON.stringify(i),
        signal: n
      });
    } catch (r) {
      throw n?.aborted ? r : new S(0, null, `network error: ${r.message}`);
    }
    if (!a.ok) {
      const r = await a.text().catch(() => "");
      let c = r;
      try {
        c = JSON.parse(r);
      } catch {
      }
      const h = M(c).join("; ") || a.statusText;
      throw new S(a.status, c, `HTTP ${a.status}${h ? `: ${h.slice(0, 300)}` : ""}`);
    }
    return a;
  }
  async project(t) {
    return (await this.request("GET", `projects/${t}/`)).json();
  }
  /** The next task, or null when the queue is empty (204). */
  async nextTask(t) {
    const e = await this.request("POST", `projects/${t}/tasks/next/`);
    return e.status === 204 ? null : e.json();
  }
  /** Extend the lease on a task you hold; 409 (an ApiError) when it is no longer yours. */
  async renew(t) {
    return (await this.request("POST", `tasks/${t}/renew/`)).json();
  }
  /** Skip the task, saying why (400 for an unknown reason, or "other" without a note). */
  async release(t, e) {
    await this.request("POST", `tasks/${t}/release/`, e);
  }
  async submit(t, e) {
    return (await this.request("POST", `tasks/${t}/submit/`, e)).json();
  }
  async predictions(t) {
    return (await this.request("GET", `clips/${t}/predictions/`)).json();
  }
  async image(t, e, i, n) {
    const o = t === "scalogram" ? { ...i, scale: void 0, norm: void 0, window_s: void 0, overlap: void 0 } : i, a = await this.request("GET", `recordings/${e}/${t}.png?${st(o)}`, void 0, n), r = a.headers, c = {
      start: C(r, "X-Extent-Start"),
      end: C(r, "X-Extent-End"),
      low: C(r, "X-Extent-Low"),
      high: C(r, "X-Extent-High")
    }, h = r.get("X-Freq-Scale"), d = h === "linear" || h === "mel" || h === "log" ? h : null;
    return { bitmap: await createImageBitmap(await a.blob()), extent: c, scale: d, kind: t };
  }
  audioUrl(t, e) {
    return this.url(`recordings/${t}/audio.wav?${st(e)}`);
  }
}
function gt(s = null) {
  return { version: s, tags: [], no_calls: !1, noise: !1, uncertain: !1, notes: "", events: [] };
}
function O(s) {
  return s ? {
    version: s.version,
    tags: [...s.tags],
    no_calls: s.no_calls,
    noise: s.noise,
    uncertain: s.uncertain,
    notes: s.notes ?? "",
    events: s.events.map(({ start_s: t, end_s: e, low_hz: i, high_hz: n, tag: o, confidence: a, notes: r }) => ({
      start_s: t,
      end_s: e,
      low_hz: i,
      high_hz: n,
      tag: o,
      confidence: a,
      notes: r ?? ""
    }))
  } : gt();
}
function L(s) {
  const t = (e, i) => Number(e.toFixed(i));
  return {
    ...s,
    start_s: t(s.start_s, 6),
    end_s: t(s.end_s, 6),
    low_hz: s.low_hz === null ? null : t(s.low_hz, 1),
    high_hz: s.high_hz === null ? null : t(s.high_hz, 1)
  };
}
function it(s, t) {
  return { ...s, events: [...s.events, L(t)] };
}
function $(s, t, e) {
  const i = s.events.map((n, o) => o === t ? L({ ...n, ...e }) : n);
  return { ...s, events: i };
}
function zt(s, t) {
  return { ...s, events: s.events.filter((e, i) => i !== t) };
}
function Et(s, t) {
  const e = s.tags.includes(t) ? s.tags.filter((i) => i !== t) : [...s.tags, t];
  return { ...s, tags: e };
}
function H(s) {
  return [...new Set(s.events.map((t) => t.tag).filter((t) => t !== null))];
}
function N(s, t) {
  const e = new Set(s);
  return e.size === new Set(t).size && t.every((i) => e.has(i));
}
function At(s, t) {
  if (!N(t.tags, s.tags) || !N(s.tags, H(s))) return t;
  const e = H(t);
  return N(e, t.tags) ? t : { ...t, tags: e };
}
function Ct(s) {
  return N(s.tags, H(s));
}
function P(s, t) {
  return { ...s, [t]: !s[t] };
}
function Pt(s, t) {
  return { ...s, notes: t };
}
function _(s) {
  const t = L(s);
  return JSON.stringify([t.start_s, t.end_s, t.low_hz, t.high_hz, t.tag, t.confidence, t.notes]);
}
function W(s, t) {
  const e = (i) => [...i].sort().join("|");
  return s.no_calls === t.no_calls && s.noise === t.noise && s.uncertain === t.uncertain && s.notes === t.notes && e(s.tags.map(String)) === e(t.tags.map(String)) && e(s.events.map(_)) === e(t.events.map(_));
}
function nt(s, t) {
  const e = new Set(t.events.map(_)), i = [...t.events, ...s.events.filter((o) => !e.has(_(o)))], n = s.notes === t.notes || !s.notes ? t.notes : t.notes ? `${t.notes}
---
${s.notes}` : s.notes;
  return {
    version: t.version,
    tags: [.../* @__PURE__ */ new Set([...t.tags, ...s.tags])],
    no_calls: (s.no_calls || t.no_calls) && i.length === 0,
    noise: s.noise || t.noise,
    uncertain: s.uncertain || t.uncertain,
    notes: n,
    events: i
  };
}
function mt(s, t) {
  const e = t === "box" && s.low_hz !== null && s.high_hz !== null;
  return L({
    start_s: s.start_s,
    end_s: s.end_s,
    low_hz: e ? s.low_hz : null,
    high_hz: e ? s.high_hz : null,
    tag: s.tag,
    confidence: null,
    notes: ""
  });
}
function Nt(s, t, e) {
  const i = _(mt(t, e));
  return s.events.some((n) => _({ ...n, confidence: null, notes: "" }) === i);
}
function Dt(s) {
  const t = [];
  s.no_calls && s.events.length > 0 && t.push(`"No calls" is set but there are ${s.events.length} boxes`);
  const e = s.events.filter((i) => i.tag === null).length;
  return e && t.push(`${e} box${e > 1 ? "es have" : " has"} no tag`), t;
}
function Bt(s) {
  return 2595 * Math.log10(1 + s / 700);
}
function It(s) {
  return 700 * (Math.pow(10, s / 2595) - 1);
}
const Lt = 1;
function f(s, t) {
  return s === "mel" ? Bt(t) : s === "log" ? Math.log(Math.max(t, Lt)) : t;
}
function b(s, t) {
  return s === "mel" ? It(t) : s === "log" ? Math.exp(t) : t;
}
function y(s, t, e) {
  return (s - t.start) / (t.end - t.start) * e.width;
}
function v(s, t, e) {
  return t.start + s / e.width * (t.end - t.start);
}
function E(s, t, e, i) {
  const n = f(i, t.low), o = f(i, t.high);
  return (o - f(i, s)) / (o - n) * e.height;
}
function x(s, t, e, i) {
  const n = f(i, t.low), o = f(i, t.high);
  return b(i, o - s / e.height * (o - n));
}
function Ft(s, t, e, i) {
  const n = y(s.start, t, e), o = y(s.end, t, e), a = E(s.high, t, e, i), r = E(s.low, t, e, i);
  return { x: n, y: a, w: o - n, h: r - a };
}
function Kt(s, t, e, i, n) {
  const o = Ft(s, e, i, n), a = Math.max(0, o.x), r = Math.max(0, o.y), c = Math.min(i.width, o.x + o.w), h = Math.min(i.height, o.y + o.h);
  if (c <= a || h <= r) return null;
  const d = t.width / o.w, p = t.height / o.h;
  return {
    src: { x: (a - o.x) * d, y: (r - o.y) * p, w: (c - a) * d, h: (h - r) * p },
    dst: { x: a, y: r, w: c - a, h: h - r }
  };
}
function K(s) {
  const t = s.end - s.start;
  return { bounds: s, minDuration: Math.max(2e-3, t / 2e3), minFreqFraction: 1 / 200 };
}
function Z(s, t, e, i) {
  const n = Math.min(t - s, i - e);
  let o = Math.min(Math.max(s, e), i - n);
  return o = Math.max(o, e), [o, o + n];
}
function wt(s, t, e, i, n, o, a) {
  const r = Math.min(Math.max((t - s) / e, n), a - o), c = (i - s) / (t - s);
  return Z(i - c * r, i - c * r + r, o, a);
}
function j(s, t, e, i) {
  const { bounds: n } = i, [o, a] = wt(s.start, s.end, t, e, i.minDuration, n.start, n.end);
  return { ...s, start: o, end: a };
}
function ot(s, t, e, i, n) {
  const o = f(n, i.bounds.low), a = f(n, i.bounds.high), r = (a - o) * i.minFreqFraction, c = (p) => f(n, p), [h, d] = wt(c(s.low), c(s.high), t, c(e), r, o, a);
  return { ...s, low: b(n, h), high: b(n, d) };
}
function jt(s, t, e, i, n, o) {
  const { bounds: a } = n, r = t / i.width * (s.end - s.start), [c, h] = Z(s.start - r, s.end - r, a.start, a.end);
  if (e === 0) return { ...s, start: c, end: h };
  const d = f(o, s.low), p = f(o, s.high), g = e / i.height * (p - d), [A, F] = Z(d + g, p + g, f(o, a.low), f(o, a.high));
  return { start: c, end: h, low: b(o, A), high: b(o, F) };
}
function k(s, t, e) {
  return Math.min(Math.max(s, t), e);
}
function w(s) {
  return s.low_hz === null || s.high_hz === null;
}
function D(s, t) {
  const e = y(s.start_s, t.view, t.size), i = y(s.end_s, t.view, t.size);
  if (w(s)) return { x: e, y: 0, w: i - e, h: t.size.height };
  const n = E(s.high_hz, t.view, t.size, t.scale), o = E(s.low_hz, t.view, t.size, t.scale);
  return { x: e, y: n, w: i - e, h: o - n };
}
function yt(s, t, e = 0) {
  return t.x >= s.x - e && t.x <= s.x + s.w + e && t.y >= s.y - e && t.y <= s.y + s.h + e;
}
function Vt(s, t, e, i) {
  if (!yt(s, t, e)) return null;
  const n = Math.abs(t.x - s.x) <= e, o = Math.abs(t.x - (s.x + s.w)) <= e;
  if (i) return n ? "w" : o ? "e" : null;
  const a = Math.abs(t.y - s.y) <= e, r = Math.abs(t.y - (s.y + s.h)) <= e;
  return (a ? "n" : r ? "s" : "") + (n ? "w" : o ? "e" : "") || null;
}
function V(s, t, e, i, n = 5) {
  if (i !== null && s[i]) {
    const r = Vt(D(s[i], e), t, n, w(s[i]));
    if (r) return { kind: "handle", index: i, handle: r };
  }
  let o = null, a = 1 / 0;
  for (let r = 0; r < s.length; r++) {
    const c = D(s[r], e), h = Math.abs(c.w * c.h);
    yt(c, t, 2) && h < a && (o = { kind: "inside", index: r }, a = h);
  }
  return o;
}
function Q(s, t) {
  const [e, i] = [Math.min(s.start_s, s.end_s), Math.max(s.start_s, s.end_s)], n = { ...s, start_s: k(e, t.start, t.end), end_s: k(i, t.start, t.end) };
  if (w(s)) return { ...n, low_hz: null, high_hz: null };
  const o = Math.min(s.low_hz, s.high_hz), a = Math.max(s.low_hz, s.high_hz);
  return { ...n, low_hz: k(o, t.low, t.high), high_hz: k(a, t.low, t.high) };
}
function rt(s, t, e, i, n) {
  const o = {
    start_s: v(s.x, e.view, e.size),
    end_s: v(t.x, e.view, e.size),
    low_hz: i ? null : x(t.y, e.view, e.size, e.scale),
    high_hz: i ? null : x(s.y, e.view, e.size, e.scale)
  };
  return Q(o, n);
}
function at(s, t, e, i = 3) {
  return Math.abs(s.x - t.x) >= i && (e || Math.abs(s.y - t.y) >= i);
}
function Rt(s, t, e, i, n) {
  const o = v(e.x, i.view, i.size) - v(t.x, i.view, i.size), a = s.end_s - s.start_s, r = k(s.start_s + o, n.start, n.end - a), c = { ...s, start_s: r, end_s: r + a };
  if (w(s)) return c;
  const h = (F) => f(i.scale, F), d = h(x(e.y, i.view, i.size, i.scale)) - h(x(t.y, i.view, i.size, i.scale)), p = h(s.low_hz), g = h(s.high_hz), A = k(d, h(n.low) - p, h(n.high) - g);
  return { ...c, low_hz: b(i.scale, p + A), high_hz: b(i.scale, g + A) };
}
function qt(s, t, e, i, n) {
  const o = v(e.x, i.view, i.size), a = x(e.y, i.view, i.size, i.scale), r = { ...s };
  return t.includes("w") && (r.start_s = o), t.includes("e") && (r.end_s = o), w(s) || (t.includes("n") && (r.high_hz = a), t.includes("s") && (r.low_hz = a)), Q(r, n);
}
function Ot(s) {
  return s.length === 2 ? `${s}-resize` : s === "n" || s === "s" ? "ns-resize" : "ew-resize";
}
const bt = "echoloop:draft:v1:";
function T(s, t) {
  return `${bt}${s}:${t ?? "new"}`;
}
class Ht {
  constructor(t, e = Date.now) {
    this.store = t, this.now = e;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(t, e, i) {
    const n = { taskId: t, version: e, savedAt: this.now(), draft: i };
    try {
      return this.store.setItem(T(t, e), JSON.stringify(n)), !0;
    } catch {
      return !1;
    }
  }
  load(t, e) {
    return this.parse(this.store.getItem(T(t, e)));
  }
  remove(t, e) {
    this.store.removeItem(T(t, e));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(t, e) {
    const i = T(t, e);
    return this.all().filter((n) => n.taskId === t && T(n.taskId, n.version) !== i).sort((n, o) => o.savedAt - n.savedAt);
  }
  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(t) {
    const e = this.now() - t, i = this.all().filter((n) => n.savedAt < e);
    for (const n of i) this.remove(n.taskId, n.version);
    return i.length;
  }
  all() {
    const t = [];
    for (let e = 0; e < this.store.length; e++) {
      const i = this.store.key(e);
      i && i.startsWith(bt) && t.push(i);
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
function Wt(s, t, e) {
  const i = s.load(t, e.version);
  if (i && !W(i.draft, e))
    return { draft: { ...i.draft, version: e.version }, restored: i, older: null };
  i && s.remove(t, e.version);
  const n = s.others(t, e.version).find((o) => !W(o.draft, e)) ?? null;
  return { draft: e, restored: null, older: n };
}
function l(s, t = {}, ...e) {
  const i = document.createElement(s);
  for (const [n, o] of Object.entries(t))
    o == null || o === !1 || (typeof o == "function" ? i.addEventListener(n.replace(/^on/, ""), o) : o === !0 ? i.setAttribute(n, "") : i.setAttribute(n, String(o)));
  for (const n of e) n != null && n !== !1 && i.append(n);
  return i;
}
function Zt(s) {
  return s instanceof HTMLElement ? s instanceof HTMLTextAreaElement || s.isContentEditable ? "text" : s instanceof HTMLSelectElement ? "line" : s instanceof HTMLInputElement ? ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(s.type) ? null : "line" : null : null;
}
function m(s, t) {
  document.activeElement !== s && s.value !== t && (s.value = t);
}
const X = {
  s: { type: "toggleView" },
  n: { type: "noCalls" },
  x: { type: "noise" },
  u: { type: "uncertain" },
  k: { type: "skip" },
  p: { type: "togglePredictions" },
  a: { type: "acceptPrediction" },
  h: { type: "panMode" },
  e: { type: "cycleExpansion" }
}, J = {
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
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 }
}, Xt = /* @__PURE__ */ new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]), vt = /* @__PURE__ */ new Set([...Object.keys(X), ...Object.keys(J)]);
function Jt(s, t) {
  const e = Yt(s, t);
  return e && s.repeat && !Xt.has(e.type) ? null : e;
}
function Yt(s, t) {
  const e = s.ctrlKey || s.metaKey;
  if (t.typing)
    return s.key === "Escape" ? { type: "blur" } : e && s.key === "Enter" ? { type: "submit" } : s.key === "Enter" && !t.multiline && !s.shiftKey && !s.altKey ? { type: "blur" } : null;
  if (e) return Ut(s);
  if (s.altKey) return null;
  if (s.key === "Tab") return { type: s.shiftKey ? "selectPrev" : "selectNext" };
  const i = xt(s);
  if (i !== null && i > 0) {
    const a = t.tags[i - 1];
    return a ? { type: "tag", tagId: a.id } : null;
  }
  if (s.key in J) return J[s.key];
  const n = s.key.length === 1 ? s.key.toLowerCase() : "";
  if (n === "a" && s.shiftKey) return { type: "acceptAllPredictions" };
  if (n in X) return X[n];
  const o = n ? t.tags.find((a) => (a.hotkey ?? "").toLowerCase() === n) : void 0;
  return o ? { type: "tag", tagId: o.id } : null;
}
function Ut(s) {
  if (s.altKey) return null;
  const t = s.key.toLowerCase();
  return t === "z" ? { type: s.shiftKey ? "redo" : "undo" } : t === "y" ? { type: "redo" } : s.key === "Enter" ? { type: "submit" } : null;
}
function xt(s) {
  if (/^[0-9]$/.test(s.key)) return Number(s.key);
  const t = /^Digit([0-9])$/.exec(s.code ?? "");
  return t && !s.shiftKey ? Number(t[1]) : null;
}
function Gt(s) {
  return new Set(s.filter((t) => t.hotkey && vt.has(t.hotkey.toLowerCase())).map((t) => t.id));
}
function Qt(s, t) {
  const e = [];
  t < 9 && e.push(String(t + 1));
  const i = (s[t].hotkey ?? "").toLowerCase();
  return i && !vt.has(i) && !/^[0-9]$/.test(i) && e.push(i), e.join(" ");
}
const tt = [
  { value: "cant_tell", label: "can't tell", key: "1" },
  { value: "broken_audio", label: "broken audio", key: "2" },
  { value: "other", label: "other (say why)", key: "3" }
];
function te(s, t) {
  if (s.ctrlKey || s.metaKey || s.altKey || s.repeat) return null;
  if (s.key === "Escape") return { type: "cancel" };
  if (s.key === "Enter") return { type: "confirm" };
  if (t) return null;
  const e = xt(s), i = tt.find((n) => Number(n.key) === e);
  return i ? { type: "choose", reason: i.value } : null;
}
function ee(s) {
  return s.reason === "other" ? s.note : tt.find((t) => t.value === s.reason)?.label ?? s.reason;
}
function se(s, t) {
  return s ? s === "other" && !t.trim() ? "Say in a few words why you skip it." : { reason: s, note: t.trim() } : "Choose a reason: 1, 2 or 3.";
}
const ie = [
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
  ["+ / − / 0", "zoom time in / out / reset"],
  ["wheel, Ctrl+wheel, Shift+wheel", "pan time, zoom time, zoom frequency"],
  ["middle drag, h", "pan; h toggles pan mode for the left button"],
  ["arrows", "pan"],
  ["p / a / Shift+A", "show predictions / accept selected / accept all above threshold"],
  ["Escape", "deselect, cancel, leave a text field"],
  ["?", "this help"]
], ne = {
  now: () => Date.now(),
  setTimeout: (s, t) => setTimeout(s, t),
  clearTimeout: (s) => clearTimeout(s)
};
function oe(s, t, e = 15e3) {
  return Math.max(e, Math.floor((s - t) / 2));
}
class re {
  constructor(t, e, i = ne) {
    this.renew = t, this.events = e, this.clock = i;
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
    const t = oe(this.expiresAt, this.clock.now());
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
const Y = [1, 5, 10, 20], ae = 3e3;
function le(s, t, e) {
  return s + t / e;
}
function U(s, t) {
  return s / t >= ae;
}
class he {
  constructor(t, e) {
    this.onTick = t, this.onState = e;
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
    const e = new Audio();
    e.preload = "auto", e.src = t.url, e.addEventListener("ended", () => this.stop()), e.addEventListener("error", () => {
      const i = e.error;
      this.audio === e && this.onState("error", `audio error${i ? ` ${i.code}: ${i.message}` : ""}`);
    }), this.audio = e, this.segment = t;
  }
  loop = () => {
    const { audio: t, segment: e } = this;
    !t || !e || t.paused || (this.onTick(Math.min(e.end, le(e.start, t.currentTime, e.expansion))), this.frame = requestAnimationFrame(this.loop));
  };
}
class ce {
  constructor(t, e) {
    this.canvas = t, this.host = e, t.addEventListener("pointerdown", (i) => this.down(i)), t.addEventListener("pointermove", (i) => this.move(i)), t.addEventListener("pointerup", (i) => this.up(i)), t.addEventListener("pointercancel", () => this.cancel()), t.addEventListener("pointerleave", () => this.host.setCursor(null)), t.addEventListener("wheel", (i) => this.wheel(i), { passive: !1 }), t.addEventListener("auxclick", (i) => i.preventDefault()), t.addEventListener("contextmenu", (i) => i.preventDefault());
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
    const e = this.canvas.getBoundingClientRect();
    return { x: t.clientX - e.left, y: t.clientY - e.top };
  }
  down(t) {
    if (t.button !== 0 && t.button !== 1) return;
    t.preventDefault(), this.canvas.focus({ preventScroll: !0 }), this.canvas.setPointerCapture(t.pointerId);
    const e = this.point(t);
    if (t.button === 1 || this.host.panMode()) {
      this.drag = { kind: "pan", last: e }, this.canvas.style.cursor = "grabbing";
      return;
    }
    const i = this.host, n = i.draft(), o = t.shiftKey ? null : V(n.events, e, i.geometry(), i.selected());
    if (o && o.kind === "handle" && i.canEdit())
      this.drag = { kind: "resize", index: o.index, handle: o.handle, orig: n.events[o.index], before: n };
    else if (o)
      i.select(o.index), i.canEdit() && (this.drag = { kind: "move", index: o.index, from: e, orig: n.events[o.index], before: n, moved: !1 });
    else {
      const a = i.visiblePredictions(), r = V(a.map((h) => h.p), e, i.geometry(), null);
      i.select(null), i.selectPrediction(null);
      const c = r ? a[r.index].index : null;
      i.canEdit() ? this.drag = { kind: "draw", from: e, prediction: c } : c !== null && i.selectPrediction(c);
    }
  }
  move(t) {
    const e = this.point(t), i = this.host;
    i.setCursor(e);
    const n = this.drag;
    if (!n) {
      this.hover(e);
      return;
    }
    const o = i.geometry();
    n.kind === "pan" ? (i.pan(e.x - n.last.x, e.y - n.last.y), n.last = e) : n.kind === "draw" ? i.setDrawing(at(n.from, e, i.interval()) ? rt(n.from, e, o, i.interval(), i.boxBounds()) : null) : n.kind === "move" ? (n.moved ||= Math.abs(e.x - n.from.x) + Math.abs(e.y - n.from.y) >= 2, n.moved && i.preview($(n.before, n.index, Rt(n.orig, n.from, e, o, i.boxBounds())))) : i.preview($(n.before, n.index, qt(n.orig, n.handle, e, o, i.boxBounds())));
  }
  up(t) {
    const e = this.drag;
    if (this.drag = null, this.canvas.style.cursor = "", !e) return;
    const i = this.point(t), n = this.host;
    if (e.kind === "draw")
      n.setDrawing(null), at(e.from, i, n.interval()) ? n.addBox(rt(e.from, i, n.geometry(), n.interval(), n.boxBounds())) : e.prediction !== null && n.selectPrediction(e.prediction);
    else if (e.kind === "move" || e.kind === "resize") {
      const o = n.draft();
      o !== e.before && (e.kind === "resize" || e.moved) && n.commit(o, e.before);
    }
  }
  hover(t) {
    const e = this.host;
    if (e.panMode()) {
      this.canvas.style.cursor = "grab";
      return;
    }
    const i = V(e.draft().events, t, e.geometry(), e.selected());
    this.canvas.style.cursor = i ? i.kind === "handle" ? Ot(i.handle) : "move" : "crosshair";
  }
  wheel(t) {
    t.preventDefault();
    const e = t.deltaMode === 1 ? 16 : t.deltaMode === 2 ? 400 : 1, i = this.point(t), n = (t.deltaY || t.deltaX) * e;
    t.ctrlKey || t.metaKey ? this.host.zoomTime(Math.exp(-n * 2e-3), i) : t.shiftKey ? this.host.zoomFreq(Math.exp(-n * 2e-3), i) : this.host.pan(-n, 0);
  }
}
function de(s) {
  if (!(s instanceof S)) return { kind: "retry", message: String(s?.message ?? s) };
  const t = s.body;
  if (s.status === 409) {
    const e = t && typeof t == "object" ? t.current ?? null : null, i = t && typeof t == "object" && typeof t.detail == "string" ? t.detail : "";
    return { kind: "conflict", current: e, message: i || "Someone else saved this clip meanwhile." };
  }
  if (s.status === 400) {
    const e = M(s.body);
    return { kind: "invalid", messages: e.length ? e : [s.message] };
  }
  return s.status === 0 || s.status >= 500 || s.status === 429 || s.status === 408 ? { kind: "retry", message: s.message } : { kind: "fatal", message: s.message };
}
function ue(s, t = Math.random) {
  const e = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, s)));
  return Math.round(e * (1 + 0.2 * t()));
}
class pe {
  constructor(t, e, i) {
    this.post = t, this.current = e, this.on = i;
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
    let i = null;
    try {
      await this.post(t, e);
    } catch (n) {
      i = de(n);
    }
    if (this.inFlight = !1, this.on.busy(!1), !i) return this.succeed(e);
    this.fail(i, t, e);
  }
  /** Stop retrying (another task is opening). */
  cancel() {
    clearTimeout(this.timer), this.attempt = 0;
  }
  succeed(t) {
    this.attempt = 0, this.on.done(t);
  }
  fail(t, e, i) {
    if (t.kind === "retry") {
      const o = ue(this.attempt++);
      this.on.status(`Submit failed (${t.message}). Your draft is kept; retrying in ${Math.round(o / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(e);
      }, o);
      return;
    }
    if (this.attempt = 0, t.kind === "conflict")
      return t.current && W(O(t.current), i) ? this.on.done(i) : this.on.conflict(t.current, t.message);
    const n = t.kind === "invalid" ? t.messages.join("; ") : t.message;
    this.on.status(`Not saved: ${n} (your draft is kept)`, "error");
  }
}
function et(s) {
  const t = Math.pow(10, Math.floor(Math.log10(s)));
  for (const e of [1, 2, 5, 10]) if (e * t >= s * (1 - 1e-9)) return e * t;
  return 10 * t;
}
function kt(s) {
  return Math.max(0, Math.ceil(-Math.log10(s) - 1e-9));
}
function fe(s, t) {
  return `${s.toFixed(kt(t))} s`;
}
function G(s) {
  const t = Math.abs(s);
  return t < 1 ? `${(s * 1e3).toFixed(t < 0.01 ? 2 : 1)} ms` : `${s.toFixed(3)} s`;
}
function ge(s, t) {
  return `${Number((s / 1e3).toFixed(kt(t / 1e3)))} kHz`;
}
function St(s, t, e) {
  const i = [], n = Math.ceil(s / e - 1e-9);
  for (let o = n; o * e <= t + e * 1e-9; o++) i.push(Number((o * e).toPrecision(12)));
  return i;
}
function me(s, t, e = 90) {
  const i = s.end - s.start;
  if (!(i > 0) || t <= 0) return [];
  const n = et(i * e / t), o = { width: t };
  return St(s.start, s.end, n).map((a) => ({
    value: a,
    pos: y(a, s, o),
    label: fe(a, n)
  }));
}
function we(s, t, e, i = 26) {
  const n = s.high - s.low;
  if (!(n > 0) || t <= 0) return [];
  const o = { height: t }, a = et(n * i / t / (e === "linear" ? 1 : 4)), r = St(s.low, s.high, a).map((h) => ({
    value: h,
    pos: E(h, s, o, e),
    label: "",
    rank: ye(h, a)
  }));
  r.sort((h, d) => d.rank - h.rank || h.value - d.value);
  const c = [];
  for (const h of r) c.every((d) => Math.abs(d.pos - h.pos) >= i) && c.push(h);
  return c.sort((h, d) => d.pos - h.pos).map(({ value: h, pos: d }) => ({ value: h, pos: d, label: ge(h, a) }));
}
function ye(s, t) {
  let e = 0, i = t;
  for (let n = 0; n < 12 && (i = et(i * 1.5), !(Math.abs(s / i - Math.round(s / i)) > 1e-6)); n++)
    e++;
  return e;
}
const lt = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"], ht = "#ffffff";
function B(s, t) {
  if (t === null) return ht;
  const e = s.findIndex((i) => i.id === t);
  return e < 0 ? ht : s[e].color || lt[e % lt.length];
}
function z(s, t) {
  if (t === null) return "no tag";
  const e = s.find((i) => i.id === t);
  return e ? e.display_name || `${e.key}: ${e.value}` : `tag ${t}`;
}
function R(s, t) {
  const e = window.devicePixelRatio || 1, i = Math.round(t.width * e), n = Math.round(t.height * e);
  (s.width !== i || s.height !== n) && (s.width = i, s.height = n);
  const o = s.getContext("2d");
  return o.setTransform(e, 0, 0, e, 0, 0), o;
}
function be(s, t) {
  const { width: e, height: i } = t.size, n = { view: t.view, size: t.size, scale: t.scale };
  s.fillStyle = "#000", s.fillRect(0, 0, e, i), s.imageSmoothingEnabled = !0;
  for (const a of t.images) {
    const r = Kt(a.extent, a.bitmap, t.view, t.size, t.scale);
    r && s.drawImage(a.bitmap, r.src.x, r.src.y, r.src.w, r.src.h, r.dst.x, r.dst.y, r.dst.w, r.dst.h);
  }
  ve(s, t);
  const o = [];
  t.predictions.forEach((a, r) => ke(s, a, n, t, r === t.selectedPrediction, o)), t.events.forEach((a, r) => ct(s, a, n, B(t.tags, a.tag), z(t.tags, a.tag), r === t.selected)), t.drawing && ct(s, t.drawing, n, B(t.tags, t.drawing.tag), z(t.tags, t.drawing.tag), !0, !0), t.playhead !== null && Se(s, y(t.playhead, t.view, t.size), i), t.cursor && _e(s, t.cursor, t.size);
}
function ve(s, t) {
  const e = y(t.clip.start, t.view, t.size), i = y(t.clip.end, t.view, t.size), { width: n, height: o } = t.size;
  s.fillStyle = "rgba(0, 0, 0, 0.5)", e > 0 && s.fillRect(0, 0, Math.min(e, n), o), i < n && s.fillRect(Math.max(i, 0), 0, n - Math.max(i, 0), o), s.save(), s.strokeStyle = "rgba(255, 255, 255, 0.8)", s.setLineDash([6, 4]), s.lineWidth = 1;
  for (const a of [e, i])
    a < 0 || a > n || (s.beginPath(), s.moveTo(Math.round(a) + 0.5, 0), s.lineTo(Math.round(a) + 0.5, o), s.stroke());
  s.restore();
}
function _t(s, t, e, i, n, o = !1, a) {
  s.font = `${o ? "italic " : ""}12px system-ui, sans-serif`;
  const r = s.measureText(t).width + 6, c = Math.max(0, e), h = Math.max(0, i - 16);
  if (a) {
    if (a.some((d) => c < d.x + d.w && d.x < c + r && h < d.y + d.h && d.y < h + 16)) return;
    a.push({ x: c, y: h, w: r, h: 16 });
  }
  s.fillStyle = "rgba(0, 0, 0, 0.7)", s.fillRect(c, h, r, 16), s.fillStyle = n, s.textBaseline = "middle", s.fillText(t, c + 3, h + 8);
}
function ct(s, t, e, i, n, o, a = !1) {
  const r = D(t, e);
  s.save(), s.fillStyle = i, s.globalAlpha = w(t) ? 0.18 : 0.1, s.fillRect(r.x, r.y, r.w, r.h), s.globalAlpha = 1, s.strokeStyle = i, s.lineWidth = o ? 2.5 : 1.5, a && s.setLineDash([4, 3]), s.strokeRect(r.x, r.y, r.w, r.h), s.setLineDash([]), _t(s, n, r.x, w(t) ? 18 : r.y, i), o && !a && xe(s, r, w(t), i), s.restore();
}
function xe(s, t, e, i) {
  const n = [t.x, t.x + t.w / 2, t.x + t.w], o = e ? [t.y + t.h / 2] : [t.y, t.y + t.h / 2, t.y + t.h];
  s.fillStyle = "#fff", s.strokeStyle = i, s.lineWidth = 1;
  for (const a of n)
    for (const r of o)
      a === n[1] && (e || r === o[1]) || (s.fillRect(a - 3.5, r - 3.5, 7, 7), s.strokeRect(a - 3.5, r - 3.5, 7, 7));
}
function ke(s, t, e, i, n, o) {
  const a = D(t, e), r = B(i.tags, t.tag);
  s.save(), s.strokeStyle = r, s.lineWidth = n ? 2.5 : 1.25, s.setLineDash([5, 4]), s.strokeRect(a.x, a.y, a.w, a.h), s.restore(), _t(s, `${t.label} ${t.score.toFixed(2)}`, a.x, w(t) ? 36 : a.y + a.h + 16, r, !0, n ? void 0 : o);
}
function Se(s, t, e) {
  s.save(), s.strokeStyle = "#ffeb3b", s.lineWidth = 2, s.beginPath(), s.moveTo(t, 0), s.lineTo(t, e), s.stroke(), s.restore();
}
function _e(s, t, e) {
  s.save(), s.strokeStyle = "rgba(255, 255, 255, 0.45)", s.lineWidth = 1, s.beginPath(), s.moveTo(0, Math.round(t.y) + 0.5), s.lineTo(e.width, Math.round(t.y) + 0.5), s.moveTo(Math.round(t.x) + 0.5, 0), s.lineTo(Math.round(t.x) + 0.5, e.height), s.stroke(), s.restore();
}
const Tt = "11px system-ui, sans-serif", I = "#cfd8dc";
function Te(s, t, e, i) {
  s.clearRect(0, 0, e.width, e.height), s.strokeStyle = I, s.fillStyle = I, s.font = Tt, s.textAlign = "center", s.textBaseline = "top", s.lineWidth = 1;
  for (const n of me(t, e.width)) {
    const o = Math.round(n.pos) + 0.5;
    s.beginPath(), s.moveTo(o, 0), s.lineTo(o, 5), s.stroke(), s.fillText(n.label, Math.min(Math.max(n.pos, 24), e.width - 24), 7);
  }
  s.fillStyle = "#ffffff";
  for (const n of [i.start, i.end]) {
    const o = y(n, t, e);
    o < 0 || o > e.width || (s.beginPath(), s.moveTo(o - 4, 0), s.lineTo(o + 4, 0), s.lineTo(o, 5), s.fill());
  }
}
function Me(s, t, e, i) {
  s.clearRect(0, 0, e.width, e.height), s.strokeStyle = I, s.fillStyle = I, s.font = Tt, s.textAlign = "right", s.textBaseline = "middle";
  for (const n of we(t, e.height, i)) {
    const o = Math.round(n.pos) + 0.5;
    s.beginPath(), s.moveTo(e.width - 5, o), s.lineTo(e.width, o), s.stroke(), s.fillText(n.label, e.width - 7, Math.min(Math.max(n.pos, 7), e.height - 7));
  }
}
function u(s, t, e, i = "") {
  return l("button", { type: "button", title: t, class: i, onclick: (n) => (e(), n.currentTarget.blur()) }, s);
}
function q(s) {
  return s.display_name || s.value;
}
function $e(s) {
  const t = [];
  if (s.returned_to) {
    const e = s.return_note ? `: “${s.return_note}”` : "", i = s.annotation ? " Your earlier answer is loaded: fix it and submit." : "";
    t.push(`A lead sent this clip back${e}.${i}`);
  }
  return s.your_last_skip && t.push(`You skipped this clip before (${s.your_last_skip.why}); nothing else is waiting for you.`), t;
}
function ze(s, t, e) {
  const i = s.toFixed(2);
  if (!e && t !== null)
    return { short: `${i} (model's calibrated threshold)`, long: `Showing predictions scoring at least ${i}: the model's threshold on its calibrated scores` };
  if (e) {
    const n = t === null ? "" : `; the model's calibrated threshold is ${t.toFixed(2)}`;
    return { short: `${i} (yours)`, long: `Showing predictions scoring at least ${i}, your choice${n}` };
  }
  return { short: i, long: `Prediction score threshold: showing predictions scoring at least ${i}` };
}
class Ee {
  constructor(t, e, i) {
    this.root = t, this.project = e, this.handlers = i, this.helpDialog = this.buildHelp(), this.main = l(
      "div",
      { class: "el-app" },
      l("header", { class: "el-header" }, l("strong", {}, e.name), this.header, u("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.taskNote,
      this.notice,
      this.conflict,
      l(
        "div",
        { class: "el-body" },
        l("div", { class: "el-viewer" }, l("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, l("div"), this.timeAxis), this.readout),
        this.buildSide()
      ),
      l("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog,
      this.skipChooser.dialog
    ), this.retry.hidden = !0, t.replaceChildren(this.main);
  }
  root;
  project;
  handlers;
  canvas = l("canvas", { id: "spectrogram-canvas", tabindex: 0, role: "img", "aria-label": "Spectrogram: drag to draw a box" });
  plot = l("div", { class: "el-plot" }, this.canvas);
  timeAxis = l("canvas", { class: "el-time-axis" });
  freqAxis = l("canvas", { class: "el-freq-axis" });
  readout = l("div", { class: "el-readout" }, " ");
  status = l("span", { class: "el-status", role: "status", "aria-live": "polite" });
  draftState = l("span", { class: "el-draft-state" });
  retry = u("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  header = l("span", { class: "el-task" });
  notice = l("div", { class: "el-notice", hidden: !0 });
  taskNote = l("div", { class: "el-task-note", role: "note", hidden: !0 });
  clipTagsHint = l("p", { class: "el-muted el-clip-tags-hint" });
  skipChooser = new Ae();
  conflict = l("div", { class: "el-conflict", hidden: !0 });
  tagButtons = /* @__PURE__ */ new Map();
  clipTagBoxes = /* @__PURE__ */ new Map();
  flagButtons = /* @__PURE__ */ new Map();
  notesArea = l("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  inspector = l("div", { class: "el-inspector" });
  pendingLabel = l("div", { class: "el-pending" });
  viewButton = u("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  normSelect = l("select", { title: "Spectrogram normalisation" }, l("option", { value: "db" }, "dB"), l("option", { value: "pcen" }, "PCEN"));
  dbMin = l("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  dbMax = l("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  dbText = l("span", { class: "el-db-text" });
  panButton = u("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  playButton = u("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  expansionSelect = l("select", { title: "Playback slow-down (e)" });
  predToggle = l("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  threshold = l("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  thresholdText = l("span", { class: "el-threshold-text" }, "0.50");
  predInfo = l("span", { class: "el-pred-info" });
  helpDialog;
  submitButton = u("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  skipButton = u("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  main;
  buildToolbar() {
    const t = this.project.settings;
    for (const i of [this.dbMin, this.dbMax])
      i.min = String(Math.min(-140, t.db_min - 20)), i.max = String(Math.max(40, t.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const e = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", e), this.dbMax.addEventListener("input", e);
    for (const i of Y) this.expansionSelect.append(l("option", { value: i }, `${i}×`));
    Y.includes(t.time_expansion) || this.expansionSelect.append(l("option", { value: t.time_expansion }, `${t.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const i of [this.dbMin, this.dbMax, this.threshold]) i.addEventListener("change", () => i.blur());
    return l(
      "div",
      { class: "el-toolbar" },
      l("div", { class: "el-group" }, this.viewButton, this.normSelect),
      l("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      l(
        "div",
        { class: "el-group" },
        u("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        u("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        u("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton
      ),
      l("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      l(
        "div",
        { class: "el-group" },
        l("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        u("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo
      )
    );
  }
  buildSide() {
    const t = this.project.tags, e = Gt(t), i = l("div", { class: "el-tag-list" }), n = l("div", { class: "el-clip-tags" });
    t.forEach((r, c) => {
      const h = Qt(t, c), d = e.has(r.id) ? ` (hotkey "${r.hotkey}" is taken by a built-in key)` : "", p = u("", `${z(t, r.id)}${d}`, () => this.handlers.tag(r.id), "el-tag");
      p.append(l("span", { class: "el-swatch", style: `background:${B(t, r.id)}` }), l("kbd", {}, h || "·"), ` ${q(r)}`), this.tagButtons.set(r.id, p), i.append(p);
      const g = l("input", { type: "checkbox", "data-tag": r.id });
      g.addEventListener("change", () => (this.handlers.toggleClipTag(r.id), g.blur())), this.clipTagBoxes.set(r.id, g), n.append(l("label", { title: z(t, r.id) }, g, ` ${q(r)}`));
    });
    const o = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], a = l("div", { class: "el-flags" });
    for (const [r, c, h] of o) {
      const d = u(`${c} (${h})`, `${c} (${h})`, () => this.handlers.flag(r), "el-flag");
      d.setAttribute("aria-pressed", "false"), this.flagButtons.set(r, d), a.append(d);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), l(
      "aside",
      { class: "el-side" },
      l("section", {}, l("h2", {}, "Box tag"), this.pendingLabel, i),
      l("section", {}, l("h2", {}, "Selected box"), this.inspector),
      l("section", {}, l("h2", {}, "Clip"), a, n, this.clipTagsHint, this.notesArea)
    );
  }
  buildHelp() {
    const t = ie.map(([i, n]) => l("tr", {}, l("th", {}, i), l("td", {}, n)));
    return l("dialog", { class: "el-help" }, l("h2", {}, "Keyboard"), l("table", {}, ...t), l("form", { method: "dialog" }, l("button", {}, "Close")));
  }
  toggleHelp() {
    this.helpDialog.open ? this.helpDialog.close() : this.helpDialog.showModal();
  }
  setTask(t) {
    const e = t.clip, i = e.recording;
    this.header.textContent = ` · ${i.name} · ${e.start_s.toFixed(3)}–${e.end_s.toFixed(3)} s · task ${t.id}${t.reason ? ` · ${t.reason}` : ""}`, this.header.title = `lease expires ${new Date(t.lease_expires_at).toLocaleTimeString()}`;
    for (const o of Array.from(this.expansionSelect.options)) {
      const a = U(i.samplerate, Number(o.value));
      o.disabled = !a, o.title = a ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    const n = $e(t);
    this.taskNote.replaceChildren(...n.map((o) => l("p", {}, o))), this.taskNote.hidden = n.length === 0, this.hideConflict(), this.hideNotice();
  }
  /** Ask why the annotator skips (keys 1/2/3, Enter, Escape); null if they go back to the clip. */
  askSkipReason() {
    return this.skipChooser.ask();
  }
  updateToolbar(t) {
    this.viewButton.textContent = t.kind === "spectrogram" ? "Spectrogram (s)" : "Scalogram (s)", this.normSelect.disabled = t.kind !== "spectrogram", m(this.normSelect, t.norm), m(this.dbMin, String(t.dbMin)), m(this.dbMax, String(t.dbMax)), this.dbText.textContent = `${t.dbMin} … ${t.dbMax}`, this.panButton.setAttribute("aria-pressed", String(t.panMode)), this.playButton.textContent = t.playing ? "❚❚ Pause" : "▶ Play", m(this.expansionSelect, String(t.expansion));
  }
  updatePredictions(t) {
    this.predToggle.checked = t.show, m(this.threshold, String(t.threshold));
    const e = ze(t.threshold, t.served, t.chosen);
    this.thresholdText.textContent = e.short, this.threshold.title = this.thresholdText.title = e.long, this.predInfo.textContent = t.model ? `${t.model}: ${t.shown}/${t.count}` : "no model";
  }
  updateDraft(t, e, i, n) {
    const o = this.project.tags, a = e ? e.tag : i;
    for (const [h, d] of this.tagButtons) d.classList.toggle("el-active", h === a);
    const r = o.find((h) => h.id === i);
    this.pendingLabel.textContent = e ? "Keys set the selected box's tag" : `Next box: ${r ? q(r) : "no tag"}`;
    for (const [h, d] of this.clipTagBoxes) d.checked = t.tags.includes(h);
    const c = Ct(t);
    this.clipTagsHint.textContent = c ? "Clip tags follow the boxes' tags until you change them." : "Clip tags as you set them.";
    for (const [h, d] of this.flagButtons) d.setAttribute("aria-pressed", String(t[h]));
    m(this.notesArea, t.notes), this.updateInspector(e, n);
  }
  inspectorBuilt = !1;
  updateInspector(t, e) {
    if (!t) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(l("p", { class: "el-muted" }, e === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const i = (o) => this.inspector.querySelector(`[name=${o}]`);
    m(i("start_s"), t.start_s.toFixed(4)), m(i("end_s"), t.end_s.toFixed(4));
    const n = t.low_hz !== null && t.high_hz !== null;
    for (const o of ["low_hz", "high_hz"]) i(o).closest("label").hidden = !n;
    n && (m(i("low_hz"), (t.low_hz / 1e3).toFixed(2)), m(i("high_hz"), (t.high_hz / 1e3).toFixed(2))), m(this.inspector.querySelector("select"), t.tag === null ? "" : String(t.tag)), m(i("confidence"), t.confidence === null ? "" : String(t.confidence)), m(i("notes"), t.notes), this.inspector.querySelector(".el-duration").textContent = `${G(t.end_s - t.start_s)}${n ? ` · ${((t.high_hz - t.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const t = (r, c, h, d) => {
      const p = l("input", { type: "number", name: r, step: h });
      return p.addEventListener("change", () => {
        const g = d(p.value);
        g === null && r !== "confidence" || this.handlers.editEvent({ [r]: g }, r);
      }), l("label", {}, c, p);
    }, e = (r) => r.trim() === "" || !Number.isFinite(Number(r)) ? null : Number(r), i = (r) => e(r) === null ? null : Number(r) * 1e3, n = l("select", { name: "tag" }, l("option", { value: "" }, "no tag"), ...this.project.tags.map((r) => l("option", { value: r.id }, z(this.project.tags, r.id))));
    n.addEventListener("change", () => this.handlers.editEvent({ tag: n.value === "" ? null : Number(n.value) }, "tag"));
    const o = l("input", { type: "text", name: "notes", placeholder: "box notes" });
    o.addEventListener("input", () => this.handlers.editEvent({ notes: o.value }, "notes"));
    const a = t("confidence", "confidence", "0.05", (r) => e(r) === null ? null : Math.min(1, Math.max(0, Number(r))));
    this.inspector.replaceChildren(
      l("div", { class: "el-grid" }, t("start_s", "start s", "0.0001", e), t("end_s", "end s", "0.0001", e), t("low_hz", "low kHz", "0.01", i), t("high_hz", "high kHz", "0.01", i)),
      l("label", {}, "tag ", n),
      a,
      o,
      l("div", { class: "el-row" }, l("span", { class: "el-duration el-muted" }), u("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
    );
  }
  /** Freeze the text fields and the submit/skip buttons while a request is out. */
  setBusy(t) {
    for (const e of this.main.querySelectorAll(".el-side input, .el-side textarea"))
      e.type === "checkbox" ? e.disabled = t : e.readOnly = t;
    this.submitButton.disabled = t, this.skipButton.disabled = t;
  }
  setStatus(t, e = "info", i = !1) {
    this.status.textContent = t, this.status.dataset.level = e, this.retry.hidden = !i;
  }
  setDraftState(t) {
    this.draftState.textContent = t;
  }
  showNotice(t, e = []) {
    this.notice.replaceChildren(l("span", {}, t), ...e.map((i) => u(i.label, i.label, () => (this.hideNotice(), i.run()))), u("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(t, e, i) {
    this.conflict.replaceChildren(
      l("strong", {}, t),
      l("ul", {}, ...e.map((n) => l("li", {}, n))),
      l("div", { class: "el-row" }, ...i.map((n) => u(n.label, n.label, () => (this.hideConflict(), n.run()))))
    ), this.conflict.hidden = !1;
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
class Ae {
  dialog;
  options = /* @__PURE__ */ new Map();
  note = l("input", { type: "text", class: "el-skip-note", maxlength: 500, placeholder: "why (needed for “other”)", "aria-label": "Why you skip this clip" });
  problem = l("p", { class: "el-skip-problem", role: "alert" });
  reason = null;
  settle = null;
  constructor() {
    const t = l("div", { class: "el-skip-options", role: "radiogroup" });
    for (const e of tt) {
      const i = u("", e.label, () => this.choose(e.value), "el-skip-option");
      i.setAttribute("role", "radio"), i.dataset.reason = e.value, i.append(l("kbd", {}, e.key), ` ${e.label}`), this.options.set(e.value, i), t.append(i);
    }
    this.dialog = l(
      "dialog",
      { class: "el-skip" },
      l("h2", {}, "Why skip this clip?"),
      l("p", { class: "el-muted" }, "It goes to the end of your queue; leads see the reason."),
      t,
      this.note,
      this.problem,
      l("div", { class: "el-row" }, u("Skip ⏎", "Skip with this reason (Enter)", () => this.confirm(), "el-primary"), u("Back (Esc)", "Back to the clip (Escape)", () => this.close(null)))
    ), this.dialog.addEventListener("keydown", (e) => this.onKey(e)), this.dialog.addEventListener("cancel", (e) => (e.preventDefault(), this.close(null)));
  }
  ask() {
    return this.reason = null, this.note.value = "", this.problem.textContent = "", this.refresh(), this.dialog.showModal(), this.dialog.focus(), new Promise((t) => this.settle = t);
  }
  onKey(t) {
    const e = te(t, t.target === this.note);
    e && (t.preventDefault(), t.stopPropagation(), e.type === "choose" ? this.choose(e.reason) : e.type === "confirm" ? this.confirm() : this.close(null));
  }
  choose(t) {
    this.reason = t, this.problem.textContent = "", this.refresh(), t === "other" && this.note.focus();
  }
  confirm() {
    const t = se(this.reason, this.note.value);
    if (typeof t == "string") {
      this.problem.textContent = t, this.reason === "other" && this.note.focus();
      return;
    }
    this.close(t);
  }
  close(t) {
    this.dialog.open && this.dialog.close(), this.settle?.(t), this.settle = null;
  }
  refresh() {
    for (const [t, e] of this.options) e.setAttribute("aria-checked", String(t === this.reason));
  }
}
function Ce(s, t, e, i) {
  s.replaceChildren(
    l(
      "div",
      { class: "el-empty" },
      l("h1", {}, "Queue empty"),
      l("p", {}, `No clips are waiting for you in ${t}. New ones appear after the next sampling round.`),
      l("p", {}, u("Check again", "Ask for the next clip again", i, "el-primary"), e ? l("a", { href: e }, "Back to the project") : null)
    )
  );
}
function Pe(s, t, e) {
  s.replaceChildren(l("div", { class: "el-empty el-error" }, l("h1", {}, "Could not load the annotator"), l("p", {}, t), l("p", {}, u("Try again", "Try again", e, "el-primary"))));
}
function dt(s = 300) {
  return { past: [], future: [], lastKey: null, limit: s };
}
function Ne(s, t, e = null) {
  if (e !== null && e === s.lastKey && s.past.length > 0)
    return { ...s, future: [] };
  const i = [...s.past, t].slice(-s.limit);
  return { ...s, past: i, future: [], lastKey: e };
}
function De(s, t) {
  return s.past.length === 0 ? null : {
    state: s.past[s.past.length - 1],
    stack: { ...s, past: s.past.slice(0, -1), future: [t, ...s.future], lastKey: null }
  };
}
function Be(s, t) {
  if (s.future.length === 0) return null;
  const [e, ...i] = s.future;
  return {
    state: e,
    stack: { ...s, past: [...s.past, t].slice(-s.limit), future: i, lastKey: null }
  };
}
const Ie = 12;
class Le {
  constructor(t, e, i) {
    this.api = t, this.onChange = e, this.onError = i;
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
    const e = JSON.stringify(t);
    this.baseKey = e;
    let i;
    try {
      i = await this.get(t);
    } catch (n) {
      if (this.baseKey !== e) return null;
      throw this.onError(`image failed: ${n.message}`), n;
    }
    return this.baseKey !== e ? null : (this.base = i, this.detail && this.detail.kind !== t.kind && (this.detail = null), this.onChange(), i);
  }
  /** Warm the cache (e.g. the other view kind), ignoring failures. */
  prefetch(t) {
    this.get(t).catch(() => {
    });
  }
  /** Ask for a detail image after `delayMs` of quiet; null drops the detail image. */
  requestDetail(t, e = 250) {
    if (this.cancelDetail(), !t) {
      this.detail && (this.detail = null, this.shownDetailKey = "", this.onChange());
      return;
    }
    const i = JSON.stringify(t);
    i === this.shownDetailKey && this.detail || (this.detailTimer = setTimeout(() => this.loadDetail(t, i), e));
  }
  async loadDetail(t, e) {
    this.detailKey = e;
    const i = new AbortController();
    this.detailAbort = i;
    try {
      const n = await this.get(t, i.signal);
      if (this.detailKey !== e || i.signal.aborted) return;
      this.detail = n, this.shownDetailKey = e, this.onChange();
    } catch (n) {
      i.signal.aborted || this.onError(`zoomed image failed: ${n.message}`);
    }
  }
  cancelDetail() {
    clearTimeout(this.detailTimer), this.detailAbort?.abort(), this.detailAbort = null, this.detailKey = "";
  }
  get(t, e) {
    const i = JSON.stringify(t);
    let n = this.cache.get(i);
    for (n ? this.cache.delete(i) : (n = this.api.image(t.kind, t.rid, t.params, e), n.catch(() => this.cache.delete(i))), this.cache.set(i, n); this.cache.size > Ie; ) this.cache.delete(this.cache.keys().next().value);
    return n;
  }
}
const ut = { width: 1600, height: 512 }, pt = 1.5;
class Fe {
  constructor(t, e, i, n, o) {
    this.project = t, this.ui = i, this.overlay = n, this.images = new Le(e, () => this.render(), (a) => o(a, "error")), [this.dbMin, this.dbMax] = [t.settings.db_min, t.settings.db_max];
  }
  project;
  ui;
  overlay;
  images;
  kind = "spectrogram";
  norm = "db";
  dbMin;
  dbMax;
  view = { start: 0, end: 1, low: 0, high: 1 };
  size = { width: 800, height: 400 };
  cursor = null;
  drawing = null;
  playhead = null;
  limits = K(this.view);
  task = null;
  userZoomed = !1;
  frame = 0;
  dbTimer;
  /** Show a new task's clip; "ready" once its image is on screen, "stale" if another task came first. */
  async open(t) {
    this.close(), this.task = t, this.view = this.clipWindow(), this.limits = K(this.view), this.render();
    const e = await this.loadBase();
    return e === "ready" && this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), ut)), e;
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
    const t = this.task.clip, e = this.project.settings;
    return {
      start: Math.max(0, t.start_s - e.context_s),
      end: Math.min(t.recording.duration_s, t.end_s + e.context_s),
      low: e.fmin_hz,
      high: e.fmax_hz
    };
  }
  request(t, e, i) {
    const n = this.project.settings, o = {
      start: e.start,
      end: e.end,
      fmin: e.low,
      fmax: e.high,
      width: Math.round(i.width),
      height: Math.round(i.height),
      cmap: n.colormap,
      db_min: this.dbMin,
      db_max: this.dbMax
    };
    return t === "spectrogram" && Object.assign(o, { scale: n.freq_scale, norm: this.norm, window_s: n.window_s, overlap: n.overlap }), { kind: t, rid: this.task.clip.recording.id, params: o };
  }
  otherKind() {
    return this.kind === "spectrogram" ? "scalogram" : "spectrogram";
  }
  /** (Re)load the base image; the extent in its headers becomes the bounds of the view. */
  async loadBase() {
    const t = this.task;
    if (!t) return "stale";
    this.images.requestDetail(null);
    let e;
    try {
      e = await this.images.showBase(this.request(this.kind, this.clipWindow(), ut));
    } catch {
      return this.task === t ? "failed" : "stale";
    }
    return !e || this.task !== t ? "stale" : (this.limits = K(e.extent), this.view = this.userZoomed ? this.clamp(this.view) : { ...e.extent }, this.requestDetail(), this.render(), "ready");
  }
  /** A sharper image of the visible window when the base image is too coarse for it. */
  requestDetail() {
    const t = this.images.base;
    if (!this.task || !t || t.kind !== this.kind) return;
    if (!this.userZoomed) return this.images.requestDetail(null);
    const e = window.devicePixelRatio || 1, i = { width: Math.min(4096, this.size.width * e), height: Math.min(2048, this.size.height * e) }, n = (c) => f(this.scale(), c), o = (this.view.end - this.view.start) / (t.extent.end - t.extent.start), a = (n(this.view.high) - n(this.view.low)) / (n(t.extent.high) - n(t.extent.low)), r = o * t.bitmap.width < i.width * 0.9 || a * t.bitmap.height < i.height * 0.9;
    this.images.requestDetail(r ? this.request(this.kind, this.view, i) : null);
  }
  toggleKind() {
    this.kind = this.otherKind(), this.loadBase(), this.render();
  }
  setNorm(t) {
    this.norm = t, this.loadBase();
  }
  /** Brightness/contrast: re-request the images once the sliders rest. */
  setDb(t, e) {
    [this.dbMin, this.dbMax] = [Math.min(t, e - 1), Math.max(e, t + 1)], clearTimeout(this.dbTimer), this.dbTimer = setTimeout(() => {
      this.loadBase();
    }, 300);
  }
  // ---- zoom and pan --------------------------------------------------------------------------
  setView(t) {
    this.view = t, this.userZoomed = !0, this.render(), this.requestDetail();
  }
  clamp(t) {
    return ot(j(t, 1, t.start, this.limits), 1, t.low, this.limits, this.scale());
  }
  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(t, e = (this.view.start + this.view.end) / 2) {
    if (t === 0)
      return this.view = { ...this.limits.bounds }, this.userZoomed = !1, this.render(), this.images.requestDetail(null);
    this.setView(j(this.view, t > 0 ? pt : 1 / pt, e, this.limits));
  }
  zoomTime(t, e) {
    this.setView(j(this.view, t, v(e.x, this.view, this.size), this.limits));
  }
  zoomFreq(t, e) {
    const i = this.scale();
    this.setView(ot(this.view, t, x(e.y, this.view, this.size, i), this.limits, i));
  }
  /** Move the content by pixels (it follows the pointer). */
  pan(t, e) {
    this.setView(jt(this.view, t, e, this.size, this.limits, this.scale()));
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
    const { ui: t, view: e, size: i } = this, n = this.scale(), o = { start: this.task.clip.start_s, end: this.task.clip.end_s }, a = this.overlay();
    be(R(t.canvas, i), {
      ...a,
      size: i,
      view: e,
      scale: n,
      clip: o,
      images: [this.images.base, this.images.detail].filter((h) => h !== null && h.kind === this.kind),
      drawing: this.drawing ? { ...this.drawing, tag: a.drawingTag } : null,
      playhead: this.playhead,
      cursor: this.cursor
    });
    const r = { width: i.width, height: t.timeAxis.clientHeight || 24 };
    Te(R(t.timeAxis, r), e, r, o);
    const c = { width: t.freqAxis.clientWidth || 64, height: i.height };
    Me(R(t.freqAxis, c), e, c, n), t.readout.textContent = this.readout(n);
  }
  readout(t) {
    const e = this.task.clip, i = this.view, n = [];
    if (this.cursor) {
      const r = v(this.cursor.x, i, this.size), c = x(this.cursor.y, i, this.size, t), h = r - e.start_s;
      n.push(`t ${r.toFixed(4)} s (clip ${h >= 0 ? "+" : "−"}${G(Math.abs(h))})`, `f ${(c / 1e3).toFixed(2)} kHz`);
    }
    const o = this.drawing;
    o && (n.push(`Δt ${G(o.end_s - o.start_s)}`), o.low_hz !== null && o.high_hz !== null && n.push(`${(o.low_hz / 1e3).toFixed(2)}–${(o.high_hz / 1e3).toFixed(2)} kHz`));
    const a = `${(i.low / 1e3).toFixed(1)}–${(i.high / 1e3).toFixed(1)} kHz${t !== "linear" ? ` (${t})` : ""}`;
    return n.push(`view ${i.start.toFixed(3)}–${i.end.toFixed(3)} s, ${a}`), n.join("  ·  ");
  }
  /** For the test hook: the base image's exact extent and the visible window. */
  extent() {
    const t = this.images.base;
    if (!t || t.kind !== this.kind) return null;
    const { width: e, height: i } = t.bitmap;
    return { ...t.extent, kind: t.kind, scale: this.scale(), width: e, height: i, view: { ...this.view } };
  }
}
const Ke = 720 * 3600 * 1e3, je = 0.5;
function Mt(s) {
  const t = s?.model_version?.threshold;
  return typeof t == "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}
function Ve(s, t) {
  return t ?? Mt(s) ?? je;
}
class Re {
  constructor(t) {
    this.page = t, this.submitter = new pe((e, i) => t.api.submit(e, i), () => this.draftValue, this.submitEvents()), this.lease = new re(async (e) => (await t.api.renew(e)).lease_expires_at, {
      lost: (e) => this.status(`Your hold on this clip ran out (${e}). Submitting still saves your work.`, "warn")
    }), this.player = new he(
      (e) => this.viewer && (this.viewer.playhead = e, this.viewer.render()),
      (e, i) => {
        e === "error" && this.status(i ?? "playback failed", "error"), this.refreshToolbar();
      }
    );
  }
  page;
  project;
  ui;
  viewer;
  pointer;
  player;
  task = null;
  draftValue = gt();
  undoStack = dt();
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
    const { root: t, api: e, projectId: i } = this.page;
    t.dataset.state = "loading";
    try {
      this.project = await e.project(i);
    } catch (n) {
      t.dataset.state = "error", Pe(t, n.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new Ee(t, this.project, this.handlers()), this.viewer = new Fe(this.project, e, this.ui, () => this.overlay(), (n, o) => this.status(n, o)), this.pointer = new ce(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (n) => this.onKey(n));
    for (const n of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(n, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(Ke), await this.loadNext();
  }
  async loadNext() {
    const { root: t, api: e, projectId: i } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, t.dataset.state = "loading", t.contains(this.ui.main) || t.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let n;
    try {
      n = await e.nextTask(i);
    } catch (o) {
      t.dataset.state = "error", this.status(`Could not get the next clip: ${o.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!n) {
      t.dataset.state = "empty", Ce(t, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(n);
  }
  openTask(t) {
    this.task = t, this.lease.start(t.id, t.lease_expires_at), this.ui.setTask(t), this.draftValue = this.restoreDraft(t), this.undoStack = dt(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], U(t.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(t), this.page.api.predictions(t.clip.id).then(
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
    const { drafts: e } = this.page, i = O(t.annotation), { draft: n, restored: o, older: a } = Wt(e, t.id, i), r = (c) => new Date(c).toLocaleString();
    return o ? (this.status(`Restored your unsaved draft from ${r(o.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${r(o.savedAt)}).`, [{ label: "Discard it", run: () => this.change(i) }])) : a && this.ui.showNotice(`You have unsaved work on this clip from ${r(a.savedAt)}, but someone saved it since (version ${i.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...a.draft, version: i.version }) },
      { label: "Merge mine into theirs", run: () => this.change(nt(a.draft, i)) },
      { label: "Discard mine", run: () => e.remove(t.id, a.version) }
    ]), o || this.status(t.annotation ? `Editing saved version ${t.annotation.version}.` : "New clip.", "info"), n;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const t = Dt(this.draftValue);
    if (t.length && this.warnedFor !== this.draftValue)
      return this.warnedFor = this.draftValue, this.status(`${t.join("; ")}. Press Enter again to submit anyway.`, "warn");
    this.submitter.send(this.task.id);
  }
  submitEvents() {
    return {
      busy: (t) => {
        this.page.root.dataset.state = t ? "submitting" : "ready", this.ui.setBusy(t);
      },
      status: (t, e, i) => this.status(t, e, i),
      done: (t) => {
        const e = this.task;
        this.page.drafts.remove(e.id, t.version), this.status(`Submitted clip ${e.clip.id}.`, "ok"), this.loadNext().then(() => this.task && this.status(`Submitted clip ${e.clip.id}; here is the next one.`, "ok"));
      },
      conflict: (t, e) => this.showConflict(t, e)
    };
  }
  /** 409: show both versions and let the user choose; never overwrite silently. */
  showConflict(t, e) {
    const i = this.task, n = this.draftValue;
    if (this.status("Not saved: someone else saved this clip meanwhile.", "error"), !t) {
      const c = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(e, ["Your draft is kept and will be offered again."], [c]);
    }
    const o = O(t), a = (c) => `${c.events.length} boxes, ${c.tags.length} clip tags${c.no_calls ? ", no calls" : ""}${c.noise ? ", noise" : ""}${c.uncertain ? ", uncertain" : ""}`, r = (c) => {
      this.page.drafts.remove(i.id, n.version), this.change(c);
    };
    this.ui.showConflict(
      `${e} (now version ${t.version})`,
      [`Theirs: ${a(o)}`, `Yours: ${a(n)}`],
      [
        { label: "Use theirs", run: () => r(o) },
        { label: "Merge (theirs + your boxes)", run: () => (r(nt(n, o)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (r({ ...n, version: t.version }), void this.submitter.send(i.id)) }
      ]
    );
  }
  /** k: ask why, release the task with the reason (its draft stays in localStorage) and open the next. */
  async skip() {
    const t = this.task;
    if (!t || this.submitter.inFlight || this.skipping) return;
    this.skipping = !0;
    const e = await this.ui.askSkipReason();
    if (!e || this.task !== t) return void (this.skipping = !1);
    this.submitter.cancel(), this.player.stop(), this.status("Skipping…", "busy");
    try {
      await this.page.api.release(t.id, e), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${t.clip.id} (${ee(e)}).`, "info");
    } catch (i) {
      if (this.skipping = !1, i instanceof S && i.status === 409) return void this.loadNext();
      this.status(`Could not skip: ${i instanceof S ? i.message : String(i)}`, "error");
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(t, e = null, i = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    t !== i && (t = At(i, t), this.undoStack = Ne(this.undoStack, i, e), this.draftValue = t, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const t = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(t ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(t) {
    if (!this.canEdit()) return;
    const e = t === "undo" ? De(this.undoStack, this.draftValue) : Be(this.undoStack, this.draftValue);
    if (!e) return this.status(`Nothing to ${t}.`, "info");
    this.undoStack = e.stack, this.draftValue = { ...e.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(t) {
    if (this.selectedIndex === null)
      return this.pendingTag = t, this.refresh();
    this.change($(this.draftValue, this.selectedIndex, { tag: t }));
  }
  editSelected(t, e) {
    const i = this.selectedIndex;
    if (i === null) return;
    let n = $(this.draftValue, i, t);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(e) && (n = $(n, i, Q(n.events[i], this.boxBounds()))), this.change(n, `edit:${i}:${e}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const t = this.selectedIndex;
    this.selectedIndex = null, this.change(zt(this.draftValue, t));
  }
  cycleSelection(t) {
    const e = this.draftValue.events.map((n, o) => [n.start_s, o]).sort((n, o) => n[0] - o[0]).map((n) => n[1]);
    if (!e.length) return;
    const i = this.selectedIndex === null ? t > 0 ? -1 : 0 : e.indexOf(this.selectedIndex);
    this.select(e[(i + t + e.length) % e.length]);
  }
  accept(t) {
    const e = this.project.settings.annotation_mode, i = !t && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, n = i ? [i] : this.visiblePredictions().map((a) => a.p);
    if (!n.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let o = this.draftValue;
    for (const a of n) o = it(o, mt(a, e));
    this.selectedPred = null, this.change(o), n.length === 1 && this.select(o.events.length - 1), this.status(`Accepted ${n.length} prediction${n.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const t = this.task.clip.recording, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, i = this.viewer.view, n = Math.max(0, e ? e.start_s : i.start), o = Math.min(t.duration_s, e ? e.end_s : i.end), a = e && e.low_hz !== null && e.high_hz !== null ? { low: e.low_hz, high: e.high_hz } : {}, r = this.page.api.audioUrl(t.id, { start: n, end: o, expansion: this.expansion, ...a });
    this.player.play({ url: r, start: n, end: o, expansion: this.expansion });
  }
  setExpansion(t) {
    this.player.stop(), this.expansion = t, this.refreshToolbar();
  }
  cycleExpansion() {
    const t = this.task?.clip.recording.samplerate ?? 1 / 0, e = Y.filter((n) => U(t, n)), i = e[(e.indexOf(this.expansion) + 1) % e.length] ?? 1;
    this.setExpansion(i), this.status(`Playback slowed down ${i}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(t) {
    if (t.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const e = t.target, i = Zt(e);
    if ((e instanceof HTMLButtonElement || e instanceof HTMLAnchorElement || e instanceof HTMLInputElement && !i) && ["Enter", " ", "Tab"].includes(t.key)) return;
    const o = Jt(t, { tags: this.project.tags, typing: i !== null, multiline: i === "text" });
    if (o) {
      if (this.pointer.active && o.type !== "escape") return t.preventDefault();
      (o.type === "selectNext" || o.type === "selectPrev") && !this.draftValue.events.length || (t.preventDefault(), this.perform(o, e));
    }
  }
  perform(t, e) {
    const i = this.viewer;
    switch (t.type) {
      case "submit":
        return this.submit();
      case "skip":
        return void this.skip();
      case "toggleView":
        return i.toggleKind(), this.refreshToolbar();
      case "noCalls":
        return this.change(P(this.draftValue, "no_calls"));
      case "noise":
        return this.change(P(this.draftValue, "noise"));
      case "uncertain":
        return this.change(P(this.draftValue, "uncertain"));
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
        return i.pan(-t.dx * i.size.width, t.dy * i.size.height);
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
    return this.predictions.events.map((e, i) => ({ p: e, index: i })).filter(({ p: e }) => e.score >= this.threshold && !Nt(this.draftValue, e, t));
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
    const e = it(this.draftValue, { ...t, tag: this.pendingTag, confidence: null, notes: "" });
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
    return Ve(this.predictions, this.chosenThreshold);
  }
  overlay() {
    const t = this.visiblePredictions(), e = t.findIndex((i) => i.index === this.selectedPred);
    return {
      tags: this.project.tags,
      events: this.draftValue.events,
      selected: this.selectedIndex,
      predictions: t.map((i) => i.p),
      selectedPrediction: e >= 0 ? e : null,
      drawingTag: this.pendingTag
    };
  }
  /** Refresh every panel and redraw (after a draft or selection change). */
  refresh() {
    const t = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] ?? null : null;
    this.ui.updateDraft(this.draftValue, t, this.pendingTag, this.project.settings.annotation_mode), this.refreshToolbar();
    const e = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: Mt(e),
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
  status(t, e = "info", i = !1) {
    this.ui?.setStatus(t, e, i);
  }
  handlers() {
    return {
      tag: (t) => this.setTag(t),
      toggleClipTag: (t) => this.change(Et(this.draftValue, t)),
      flag: (t) => this.change(P(this.draftValue, t)),
      notes: (t) => this.change(Pt(this.draftValue, t), "notes"),
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
function qe() {
  const s = document.getElementById("echoloop-config");
  try {
    return s?.textContent ? JSON.parse(s.textContent) : {};
  } catch {
    return {};
  }
}
function Oe() {
  try {
    const s = window.localStorage;
    return s.setItem("echoloop:probe", "1"), s.removeItem("echoloop:probe"), s;
  } catch {
    const s = /* @__PURE__ */ new Map();
    return {
      getItem: (t) => s.get(t) ?? null,
      setItem: (t, e) => {
        s.set(t, e);
      },
      removeItem: (t) => {
        s.delete(t);
      },
      key: (t) => [...s.keys()][t] ?? null,
      get length() {
        return s.size;
      }
    };
  }
}
function ft() {
  const s = document.getElementById("echoloop-annotator");
  if (!s) return;
  const t = qe(), e = new Re({
    root: s,
    api: new $t(s.dataset.apiBase || "/api/", t.csrfToken ?? ""),
    drafts: new Ht(Oe()),
    projectId: Number(s.dataset.projectId),
    nextUrl: s.dataset.nextUrl || void 0
  });
  window.echoloop = e.hook(), e.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", ft) : ft();
