// Playback of a time-expanded WAV and the playhead position in recording time.
//
// The server divides the WAV header's sample rate by the expansion factor, so one second of
// recording plays for `expansion` seconds: recording time = start + currentTime / expansion.

export const EXPANSIONS = [1, 5, 10, 20] as const;

/** Chromium refuses to play audio below 3000 Hz (media::limits::kMinSampleRate). */
export const MIN_PLAYBACK_RATE_HZ = 3000;

export function playheadTime(segmentStart: number, currentTime: number, expansion: number): number {
  return segmentStart + currentTime / expansion;
}

/** Whether the browser can play this recording slowed down by `expansion`. */
export function expansionPlayable(samplerate: number, expansion: number): boolean {
  return samplerate / expansion >= MIN_PLAYBACK_RATE_HZ;
}

export interface Segment {
  url: string;
  start: number;
  end: number;
  expansion: number;
}

export class Player {
  private audio: HTMLAudioElement | null = null;
  private segment: Segment | null = null;
  private frame = 0;

  constructor(
    /** Playhead in recording seconds while playing, null when stopped. */
    private readonly onTick: (t: number | null) => void,
    private readonly onState: (state: "playing" | "paused" | "stopped" | "error", message?: string) => void,
  ) {}

  get playing(): boolean {
    return !!this.audio && !this.audio.paused && !this.audio.ended;
  }

  /** Play `seg`, resuming where it paused if it is the segment already loaded. */
  play(seg: Segment): void {
    if (!this.audio || !this.segment || this.segment.url !== seg.url || this.audio.ended) this.load(seg);
    const audio = this.audio as HTMLAudioElement;
    audio.play().then(
      () => {
        this.onState("playing");
        this.loop();
      },
      (e: Error) => {
        if (e.name !== "AbortError") this.onState("error", `playback failed: ${e.message}`);
      },
    );
  }

  pause(): void {
    if (!this.audio) return;
    this.audio.pause();
    cancelAnimationFrame(this.frame);
    this.onState("paused");
  }

  stop(): void {
    cancelAnimationFrame(this.frame);
    if (this.audio) {
      this.audio.pause();
      this.audio.removeAttribute("src");
      this.audio.load();
    }
    this.audio = null;
    this.segment = null;
    this.onTick(null);
    this.onState("stopped");
  }

  private load(seg: Segment): void {
    this.stop();
    const audio = new Audio();
    audio.preload = "auto";
    audio.src = seg.url;
    audio.addEventListener("ended", () => this.stop());
    audio.addEventListener("error", () => {
      const err = audio.error;
      if (this.audio === audio) this.onState("error", `audio error${err ? ` ${err.code}: ${err.message}` : ""}`);
    });
    this.audio = audio;
    this.segment = seg;
  }

  private loop = (): void => {
    const { audio, segment } = this;
    if (!audio || !segment || audio.paused) return;
    this.onTick(Math.min(segment.end, playheadTime(segment.start, audio.currentTime, segment.expansion)));
    this.frame = requestAnimationFrame(this.loop);
  };
}
