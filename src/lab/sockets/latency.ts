/**
 * Round-trip latencies in a fixed-size log-linear histogram (16 buckets per
 * power of two, so about 6% resolution from 1 µs to half an hour): recording
 * is one increment, memory does not grow with the number of samples, and the
 * panel can draw the buckets as they are. The maximum is kept exactly.
 */

const SUB_BITS = 4;
const SUB = 1 << SUB_BITS;
/** Enough buckets for 2^31 µs. */
const BUCKETS = (32 - SUB_BITS + 1) * SUB;

/** The bucket of a latency in whole microseconds. */
function bucketOf(us: number): number {
  if (us < SUB) return us;
  const exp = 31 - Math.clz32(us); // floor(log2(us)) >= SUB_BITS
  return (exp - SUB_BITS + 1) * SUB + ((us >>> (exp - SUB_BITS)) & (SUB - 1));
}

/** The largest value (µs) a bucket holds. */
function bucketTop(b: number): number {
  if (b < SUB) return b;
  const exp = (b >> SUB_BITS) + SUB_BITS - 1;
  const sub = b & (SUB - 1);
  return (SUB + sub + 1) * 2 ** (exp - SUB_BITS) - 1;
}

export interface LatencySummary {
  count: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  #sumUs = 0;
  #maxUs = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = Math.min(0x7fffffff, Math.max(0, Math.round(ms * 1000)));
    this.counts[bucketOf(us)]!++;
    this.count++;
    this.#sumUs += us;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** The latency (ms) under which a fraction `q` (0..1) of the samples fall, to a bucket. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(bucketTop(b), this.#maxUs) / 1000;
    }
    return this.#maxUs / 1000;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.#maxUs / 1000,
      mean: this.count === 0 ? 0 : this.#sumUs / this.count / 1000,
    };
  }

  /** Non-empty buckets as [upper bound ms, count], for a histogram on screen. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let b = 0; b < BUCKETS; b++) {
      const n = this.counts[b]!;
      if (n > 0) out.push([bucketTop(b) / 1000, n]);
    }
    return out;
  }
}
