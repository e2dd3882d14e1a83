/**
 * Failures a person can act on come as one line, and none stops a server
 * that is running: port in use at start; too many open files (EMFILE) while
 * running, when the server says so and keeps serving the connections it has.
 */
import { deepStrictEqual as assertEquals, match as assertMatch, rejects } from "node:assert/strict";
import { Hub } from "../../../src/lab/hub.ts";
import { ServerStartError } from "../../../src/lab/sockets/server.ts";
import { startEchoServer } from "../../../src/lab/sockets/start_server.ts";
import { EV_ACCEPT } from "../../../src/lab/sockets/event_ring.ts";
import { CASES, connect, echo, until, withServer } from "./helpers.ts";

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

// the blocking model serves one client at a time: EMFILE would only delay the next
for (const { label, model, poller } of CASES.filter((c) => c.model !== "blocking")) {
  Deno.test({
    name: `${label}: out of fds (EMFILE), it says so and keeps serving its connections`,
    // select cannot watch fds past 1023, and this test opens fds up to the limit
    ignore: poller === "select",
    fn: () =>
      withServer(model, poller, async ({ server, notices }) => {
        const early = await connect(server.port);
        assertEquals(await echo(early, "hello early"), "hello early");
        const fillers: Deno.FsFile[] = [];
        try {
          for (;;) fillers.push(Deno.openSync("/dev/null"));
        } catch {
          // the table is full
        }
        // one fd free: the client's end takes it, the server's accept finds none
        fillers.pop()!.close();
        const late = await connect(server.port);
        try {
          await until(() => notices.some((l) => /too many open files/.test(l)), "the notice");
          assertEquals(await echo(early, "hello still"), "hello still");
        } finally {
          for (const f of fillers) f.close();
        }
        assertMatch(notices.find((l) => /too many/.test(l))!, /raise 'ulimit -n'/);
        // once fds are free again, the waiting client gets in
        assertEquals(await echo(late, "hello late"), "hello late");
        assertEquals(server.ring.total(EV_ACCEPT), 2);
        early.close();
        late.close();
      }),
  });
}
