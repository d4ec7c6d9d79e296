// Operations on the draft (the submit body). Pure: each returns a new draft.

import type { Annotation, AnnotationMode, Draft, EventDraft, Prediction, SubmitBody } from "./types";

export function emptyDraft(version: number | null = null): Draft {
  return { version, tags: [], no_calls: false, noise: false, uncertain: false, notes: "", events: [] };
}

/** The body that saves a saved annotation without one of its events (by id): how the page
 * deletes a long event from the clip it continues into, on the clip it belongs to. */
export function withoutEvent(a: Annotation, eventId: number): SubmitBody {
  const draft = fromAnnotation({ ...a, events: a.events.filter((e) => e.id !== eventId) });
  return { ...draft, tags: [...draft.tags], events: [...draft.events] };
}

export function fromAnnotation(a: Annotation | null): Draft {
  if (!a) return emptyDraft();
  return {
    version: a.version,
    tags: [...a.tags],
    no_calls: a.no_calls,
    noise: a.noise,
    uncertain: a.uncertain,
    notes: a.notes ?? "",
    events: a.events.map(({ start_s, end_s, low_hz, high_hz, tag, confidence, notes }) => ({
      start_s,
      end_s,
      low_hz,
      high_hz,
      tag,
      confidence,
      notes: notes ?? "",
    })),
  };
}

/** Microsecond and 0.1 Hz precision: far below a pixel, and keeps the JSON readable. */
export function roundEvent(ev: EventDraft): EventDraft {
  const r = (v: number, digits: number) => Number(v.toFixed(digits));
  return {
    ...ev,
    start_s: r(ev.start_s, 6),
    end_s: r(ev.end_s, 6),
    low_hz: ev.low_hz === null ? null : r(ev.low_hz, 1),
    high_hz: ev.high_hz === null ? null : r(ev.high_hz, 1),
  };
}

export function addEvent(d: Draft, ev: EventDraft): Draft {
  return { ...d, events: [...d.events, roundEvent(ev)] };
}

export function updateEvent(d: Draft, index: number, patch: Partial<EventDraft>): Draft {
  const events = d.events.map((ev, i) => (i === index ? roundEvent({ ...ev, ...patch }) : ev));
  return { ...d, events };
}

export function removeEvent(d: Draft, index: number): Draft {
  return { ...d, events: d.events.filter((_, i) => i !== index) };
}

export function toggleClipTag(d: Draft, tagId: number): Draft {
  const tags = d.tags.includes(tagId) ? d.tags.filter((t) => t !== tagId) : [...d.tags, tagId];
  return { ...d, tags };
}

/** The tags of the draft's boxes, each once, in box order. */
export function boxTags(d: Draft): number[] {
  return [...new Set(d.events.map((e) => e.tag).filter((t): t is number => t !== null))];
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((t) => sa.has(t));
}

/**
 * The clip's tags follow its boxes (a box labelled X makes X a clip tag) until the annotator
 * sets the clip tags themselves; then their choice stands. Applied to every change: while the
 * clip tags before it were exactly the boxes' tags, and the change itself left the clip tags
 * alone, they become the boxes' tags after it. A saved annotation whose clip tags differ from
 * its boxes' keeps them, for the same reason.
 */
export function followBoxTags(before: Draft, next: Draft): Draft {
  if (!sameSet(next.tags, before.tags)) return next; // the annotator edited the clip tags
  if (!sameSet(before.tags, boxTags(before))) return next; // they did so earlier
  const tags = boxTags(next);
  return sameSet(tags, next.tags) ? next : { ...next, tags };
}

/** Whether the clip tags are still derived from the boxes (shown beside the checkboxes). */
export function tagsFollowBoxes(d: Draft): boolean {
  return sameSet(d.tags, boxTags(d));
}

export type Flag = "no_calls" | "noise" | "uncertain";

export function toggleFlag(d: Draft, flag: Flag): Draft {
  return { ...d, [flag]: !d[flag] };
}

export function setNotes(d: Draft, notes: string): Draft {
  return { ...d, notes };
}

function eventKey(ev: EventDraft): string {
  const r = roundEvent(ev);
  return JSON.stringify([r.start_s, r.end_s, r.low_hz, r.high_hz, r.tag, r.confidence, r.notes]);
}

/** Same answer, ignoring the version and the order of tags and events. */
export function sameContent(a: Draft, b: Draft): boolean {
  const sorted = (xs: string[]) => [...xs].sort().join("|");
  return (
    a.no_calls === b.no_calls &&
    a.noise === b.noise &&
    a.uncertain === b.uncertain &&
    a.notes === b.notes &&
    sorted(a.tags.map(String)) === sorted(b.tags.map(String)) &&
    sorted(a.events.map(eventKey)) === sorted(b.events.map(eventKey))
  );
}

/**
 * Mine merged onto theirs (after a 409): their events plus mine that they lack, tags united,
 * flags or-ed ("no calls" only while no events remain), notes kept both; their version.
 */
export function mergeDrafts(mine: Draft, theirs: Draft): Draft {
  const have = new Set(theirs.events.map(eventKey));
  const events = [...theirs.events, ...mine.events.filter((e) => !have.has(eventKey(e)))];
  const notes =
    mine.notes === theirs.notes || !mine.notes ? theirs.notes : theirs.notes ? `${theirs.notes}\n---\n${mine.notes}` : mine.notes;
  return {
    version: theirs.version,
    tags: [...new Set([...theirs.tags, ...mine.tags])],
    no_calls: (mine.no_calls || theirs.no_calls) && events.length === 0,
    noise: mine.noise || theirs.noise,
    uncertain: mine.uncertain || theirs.uncertain,
    notes,
    events,
  };
}

export function eventFromPrediction(p: Prediction, mode: AnnotationMode): EventDraft {
  const box = mode === "box" && p.low_hz !== null && p.high_hz !== null;
  return roundEvent({
    start_s: p.start_s,
    end_s: p.end_s,
    low_hz: box ? p.low_hz : null,
    high_hz: box ? p.high_hz : null,
    tag: p.tag,
    confidence: null,
    notes: "",
  });
}

/** A prediction counts as accepted when the draft holds an event with its span and tag. */
export function isAccepted(d: Draft, p: Prediction, mode: AnnotationMode): boolean {
  const k = eventKey(eventFromPrediction(p, mode));
  return d.events.some((e) => eventKey({ ...e, confidence: null, notes: "" }) === k);
}

/** Problems worth a warning before submitting (the server still has the last word). */
export function warnings(d: Draft): string[] {
  const out: string[] = [];
  if (d.no_calls && d.events.length > 0) out.push(`"No calls" is set but there are ${d.events.length} boxes`);
  const untagged = d.events.filter((e) => e.tag === null).length;
  if (untagged) out.push(`${untagged} box${untagged > 1 ? "es have" : " has"} no tag`);
  return out;
}
