/**
 * The actors' connections as the management API shows them, on the
 * embedded broker and RabbitMQ: each is named `warren <actor>` with
 * heartbeats of 10 s, and when
 * the broker closes them (the API's "force close", as an operator does) the
 * actors reconnect and flow again.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { mqTest, waitFor } from "./support.ts";

interface ConnectionJson {
  name: string;
  /** The negotiated heartbeat (s). */
  timeout: number;
  client_properties: { connection_name?: string };
}

mqTest(
  "each actor's connection is named warren NAME; force-closed, they reconnect",
  async (lab) => {
    const reply = await lab.send({ type: "mq-scenario", name: "fanout" });
    assert(reply.ok, reply.message);
    const path = `vhosts/${encodeURIComponent(lab.vhost)}/connections`;
    const ours = async () =>
      ((await lab.api("GET", path)) as ConnectionJson[])
        .filter((c) => c.client_properties.connection_name?.startsWith("warren "));
    // RabbitMQ's API lists a connection a little after it opens
    const connections = await waitFor(
      async () => {
        lab.mq(); // keeps reading the log, so no line is dropped meanwhile
        const list = await ours();
        return list.length === 3 && list;
      },
      "three named connections",
      10_000,
    );
    assertEquals(
      connections.map((c) => c.client_properties.connection_name).sort(),
      ["warren publisher-1", "warren subscriber-1", "warren subscriber-2"],
    );
    // heartbeats on: a broker that vanishes without a close is noticed
    assertEquals(connections.map((c) => c.timeout), [10, 10, 10]);
    const before = lab.mq().actors.map((a) => a.received + a.published);
    for (const c of connections) {
      await lab.api(
        "DELETE",
        `connections/${encodeURIComponent(c.name)}`,
      );
    }
    await lab.until(
      (mq) =>
        mq.actors.every((a, i) =>
          a.state === "running" && a.received + a.published >= before[i]! + 3
        ),
      "every actor running and flowing again",
    );
    const lost = lab.lines.filter((l) => /^connection lost: 320 CONNECTION_FORCED/.test(l.text));
    assertEquals(lost.map((l) => l.actor).sort(), ["publisher-1", "subscriber-1", "subscriber-2"]);
  },
  { workScale: 0.1 },
);
