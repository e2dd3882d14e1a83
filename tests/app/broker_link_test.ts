/**
 * The broker link against a real embedded broker on free ports: up with the
 * server's product and version, `reconnecting in Ns` once the broker goes
 * away, up again when it returns, the management API read meanwhile.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { backoffS, startBrokerLink } from "../../src/app/broker_link.ts";
import type { BrokerStatus } from "../../src/app/broker_status.ts";
import { startBroker } from "../../src/broker/server.ts";

Deno.test("backoffS(): doubling from 1 s, capped at 15 s", () => {
  assertEquals([1, 2, 3, 4, 5, 6, 50].map(backoffS), [1, 2, 4, 8, 15, 15, 15]);
});

Deno.test({
  name:
    "the link: up with product and version, reconnecting when the broker stops, up when it returns",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    const port = broker.port;
    const httpPort = broker.management!.port;
    const statuses: BrokerStatus[] = [];
    let waiter: { ok: (s: BrokerStatus) => boolean; resolve: () => void } | undefined;
    const until = (ok: (s: BrokerStatus) => boolean) =>
      new Promise<void>((resolve) => {
        if (statuses.some(ok)) resolve();
        else waiter = { ok, resolve };
      });
    const link = startBrokerLink({
      kind: "external",
      amqpUrl: `amqp://guest:guest@127.0.0.1:${port}`,
      mgmtUrl: `http://guest:guest@127.0.0.1:${httpPort}`,
      onStatus: (s) => {
        statuses.push(s);
        if (waiter?.ok(s)) waiter.resolve();
      },
    });
    try {
      await until((s) => s.amqp.state === "up" && s.mgmt.state === "ok");
      const up = statuses.at(-1)!;
      assertEquals([up.product, up.version], ["warren", "0.1.0"]);
      statuses.length = 0;
      await broker.close();
      await until((s) => s.amqp.state === "reconnecting");
      const lost = statuses.find((s) => s.amqp.state === "reconnecting")!;
      assertEquals(lost.amqp.state === "reconnecting" && lost.amqp.inS, 1);
      // Back on the same ports: the link finds it again by itself.
      statuses.length = 0;
      broker = await startBroker({ port, httpPort, log: () => {} });
      await until((s) => s.amqp.state === "up" && s.mgmt.state === "ok");
    } finally {
      await link.close();
      await broker.close();
    }
    assert(statuses.every((s) => !JSON.stringify(s).includes("guest:guest")));
  },
});
