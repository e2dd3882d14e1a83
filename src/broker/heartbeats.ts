/**
 * Heartbeats both ways, once tune-ok agreed on an interval: the broker sends
 * a heartbeat frame when it has written nothing for half the interval, and
 * drops a client it has heard nothing from for two intervals (as RabbitMQ).
 * Runs on the broker's timers, rescheduling one timeout per check, so tests
 * can drive it on a fake clock.
 */
import type { BrokerTimers } from "./timers.ts";

/** What the heartbeats need from their connection. */
export interface HeartbeatPeer {
  /** Queues a heartbeat frame. */
  sendHeartbeat(): void;
  /** Nothing arrived for two intervals: the peer is gone. */
  timedOut(seconds: number): void;
  /** True while the broker deliberately stops reading the client (memory alarm). */
  readonly readingPaused: boolean;
}

export class Heartbeats {
  #seconds = 0;
  #lastRead = 0;
  #lastWrite = 0;
  #timer: unknown;
  #stopped = false;

  constructor(readonly timers: BrokerTimers, readonly peer: HeartbeatPeer) {}

  /** Bytes arrived from the client (or reading resumed): it is alive now. */
  heard(): void {
    this.#lastRead = this.timers.now();
  }

  /** Bytes went to the client: no heartbeat is needed for a while. */
  wrote(): void {
    this.#lastWrite = this.timers.now();
  }

  /** Starts with the interval negotiated in tune-ok, in seconds; 0 means none. */
  start(seconds: number): void {
    this.#seconds = seconds;
    if (seconds <= 0) return;
    this.#lastRead = this.timers.now();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get #intervalMs(): number {
    return this.#seconds * 1000 / 2;
  }

  #schedule(): void {
    this.#timer = this.timers.setTimeout(() => this.#check(), this.#intervalMs);
  }

  #check(): void {
    this.#timer = undefined;
    const now = this.timers.now();
    // Two missed heartbeat intervals from the client: the peer is gone.
    // (Not while we deliberately stopped reading it: memory alarm.)
    if (!this.peer.readingPaused && now - this.#lastRead > this.#seconds * 2000) {
      this.peer.timedOut(this.#seconds);
      return;
    }
    if (now - this.#lastWrite >= this.#intervalMs) this.peer.sendHeartbeat();
    // Sending may have closed the connection (and stopped us).
    if (!this.#stopped) this.#schedule();
  }
}
