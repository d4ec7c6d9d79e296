// Undo/redo of immutable snapshots. Pure: every function returns a new stack.
//
// Call `record(stack, before, key)` with the state as it was *before* a change. Changes that
// share a `key` in a row (typing in one field, dragging one slider) collapse into one undo step.

export interface UndoStack<T> {
  readonly past: readonly T[];
  readonly future: readonly T[];
  readonly lastKey: string | null;
  readonly limit: number;
}

export function createUndo<T>(limit = 300): UndoStack<T> {
  return { past: [], future: [], lastKey: null, limit };
}

export function record<T>(stack: UndoStack<T>, before: T, key: string | null = null): UndoStack<T> {
  if (key !== null && key === stack.lastKey && stack.past.length > 0) {
    return { ...stack, future: [] };
  }
  const past = [...stack.past, before].slice(-stack.limit);
  return { ...stack, past, future: [], lastKey: key };
}

export function canUndo<T>(stack: UndoStack<T>): boolean {
  return stack.past.length > 0;
}

export function canRedo<T>(stack: UndoStack<T>): boolean {
  return stack.future.length > 0;
}

/** Step back: returns the restored state and the new stack, or null when there is nothing to undo. */
export function undo<T>(stack: UndoStack<T>, current: T): { stack: UndoStack<T>; state: T } | null {
  if (stack.past.length === 0) return null;
  const state = stack.past[stack.past.length - 1];
  return {
    state,
    stack: { ...stack, past: stack.past.slice(0, -1), future: [current, ...stack.future], lastKey: null },
  };
}

export function redo<T>(stack: UndoStack<T>, current: T): { stack: UndoStack<T>; state: T } | null {
  if (stack.future.length === 0) return null;
  const [state, ...future] = stack.future;
  return {
    state,
    stack: { ...stack, past: [...stack.past, current].slice(-stack.limit), future, lastKey: null },
  };
}
