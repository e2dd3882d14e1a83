/**
 * The actors' log: one bounded stream of lines for all actors, numbered, of
 * which each snapshot takes the lines since the previous one (at most a
 * page; the rest counted as dropped), and the text helpers actors write
 * lines with (`#3 kern.critical redelivered=false "disk full" ack`).
 */
import type { ActorLogLine } from "../mq_protocol.ts";

/** Lines a snapshot carries at most; older unsent lines are counted as dropped. */
export const LOG_LINES_PER_SNAPSHOT = 200;
const BODY_CHARS = 40;

export class ActorLog {
  #lines: ActorLogLine[] = [];
  #seq = 0;
  #dropped = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Lines written so far. */
  get written(): number {
    return this.#seq;
  }

  write(actor: string, text: string): void {
    this.#lines.push({ seq: ++this.#seq, actor, atMs: this.#now(), text: oneLine(text, 160) });
    if (this.#lines.length > LOG_LINES_PER_SNAPSHOT) {
      this.#lines.shift();
      this.#dropped++;
    }
  }

  /** The lines since the previous call, oldest first, and how many did not fit. */
  take(): { lines: ActorLogLine[]; dropped: number } {
    const taken = { lines: this.#lines, dropped: this.#dropped };
    this.#lines = [];
    this.#dropped = 0;
    return taken;
  }
}

/** A message body as a short quoted string on one line. */
export function shortBody(body: string): string {
  return JSON.stringify(oneLine(body, BODY_CHARS));
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\r\n\t]+/g, " ");
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
