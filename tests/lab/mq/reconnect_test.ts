/**
 * Actors across a broker restart: an embedded broker in a process of its
 * own runs the fanout scenario; it is stopped (its clients get 320
 * CONNECTION_FORCED) and started again on the same port. The actors go
 * `reconnecting`, then declare `logs` and their queues again and carry on:
 * the publisher continues its numbering, a subscriber receives again. One
 * stopped while it waits to reconnect stops at once and stays stopped.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { MqSnapshot } from "../../../src/lab/protocol.ts";
import { spawnBroker } from "../../broker/support/broker_process.ts";
import { runLab } from "./support.ts";

const states = (mq: MqSnapshot) => mq.actors.map((a) => a.state);

Deno.test({
  name: "[embedded process] actors reconnect after a broker restart and re-declare their topology",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    let broker = await spawnBroker([]);
    const port = broker.port;
    try {
      await runLab("embedded", broker.url, async (lab) => {
        const reply = await lab.send({ type: "mq-scenario", name: "fanout" });
        assert(reply.ok, reply.message);
        let mq = await lab.until(
          (m) => m.actors.every((a) => a.received >= 2 || a.confirmed >= 4),
          "the scenario flows",
        );
        await broker.stop();
        mq = await lab.until(
          (m) => states(m).every((s) => s === "reconnecting"),
          "every actor reconnecting",
        );
        // a stop while reconnecting ends the actor at once
        const stopped = await lab.send({ type: "mq-stop", name: "subscriber-2" });
        assert(stopped.ok, stopped.message);
        mq = lab.mq();
        assertEquals(states(mq), ["reconnecting", "stopped", "reconnecting"]);
        const before = mq.actors.map((a) => a.received + a.published);
        broker = await spawnBroker(["--port", String(port)]);
        assertEquals(broker.port, port);
        mq = await lab.until(
          (m) =>
            states(m).join() === "running,stopped,running" &&
            [0, 2].every((i) => m.actors[i]!.received + m.actors[i]!.published >= before[i]! + 4),
          "the others running and flowing again",
          15_000,
        );
        const lines = lab.lines.map((l) => `${l.actor}: ${l.text}`);
        for (const actor of ["subscriber-1", "subscriber-2", "publisher-1"]) {
          assert(
            lines.some((l) => l.startsWith(`${actor}: connection lost: 320`)),
            lines.join("\n"),
          );
        }
        for (const actor of ["subscriber-1", "publisher-1"]) {
          assert(lines.some((l) => l.startsWith(`${actor}: reconnected`)), actor);
        }
        assert(!lines.some((l) => l.startsWith(`subscriber-2: reconnected`)));
        // the publisher carried on where it was: no number twice
        const numbers = lab.lines.filter((l) =>
          l.actor === "publisher-1" && / published$/.test(l.text)
        )
          .map((l) => Number(/^#(\d+)/.exec(l.text)![1]));
        assertEquals(numbers, numbers.map((_, i) => i + 1));
      }, { workScale: 0.1 });
    } finally {
      await broker.stop();
    }
  },
});
