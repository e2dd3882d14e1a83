/**
 * `select`, the lesson's first multiplexer: the whole watched set is copied
 * to the kernel and scanned back on every call (its cost grows with the
 * highest fd, not with the ready ones), and an fd_set holds fds below
 * FD_SETSIZE (1024) only, so the poller refuses anything higher.
 */
import { EPOLLIN, EPOLLOUT, FD_SETSIZE, type Libc } from "./libc.ts";
import { type Poller, WakeFd, wakeFdFor } from "./poller.ts";
import { SocketError } from "./raw_socket.ts";

const WORDS = FD_SETSIZE / 32;

/** The one line shown when a socket is past select's reach. */
export function fdSetSizeText(fd: number): string {
  return `select cannot watch fd ${fd}: fd_set holds fds below FD_SETSIZE (${FD_SETSIZE}); ` +
    `use --poller epoll for more connections`;
}

export class SelectPoller implements Poller {
  readonly name = "select" as const;
  readonly wakeFd: number;
  readonly #c: Libc;
  readonly #wake: WakeFd;
  readonly #ownsWake: boolean;
  // what is watched, and the copies select() overwrites with what is ready
  readonly #wantRead = new Uint32Array(WORDS);
  readonly #wantWrite = new Uint32Array(WORDS);
  readonly #readyRead = new Uint32Array(WORDS);
  readonly #readyWrite = new Uint32Array(WORDS);
  readonly #timeout = new Int32Array(4); // struct timeval: i64 sec, i64 usec (little-endian)
  readonly #results = new Int32Array(FD_SETSIZE * 2);
  #maxFd = -1;

  /** `wakeFd`: an eventfd of the caller's to wake the poller with (else it makes its own). */
  constructor(c: Libc, wakeFd?: number) {
    this.#c = c;
    const wake = wakeFdFor(c, wakeFd);
    if (wake.fd >= FD_SETSIZE) {
      if (wake.owned) c.sym.close(wake.fd);
      throw new SocketError(fdSetSizeText(wake.fd), 0);
    }
    this.#wake = new WakeFd(c, wake.fd);
    this.#ownsWake = wake.owned;
    this.wakeFd = wake.fd;
    this.add(wake.fd, EPOLLIN);
  }

  add(fd: number, interest: number): void {
    if (fd >= FD_SETSIZE) throw new SocketError(fdSetSizeText(fd), 0);
    this.modify(fd, interest);
    if (fd > this.#maxFd) this.#maxFd = fd;
  }

  modify(fd: number, interest: number): void {
    const w = fd >> 5;
    const bit = 1 << (fd & 31);
    if (interest & EPOLLIN) this.#wantRead[w]! |= bit;
    else this.#wantRead[w]! &= ~bit;
    if (interest & EPOLLOUT) this.#wantWrite[w]! |= bit;
    else this.#wantWrite[w]! &= ~bit;
  }

  remove(fd: number): void {
    if (fd >= FD_SETSIZE) return;
    this.modify(fd, 0);
    if (fd === this.#maxFd) {
      let m = fd - 1;
      while (m >= 0 && !this.#watched(m)) m--;
      this.#maxFd = m;
    }
  }

  #watched(fd: number): boolean {
    const bit = 1 << (fd & 31);
    return ((this.#wantRead[fd >> 5]! | this.#wantWrite[fd >> 5]!) & bit) !== 0;
  }

  #prepare(timeoutMs: number): void {
    this.#readyRead.set(this.#wantRead);
    this.#readyWrite.set(this.#wantWrite);
    this.#timeout[0] = Math.floor(timeoutMs / 1000);
    this.#timeout[2] = (timeoutMs % 1000) * 1000;
  }

  wait(timeoutMs: number): number {
    this.#prepare(timeoutMs);
    const n = this.#c.sym.select(
      this.#maxFd + 1,
      this.#readyRead,
      this.#readyWrite,
      null,
      this.#timeout,
    );
    return n <= 0 ? 0 : this.#collect();
  }

  /** Scans both sets up to the highest fd (select's cost) into (fd, flags) pairs. */
  #collect(): number {
    let n = 0;
    const r = this.#readyRead;
    const wr = this.#readyWrite;
    for (let w = 0; w <= this.#maxFd >> 5; w++) {
      const any = r[w]! | wr[w]!;
      if (any === 0) continue;
      for (let b = 0; b < 32; b++) {
        const bit = 1 << b;
        if ((any & bit) === 0) continue;
        const flags = (r[w]! & bit ? EPOLLIN : 0) | (wr[w]! & bit ? EPOLLOUT : 0);
        this.#results[n * 2] = (w << 5) | b;
        this.#results[n * 2 + 1] = flags;
        n++;
      }
    }
    return n;
  }

  fd(i: number): number {
    return this.#results[i * 2]!;
  }

  flags(i: number): number {
    return this.#results[i * 2 + 1]!;
  }

  wake(): void {
    this.#wake.wake();
  }

  drainWake(): void {
    this.#wake.drain();
  }

  close(): void {
    if (this.#ownsWake) this.#c.sym.close(this.wakeFd);
  }
}
