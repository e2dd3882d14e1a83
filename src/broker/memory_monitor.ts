/**
 * The memory alarm, on what the process really uses. Counting message bytes
 * was not enough: with 32 KiB bodies RSS reached 13 GB while the count stayed
 * under its watermark (read buffers waiting for the collector, allocator
 * slack, per-message objects). So the monitor samples the process's usage on
 * the broker's timers and, between two samples, adds what queues and
 * incomplete bodies took since the last one (the cheap count every enqueue
 * updates). Above the limit the alarm is on and publishers are blocked
 * (connection.ts); it clears below 90% of it, so it does not flap.
 *
 * Each sample also hands out read credit (read_credit.ts): the connections
 * that read since the last sample share half the room left under the limit,
 * since each byte read can cost two until the collector runs (the socket's
 * read chunk and the message's own copy of its body).
 *
 * And when far more is in use than the messages held explain (queues have
 * drained, the rest is garbage or freed memory the allocator keeps), it asks
 * for the memory back (memory_reclaim.ts), backing off when that does not
 * help, so a drained broker unblocks and shrinks.
 */
import { ReadCredit } from "./read_credit.ts";
import type { BrokerTimers } from "./timers.ts";

/** How often the process's memory is sampled. */
export const SAMPLE_MS = 100;
/** The alarm clears below this share of the limit. */
export const CLEAR_SHARE = 0.9;
/** Read credit per interval never goes below this, so a connection near the limit still moves. */
export const MIN_GRANT = 64 * 1024;
/** Unexplained memory (beyond messages and the broker's own footprint) worth a reclaim... */
const MIN_RECLAIM_SLACK = 32 * 1024 * 1024;
/** ...or this share of the limit, whichever is larger. */
const RECLAIM_SLACK_SHARE = 0.1;
/** Between two reclaims while under the clear level (returning memory after a drain is not urgent). */
const RECLAIM_QUIET_INTERVAL_MS = 1000;
/** Reclaims that free little back off from this up to the maximum. */
const RECLAIM_BACKOFF_MS = 1000;
const RECLAIM_MAX_BACKOFF_MS = 60_000;
/** A reclaim that took T ms is not repeated within T times this (at most 5% of the time). */
const RECLAIM_COST_FACTOR = 20;

/** What the process uses: RSS, or the heap and external buffers when they say more. */
export function processMemoryUsage(): number {
  const m = Deno.memoryUsage();
  return Math.max(m.rss, m.heapUsed + m.external);
}

export interface MemoryMonitorOptions {
  /** Bytes of process memory above which publishers are blocked. */
  limit: number;
  timers: BrokerTimers;
  /** The alarm went on or off. */
  onAlarm(on: boolean): void;
  /** What the process uses now, in bytes (default: `processMemoryUsage`). */
  readUsage?: () => number;
  /** Gives unused memory back to the system (default: none). */
  reclaim?: () => void;
  sampleMs?: number;
  log?: (line: string) => void;
}

export class MemoryMonitor {
  readonly limit: number;
  #held = 0;
  #alarm = false;
  /** The last sample, and the count of bytes held when it was taken. */
  #sampled = 0;
  #heldAtSample = 0;
  /** Above this held count the estimate crosses the limit (set at each sample). */
  #raiseAt: number;
  /** The broker's own footprint: usage minus messages at the first sample. */
  #floor: number | undefined;
  #credits = new Set<ReadCredit>();
  #grant: number;
  #timer: unknown;
  #running = false;
  #reclaimAt = 0;
  #reclaimBackoff = 0;
  readonly #opts: MemoryMonitorOptions;

  constructor(opts: MemoryMonitorOptions) {
    this.#opts = opts;
    this.limit = opts.limit;
    this.#raiseAt = opts.limit;
    this.#grant = Math.max(MIN_GRANT, Math.floor(opts.limit / 2));
  }

  /** Bytes held by messages in queues and incomplete bodies (the cheap count). */
  get held(): number {
    return this.#held;
  }

  /** The same as `held` (older name). */
  get used(): number {
    return this.#held;
  }

  get alarm(): boolean {
    return this.#alarm;
  }

