class C extends Error {
  constructor(t, e, i) {
    super(i), this.status = t, this.body = e;
  }
  status;
  body;
}
function E(s, t = "") {
  return s == null ? [] : typeof s == "string" ? [t && t !== "detail" && t !== "non_field_errors" ? `${t}: ${s}` : s] : Array.isArray(s) ? s.flatMap(
    (e, i) => typeof e == "object" && e !== null ? E(e, `${t}[${i + 1}]`) : E(e, t)
  ) : typeof s == "object" ? Object.entries(s).filter(([e]) => e !== "current").flatMap(([e, i]) => E(i, t ? `${t}.${e}` : e)) : [String(s)];
}
function it(s) {
  const t = new URLSearchParams();
  for (const [e, i] of Object.entries(s))
    i != null && t.set(e, String(typeof i == "number" ? Number(i.toFixed(6)) : i));
  return t.toString();
}
function N(s, t) {
  const e = Number(s.get(t));
  if (s.get(t) === null || !Number.isFinite(e)) throw new C(0, null, `image response lacks ${t}`);
  return e;
}
class At {
  constructor(t, e) {
    this.base = t, this.csrfToken = e;
  }
  base;
  csrfToken;
  url(t) {
    return this.base.replace(/\/?$/, "/") + t;
  }
  async request(t, e, i, n) {
    const r = { Accept: "application/json" };
    t !== "GET" && (r["X-CSRFToken"] = this.csrfToken), i !== void 0 && (r["Content-Type"] = "application/json");
    let a;
    try {
      a = await fetch(this.url(e), {
        method: t,
        headers: r,
        credentials: "same-origin",
        body: i === void 0 ? void 0 : JSON.stringify(i),
        signal: n
      });
    } catch (o) {
      throw n?.aborted ? o : new C(0, null, `network error: ${o.message}`);
    }
    if (!a.ok) {
      const o = await a.text().catch(() => "");
      let h = o;
      try {
        h = JSON.parse(o);
      } catch {
      }
      const c = E(h).join("; ") || a.statusText;
      throw new C(a.status, h, `HTTP ${a.status}${c ? `: ${c.slice(0, 300)}` : ""}`);
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
  async release(t) {
    await this.request("POST", `tasks/${t}/release/`);
  }
  async submit(t, e) {
    return (await this.request("POST", `tasks/${t}/submit/`, e)).json();
  }
  async predictions(t) {
    return (await this.request("GET", `clips/${t}/predictions/`)).json();
  }
  async image(t, e, i, n) {
    const r = t === "scalogram" ? { ...i, scale: void 0, norm: void 0, window_s: void 0, overlap: void 0 } : i, a = await this.request("GET", `recordings/${e}/${t}.png?${it(r)}`, void 0, n), o = a.headers, h = {
      start: N(o, "X-Extent-Start"),
      end: N(o, "X-Extent-End"),
      low: N(o, "X-Extent-Low"),
      high: N(o, "X-Extent-High")
    }, c = o.get("X-Freq-Scale"), d = c === "linear" || c === "mel" || c === "log" ? c : null;
    return { bitmap: await createImageBitmap(await a.blob()), extent: h, scale: d, kind: t };
  }
  /** Any JSON endpoint under the API base (GET). */
  async json(t, e) {
    return (await this.request("GET", t, void 0, e)).json();
  }
  audioUrl(t, e) {
    return this.url(`recordings/${t}/audio.wav?${it(e)}`);
  }
}
function vt(s = null) {
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
    events: s.events.map(({ start_s: t, end_s: e, low_hz: i, high_hz: n, tag: r, confidence: a, notes: o }) => ({
      start_s: t,
      end_s: e,
      low_hz: i,
      high_hz: n,
      tag: r,
      confidence: a,
      notes: o ?? ""
    }))
  } : vt();
}
function q(s) {
  const t = (e, i) => Number(e.toFixed(i));
  return {
    ...s,
    start_s: t(s.start_s, 6),
    end_s: t(s.end_s, 6),
    low_hz: s.low_hz === null ? null : t(s.low_hz, 1),
    high_hz: s.high_hz === null ? null : t(s.high_hz, 1)
  };
}
function nt(s, t) {
  return { ...s, events: [...s.events, q(t)] };
}
function P(s, t, e) {
  const i = s.events.map((n, r) => r === t ? q({ ...n, ...e }) : n);
  return { ...s, events: i };
}
function Ct(s, t) {
  return { ...s, events: s.events.filter((e, i) => i !== t) };
}
function Ft(s, t) {
  const e = s.tags.includes(t) ? s.tags.filter((i) => i !== t) : [...s.tags, t];
  return { ...s, tags: e };
}
function D(s, t) {
  return { ...s, [t]: !s[t] };
}
function Nt(s, t) {
  return { ...s, notes: t };
}
function z(s) {
  const t = q(s);
  return JSON.stringify([t.start_s, t.end_s, t.low_hz, t.high_hz, t.tag, t.confidence, t.notes]);
}
function W(s, t) {
  const e = (i) => [...i].sort().join("|");
  return s.no_calls === t.no_calls && s.noise === t.noise && s.uncertain === t.uncertain && s.notes === t.notes && e(s.tags.map(String)) === e(t.tags.map(String)) && e(s.events.map(z)) === e(t.events.map(z));
}
function rt(s, t) {
  const e = new Set(t.events.map(z)), i = [...t.events, ...s.events.filter((r) => !e.has(z(r)))], n = s.notes === t.notes || !s.notes ? t.notes : t.notes ? `${t.notes}
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
function xt(s, t) {
  const e = t === "box" && s.low_hz !== null && s.high_hz !== null;
  return q({
    start_s: s.start_s,
    end_s: s.end_s,
    low_hz: e ? s.low_hz : null,
    high_hz: e ? s.high_hz : null,
    tag: s.tag,
    confidence: null,
    notes: ""
  });
}
function Dt(s, t, e) {
  const i = z(xt(t, e));
  return s.events.some((n) => z({ ...n, confidence: null, notes: "" }) === i);
}
function Bt(s) {
  const t = [];
  s.no_calls && s.events.length > 0 && t.push(`"No calls" is set but there are ${s.events.length} boxes`);
  const e = s.events.filter((i) => i.tag === null).length;
  return e && t.push(`${e} box${e > 1 ? "es have" : " has"} no tag`), t;
}
function It(s) {
  return 2595 * Math.log10(1 + s / 700);
}
function Lt(s) {
  return 700 * (Math.pow(10, s / 2595) - 1);
}
const qt = 1;
function g(s, t) {
  return s === "mel" ? It(t) : s === "log" ? Math.log(Math.max(t, qt)) : t;
}
function x(s, t) {
  return s === "mel" ? Lt(t) : s === "log" ? Math.exp(t) : t;
}
function b(s, t, e) {
  return (s - t.start) / (t.end - t.start) * e.width;
}
function k(s, t, e) {
  return t.start + s / e.width * (t.end - t.start);
}
function F(s, t, e, i) {
  const n = g(i, t.low), r = g(i, t.high);
  return (r - g(i, s)) / (r - n) * e.height;
}
function _(s, t, e, i) {
  const n = g(i, t.low), r = g(i, t.high);
  return x(i, r - s / e.height * (r - n));
}
function jt(s, t, e, i) {
  const n = b(s.start, t, e), r = b(s.end, t, e), a = F(s.high, t, e, i), o = F(s.low, t, e, i);
  return { x: n, y: a, w: r - n, h: o - a };
}
function Kt(s, t, e, i, n) {
  const r = jt(s, e, i, n), a = Math.max(0, r.x), o = Math.max(0, r.y), h = Math.min(i.width, r.x + r.w), c = Math.min(i.height, r.y + r.h);
  if (h <= a || c <= o) return null;
  const d = t.width / r.w, u = t.height / r.h;
  return {
    src: { x: (a - r.x) * d, y: (o - r.y) * u, w: (h - a) * d, h: (c - o) * u },
    dst: { x: a, y: o, w: h - a, h: c - o }
  };
}
function K(s) {
  const t = s.end - s.start;
  return { bounds: s, minDuration: Math.max(2e-3, t / 2e3), minFreqFraction: 1 / 200 };
}
function X(s, t, e, i) {
  const n = Math.min(t - s, i - e);
  let r = Math.min(Math.max(s, e), i - n);
  return r = Math.max(r, e), [r, r + n];
}
function kt(s, t, e, i, n, r, a) {
  const o = Math.min(Math.max((t - s) / e, n), a - r), h = (i - s) / (t - s);
  return X(i - h * o, i - h * o + o, r, a);
}
function R(s, t, e, i) {
  const { bounds: n } = i, [r, a] = kt(s.start, s.end, t, e, i.minDuration, n.start, n.end);
  return { ...s, start: r, end: a };
}
function ot(s, t, e, i, n) {
  const r = g(n, i.bounds.low), a = g(n, i.bounds.high), o = (a - r) * i.minFreqFraction, h = (u) => g(n, u), [c, d] = kt(h(s.low), h(s.high), t, h(e), o, r, a);
  return { ...s, low: x(n, c), high: x(n, d) };
}
function Rt(s, t, e, i, n, r) {
  const { bounds: a } = n, o = t / i.width * (s.end - s.start), [h, c] = X(s.start - o, s.end - o, a.start, a.end);
  if (e === 0) return { ...s, start: h, end: c };
  const d = g(r, s.low), u = g(r, s.high), f = e / i.height * (u - d), [w, S] = X(d + f, u + f, g(r, a.low), g(r, a.high));
  return { start: h, end: c, low: x(r, w), high: x(r, S) };
}
function M(s, t, e) {
  return Math.min(Math.max(s, t), e);
}
function y(s) {
  return s.low_hz === null || s.high_hz === null;
}
function B(s, t) {
  const e = b(s.start_s, t.view, t.size), i = b(s.end_s, t.view, t.size);
  if (y(s)) return { x: e, y: 0, w: i - e, h: t.size.height };
  const n = F(s.high_hz, t.view, t.size, t.scale), r = F(s.low_hz, t.view, t.size, t.scale);
  return { x: e, y: n, w: i - e, h: r - n };
}
function _t(s, t, e = 0) {
  return t.x >= s.x - e && t.x <= s.x + s.w + e && t.y >= s.y - e && t.y <= s.y + s.h + e;
}
function Ht(s, t, e, i) {
  if (!_t(s, t, e)) return null;
  const n = Math.abs(t.x - s.x) <= e, r = Math.abs(t.x - (s.x + s.w)) <= e;
  if (i) return n ? "w" : r ? "e" : null;
  const a = Math.abs(t.y - s.y) <= e, o = Math.abs(t.y - (s.y + s.h)) <= e;
  return (a ? "n" : o ? "s" : "") + (n ? "w" : r ? "e" : "") || null;
}
function H(s, t, e, i, n = 5) {
  if (i !== null && s[i]) {
    const o = Ht(B(s[i], e), t, n, y(s[i]));
    if (o) return { kind: "handle", index: i, handle: o };
  }
  let r = null, a = 1 / 0;
  for (let o = 0; o < s.length; o++) {
    const h = B(s[o], e), c = Math.abs(h.w * h.h);
    _t(h, t, 2) && c < a && (r = { kind: "inside", index: o }, a = c);
  }
  return r;
}
function tt(s, t) {
  const [e, i] = [Math.min(s.start_s, s.end_s), Math.max(s.start_s, s.end_s)], n = { ...s, start_s: M(e, t.start, t.end), end_s: M(i, t.start, t.end) };
  if (y(s)) return { ...n, low_hz: null, high_hz: null };
  const r = Math.min(s.low_hz, s.high_hz), a = Math.max(s.low_hz, s.high_hz);
  return { ...n, low_hz: M(r, t.low, t.high), high_hz: M(a, t.low, t.high) };
}
function at(s, t, e, i, n) {
  const r = {
    start_s: k(s.x, e.view, e.size),
    end_s: k(t.x, e.view, e.size),
    low_hz: i ? null : _(t.y, e.view, e.size, e.scale),
    high_hz: i ? null : _(s.y, e.view, e.size, e.scale)
  };
  return tt(r, n);
}
function lt(s, t, e, i = 3) {
  return Math.abs(s.x - t.x) >= i && (e || Math.abs(s.y - t.y) >= i);
}
function Vt(s, t, e, i, n) {
  const r = k(e.x, i.view, i.size) - k(t.x, i.view, i.size), a = s.end_s - s.start_s, o = M(s.start_s + r, n.start, n.end - a), h = { ...s, start_s: o, end_s: o + a };
  if (y(s)) return h;
  const c = (S) => g(i.scale, S), d = c(_(e.y, i.view, i.size, i.scale)) - c(_(t.y, i.view, i.size, i.scale)), u = c(s.low_hz), f = c(s.high_hz), w = M(d, c(n.low) - u, c(n.high) - f);
  return { ...h, low_hz: x(i.scale, u + w), high_hz: x(i.scale, f + w) };
}
function Ot(s, t, e, i, n) {
  const r = k(e.x, i.view, i.size), a = _(e.y, i.view, i.size, i.scale), o = { ...s };
  return t.includes("w") && (o.start_s = r), t.includes("e") && (o.end_s = r), y(s) || (t.includes("n") && (o.high_hz = a), t.includes("s") && (o.low_hz = a)), tt(o, n);
}
function Wt(s) {
  return s.length === 2 ? `${s}-resize` : s === "n" || s === "s" ? "ns-resize" : "ew-resize";
}
const St = "echoloop:draft:v1:";
function $(s, t) {
  return `${St}${s}:${t ?? "new"}`;
}
class Xt {
  constructor(t, e = Date.now) {
    this.store = t, this.now = e;
  }
  store;
  now;
  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(t, e, i) {
    const n = { taskId: t, version: e, savedAt: this.now(), draft: i };
    try {
      return this.store.setItem($(t, e), JSON.stringify(n)), !0;
    } catch {
      return !1;
    }
  }
  load(t, e) {
    return this.parse(this.store.getItem($(t, e)));
  }
  remove(t, e) {
    this.store.removeItem($(t, e));
  }
  /** Drafts of this task made against other annotation versions (newest first). */
  others(t, e) {
    const i = $(t, e);
    return this.all().filter((n) => n.taskId === t && $(n.taskId, n.version) !== i).sort((n, r) => r.savedAt - n.savedAt);
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
      i && i.startsWith(St) && t.push(i);
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
function Zt(s, t, e) {
  const i = s.load(t, e.version);
  if (i && !W(i.draft, e))
    return { draft: { ...i.draft, version: e.version }, restored: i, older: null };
  i && s.remove(t, e.version);
  const n = s.others(t, e.version).find((r) => !W(r.draft, e)) ?? null;
  return { draft: e, restored: null, older: n };
}
function l(s, t = {}, ...e) {
  const i = document.createElement(s);
  for (const [n, r] of Object.entries(t))
    r == null || r === !1 || (typeof r == "function" ? i.addEventListener(n.replace(/^on/, ""), r) : r === !0 ? i.setAttribute(n, "") : i.setAttribute(n, String(r)));
  for (const n of e) n != null && n !== !1 && i.append(n);
  return i;
}
function Ut(s) {
  return s instanceof HTMLElement ? s instanceof HTMLTextAreaElement || s.isContentEditable ? "text" : s instanceof HTMLSelectElement ? "line" : s instanceof HTMLInputElement ? ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(s.type) ? null : "line" : null : null;
}
function m(s, t) {
  document.activeElement !== s && s.value !== t && (s.value = t);
}
const Z = {
  s: { type: "toggleView" },
  n: { type: "noCalls" },
  x: { type: "noise" },
  u: { type: "uncertain" },
  k: { type: "skip" },
  p: { type: "togglePredictions" },
  a: { type: "acceptPrediction" },
  h: { type: "panMode" },
  e: { type: "cycleExpansion" }
}, U = {
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
}, Gt = /* @__PURE__ */ new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]), Tt = /* @__PURE__ */ new Set([...Object.keys(Z), ...Object.keys(U)]);
function Jt(s, t) {
  const e = Yt(s, t);
  return e && s.repeat && !Gt.has(e.type) ? null : e;
}
function Yt(s, t) {
  const e = s.ctrlKey || s.metaKey;
  if (t.typing)
    return s.key === "Escape" ? { type: "blur" } : e && s.key === "Enter" ? { type: "submit" } : s.key === "Enter" && !t.multiline && !s.shiftKey && !s.altKey ? { type: "blur" } : null;
  if (e) return Qt(s);
  if (s.altKey) return null;
  if (s.key === "Tab") return { type: s.shiftKey ? "selectPrev" : "selectNext" };
  const i = te(s);
  if (i !== null && i > 0) {
    const a = t.tags[i - 1];
    return a ? { type: "tag", tagId: a.id } : null;
  }
  if (s.key in U) return U[s.key];
  const n = s.key.length === 1 ? s.key.toLowerCase() : "";
  if (n === "a" && s.shiftKey) return { type: "acceptAllPredictions" };
  if (n in Z) return Z[n];
  const r = n ? t.tags.find((a) => (a.hotkey ?? "").toLowerCase() === n) : void 0;
  return r ? { type: "tag", tagId: r.id } : null;
}
function Qt(s) {
  if (s.altKey) return null;
  const t = s.key.toLowerCase();
  return t === "z" ? { type: s.shiftKey ? "redo" : "undo" } : t === "y" ? { type: "redo" } : s.key === "Enter" ? { type: "submit" } : null;
}
function te(s) {
  if (/^[0-9]$/.test(s.key)) return Number(s.key);
  const t = /^Digit([0-9])$/.exec(s.code ?? "");
  return t && !s.shiftKey ? Number(t[1]) : null;
}
function ee(s) {
  return new Set(s.filter((t) => t.hotkey && Tt.has(t.hotkey.toLowerCase())).map((t) => t.id));
}
function se(s, t) {
  const e = [];
  t < 9 && e.push(String(t + 1));
  const i = s[t].hotkey;
  return i && !Tt.has(i.toLowerCase()) && e.push(i.toLowerCase()), e.join(" ");
}
const ie = [
  ["drag", "draw a box (on empty area); drag a box to move, its handles to resize"],
  ["Shift+drag", "draw a box even on top of another one"],
  ["1–9, tag letters", "set the selected box's tag, or the tag of the next box"],
  ["Tab / Shift+Tab", "select next / previous box"],
  ["Delete, Backspace", "delete the selected box"],
  ["Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y", "undo / redo"],
  ["Enter", "submit and open the next clip"],
  ["k", "skip (release) and open the next clip"],
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
function re(s, t, e = 15e3) {
  return Math.max(e, Math.floor((s - t) / 2));
}
class oe {
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
    const t = re(this.expiresAt, this.clock.now());
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
const G = [1, 5, 10, 20], ae = 3e3;
function le(s, t, e) {
  return s + t / e;
}
function J(s, t) {
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
    const i = this.host, n = i.draft(), r = t.shiftKey ? null : H(n.events, e, i.geometry(), i.selected());
    if (r && r.kind === "handle" && i.canEdit())
      this.drag = { kind: "resize", index: r.index, handle: r.handle, orig: n.events[r.index], before: n };
    else if (r)
      i.select(r.index), i.canEdit() && (this.drag = { kind: "move", index: r.index, from: e, orig: n.events[r.index], before: n, moved: !1 });
    else {
      const a = i.visiblePredictions(), o = H(a.map((c) => c.p), e, i.geometry(), null);
      i.select(null), i.selectPrediction(null);
      const h = o ? a[o.index].index : null;
      i.canEdit() ? this.drag = { kind: "draw", from: e, prediction: h } : h !== null && i.selectPrediction(h);
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
    const r = i.geometry();
    n.kind === "pan" ? (i.pan(e.x - n.last.x, e.y - n.last.y), n.last = e) : n.kind === "draw" ? i.setDrawing(lt(n.from, e, i.interval()) ? at(n.from, e, r, i.interval(), i.boxBounds()) : null) : n.kind === "move" ? (n.moved ||= Math.abs(e.x - n.from.x) + Math.abs(e.y - n.from.y) >= 2, n.moved && i.preview(P(n.before, n.index, Vt(n.orig, n.from, e, r, i.boxBounds())))) : i.preview(P(n.before, n.index, Ot(n.orig, n.handle, e, r, i.boxBounds())));
  }
  up(t) {
    const e = this.drag;
    if (this.drag = null, this.canvas.style.cursor = "", !e) return;
    const i = this.point(t), n = this.host;
    if (e.kind === "draw")
      n.setDrawing(null), lt(e.from, i, n.interval()) ? n.addBox(at(e.from, i, n.geometry(), n.interval(), n.boxBounds())) : e.prediction !== null && n.selectPrediction(e.prediction);
    else if (e.kind === "move" || e.kind === "resize") {
      const r = n.draft();
      r !== e.before && (e.kind === "resize" || e.moved) && n.commit(r, e.before);
    }
  }
  hover(t) {
    const e = this.host;
    if (e.panMode()) {
      this.canvas.style.cursor = "grab";
      return;
    }
    const i = H(e.draft().events, t, e.geometry(), e.selected());
    this.canvas.style.cursor = i ? i.kind === "handle" ? Wt(i.handle) : "move" : "crosshair";
  }
  wheel(t) {
    t.preventDefault();
    const e = t.deltaMode === 1 ? 16 : t.deltaMode === 2 ? 400 : 1, i = this.point(t), n = (t.deltaY || t.deltaX) * e;
    t.ctrlKey || t.metaKey ? this.host.zoomTime(Math.exp(-n * 2e-3), i) : t.shiftKey ? this.host.zoomFreq(Math.exp(-n * 2e-3), i) : this.host.pan(-n, 0);
  }
}
function de(s) {
  if (!(s instanceof C)) return { kind: "retry", message: String(s?.message ?? s) };
  const t = s.body;
  if (s.status === 409) {
    const e = t && typeof t == "object" ? t.current ?? null : null, i = t && typeof t == "object" && typeof t.detail == "string" ? t.detail : "";
    return { kind: "conflict", current: e, message: i || "Someone else saved this clip meanwhile." };
  }
  if (s.status === 400) {
    const e = E(s.body);
    return { kind: "invalid", messages: e.length ? e : [s.message] };
  }
  return s.status === 0 || s.status >= 500 || s.status === 429 || s.status === 408 ? { kind: "retry", message: s.message } : { kind: "fatal", message: s.message };
}
function ue(s, t = Math.random) {
  const e = Math.min(3e4, 1e3 * Math.pow(2, Math.max(0, s)));
  return Math.round(e * (1 + 0.2 * t()));
}
class fe {
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
      const r = ue(this.attempt++);
      this.on.status(`Submit failed (${t.message}). Your draft is kept; retrying in ${Math.round(r / 1e3)} s.`, "error", !0), this.timer = setTimeout(() => {
        this.send(e);
      }, r);
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
function Mt(s) {
  return Math.max(0, Math.ceil(-Math.log10(s) - 1e-9));
}
function pe(s, t) {
  return `${s.toFixed(Mt(t))} s`;
}
function Y(s) {
  const t = Math.abs(s);
  return t < 1 ? `${(s * 1e3).toFixed(t < 0.01 ? 2 : 1)} ms` : `${s.toFixed(3)} s`;
}
function ge(s, t) {
  return `${Number((s / 1e3).toFixed(Mt(t / 1e3)))} kHz`;
}
function zt(s, t, e) {
  const i = [], n = Math.ceil(s / e - 1e-9);
  for (let r = n; r * e <= t + e * 1e-9; r++) i.push(Number((r * e).toPrecision(12)));
  return i;
}
function me(s, t, e = 90) {
  const i = s.end - s.start;
  if (!(i > 0) || t <= 0) return [];
  const n = et(i * e / t), r = { width: t };
  return zt(s.start, s.end, n).map((a) => ({
    value: a,
    pos: b(a, s, r),
    label: pe(a, n)
  }));
}
function we(s, t, e, i = 26) {
  const n = s.high - s.low;
  if (!(n > 0) || t <= 0) return [];
  const r = { height: t }, a = et(n * i / t / (e === "linear" ? 1 : 4)), o = zt(s.low, s.high, a).map((c) => ({
    value: c,
    pos: F(c, s, r, e),
    label: "",
    rank: ye(c, a)
  }));
  o.sort((c, d) => d.rank - c.rank || c.value - d.value);
  const h = [];
  for (const c of o) h.every((d) => Math.abs(d.pos - c.pos) >= i) && h.push(c);
  return h.sort((c, d) => d.pos - c.pos).map(({ value: c, pos: d }) => ({ value: c, pos: d, label: ge(c, a) }));
}
function ye(s, t) {
  let e = 0, i = t;
  for (let n = 0; n < 12 && (i = et(i * 1.5), !(Math.abs(s / i - Math.round(s / i)) > 1e-6)); n++)
    e++;
  return e;
}
const ht = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"], ct = "#ffffff";
function I(s, t) {
  if (t === null) return ct;
  const e = s.findIndex((i) => i.id === t);
  return e < 0 ? ct : s[e].color || ht[e % ht.length];
}
function v(s, t) {
  if (t === null) return "no tag";
  const e = s.find((i) => i.id === t);
  return e ? e.display_name || `${e.key}: ${e.value}` : `tag ${t}`;
}
function A(s, t) {
  const e = window.devicePixelRatio || 1, i = Math.round(t.width * e), n = Math.round(t.height * e);
  (s.width !== i || s.height !== n) && (s.width = i, s.height = n);
  const r = s.getContext("2d");
  return r.setTransform(e, 0, 0, e, 0, 0), r;
}
function be(s, t) {
  const { width: e, height: i } = t.size, n = { view: t.view, size: t.size, scale: t.scale };
  s.fillStyle = "#000", s.fillRect(0, 0, e, i), s.imageSmoothingEnabled = !0;
  for (const a of t.images) {
    const o = Kt(a.extent, a.bitmap, t.view, t.size, t.scale);
    o && s.drawImage(a.bitmap, o.src.x, o.src.y, o.src.w, o.src.h, o.dst.x, o.dst.y, o.dst.w, o.dst.h);
  }
  ve(s, t);
  const r = [];
  t.predictions.forEach((a, o) => ke(s, a, n, t, o === t.selectedPrediction, r)), t.events.forEach((a, o) => dt(s, a, n, I(t.tags, a.tag), v(t.tags, a.tag), o === t.selected)), t.drawing && dt(s, t.drawing, n, I(t.tags, t.drawing.tag), v(t.tags, t.drawing.tag), !0, !0), t.playhead !== null && _e(s, b(t.playhead, t.view, t.size), i), t.cursor && Se(s, t.cursor, t.size);
}
function ve(s, t) {
  const e = b(t.clip.start, t.view, t.size), i = b(t.clip.end, t.view, t.size), { width: n, height: r } = t.size;
  s.fillStyle = "rgba(0, 0, 0, 0.5)", e > 0 && s.fillRect(0, 0, Math.min(e, n), r), i < n && s.fillRect(Math.max(i, 0), 0, n - Math.max(i, 0), r), s.save(), s.strokeStyle = "rgba(255, 255, 255, 0.8)", s.setLineDash([6, 4]), s.lineWidth = 1;
  for (const a of [e, i])
    a < 0 || a > n || (s.beginPath(), s.moveTo(Math.round(a) + 0.5, 0), s.lineTo(Math.round(a) + 0.5, r), s.stroke());
  s.restore();
}
function $t(s, t, e, i, n, r = !1, a) {
  s.font = `${r ? "italic " : ""}12px system-ui, sans-serif`;
  const o = s.measureText(t).width + 6, h = Math.max(0, e), c = Math.max(0, i - 16);
  if (a) {
    if (a.some((d) => h < d.x + d.w && d.x < h + o && c < d.y + d.h && d.y < c + 16)) return;
    a.push({ x: h, y: c, w: o, h: 16 });
  }
  s.fillStyle = "rgba(0, 0, 0, 0.7)", s.fillRect(h, c, o, 16), s.fillStyle = n, s.textBaseline = "middle", s.fillText(t, h + 3, c + 8);
}
function dt(s, t, e, i, n, r, a = !1) {
  const o = B(t, e);
  s.save(), s.fillStyle = i, s.globalAlpha = y(t) ? 0.18 : 0.1, s.fillRect(o.x, o.y, o.w, o.h), s.globalAlpha = 1, s.strokeStyle = i, s.lineWidth = r ? 2.5 : 1.5, a && s.setLineDash([4, 3]), s.strokeRect(o.x, o.y, o.w, o.h), s.setLineDash([]), $t(s, n, o.x, y(t) ? 18 : o.y, i), r && !a && xe(s, o, y(t), i), s.restore();
}
function xe(s, t, e, i) {
  const n = [t.x, t.x + t.w / 2, t.x + t.w], r = e ? [t.y + t.h / 2] : [t.y, t.y + t.h / 2, t.y + t.h];
  s.fillStyle = "#fff", s.strokeStyle = i, s.lineWidth = 1;
  for (const a of n)
    for (const o of r)
      a === n[1] && (e || o === r[1]) || (s.fillRect(a - 3.5, o - 3.5, 7, 7), s.strokeRect(a - 3.5, o - 3.5, 7, 7));
}
function ke(s, t, e, i, n, r) {
  const a = B(t, e), o = I(i.tags, t.tag);
  s.save(), s.strokeStyle = o, s.lineWidth = n ? 2.5 : 1.25, s.setLineDash([5, 4]), s.strokeRect(a.x, a.y, a.w, a.h), s.restore(), $t(s, `${t.label} ${t.score.toFixed(2)}`, a.x, y(t) ? 36 : a.y + a.h + 16, o, !0, n ? void 0 : r);
}
function _e(s, t, e) {
  s.save(), s.strokeStyle = "#ffeb3b", s.lineWidth = 2, s.beginPath(), s.moveTo(t, 0), s.lineTo(t, e), s.stroke(), s.restore();
}
function Se(s, t, e) {
  s.save(), s.strokeStyle = "rgba(255, 255, 255, 0.45)", s.lineWidth = 1, s.beginPath(), s.moveTo(0, Math.round(t.y) + 0.5), s.lineTo(e.width, Math.round(t.y) + 0.5), s.moveTo(Math.round(t.x) + 0.5, 0), s.lineTo(Math.round(t.x) + 0.5, e.height), s.stroke(), s.restore();
}
const Et = "11px system-ui, sans-serif", L = "#cfd8dc";
function Te(s, t, e, i) {
  s.clearRect(0, 0, e.width, e.height), s.strokeStyle = L, s.fillStyle = L, s.font = Et, s.textAlign = "center", s.textBaseline = "top", s.lineWidth = 1;
  for (const n of me(t, e.width)) {
    const r = Math.round(n.pos) + 0.5;
    s.beginPath(), s.moveTo(r, 0), s.lineTo(r, 5), s.stroke(), s.fillText(n.label, Math.min(Math.max(n.pos, 24), e.width - 24), 7);
  }
  s.fillStyle = "#ffffff";
  for (const n of [i.start, i.end]) {
    const r = b(n, t, e);
    r < 0 || r > e.width || (s.beginPath(), s.moveTo(r - 4, 0), s.lineTo(r + 4, 0), s.lineTo(r, 5), s.fill());
  }
}
function Me(s, t, e, i) {
  s.clearRect(0, 0, e.width, e.height), s.strokeStyle = L, s.fillStyle = L, s.font = Et, s.textAlign = "right", s.textBaseline = "middle";
  for (const n of we(t, e.height, i)) {
    const r = Math.round(n.pos) + 0.5;
    s.beginPath(), s.moveTo(e.width - 5, r), s.lineTo(e.width, r), s.stroke(), s.fillText(n.label, e.width - 7, Math.min(Math.max(n.pos, 7), e.height - 7));
  }
}
function p(s, t, e, i = "") {
  return l("button", { type: "button", title: t, class: i, onclick: (n) => (e(), n.currentTarget.blur()) }, s);
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
class $e {
  constructor(t, e, i) {
    this.root = t, this.project = e, this.handlers = i, this.helpDialog = this.buildHelp(), this.main = l(
      "div",
      { class: "el-app" },
      l("header", { class: "el-header" }, l("strong", {}, e.name), this.header, p("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      this.buildToolbar(),
      this.notice,
      this.conflict,
      l(
        "div",
        { class: "el-body" },
        l("div", { class: "el-viewer" }, l("div", { class: "el-plot-grid" }, this.freqAxis, this.plot, l("div"), this.timeAxis), this.belowPlot, this.readout),
        this.buildSide()
      ),
      l("footer", { class: "el-footer" }, this.submitButton, this.skipButton, this.status, this.retry, this.draftState),
      this.helpDialog
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
  /** Slots for panels other modules build: under the image, and in the side bar. */
  belowPlot = l("div", { class: "el-below-plot" });
  sidePanels = l("div", { class: "el-side-panels" });
  status = l("span", { class: "el-status", role: "status", "aria-live": "polite" });
  draftState = l("span", { class: "el-draft-state" });
  retry = p("Retry now", "Retry the submission now", () => this.handlers.retryNow(), "el-retry");
  header = l("span", { class: "el-task" });
  notice = l("div", { class: "el-notice", hidden: !0 });
  conflict = l("div", { class: "el-conflict", hidden: !0 });
  tagButtons = /* @__PURE__ */ new Map();
  clipTagBoxes = /* @__PURE__ */ new Map();
  flagButtons = /* @__PURE__ */ new Map();
  notesArea = l("textarea", { class: "el-notes", rows: 3, placeholder: "Notes on this clip" });
  inspector = l("div", { class: "el-inspector" });
  pendingLabel = l("div", { class: "el-pending" });
  viewButton = p("Spectrogram", "Switch spectrogram / scalogram (s)", () => this.handlers.toggleView());
  normSelect = l("select", { title: "Spectrogram normalisation" }, l("option", { value: "db" }, "dB"), l("option", { value: "pcen" }, "PCEN"));
  dbMin = l("input", { type: "range", step: 1, title: "dB floor: lower shows fainter sounds (brightness)" });
  dbMax = l("input", { type: "range", step: 1, title: "dB ceiling: lower saturates sooner (contrast)" });
  dbText = l("span", { class: "el-db-text" });
  panButton = p("Pan (h)", "Pan mode: the left button pans (h)", () => this.handlers.panMode());
  playButton = p("▶ Play", "Play / pause the view or the selected box (space)", () => this.handlers.play());
  expansionSelect = l("select", { title: "Playback slow-down (e)" });
  predToggle = l("input", { type: "checkbox" });
  // Step 0.01: a version's calibrated threshold need not be a multiple of 0.05.
  threshold = l("input", { type: "range", min: 0, max: 1, step: 0.01, value: 0.5, class: "el-threshold", "aria-label": "Prediction score threshold" });
  thresholdText = l("span", { class: "el-threshold-text" }, "0.50");
  predInfo = l("span", { class: "el-pred-info" });
  helpDialog;
  submitButton = p("Submit ⏎", "Submit and open the next clip (Enter)", () => this.handlers.submit(), "el-primary");
  skipButton = p("Skip (k)", "Release this clip and open the next (k)", () => this.handlers.skip());
  main;
  buildToolbar() {
    const t = this.project.settings;
    for (const i of [this.dbMin, this.dbMax])
      i.min = String(Math.min(-140, t.db_min - 20)), i.max = String(Math.max(40, t.db_max + 20));
    this.normSelect.addEventListener("change", () => (this.handlers.norm(this.normSelect.value), this.normSelect.blur()));
    const e = () => this.handlers.db(Number(this.dbMin.value), Number(this.dbMax.value));
    this.dbMin.addEventListener("input", e), this.dbMax.addEventListener("input", e);
    for (const i of G) this.expansionSelect.append(l("option", { value: i }, `${i}×`));
    G.includes(t.time_expansion) || this.expansionSelect.append(l("option", { value: t.time_expansion }, `${t.time_expansion}×`)), this.expansionSelect.addEventListener("change", () => (this.handlers.expansion(Number(this.expansionSelect.value)), this.expansionSelect.blur())), this.predToggle.addEventListener("change", () => (this.handlers.showPredictions(this.predToggle.checked), this.predToggle.blur())), this.threshold.addEventListener("input", () => this.handlers.threshold(Number(this.threshold.value)));
    for (const i of [this.dbMin, this.dbMax, this.threshold]) i.addEventListener("change", () => i.blur());
    return l(
      "div",
      { class: "el-toolbar" },
      l("div", { class: "el-group" }, this.viewButton, this.normSelect),
      l("label", { class: "el-group" }, "dB", this.dbMin, this.dbMax, this.dbText),
      l(
        "div",
        { class: "el-group" },
        p("−", "Zoom out in time (-)", () => this.handlers.zoom(-1)),
        p("+", "Zoom in in time (+)", () => this.handlers.zoom(1)),
        p("Reset", "Reset zoom (0)", () => this.handlers.zoom(0)),
        this.panButton
      ),
      l("div", { class: "el-group" }, this.playButton, this.expansionSelect),
      l(
        "div",
        { class: "el-group" },
        l("label", {}, this.predToggle, " Predictions"),
        this.threshold,
        this.thresholdText,
        p("Accept all", "Accept all predictions above the threshold (Shift+A)", () => this.handlers.acceptAll()),
        this.predInfo
      )
    );
  }
  buildSide() {
    const t = this.project.tags, e = ee(t), i = l("div", { class: "el-tag-list" }), n = l("div", { class: "el-clip-tags" });
    t.forEach((o, h) => {
      const c = se(t, h), d = e.has(o.id) ? ` (hotkey "${o.hotkey}" is taken by a built-in key)` : "", u = p("", `${v(t, o.id)}${d}`, () => this.handlers.tag(o.id), "el-tag");
      u.append(l("span", { class: "el-swatch", style: `background:${I(t, o.id)}` }), l("kbd", {}, c || "·"), ` ${v(t, o.id)}`), this.tagButtons.set(o.id, u), i.append(u);
      const f = l("input", { type: "checkbox", "data-tag": o.id });
      f.addEventListener("change", () => (this.handlers.toggleClipTag(o.id), f.blur())), this.clipTagBoxes.set(o.id, f), n.append(l("label", {}, f, ` ${v(t, o.id)}`));
    });
    const r = [
      ["no_calls", "No calls", "n"],
      ["noise", "Noise", "x"],
      ["uncertain", "Uncertain", "u"]
    ], a = l("div", { class: "el-flags" });
    for (const [o, h, c] of r) {
      const d = p(`${h} (${c})`, `${h} (${c})`, () => this.handlers.flag(o), "el-flag");
      d.setAttribute("aria-pressed", "false"), this.flagButtons.set(o, d), a.append(d);
    }
    return this.notesArea.addEventListener("input", () => this.handlers.notes(this.notesArea.value)), l(
      "aside",
      { class: "el-side" },
      l("section", {}, l("h2", {}, "Box tag"), this.pendingLabel, i),
      l("section", {}, l("h2", {}, "Selected box"), this.inspector),
      this.sidePanels,
      l("section", {}, l("h2", {}, "Clip"), a, n, this.notesArea)
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
    for (const n of Array.from(this.expansionSelect.options)) {
      const r = J(i.samplerate, Number(n.value));
      n.disabled = !r, n.title = r ? "" : "plays below 3000 Hz, which browsers refuse";
    }
    this.hideConflict(), this.hideNotice();
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
    const r = this.project.tags, a = e ? e.tag : i;
    for (const [o, h] of this.tagButtons) h.classList.toggle("el-active", o === a);
    this.pendingLabel.textContent = e ? "Keys set the selected box's tag" : `Next box: ${v(r, i)}`;
    for (const [o, h] of this.clipTagBoxes) h.checked = t.tags.includes(o);
    for (const [o, h] of this.flagButtons) h.setAttribute("aria-pressed", String(t[o]));
    m(this.notesArea, t.notes), this.updateInspector(e, n);
  }
  inspectorBuilt = !1;
  updateInspector(t, e) {
    if (!t) {
      this.inspectorBuilt = !1, this.inspector.replaceChildren(l("p", { class: "el-muted" }, e === "interval" ? "Drag across the image to mark an interval." : "Drag on the image to draw a box."));
      return;
    }
    this.inspectorBuilt || this.buildInspector(), this.inspectorBuilt = !0;
    const i = (r) => this.inspector.querySelector(`[name=${r}]`);
    m(i("start_s"), t.start_s.toFixed(4)), m(i("end_s"), t.end_s.toFixed(4));
    const n = t.low_hz !== null && t.high_hz !== null;
    for (const r of ["low_hz", "high_hz"]) i(r).closest("label").hidden = !n;
    n && (m(i("low_hz"), (t.low_hz / 1e3).toFixed(2)), m(i("high_hz"), (t.high_hz / 1e3).toFixed(2))), m(this.inspector.querySelector("select"), t.tag === null ? "" : String(t.tag)), m(i("confidence"), t.confidence === null ? "" : String(t.confidence)), m(i("notes"), t.notes), this.inspector.querySelector(".el-duration").textContent = `${Y(t.end_s - t.start_s)}${n ? ` · ${((t.high_hz - t.low_hz) / 1e3).toFixed(2)} kHz band` : ""}`;
  }
  buildInspector() {
    const t = (o, h, c, d) => {
      const u = l("input", { type: "number", name: o, step: c });
      return u.addEventListener("change", () => {
        const f = d(u.value);
        f === null && o !== "confidence" || this.handlers.editEvent({ [o]: f }, o);
      }), l("label", {}, h, u);
    }, e = (o) => o.trim() === "" || !Number.isFinite(Number(o)) ? null : Number(o), i = (o) => e(o) === null ? null : Number(o) * 1e3, n = l("select", { name: "tag" }, l("option", { value: "" }, "no tag"), ...this.project.tags.map((o) => l("option", { value: o.id }, v(this.project.tags, o.id))));
    n.addEventListener("change", () => this.handlers.editEvent({ tag: n.value === "" ? null : Number(n.value) }, "tag"));
    const r = l("input", { type: "text", name: "notes", placeholder: "box notes" });
    r.addEventListener("input", () => this.handlers.editEvent({ notes: r.value }, "notes"));
    const a = t("confidence", "confidence", "0.05", (o) => e(o) === null ? null : Math.min(1, Math.max(0, Number(o))));
    this.inspector.replaceChildren(
      l("div", { class: "el-grid" }, t("start_s", "start s", "0.0001", e), t("end_s", "end s", "0.0001", e), t("low_hz", "low kHz", "0.01", i), t("high_hz", "high kHz", "0.01", i)),
      l("label", {}, "tag ", n),
      a,
      r,
      l("div", { class: "el-row" }, l("span", { class: "el-duration el-muted" }), p("Delete", "Delete the box (Delete)", () => this.handlers.deleteSelected()))
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
    this.notice.replaceChildren(l("span", {}, t), ...e.map((i) => p(i.label, i.label, () => (this.hideNotice(), i.run()))), p("×", "Dismiss", () => this.hideNotice(), "el-dismiss")), this.notice.hidden = !1;
  }
  hideNotice() {
    this.notice.hidden = !0;
  }
  showConflict(t, e, i) {
    this.conflict.replaceChildren(
      l("strong", {}, t),
      l("ul", {}, ...e.map((n) => l("li", {}, n))),
      l("div", { class: "el-row" }, ...i.map((n) => p(n.label, n.label, () => (this.hideConflict(), n.run()))))
    ), this.conflict.hidden = !1;
  }
  hideConflict() {
    this.conflict.hidden = !0;
  }
}
function Ee(s, t, e, i) {
  s.replaceChildren(
    l(
      "div",
      { class: "el-empty" },
      l("h1", {}, "Queue empty"),
      l("p", {}, `No clips are waiting for you in ${t}. New ones appear after the next sampling round.`),
      l("p", {}, p("Check again", "Ask for the next clip again", i, "el-primary"), e ? l("a", { href: e }, "Back to the project") : null)
    )
  );
}
function Pe(s, t, e) {
  s.replaceChildren(l("div", { class: "el-empty el-error" }, l("h1", {}, "Could not load the annotator"), l("p", {}, t), l("p", {}, p("Try again", "Try again", e, "el-primary"))));
}
const Ae = [
  ["duration_s", "Duration", "ms", "The call: where it stays within 20 dB of its loudest point"],
  ["low_hz", "Low freq", "kHz", "Lowest frequency of the call's ridge (within 20 dB of its peak)"],
  ["high_hz", "High freq", "kHz", "Highest frequency of the call's ridge"],
  ["bandwidth_hz", "Bandwidth", "kHz", "High minus low frequency"],
  ["start_hz", "Start freq", "kHz", "The ridge's frequency where the call begins"],
  ["end_hz", "End freq", "kHz", "The ridge's frequency where the call ends"],
  ["characteristic_hz", "Char. freq (Fc)", "kHz", "Frequency at the end of the flattest part of the call's final 40 %"],
  ["peak_hz", "Peak freq", "kHz", "Frequency of the box's loudest point (Raven's Peak Freq)"],
  ["peak_time_s", "Peak time", "s", "When the box is loudest (recording time)"],
  ["center_hz", "Center freq", "kHz", "Half the box's energy lies below it (Raven's Center Freq)"],
  ["bw_90_hz", "BW 90%", "kHz", "Between the frequencies below which 5 % and 95 % of the energy lie"],
  ["snr_db", "SNR", "dB", "The call's loudest part over the box's noise floor"]
];
function Ce(s, t) {
  if (s === null || !Number.isFinite(s)) return "—";
  switch (t) {
    case "ms":
      return `${(s * 1e3).toFixed(2)} ms`;
    case "kHz":
      return `${(s / 1e3).toFixed(2)} kHz`;
    case "s":
      return `${s.toFixed(4)} s`;
    case "dB":
      return `${s.toFixed(1)} dB`;
  }
}
function ut(s, t, e) {
  if (!t) {
    s.replaceChildren(l("p", { class: "el-muted" }, e));
    return;
  }
  const i = Ae.map(([n, r, a, o]) => {
    const h = t[n];
    return l("tr", { title: o }, l("th", {}, r), l("td", { "data-field": n, "data-value": h === null ? "" : String(h) }, Ce(h, a)));
  });
  s.replaceChildren(l("table", { class: "el-measure-table" }, ...i), t.reason ? l("p", { class: "el-muted el-measure-note" }, t.reason) : "");
}
const V = 60;
function Q(s) {
  let t = -1;
  for (let e = 0; e < s.db.length; e++) (t < 0 || s.db[e] > s.db[t]) && (t = e);
  return t;
}
function Fe(s, t, e, i = "") {
  const { width: n, height: r } = t, a = { left: 30, right: 6, top: 14, bottom: 16 };
  s.clearRect(0, 0, n, r), s.fillStyle = "#0b0e11", s.fillRect(0, 0, n, r), s.fillStyle = "#8d9aa5", s.font = "10px system-ui, sans-serif";
  const o = e ? Q(e) : -1;
  if (!e || o < 0) {
    s.fillText(i || e?.reason || "", 6, r / 2);
    return;
  }
  const h = e.freqs_hz[0], c = e.freqs_hz[e.freqs_hz.length - 1], d = e.db[o], u = n - a.left - a.right, f = r - a.top - a.bottom, w = (T) => a.left + (c > h ? (T - h) / (c - h) * u : u / 2), S = (T) => a.top + Math.min(V, Math.max(0, d - T)) / V * f;
  s.strokeStyle = "#323b44", s.strokeRect(a.left, a.top, u, f), s.strokeStyle = "#4fc3f7", s.beginPath(), e.freqs_hz.forEach((T, j) => j ? s.lineTo(w(T), S(e.db[j])) : s.moveTo(w(T), S(e.db[j]))), s.stroke(), s.fillStyle = "#8d9aa5", s.fillText(`${(h / 1e3).toFixed(1)}`, a.left, r - 4);
  const st = `${(c / 1e3).toFixed(1)} kHz`;
  s.fillText(st, n - a.right - s.measureText(st).width, r - 4), s.fillText(`${d.toFixed(0)}`, 2, a.top + 8), s.fillText(`${(d - V).toFixed(0)}`, 2, r - a.bottom), s.fillStyle = "#ffb74d", s.fillText(`peak ${(e.freqs_hz[o] / 1e3).toFixed(2)} kHz, ${d.toFixed(1)} dB`, a.left + 4, a.top - 3);
}
function ft(s, t, e) {
  return (s - t.start) / (t.end - t.start) * e;
}
function Ne(s) {
  let t = 0;
  for (let e = 0; e < s.min.length; e++) t = Math.max(t, Math.abs(s.min[e]), Math.abs(s.max[e]));
  return t > 0 ? 0.9 / t : 1;
}
function De(s, t, e, i) {
  const { width: n, height: r } = t, a = r / 2;
  if (s.clearRect(0, 0, n, r), s.fillStyle = "#0b0e11", s.fillRect(0, 0, n, r), s.strokeStyle = "#323b44", s.beginPath(), s.moveTo(0, a), s.lineTo(n, a), s.stroke(), !e || !e.min.length) return;
  const o = Ne(e) * a, h = (e.end - e.start) / e.min.length;
  s.fillStyle = "#4fc3f7";
  for (let c = 0; c < e.min.length; c++) {
    const d = ft(e.start + c * h, i, n), u = ft(e.start + (c + 1) * h, i, n);
    if (u < 0 || d > n) continue;
    const f = a - e.max[c] * o, w = a - e.min[c] * o;
    s.fillRect(d, f, Math.max(1, u - d), Math.max(1, w - f));
  }
  s.fillStyle = "#8d9aa5", s.font = "10px system-ui, sans-serif", s.fillText(`±${(0.9 / (o / a)).toFixed(3)} FS`, 4, 11);
}
const Be = 80, Ie = 150, Le = 4096, qe = 64, je = 120;
class pt {
  timer;
  controller = null;
  run(t, e) {
    this.cancel();
    const i = new AbortController();
    this.controller = i, this.timer = setTimeout(() => {
      e(i.signal).catch(() => {
      });
    }, t);
  }
  cancel() {
    clearTimeout(this.timer), this.controller?.abort(), this.controller = null;
  }
}
function gt(s) {
  return Object.entries(s).filter(([, t]) => t !== null).map(([t, e]) => `${t}=${Number(e.toFixed(7))}`).join("&");
}
class Ke {
  constructor(t) {
    this.api = t, ut(this.table, null, "Select a box to measure it.");
  }
  api;
  wave = l("canvas", { class: "el-waveform", "aria-label": "Waveform of the visible window" });
  spectrumCanvas = l("canvas", { class: "el-spectrum", "aria-label": "Power spectrum of the selected box" });
  table = l("div", { class: "el-measurements" });
  /** Under the image, aligned with it (the empty cell sits under the frequency axis). */
  strip = l("div", { class: "el-wave-row" }, l("div", { class: "el-wave-label" }, "wave"), this.wave);
  side = l("section", { class: "el-analysis", "data-state": "empty" }, l("h2", {}, "Spectrum of the box"), this.spectrumCanvas, l("h2", {}, "Measurements"), this.table);
  envelope = null;
  envelopeKey = "";
  view = null;
  spectrum = null;
  selectionKey = "";
  envelopes = new pt();
  measures = new pt();
  /** The visible window changed (or was repainted): redraw the strip, fetch a new envelope if needed. */
  follow(t, e) {
    this.view = e, this.drawWave();
    const i = Math.min(Le, Math.round(this.wave.clientWidth * (window.devicePixelRatio || 1)));
    if (!t || i < 1) return;
    const n = t.clip.recording, r = Math.max(0, e.start), a = Math.min(n.duration_s, e.end), o = `${n.id}:${r.toFixed(6)}:${a.toFixed(6)}:${i}`;
    o === this.envelopeKey || !(a > r) || (this.envelopeKey.startsWith(`${n.id}:`) || (this.envelope = null), this.envelopeKey = o, this.envelopes.run(Be, async (h) => {
      this.envelope = await this.api.json(`recordings/${n.id}/envelope/?${gt({ start: r, end: a, width: i })}`, h), this.drawWave();
    }));
  }
  /** The selected box (or none): fetch its spectrum and measurements once it rests. */
  select(t, e) {
    const i = t && e ? `${t.clip.recording.id}:${e.start_s}:${e.end_s}:${e.low_hz}:${e.high_hz}` : "";
    if (i === this.selectionKey) return;
    if (this.selectionKey = i, !t || !e)
      return this.measures.cancel(), this.show("empty", null, null, "Select a box to measure it.");
    this.show("loading", null, null, "Measuring…");
    const n = t.clip.recording.id, r = gt({ start: e.start_s, end: e.end_s, low: e.low_hz, high: e.high_hz });
    this.measures.run(Ie, async (a) => {
      try {
        const [o, h] = await Promise.all([
          this.api.json(`recordings/${n}/spectrum/?${r}&bins=512`, a),
          this.api.json(`recordings/${n}/measurements/?${r}`, a)
        ]);
        this.selectionKey === i && this.show("ready", o, h, "");
      } catch (o) {
        !a.aborted && this.selectionKey === i && this.show("error", null, null, o.message);
      }
    });
  }
  show(t, e, i, n) {
    this.side.dataset.state = t, this.spectrum = e, ut(this.table, i, n), this.drawSpectrumPanel(n);
  }
  drawWave() {
    if (!this.view) return;
    const t = { width: this.wave.clientWidth || 300, height: qe };
    De(A(this.wave, t), t, this.envelope, this.view), this.wave.dataset.columns = String(this.envelope?.min.length ?? 0);
  }
  drawSpectrumPanel(t) {
    const e = { width: this.spectrumCanvas.clientWidth || 240, height: je };
    Fe(A(this.spectrumCanvas, e), e, this.spectrum, t);
    const i = this.spectrum;
    this.spectrumCanvas.dataset.bins = String(i?.db.length ?? 0), this.spectrumCanvas.dataset.peakHz = i && Q(i) >= 0 ? String(i.freqs_hz[Q(i)]) : "";
  }
}
function mt(s = 300) {
  return { past: [], future: [], lastKey: null, limit: s };
}
function Re(s, t, e = null) {
  if (e !== null && e === s.lastKey && s.past.length > 0)
    return { ...s, future: [] };
  const i = [...s.past, t].slice(-s.limit);
  return { ...s, past: i, future: [], lastKey: e };
}
function He(s, t) {
  return s.past.length === 0 ? null : {
    state: s.past[s.past.length - 1],
    stack: { ...s, past: s.past.slice(0, -1), future: [t, ...s.future], lastKey: null }
  };
}
function Ve(s, t) {
  if (s.future.length === 0) return null;
  const [e, ...i] = s.future;
  return {
    state: e,
    stack: { ...s, past: [...s.past, t].slice(-s.limit), future: i, lastKey: null }
  };
}
const Oe = 12;
class We {
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
    for (n ? this.cache.delete(i) : (n = this.api.image(t.kind, t.rid, t.params, e), n.catch(() => this.cache.delete(i))), this.cache.set(i, n); this.cache.size > Oe; ) this.cache.delete(this.cache.keys().next().value);
    return n;
  }
}
const wt = { width: 1600, height: 512 }, yt = 1.5;
class Xe {
  constructor(t, e, i, n, r) {
    this.project = t, this.ui = i, this.overlay = n, this.images = new We(e, () => this.render(), (a) => r(a, "error")), [this.dbMin, this.dbMax] = [t.settings.db_min, t.settings.db_max];
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
    return e === "ready" && this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), wt)), e;
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
    const n = this.project.settings, r = {
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
    return t === "spectrogram" && Object.assign(r, { scale: n.freq_scale, norm: this.norm, window_s: n.window_s, overlap: n.overlap }), { kind: t, rid: this.task.clip.recording.id, params: r };
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
      e = await this.images.showBase(this.request(this.kind, this.clipWindow(), wt));
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
    const e = window.devicePixelRatio || 1, i = { width: Math.min(4096, this.size.width * e), height: Math.min(2048, this.size.height * e) }, n = (h) => g(this.scale(), h), r = (this.view.end - this.view.start) / (t.extent.end - t.extent.start), a = (n(this.view.high) - n(this.view.low)) / (n(t.extent.high) - n(t.extent.low)), o = r * t.bitmap.width < i.width * 0.9 || a * t.bitmap.height < i.height * 0.9;
    this.images.requestDetail(o ? this.request(this.kind, this.view, i) : null);
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
    return ot(R(t, 1, t.start, this.limits), 1, t.low, this.limits, this.scale());
  }
  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(t, e = (this.view.start + this.view.end) / 2) {
    if (t === 0)
      return this.view = { ...this.limits.bounds }, this.userZoomed = !1, this.render(), this.images.requestDetail(null);
    this.setView(R(this.view, t > 0 ? yt : 1 / yt, e, this.limits));
  }
  zoomTime(t, e) {
    this.setView(R(this.view, t, k(e.x, this.view, this.size), this.limits));
  }
  zoomFreq(t, e) {
    const i = this.scale();
    this.setView(ot(this.view, t, _(e.y, this.view, this.size, i), this.limits, i));
  }
  /** Move the content by pixels (it follows the pointer). */
  pan(t, e) {
    this.setView(Rt(this.view, t, e, this.size, this.limits, this.scale()));
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
    const { ui: t, view: e, size: i } = this, n = this.scale(), r = { start: this.task.clip.start_s, end: this.task.clip.end_s }, a = this.overlay();
    be(A(t.canvas, i), {
      ...a,
      size: i,
      view: e,
      scale: n,
      clip: r,
      images: [this.images.base, this.images.detail].filter((c) => c !== null && c.kind === this.kind),
      drawing: this.drawing ? { ...this.drawing, tag: a.drawingTag } : null,
      playhead: this.playhead,
      cursor: this.cursor
    });
    const o = { width: i.width, height: t.timeAxis.clientHeight || 24 };
    Te(A(t.timeAxis, o), e, o, r);
    const h = { width: t.freqAxis.clientWidth || 64, height: i.height };
    Me(A(t.freqAxis, h), e, h, n), t.readout.textContent = this.readout(n);
  }
  readout(t) {
    const e = this.task.clip, i = this.view, n = [];
    if (this.cursor) {
      const o = k(this.cursor.x, i, this.size), h = _(this.cursor.y, i, this.size, t), c = o - e.start_s;
      n.push(`t ${o.toFixed(4)} s (clip ${c >= 0 ? "+" : "−"}${Y(Math.abs(c))})`, `f ${(h / 1e3).toFixed(2)} kHz`);
    }
    const r = this.drawing;
    r && (n.push(`Δt ${Y(r.end_s - r.start_s)}`), r.low_hz !== null && r.high_hz !== null && n.push(`${(r.low_hz / 1e3).toFixed(2)}–${(r.high_hz / 1e3).toFixed(2)} kHz`));
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
const Ze = 720 * 3600 * 1e3, Ue = 0.5;
function Pt(s) {
  const t = s?.model_version?.threshold;
  return typeof t == "number" && Number.isFinite(t) && t >= 0 && t <= 1 ? t : null;
}
function Ge(s, t) {
  return t ?? Pt(s) ?? Ue;
}
class Je {
  constructor(t) {
    this.page = t, this.submitter = new fe((e, i) => t.api.submit(e, i), () => this.draftValue, this.submitEvents()), this.lease = new oe(async (e) => (await t.api.renew(e)).lease_expires_at, {
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
  analysis;
  pointer;
  player;
  task = null;
  draftValue = vt();
  undoStack = mt();
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
    } catch (r) {
      t.dataset.state = "error", Pe(t, r.message, () => {
        this.start();
      });
      return;
    }
    this.expansion = this.project.settings.time_expansion, this.ui = new $e(t, this.project, this.handlers()), this.analysis = new Ke(e), this.ui.belowPlot.replaceChildren(this.analysis.strip), this.ui.sidePanels.replaceChildren(this.analysis.side);
    const n = () => (this.analysis.follow(this.task, this.viewer.view), this.overlay());
    this.viewer = new Xe(this.project, e, this.ui, n, (r, a) => this.status(r, a)), this.pointer = new ce(this.ui.canvas, this), new ResizeObserver(() => this.viewer.resize()).observe(this.ui.plot), document.addEventListener("keydown", (r) => this.onKey(r));
    for (const r of ["keydown", "pointerdown", "wheel"])
      document.addEventListener(r, () => this.lease.activity(), { capture: !0, passive: !0 });
    this.page.drafts.prune(Ze), await this.loadNext();
  }
  async loadNext() {
    const { root: t, api: e, projectId: i } = this.page;
    this.submitter.cancel(), this.lease.stop(), this.player.stop(), this.viewer.close(), this.task = null, t.dataset.state = "loading", t.contains(this.ui.main) || t.replaceChildren(this.ui.main), this.status("Loading the next clip…", "busy");
    let n;
    try {
      n = await e.nextTask(i);
    } catch (r) {
      t.dataset.state = "error", this.status(`Could not get the next clip: ${r.message}`, "error"), this.ui.showNotice("The next clip did not load.", [{ label: "Try again", run: () => {
        this.loadNext();
      } }]);
      return;
    }
    if (!n) {
      t.dataset.state = "empty", Ee(t, this.project.name, this.page.nextUrl, () => {
        this.loadNext();
      });
      return;
    }
    this.openTask(n);
  }
  openTask(t) {
    this.task = t, this.lease.start(t.id, t.lease_expires_at), this.ui.setTask(t), this.draftValue = this.restoreDraft(t), this.undoStack = mt(), [this.selectedIndex, this.selectedPred, this.predictions, this.warnedFor] = [null, null, null, null], J(t.clip.recording.samplerate, this.expansion) || (this.expansion = 1), this.refresh(), this.showImage(t), this.page.api.predictions(t.clip.id).then(
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
    const { drafts: e } = this.page, i = O(t.annotation), { draft: n, restored: r, older: a } = Zt(e, t.id, i), o = (h) => new Date(h).toLocaleString();
    return r ? (this.status(`Restored your unsaved draft from ${o(r.savedAt)}.`, "ok"), this.ui.showNotice(`Restored your unsaved draft of this clip (${o(r.savedAt)}).`, [{ label: "Discard it", run: () => this.change(i) }])) : a && this.ui.showNotice(`You have unsaved work on this clip from ${o(a.savedAt)}, but someone saved it since (version ${i.version}).`, [
      { label: "Restore mine", run: () => this.change({ ...a.draft, version: i.version }) },
      { label: "Merge mine into theirs", run: () => this.change(rt(a.draft, i)) },
      { label: "Discard mine", run: () => e.remove(t.id, a.version) }
    ]), r || this.status(t.annotation ? `Editing saved version ${t.annotation.version}.` : "New clip.", "info"), n;
  }
  // ---- submitting and skipping -----------------------------------------------------------
  submit() {
    if (!this.task || this.submitter.inFlight) return;
    const t = Bt(this.draftValue);
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
      const h = { label: "Reload the clip", run: () => {
        this.loadNext();
      } };
      return this.ui.showConflict(e, ["Your draft is kept and will be offered again."], [h]);
    }
    const r = O(t), a = (h) => `${h.events.length} boxes, ${h.tags.length} clip tags${h.no_calls ? ", no calls" : ""}${h.noise ? ", noise" : ""}${h.uncertain ? ", uncertain" : ""}`, o = (h) => {
      this.page.drafts.remove(i.id, n.version), this.change(h);
    };
    this.ui.showConflict(
      `${e} (now version ${t.version})`,
      [`Theirs: ${a(r)}`, `Yours: ${a(n)}`],
      [
        { label: "Use theirs", run: () => o(r) },
        { label: "Merge (theirs + your boxes)", run: () => (o(rt(n, r)), this.status("Merged. Check it, then press Enter.", "info")) },
        { label: "Submit mine over theirs", run: () => (o({ ...n, version: t.version }), void this.submitter.send(i.id)) }
      ]
    );
  }
  /** k: release the task (its draft stays in localStorage) and open the next. */
  async skip() {
    const t = this.task;
    if (!(!t || this.submitter.inFlight || this.skipping)) {
      this.submitter.cancel(), this.player.stop(), this.skipping = !0, this.status("Skipping…", "busy");
      try {
        await this.page.api.release(t.id), this.skipping = !1, await this.loadNext(), this.task && this.status(`Skipped clip ${t.clip.id}.`, "info");
      } catch (e) {
        this.skipping = !1, this.status(`Could not skip: ${e instanceof C ? e.message : String(e)}`, "error");
      }
    }
  }
  // ---- editing ---------------------------------------------------------------------------
  /** Apply an undoable change, save the draft, redraw. */
  change(t, e = null, i = this.draftValue) {
    if (!this.canEdit()) return this.status("Wait for the submission to finish.", "warn");
    t !== i && (this.undoStack = Re(this.undoStack, i, e), this.draftValue = t, this.persist(), this.refresh());
  }
  persist() {
    if (!this.task) return;
    const t = this.page.drafts.save(this.task.id, this.draftValue.version, this.draftValue);
    this.ui.setDraftState(t ? `Draft saved ${(/* @__PURE__ */ new Date()).toLocaleTimeString()}` : "Draft NOT saved: browser storage is full");
  }
  step(t) {
    if (!this.canEdit()) return;
    const e = t === "undo" ? He(this.undoStack, this.draftValue) : Ve(this.undoStack, this.draftValue);
    if (!e) return this.status(`Nothing to ${t}.`, "info");
    this.undoStack = e.stack, this.draftValue = { ...e.state, version: this.draftValue.version }, this.selectedIndex !== null && this.selectedIndex >= this.draftValue.events.length && (this.selectedIndex = null), this.persist(), this.refresh();
  }
  setTag(t) {
    if (this.selectedIndex === null)
      return this.pendingTag = t, this.refresh();
    this.change(P(this.draftValue, this.selectedIndex, { tag: t }));
  }
  editSelected(t, e) {
    const i = this.selectedIndex;
    if (i === null) return;
    let n = P(this.draftValue, i, t);
    ["start_s", "end_s", "low_hz", "high_hz"].includes(e) && (n = P(n, i, tt(n.events[i], this.boxBounds()))), this.change(n, `edit:${i}:${e}`);
  }
  deleteSelected() {
    if (this.selectedIndex === null || !this.canEdit()) return;
    const t = this.selectedIndex;
    this.selectedIndex = null, this.change(Ct(this.draftValue, t));
  }
  cycleSelection(t) {
    const e = this.draftValue.events.map((n, r) => [n.start_s, r]).sort((n, r) => n[0] - r[0]).map((n) => n[1]);
    if (!e.length) return;
    const i = this.selectedIndex === null ? t > 0 ? -1 : 0 : e.indexOf(this.selectedIndex);
    this.select(e[(i + t + e.length) % e.length]);
  }
  accept(t) {
    const e = this.project.settings.annotation_mode, i = !t && this.selectedPred !== null && this.predictions ? this.predictions.events[this.selectedPred] : null, n = i ? [i] : this.visiblePredictions().map((a) => a.p);
    if (!n.length) return this.status(this.predictions?.model_version ? "No predictions above the threshold." : "No model predictions for this clip.", "info");
    let r = this.draftValue;
    for (const a of n) r = nt(r, xt(a, e));
    this.selectedPred = null, this.change(r), n.length === 1 && this.select(r.events.length - 1), this.status(`Accepted ${n.length} prediction${n.length > 1 ? "s" : ""}.`, "ok");
  }
  // ---- playback ----------------------------------------------------------------------------
  /** Space: play the selected box's span and band, or the visible window. */
  togglePlay() {
    if (!this.task) return;
    if (this.player.playing) return this.player.pause();
    const t = this.task.clip.recording, e = this.selectedIndex !== null ? this.draftValue.events[this.selectedIndex] : null, i = this.viewer.view, n = Math.max(0, e ? e.start_s : i.start), r = Math.min(t.duration_s, e ? e.end_s : i.end), a = e && e.low_hz !== null && e.high_hz !== null ? { low: e.low_hz, high: e.high_hz } : {}, o = this.page.api.audioUrl(t.id, { start: n, end: r, expansion: this.expansion, ...a });
    this.player.play({ url: o, start: n, end: r, expansion: this.expansion });
  }
  setExpansion(t) {
    this.player.stop(), this.expansion = t, this.refreshToolbar();
  }
  cycleExpansion() {
    const t = this.task?.clip.recording.samplerate ?? 1 / 0, e = G.filter((n) => J(t, n)), i = e[(e.indexOf(this.expansion) + 1) % e.length] ?? 1;
    this.setExpansion(i), this.status(`Playback slowed down ${i}×.`, "info");
  }
  // ---- keyboard ----------------------------------------------------------------------------
  onKey(t) {
    if (t.isComposing || !this.task || document.querySelector("dialog[open]")) return;
    const e = t.target, i = Ut(e);
    if ((e instanceof HTMLButtonElement || e instanceof HTMLAnchorElement || e instanceof HTMLInputElement && !i) && ["Enter", " ", "Tab"].includes(t.key)) return;
    const r = Jt(t, { tags: this.project.tags, typing: i !== null, multiline: i === "text" });
    if (r) {
      if (this.pointer.active && r.type !== "escape") return t.preventDefault();
      (r.type === "selectNext" || r.type === "selectPrev") && !this.draftValue.events.length || (t.preventDefault(), this.perform(r, e));
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
        return this.change(D(this.draftValue, "no_calls"));
      case "noise":
        return this.change(D(this.draftValue, "noise"));
      case "uncertain":
        return this.change(D(this.draftValue, "uncertain"));
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
    return this.predictions.events.map((e, i) => ({ p: e, index: i })).filter(({ p: e }) => e.score >= this.threshold && !Dt(this.draftValue, e, t));
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
    const e = nt(this.draftValue, { ...t, tag: this.pendingTag, confidence: null, notes: "" });
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
    return Ge(this.predictions, this.chosenThreshold);
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
    this.ui.updateDraft(this.draftValue, t, this.pendingTag, this.project.settings.annotation_mode), this.analysis.select(this.task, t), this.refreshToolbar();
    const e = this.predictions;
    this.ui.updatePredictions({
      show: this.showPreds,
      threshold: this.threshold,
      served: Pt(e),
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
      toggleClipTag: (t) => this.change(Ft(this.draftValue, t)),
      flag: (t) => this.change(D(this.draftValue, t)),
      notes: (t) => this.change(Nt(this.draftValue, t), "notes"),
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
function Ye() {
  const s = document.getElementById("echoloop-config");
  try {
    return s?.textContent ? JSON.parse(s.textContent) : {};
  } catch {
    return {};
  }
}
function Qe() {
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
function bt() {
  const s = document.getElementById("echoloop-annotator");
  if (!s) return;
  const t = Ye(), e = new Je({
    root: s,
    api: new At(s.dataset.apiBase || "/api/", t.csrfToken ?? ""),
    drafts: new Xt(Qe()),
    projectId: Number(s.dataset.projectId),
    nextUrl: s.dataset.nextUrl || void 0
  });
  window.echoloop = e.hook(), e.start();
}
document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", bt) : bt();
