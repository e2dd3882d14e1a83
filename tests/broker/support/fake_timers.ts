/**
 * The broker's timers on a fake clock: nothing runs until the test advances
 * time, then due timers run in time order, each seeing its own time.
 */
import type { BrokerTimers } from "../../../src/broker/timers.ts";

export class FakeTimers implements BrokerTimers {
  t = 1_000_000;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #id = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    this.#timers.set(++this.#id, { at: this.t + ms, fn });
    return this.#id;
  };
  clearTimeout = (h: unknown) => void this.#timers.delete(h as number);

  /** Timers waiting to run. */
  get pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, x]) => x.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}
