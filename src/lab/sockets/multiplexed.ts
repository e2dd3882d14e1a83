/**
 * The lesson's selectors server: one loop asks the kernel which sockets are
 * ready (`epoll_wait`, or `select`) and calls the handler registered for
 * each, the accept handler for the listening socket and the echo handler for
 * a connection. Every readiness the kernel returns is an event (`READABLE`,
 * `WRITABLE`, `HUP`, `ERR`), followed by what the handler did.
 *
 * The loop never blocks its thread: it takes what is ready with a zero
 * timeout, and when nothing is, waits on Deno's thread pool, so the lab's
 * event loop (the hub, messages) keeps running.
 */
import { Acceptor } from "./acceptor.ts";
import { type Conn, type ConnectionInfo, Connections } from "./connections.ts";
import { EchoIo, IO_DONE, IO_PENDING, IO_PROGRESS } from "./echo_io.ts";
import { EV_CLOSE, EV_ERR, EV_HUP, EV_READABLE, EV_WRITABLE, EventRing } from "./event_ring.ts";
import { EpollPoller } from "./epoll_poller.ts";
import { EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, type Libc } from "./libc.ts";
import type { Poller, PollerName } from "./poller.ts";
import { listenTcp, SocketError } from "./raw_socket.ts";
import { SelectPoller } from "./select_poller.ts";
import type { EchoServer } from "./server.ts";
import { errorMessage } from "../../util/error_message.ts";

/** A wait on the thread pool ends after this even with nothing ready (a safety net for stop). */
const WAIT_MS = 500;
/** Looks at the poller (between event-loop turns) before a real wait when nothing is ready. */
const QUICK_LOOKS = 4;
/** Real ms the loop runs on before letting the event loop in. */
const SLICE_MS = 4;

export class MultiplexedServer implements EchoServer {
  readonly model = "multiplexed" as const;
  readonly bind: string;
  readonly port: number;
  readonly poller: PollerName;
  readonly ring: EventRing;
  readonly #c: Libc;
  readonly #listenFd: number;
  readonly #poll: Poller;
  readonly #conns: Connections;
  readonly #io: EchoIo;
  readonly #acceptor: Acceptor;
  readonly #notice: (line: string) => void;
  /** Handlers by fd, as the lesson's `sel.register(sock, EVENT_READ, handler)`. */
  readonly #handlers: (((flags: number) => void) | undefined)[] = [];
  #stopping = false;
  #acceptPaused = false;
  readonly #done: Promise<void>;

  constructor(
    c: Libc,
    options: {
      bind: string;
      port: number;
      poller: PollerName;
      ringCapacity: number;
      notice: (line: string) => void;
    },
  ) {
    this.#c = c;
    this.bind = options.bind;
    this.poller = options.poller;
    this.#notice = options.notice;
    this.ring = new EventRing(options.ringCapacity);
    const listening = listenTcp(c, { bind: options.bind, port: options.port, nonblocking: true });
    this.port = listening.port;
    this.#listenFd = listening.fd;
    try {
      this.#poll = options.poller === "select" ? new SelectPoller(c) : new EpollPoller(c);
      this.#poll.add(this.#listenFd, EPOLLIN);
    } catch (error) {
      c.sym.close(this.#listenFd);
      throw error;
    }
    this.#handlers[this.#listenFd] = (flags) => {
      this.ring.record(EV_READABLE, 0, this.#listenFd, flags);
      this.#onAcceptable();
    };
    this.#conns = new Connections(this.ring);
    this.#io = new EchoIo(c, this.ring);
    this.#acceptor = new Acceptor(c, this.ring, this.#conns, this.#listenFd, this.#notice);
    this.#done = this.#loop().catch((error) => {
      this.#notice(`multiplexed server stopped: ${errorMessage(error)}`);
    }).finally(() => this.#closeAll());
  }

  connections(max?: number): ConnectionInfo[] {
    return this.#conns.list(max);
  }

  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      this.#poll.wake();
    }
    await this.#done;
  }

  async #loop(): Promise<void> {
    let sliceStart = performance.now();
    while (!this.#stopping) {
      let n = this.#poll.poll();
      // under load the next readiness is usually microseconds away: look again after a
      // hop through the thread pool (the event loop runs meanwhile) before parking a pool
      // thread in epoll_wait, whose hand-over back costs more
      for (let k = 0; n === 0 && k < QUICK_LOOKS && !this.#stopping; k++) {
        await this.#c.sym.sched_yield_async();
        n = this.#poll.poll();
      }
      if (n === 0) {
        n = await this.#poll.wait(this.#acceptPaused ? 20 : WAIT_MS);
        if (this.#stopping) return;
        sliceStart = performance.now();
      }
      const t0 = performance.now();
      for (let i = 0; i < n; i++) this.#dispatch(this.#poll.fd(i), this.#poll.flags(i));
      if (this.#acceptPaused && t0 >= this.#acceptor.pausedUntil) this.#resumeAccepting();
      const t1 = performance.now();
      this.ring.addBusyMs(t1 - t0);
      if (t1 - sliceStart >= SLICE_MS) {
        await this.#c.sym.sched_yield_async(); // io and timers run meanwhile (see nonblocking.ts)
        sliceStart = performance.now();
      }
    }
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
        this.ring.record(EV_ERR, conn.id, conn.fd, error instanceof SocketError ? error.errno : 0);
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
    const ring = this.ring;
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
    this.ring.record(EV_CLOSE, conn.id, conn.fd, 0);
    this.#conns.delete(conn);
  }

  #closeAll(): void {
    for (const conn of [...this.#conns.values()]) this.#close(conn, true);
    if (!this.#acceptPaused) this.#poll.remove(this.#listenFd);
    this.#c.sym.close(this.#listenFd);
    this.#poll.close();
  }
}