  /** The best estimate of what the process uses now: the last sample plus messages since. */
  get usage(): number {
    return Math.max(this.#held, this.#sampled + Math.max(0, this.#held - this.#heldAtSample));
  }

  /**
   * Messages took (or gave back) `delta` bytes; hot path: one comparison. The
   * alarm is set here at once, but cleared only by a sample: what the process
   * uses after messages go is known only then, and a body completing before
   * its queue counts it would otherwise clear and set it again.
   */
  add(delta: number): void {
    this.#held += delta;
    if (!this.#alarm && this.#held > this.#raiseAt) this.#evaluate();
  }

  /** Samples now, then every `sampleMs` on the broker's timers until `stop()`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#tick();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#opts.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A connection's read credit, refilled at every sample until `closeCredit`. */
  openCredit(onRefill: () => void): ReadCredit {
    const credit = new ReadCredit(this.#grant, onRefill);
    this.#credits.add(credit);
    return credit;
  }

  closeCredit(credit: ReadCredit): void {
    this.#credits.delete(credit);
  }

  /** Reads the process's usage and acts on it (the timer calls this; tests may too). */
  sample(): void {
    const read = this.#opts.readUsage ?? processMemoryUsage;
    let usage = read();
    this.#floor ??= Math.max(0, usage - this.#held);
    usage = this.#maybeReclaim(usage, read);
    this.#sampled = usage;
    this.#heldAtSample = this.#held;
    this.#thresholds();
    this.#evaluate();
    this.#grantCredit();
  }

  #tick(): void {
    if (!this.#running) return;
    this.sample();
    this.#timer = this.#opts.timers.setTimeout(
      () => this.#tick(),
      this.#opts.sampleMs ?? SAMPLE_MS,
    );
  }

  /** Between samples the estimate is max(held, sampled + held growth): over the limit past this. */
  #thresholds(): void {
    const limit = this.limit;
    this.#raiseAt = Math.min(limit, limit - this.#sampled + this.#heldAtSample);
  }

  #evaluate(): void {
    const usage = this.usage;
    if (!this.#alarm && usage > this.limit) this.#set(true, usage);
    else if (this.#alarm && usage < this.limit * CLEAR_SHARE) this.#set(false, usage);
  }

  #set(on: boolean, usage: number): void {
    this.#alarm = on;
    this.#opts.log?.(
      `memory alarm ${on ? "set" : "cleared"}: using ${mb(usage)} MB of ${mb(this.limit)} MB ` +
        `(${mb(this.#held)} MB in messages)`,
    );
    this.#opts.onAlarm(on);
  }

  /** Half the room left, shared by the connections that read since the last sample. */
  #grantCredit(): void {
    let active = 0;
    for (const c of this.#credits) if (c.active) active++;
    const room = Math.max(0, this.limit - this.usage);
    this.#grant = Math.max(MIN_GRANT, Math.floor(room / 2 / Math.max(1, active)));
    for (const c of this.#credits) c.grant(this.#grant);
  }

  /**
   * Returns the usage after a reclaim, if one was due: when much more is in
   * use than messages and the broker's footprint explain. Near the limit it
   * may run at every sample (garbage from deliveries piles up faster than V8
   * collects it on its own: V8 waits for 64 MB more of external buffers), as
   * long as reclaims take under 5% of the time and keep freeing memory.
   */
  #maybeReclaim(usage: number, read: () => number): number {
    const reclaim = this.#opts.reclaim;
    if (!reclaim) return usage;
    const slack = Math.max(MIN_RECLAIM_SLACK, this.limit * RECLAIM_SLACK_SHARE);
    const unexplained = usage - this.#held - (this.#floor ?? 0);
    const timers = this.#opts.timers;
    const now = timers.now();
    if (unexplained <= slack || now < this.#reclaimAt) return usage;
    reclaim();
    const took = timers.now() - now;
    const after = read();
    const freed = usage - after;
    // It did not help (garbage still referenced, or memory the allocator
    // cannot return): try again later and later.
    this.#reclaimBackoff = freed < slack / 2
      ? Math.min(Math.max(this.#reclaimBackoff * 2, RECLAIM_BACKOFF_MS), RECLAIM_MAX_BACKOFF_MS)
      : 0;
    const quiet = after < this.limit * CLEAR_SHARE ? RECLAIM_QUIET_INTERVAL_MS : 0;
    this.#reclaimAt = now + Math.max(this.#reclaimBackoff, quiet, took * RECLAIM_COST_FACTOR);
    if (freed >= slack / 2) {
      this.#opts.log?.(
        `returned ${mb(freed)} MB of unused memory in ${took} ms (${mb(after)} MB in use)`,
      );
    }
    return after;
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e6);
}
