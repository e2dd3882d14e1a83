import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { Hub } from "../../../src/lab/hub.ts";
import { LoadError, message, startLoad } from "../../../src/lab/sockets/load_client.ts";
import { fdShortfall } from "../../../src/lab/sockets/fd_limit.ts";
import { until, withServer } from "./helpers.ts";
import { libc, MSG_NOSIGNAL, SOCK_NONBLOCK } from "../../../src/lab/sockets/libc.ts";
import { listenTcp } from "../../../src/lab/sockets/raw_socket.ts";

Deno.test("message() is `hello <n>`, padded with dots to the size asked", () => {
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  assertEquals(text(message(7)), "hello 7");
  assertEquals(text(message(7, 12)), "hello 7.....");
  assertEquals(text(message(12345, 4)), "hell");
});

Deno.test("fdShortfall() says how far the limit is and how to raise it", () => {
  assertEquals(fdShortfall(100, { soft: 1024, hard: 4096, open: 20 }), null);
  const line = fdShortfall(10_000, { soft: 1024, hard: 20_000, open: 20 })!;
  assertMatch(
    line,
    /^cannot open 10000 connections: the file-descriptor limit \(ulimit -n\) is 1024/,
  );
  assertMatch(line, /raise it with 'ulimit -n 10052'/);
  const hard = fdShortfall(10_000, { soft: 1024, hard: 4096, open: 20 })!;
  assertMatch(hard, /the hard limit is 4096/);
});

Deno.test("a load past 10 000 connections or with a bad size is refused before it starts", () => {
  const hub = new Hub();
  try {
    assertThrows(() => startLoad(hub, { port: 1, connections: 10_001 }), LoadError);
    assertThrows(() => startLoad(hub, { port: 1, connections: 0 }), LoadError);
    assertThrows(() => startLoad(hub, { port: 1, size: 0 }), LoadError);
  } finally {
    hub.close();
  }
});

Deno.test("a load against a closed port counts 'refused' errors and stops by itself", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close(); // nothing listens there now
  const hub = new Hub();
  try {
    const stats = await startLoad(hub, { port, connections: 20 }).done();
    assertEquals(stats.errors, { refused: 20 });
    assertEquals([stats.connected, stats.roundTrips, stats.open], [0, 0, 0]);
    assert(stats.done);
  } finally {
    hub.close();
  }
});

Deno.test("a duration-bound load runs closed-loop round trips, then stops by itself", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    const load = startLoad(hub, {
      port: server.port,
      connections: 10,
      rounds: 0,
      durationMs: 300,
      size: 100,
    });
    const stats = await load.done();
    assertEquals(stats.errors, {});
    assert(stats.roundTrips > 10, `only ${stats.roundTrips} round trips`);
    assertEquals(stats.bytesIn, stats.roundTrips * 100);
    assertEquals(stats.latency.count, stats.roundTrips);
    assert(stats.latency.p50 <= stats.latency.p99 && stats.latency.p99 <= stats.latency.max);
    assertEquals(stats.open, 0);
  }));

Deno.test("load clients are hub tasks, in their own group", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    const load = startLoad(hub, {
      port: server.port,
      connections: 5,
      rounds: 0,
      durationMs: 200,
      group: "load-test",
    });
    const live = () => hub.groups().find((g) => g.name === "load-test")?.live ?? 0;
    let most = 0;
    await until(() => (most = Math.max(most, live())) === 6, "5 clients and their supervisor");
    await load.done();
    assertEquals(live(), 0);
  }));

Deno.test("a paced load sends no faster than its rate", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    // 4 connections sharing 40 round trips/s: one every 100 ms each, over 250 ms
    const stats = await startLoad(hub, {
      port: server.port,
      connections: 4,
      rounds: 0,
      durationMs: 250,
      ratePerS: 40,
    }).done();
    assertEquals(stats.errors, {});
    // at t = 0, 100 and 200 ms at most: never more, however fast the echoes come
    assert(stats.roundTrips <= 4 * 3, `${stats.roundTrips} round trips`);
    assert(stats.roundTrips >= 4, `${stats.roundTrips} round trips`);
  }));

Deno.test("a load whose echoes never come stops at its deadline, counting timeouts", async () => {
  // a server that accepts and reads, but never answers
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of silent) {
        held.push(conn);
        conn.read(new Uint8Array(64)).catch(() => null);
      }
    } catch {
      // closed
    }
  })();
  const hub = new Hub();
  try {
    const stats = await startLoad(hub, {
      port: silent.addr.port,
      connections: 5,
      rounds: 1,
      durationMs: 200,
    }).done();
    assertEquals(stats.errors, { timeout: 5 });
    assertEquals([stats.roundTrips, stats.open], [0, 0]);
  } finally {
    hub.close();
    silent.close();
    for (const c of held) c.close();
    await accepting;
  }
});

Deno.test("a load stuck in connect (a full backlog drops SYNs) still stops by itself", async () => {
  // a listening socket with the smallest backlog that never accepts
  const c = libc();
  const { fd, port } = listenTcp(c, { bind: "127.0.0.1", port: 0, nonblocking: true, backlog: 0 });
  const hub = new Hub();
  try {
    const stats = await startLoad(hub, { port, connections: 5, rounds: 1, durationMs: 200 })
      .done();
    assertEquals(stats.errors, { timeout: 5 });
    assertEquals([stats.roundTrips, stats.open], [0, 0]);
    assert(stats.done);
  } finally {
    hub.close();
    c.sym.close(fd);
  }
});

Deno.test("every client is connected before the first one sends", async () => {
  // A listener with a backlog of 1 that accepts nothing for 300 ms: two clients
  // connect at once, the others' SYNs are dropped and retried a second later.
  // Had the first two started talking, a server busy with them could keep the
  // rest waiting (with 1 000 clients: seconds, some echoes 10 s late).
  const c = libc();
  const { fd, port } = listenTcp(c, { bind: "127.0.0.1", port: 0, nonblocking: true, backlog: 1 });
  const hub = new Hub();
  const clients = 6;
  const run = startLoad(hub, { port, connections: clients, rounds: 2 });
  const connectedAtEachMessage: number[] = [];
  const served: number[] = [];
  const buf = new Uint8Array(64);
  const startsAt = performance.now() + 300;
  // a small non-blocking echo server: accept what is there, echo what came
  const poll = setInterval(() => {
    if (performance.now() < startsAt) return;
    for (let s; (s = c.sym.accept4(fd, null, null, SOCK_NONBLOCK)) >= 0;) served.push(s);
    for (const s of served) {
      const n = c.sym.recv(s, buf, BigInt(buf.length), 0);
      if (n <= 0) continue;
      connectedAtEachMessage.push(run.stats().connected);
      c.sym.send(s, buf, BigInt(n), MSG_NOSIGNAL);
    }
  }, 2);
  try {
    const stats = await run.done();
    assertEquals([stats.connected, stats.roundTrips], [clients, clients * 2]);
    assert(connectedAtEachMessage.length > 0);
    assert(connectedAtEachMessage.every((n) => n === clients), `${connectedAtEachMessage}`);
  } finally {
    clearInterval(poll);
    for (const s of served) c.sym.close(s);
    c.sym.close(fd);
    hub.close();
  }
});
