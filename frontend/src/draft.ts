// Work in progress in localStorage, keyed by task id + annotation version, so a reload or a
// crash loses nothing. A draft is deleted only after the server accepted it (200).

import { sameContent } from "./annotation";
import type { Draft } from "./types";

/** The subset of the Storage interface used here (a Map-backed fake works in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

export interface StoredDraft {
  taskId: number;
  version: number | null;
  savedAt: number;
  draft: Draft;
}

const PREFIX = "echoloop:draft:v1:";

export function draftKey(taskId: number, version: number | null): string {
  return `${PREFIX}${taskId}:${version ?? "new"}`;
}

export class DraftStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Save; returns false (and keeps going) when storage is full or unavailable. */
  save(taskId: number, version: number | null, draft: Draft): boolean {
    const entry: StoredDraft = { taskId, version, savedAt: this.now(), draft };
    try {
      this.store.setItem(draftKey(taskId, version), JSON.stringify(entry));
      return true;
    } catch {
      return false;
    }
  }

  load(taskId: number, version: number | null): StoredDraft | null {
    return this.parse(this.store.getItem(draftKey(taskId, version)));
  }

  remove(taskId: number, version: number | null): void {
    this.store.removeItem(draftKey(taskId, version));
  }

  /** Drafts of this task made against other annotation versions (newest first). */
  others(taskId: number, version: number | null): StoredDraft[] {
    const own = draftKey(taskId, version);
    return this.all()
      .filter((d) => d.taskId === taskId && draftKey(d.taskId, d.version) !== own)
      .sort((a, b) => b.savedAt - a.savedAt);
  }

  /** Forget drafts older than `maxAgeMs`; returns how many were removed. */
  prune(maxAgeMs: number): number {
    const cutoff = this.now() - maxAgeMs;
    const old = this.all().filter((d) => d.savedAt < cutoff);
    for (const d of old) this.remove(d.taskId, d.version);
    return old.length;
  }

  private all(): StoredDraft[] {
    const keys: string[] = [];
    for (let i = 0; i < this.store.length; i++) {
      const k = this.store.key(i);
      if (k && k.startsWith(PREFIX)) keys.push(k);
    }
    return keys.map((k) => this.parse(this.store.getItem(k))).filter((d): d is StoredDraft => d !== null);
  }

  private parse(raw: string | null): StoredDraft | null {
    if (!raw) return null;
    try {
      const d = JSON.parse(raw) as StoredDraft;
      return d && typeof d.taskId === "number" && d.draft && Array.isArray(d.draft.events) ? d : null;
    } catch {
      return null;
    }
  }
}

export interface Recovery {
  /** What the page starts from: the unsaved draft of this version if there is one, else the server's. */
  draft: Draft;
  /** The unsaved draft that was restored, if any. */
  restored: StoredDraft | null;
  /** Unsaved work made against an older version of the annotation, to offer to the user. */
  older: StoredDraft | null;
}

/** Pick up where the user left off when a task opens; drafts equal to the server's are dropped. */
export function recover(store: DraftStore, taskId: number, server: Draft): Recovery {
  const stored = store.load(taskId, server.version);
  if (stored && !sameContent(stored.draft, server)) {
    return { draft: { ...stored.draft, version: server.version }, restored: stored, older: null };
  }
  if (stored) store.remove(taskId, server.version);
  const older = store.others(taskId, server.version).find((d) => !sameContent(d.draft, server)) ?? null;
  return { draft: server, restored: null, older };
}
