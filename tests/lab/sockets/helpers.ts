/**
 * Shared by the sockets tests: a server of a given model on an ephemeral
 * port with its own hub, simple TCP clients, and the process's open fds.
 */
import { Hub } from "../../../src/lab/hub.ts";
import type { EchoServer, ModelName } from "../../../src/lab/sockets/server.ts";
import { startEchoServer } from "../../../src/lab/sockets/start_server.ts";
import { startLoad } from "../../../src/lab/sockets/load_client.ts";
import { EV_ACCEPT, EV_CLOSE } from "../../../src/lab/sockets/event_ring.ts";
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { SocketEvent } from "../../../src/lab/sockets/event_ring.ts";
import type { PollerName } from "../../../src/lab/sockets/poller.ts";
import {
  AF_INET,
  EAGAIN,
  libc,
  MSG_DONTWAIT,
  SO_LINGER,
  SOCK_STREAM,
  SOL_SOCKET,
} from "../../../src/lab/sockets/libc.ts";
import { sockaddrIn } from "../../../src/lab/sockets/raw_socket.ts";

/** Every model, multiplexed on both pollers. */
export const CASES: { label: string; model: ModelName; poller?: PollerName }[] = [
  { label: "blocking", model: "blocking" },
  { label: "nonblocking", model: "nonblocking" },
  { label: "multiplexed (epoll)", model: "multiplexed", poller: "epoll" },
  { label: "multiplexed (select)", model: "multiplexed", poller: "select" },
  { label: "async", model: "async" },
];

/**
 * This process's open fds, less unix sockets: the servers make none (only TCP
 * sockets, epoll and eventfd), while Deno makes a pair now and then for itself.
 */
export function openFds(): number {
  let n = 0;
  for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
  return n - socketFdsAmong(unixInodes());
}

function unixInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const line of Deno.readTextFileSync("/proc/net/unix").split("\n").slice(1)) {
    const inode = line.trim().split(/\s+/)[6];
    if (inode !== undefined) inodes.add(inode);
  }
  return inodes;
}

/** Inodes of TCP sockets (either end on `port`, or any port when undefined) from /proc/net/tcp. */
function tcpInodes(port?: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port?.toString(16).toUpperCase().padStart(4, "0");
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (hexPort === undefined || f[1]!.endsWith(`:${hexPort}`) || f[2]!.endsWith(`:${hexPort}`)) {
        inodes.add(f[9]!);
      }
    }
  }
  return inodes;
}

/** How many of this process's fds are sockets among `inodes`. */
function socketFdsAmong(inodes: Set<string>): number {
  let n = 0;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(Deno.readLinkSync(`/proc/self/fd/${entry.name}`));
      if (m !== null && inodes.has(m[1]!)) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

/**
 * This process's fds that are TCP sockets on `port` (either end), found
 * through /proc/net/tcp's inodes: exact even while other test files open and
 * close fds in this process, which a plain count is not.
 */
export function socketFdsOnPort(port: number): number {
  return socketFdsAmong(tcpInodes(port));
}

/** This process's TCP socket fds, whatever their port. */
export function tcpSocketFds(): number {
  return socketFdsAmong(tcpInodes());
}

export interface ServerContext {
  hub: Hub;
  server: EchoServer;
  notices: string[];
}

/**
 * Runs `fn` against a fresh server, stops it, and checks that no socket on
 * its port is left open in this process (exact even while other test files
 * open and close fds in this process). With `countFds`, the process's whole
 * fd count must come back too: only meaningful in a process of its own
 * (`isolated_probe.ts`).
 */
export async function withServer(
  model: ModelName,
  poller: PollerName | undefined,
  fn: (ctx: ServerContext) => Promise<void>,
  { countFds = false }: { countFds?: boolean } = {},
): Promise<void> {
  // the blocking model's own fds are TCP sockets only; the runtime of its Worker
  // (Deno's eventfd, epoll, unix sockets) is freed lazily, when the next one starts
  const count = model === "blocking" ? tcpSocketFds : openFds;
  const hub = new Hub();
  // the multiplexed model's Worker runtime outlives it the same way until the next
  // Worker starts: a server started and stopped first leaves the same fds behind
  // as the one measured will, so a count that comes back means nothing of ours leaked
  if (countFds && model === "multiplexed") {
    await (await startEchoServer(hub, { model, poller, port: 0 })).stop();
  }
  const before = count();
  const notices: string[] = [];
  const server = await startEchoServer(hub, {
    model,
    poller,
    port: 0,
    ringCapacity: 1 << 16,
    onNotice: (line) => notices.push(line),
  });
  try {
    await fn({ hub, server, notices });
  } finally {
    await server.stop();
    hub.close();
  }
  const onPort = socketFdsOnPort(server.port);
  if (onPort > 0) {
    throw new Error(`${onPort} socket fd(s) on port ${server.port} left open after stop`);
  }
  // the Worker's runtime lets go of a few of its fds a moment after it stops
  if (countFds) await until(() => count() <= before, "the fd count back", 2000).catch(() => {});
  const after = count();
  if (countFds && after > before) {
    const links = [...Deno.readDirSync("/proc/self/fd")].map((e) => {
      try {
        return `${e.name}=${Deno.readLinkSync(`/proc/self/fd/${e.name}`)}`;
      } catch {
        return e.name;
      }
    });
    throw new Error(`${model}: ${after - before} fd(s) left open after stop; open: ${links}`);
  }
}

export function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

export async function readExact(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const got = await conn.read(out.subarray(off));
    if (got === null) throw new Error(`EOF after ${off} of ${n} bytes`);
    off += got;
  }
  return out;
}

