class F extends Error {
  constructor(t, n, i) {
    super(i), this.status = t, this.body = n;
  }
  status;
  body;
}
function M(e, t = "") {
  return e == null ? [] : typeof e == "string" ? [t && t !== "detail" && t !== "non_field_errors" ? `${t}: ${e}` : e] : Array.isArray(e) ? e.flatMap(
    (n, i) => typeof n == "object" && n !== null ? M(n, `${t}[${i + 1}]`) : M(n, t)
  ) : typeof e == "object" ? Object.entries(e).filter(([n]) => n !== "current").flatMap(([n, i]) => M(i, t ? `${t}.${n}` : n)) : [String(e)];
}
function j(e) {
  const t = new URLSearchParams();
  for (const [n, i] of Object.entries(e))
    i != null && t.set(n, String(typeof i == "number" ? Number(i.toFixed(6)) : i));
  return t.toString();
}
function x(e, t) {
  const n = Number(e.get(t));
  if (e.get(t) === null || !Number.isFinite(n)) throw new F(0, null, `image response lacks ${t}`);
  return n;
}
class Ot {
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
      throw s?.aborted ? a : new F(0, null, `network error: ${a.message}`);
    }
    if (!r.ok) {
      const a = await r.text().catch(() => "");
      let h = a;
      try {
        h = JSON.parse(a);
      } catch {
      }
      const l = M(h).join("; ") || r.statusText;
      throw new F(r.status, h, `HTTP ${r.status}${l ? `: ${l.slice(0, 300)}` : ""}`);
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
  async release(t) {
    await this.request("POST", `tasks/${t}/release/`);
  }
  async submit(t, n) {
    return (await this.request("POST", `tasks/${t}/submit/`, n)).json();
  }
  async predictions(t) {
    return (await this.request("GET", `clips/${t}/predictions/`)).json();
  }
  async image(t, n, i, s) {
    const o = t === "scalogram" ? { ...i, scale: void 0, norm: void 0, window_s: void 0, overlap: void 0 } : i, r = await this.request("GET", `recordings/${n}/${t}.png?${j(o)}`, void 0, s), a = r.headers, h = {
      start: x(a, "X-Extent-Start"),
      end: x(a, "X-Extent-End"),
      low: x(a, "X-Extent-Low"),
      high: x(a, "X-Extent-High")
    }, l = a.get("X-Freq-Scale"), u = l === "linear" || l === "mel" || l === "log" ? l : null;
    return { bitmap: await createImageBitmap(await r.blob()), extent: h, scale: u, kind: t };
  }
  /** Any JSON endpoint under the API base (GET). */
  async json(t, n) {
    return (await this.request("GET", t, void 0, n)).json();
  }
  audioUrl(t, n) {
    return this.url(`recordings/${t}/audio.wav?${j(n)}`);
  }
}
function ot(e = null) {
  return { version: e, tags: [], no_calls: !1, noise: !1, uncertain: !1, notes: "", events: [] };
}
function jt(e) {
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
  } : ot();
}
function E(e) {
  const t = (n, i) => Number(n.toFixed(i));
  return {
    ...e,
    start_s: t(e.start_s, 6),
    end_s: t(e.end_s, 6),
    low_hz: e.low_hz === null ? null : t(e.low_hz, 1),
    high_hz: e.high_hz === null ? null : t(e.high_hz, 1)
  };
}
function Bt(e, t) {
  return { ...e, events: [...e.events, E(t)] };
}
function B(e, t, n) {
  const i = e.events.map((s, o) => o === t ? E({ ...s, ...n }) : s);
  return { ...e, events: i };
}
function Nt(e, t) {
  return { ...e, events: e.events.filter((n, i) => i !== t) };
}
function Rt(e, t) {
  const n = e.tags.includes(t) ? e.tags.filter((i) => i !== t) : [...e.tags, t];
  return { ...e, tags: n };
}
function Ht(e, t) {
  return { ...e, [t]: !e[t] };
}
function It(e, t) {
  return { ...e, notes: t };
}
function b(e) {
  const t = E(e);
  return JSON.stringify([t.start_s, t.end_s, t.low_hz, t.high_hz, t.tag, t.confidence, t.notes]);
}
function Zt(e, t) {
  const n = (i) => [...i].sort().join("|");
  return e.no_calls === t.no_calls && e.noise === t.noise && e.uncertain === t.uncertain && e.notes === t.notes && n(e.tags.map(String)) === n(t.tags.map(String)) && n(e.events.map(b)) === n(t.events.map(b));
}
function Wt(e, t) {
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
function rt(e, t) {
  const n = t === "box" && e.low_hz !== null && e.high_hz !== null;
  return E({
    start_s: e.start_s,
    end_s: e.end_s,
    low_hz: n ? e.low_hz : null,
    high_hz: n ? e.high_hz : null,
    tag: e.tag,
    confidence: null,
    notes: ""
  });
}
function Xt(e, t, n) {
  const i = b(rt(t, n));
  return e.events.some((s) => b({ ...s, confidence: null, notes: "" }) === i);
}
function Gt(e) {
  const t = [];
  e.no_calls && e.events.length > 0 && t.push(`"No calls" is set but there are ${e.events.length} boxes`);
  const n = e.events.filter((i) => i.tag === null).length;
  return n && t.push(`${n} box${n > 1 ? "es have" : " has"} no tag`), t;
}
function at(e) {
  return 2595 * Math.log10(1 + e / 700);
}
function lt(e) {
  return 700 * (Math.pow(10, e / 2595) - 1);
}
const ht = 1;
function c(e, t) {
  return e === "mel" ? at(t) : e === "log" ? Math.log(Math.max(t, ht)) : t;
}
function p(e, t) {
  return e === "mel" ? lt(t) : e === "log" ? Math.exp(t) : t;
}
function m(e, t, n) {
  return (e - t.start) / (t.end - t.start) * n.width;
}
function g(e, t, n) {
  return t.start + e / n.width * (t.end - t.start);
}
function k(e, t, n, i) {
  const s = c(i, t.low), o = c(i, t.high);
  return (o - c(i, e)) / (o - s) * n.height;
}
function w(e, t, n, i) {
  const s = c(i, t.low), o = c(i, t.high);
  return p(i, o - e / n.height * (o - s));
}
function ut(e, t, n, i) {
  const s = m(e.start, t, n), o = m(e.end, t, n), r = k(e.high, t, n, i), a = k(e.low, t, n, i);
  return { x: s, y: r, w: o - s, h: a - r };
}
function ct(e, t, n, i, s) {
  const o = ut(e, n, i, s), r = Math.max(0, o.x), a = Math.max(0, o.y), h = Math.min(i.width, o.x + o.w), l = Math.min(i.height, o.y + o.h);
  if (h <= r || l <= a) return null;
  const u = t.width / o.w, d = t.height / o.h;
  return {
    src: { x: (r - o.x) * u, y: (a - o.y) * d, w: (h - r) * u, h: (l - a) * d },
    dst: { x: r, y: a, w: h - r, h: l - a }
  };
}
function $(e) {
  const t = e.end - e.start;
  return { bounds: e, minDuration: Math.max(2e-3, t / 2e3), minFreqFraction: 1 / 200 };
}
function L(e, t, n, i) {
  const s = Math.min(t - e, i - n);
  let o = Math.min(Math.max(e, n), i - s);
  return o = Math.max(o, n), [o, o + s];
}
function Y(e, t, n, i, s, o, r) {
  const a = Math.min(Math.max((t - e) / n, s), r - o), h = (i - e) / (t - e);
  return L(i - h * a, i - h * a + a, o, r);
}
function A(e, t, n, i) {
  const { bounds: s } = i, [o, r] = Y(e.start, e.end, t, n, i.minDuration, s.start, s.end);
  return { ...e, start: o, end: r };
}
function N(e, t, n, i, s) {
  const o = c(s, i.bounds.low), r = c(s, i.bounds.high), a = (r - o) * i.minFreqFraction, h = (d) => c(s, d), [l, u] = Y(h(e.low), h(e.high), t, h(n), a, o, r);
  return { ...e, low: p(s, l), high: p(s, u) };
}
function dt(e, t, n, i, s, o) {
  const { bounds: r } = s, a = t / i.width * (e.end - e.start), [h, l] = L(e.start - a, e.end - a, r.start, r.end);
  if (n === 0) return { ...e, start: h, end: l };
  const u = c(o, e.low), d = c(o, e.high), v = n / i.height * (d - u), [_, S] = L(u + v, d + v, c(o, r.low), c(o, r.high));
  return { start: h, end: l, low: p(o, _), high: p(o, S) };
}
function y(e, t, n) {
  return Math.min(Math.max(e, t), n);
}
function f(e) {
  return e.low_hz === null || e.high_hz === null;
}
function z(e, t) {
  const n = m(e.start_s, t.view, t.size), i = m(e.end_s, t.view, t.size);
  if (f(e)) return { x: n, y: 0, w: i - n, h: t.size.height };
  const s = k(e.high_hz, t.view, t.size, t.scale), o = k(e.low_hz, t.view, t.size, t.scale);
  return { x: n, y: s, w: i - n, h: o - s };
}
function U(e, t, n = 0) {
  return t.x >= e.x - n && t.x <= e.x + e.w + n && t.y >= e.y - n && t.y <= e.y + e.h + n;
}
function ft(e, t, n, i) {
  if (!U(e, t, n)) return null;
  const s = Math.abs(t.x - e.x) <= n, o = Math.abs(t.x - (e.x + e.w)) <= n;
  if (i) return s ? "w" : o ? "e" : null;
  const r = Math.abs(t.y - e.y) <= n, a = Math.abs(t.y - (e.y + e.h)) <= n;
  return (r ? "n" : a ? "s" : "") + (s ? "w" : o ? "e" : "") || null;
}
function D(e, t, n, i, s = 5) {
  if (i !== null && e[i]) {
    const a = ft(z(e[i], n), t, s, f(e[i]));
    if (a) return { kind: "handle", index: i, handle: a };
  }
  let o = null, r = 1 / 0;
  for (let a = 0; a < e.length; a++) {
    const h = z(e[a], n), l = Math.abs(h.w * h.h);
    U(h, t, 2) && l < r && (o = { kind: "inside", index: a }, r = l);
  }
  return o;
}
function Q(e, t) {
  const [n, i] = [Math.min(e.start_s, e.end_s), Math.max(e.start_s, e.end_s)], s = { ...e, start_s: y(n, t.start, t.end), end_s: y(i, t.start, t.end) };
  if (f(e)) return { ...s, low_hz: null, high_hz: null };
  const o = Math.min(e.low_hz, e.high_hz), r = Math.max(e.low_hz, e.high_hz);
  return { ...s, low_hz: y(o, t.low, t.high), high_hz: y(r, t.low, t.high) };
}
function R(e, t, n, i, s) {
  const o = {
    start_s: g(e.x, n.view, n.size),
    end_s: g(t.x, n.view, n.size),
    low_hz: i ? null : w(t.y, n.view, n.size, n.scale),
    high_hz: i ? null : w(e.y, n.view, n.size, n.scale)
  };
  return Q(o, s);
}
function H(e, t, n, i = 3) {
  return Math.abs(e.x - t.x) >= i && (n || Math.abs(e.y - t.y) >= i);
}
function mt(e, t, n, i, s) {
  const o = g(n.x, i.view, i.size) - g(t.x, i.view, i.size), r = e.end_s - e.start_s, a = y(e.start_s + o, s.start, s.end - r), h = { ...e, start_s: a, end_s: a + r };
  if (f(e)) return h;
  const l = (S) => c(i.scale, S), u = l(w(n.y, i.view, i.size, i.scale)) - l(w(t.y, i.view, i.size, i.scale)), d = l(e.low_hz), v = l(e.high_hz), _ = y(u, l(s.low) - d, l(s.high) - v);
  return { ...h, low_hz: p(i.scale, d + _), high_hz: p(i.scale, v + _) };
}
function pt(e, t, n, i, s) {
  const o = g(n.x, i.view, i.size), r = w(n.y, i.view, i.size, i.scale), a = { ...e };
  return t.includes("w") && (a.start_s = o), t.includes("e") && (a.end_s = o), f(e) || (t.includes("n") && (a.high_hz = r), t.includes("s") && (a.low_hz = r)), Q(a, s);
}
function gt(e) {
  return e.length === 2 ? `${e}-resize` : e === "n" || e === "s" ? "ns-resize" : "ew-resize";
}
function Vt(e, t = {}, ...n) {
  const i = document.createElement(e);
  for (const [s, o] of Object.entries(t))
    o == null || o === !1 || (typeof o == "function" ? i.addEventListener(s.replace(/^on/, ""), o) : o === !0 ? i.setAttribute(s, "") : i.setAttribute(s, String(o)));
  for (const s of n) s != null && s !== !1 && i.append(s);
  return i;
}
function Jt(e) {
  return e instanceof HTMLElement ? e instanceof HTMLTextAreaElement || e.isContentEditable ? "text" : e instanceof HTMLSelectElement ? "line" : e instanceof HTMLInputElement ? ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(e.type) ? null : "line" : null : null;
}
function Yt(e, t) {
  document.activeElement !== e && e.value !== t && (e.value = t);
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
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 }
}, wt = /* @__PURE__ */ new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]), tt = /* @__PURE__ */ new Set([...Object.keys(P), ...Object.keys(q)]);
function Ut(e, t) {
  const n = yt(e, t);
  return n && e.repeat && !wt.has(n.type) ? null : n;
}
function yt(e, t) {
  const n = e.ctrlKey || e.metaKey;
  if (t.typing)
    return e.key === "Escape" ? { type: "blur" } : n && e.key === "Enter" ? { type: "submit" } : e.key === "Enter" && !t.multiline && !e.shiftKey && !e.altKey ? { type: "blur" } : null;
  if (n) return bt(e);
  if (e.altKey) return null;
  if (e.key === "Tab") return { type: e.shiftKey ? "selectPrev" : "selectNext" };
  const i = vt(e);
  if (i !== null && i > 0) {
    const r = t.tags[i - 1];
    return r ? { type: "tag", tagId: r.id } : null;
  }
  if (e.key in q) return q[e.key];
  const s = e.key.length === 1 ? e.key.toLowerCase() : "";
  if (s === "a" && e.shiftKey) return { type: "acceptAllPredictions" };
  if (s in P) return P[s];
  const o = s ? t.tags.find((r) => (r.hotkey ?? "").toLowerCase() === s) : void 0;
  return o ? { type: "tag", tagId: o.id } : null;
}
function bt(e) {
  if (e.altKey) return null;
  const t = e.key.toLowerCase();
  return t === "z" ? { type: e.shiftKey ? "redo" : "undo" } : t === "y" ? { type: "redo" } : e.key === "Enter" ? { type: "submit" } : null;
}
function vt(e) {
  if (/^[0-9]$/.test(e.key)) return Number(e.key);
  const t = /^Digit([0-9])$/.exec(e.code ?? "");
  return t && !e.shiftKey ? Number(t[1]) : null;
}
function Qt(e) {
  return new Set(e.filter((t) => t.hotkey && tt.has(t.hotkey.toLowerCase())).map((t) => t.id));
}
function te(e, t) {
  const n = [];
  t < 9 && n.push(String(t + 1));
  const i = e[t].hotkey;
  return i && !tt.has(i.toLowerCase()) && n.push(i.toLowerCase()), n.join(" ");
}
const ee = [
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
], ne = [1, 5, 10, 20], kt = 3e3;
function _t(e, t, n) {
  return e + t / n;
}
function ie(e, t) {
  return e / t >= kt;
}
class se {
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
    !t || !n || t.paused || (this.onTick(Math.min(n.end, _t(n.start, t.currentTime, n.expansion))), this.frame = requestAnimationFrame(this.loop));
  };
}
class oe {
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
    const i = this.host, s = i.draft(), o = t.shiftKey ? null : D(s.events, n, i.geometry(), i.selected());
    if (o && o.kind === "handle" && i.canEdit())
      this.drag = { kind: "resize", index: o.index, handle: o.handle, orig: s.events[o.index], before: s };
    else if (o)
      i.select(o.index), i.canEdit() && (this.drag = { kind: "move", index: o.index, from: n, orig: s.events[o.index], before: s, moved: !1 });
    else {
      const r = i.visiblePredictions(), a = D(r.map((l) => l.p), n, i.geometry(), null);
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
    s.kind === "pan" ? (i.pan(n.x - s.last.x, n.y - s.last.y), s.last = n) : s.kind === "draw" ? i.setDrawing(H(s.from, n, i.interval()) ? R(s.from, n, o, i.interval(), i.boxBounds()) : null) : s.kind === "move" ? (s.moved ||= Math.abs(n.x - s.from.x) + Math.abs(n.y - s.from.y) >= 2, s.moved && i.preview(B(s.before, s.index, mt(s.orig, s.from, n, o, i.boxBounds())))) : i.preview(B(s.before, s.index, pt(s.orig, s.handle, n, o, i.boxBounds())));
  }
  up(t) {
    const n = this.drag;
    if (this.drag = null, this.canvas.style.cursor = "", !n) return;
    const i = this.point(t), s = this.host;
    if (n.kind === "draw")
      s.setDrawing(null), H(n.from, i, s.interval()) ? s.addBox(R(n.from, i, s.geometry(), s.interval(), s.boxBounds())) : n.prediction !== null && s.selectPrediction(n.prediction);
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
    const i = D(n.draft().events, t, n.geometry(), n.selected());
    this.canvas.style.cursor = i ? i.kind === "handle" ? gt(i.handle) : "move" : "crosshair";
  }
  wheel(t) {
    t.preventDefault();
    const n = t.deltaMode === 1 ? 16 : t.deltaMode === 2 ? 400 : 1, i = this.point(t), s = (t.deltaY || t.deltaX) * n;
    t.ctrlKey || t.metaKey ? this.host.zoomTime(Math.exp(-s * 2e-3), i) : t.shiftKey ? this.host.zoomFreq(Math.exp(-s * 2e-3), i) : this.host.pan(-s, 0);
  }
}
function O(e) {
  const t = Math.pow(10, Math.floor(Math.log10(e)));
  for (const n of [1, 2, 5, 10]) if (n * t >= e * (1 - 1e-9)) return n * t;
  return 10 * t;
}
function et(e) {
  return Math.max(0, Math.ceil(-Math.log10(e) - 1e-9));
}
function xt(e, t) {
  return `${e.toFixed(et(t))} s`;
}
function I(e) {
  const t = Math.abs(e);
  return t < 1 ? `${(e * 1e3).toFixed(t < 0.01 ? 2 : 1)} ms` : `${e.toFixed(3)} s`;
}
function Mt(e, t) {
  return `${Number((e / 1e3).toFixed(et(t / 1e3)))} kHz`;
}
function nt(e, t, n) {
  const i = [], s = Math.ceil(e / n - 1e-9);
  for (let o = s; o * n <= t + n * 1e-9; o++) i.push(Number((o * n).toPrecision(12)));
  return i;
}
function zt(e, t, n = 90) {
  const i = e.end - e.start;
  if (!(i > 0) || t <= 0) return [];
  const s = O(i * n / t), o = { width: t };
  return nt(e.start, e.end, s).map((r) => ({
    value: r,
    pos: m(r, e, o),
    label: xt(r, s)
  }));
}
function Tt(e, t, n, i = 26) {
  const s = e.high - e.low;
  if (!(s > 0) || t <= 0) return [];
  const o = { height: t }, r = O(s * i / t / (n === "linear" ? 1 : 4)), a = nt(e.low, e.high, r).map((l) => ({
    value: l,
    pos: k(l, e, o, n),
    label: "",
    rank: Et(l, r)
  }));
  a.sort((l, u) => u.rank - l.rank || l.value - u.value);
  const h = [];
  for (const l of a) h.every((u) => Math.abs(u.pos - l.pos) >= i) && h.push(l);
  return h.sort((l, u) => u.pos - l.pos).map(({ value: l, pos: u }) => ({ value: l, pos: u, label: Mt(l, r) }));
}
function Et(e, t) {
  let n = 0, i = t;
  for (let s = 0; s < 12 && (i = O(i * 1.5), !(Math.abs(e / i - Math.round(e / i)) > 1e-6)); s++)
    n++;
  return n;
}
const Z = ["#f58231", "#3cb44b", "#4363d8", "#e6194b", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4"], W = "#ffffff";
function C(e, t) {
  if (t === null) return W;
  const n = e.findIndex((i) => i.id === t);
  return n < 0 ? W : e[n].color || Z[n % Z.length];
}
function X(e, t) {
  if (t === null) return "no tag";
  const n = e.find((i) => i.id === t);
  return n ? n.display_name || `${n.key}: ${n.value}` : `tag ${t}`;
}
function K(e, t) {
  const n = window.devicePixelRatio || 1, i = Math.round(t.width * n), s = Math.round(t.height * n);
  (e.width !== i || e.height !== s) && (e.width = i, e.height = s);
  const o = e.getContext("2d");
  return o.setTransform(n, 0, 0, n, 0, 0), o;
}
function St(e, t) {
  const { width: n, height: i } = t.size, s = { view: t.view, size: t.size, scale: t.scale };
  e.fillStyle = "#000", e.fillRect(0, 0, n, i), e.imageSmoothingEnabled = !0;
  for (const r of t.images) {
    const a = ct(r.extent, r.bitmap, t.view, t.size, t.scale);
    a && e.drawImage(r.bitmap, a.src.x, a.src.y, a.src.w, a.src.h, a.dst.x, a.dst.y, a.dst.w, a.dst.h);
  }
  $t(e, t);
  const o = [];
  t.predictions.forEach((r, a) => Dt(e, r, s, t, a === t.selectedPrediction, o)), t.events.forEach((r, a) => G(e, r, s, C(t.tags, r.tag), X(t.tags, r.tag), a === t.selected)), t.drawing && G(e, t.drawing, s, C(t.tags, t.drawing.tag), X(t.tags, t.drawing.tag), !0, !0), t.playhead !== null && Kt(e, m(t.playhead, t.view, t.size), i), t.cursor && Ft(e, t.cursor, t.size);
}
function $t(e, t) {
  const n = m(t.clip.start, t.view, t.size), i = m(t.clip.end, t.view, t.size), { width: s, height: o } = t.size;
  e.fillStyle = "rgba(0, 0, 0, 0.5)", n > 0 && e.fillRect(0, 0, Math.min(n, s), o), i < s && e.fillRect(Math.max(i, 0), 0, s - Math.max(i, 0), o), e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.8)", e.setLineDash([6, 4]), e.lineWidth = 1;
  for (const r of [n, i])
    r < 0 || r > s || (e.beginPath(), e.moveTo(Math.round(r) + 0.5, 0), e.lineTo(Math.round(r) + 0.5, o), e.stroke());
  e.restore();
}
function it(e, t, n, i, s, o = !1, r) {
  e.font = `${o ? "italic " : ""}12px system-ui, sans-serif`;
  const a = e.measureText(t).width + 6, h = Math.max(0, n), l = Math.max(0, i - 16);
  if (r) {
    if (r.some((u) => h < u.x + u.w && u.x < h + a && l < u.y + u.h && u.y < l + 16)) return;
    r.push({ x: h, y: l, w: a, h: 16 });
  }
  e.fillStyle = "rgba(0, 0, 0, 0.7)", e.fillRect(h, l, a, 16), e.fillStyle = s, e.textBaseline = "middle", e.fillText(t, h + 3, l + 8);
}
function G(e, t, n, i, s, o, r = !1) {
  const a = z(t, n);
  e.save(), e.fillStyle = i, e.globalAlpha = f(t) ? 0.18 : 0.1, e.fillRect(a.x, a.y, a.w, a.h), e.globalAlpha = 1, e.strokeStyle = i, e.lineWidth = o ? 2.5 : 1.5, r && e.setLineDash([4, 3]), e.strokeRect(a.x, a.y, a.w, a.h), e.setLineDash([]), it(e, s, a.x, f(t) ? 18 : a.y, i), o && !r && At(e, a, f(t), i), e.restore();
}
function At(e, t, n, i) {
  const s = [t.x, t.x + t.w / 2, t.x + t.w], o = n ? [t.y + t.h / 2] : [t.y, t.y + t.h / 2, t.y + t.h];
  e.fillStyle = "#fff", e.strokeStyle = i, e.lineWidth = 1;
  for (const r of s)
    for (const a of o)
      r === s[1] && (n || a === o[1]) || (e.fillRect(r - 3.5, a - 3.5, 7, 7), e.strokeRect(r - 3.5, a - 3.5, 7, 7));
}
function Dt(e, t, n, i, s, o) {
  const r = z(t, n), a = C(i.tags, t.tag);
  e.save(), e.strokeStyle = a, e.lineWidth = s ? 2.5 : 1.25, e.setLineDash([5, 4]), e.strokeRect(r.x, r.y, r.w, r.h), e.restore(), it(e, `${t.label} ${t.score.toFixed(2)}`, r.x, f(t) ? 36 : r.y + r.h + 16, a, !0, s ? void 0 : o);
}
function Kt(e, t, n) {
  e.save(), e.strokeStyle = "#ffeb3b", e.lineWidth = 2, e.beginPath(), e.moveTo(t, 0), e.lineTo(t, n), e.stroke(), e.restore();
}
function Ft(e, t, n) {
  e.save(), e.strokeStyle = "rgba(255, 255, 255, 0.45)", e.lineWidth = 1, e.beginPath(), e.moveTo(0, Math.round(t.y) + 0.5), e.lineTo(n.width, Math.round(t.y) + 0.5), e.moveTo(Math.round(t.x) + 0.5, 0), e.lineTo(Math.round(t.x) + 0.5, n.height), e.stroke(), e.restore();
}
const st = "11px system-ui, sans-serif", T = "#cfd8dc";
function Lt(e, t, n, i) {
  e.clearRect(0, 0, n.width, n.height), e.strokeStyle = T, e.fillStyle = T, e.font = st, e.textAlign = "center", e.textBaseline = "top", e.lineWidth = 1;
  for (const s of zt(t, n.width)) {
    const o = Math.round(s.pos) + 0.5;
    e.beginPath(), e.moveTo(o, 0), e.lineTo(o, 5), e.stroke(), e.fillText(s.label, Math.min(Math.max(s.pos, 24), n.width - 24), 7);
  }
  e.fillStyle = "#ffffff";
  for (const s of [i.start, i.end]) {
    const o = m(s, t, n);
    o < 0 || o > n.width || (e.beginPath(), e.moveTo(o - 4, 0), e.lineTo(o + 4, 0), e.lineTo(o, 5), e.fill());
  }
}
function Pt(e, t, n, i) {
  e.clearRect(0, 0, n.width, n.height), e.strokeStyle = T, e.fillStyle = T, e.font = st, e.textAlign = "right", e.textBaseline = "middle";
  for (const s of Tt(t, n.height, i)) {
    const o = Math.round(s.pos) + 0.5;
    e.beginPath(), e.moveTo(n.width - 5, o), e.lineTo(n.width, o), e.stroke(), e.fillText(s.label, n.width - 7, Math.min(Math.max(s.pos, 7), n.height - 7));
  }
}
function re(e = 300) {
  return { past: [], future: [], lastKey: null, limit: e };
}
function ae(e, t, n = null) {
  if (n !== null && n === e.lastKey && e.past.length > 0)
    return { ...e, future: [] };
  const i = [...e.past, t].slice(-e.limit);
  return { ...e, past: i, future: [], lastKey: n };
}
function le(e, t) {
  return e.past.length === 0 ? null : {
    state: e.past[e.past.length - 1],
    stack: { ...e, past: e.past.slice(0, -1), future: [t, ...e.future], lastKey: null }
  };
}
function he(e, t) {
  if (e.future.length === 0) return null;
  const [n, ...i] = e.future;
  return {
    state: n,
    stack: { ...e, past: [...e.past, t].slice(-e.limit), future: i, lastKey: null }
  };
}
const qt = 12;
class Ct {
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
    for (s ? this.cache.delete(i) : (s = this.api.image(t.kind, t.rid, t.params, n), s.catch(() => this.cache.delete(i))), this.cache.set(i, s); this.cache.size > qt; ) this.cache.delete(this.cache.keys().next().value);
    return s;
  }
}
const V = { width: 1600, height: 512 }, J = 1.5;
class ue {
  constructor(t, n, i, s, o) {
    this.project = t, this.ui = i, this.overlay = s, this.images = new Ct(n, () => this.render(), (r) => o(r, "error")), [this.dbMin, this.dbMax] = [t.settings.db_min, t.settings.db_max];
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
  limits = $(this.view);
  task = null;
  userZoomed = !1;
  frame = 0;
  dbTimer;
  /** Show a new task's clip; "ready" once its image is on screen, "stale" if another task came first. */
  async open(t) {
    this.close(), this.task = t, this.view = this.clipWindow(), this.limits = $(this.view), this.render();
    const n = await this.loadBase();
    return n === "ready" && this.images.prefetch(this.request(this.otherKind(), this.clipWindow(), V)), n;
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
      db_max: this.dbMax
    };
    return t === "spectrogram" && Object.assign(o, { scale: s.freq_scale, norm: this.norm, window_s: s.window_s, overlap: s.overlap }), { kind: t, rid: this.task.clip.recording.id, params: o };
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
      n = await this.images.showBase(this.request(this.kind, this.clipWindow(), V));
    } catch {
      return this.task === t ? "failed" : "stale";
    }
    return !n || this.task !== t ? "stale" : (this.limits = $(n.extent), this.view = this.userZoomed ? this.clamp(this.view) : { ...n.extent }, this.requestDetail(), this.render(), "ready");
  }
  /** A sharper image of the visible window when the base image is too coarse for it. */
  requestDetail() {
    const t = this.images.base;
    if (!this.task || !t || t.kind !== this.kind) return;
    if (!this.userZoomed) return this.images.requestDetail(null);
    const n = window.devicePixelRatio || 1, i = { width: Math.min(4096, this.size.width * n), height: Math.min(2048, this.size.height * n) }, s = (h) => c(this.scale(), h), o = (this.view.end - this.view.start) / (t.extent.end - t.extent.start), r = (s(this.view.high) - s(this.view.low)) / (s(t.extent.high) - s(t.extent.low)), a = o * t.bitmap.width < i.width * 0.9 || r * t.bitmap.height < i.height * 0.9;
    this.images.requestDetail(a ? this.request(this.kind, this.view, i) : null);
  }
  toggleKind() {
    this.kind = this.otherKind(), this.loadBase(), this.render();
  }
  setNorm(t) {
    this.norm = t, this.loadBase();
  }
  /** Brightness/contrast: re-request the images once the sliders rest. */
  setDb(t, n) {
    [this.dbMin, this.dbMax] = [Math.min(t, n - 1), Math.max(n, t + 1)], clearTimeout(this.dbTimer), this.dbTimer = setTimeout(() => {
      this.loadBase();
    }, 300);
  }
  // ---- zoom and pan --------------------------------------------------------------------------
  setView(t) {
    this.view = t, this.userZoomed = !0, this.render(), this.requestDetail();
  }
  clamp(t) {
    return N(A(t, 1, t.start, this.limits), 1, t.low, this.limits, this.scale());
  }
  /** +/-: zoom time around `anchor` (s); 0 resets to the whole clip with its context. */
  zoomStep(t, n = (this.view.start + this.view.end) / 2) {
    if (t === 0)
      return this.view = { ...this.limits.bounds }, this.userZoomed = !1, this.render(), this.images.requestDetail(null);
    this.setView(A(this.view, t > 0 ? J : 1 / J, n, this.limits));
  }
  zoomTime(t, n) {
    this.setView(A(this.view, t, g(n.x, this.view, this.size), this.limits));
  }
  zoomFreq(t, n) {
    const i = this.scale();
    this.setView(N(this.view, t, w(n.y, this.view, this.size, i), this.limits, i));
  }
  /** Move the content by pixels (it follows the pointer). */
  pan(t, n) {
    this.setView(dt(this.view, t, n, this.size, this.limits, this.scale()));
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
    St(K(t.canvas, i), {
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
    Lt(K(t.timeAxis, a), n, a, o);
    const h = { width: t.freqAxis.clientWidth || 64, height: i.height };
    Pt(K(t.freqAxis, h), n, h, s), t.readout.textContent = this.readout(s);
  }
  readout(t) {
    const n = this.task.clip, i = this.view, s = [];
    if (this.cursor) {
      const a = g(this.cursor.x, i, this.size), h = w(this.cursor.y, i, this.size, t), l = a - n.start_s;
      s.push(`t ${a.toFixed(4)} s (clip ${l >= 0 ? "+" : "−"}${I(Math.abs(l))})`, `f ${(h / 1e3).toFixed(2)} kHz`);
    }
    const o = this.drawing;
    o && (s.push(`Δt ${I(o.end_s - o.start_s)}`), o.low_hz !== null && o.high_hz !== null && s.push(`${(o.low_hz / 1e3).toFixed(2)}–${(o.high_hz / 1e3).toFixed(2)} kHz`));
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
  F as A,
  Ut as B,
  Ht as C,
  Xt as D,
  ne as E,
  It as F,
  Rt as G,
  ee as H,
  Ot as I,
  z as J,
  se as P,
  ue as V,
  Qt as a,
  X as b,
  C as c,
  ie as d,
  M as e,
  jt as f,
  Yt as g,
  Vt as h,
  I as i,
  ot as j,
  re as k,
  oe as l,
  Wt as m,
  he as n,
  B as o,
  K as p,
  Q as q,
  ae as r,
  Zt as s,
  te as t,
  le as u,
  Nt as v,
  Gt as w,
  Bt as x,
  rt as y,
  Jt as z
};
