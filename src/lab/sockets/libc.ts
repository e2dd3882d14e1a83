/**
 * The kernel's socket calls through Deno's FFI (libc on Linux x86_64/arm64),
 * so the blocking, non-blocking and multiplexed servers see what the kernel
 * sees: readiness, EAGAIN, a call that blocks. Deno's own sockets complete
 * operations and never expose readiness.
 *
 * A call that may wait (`accept`, `recv`, `epoll_wait`, `select` with a
 * timeout) waits for real: the blocking and multiplexed models make such
 * calls on a Worker of their own, never on the lab's thread. The one `*_async`
 * call (`sched_yield_async`, the non-blocking model's hop through Deno's
 * thread pool) returns a promise, so the calling thread's event loop runs.
 *
 * errno is per thread: `errno()` reads it through `__errno_location()` of the
 * thread that loaded the library, so read it right after the failed call, on
 * the same thread (never after an `*_async` call, which ran elsewhere).
 */
import { errorMessage } from "../../util/error_message.ts";

// constants of Linux's ABI (the same on x86_64 and arm64)
export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
/** With a zero timeout, close() resets the connection (RST) instead of closing it (FIN). */
export const SO_LINGER = 13;
export const SO_RCVTIMEO = 20;
export const SO_SNDTIMEO = 21;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const O_NONBLOCK = 0o4000;
export const MSG_DONTWAIT = 0x40;
/** A send to a reset peer must not kill the process with SIGPIPE. */
export const MSG_NOSIGNAL = 0x4000;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const FD_SETSIZE = 1024;

export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const EACCES = 13;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const EPIPE = 32;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOTCONN = 107;
export const ETIMEDOUT = 110;

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  listen: { parameters: ["i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  // ssize_t results read as i32: exact for the sizes used here (<= 1 MiB), and a
  // 64-bit result would come back as a BigInt, one allocation per call
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  select: { parameters: ["i32", "buffer", "buffer", "buffer", "buffer"], result: "i32" },
  /** Used as "let the event loop poll io, then come straight back" (see nonblocking.ts). */
  sched_yield_async: { name: "sched_yield", parameters: [], result: "i32", nonblocking: true },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** libc, loaded once per thread. */
export interface Libc {
  readonly sym: LibcSymbols;
  /** errno of the last failed call on this thread. */
  errno(): number;
  /** The C library's text for an errno (`Address already in use`). */
  strerror(errno: number): string;
}

const LIB_NAMES = ["libc.so.6", "libc.so"];
let loaded: Libc | null = null;
let failure: string | null = null;

/**
 * Why the FFI models cannot run here, as one line, or null when they can.
 * Loads libc on first use.
 */
export function ffiUnavailable(): string | null {
  if (loaded !== null) return null;
  if (failure !== null) return failure;
  if (Deno.build.os !== "linux") {
    return failure = `needs Linux's socket calls through FFI (this is ${Deno.build.os}); ` +
      `the async model works everywhere`;
  }
  let lastError = "";
  for (const name of LIB_NAMES) {
    try {
      const lib = Deno.dlopen(name, SYMBOLS);
      loaded = wrap(lib.symbols);
      return null;
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        return failure = "needs FFI, which is not allowed here: run with --allow-ffi (or -A); " +
          "the async model works without it";
      }
      lastError = errorMessage(error);
    }
  }
  return failure = `cannot load libc through FFI (${lastError}); the async model works without it`;
}

/** libc for this thread; throws with `ffiUnavailable()`'s line when it cannot be loaded. */
export function libc(): Libc {
  const why = ffiUnavailable();
  if (why !== null) throw new Error(why);
  return loaded!;
}

function wrap(sym: LibcSymbols): Libc {
  const ptr = sym.__errno_location();
  if (ptr === null) throw new Error("__errno_location() returned NULL");
  // the location is fixed for the life of the thread: one view, read per failure
  const view = new Deno.UnsafePointerView(ptr);
  return {
    sym,
    errno: () => view.getInt32(0),
    strerror: (errno) => {
      const p = sym.strerror(errno);
      return p === null ? `errno ${errno}` : Deno.UnsafePointerView.getCString(p);
    },
  };
}
