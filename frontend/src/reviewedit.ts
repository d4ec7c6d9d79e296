// A lead's correction of one answer: the working copy of its boxes, the selection, the tag new
// boxes get, and undo. The page draws it and sends it; this class only changes it.

import * as A from "./annotation";
import { normalise, type Box } from "./boxes";
import type { Span } from "./mapping";
import type { Annotation, Draft } from "./types";
import { createUndo, record, redo, undo, type UndoStack } from "./undo";

export class Correction {
  draft: Draft;
  selected: number | null = null;
  pendingTag: number | null = null;
  private history: UndoStack<Draft> = createUndo();

  constructor(
    readonly answer: Annotation,
    /** Called after every change, to redraw. */
    private readonly changed: () => void,
  ) {
    this.draft = A.fromAnnotation(answer);
  }

  /** Whether there is anything to lose by leaving. */
  get edited(): boolean {
    return !A.sameContent(this.draft, A.fromAnnotation(this.answer));
  }

  /** Record `next` as one undoable step made from `before`. */
  change(next: Draft, before: Draft = this.draft): void {
    if (next !== before) this.history = record(this.history, before);
    this.draft = next;
    this.changed();
  }

  /** Show a draft while a box is dragged, without recording it. */
  preview(draft: Draft): void {
    this.draft = draft;
    this.changed();
  }

  /** A tag key: the selected box's tag, or the tag of the next box drawn. */
  setTag(tagId: number): "box" | "next" {
    if (this.selected === null) {
      this.pendingTag = tagId;
      this.changed();
      return "next";
    }
    this.change(A.updateEvent(this.draft, this.selected, { tag: tagId }));
    return "box";
  }

  deleteSelected(): void {
    if (this.selected === null) return;
    const i = this.selected;
    this.selected = null;
    this.change(A.removeEvent(this.draft, i));
  }

  /** False when there is nothing to undo (or redo). */
  step(direction: "undo" | "redo"): boolean {
    const r = direction === "undo" ? undo(this.history, this.draft) : redo(this.history, this.draft);
    if (!r) return false;
    [this.history, this.draft, this.selected] = [r.stack, r.state, null];
    this.changed();
    return true;
  }

  /** Tab / Shift+Tab: the next or previous box, wrapping around. */
  cycle(delta: 1 | -1): number | null {
    const n = this.draft.events.length;
    if (!n) return null;
    return this.selected === null ? (delta > 0 ? 0 : n - 1) : (this.selected + delta + n) % n;
  }

  /** A box drawn on the clip (kept inside `bounds`), selected, with the pending tag. */
  addBox(box: Box, bounds: Span): void {
    const next = A.addEvent(this.draft, { ...normalise(box, bounds), tag: this.pendingTag, confidence: null, notes: "" });
    this.change(next);
    this.selected = next.events.length - 1;
    this.changed();
  }
}
