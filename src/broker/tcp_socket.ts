/**
 * One accepted TCP connection over `Deno.TcpConn`, with the little of
 * node:net's Socket the broker uses (write with backpressure and 'drain',
 * pause/resume, end, destroy). The broker owns its sockets instead of using
 * node:net because Deno's node:net listener silently stops accepting for good
 * after one EMFILE (see listener.ts); with `Deno.listen` every accept error
 * reaches us. Owning the write loop also tells the write timeout exactly when
 * bytes last left (`bytesWritten`).
 */

/** What a socket reports to its connection. */
export interface SocketEvents {
  /** Bytes arrived; the chunk is the connection's to keep (never reused). */
  data(chunk: Uint8Array): void;
  /** Everything queued was written after a write() that returned false. */
  drain(): void;
  /** The socket is gone (EOF, reset, or destroy()); told once. */
  close(): void;
}

/** The socket as a connection and its outbox see it (tests may fake it). */
export interface ClientSocket {
  /** Both ends, as node:net names them (the management API shows them). */
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** Starts reading; events go to `events` from now on. */
  start(events: SocketEvents): void;
  /** Bytes queued and not yet taken by the kernel. */
  readonly writableLength: number;
  /** Bytes the kernel has taken so far (progress, for the write timeout). */
  readonly bytesWritten: number;
  /** Bytes read from the client so far (the management API's recv_oct). */
  readonly bytesRead: number;
  /** Queues bytes; false when the caller should wait for 'drain'. */
  write(bytes: Uint8Array): boolean;
  /** Writes what is queued, then half-closes; the socket closes at the peer's EOF. */
  end(): void;
  /** Closes now; queued bytes are dropped. */
  destroy(): void;
  pause(): void;
  resume(): void;
}

import { joinChunks, nextWriteCount } from "./chunks.ts";

/** Queued bytes above which write() asks the caller to wait (node's default). */
const WRITE_HIGH_WATER = 16 * 1024;
const READ_SIZE = 64 * 1024;

export class TcpSocket implements ClientSocket {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #written = 0;
  #read = 0;
  #writing = false;
  #needDrain = false;
  #ending = false;
  #destroyed = false;
  #paused = false;
  #resume: (() => void) | undefined;
  #events: SocketEvents | undefined;

  constructor(readonly conn: Deno.TcpConn) {
    const remote = conn.remoteAddr;
    const local = conn.localAddr;
    this.remoteAddress = remote.transport === "tcp" ? remote.hostname : undefined;
    this.remotePort = remote.transport === "tcp" ? remote.port : undefined;
    this.localAddress = local.transport === "tcp" ? local.hostname : undefined;
    this.localPort = local.transport === "tcp" ? local.port : undefined;
    try {
      conn.setNoDelay(true);
    } catch {
      // already closed: the read loop will say so
    }
  }

  /** Starts reading; events go to `events` from now on. */
  start(events: SocketEvents): void {
    this.#events = events;
    this.#readLoop();
  }

  get writableLength(): number {
    return this.#queued;
  }

  get bytesWritten(): number {
    return this.#written;
  }

  get bytesRead(): number {
    return this.#read;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#destroyed || this.#ending) return false;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (!this.#writing) this.#writeLoop();
    if (this.#queued < WRITE_HIGH_WATER) return true;
    this.#needDrain = true;
    return false;
  }

  end(): void {
    if (this.#destroyed || this.#ending) return;
    this.#ending = true;
    if (!this.#writing) this.#closeWrite();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#queue = [];
    this.#queued = 0;
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    this.#resume?.();
    // Asynchronously, as node does: the caller may be in the middle of a handler.
    queueMicrotask(() => this.#events?.close());
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const wake = this.#resume;
    this.#resume = undefined;
    wake?.();
  }

  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(READ_SIZE);
    while (!this.#destroyed) {
      let n: number | null;
      try {
        n = await this.conn.read(buf);
      } catch {
        n = null; // a reset is a close
      }
      if (n === null) return this.destroy();
      this.#read += n;
      // The parser keeps views into what it is given: a big read gives the
      // buffer away (no copy; a new one reads next), a small one is copied.
      let chunk: Uint8Array;
      if (n >= READ_SIZE / 2) {
        chunk = buf.subarray(0, n);
        buf = new Uint8Array(READ_SIZE);
      } else chunk = buf.slice(0, n);
      // Paused (memory alarm): hold the chunk until resumed.
      while (this.#paused && !this.#destroyed) {
        await new Promise<void>((resolve) => this.#resume = resolve);
      }
      if (this.#destroyed) return;
      this.#events?.data(chunk);
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    while (this.#queue.length > 0 && !this.#destroyed) {
      // What was queued while the last write was in flight goes as one,
      // except that big chunks are written as they are rather than copied.
      const count = nextWriteCount(this.#queue);
      const chunk = joinChunks(this.#queue, 0, count);
      if (count > 1) this.#queue.splice(0, count, chunk);
      let n: number;
      try {
        n = await this.conn.write(chunk);
      } catch {
        return this.destroy();
      }
      if (this.#destroyed) return;
      this.#written += n;
      this.#queued -= n;
      if (n < chunk.length) this.#queue[0] = chunk.subarray(n);
      else this.#queue.shift();
    }
    this.#writing = false;
    if (this.#destroyed) return;
    if (this.#ending) return this.#closeWrite();
    if (this.#needDrain) {
      this.#needDrain = false;
      this.#events?.drain();
    }
  }

  #closeWrite(): void {
    this.conn.closeWrite().catch(() => this.destroy());
  }
}
