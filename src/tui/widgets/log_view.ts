/**
 * A log view over a scrollback ring: it follows the newest lines until the
 * user scrolls up (pause), then stays on the same lines while new ones
 * arrive, and resumes following when scrolled back to the bottom or toggled.
 * Lines are addressed by absolute sequence numbers so a paused view does not
 * drift when the ring drops its oldest lines.
 */
import type { Rect, ScreenBuffer } from "../buffer.ts";
import type { Style } from "../style.ts";
import { type Symbols, symbolsFor } from "../symbols.ts";
import { stringWidth, truncateToWidth, wrapText } from "../width.ts";

export type LogLine = string | { text: string; style?: Style };

/** A fixed-capacity ring of log lines; the oldest are dropped first. */
export class LogRing {
  readonly capacity: number;
  #lines: LogLine[];
  #end = 0;

  constructor(capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity <= 0) {
      throw new RangeError(`Bad log capacity ${capacity}: expected a positive integer`);
    }
    this.capacity = capacity;
    this.#lines = new Array<LogLine>(capacity);
  }

  /** Sequence number of the oldest line kept. */
  get first(): number {
    return Math.max(0, this.#end - this.capacity);
  }

  /** Sequence number the next pushed line will get (= lines ever pushed). */
  get end(): number {
    return this.#end;
  }

  /** Lines kept. */
  get size(): number {
    return this.#end - this.first;
  }

  push(line: LogLine): void {
    this.#lines[this.#end % this.capacity] = line;
    this.#end++;
  }

  /** The line with sequence number `seq`, if still kept. */
  at(seq: number): LogLine | undefined {
    if (seq < this.first || seq >= this.#end) return undefined;
    return this.#lines[seq % this.capacity];
  }

  /** Kept lines, oldest first. */
  toArray(): LogLine[] {
    const out: LogLine[] = [];
    for (let s = this.first; s < this.#end; s++) out.push(this.#lines[s % this.capacity]!);
    return out;
  }

  clear(): void {
    this.#end = 0;
    this.#lines = new Array<LogLine>(this.capacity);
  }
}

export interface LogViewState {
  /** Show the newest lines as they arrive. */
  follow: boolean;
  /** When paused: the sequence number of the top visible line. */
  top: number;
}

export function logViewState(): LogViewState {
  return { follow: true, top: 0 };
}

/** The top line actually shown for `height` rows. */
export function logTop(state: LogViewState, ring: LogRing, height: number): number {
  const bottomTop = Math.max(ring.first, ring.end - height);
  if (state.follow) return bottomTop;
  return Math.min(Math.max(state.top, ring.first), bottomTop);
}

/**
 * Scrolls by `delta` lines (negative = up, toward older lines). Scrolling up
 * pauses; reaching the bottom again resumes following.
 */
export function logScroll(
  state: LogViewState,
  ring: LogRing,
  delta: number,
  height: number,
): LogViewState {
  const bottomTop = Math.max(ring.first, ring.end - height);
  const top = Math.min(Math.max(logTop(state, ring, height) + delta, ring.first), bottomTop);
  if (top >= bottomTop && delta > 0) return { follow: true, top };
  if (top >= bottomTop && state.follow) return state;
  return { follow: false, top };
}

/** Pause / resume following (pausing keeps the lines now on screen). */
export function logToggleFollow(state: LogViewState, ring: LogRing, height: number): LogViewState {
  return state.follow
    ? { follow: false, top: logTop(state, ring, height) }
    : { follow: true, top: state.top };
}

export interface LogViewProps {
  ring: LogRing;
  symbols?: Symbols;
  style?: Style;
  /** Show "paused +N" (N = lines below the view) on the last row when paused. Default true. */
  showPaused?: boolean;
  emptyText?: string;
  /**
   * Wrap long lines at word boundaries onto more rows instead of cutting them
   * with an ellipsis (output a person must read whole). The view still
   * scrolls by lines: following shows the newest rows, paused starts at `top`.
   */
  wrap?: boolean;
}

export interface LogViewRender {
  top: number;
  /** Lines below the bottom of the view (new lines since pausing). */
  below: number;
}

export function renderLogView(
  buf: ScreenBuffer,
  rect: Rect,
  props: LogViewProps,
  state: LogViewState = logViewState(),
): LogViewRender {
  const { ring } = props;
  const symbols = props.symbols ?? symbolsFor(true);
  const top = logTop(state, ring, rect.height);
  const shown = Math.min(rect.height, ring.end - top);
  const below = Math.max(0, ring.end - (top + shown));
  if (rect.width <= 0 || rect.height <= 0) return { top, below };
  if (ring.size === 0 && props.emptyText) {
    buf.setString(rect.x, rect.y, props.emptyText, { dim: true }, rect.width);
  }
  const rows = props.wrap
    ? wrappedRows(ring, top, state.follow, rect)
    : Array.from({ length: shown }, (_, r) => {
      const { text, style } = lineParts(ring.at(top + r)!);
      return { text: truncateToWidth(text, rect.width, symbols.ellipsis), style };
    });
  rows.forEach((row, r) => {
    buf.setString(rect.x, rect.y + r, row.text, { ...props.style, ...row.style }, rect.width);
  });
  if (!state.follow && props.showPaused !== false) {
    const tag = ` paused +${below} `;
    const w = stringWidth(tag);
    if (w <= rect.width) {
      buf.setString(rect.x + rect.width - w, rect.y + rect.height - 1, tag, { reverse: true });
    }
  }
  return { top, below };
}

function lineParts(line: LogLine): { text: string; style?: Style } {
  return typeof line === "string" ? { text: line } : line;
}

/**
 * The rows of wrapped lines that fill `rect`: the newest ones when following
 * (a long line at the top may show only its end, as a terminal scrolls), or
 * from line `top` down when paused.
 */
function wrappedRows(
  ring: LogRing,
  top: number,
  follow: boolean,
  rect: Rect,
): { text: string; style?: Style }[] {
  const wrap = (seq: number) => {
    const { text, style } = lineParts(ring.at(seq)!);
    return wrapText(text, rect.width).map((row) => ({ text: row, style }));
  };
  const rows: { text: string; style?: Style }[] = [];
  if (follow) {
    for (let seq = ring.end - 1; seq >= ring.first && rows.length < rect.height; seq--) {
      rows.unshift(...wrap(seq));
    }
    return rows.slice(-rect.height);
  }
  for (let seq = top; seq < ring.end && rows.length < rect.height; seq++) rows.push(...wrap(seq));
  return rows.slice(0, rect.height);
}
