/**
 * The RPC scenario and `mq-rpc`, on the embedded broker and RabbitMQ:
 * fib(30) = 832040 (the lesson's call), fib(90) exact, 91 and bodies that
 * are not numbers get error replies (the server keeps serving), and a reply
 * with an unknown correlation id is ignored and logged.
 */
import { Buffer } from "node:buffer";
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { fib } from "../../../src/lab/mq/fib.ts";
import type { MqSnapshot, RpcCallRow } from "../../../src/lab/protocol.ts";
import { openClient } from "../../broker/support/amqplib.ts";
import { mqTest } from "./support.ts";

function call(mq: MqSnapshot, n: number): RpcCallRow | undefined {
  return mq.rpc.findLast((c) => c.n === n && c.state !== "waiting");
}

Deno.test("fib is exact up to 90 (BigInt)", () => {
  assertEquals([fib(0), fib(1), fib(2), fib(30)], [0n, 1n, 1n, 832040n]);
  assertEquals(fib(90), 2880067194370816120n);
});

mqTest("rpc: fib(30) answers 832040, 90 exactly, 91 an error reply", async (lab) => {
  const reply = await lab.send({ type: "mq-scenario", name: "rpc" });
  assert(reply.ok, reply.message);
  let mq = await lab.until((m) => call(m, 30), "fib(30) answered");
  const first = call(mq, 30)!;
  assertEquals([first.state, first.answer], ["answered", "832040"]);
  assert(first.latencyMs !== null && first.latencyMs >= 0);
  assertMatch(first.correlationId, /^[0-9a-f-]{36}$/);

  for (const n of [90, 91]) {
    const r = await lab.send({ type: "mq-rpc", n });
    assertEquals([r.ok, r.message], [true, `rpc-client-1: called fib(${n})`]);
  }
  mq = await lab.until((m) => call(m, 90) && call(m, 91), "fib(90) and fib(91) answered");
  assertEquals([call(mq, 90)!.state, call(mq, 90)!.answer], ["answered", "2880067194370816120"]);
  assertEquals([call(mq, 91)!.state, call(mq, 91)!.answer], ["error", "n must be 0 to 90, got 91"]);
  const server = mq.actors.find((a) => a.name === "rpc-server-1")!;
  assertEquals([server.state, server.received, server.acked], ["running", 3, 3]);
});

mqTest("rpc: bodies that are not numbers get error replies; nothing is executed", async (lab) => {
  const started = await lab.send({ type: "mq-rpc-server" });
  assert(started.ok, started.message);
  const client = await openClient(lab.url, {});
  try {
    const ch = await client.channel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    const replies: { id: string; body: string }[] = [];
    await ch.consume(queue, (m) => {
      if (m) replies.push({ id: String(m.properties.correlationId), body: m.content.toString() });
    }, { noAck: true });
    const bodies = ["$(touch /tmp/warren-pwned)", "2.5", "-1", "", "12"];
    for (const [i, body] of bodies.entries()) {
      ch.sendToQueue("rpc_queue", Buffer.from(body), { replyTo: queue, correlationId: `c${i}` });
    }
    await lab.until(() => replies.length === bodies.length, "every request answered");
    assertEquals(replies.map((r) => r.id), ["c0", "c1", "c2", "c3", "c4"]);
    assertEquals(replies.slice(0, 4).map((r) => r.body.startsWith("error: ")), [
      true,
      true,
      true,
      true,
    ]);
    assertEquals(replies[4]!.body, "144");
    assertEquals(lab.mq().actors[0]!.state, "running");
  } finally {
    await client.close();
  }
});

mqTest("rpc: a reply with an unknown correlation id is ignored and logged", async (lab) => {
  const reply = await lab.send({ type: "mq-scenario", name: "rpc" });
  assert(reply.ok, reply.message);
  let mq = await lab.until((m) => call(m, 30), "fib(30) answered");
  const clientRow = mq.actors.find((a) => a.kind === "rpc-client")!;
  const callbackQueue = /reply_to (\S+),/.exec(clientRow.summary)?.[1];
  assert(callbackQueue !== undefined, clientRow.summary);
  const client = await openClient(lab.url, {});
  try {
    const ch = await client.channel();
    ch.sendToQueue(callbackQueue, Buffer.from("999"), { correlationId: "not-one-of-mine" });
    await lab.until(
      () =>
        lab.lines.some((l) => /id=not-one-of-mine: unknown correlation id, ignored/.test(l.text)),
      "the stray reply logged as ignored",
    );
    mq = lab.mq();
    assertEquals(mq.rpc.map((c) => [c.n, c.answer]), [[30, "832040"]]);
  } finally {
    await client.close();
  }
});

mqTest(
  "rpc: a call with no server comes back unroutable; the call says to start the server",
  async (lab) => {
    const reply = await lab.send({ type: "mq-rpc", n: 5 });
    assert(reply.ok, reply.message);
    const mq = await lab.until((m) => call(m, 5), "the call settled");
    assertEquals([call(mq, 5)!.state, call(mq, 5)!.answer], [
      "error",
      "no rpc_queue: start the RPC server",
    ]);
    assertEquals(mq.actors[0]!.returned, 1);
  },
);
