/**
 * The broker's state independent of any socket: users, vhosts, live
 * connections and the limits every connection negotiates from.
 */
import type { User } from "./auth.ts";
import { type BrokerTimers, realTimers } from "./timers.ts";
import { Vhost } from "./vhost.ts";

export interface BrokerLimits {
  /** Offered in connection.tune. */
  channelMax: number;
  frameMax: number;
  /** Seconds; 0 disables. */
  heartbeat: number;
  /** Largest message body accepted (406 beyond). */
  maxMessageSize: number;
  handshakeTimeoutMs: number;
  /**
   * Bytes of messages held (bodies plus a per-message estimate) above which
   * publishing connections are blocked (connection.blocked), like RabbitMQ's
   * vm_memory_high_watermark.
   */
  memoryHighWatermark: number;
  /**
   * A client that has read nothing for this long while output waits is
   * closed and its deliveries requeued (RabbitMQ's TCP send timeout); 0: never.
   */
  writeTimeoutMs: number;
  /** A message body still incomplete this long after its header closes the connection. */
  bodyTimeoutMs: number;
}

function defaultWatermark(): number {
  try {
    // RabbitMQ's default: 40% of the machine's memory.
    return Math.floor(Deno.systemMemoryInfo().total * 0.4);
  } catch {
    return 1024 * 1024 * 1024;
  }
}

export const DEFAULT_LIMITS: BrokerLimits = {
  channelMax: 2047,
  frameMax: 131072,
  heartbeat: 60,
  maxMessageSize: 128 * 1024 * 1024,
  handshakeTimeoutMs: 10_000,
  memoryHighWatermark: defaultWatermark(),
  writeTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
};

/** What the broker needs to tell a connection (to close it on shutdown). */
export interface BrokerConnection {
  forceClose(code: number, text: string): Promise<void>;
  /** The memory alarm went on or off. */
  memoryAlarm(on: boolean): void;
}

/**
 * Sums the bytes every queue holds and raises or clears the memory alarm
 * when the total crosses the watermark. Clearing waits until usage is below
 * 90% of it, so the alarm does not flap on every message.
 */
export class MemoryMonitor {
  #used = 0;
  #alarm = false;
  constructor(readonly watermark: number, readonly onChange: (alarm: boolean) => void) {}

  get used(): number {
    return this.#used;
  }

  get alarm(): boolean {
    return this.#alarm;
  }

  add(delta: number): void {
    this.#used += delta;
    if (!this.#alarm && this.#used > this.watermark) {
      this.#alarm = true;
      this.onChange(true);
    } else if (this.#alarm && this.#used < this.watermark * 0.9) {
      this.#alarm = false;
      this.onChange(false);
    }
  }
}

/** What the broker runs on; everything defaults to the real thing or to nothing. */
export interface BrokerCoreOptions {
  limits?: BrokerLimits;
  /** Timers for heartbeats, timeouts, TTL and expiry (real ones by default). */
  timers?: BrokerTimers;
  /** Where the broker's log lines go (silent by default). */
  log?: (line: string) => void;
}

export class BrokerCore {
  readonly users = new Map<string, User>([
    ["guest", { name: "guest", password: "guest", loopbackOnly: true, tags: ["administrator"] }],
  ]);
  readonly vhosts = new Map<string, Vhost>();
  readonly connections = new Set<BrokerConnection>();
  readonly memory: MemoryMonitor;
  readonly limits: BrokerLimits;
  readonly timers: BrokerTimers;
  readonly log: (line: string) => void;

  constructor(opts: BrokerCoreOptions = {}) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.timers = opts.timers ?? realTimers;
    const log = this.log = opts.log ?? (() => {});
    this.memory = new MemoryMonitor(this.limits.memoryHighWatermark, (on) => {
      log(`memory alarm ${on ? "set" : "cleared"} (${this.memory.used} bytes held)`);
      for (const c of this.connections) c.memoryAlarm(on);
    });
    this.vhosts.set("/", new Vhost("/", { timers: this.timers, memory: this.memory, log }));
  }
}
