/**
 * Glue between raw input chunks and `KeyParser`: feeds each chunk with its
 * arrival time and arms a timer for the parser's pending deadline, so a lone
 * Escape press is delivered ~30 ms later even when no further byte arrives.
 * Clock and timers are injectable for tests.
 */
import { type InputEvent, KeyParser } from "./keys.ts";

export interface PumpInputOptions {
  /** Input chunks, e.g. `terminal.input()`. */
  chunks: AsyncIterable<Uint8Array>;
  /** Called with each non-empty batch of events, in order. */
  onEvents: (events: InputEvent[]) => void;
  parser?: KeyParser;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (id: unknown) => void;
}

/** Reads `chunks` until they end, delivering events; resolves after the last delivery. */
export async function pumpInput(options: PumpInputOptions): Promise<void> {
  const {
    chunks,
    onEvents,
    parser = new KeyParser(),
    now = () => performance.now(),
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (id) => clearTimeout(id as Parameters<typeof clearTimeout>[0]),
  } = options;
  let timer: unknown = null;

  const deliver = (events: InputEvent[]) => {
    if (events.length > 0) onEvents(events);
  };
  const arm = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
    const deadline = parser.pendingDeadline;
    if (deadline === null) return;
    timer = setTimer(() => {
      timer = null;
      deliver(parser.flush(now()));
      arm(); // a paste may still be waiting for its end marker
    }, Math.max(0, deadline - now()));
  };

  try {
    for await (const chunk of chunks) {
      deliver(parser.feed(chunk, now()));
      arm();
    }
  } finally {
    if (timer !== null) clearTimer(timer);
    // The stream ended: whatever is pending is final now.
    deliver(parser.flush(Number.POSITIVE_INFINITY));
  }
}
