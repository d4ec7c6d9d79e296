// What the review page shows, as plain data: the answers on a clip, their comparison, and the
// boxes to draw with a colour per annotator and the disagreement marked. Pure.

import type { Box } from "./boxes";
import type { Annotation, Clip } from "./types";

export type ReviewStatus = "pending" | "accepted" | "rejected";

/** One row of GET projects/{id}/review/ ("settled": by a consensus on this page, still pending). */
export interface ReviewItem {
  id: number;
  version: number;
  review_status: ReviewStatus | "settled";
  annotator: number;
  annotator_name: string;
  clip: Clip;
  dataset: number | null;
  answers: number;
  created_at: string;
  updated_at: string;
}

export interface ReviewPage {
  count: number;
  next: string | null;
  previous: string | null;
  results: ReviewItem[];
}

export interface Answer extends Annotation {
  annotator: number;
  annotator_name: string;
  review_status: ReviewStatus;
  consensus: { rule: string; sources: number[] } | null;
}

export interface Comparison {
  first: number;
  second: number;
  agrees: boolean;
  box_f1: number | null;
  tagged_f1: number | null;
  matches: { first: number; second: number; iou: number; same_tag: boolean }[];
  unmatched_first: number[];
  unmatched_second: number[];
}

/** GET annotations/{id}/comparison/: the answer under review first. */
export interface ClipReview {
  annotation: number;
  clip: Clip;
  threshold: number;
  answers: Answer[];
  comparisons: Comparison[];
}

export type Mark = "agreed" | "unmatched" | "label";

export interface DrawnBox extends Box {
  answer: number;
  event: number;
  tag: number | null;
  color: string;
  label: string;
  mark: Mark;
}

/** Colour-blind-friendly and apart from the tag palette's hues on a dark spectrogram. */
export const ANNOTATOR_COLORS = ["#00e5ff", "#ff4fa3", "#ffd600", "#76ff03", "#b388ff", "#ff9100", "#ffffff"];

/** A colour per annotator that stays the same from clip to clip (their place in the project list). */
export function annotatorColor(annotators: readonly { id: number }[], id: number): string {
  const i = annotators.findIndex((a) => a.id === id);
  return ANNOTATOR_COLORS[(i < 0 ? id : i) % ANNOTATOR_COLORS.length];
}

/** The answers a lead compares: everyone's but a consensus (a verdict, not an answer). */
export function plainAnswers(r: ClipReview): Answer[] {
  return r.answers.filter((a) => a.consensus === null);
}

/** Whether the clip has two answers to set side by side and settle. */
export function isDouble(r: ClipReview | null): boolean {
  return !!r && plainAnswers(r).length >= 2;
}

/** The pair a consensus settles: the answer under review and the first other one. */
export function consensusPair(r: ClipReview): [Answer, Answer] | null {
  const plain = plainAnswers(r);
  const first = plain.find((a) => a.id === r.annotation) ?? plain[0];
  const second = plain.find((a) => a !== first);
  return first && second ? [first, second] : null;
}

/** How each event fared in the comparisons it takes part in: unmatched wins over a label mismatch. */
export function eventMarks(r: ClipReview): Map<number, Mark> {
  const marks = new Map<number, Mark>();
  const set = (id: number, m: Mark) => {
    const was = marks.get(id);
    if (!was || was === "agreed" || (was === "label" && m === "unmatched")) marks.set(id, m);
  };
  for (const c of r.comparisons) {
    for (const m of c.matches) {
      set(m.first, m.same_tag ? "agreed" : "label");
      set(m.second, m.same_tag ? "agreed" : "label");
    }
    // A box whose geometric partner has another tag is "label", not "unmatched".
    const labelled = new Set(c.matches.filter((m) => !m.same_tag).flatMap((m) => [m.first, m.second]));
    for (const id of [...c.unmatched_first, ...c.unmatched_second]) if (!labelled.has(id)) set(id, "unmatched");
  }
  return marks;
}

/** The boxes of `shown` answers, coloured by annotator and marked by the comparison. */
export function drawnBoxes(
  r: ClipReview,
  shown: readonly number[],
  annotators: readonly { id: number }[],
  tagName: (id: number | null) => string,
): DrawnBox[] {
  const marks = eventMarks(r);
  const out: DrawnBox[] = [];
  for (const a of r.answers) {
    if (!shown.includes(a.id)) continue;
    const who = a.consensus ? `consensus (${a.annotator_name})` : a.annotator_name;
    for (const e of a.events) {
      const mark = a.consensus ? "agreed" : (marks.get(e.id) ?? "agreed");
      const note = mark === "unmatched" ? " · unmatched" : mark === "label" ? " · label differs" : "";
      out.push({ ...e, answer: a.id, event: e.id, color: annotatorColor(annotators, a.annotator), label: `${who}: ${tagName(e.tag)}${note}`, mark });
    }
  }
  return out;
}

/** One line on the pair: boxes matched, left over, and labels that differ. */
export function comparisonSummary(c: Comparison, names: (id: number) => string): string {
  const labels = c.matches.filter((m) => !m.same_tag).length;
  const f1 = c.box_f1 === null ? "no boxes" : `box F1 ${c.box_f1.toFixed(2)}`;
  if (c.agrees) return `${names(c.first)} and ${names(c.second)} agree (${f1}).`;
  const parts = [`${c.matches.length} matched`];
  if (labels) parts.push(`${labels} with different labels`);
  if (c.unmatched_first.length - labels > 0) parts.push(`${c.unmatched_first.length - labels} only ${names(c.first)}'s`);
  if (c.unmatched_second.length - labels > 0) parts.push(`${c.unmatched_second.length - labels} only ${names(c.second)}'s`);
  return `${parts.join(", ")} (${f1}).`;
}

export interface Filters {
  status: "pending" | "accepted" | "rejected" | "all";
  annotator: number | null;
  dataset: number | null;
}

export function listQuery(f: Filters, page = 1): string {
  const q = new URLSearchParams({ status: f.status });
  if (f.annotator !== null) q.set("annotator", String(f.annotator));
  if (f.dataset !== null) q.set("dataset", String(f.dataset));
  if (page > 1) q.set("page", String(page));
  return q.toString();
}
