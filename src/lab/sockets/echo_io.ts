/**
 * One echo step on a non-blocking kernel socket, shared by the non-blocking
 * and multiplexed servers: read what is there into one shared buffer, send
 * it straight back, and keep only what the kernel would not take (a partial
 * write) in the connection's own backlog. Every step records its events.
 */
import type { Conn } from "./connections.ts";
import {
  EV_EAGAIN,
  EV_EOF,
  EV_ERR,
  EV_READ,
  EV_RESET,
  EV_WRITE,
  type EventRing,
} from "./event_ring.ts";
import { EAGAIN, ECONNRESET, EPIPE, type Libc, MSG_NOSIGNAL } from "./libc.ts";

/** Read and echoed; there may be more. */
export const IO_PROGRESS = 0;
/** Nothing to read now (EAGAIN, counted). */
export const IO_AGAIN = 1;
/** Part of the echo is waiting for the socket to be writable: stop reading until it is sent. */
export const IO_PENDING = 2;
/** EOF, reset or an error (recorded): close the connection. */
export const IO_DONE = 3;

/** One read takes at most this much; a bigger message takes several reads. */
export const READ_SIZE = 64 * 1024;
const READ_SIZE_N = BigInt(READ_SIZE);

export class EchoIo {
  readonly #c: Libc;
  readonly #ring: EventRing;
  readonly #buf = new Uint8Array(READ_SIZE);
  // size_t goes to FFI as a BigInt: echoes of one size reuse the last one (no allocation)
  #lastLen = 0;
  #lastLenN = 0n;

  constructor(c: Libc, ring: EventRing) {
    this.#c = c;
    this.#ring = ring;
  }

  /** recv once, then send back what came. */
  readAndEcho(conn: Conn): number {
    const n = this.#c.sym.recv(conn.fd, this.#buf, READ_SIZE_N, 0);
    const ring = this.#ring;
    if (n > 0) {
      ring.record(EV_READ, conn.id, conn.fd, n);
      ring.addBytesIn(n);
      conn.bytesIn += n;
      conn.lastEvent = EV_READ;
      return this.#send(conn, this.#buf, 0, n);
    }
    if (n === 0) return this.#end(conn, EV_EOF, 0);
    const errno = this.#c.errno();
    if (errno === EAGAIN) return IO_AGAIN;
    return this.#end(conn, errno === ECONNRESET ? EV_RESET : EV_ERR, errno);
  }

  /** Sends the connection's backlog; IO_PROGRESS once it is all gone. */
  flush(conn: Conn): number {
    const pending = conn.pending;
    if (pending === null || conn.pendingStart === conn.pendingEnd) return IO_PROGRESS;
    return this.#send(conn, pending, conn.pendingStart, conn.pendingEnd);
  }

  #send(conn: Conn, src: Uint8Array, start: number, end: number): number {
    const want = end - start;
    const from = start === 0 ? src : src.subarray(start, end);
    if (want !== this.#lastLen) {
      this.#lastLen = want;
      this.#lastLenN = BigInt(want);
    }
    let w = this.#c.sym.send(conn.fd, from, this.#lastLenN, MSG_NOSIGNAL);
    const ring = this.#ring;
    if (w < 0) {
      const errno = this.#c.errno();
      if (errno !== EAGAIN) {
        return this.#end(conn, errno === EPIPE || errno === ECONNRESET ? EV_RESET : EV_ERR, errno);
      }
      ring.record(EV_EAGAIN, conn.id, conn.fd, 0);
      w = 0;
    } else {
      ring.record(EV_WRITE, conn.id, conn.fd, w);
      ring.addBytesOut(w);
      conn.bytesOut += w;
      conn.lastEvent = EV_WRITE;
    }
    if (w === want) {
      conn.pendingStart = conn.pendingEnd = 0;
      conn.state = "open";
      return IO_PROGRESS;
    }
    this.#keep(conn, src, start + w, end);
    conn.state = "writing";
    return IO_PENDING;
  }

  /** Keeps [start, end) of `src` as the connection's backlog (no copy when it already is). */
  #keep(conn: Conn, src: Uint8Array, start: number, end: number): void {
    if (src === conn.pending) {
      conn.pendingStart = start;
      return;
    }
    const len = end - start;
    if (conn.pending === null || conn.pending.length < len) {
      conn.pending = new Uint8Array(Math.max(len, 4096));
    }
    conn.pending.set(src.subarray(start, end));
    conn.pendingStart = 0;
    conn.pendingEnd = len;
  }

  #end(conn: Conn, kind: number, errno: number): number {
    this.#ring.record(kind, conn.id, conn.fd, errno);
    conn.lastEvent = kind;
    return IO_DONE;
  }
}
