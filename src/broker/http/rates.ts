/**
 * Rates from counters, as RabbitMQ's management API reports them: every
 * second (on the broker's timers, so tests run it on a fake clock) the
 * sampler reads the counters of every object (overview, vhosts, queues,
 * exchanges, connections) and keeps, per counter, its change over the last
 * interval in units per second. Objects are keys of a WeakMap, so a deleted
 * queue's samples go with it.
 */
import type { BrokerTimers } from "../timers.ts";

export type Counters = Record<string, number>;

interface Sample {
  at: number;
  values: Counters;
  rates: Counters;
}

export const SAMPLE_INTERVAL_MS = 1000;

export class RateSampler {
  #samples = new WeakMap<object, Sample>();
  #timer: unknown;
  #stopped = false;

  constructor(
    readonly timers: BrokerTimers,
    /** Every object with counters, and the counters' current values. */
    readonly collect: () => Iterable<[object, Counters]>,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      this.tick();
      this.#arm();
    }, SAMPLE_INTERVAL_MS);
  }

  /** Takes one sample of everything now. */
  tick(): void {
    const now = this.timers.now();
    for (const [key, values] of this.collect()) {
      const prev = this.#samples.get(key);
      const rates: Counters = {};
      if (prev && now > prev.at) {
        const seconds = (now - prev.at) / 1000;
        for (const name in values) {
          rates[name] = (values[name]! - (prev.values[name] ?? 0)) / seconds;
        }
      }
      this.#samples.set(key, { at: now, values, rates });
    }
  }

  /** The counter's rate over the last interval, per second (0 before two samples). */
  rate(key: object, name: string): number {
    return this.#samples.get(key)?.rates[name] ?? 0;
  }
}

/**
 * Counters as RabbitMQ shows them: each `name: n` beside `name_details:
 * {rate}`, JSON names in the order given.
 */
export function withRates(
  sampler: RateSampler | undefined,
  key: object,
  values: Counters,
): Record<string, number | { rate: number }> {
  const out: Record<string, number | { rate: number }> = {};
  for (const name in values) {
    out[name] = values[name]!;
    out[`${name}_details`] = { rate: round(sampler?.rate(key, name) ?? 0) };
  }
  return out;
}

/** Rates to a tenth of a unit, as RabbitMQ rounds them. */
function round(x: number): number {
  return Math.round(x * 10) / 10;
}
