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
import { libc } from "../../../src/lab/sockets/libc.ts";
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
