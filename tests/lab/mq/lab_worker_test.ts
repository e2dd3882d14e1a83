/**
 * The actors in the real lab Worker (as the dashboard runs them): amqplib
 * inside the Worker, the rpc scenario answering fib(30) in a snapshot, the
 * actors as tasks of the Coroutines panel, and `shutdown` closing their
 * connections before the Worker goes.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startBroker } from "../../../src/broker/server.ts";
import type { HubSnapshot, LabCommand, LabMessage } from "../../../src/lab/protocol.ts";
import { waitFor } from "./support.ts";

Deno.test({
  name: "[embedded] the lab Worker runs the rpc scenario: fib(30) in a snapshot, actors as tasks",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const broker = await startBroker({ port: 0, hostname: "127.0.0.1" });
    const worker = new Worker(new URL("../../../src/lab/worker.ts", import.meta.url).href, {
      type: "module",
    });
    const messages: LabMessage[] = [];
    worker.onmessage = (event: MessageEvent<LabMessage>) => messages.push(event.data);
    const send = (command: LabCommand) => worker.postMessage(command);
    const snapshots = () =>
      messages.flatMap((m): HubSnapshot[] => m.type === "snapshot" ? [m.snapshot] : []);
    try {
      await waitFor(() => messages.some((m) => m.type === "hello"), "hello", 30_000);
      send({ type: "mq-connect", url: broker.url, workScale: 0.01 });
      send({ type: "mq-scenario", name: "rpc" });
      const answered = await waitFor(
        () => snapshots().find((s) => s.mq?.rpc.some((c) => c.answer === "832040")),
        "fib(30) answered in a snapshot",
        10_000,
      );
      assertEquals(answered.mq!.url, broker.url.replace(":guest@", ":***@"));
      assertEquals(answered.mq!.scenario, "rpc");
      const replies = messages.flatMap((m) => m.type === "reply" ? [m] : []);
      assert(replies.every((r) => r.ok), JSON.stringify(replies));
      const tasks = answered.window.rows.map((r) => `${r.name} ${r.group}`);
      assert(tasks.includes("rpc-server-1 mq-rpc-server"), tasks.join(", "));
      assert(tasks.includes("rpc-client-1 mq-rpc-client"), tasks.join(", "));
      assertEquals(broker.core.connections.size, 2);
      send({ type: "shutdown" });
      await waitFor(
        () => messages.some((m) => m.type === "reply" && m.command === "shutdown"),
        "shutdown",
        10_000,
      );
      await waitFor(() => broker.core.connections.size === 0, "the actors' connections closed");
    } finally {
      worker.terminate();
      await broker.close();
    }
  },
});
