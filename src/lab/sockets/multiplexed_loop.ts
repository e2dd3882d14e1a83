/**
 * The lesson's selectors server, as it runs on its Worker
 * (`multiplexed_worker.ts`): one loop asks the kernel which sockets are ready
 * (`epoll_wait`, or `select`), blocking its thread until something is, and
 * calls the handler registered for each, the accept handler for the
 * listening socket and the echo handler for a connection. Every readiness
 * the kernel returns is an event (`READABLE`, `WRITABLE`, `HUP`, `ERR`),
 * followed by what the handler did.
 *
 * The loop reads no messages: the stop request comes through shared memory
 * and the wake eventfd, and the connections go to the lab through the shared
 * connection table.
 */
import { Acceptor } from "./acceptor.ts";
import { type Conn, Connections } from "./connections.ts";
import type { ConnTable } from "./conn_table.ts";
import { EchoIo, IO_DONE, IO_PENDING, IO_PROGRESS } from "./echo_io.ts";
import {
  EV_CLOSE,
  EV_ERR,
  EV_HUP,
  EV_READABLE,
  EV_WRITABLE,
  type EventRing,
} from "./event_ring.ts";
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, type Libc } from "./libc.ts";
import type { Poller } from "./poller.ts";
import { SocketError } from "./raw_socket.ts";
import { errorMessage } from "../../util/error_message.ts";

/** A wait ends after this even with nothing ready (a safety net: stop also wakes it). */
const WAIT_MS = 500;
/** While accepting is paused (out of fds), the wait ends this often to try again. */
const PAUSED_WAIT_MS = 20;
/** The connection table is published at most this often while the server is busy. */
const PUBLISH_MS = 50;

export interface LoopOptions {
  listenFd: number;
  poller: Poller;
  ring: EventRing;
  table: ConnTable;
  /** True once the lab asked the server to stop. */
  stopping: () => boolean;
  notice: (line: string) => void;
}

export class MultiplexedLoop {
  readonly #c: Libc;
  readonly #listenFd: number;
  readonly #poll: Poller;
  readonly #ring: EventRing;
  readonly #table: ConnTable;
  readonly #conns: Connections;
  readonly #io: EchoIo;
  readonly #acceptor: Acceptor;
  readonly #stopping: () => boolean;
  readonly #notice: (line: string) => void;
  /** Handlers by fd, as the lesson's `sel.register(sock, EVENT_READ, handler)`. */
  readonly #handlers: (((flags: number) => void) | undefined)[] = [];
  #acceptPaused = false;
  /** Events recorded when the table was last published. */
  #publishedAt = -1;

  constructor(c: Libc, options: LoopOptions) {
    this.#c = c;
    this.#listenFd = options.listenFd;
    this.#poll = options.poller;
    this.#ring = options.ring;
    this.#table = options.table;
    this.#stopping = options.stopping;
    this.#notice = options.notice;
    this.#poll.add(this.#listenFd, EPOLLIN);
    this.#handlers[this.#listenFd] = (flags) => {
      this.#ring.record(EV_READABLE, 0, this.#listenFd, flags);
      this.#onAcceptable();
    };
    this.#conns = new Connections(this.#ring);
    this.#io = new EchoIo(c, this.#ring);
    this.#acceptor = new Acceptor(c, this.#ring, this.#conns, this.#listenFd, this.#notice);
  }

  /** Serves until stopped; then closes every connection (never the listening socket). */
  run(): void {
    try {
      this.#serve();
    } catch (error) {
      this.#notice(`multiplexed server stopped: ${errorMessage(error)}`);
    } finally {
      this.#closeAll();
    }
  }

  #serve(): void {
    const ring = this.#ring;
    let lastPublish = -Infinity;
    let now = performance.now();
    while (!this.#stopping()) {
      // the lab sees the connections as they are at most PUBLISH_MS ago, and as they
      // are when the server goes idle (the wait is cut short to publish them)
      let stale = ring.recorded !== this.#publishedAt;
      if (stale && now - lastPublish >= PUBLISH_MS) {
        this.#publish();
        lastPublish = now;
        stale = false;
      }
      const n = this.#poll.wait(
        this.#acceptPaused ? PAUSED_WAIT_MS : stale ? PUBLISH_MS : WAIT_MS,
      );
      const t0 = performance.now();
      for (let i = 0; i < n; i++) this.#dispatch(this.#poll.fd(i), this.#poll.flags(i));
      if (this.#acceptPaused && t0 >= this.#acceptor.pausedUntil) this.#resumeAccepting();
      now = performance.now();
      ring.addBusyMs(now - t0);
    }
  }

  #publish(): void {
    this.#publishedAt = this.#ring.recorded;
    this.#table.publish(this.#conns.values());
  }

  #dispatch(fd: number, flags: number): void {
    if (fd === this.#poll.wakeFd) {
      this.#poll.drainWake();
      return;
    }
    this.#handlers[fd]?.(flags);
  }

  /** The listening socket's handler: take every pending connection. */
  #onAcceptable(): void {
    for (let conn = this.#acceptor.accept(); conn !== null; conn = this.#acceptor.accept()) {
      try {
        this.#poll.add(conn.fd, EPOLLIN);
        this.#handlers[conn.fd] = (flags) => this.#onConnection(conn, flags);
      } catch (error) {
        // select past FD_SETSIZE: say so, close this one, keep the others
        this.#ring.record(EV_ERR, conn.id, conn.fd, error instanceof SocketError ? error.errno : 0);
        this.#notice(errorMessage(error));
        this.#close(conn, false);
      }
    }
    if (this.#acceptor.pausedUntil > performance.now() && !this.#acceptPaused) {
      this.#acceptPaused = true;
      this.#poll.remove(this.#listenFd);
    }
  }

  #resumeAccepting(): void {
    this.#acceptPaused = false;
    this.#poll.add(this.#listenFd, EPOLLIN);
  }

  /** A connection's handler: what the kernel said, then read or write. */
  #onConnection(conn: Conn, flags: number): void {
    const ring = this.#ring;
    if (flags & EPOLLERR) ring.record(EV_ERR, conn.id, conn.fd, 0);
    if (flags & EPOLLHUP) ring.record(EV_HUP, conn.id, conn.fd, 0);
    let result = IO_PROGRESS;
    if (flags & EPOLLOUT) {
      ring.record(EV_WRITABLE, conn.id, conn.fd, flags);
      conn.lastEvent = EV_WRITABLE;
      result = this.#io.flush(conn);
      if (result === IO_PROGRESS) this.#poll.modify(conn.fd, EPOLLIN);
    } else if (flags & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
      ring.record(EV_READABLE, conn.id, conn.fd, flags);
      conn.lastEvent = EV_READABLE;
      result = this.#io.readAndEcho(conn);
      // the rest of the echo waits for WRITABLE; reading waits for it too (backpressure)
      if (result === IO_PENDING) this.#poll.modify(conn.fd, EPOLLOUT);
    }
    if (result === IO_DONE) this.#close(conn, true);
  }

  #close(conn: Conn, watched: boolean): void {
    if (watched) this.#poll.remove(conn.fd);
    this.#handlers[conn.fd] = undefined;
    this.#c.sym.close(conn.fd);
    conn.state = "closed";
    this.#ring.record(EV_CLOSE, conn.id, conn.fd, 0);
    this.#conns.delete(conn);
  }

  #closeAll(): void {
    for (const conn of [...this.#conns.values()]) this.#close(conn, true);
    if (!this.#acceptPaused) this.#poll.remove(this.#listenFd);
    this.#table.publish([]);
  }
}
