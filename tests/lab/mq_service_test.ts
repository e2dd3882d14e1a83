/**
 * The lab service's mq part without a broker: no mq part before the first
 * `mq-*` command, a start before `mq-connect` says why, the log's page per
 * snapshot with the rest counted, ended actors kept to the last 20, and the
 * broker's errors as one line without a password.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { ActorLog, LOG_LINES_PER_SNAPSHOT } from "../../src/lab/mq/actor_log.ts";
import { BACKOFF_MAX_MS, backoffMs } from "../../src/lab/mq/actor.ts";
import { brokerErrorText, hidePassword } from "../../src/lab/mq/amqp.ts";
import { ENDED_KEPT } from "../../src/lab/mq_service.ts";
import { withService } from "./service_support.ts";

function refusedUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `amqp://guest:pw@127.0.0.1:${port}`;
}

Deno.test("no mq part before the first mq command; starting before mq-connect says why", async () => {
  await withService(async (service, send) => {
    assertEquals(service.snapshot().mq, undefined);
    const reply = await send({ type: "mq-subscribe", exchange: "amq.topic", keys: ["#"] });
    assertEquals([reply.ok, reply.message], [
      false,
      "no broker yet: the dashboard has not connected one",
    ]);
    const mq = service.snapshot().mq!;
    assertEquals([mq.url, mq.scenario, mq.actors, mq.rpc], [null, null, [], []]);
    const bad = await send({ type: "mq-connect", url: refusedUrl(), workScale: 0 });
    assertEquals([bad.ok, bad.message], [false, "work scale must be above 0, got 0"]);
  });
});

Deno.test("ended actors: the last 20 are kept, in start order", async () => {
  await withService(async (service, send) => {
    await send({ type: "mq-connect", url: refusedUrl(), workScale: 1 });
    for (let i = 0; i < ENDED_KEPT + 5; i++) {
      const reply = await send({ type: "mq-worker", queue: "q" });
      assertEquals(reply.ok, false);
    }
    const mq = service.snapshot().mq!;
    assertEquals(mq.actors.length, ENDED_KEPT);
    assertEquals(mq.actors[0]!.name, "worker-6");
    assertEquals(mq.actors.at(-1)!.name, `worker-${ENDED_KEPT + 5}`);
    assert(mq.actors.every((a) => a.state === "failed" && a.taskId === 0));
    assert(!JSON.stringify(mq).includes(":pw@"), "no password");
    assertEquals(mq.url?.includes("guest:***@"), true);
  });
});

Deno.test("the log: at most a page per snapshot, the rest counted as dropped", () => {
  const log = new ActorLog(() => 0);
  for (let i = 0; i < LOG_LINES_PER_SNAPSHOT + 30; i++) log.write("a", `line ${i}\nmore`);
  const page = log.take();
  assertEquals([page.lines.length, page.dropped], [LOG_LINES_PER_SNAPSHOT, 30]);
  assertEquals(page.lines[0]!.text, "line 30 more");
  assertEquals(page.lines[0]!.seq, 31);
  assertEquals(log.take(), { lines: [], dropped: 0 });
});

Deno.test("broker errors as one line; reconnect backoff doubles up to its cap", () => {
  assertEquals(
    brokerErrorText(
      new Error(
        `Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'x' in vhost '/'"`,
      ),
    ),
    "404 NOT_FOUND - no exchange 'x' in vhost '/'",
  );
  assertEquals(
    brokerErrorText(new Error("connect ECONNREFUSED 127.0.0.1:5672")),
    "connection refused (127.0.0.1:5672)",
  );
  assertEquals(brokerErrorText(new Error("bad amqp://u:secret@h/")), "bad amqp://u:***@h/");
  assertEquals(
    hidePassword("amqp://guest:guest@127.0.0.1:5672"),
    "amqp://guest:***@127.0.0.1:5672",
  );
  assertEquals([1, 2, 3, 4, 5, 6, 20].map(backoffMs), [
    200,
    400,
    800,
    1600,
    3200,
    BACKOFF_MAX_MS,
    BACKOFF_MAX_MS,
  ]);
});

Deno.test("options no actor can follow are refused in one line", async () => {
  await withService(async (_service, send) => {
    await send({ type: "mq-connect", url: refusedUrl(), workScale: 1 });
    const publish = (extra: { count?: number; ratePerS?: number }) =>
      send({ type: "mq-publish", options: { exchange: "", routingKey: "q", body: "x", ...extra } });
    assertEquals(
      (await publish({ count: 0 })).message,
      "count must be a whole number from 1, got 0",
    );
    assertEquals(
      (await publish({ count: 2.5 })).message,
      "count must be a whole number from 1, got 2.5",
    );
    assertEquals(
      (await publish({ ratePerS: -1 })).message,
      "rate must be above 0 and at most 100000/s, got -1",
    );
    const worker = await send({ type: "mq-worker", queue: "q", prefetch: -1 });
    assertEquals([worker.ok, worker.message], [
      false,
      "prefetch must be a whole number from 0, got -1",
    ]);
    const rpc = await send({ type: "mq-rpc", n: 1.5 });
    assertEquals([rpc.ok, rpc.message], [false, "fib(n) needs an integer n, got 1.5"]);
  });
});
