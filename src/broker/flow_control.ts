/**
 * When a connection's socket is read, for memory's sake. Two reasons stop
 * reading it:
 *
 * - the memory alarm, for a connection that has published: it gets
 *   connection.blocked (if its client announced the capability, as RabbitMQ
 *   does) and is not read until the alarm clears, then connection.unblocked.
 *   Connections that only consume keep being read (their acks free memory).
 * - its read credit (read_credit.ts) ran out: it is not read until the next
 *   memory sample grants more, with nothing said to the client.
 */
import type { MemoryMonitor } from "./memory_monitor.ts";
import type { ReadCredit } from "./read_credit.ts";
import type { ClientSocket } from "./tcp_socket.ts";

/** What flow control needs from its connection. */
export interface FlowHost {
  readonly socket: Pick<ClientSocket, "pause" | "resume">;
  /** The handshake is done and the connection is not closing. */
  running(): boolean;
  /** The client announced the `connection.blocked` capability. */
  blockedCapability(): boolean;
  /** Sends connection.blocked (`on`) or connection.unblocked. */
  sendBlocked(on: boolean): void;
  /** Reading resumes: silence until now was ours, not the client's (heartbeats). */
  resumed(): void;
}

export class FlowControl {
  #publisher = false;
  #blocked = false;
  #sentBlocked = false;
  #paused = false;
  readonly #credit: ReadCredit;

  constructor(readonly host: FlowHost, readonly memory: MemoryMonitor) {
    this.#credit = memory.openCredit(() => this.#apply());
  }

  /** True while the socket is deliberately not read. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Blocked by the memory alarm (connection.blocked). */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** The connection sent basic.publish: from now on the alarm blocks it. */
  published(): void {
    this.#publisher = true;
  }

  /** `bytes` were read from the socket. */
  read(bytes: number): void {
    this.#credit.spend(bytes);
    if (this.#credit.exhausted) this.#apply();
  }

  /** After a chunk's frames: a connection that just started publishing may need blocking. */
  checkAlarm(): void {
    if (this.#publisher && this.memory.alarm && !this.#blocked) this.alarm(true);
  }

  /** The broker-wide memory alarm went on or off. */
  alarm(on: boolean): void {
    if (on) {
      if (!this.#publisher || this.#blocked || !this.host.running()) return;
      this.#blocked = true;
      if (this.host.blockedCapability()) {
        this.#sentBlocked = true;
        this.host.sendBlocked(true);
      }
    } else {
      if (!this.#blocked) return;
      this.#blocked = false;
      if (this.#sentBlocked) this.host.sendBlocked(false);
      this.#sentBlocked = false;
    }
    this.#apply();
  }

  /** The connection is gone: it takes no more credit. */
  close(): void {
    this.memory.closeCredit(this.#credit);
  }

  #apply(): void {
    const pause = this.#blocked || this.#credit.exhausted;
    if (pause === this.#paused) return;
    this.#paused = pause;
    if (pause) this.host.socket.pause();
    else {
      this.host.resumed();
      this.host.socket.resume();
    }
  }
}
