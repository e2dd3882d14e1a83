/**
 * The few multi-step socket chores the FFI servers share: opening a
 * listening socket (with errors a person can act on), accepting with the
 * peer's address, and turning errno into one line.
 */
import {
  AF_INET,
  EACCES,
  EADDRINUSE,
  EADDRNOTAVAIL,
  EMFILE,
  ENFILE,
  F_GETFL,
  F_SETFL,
  type Libc,
  O_NONBLOCK,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./libc.ts";

/** A socket call failed; `errno` says why, `message` says it for a person. */
export class SocketError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
    this.name = "SocketError";
  }
}

/** One line for a failure to listen, with what to do about it. */
export function listenErrorText(bind: string, port: number, errno: number, text: string): string {
  const where = `${bind}:${port}`;
  if (errno === EADDRINUSE) return `cannot listen on ${where}: port in use (try another --port)`;
  if (errno === EACCES) {
    return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  }
  if (errno === EADDRNOTAVAIL) return `cannot listen on ${where}: no such local address`;
  if (errno === EMFILE || errno === ENFILE) {
    return `cannot listen on ${where}: too many open files (raise 'ulimit -n')`;
  }
  return `cannot listen on ${where}: ${text}`;
}

/** An IPv4 address as 4 bytes, or a SocketError for anything else. */
export function parseIpv4(bind: string): Uint8Array {
  const host = bind === "localhost" ? "127.0.0.1" : bind;
  const parts = host.split(".");
  const bytes = parts.map(Number);
  if (parts.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) {
    throw new SocketError(`cannot listen on ${bind}: not an IPv4 address`, 0);
  }
  return new Uint8Array(bytes);
}

/** struct sockaddr_in: family (host order), port and address (network order). */
export function sockaddrIn(ip: Uint8Array, port: number): Uint8Array {
  const sa = new Uint8Array(16);
  const view = new DataView(sa.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  sa.set(ip, 4);
  return sa;
}

export interface Listening {
  fd: number;
  /** The port bound (the kernel's choice when asked for 0). */
  port: number;
}

/** socket + SO_REUSEADDR + bind + listen; throws a SocketError with a one-line reason. */
export function listenTcp(
  c: Libc,
  { bind, port, nonblocking, backlog = 4096 }: {
    bind: string;
    port: number;
    nonblocking: boolean;
    backlog?: number;
  },
): Listening {
  const ip = parseIpv4(bind);
  const type = SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0);
  const fd = c.sym.socket(AF_INET, type, 0);
  if (fd < 0) {
    const errno = c.errno();
    throw new SocketError(listenErrorText(bind, port, errno, c.strerror(errno)), errno);
  }
  const fail = (): never => {
    const errno = c.errno();
    c.sym.close(fd);
    throw new SocketError(listenErrorText(bind, port, errno, c.strerror(errno)), errno);
  };
  // a restarted server can take its port back while old connections sit in TIME_WAIT
  if (c.sym.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new Int32Array([1]), 4) < 0) fail();
  if (c.sym.bind(fd, sockaddrIn(ip, port), 16) < 0) fail();
  if (c.sym.listen(fd, backlog) < 0) fail();
  const sa = new Uint8Array(16);
  const len = new Uint32Array([16]);
  if (c.sym.getsockname(fd, sa, len) < 0) fail();
  return { fd, port: new DataView(sa.buffer).getUint16(2, false) };
}

/**
 * Reusable buffers for accept4's peer address, so accepting allocates
 * nothing but the connection's own record.
 */
export class PeerAddress {
  readonly sa = new Uint8Array(16);
  readonly len = new Uint32Array(1);
  readonly #view = new DataView(this.sa.buffer);

  /** Ready for the next accept4. */
  reset(): void {
    this.len[0] = 16;
  }

  /** The IPv4 address as a 32-bit number, host order. */
  get ip(): number {
    return this.#view.getUint32(4, false);
  }

  get port(): number {
    return this.#view.getUint16(2, false);
  }
}

export function formatPeer(ip: number, port: number): string {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}:${port}`;
}

/** Sets or clears O_NONBLOCK on an fd (the lesson's `setblocking(False)`). */
export function setNonblocking(c: Libc, fd: number, on: boolean): void {
  const flags = c.sym.fcntl(fd, F_GETFL, 0);
  if (flags < 0) throw new SocketError(`fcntl(F_GETFL) failed: ${c.strerror(c.errno())}`, 0);
  const next = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
  if (c.sym.fcntl(fd, F_SETFL, next) < 0) {
    throw new SocketError(`fcntl(F_SETFL) failed: ${c.strerror(c.errno())}`, 0);
  }
}
