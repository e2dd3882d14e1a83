/**
 * The blocking model really serves one connection at a time: a second client
 * waits in the kernel's listen backlog (not accepted, its bytes unanswered)
 * until the first one leaves.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  CALL_ACCEPT,
  CALL_RECV,
  EV_ACCEPT,
  EV_BLOCKED,
  EV_CLOSE,
  EV_READ,
  KIND_NAMES,
} from "../../../src/lab/sockets/event_ring.ts";
import { startLoad } from "../../../src/lab/sockets/load_client.ts";
import { connect, echo, readExact, until, withServer } from "./helpers.ts";

Deno.test("blocking: a second client waits in the backlog until the first leaves", () =>
  withServer("blocking", undefined, async ({ server }) => {
    const first = await connect(server.port);
    assertEquals(await echo(first, "hello 1"), "hello 1");
    const second = await connect(server.port); // the kernel completes the handshake
    await second.write(new TextEncoder().encode("hello 2"));
    // the first is still served while the second waits...
    assertEquals(await echo(first, "hello 1 again"), "hello 1 again");
    await until(
      () => server.ring.since(0).some((e) => e.kind === EV_BLOCKED && e.n === CALL_RECV),
      "BLOCKED recv",
    );
    assertEquals(server.ring.total(EV_ACCEPT), 1, "the second client was accepted too early");
    assertEquals(server.connections().map((c) => c.id), [1]);
    // ...and is answered only once the first has gone
    first.close();
    assertEquals(new TextDecoder().decode(await readExact(second, 7)), "hello 2");
    second.close();
    await until(() => server.ring.total(EV_CLOSE) === 2, "2 CLOSEs");
    const order = server.ring.since(0)
      .filter((e) => e.kind === EV_ACCEPT || e.kind === EV_CLOSE)
      .map((e) => `${KIND_NAMES[e.kind]} #${e.conn}`);
    assertEquals(order, ["ACCEPT #1", "CLOSE #1", "ACCEPT #2", "CLOSE #2"]);
    assertEquals(server.ring.maxOpen, 1);
  }));

Deno.test("blocking: 50 clients at once are served one after the other, never two at once", () =>
  withServer("blocking", undefined, async ({ hub, server }) => {
    const stats = await startLoad(hub, { port: server.port, connections: 50, rounds: 3 }).done();
    assertEquals(stats.errors, {});
    assertEquals(stats.roundTrips, 150);
    assertEquals(server.ring.maxOpen, 1);
    // between one connection's ACCEPT and CLOSE, no other connection does anything
    let current = 0;
    for (const e of server.ring.since(0)) {
      if (e.conn === 0) continue;
      if (e.kind === EV_ACCEPT) {
        assertEquals(current, 0, `#${e.conn} accepted while #${current} was open`);
        current = e.conn;
      } else assertEquals(e.conn, current, `#${e.conn} active while #${current} was served`);
      if (e.kind === EV_CLOSE) current = 0;
    }
    assert(server.ring.total(EV_READ) >= 150);
    // it waited in accept between clients
    assert(server.ring.since(0).some((e) => e.kind === EV_BLOCKED && e.n === CALL_ACCEPT));
  }));
