/**
 * Accepting on a non-blocking listening socket, shared by the non-blocking
 * and multiplexed servers. Running out of file descriptors (EMFILE) is not
 * fatal: the acceptor says so in one line, pauses accepting for a moment
 * (the listening socket would stay readable and spin the loop) and the
 * server goes on serving the connections it has.
 */
import { Conn, type Connections } from "./connections.ts";
import { EV_ACCEPT, EV_ERR, type EventRing } from "./event_ring.ts";
import {
  EAGAIN,
  ECONNABORTED,
  EINTR,
  EMFILE,
  ENFILE,
  type Libc,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
} from "./libc.ts";
import { PeerAddress } from "./raw_socket.ts";

/** How long accepting pauses after EMFILE. */
export const EMFILE_PAUSE_MS = 100;
const NOTICE_EVERY_MS = 1000;

export class Acceptor {
  /** performance.now() before which accepting is paused (EMFILE). */
  pausedUntil = 0;
  readonly #c: Libc;
  readonly #ring: EventRing;
  readonly #conns: Connections;
  readonly #listenFd: number;
  readonly #notice: (line: string) => void;
  readonly #peer = new PeerAddress();
  #lastNotice = -Infinity;

  constructor(
    c: Libc,
    ring: EventRing,
    conns: Connections,
    listenFd: number,
    notice: (line: string) => void,
  ) {
    this.#c = c;
    this.#ring = ring;
    this.#conns = conns;
    this.#listenFd = listenFd;
    this.#notice = notice;
  }

  /** One pending connection, registered and recorded; null when none is pending or on error. */
  accept(): Conn | null {
    const c = this.#c;
    for (;;) {
      this.#peer.reset();
      const fd = c.sym.accept4(
        this.#listenFd,
        this.#peer.sa,
        this.#peer.len,
        SOCK_NONBLOCK | SOCK_CLOEXEC,
      );
      if (fd >= 0) {
        const conn = new Conn(this.#conns.nextId(), fd, this.#peer.ip, this.#peer.port);
        this.#conns.add(conn);
        this.#ring.record(EV_ACCEPT, conn.id, fd, 0);
        conn.lastEvent = EV_ACCEPT;
        return conn;
      }
      const errno = c.errno();
      if (errno === EINTR || errno === ECONNABORTED) continue; // the next one may be fine
      if (errno === EAGAIN) return null;
      this.#ring.record(EV_ERR, 0, this.#listenFd, errno);
      if (errno === EMFILE || errno === ENFILE) this.#outOfFds(errno);
      else this.#say(`accept failed: ${c.strerror(errno)}`);
      return null;
    }
  }

  #outOfFds(errno: number): void {
    this.pausedUntil = performance.now() + EMFILE_PAUSE_MS;
    const which = errno === EMFILE ? "this process" : "the system";
    this.#say(
      `too many open files for ${which}: new connections wait; serving the ` +
        `${this.#conns.size} open (raise 'ulimit -n')`,
    );
  }

  #say(line: string): void {
    const now = performance.now();
    if (now - this.#lastNotice < NOTICE_EVERY_MS) return;
    this.#lastNotice = now;
    this.#notice(line);
  }
}
