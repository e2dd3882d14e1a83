/**
 * Every IO model as a real echo server: correct echoes for 1, 100 and 1 000
 * clients, a 1 MiB message (partial reads and writes), half-close, EOF,
 * reset, each connection's events in order, and no fd left after stop.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  EV_ACCEPT,
  EV_CLOSE,
  EV_EOF,
  EV_READ,
  EV_RESET,
  EV_WRITE,
  KIND_NAMES,
} from "../../../src/lab/sockets/event_ring.ts";
import {
  CASES,
  connect,
  echo,
  echoesToClients,
  kindsOf,
  readExact,
  resetAfterEcho,
  until,
  withServer,
} from "./helpers.ts";

const names = (kinds: number[]) => kinds.map((k) => KIND_NAMES[k]);

for (const { label, model, poller } of CASES) {
  // 1 000 clients run in a process of their own (isolated_test.ts): 2 000 fds here
  // would crowd every other test file of the parallel suite (and select's limit)
  for (const clients of [1, 100]) {
    Deno.test(`${label}: echoes 'hello <n>' to ${clients} concurrent client(s)`, () =>
      withServer(model, poller, (ctx) => echoesToClients(ctx, clients)));
  }

  Deno.test(`${label}: a 1 MiB message comes back whole (partial reads and writes)`, () =>
    withServer(model, poller, async ({ server }) => {
      const conn = await connect(server.port);
      const big = new Uint8Array(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 10)) & 255;
      // write and read at once: the echo starts coming back long before the send ends
      const [, back] = await Promise.all([
        (async () => {
          let off = 0;
          while (off < big.length) off += await conn.write(big.subarray(off));
        })(),
        readExact(conn, big.length),
      ]);
      assert(back.every((b, i) => b === big[i]), "the echo differs from what was sent");
      conn.close();
      await until(() => server.ring.total(EV_CLOSE) === 1, "CLOSE");
      const reads = kindsOf(server.ring.since(0), 1, new Set([EV_READ])).length;
      assert(reads > 1, `expected the message in several reads, got ${reads}`);
    }));

  Deno.test(`${label}: after the client's half-close, the echo still arrives, then EOF`, () =>
    withServer(model, poller, async ({ server }) => {
      const conn = await connect(server.port);
      await conn.write(new TextEncoder().encode("hello half"));
      await conn.closeWrite();
      assertEquals(new TextDecoder().decode(await readExact(conn, 10)), "hello half");
      assertEquals(await conn.read(new Uint8Array(8)), null);
      conn.close();
      await until(() => server.ring.total(EV_CLOSE) === 1, "CLOSE");
      assertEquals(
        names(kindsOf(server.ring.since(0), 1, new Set([EV_READ, EV_WRITE, EV_EOF, EV_CLOSE]))),
        ["READ", "WRITE", "EOF", "CLOSE"],
      );
    }));

  Deno.test(`${label}: a client that connects and leaves is ACCEPT, EOF, CLOSE`, () =>
    withServer(model, poller, async ({ server }) => {
      const conn = await connect(server.port);
      conn.close();
      await until(() => server.ring.total(EV_CLOSE) === 1, "CLOSE");
      assertEquals(
        names(kindsOf(server.ring.since(0), 1, new Set([EV_ACCEPT, EV_EOF, EV_CLOSE, EV_RESET]))),
        ["ACCEPT", "EOF", "CLOSE"],
      );
    }));

  Deno.test(`${label}: a client reset is a RESET event, and the server goes on serving`, () =>
    withServer(model, poller, async ({ server }) => {
      await resetAfterEcho(server.port);
      await until(() => server.ring.total(EV_CLOSE) === 1, "CLOSE");
      const kinds = kindsOf(server.ring.since(0), 1, new Set([EV_EOF, EV_RESET, EV_CLOSE]));
      assertEquals(names(kinds), ["RESET", "CLOSE"]);
      const next = await connect(server.port);
      assertEquals(await echo(next, "hello again"), "hello again");
      next.close();
    }));

  Deno.test(`${label}: each connection's events come in order`, () =>
    withServer(model, poller, async ({ server }) => {
      const conns = await Promise.all(Array.from({ length: 5 }, () => connect(server.port)));
      // one client at a time for the blocking model: the others wait in the backlog
      const serial = model === "blocking";
      const talk = async (conn: Deno.TcpConn, i: number) => {
        for (let m = 0; m < 3; m++) {
          assertEquals(await echo(conn, `hello ${i}.${m}`), `hello ${i}.${m}`);
        }
        conn.close();
      };
      if (serial) { for (const [i, c] of conns.entries()) await talk(c, i); }
      else await Promise.all(conns.map(talk));
      await until(() => server.ring.total(EV_CLOSE) === 5, "5 CLOSEs");
      const events = server.ring.since(0);
      const keep = new Set([EV_ACCEPT, EV_READ, EV_WRITE, EV_EOF, EV_CLOSE]);
      for (let id = 1; id <= 5; id++) {
        assertEquals(
          names(kindsOf(events, id, keep)),
          ["ACCEPT", "READ", "WRITE", "READ", "WRITE", "READ", "WRITE", "EOF", "CLOSE"],
          `connection #${id}`,
        );
      }
      // and times never go backwards
      for (let i = 1; i < events.length; i++) assert(events[i]!.atMs >= events[i - 1]!.atMs);
    }));
}

for (const { label, model, poller } of CASES) {
  Deno.test(`${label}: connections() lists the live connection with its peer and bytes`, () =>
    withServer(model, poller, async ({ server }) => {
      const conn = await connect(server.port);
      assertEquals(await echo(conn, "hello"), "hello");
      // the blocking server goes straight back to recv, waiting for more
      const last = model === "blocking" ? "BLOCKED" : "WRITE";
      await until(() => {
        const c = server.connections()[0];
        return c?.bytesOut === 5 && KIND_NAMES[c.lastEvent] === last;
      }, "the echo counted");
      const [info] = server.connections();
      assertEquals(info!.id, 1);
      assertEquals(info!.peer, `127.0.0.1:${conn.localAddr.port}`);
      assertEquals([info!.bytesIn, info!.bytesOut, info!.state], [5, 5, "open"]);
      if (model === "async") assert(info!.taskId > 0 && info!.fd === -1);
      else assert(info!.fd > 2 && info!.taskId === 0);
      conn.close();
      await until(() => server.connections().length === 0, "the connection gone");
    }));
}

Deno.test("async: a server waiting for clients (acceptor, idle connections) is not 'far longer than its peers'", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    const conns = await Promise.all([1, 2, 3, 4].map(() => connect(server.port)));
    for (let round = 0; round < 5; round++) {
      await Promise.all(conns.map((c, i) => echo(c, `hello ${i}`)));
    }
    // The connections' waits were a few ms each; the acceptor has waited since the last accept.
    await new Promise((r) => setTimeout(r, 1300));
    hub.scanWaits();
    const slow = hub.recentWarnings().filter((w) => w.kind === "slow-wait");
    assertEquals(slow.map((w) => w.taskName), []);
    for (const c of conns) c.close();
  }));

Deno.test("async: between round trips a connection's task waits in io(read), its next read already posted", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    const conn = await connect(server.port);
    assertEquals(await echo(conn, "hello 1"), "hello 1");
    await until(() => server.connections()[0]?.lastEvent === EV_WRITE, "the echo written");
    const task = hub.task(server.connections()[0]!.taskId)!;
    await until(() => task.stateText === "waiting(io:read)", "the task back in its wait");
    // messages of other lengths, sent before the previous echo is read: each comes back whole
    const texts = ["a", "hello 22", "bb", "a much longer message than the others"];
    for (const t of texts) await conn.write(new TextEncoder().encode(t));
    const all = texts.join("");
    assertEquals(new TextDecoder().decode(await readExact(conn, all.length)), all);
    conn.close();
  }));

Deno.test("async: a connection's task killed while its next read is posted ends cleanly; others go on", () =>
  withServer("async", undefined, async ({ hub, server }) => {
    const doomed = await connect(server.port);
    assertEquals(await echo(doomed, "hello 1"), "hello 1");
    await until(() => server.connections()[0]?.lastEvent === EV_WRITE, "the echo written");
    const info = server.connections()[0]!;
    assert(hub.kill(hub.task(info.taskId)!));
    await until(() => server.connections().length === 0, "the killed connection gone");
    const closed = kindsOf(server.ring.since(0), info.id, new Set([EV_CLOSE]));
    assertEquals(names(closed), ["CLOSE"]);
    // the client sees its socket closed, and a new client is served
    assertEquals(await doomed.read(new Uint8Array(8)), null);
    doomed.close();
    const other = await connect(server.port);
    assertEquals(await echo(other, "hello 2"), "hello 2");
    other.close();
  }));

Deno.test("async: the server's CPU is the time in its echoes' calls (a sample of them, scaled)", () =>
  withServer("async", undefined, async ({ server }) => {
    const conns = await Promise.all([1, 2, 3, 4].map(() => connect(server.port)));
    const started = performance.now();
    for (let round = 0; round < 300; round++) {
      await Promise.all(conns.map((c, i) => echo(c, `hello ${i}`)));
    }
    const elapsed = performance.now() - started;
    // 1 200 round trips, 3 timed calls each, one in 32 timed: about 110 samples
    assert(server.ring.busyMs > 0, "no busy time recorded");
    assert(server.ring.busyMs < elapsed, `busy ${server.ring.busyMs} ms in ${elapsed} ms`);
    for (const c of conns) c.close();
  }));
