/**
 * The connections a server holds, for the Sockets panel's table: one small
 * record per connection, updated in place as bytes move (no allocation per
 * event), listed on demand.
 */
import type { EventRing } from "./event_ring.ts";
import { formatPeer } from "./raw_socket.ts";

/** One connection as the panel shows it. */
export interface ConnectionInfo {
  id: number;
  /** The kernel's fd, -1 where Deno's sockets hide it (async). */
  fd: number;
  peer: string;
  state: string;
  bytesIn: number;
  bytesOut: number;
  /** EV_* kind of its last event. */
  lastEvent: number;
  /** The hub task serving it (async model), 0 for none. */
  taskId: number;
}

/** A live connection's record; the FFI servers add their write backlog. */
export class Conn {
  bytesIn = 0;
  bytesOut = 0;
  lastEvent = 0;
  state = "open";
  taskId = 0;
  /** Bytes read but not yet sent back (a partial write), from `pendingStart`. */
  pending: Uint8Array | null = null;
  pendingStart = 0;
  pendingEnd = 0;

  constructor(
    readonly id: number,
    readonly fd: number,
    readonly peerIp: number,
    readonly peerPort: number,
    readonly peerText = "",
  ) {}

  info(): ConnectionInfo {
    return {
      id: this.id,
      fd: this.fd,
      peer: this.peerText || formatPeer(this.peerIp, this.peerPort),
      state: this.state,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      lastEvent: this.lastEvent,
      taskId: this.taskId,
    };
  }
}

/** Live connections by id, keeping the ring's open/most-open gauges true. */
export class Connections {
  readonly #byId = new Map<number, Conn>();
  readonly #ring: EventRing;
  #nextId = 1;

  constructor(ring: EventRing) {
    this.#ring = ring;
  }

  nextId(): number {
    return this.#nextId++;
  }

  get size(): number {
    return this.#byId.size;
  }

  add(conn: Conn): void {
    this.#byId.set(conn.id, conn);
    this.#ring.setOpen(this.#byId.size);
  }

  delete(conn: Conn): void {
    if (this.#byId.delete(conn.id)) this.#ring.setOpen(this.#byId.size);
  }

  values(): IterableIterator<Conn> {
    return this.#byId.values();
  }

  /** The first `max` connections, oldest first. */
  list(max = Infinity): ConnectionInfo[] {
    const out: ConnectionInfo[] = [];
    for (const conn of this.#byId.values()) {
      if (out.length >= max) break;
      out.push(conn.info());
    }
    return out;
  }
}
