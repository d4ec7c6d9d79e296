import { describe, expect, it } from "vitest";
import { emptyDraft } from "../src/annotation";
import { DraftStore, draftKey, recover, type KeyValueStore } from "../src/draft";

class FakeStorage implements KeyValueStore {
  data = new Map<string, string>();
  full = false;
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.full) throw new DOMException("quota", "QuotaExceededError");
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
  key(i: number) {
    return [...this.data.keys()][i] ?? null;
  }
  get length() {
    return this.data.size;
  }
}

const withBox = { ...emptyDraft(), events: [{ start_s: 1, end_s: 2, low_hz: 10, high_hz: 20, tag: 3, confidence: null, notes: "" }] };

describe("draft store", () => {
  it("saves and loads by task and version", () => {
    let now = 1000;
    const s = new DraftStore(new FakeStorage(), () => now);
    expect(s.save(5, null, withBox)).toBe(true);
    now = 2000;
    s.save(5, 3, { ...withBox, version: 3, notes: "v3" });
    expect(s.load(5, null)).toEqual({ taskId: 5, version: null, savedAt: 1000, draft: withBox });
    expect(s.load(5, 3)?.draft.notes).toBe("v3");
    expect(s.load(6, null)).toBeNull();
  });

  it("removes a draft", () => {
    const s = new DraftStore(new FakeStorage());
    s.save(5, 2, withBox);
    s.remove(5, 2);
    expect(s.load(5, 2)).toBeNull();
  });

  it("lists drafts of the same task at other versions, newest first", () => {
    let now = 0;
    const s = new DraftStore(new FakeStorage(), () => now);
    now = 1;
    s.save(5, 1, withBox);
    now = 2;
    s.save(5, null, withBox);
    now = 3;
    s.save(5, 2, withBox);
    s.save(6, 1, withBox);
    expect(s.others(5, 2).map((d) => d.version)).toEqual([null, 1]);
  });

  it("prunes old drafts", () => {
    let now = 0;
    const store = new FakeStorage();
    const s = new DraftStore(store, () => now);
    s.save(1, null, withBox);
    now = 100;
    s.save(2, null, withBox);
    store.setItem("unrelated", "keep me");
    expect(s.prune(50)).toBe(1);
    expect(s.load(1, null)).toBeNull();
    expect(s.load(2, null)).not.toBeNull();
    expect(store.getItem("unrelated")).toBe("keep me");
  });

  it("reports a full storage instead of throwing", () => {
    const store = new FakeStorage();
    store.full = true;
    expect(new DraftStore(store).save(1, null, withBox)).toBe(false);
  });

  it("ignores corrupt entries", () => {
    const store = new FakeStorage();
    store.setItem(draftKey(1, null), "{not json");
    store.setItem(draftKey(2, null), JSON.stringify({ taskId: 2 }));
    const s = new DraftStore(store);
    expect(s.load(1, null)).toBeNull();
    expect(s.load(2, null)).toBeNull();
    expect(s.others(3, null)).toEqual([]);
  });
});

describe("recovering a draft when a task opens", () => {
  const server = { ...emptyDraft(2), notes: "saved" };

  it("starts from the server's annotation when nothing was left", () => {
    const r = recover(new DraftStore(new FakeStorage()), 5, server);
    expect(r).toEqual({ draft: server, restored: null, older: null });
  });

  it("restores unsaved work on the same version", () => {
    const s = new DraftStore(new FakeStorage());
    s.save(5, 2, { ...withBox, version: 2 });
    const r = recover(s, 5, server);
    expect(r.draft.events).toEqual(withBox.events);
    expect(r.draft.version).toBe(2);
    expect(r.restored).not.toBeNull();
  });

  it("drops a draft that equals the server's annotation", () => {
    const s = new DraftStore(new FakeStorage());
    s.save(5, 2, server);
    expect(recover(s, 5, server).restored).toBeNull();
    expect(s.load(5, 2)).toBeNull();
  });

  it("offers work made against an older version without applying it", () => {
    const s = new DraftStore(new FakeStorage());
    s.save(5, 1, { ...withBox, version: 1 });
    const r = recover(s, 5, server);
    expect(r.draft).toEqual(server);
    expect(r.older?.version).toBe(1);
  });
});
