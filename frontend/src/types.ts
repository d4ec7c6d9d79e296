// Shapes of the API payloads (see the API contract) and of the page's own draft.
// Times are seconds in recording time, frequencies Hz.

export type FreqScale = "linear" | "mel" | "log";
export type AnnotationMode = "box" | "interval";
export type ViewKind = "spectrogram" | "scalogram";
export type Sharpen = "none" | "reassigned" | "multitaper";

export interface ProjectSettings {
  clip_length_s: number;
  context_s: number;
  fmin_hz: number;
  fmax_hz: number;
  window_s: number;
  auto_window: boolean;
  overlap: number;
  window_type: string;
  sharpen: Sharpen;
  wavelet_w0: number;
  auto_levels: boolean;
  freq_scale: "linear" | "mel";
  colormap: string;
  db_min: number;
  db_max: number;
  time_expansion: number;
  annotation_mode: AnnotationMode;
}

export interface Tag {
  id: number;
  key: string;
  value: string;
  display_name: string;
  hotkey: string | null;
  color: string | null;
}

export interface Project {
  id: number;
  name: string;
  settings: ProjectSettings;
  tags: Tag[];
}

export interface Recording {
  id: number;
  name: string;
  samplerate: number;
  duration_s: number;
  time_expansion: number;
}

export interface Clip {
  id: number;
  start_s: number;
  end_s: number;
  recording: Recording;
}

/** One sound event as submitted; low_hz/high_hz are null for time intervals. */
export interface EventDraft {
  start_s: number;
  end_s: number;
  low_hz: number | null;
  high_hz: number | null;
  tag: number | null;
  confidence: number | null;
  notes: string;
}

export interface SavedEvent extends EventDraft {
  id: number;
}

/** One of your events filed under another clip of the recording that overlaps this one (a long
 * event): drawn dotted, read-only here, edited on `from_clip`. */
export interface ContinuingEvent extends SavedEvent {
  from_clip: number;
  annotation: number;
  /** It started before this clip. */
  continues: boolean;
  /** It runs past this clip's end. */
  runs_on: boolean;
}

export interface Annotation {
  id: number;
  version: number;
  tags: number[];
  no_calls: boolean;
  noise: boolean;
  uncertain: boolean;
  notes: string;
  events: SavedEvent[];
}

export interface Task {
  id: number;
  rank: number;
  reason: string;
  lease_expires_at: string;
  clip: Clip;
  annotation: Annotation | null;
  /** Set when a lead's rejection returned the clip to this annotator, with the lead's note. */
  returned_to?: number | null;
  return_note?: string;
  /** When and why you skipped this task before (it comes back only when nothing else is open). */
  your_last_skip?: { reason: string; why: string; at: string } | null;
  /** Your long events from neighbouring clips that overlap this one. */
  continuing?: ContinuingEvent[];
}

/** Exactly the body of POST tasks/{id}/submit/. */
export interface SubmitBody {
  version: number | null;
  tags: number[];
  no_calls: boolean;
  noise: boolean;
  uncertain: boolean;
  notes: string;
  events: EventDraft[];
}

/** The page's working copy of an annotation: the submit body (kept immutable). */
export type Draft = Readonly<SubmitBody>;

export interface Prediction {
  start_s: number;
  end_s: number;
  low_hz: number | null;
  high_hz: number | null;
  tag: number | null;
  label: string;
  score: number;
}

export interface Predictions {
  /** threshold: the version's served threshold on its calibrated scores (events go down to 0.05). */
  model_version: { id: number; name: string; threshold?: number | null } | null;
  events: Prediction[];
}
