// The review page's keyboard map: key events -> actions. Pure; reviewpage.ts performs them.
//
// Reviewing (mode "view") is one key per verdict; correcting (mode "edit") keeps the annotation
// page's keys for boxes and tags, with Enter saving the correction and Escape leaving it.

import { resolveKey, type KeyLike } from "./hotkeys";
import type { Tag } from "./types";

export type ReviewMode = "view" | "edit" | "note";

export type ReviewAction =
  | { type: "accept" }
  | { type: "reject" }
  | { type: "edit" }
  | { type: "next" }
  | { type: "previous" }
  | { type: "consensus"; rule: "first" | "second" | "union" }
  | { type: "layout" }
  | { type: "predictions" }
  | { type: "toggleView" }
  | { type: "zoomIn" }
  | { type: "zoomOut" }
  | { type: "resetZoom" }
  | { type: "pan"; dx: number; dy: number }
  | { type: "play" }
  | { type: "help" }
  | { type: "save" }
  | { type: "escape" }
  | { type: "blur" }
  | { type: "tag"; tagId: number }
  | { type: "delete" }
  | { type: "undo" }
  | { type: "redo" }
  | { type: "selectNext" }
  | { type: "selectPrev" };

const VIEW_LETTERS: Record<string, ReviewAction> = {
  a: { type: "accept" },
  r: { type: "reject" },
  e: { type: "edit" },
  n: { type: "next" },
  p: { type: "previous" },
  j: { type: "next" },
  k: { type: "previous" },
  "1": { type: "consensus", rule: "first" },
  "2": { type: "consensus", rule: "second" },
  u: { type: "consensus", rule: "union" },
  v: { type: "layout" },
  m: { type: "predictions" },
  s: { type: "toggleView" },
};

/** Keys shared by both modes: looking around. */
const VIEWING: Record<string, ReviewAction> = {
  "+": { type: "zoomIn" },
  "=": { type: "zoomIn" },
  "-": { type: "zoomOut" },
  _: { type: "zoomOut" },
  "0": { type: "resetZoom" },
  " ": { type: "play" },
  "?": { type: "help" },
  Escape: { type: "escape" },
  ArrowLeft: { type: "pan", dx: -0.25, dy: 0 },
  ArrowRight: { type: "pan", dx: 0.25, dy: 0 },
  ArrowUp: { type: "pan", dx: 0, dy: 0.25 },
  ArrowDown: { type: "pan", dx: 0, dy: -0.25 },
};

/** The annotation page's editing actions the review page takes over while correcting. */
const EDITING = new Set(["tag", "delete", "undo", "redo", "selectNext", "selectPrev", "toggleView"]);

export function reviewKey(ev: KeyLike, mode: ReviewMode, tags: readonly Tag[], typing: boolean): ReviewAction | null {
  const mod = ev.ctrlKey || ev.metaKey;
  if (mode === "note" || typing) {
    if (ev.key === "Escape") return { type: "escape" };
    // In the rejection note Enter sends (Shift+Enter is a new line); elsewhere it leaves the field.
    if (ev.key === "Enter" && !ev.shiftKey && !ev.altKey) return mode === "note" ? { type: "reject" } : { type: "blur" };
    return null;
  }
  if (ev.altKey) return null;
  if (mode === "edit") return editKey(ev, tags);
  if (mod) return null;
  if (ev.repeat && !["+", "=", "-", "_"].includes(ev.key) && !ev.key.startsWith("Arrow")) return null;
  if (ev.key in VIEWING) return VIEWING[ev.key];
  const letter = ev.key.length === 1 ? ev.key.toLowerCase() : "";
  if (ev.key === "A" || ev.key === "R" || ev.key === "E") return null; // Shift+letter is not a verdict
  return VIEW_LETTERS[letter] ?? null;
}

function editKey(ev: KeyLike, tags: readonly Tag[]): ReviewAction | null {
  if ((ev.ctrlKey || ev.metaKey || !ev.shiftKey) && ev.key === "Enter") return { type: "save" };
  if (!(ev.ctrlKey || ev.metaKey) && ev.key in VIEWING) return VIEWING[ev.key];
  const a = resolveKey(ev, { tags, typing: false });
  if (!a || !EDITING.has(a.type)) return null;
  return a as ReviewAction;
}

export const REVIEW_HELP: readonly [string, string][] = [
  ["a", "accept the answer"],
  ["r", "reject: type the note (required), Enter sends, Escape cancels"],
  ["e", "correct: edit, move, add or delete boxes; Enter saves the corrected version, Escape leaves"],
  ["n / p (j / k)", "next / previous answer in the list"],
  ["1 / 2 / u", "double-annotated clip: consensus from the first answer, the second, or the matched union"],
  ["v", "side by side / overlaid answers"],
  ["m", "show or hide the model's predictions"],
  ["s", "spectrogram / scalogram"],
  ["+ / − / 0, arrows, wheel", "zoom, pan (both sides together)"],
  ["Space", "play or pause the view"],
  ["while correcting", "drag to draw, drag a box to move, its handles to resize; 1–9 or tag letters set its tag; Delete removes it; Ctrl+Z undoes"],
  ["?", "this help"],
];
