/**
 * What the multiplexed server waits with: the kernel's readiness interface,
 * `epoll` or `select`, behind one small interface, so the same handlers run
 * on either and the lesson can compare them. Each poller owns an eventfd that
 * `wake()` makes readable, so a wait in progress on the thread pool ends at
 * once when the server stops.
 */
import { EFD_CLOEXEC, EFD_NONBLOCK, type Libc } from "./libc.ts";
import { SocketError } from "./raw_socket.ts";

/** Interest and result flags are epoll's bits (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR). */
export interface Poller {
  readonly name: PollerName;
  /** The fd whose readiness only means "wake up" (drain it with `drainWake`). */
  readonly wakeFd: number;
  /** Watches `fd` for `interest`; throws a SocketError when the poller cannot watch it. */
  add(fd: number, interest: number): void;
  modify(fd: number, interest: number): void;
  /** Stops watching `fd`; call before closing it. */
  remove(fd: number): void;
  /**
   * Waits up to `timeoutMs` (0: only looks) for readiness and returns how
   * many fds are ready. It blocks the calling thread: the multiplexed server
   * calls it on a Worker of its own.
   */
  wait(timeoutMs: number): number;
  /** The i-th ready fd of the last poll/wait. */
  fd(i: number): number;
  /** Its flags, as the kernel returned them. */
  flags(i: number): number;
  /** Ends a wait in progress. */
  wake(): void;
  drainWake(): void;
  close(): void;
}

export type PollerName = "epoll" | "select";
export const POLLERS: readonly PollerName[] = ["epoll", "select"];

/**
 * An eventfd that wakes a poller: made here, or made by whoever wants to
 * wake it from another thread (then theirs to close: `owned` false).
 */
export function wakeFdFor(c: Libc, given?: number): { fd: number; owned: boolean } {
  if (given !== undefined) return { fd: given, owned: false };
  const fd = c.sym.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw new SocketError(`eventfd: ${c.strerror(c.errno())}`, c.errno());
  return { fd, owned: true };
}

/** eventfd helpers shared by both pollers. */
export class WakeFd {
  readonly fd: number;
  readonly #c: Libc;
  /** A little-endian 64-bit 1: what eventfd adds per write. */
  readonly #one = new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]);
  readonly #sink = new Uint8Array(8);

  constructor(c: Libc, fd: number) {
    this.#c = c;
    this.fd = fd;
  }

  wake(): void {
    this.#c.sym.write(this.fd, this.#one, 8n);
  }

  drain(): void {
    this.#c.sym.read(this.fd, this.#sink, 8n);
  }
}
