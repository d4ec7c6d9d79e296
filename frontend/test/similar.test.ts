import { describe, expect, it } from "vitest";
import { labelBody, tagForKey, type SimilarMatch } from "../src/similar";
import type { Tag } from "../src/types";

const tags: Tag[] = [
  { id: 1, key: "species", value: "Myotis", display_name: "", hotkey: "1", color: null },
  { id: 2, key: "species", value: "Pipistrellus", display_name: "", hotkey: "P", color: null },
  { id: 3, key: "species", value: "No key", display_name: "", hotkey: null, color: null },
];

const match: SimilarMatch = { clip: 9, recording: 4, start_s: 1, end_s: 1.5, window_start_s: 1.2, window_end_s: 1.3, similarity: 0.8, distance: 0.2 };

describe("the similar strip", () => {
  it("finds the tag a key names, case-insensitively, and nothing for other keys", () => {
    expect(tagForKey(tags, "1")?.id).toBe(1);
    expect(tagForKey(tags, "p")?.id).toBe(2);
    expect(tagForKey(tags, "x")).toBeNull();
    expect(tagForKey(tags, "Enter")).toBeNull();
  });

  it("labels a match with a box over its best window in the query's band", () => {
    expect(labelBody(2, [match], { clip: 1, start_s: 0.1, end_s: 0.2, low_hz: 30_000, high_hz: 50_000 })).toEqual({
      tag: 2,
      low_hz: 30_000,
      high_hz: 50_000,
      matches: [{ clip: 9, start_s: 1.2, end_s: 1.3 }],
    });
    expect(labelBody(1, [match], { clip: 1 })).toMatchObject({ low_hz: null, high_hz: null });
  });
});
