/**
 * Failures a person can act on come as one line, and none stops a server
 * that is running: port in use at start. (Running out of fds while running is
 * in `isolated_test.ts`: it needs a process of its own.)
 */
import { rejects } from "node:assert/strict";
import { Hub } from "../../../src/lab/hub.ts";
import { ServerStartError } from "../../../src/lab/sockets/server.ts";
import { startEchoServer } from "../../../src/lab/sockets/start_server.ts";
import { CASES, withServer } from "./helpers.ts";

for (const { label, model, poller } of CASES) {
  Deno.test(`${label}: a port in use is one line at start`, () =>
    withServer(model, poller, async ({ hub, server }) => {
      await rejects(
        startEchoServer(hub, { model, poller, port: server.port }),
        (e: unknown) =>
          e instanceof ServerStartError &&
          e.message ===
            `cannot listen on 127.0.0.1:${server.port}: port in use (try another --port)`,
      );
    }));
}

Deno.test("a bind address that is not IPv4 is one line", async () => {
  const hub = new Hub();
  try {
    await rejects(
      startEchoServer(hub, { model: "multiplexed", port: 0, bind: "nowhere" }),
      /cannot listen on nowhere: not an IPv4 address/,
    );
  } finally {
    hub.close();
  }
});