/** Sends `text` and returns what comes back (as many bytes as were sent). */
export async function echo(conn: Deno.Conn, text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  await conn.write(bytes);
  return new TextDecoder().decode(await readExact(conn, bytes.length));
}

/** Waits (bounded) until `ok()` holds; throws with `what` if it never does. */
export async function until(ok: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A connection's event kinds in order. */
export function kindsOf(events: SocketEvent[], conn: number, keep?: Set<number>): number[] {
  return events.filter((e) => e.conn === conn && (keep === undefined || keep.has(e.kind)))
    .map((e) => e.kind);
}

/**
 * A client that sends `hello`, reads its echo, then resets the connection
 * (SO_LINGER 0: close sends RST, not FIN). Through libc, because Deno's
 * sockets cannot reset. Its reads never block (this thread may be the
 * server's).
 */
export async function resetAfterEcho(port: number): Promise<void> {
  const c = libc();
  const fd = c.sym.socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw new Error(`socket: ${c.strerror(c.errno())}`);
  try {
    if (c.sym.connect(fd, sockaddrIn(new Uint8Array([127, 0, 0, 1]), port), 16) < 0) {
      throw new Error(`connect: ${c.strerror(c.errno())}`);
    }
    const hello = new TextEncoder().encode("hello");
    if (c.sym.send(fd, hello, 5n, 0) !== 5) throw new Error("send failed");
    const buf = new Uint8Array(16);
    let got = 0;
    await until(() => {
      const n = c.sym.recv(fd, buf.subarray(got), 16n, MSG_DONTWAIT);
      if (n > 0) got += n;
      else if (n < 0 && c.errno() !== EAGAIN) throw new Error(`recv: ${c.strerror(c.errno())}`);
      return got >= 5;
    }, "the echo");
    c.sym.setsockopt(fd, SOL_SOCKET, SO_LINGER, new Int32Array([1, 0]), 8);
  } finally {
    c.sym.close(fd);
  }
}

/** `clients` connections at once, two round trips each: every echo right, every count exact. */
export async function echoesToClients(
  { hub, server }: ServerContext,
  clients: number,
): Promise<void> {
  const stats = await startLoad(hub, {
    port: server.port,
    connections: clients,
    rounds: 2,
    fdsPerConnection: 2,
  }).done();
  assertEquals(stats.errors, {});
  assertEquals(stats.roundTrips, clients * 2);
  assertEquals(stats.connected, clients);
  await until(() => server.ring.total(EV_CLOSE) === clients, "every CLOSE");
  assertEquals(server.ring.total(EV_ACCEPT), clients);
  assertEquals(server.ring.bytesIn, stats.bytesOut);
  assertEquals(server.ring.bytesOut, stats.bytesIn);
  assertEquals(server.ring.open, 0);
}
