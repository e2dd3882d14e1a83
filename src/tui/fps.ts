/**
 * Render on change only, at most `fps` frames per second.
 *
 * Anything that changes state calls `request()`; requests coalesce into one
 * pending frame, which runs on a timer: at once (next macrotask, so a burst of
 * requests in one tick is one frame) if the last frame is at least one frame
 * interval old, otherwise when the interval is up. No request, no frame, so
 * an idle dashboard writes nothing. A key's frame (`requestNow()`) is not
 * held back by the cap: a person waits for it, while the cap is for the
 * figures that stream in.
 */

export interface FrameSchedulerOptions {
  /** Upper bound on frames per second (> 0). */
  fps: number;
  /** Draws one frame. */
  render: () => void;
  /** Milliseconds, monotonic. Default `performance.now`. */
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

export class FrameScheduler {
  readonly #intervalMs: number;
  readonly #render: () => void;
  readonly #now: () => number;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (id: unknown) => void;
  #timer: unknown = null;
  /** When the pending frame is due. */
  #dueAt = 0;
  #lastFrameAt = Number.NEGATIVE_INFINITY;
  #frames = 0;

  constructor(options: FrameSchedulerOptions) {
    if (!(options.fps > 0) || !Number.isFinite(options.fps)) {
      throw new RangeError(
        `Cannot schedule frames: fps must be a positive number, got ${options.fps}`,
      );
    }
    this.#intervalMs = 1000 / options.fps;
    this.#render = options.render;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = options.clearTimer ??
      ((id) => clearTimeout(id as Parameters<typeof clearTimeout>[0]));
  }

  /** True while a frame is scheduled. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /** Frames rendered so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Asks for a frame; several requests before it runs give one frame. */
  request(): void {
    if (this.#timer !== null) return;
    const wait = Math.max(0, this.#lastFrameAt + this.#intervalMs - this.#now());
    this.#dueAt = this.#now() + wait;
    this.#timer = this.#setTimer(this.#frame, wait);
  }

  /**
   * Asks for a frame at once (next macrotask), whatever the cap: for input,
   * which a person waits to see. Coalesces with a pending frame, and brings
   * a later one forward.
   */
  requestNow(): void {
    if (this.#timer !== null) {
      if (this.#dueAt <= this.#now()) return;
      this.#clearTimer(this.#timer);
    }
    this.#dueAt = this.#now();
    this.#timer = this.#setTimer(this.#frame, 0);
  }

  /** Drops a scheduled frame (on exit). */
  cancel(): void {
    if (this.#timer !== null) this.#clearTimer(this.#timer);
    this.#timer = null;
  }

  #frame = (): void => {
    this.#timer = null;
    this.#lastFrameAt = this.#now();
    this.#frames++;
    // A request made while rendering schedules the next frame one interval on.
    this.#render();
  };
}
