// The keyboard map: key events -> actions. Pure; main.ts performs the actions.

import type { Tag } from "./types";

export type Action =
  | { type: "submit" }
  | { type: "skip" }
  | { type: "toggleView" }
  | { type: "noCalls" }
  | { type: "noise" }
  | { type: "uncertain" }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "delete" }
  | { type: "zoomIn" }
  | { type: "zoomOut" }
  | { type: "resetZoom" }
  | { type: "play" }
  | { type: "tag"; tagId: number }
  | { type: "escape" }
  | { type: "blur" }
  | { type: "selectNext" }
  | { type: "selectPrev" }
  | { type: "togglePredictions" }
  | { type: "acceptPrediction" }
  | { type: "acceptAllPredictions" }
  | { type: "pan"; dx: number; dy: number }
  | { type: "panMode" }
  | { type: "cycleExpansion" }
  | { type: "window"; step: 1 | -1 }
  | { type: "cycleSharpen" }
  | { type: "autoLevels" }
  | { type: "help" };

/** The parts of a KeyboardEvent the map looks at (so tests need no DOM). */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
  repeat?: boolean;
}

export interface KeyContext {
  tags: readonly Tag[];
  /** Focus is in a text field: only Escape, Ctrl+Enter and (in one-line fields) Enter act. */
  typing: boolean;
  /** The text field is a textarea, where Enter is a newline. */
  multiline?: boolean;
}

/** Built-in single-letter keys; they win over a project tag hotkey on the same letter. */
const LETTERS: Record<string, Action> = {
  s: { type: "toggleView" },
  n: { type: "noCalls" },
  x: { type: "noise" },
  u: { type: "uncertain" },
  k: { type: "skip" },
  p: { type: "togglePredictions" },
  a: { type: "acceptPrediction" },
  h: { type: "panMode" },
  e: { type: "cycleExpansion" },
};

const NAMED: Record<string, Action> = {
  Enter: { type: "submit" },
  " ": { type: "play" },
  Delete: { type: "delete" },
  Backspace: { type: "delete" },
  Escape: { type: "escape" },
  "+": { type: "zoomIn" },
  "=": { type: "zoomIn" },
  "-": { type: "zoomOut" },
  _: { type: "zoomOut" },
  "0": { type: "resetZoom" },
  "?": { type: "help" },
  "[": { type: "window", step: -1 },
  "]": { type: "window", step: 1 },
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 },
};

/** Actions that make sense when a key is held down and auto-repeats. */
const REPEATABLE = new Set(["undo", "redo", "zoomIn", "zoomOut", "pan", "selectNext", "selectPrev"]);

export const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.keys(LETTERS), ...Object.keys(NAMED)]);

export function resolveKey(ev: KeyLike, ctx: KeyContext): Action | null {
  const action = resolve(ev, ctx);
  if (action && ev.repeat && !REPEATABLE.has(action.type)) return null;
  return action;
}

function resolve(ev: KeyLike, ctx: KeyContext): Action | null {
  const mod = ev.ctrlKey || ev.metaKey;
  if (ctx.typing) {
    if (ev.key === "Escape") return { type: "blur" };
    if (mod && ev.key === "Enter") return { type: "submit" };
    if (ev.key === "Enter" && !ctx.multiline && !ev.shiftKey && !ev.altKey) return { type: "blur" };
    return null;
  }
  if (mod) return modified(ev);
  if (ev.altKey) return null;
  if (ev.key === "Tab") return { type: ev.shiftKey ? "selectPrev" : "selectNext" };
  const digit = digitOf(ev);
  if (digit !== null && digit > 0) {
    const tag = ctx.tags[digit - 1];
    return tag ? { type: "tag", tagId: tag.id } : null;
  }
  if (ev.key in NAMED) return NAMED[ev.key];
  const letter = ev.key.length === 1 ? ev.key.toLowerCase() : "";
  if (letter === "a" && ev.shiftKey) return { type: "acceptAllPredictions" };
  if (letter === "r" && ev.shiftKey) return { type: "cycleSharpen" };
  if (letter === "l" && ev.shiftKey) return { type: "autoLevels" };
  if (letter in LETTERS) return LETTERS[letter];
  const tag = letter ? ctx.tags.find((t) => (t.hotkey ?? "").toLowerCase() === letter) : undefined;
  return tag ? { type: "tag", tagId: tag.id } : null;
}

