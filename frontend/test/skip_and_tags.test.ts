import { describe, expect, it } from "vitest";
import * as A from "../src/annotation";
import { SKIP_REASONS, resolveSkipKey, skipBody, skipWords, tagKeyLabel } from "../src/hotkeys";
import type { Draft, EventDraft, Tag, Task } from "../src/types";
import { tagLabel, taskNotes } from "../src/ui";

const box = (start: number, tag: number | null): EventDraft => ({ start_s: start, end_s: start + 0.01, low_hz: 20_000, high_hz: 40_000, tag, confidence: null, notes: "" });
const withBoxes = (d: Draft, ...boxes: EventDraft[]) => boxes.reduce((acc, b) => A.followBoxTags(acc, A.addEvent(acc, b)), d);

describe("clip tags follow the boxes until the annotator sets them", () => {
  it("a box labelled X makes X a clip tag, each tag once", () => {
    const d = withBoxes(A.emptyDraft(), box(1, 5), box(2, 7), box(3, 5));
    expect(d.tags).toEqual([5, 7]);
  });

  it("retagging or deleting a box moves the clip tags with it", () => {
    const d = withBoxes(A.emptyDraft(), box(1, 5), box(2, 7));
    const retagged = A.followBoxTags(d, A.updateEvent(d, 1, { tag: 9 }));
    expect(retagged.tags).toEqual([5, 9]);
    const deleted = A.followBoxTags(retagged, A.removeEvent(retagged, 0));
    expect(deleted.tags).toEqual([9]);
  });

  it("an untagged box adds no clip tag", () => {
    expect(withBoxes(A.emptyDraft(), box(1, null)).tags).toEqual([]);
  });

  it("once the annotator changes the clip tags, their choice stands", () => {
    const d = withBoxes(A.emptyDraft(), box(1, 5));
    const unticked = A.followBoxTags(d, A.toggleClipTag(d, 5));
    expect(unticked.tags).toEqual([]);
    expect(A.tagsFollowBoxes(unticked)).toBe(false);
    const more = withBoxes(unticked, box(2, 7));
    expect(more.tags).toEqual([]);
    const added = A.followBoxTags(more, A.toggleClipTag(more, 11));
    expect(withBoxes(added, box(3, 12)).tags).toEqual([11]);
  });

  it("a saved annotation whose clip tags differ from its boxes keeps them", () => {
    const saved = { ...withBoxes(A.emptyDraft(), box(1, 5)), tags: [5, 8] };
    expect(withBoxes(saved, box(2, 7)).tags).toEqual([5, 8]);
    const following = withBoxes(A.emptyDraft(), box(1, 5));
    expect(A.tagsFollowBoxes(following)).toBe(true);
  });

  it("returns the same draft when nothing needs to change", () => {
    const d = withBoxes(A.emptyDraft(), box(1, 5));
    const flagged = A.toggleFlag(d, "noise");
    expect(A.followBoxTags(d, flagged)).toBe(flagged);
  });
});

describe("the skip reason chooser", () => {
  it("1/2/3 pick a reason, Enter skips, Escape goes back", () => {
    expect(SKIP_REASONS.map((r) => [r.key, r.value])).toEqual([["1", "cant_tell"], ["2", "broken_audio"], ["3", "other"]]);
    expect(resolveSkipKey({ key: "1" }, false)).toEqual({ type: "choose", reason: "cant_tell" });
    expect(resolveSkipKey({ key: "2" }, false)).toEqual({ type: "choose", reason: "broken_audio" });
    expect(resolveSkipKey({ key: "3" }, false)).toEqual({ type: "choose", reason: "other" });
    expect(resolveSkipKey({ key: "&", code: "Digit1" }, false)).toEqual({ type: "choose", reason: "cant_tell" }); // AZERTY
    expect(resolveSkipKey({ key: "Enter" }, false)).toEqual({ type: "confirm" });
    expect(resolveSkipKey({ key: "Escape" }, false)).toEqual({ type: "cancel" });
    expect(resolveSkipKey({ key: "4" }, false)).toBeNull();
    expect(resolveSkipKey({ key: "k" }, false)).toBeNull();
    expect(resolveSkipKey({ key: "1", repeat: true }, false)).toBeNull();
  });

  it("while the note is typed, digits are text; Enter and Escape still act", () => {
    expect(resolveSkipKey({ key: "2" }, true)).toBeNull();
    expect(resolveSkipKey({ key: "Enter" }, true)).toEqual({ type: "confirm" });
    expect(resolveSkipKey({ key: "Escape" }, true)).toEqual({ type: "cancel" });
  });

  it("needs a reason, and a note for 'other'", () => {
    expect(typeof skipBody(null, "")).toBe("string");
    expect(typeof skipBody("other", "   ")).toBe("string");
    expect(skipBody("other", " rain ")).toEqual({ reason: "other", note: "rain" });
    expect(skipBody("broken_audio", "")).toEqual({ reason: "broken_audio", note: "" });
  });

  it("says a skip in words", () => {
    expect(skipWords({ reason: "cant_tell", note: "" })).toBe("can't tell");
    expect(skipWords({ reason: "other", note: "rain" })).toBe("rain");
  });
});

describe("words on the page", () => {
  const tag = (id: number, hotkey: string | null, display_name = ""): Tag => ({ id, key: "species", value: "Carollia castanea", display_name, hotkey, color: null });

  it("a tag button shows the species name and its key once", () => {
    const tags = [tag(1, "1"), tag(2, "c"), tag(3, "5")];
    expect(tagKeyLabel(tags, 0)).toBe("1");
    expect(tagKeyLabel(tags, 1)).toBe("2 c");
    expect(tagKeyLabel(tags, 2)).toBe("3"); // a digit hotkey never acts: digits pick by position
    expect(tagLabel(tags[0])).toBe("Carollia castanea");
    expect(tagLabel(tag(4, null, "Chestnut short-tailed bat"))).toBe("Chestnut short-tailed bat");
  });

  const task = (extra: Partial<Task>): Task => ({
    id: 1, rank: 1, reason: "", lease_expires_at: "2026-01-01T00:00:00Z", annotation: null,
    clip: { id: 1, start_s: 0, end_s: 1, recording: { id: 1, name: "r.wav", samplerate: 384000, duration_s: 1, time_expansion: 10 } },
    ...extra,
  });

  it("a returned clip shows the lead's note; a skipped one says why it was skipped", () => {
    expect(taskNotes(task({}))).toEqual([]);
    expect(taskNotes(task({ returned_to: 4, return_note: "Box the whole call" }))).toEqual(["A lead sent this clip back: “Box the whole call”."]);
    const answer = { id: 3, version: 2, tags: [], no_calls: true, noise: false, uncertain: false, notes: "", events: [] };
    expect(taskNotes(task({ returned_to: 4, return_note: "Box it", annotation: answer }))[0]).toContain("Your earlier answer is loaded");
    const skipped = taskNotes(task({ your_last_skip: { reason: "broken_audio", why: "broken audio", at: "" } }));
    expect(skipped).toEqual(["You skipped this clip before (broken audio); nothing else is waiting for you."]);
  });
});
