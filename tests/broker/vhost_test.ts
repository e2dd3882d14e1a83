import { deepStrictEqual as assertEquals, ok as assert, throws } from "node:assert/strict";
import { AmqpError, scopeOf } from "../../src/broker/errors.ts";
import type { Message, QueuedMessage } from "../../src/broker/message.ts";
import type { Queue, QueueConsumer } from "../../src/broker/queue.ts";
import { Vhost } from "../../src/broker/vhost.ts";
import { FakeTimers } from "./support/fake_timers.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
function msg(body: string, props: Message["properties"] = {}, routingKey = "k"): Message {
  return { exchange: "", routingKey, properties: props, body: enc.encode(body) };
}
function bodies(q: Queue): string[] {
  return [...q.readyMessages()].map((e) => dec.decode(e.message.body));
}
function publish(v: Vhost, x: string, key: string, m: Message = msg("m", {}, key)): string[] {
  const queues = v.route(v.publishTarget(x), key, m.properties.headers);
  for (const q of queues) q.enqueue(m);
  return [...queues].map((q) => q.name).sort();
}
function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof AmqpError) return e.code;
    throw e;
  }
  return 0;
}

class TestConsumer implements QueueConsumer {
  got: QueuedMessage[] = [];
  cancelled = false;
  constructor(readonly tag: string, public limit = Infinity, readonly noAck = false) {}
  readonly exclusive = false;
  readonly priority = 0;
  canAccept = () => this.got.length < this.limit;
  deliver = (e: QueuedMessage) => void this.got.push(e);
  cancelledByQueue = () => void (this.cancelled = true);
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("scopeOf() closes the channel for soft codes and the connection for hard ones", () => {
  assertEquals([311, 312, 403, 404, 405, 406].map(scopeOf), Array(6).fill("channel"));
  assertEquals(
    [320, 501, 502, 503, 504, 505, 506, 530, 540, 541].map(scopeOf),
    Array(10).fill("connection"),
  );
});

Deno.test("Vhost routes by exchange type: default, direct, fanout, topic, headers", () => {
  const v = new Vhost("/");
  for (const n of ["a", "b", "c"]) v.declareQueue(n, {}, undefined);
  assertEquals(publish(v, "", "a"), ["a"]);
  assertEquals(publish(v, "", "nope"), []);
  v.bindQueue({ queue: "a", exchange: "amq.direct", routingKey: "red" }, undefined);
  v.bindQueue({ queue: "b", exchange: "amq.direct", routingKey: "blue" }, undefined);
  assertEquals(publish(v, "amq.direct", "red"), ["a"]);
  v.bindQueue({ queue: "a", exchange: "amq.fanout" }, undefined);
  v.bindQueue({ queue: "c", exchange: "amq.fanout", routingKey: "ignored" }, undefined);
  assertEquals(publish(v, "amq.fanout", "x"), ["a", "c"]);
  v.bindQueue({ queue: "a", exchange: "amq.topic", routingKey: "*.orange.*" }, undefined);
  v.bindQueue({ queue: "b", exchange: "amq.topic", routingKey: "lazy.#" }, undefined);
  v.bindQueue({ queue: "c", exchange: "amq.topic", routingKey: "*.*.rabbit" }, undefined);
  assertEquals(publish(v, "amq.topic", "lazy.orange.rabbit"), ["a", "b", "c"]);
  assertEquals(publish(v, "amq.topic", "lazy"), ["b"]);
  v.bindQueue({
    queue: "a",
    exchange: "amq.match",
    arguments: { "x-match": "all", f: "pdf", t: "report" },
  }, undefined);
  v.bindQueue({
    queue: "b",
    exchange: "amq.match",
    arguments: { "x-match": "any", f: "pdf", t: "log" },
  }, undefined);
  const h = (headers: Record<string, unknown>) =>
    publish(v, "amq.match", "", msg("h", { headers }));
  assertEquals(h({ f: "pdf", t: "report" }), ["a", "b"]);
  assertEquals(h({ f: "zip", t: "log" }), ["b"]);
  assertEquals(h({ f: "zip" }), []);
});

Deno.test("Vhost follows exchange-to-exchange bindings and alternate exchanges once", () => {
  const v = new Vhost("/");
  v.declareQueue("q", {}, undefined);
  v.declareQueue("lost", {}, undefined);
  v.declareExchange("ae", "fanout");
  v.bindQueue({ queue: "lost", exchange: "ae" }, undefined);
  v.declareExchange("front", "direct", { arguments: { "alternate-exchange": "ae" } });
  v.declareExchange("back", "fanout");
  v.bindExchange({ destination: "back", source: "front", routingKey: "k" });
  v.bindExchange({ destination: "front", source: "back" }); // a cycle must not loop
  v.bindQueue({ queue: "q", exchange: "back" }, undefined);
  assertEquals(publish(v, "front", "k"), ["q"]);
  assertEquals(publish(v, "front", "other"), ["lost"]);
  v.unbindExchange({ destination: "back", source: "front", routingKey: "k" });
  assertEquals(publish(v, "front", "k"), ["lost"]);
});

Deno.test("Vhost refuses what RabbitMQ refuses, with its codes and texts", () => {
  const v = new Vhost("/");
  assertEquals(code(() => v.declareExchange("", "direct")), 403);
  assertEquals(code(() => v.declareExchange("amq.foo", "direct")), 403);
  assertEquals(code(() => v.declareExchange("x", "nonsense")), 503);
  assertEquals(code(() => v.declareExchange("x", "direct", { passive: true })), 404);
  v.declareExchange("x", "direct");
  assertEquals(code(() => v.declareExchange("x", "fanout")), 406);
  assertEquals(code(() => v.declareExchange("x", "direct", { durable: true })), 406);
  assertEquals(code(() => v.deleteExchange("amq.direct")), 403);
  assertEquals(code(() => v.declareQueue("nope", { passive: true }, undefined)), 404);
  assertEquals(code(() => v.declareQueue("amq.q", {}, undefined)), 403);
  const owner = {};
  v.declareQueue("mine", { exclusive: true }, owner);
  assertEquals(code(() => v.declareQueue("mine", { exclusive: true }, {})), 405);
  assertEquals(code(() => v.declareQueue("mine", { passive: true }, {})), 405);
  v.declareQueue("q", { arguments: { "x-message-ttl": 100 } }, undefined);
  assertEquals(code(() => v.declareQueue("q", {}, undefined)), 406);
  assertEquals(code(() => v.declareQueue("q", { durable: true }, undefined)), 406);
  assertEquals(
    code(() => v.bindQueue({ queue: "q", exchange: "", routingKey: "q" }, undefined)),
    403,
  );
  assertEquals(
    code(() => v.bindQueue({ queue: "q", exchange: "nope", routingKey: "k" }, undefined)),
    404,
  );
  assertEquals(
    code(() => v.bindQueue({ queue: "nope", exchange: "x", routingKey: "k" }, undefined)),
    404,
  );
  assertEquals(
    code(() => v.declareQueue("t", { arguments: { "x-queue-type": "weird" } }, undefined)),
    406,
  );
  assertEquals(
    code(() => v.declareQueue("t", { arguments: { "x-max-priority": 300 } }, undefined)),
    406,
  );
  assertEquals(code(() => v.declareQueue("t", { arguments: { "x-expires": 0 } }, undefined)), 406);
  v.bindQueue({ queue: "q", exchange: "x", routingKey: "k" }, undefined);
  assertEquals(code(() => v.deleteExchange("x", { ifUnused: true })), 406);
  throws(() => v.declareQueue("nope", { passive: true }, undefined), {
    message: "NOT_FOUND - no queue 'nope' in vhost '/'",
  });
  throws(() => v.declareQueue("q", {}, undefined), {
    message:
      "PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'q' in vhost '/': received none but current is the value '100' of type 'byte'",
  });
  v.ownerClosed(owner);
  assert(!v.queues.has("mine"));
});

Deno.test("Queue names server-generated queues amq.gen- and deletes them with counts", () => {
  const v = new Vhost("/");
  const { queue } = v.declareQueue("", { exclusive: true }, {});
  assert(/^amq\.gen-[A-Za-z0-9_-]{22}$/.test(queue.name), queue.name);
  v.declareQueue("d", {}, undefined);
  publish(v, "", "d");
  publish(v, "", "d");
  assertEquals(code(() => v.deleteQueue("d", { ifEmpty: true }, undefined)), 406);
  assertEquals(v.deleteQueue("d", {}, undefined), 2);
  assertEquals(v.deleteQueue("d", {}, undefined), 0);
});

Deno.test("Queue delivers round-robin within each consumer's limit and requeues in order", async () => {
  const v = new Vhost("/");
  const { queue } = v.declareQueue("rr", {}, undefined);
  const a = new TestConsumer("a", 2), b = new TestConsumer("b", 1);
  queue.addConsumer(a);
  queue.addConsumer(b);
  for (let i = 0; i < 5; i++) publish(v, "", "rr", msg(String(i)));
  await tick();
  assertEquals(a.got.map((e) => dec.decode(e.message.body)), ["0", "2"]);
  assertEquals(b.got.map((e) => dec.decode(e.message.body)), ["1"]);
  assertEquals(bodies(queue), ["3", "4"]);
  queue.removeConsumer(a);
  queue.requeue(a.got);
  assertEquals(bodies(queue), ["0", "2", "3", "4"]);
  assert([...queue.readyMessages()][0]!.redelivered);
  assertEquals(queue.unackedCount, 1);
});

Deno.test("Queue expires messages by x-message-ttl and expiration and dead-letters them with x-death", () => {
  const timers = new FakeTimers();
  const v = new Vhost("/", { timers });
  v.declareQueue("dlq", {}, undefined);
  const { queue } = v.declareQueue("src", {
    arguments: {
      "x-message-ttl": 1000,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "dlq",
    },
  }, undefined);
  publish(v, "", "src", msg("a", { expiration: "100", headers: { keep: 1 } }, "src"));
  publish(v, "", "src", msg("b", {}, "src"));
  timers.advance(150);
  assertEquals(bodies(queue), ["b"]);
  timers.advance(1000);
  assertEquals(bodies(queue), []);
  const dead = [...v.queues.get("dlq")!.readyMessages()].map((e) => e.message);
  assertEquals(dead.map((m) => dec.decode(m.body)), ["a", "b"]);
  const h = dead[0]!.properties.headers!;
  assertEquals(h["keep"], 1);
  assertEquals(dead[0]!.properties.expiration, undefined);
  assertEquals(dead[0]!.routingKey, "dlq");
  const death = (h["x-death"] as Record<string, unknown>[])[0]!;
  assertEquals(
    [
      death["reason"],
      death["queue"],
      death["exchange"],
      death["routing-keys"],
      death["original-expiration"],
    ],
    ["expired", "src", "", ["src"], "100"],
  );
  assertEquals([h["x-first-death-reason"], h["x-first-death-queue"]], ["expired", "src"]);
});

Deno.test("Queue x-max-length drops the head (to the DLX) or rejects publishes", () => {
  const v = new Vhost("/");
  v.declareQueue("dlq", {}, undefined);
  const { queue: head } = v.declareQueue("head", {
    arguments: {
      "x-max-length": 2,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": "dlq",
    },
  }, undefined);
  for (const b of ["1", "2", "3"]) head.enqueue(msg(b));
  assertEquals(bodies(head), ["2", "3"]);
  assertEquals(bodies(v.queues.get("dlq")!), ["1"]);
  const { queue: rej } = v.declareQueue("rej", {
    arguments: { "x-max-length-bytes": 4, "x-overflow": "reject-publish" },
  }, undefined);
  assertEquals(["ab", "cd", "e"].map((b) => rej.enqueue(msg(b))), ["queued", "queued", "rejected"]);
});

Deno.test("Queue with x-max-priority delivers higher priorities first", () => {
  const v = new Vhost("/");
  const { queue } = v.declareQueue("p", { arguments: { "x-max-priority": 5 } }, undefined);
  queue.enqueue(msg("low"));
  queue.enqueue(msg("high", { priority: 9 }));
  queue.enqueue(msg("mid", { priority: 3 }));
  assertEquals(["high", "mid", "low"].map(() => dec.decode(queue.get(true)!.entry.message.body)), [
    "high",
    "mid",
    "low",
  ]);
});

Deno.test("Queue x-expires and auto-delete remove unused queues and cancel consumers on delete", () => {
  const timers = new FakeTimers();
  const v = new Vhost("/", { timers });
  v.declareQueue("idle", { arguments: { "x-expires": 500 } }, undefined);
  timers.advance(499);
  assert(v.queues.has("idle"));
  timers.advance(1);
  assert(!v.queues.has("idle"));
  const { queue } = v.declareQueue("auto", { autoDelete: true }, undefined);
  const c = new TestConsumer("c");
  queue.addConsumer(c);
  queue.removeConsumer(c);
  assert(!v.queues.has("auto"));
  const { queue: q2 } = v.declareQueue("gone", {}, undefined);
  const c2 = new TestConsumer("c2");
  q2.addConsumer(c2);
  v.deleteQueue("gone", {}, undefined);
  assert(c2.cancelled);
});

Deno.test("Dead-lettering back into the same queue on expiry is dropped as a cycle", () => {
  const timers = new FakeTimers();
  const v = new Vhost("/", { timers });
  const { queue } = v.declareQueue("loop", {
    arguments: { "x-message-ttl": 10, "x-dead-letter-exchange": "" },
  }, undefined);
  queue.enqueue(msg("x", {}, "loop"));
  timers.advance(50);
  assertEquals(queue.messageCount, 0);
});