function modified(ev: KeyLike): Action | null {
  if (ev.altKey) return null;
  const key = ev.key.toLowerCase();
  if (key === "z") return { type: ev.shiftKey ? "redo" : "undo" };
  if (key === "y") return { type: "redo" };
  if (ev.key === "Enter") return { type: "submit" };
  return null; // leave Ctrl+C, Ctrl+R, ... to the browser
}

/** 0-9 from the key, or from the physical digit row when the layout needs Shift (AZERTY). */
function digitOf(ev: KeyLike): number | null {
  if (/^[0-9]$/.test(ev.key)) return Number(ev.key);
  const m = /^Digit([0-9])$/.exec(ev.code ?? "");
  if (m && !ev.shiftKey) return Number(m[1]);
  return null;
}

/** Tag ids whose letter hotkey is shadowed by a built-in key, to flag in the tag picker. */
export function shadowedTagHotkeys(tags: readonly Tag[]): Set<number> {
  return new Set(tags.filter((t) => t.hotkey && RESERVED_KEYS.has(t.hotkey.toLowerCase())).map((t) => t.id));
}

/** The keys a tag answers to, for labels, each once: "1".."9" for the first nine, and its own
 *  letter hotkey (a digit hotkey never acts: digits always pick a tag by position). */
export function tagKeyLabel(tags: readonly Tag[], index: number): string {
  const parts: string[] = [];
  if (index < 9) parts.push(String(index + 1));
  const hk = (tags[index].hotkey ?? "").toLowerCase();
  if (hk && !RESERVED_KEYS.has(hk) && !/^[0-9]$/.test(hk)) parts.push(hk);
  return parts.join(" ");
}

// ---- the skip reason chooser (k opens it) ----------------------------------------------------

/** Why an annotator skips a clip: the server's choices, with the key that picks each. */
export const SKIP_REASONS = [
  { value: "cant_tell", label: "can't tell", key: "1" },
  { value: "broken_audio", label: "broken audio", key: "2" },
  { value: "other", label: "other (say why)", key: "3" },
] as const;

export type SkipReason = (typeof SKIP_REASONS)[number]["value"];

export type SkipKey = { type: "choose"; reason: SkipReason } | { type: "confirm" } | { type: "cancel" };

/** Keys inside the chooser: 1/2/3 pick a reason, Enter skips, Escape goes back to the clip.
 *  While the note is being typed only Enter and Escape act. */
export function resolveSkipKey(ev: KeyLike, typingNote: boolean): SkipKey | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat) return null;
  if (ev.key === "Escape") return { type: "cancel" };
  if (ev.key === "Enter") return { type: "confirm" };
  if (typingNote) return null;
  const digit = digitOf(ev);
  const reason = SKIP_REASONS.find((r) => Number(r.key) === digit);
  return reason ? { type: "choose", reason: reason.value } : null;
}

/** A skip in words for the status line: the annotator's note for "other", else the reason. */
export function skipWords(body: { reason: SkipReason; note: string }): string {
  if (body.reason === "other") return body.note;
  return SKIP_REASONS.find((r) => r.value === body.reason)?.label ?? body.reason;
}

/** The release body, or what is missing: a reason, and a note when the reason is "other". */
export function skipBody(reason: SkipReason | null, note: string): { reason: SkipReason; note: string } | string {
  if (!reason) return "Choose a reason: 1, 2 or 3.";
  if (reason === "other" && !note.trim()) return "Say in a few words why you skip it.";
  return { reason, note: note.trim() };
}

export const HELP: readonly [string, string][] = [
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
  ["?", "this help"],
];
