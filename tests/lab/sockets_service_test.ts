/**
 * The lab service's sockets commands, driven as the Worker drives them, with
 * real servers on port 0: replies, the bounded sockets part of snapshots,
 * the event filter, and a stop that ends everything.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { LabService } from "../../src/lab/lab_service.ts";
import type { SocketsSnapshot } from "../../src/lab/protocol.ts";
import { EVENTS_PER_SNAPSHOT } from "../../src/lab/sockets_service.ts";
import { until } from "./sockets/helpers.ts";
import { withService } from "./service_support.ts";

function sockets(service: LabService): SocketsSnapshot {
  const part = service.snapshot().sockets;
  assert(part !== undefined, "the snapshot has a sockets part");
  return part;
}

Deno.test("snapshots carry no sockets part until a server starts", async () => {
  await withService(async (service) => {
    assertEquals(service.snapshot().sockets, undefined);
    await Promise.resolve();
  });
});

Deno.test("serve, load, events and connections in the snapshot, then stop closes everything", async () => {
  await withService(async (service, send) => {
    const served = await send({ type: "serve", model: "async", port: 0 });
    assert(served.ok, served.message);
    assertMatch(served.message, /^serving async on 127\.0\.0\.1:\d+$/);
    const first = sockets(service);
    assertEquals(first.servers.length, 1);
    assertEquals(first.shown, first.servers[0]!.name);

    const load = await send({ type: "load", connections: 20 });
    assert(load.ok, load.message);
    let seen: SocketsSnapshot = first;
    const kinds = new Set<string>();
    await until(() => {
      seen = sockets(service);
      for (const e of seen.events.rows) kinds.add(e.kind);
      return seen.connections.total === 20 && kinds.has("READ") && kinds.has("ACCEPT");
    }, "20 connections echoing");
    assertEquals(seen.connections.rows.length, 20);
    assert(seen.connections.rows.every((c) => c.taskId > 0), "async connections have tasks");
    assert(seen.load !== null && seen.load.connections === 20);
    assert(seen.perSecond.seconds.length > 0);
    assert(seen.perSecond.seconds.at(-1)!.length === seen.perSecond.kinds.length);

    // only the window asked for travels, whatever the number of connections
    assert((await send({ type: "sockets-view", view: { offset: 10, limit: 5 } })).ok);
    const window = sockets(service).connections;
    assertEquals([window.total, window.offset, window.rows.length], [20, 10, 5]);

    const stopped = await send({ type: "stop-socket" });
    assert(stopped.ok, stopped.message);
    assertMatch(stopped.message, /stopped 1 server and the load/);
    const after = sockets(service);
    assertEquals(after.servers, []);
    assertEquals(after.connections.total, 0);
  });
});

Deno.test("the event filter keeps only the kinds and connection asked for, at most a page a snapshot", async () => {
  await withService(async (service, send) => {
    assert((await send({ type: "serve", model: "async", port: 0 })).ok);
    assert((await send({ type: "sockets-view", view: { kinds: ["WRITE"], conn: 3 } })).ok);
    assert((await send({ type: "load", connections: 50 })).ok);
    const rows: SocketsSnapshot["events"]["rows"] = [];
    await until(() => {
      const part = sockets(service);
      assert(part.events.rows.length <= EVENTS_PER_SNAPSHOT);
      rows.push(...part.events.rows);
      return rows.length >= 3;
    }, "connection 3's writes");
    assert(rows.every((e) => e.kind === "WRITE" && e.conn === 3), JSON.stringify(rows));
  });
});

Deno.test("a command that cannot be done replies with one line", async () => {
  await withService(async (service, send) => {
    const noServer = await send({ type: "load", connections: 10 });
    assertEquals([noServer.ok, noServer.message], [false, "no server running: :serve MODEL first"]);
    const badModel = await send({ type: "serve", model: "fast" });
    assertEquals(badModel.ok, false);
    assertMatch(badModel.message, /^no model 'fast' \(models: blocking, nonblocking/);
    const first = await send({ type: "serve", model: "async", port: 0 });
    const port = Number(first.message.split(":").at(-1));
    const taken = await send({ type: "serve", model: "async", port });
    assertEquals(taken.ok, false);
    assertMatch(taken.message, /port in use/);
    const unknown = await send({ type: "stop-socket", name: "nonblocking" });
    assertMatch(unknown.message, /^no server 'nonblocking' \(running: async:\d+\)$/);
    assertEquals(sockets(service).servers.length, 1);
  });
});
