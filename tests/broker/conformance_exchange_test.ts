/**
 * Conformance: exchanges, bindings, topic and headers routing, as RabbitMQ
 * 3.10 does them. Every case runs against the embedded broker and
 * RABBITMQ_URL.
 */
import assert from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";
import { bodies, drain, msg } from "./support/messages.ts";
import { expectChannelClosed, expectCode, expectConnectionClosed } from "./support/expectations.ts";

forEachBroker("the default exchange routes to every queue by its name", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  ch.publish("", q, msg("hello"));
  ch.publish("", t.name("nobody"), msg("lost"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["hello"]);
});

forEachBroker(
  "the default exchange cannot be bound, unbound, declared or deleted (403)",
  async (t) => {
    const c = await t.open();
    const q = t.queue();
    await (await c.channel()).assertQueue(q);
    const attempts: [string, (ch: Awaited<ReturnType<typeof c.channel>>) => Promise<unknown>][] = [
      ["bind", (ch) => ch.bindQueue(q, "", "key")],
      ["unbind", (ch) => ch.unbindQueue(q, "", q)],
      ["declare", (ch) => ch.assertExchange("", "direct")],
      ["declare passive", (ch) => ch.checkExchange("")],
      ["delete", (ch) => ch.deleteExchange("")],
    ];
    for (const [what, attempt] of attempts) {
      await t.step(what, async () => {
        const ch = await c.channel();
        await expectCode(attempt(ch), 403).catch((e) => {
          throw new Error(`${what}: ${e.message}`);
        });
        await expectChannelClosed(ch, 403);
      });
    }
  },
);

forEachBroker("the amq.* exchanges exist with their types", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const types: Record<string, string> = {
    "amq.direct": "direct",
    "amq.fanout": "fanout",
    "amq.topic": "topic",
    "amq.headers": "headers",
    "amq.match": "headers",
  };
  for (const [name, type] of Object.entries(types)) {
    await t.step(name, async () => {
      await ch.checkExchange(name);
      // Redeclaring with the same properties is not an error for amq.* ...
      await ch.assertExchange(name, type, { durable: true });
    });
  }
  // ... but with another type it is a mismatch.
  await expectCode(ch.assertExchange("amq.direct", "fanout", { durable: true }), 406);
});

forEachBroker("declaring or deleting an exchange named amq.* is 403 ACCESS_REFUSED", async (t) => {
  const c = await t.open();
  const ch1 = await c.channel();
  await expectCode(ch1.assertExchange(`amq.${t.name("x")}`, "direct"), 403);
  const ch2 = await c.channel();
  await expectCode(ch2.deleteExchange("amq.fanout"), 403);
  await (await c.channel()).checkExchange("amq.fanout");
});

forEachBroker("passive exchange.declare of a missing exchange fails with 404", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const err = await expectCode(ch.checkExchange(t.name("missing")), 404);
  assert.match(err.message, /NOT_FOUND - no exchange '.*' in vhost '\/'/);
});

forEachBroker("redeclaring an exchange with different properties fails with 406", async (t) => {
  const c = await t.open();
  const x = t.exchange();
  const ch = await c.channel();
  await ch.assertExchange(x, "direct", { durable: false, autoDelete: false });
  await ch.assertExchange(x, "direct", { durable: false, autoDelete: false });
  const changes = [
    { type: "fanout", durable: false, autoDelete: false, internal: false },
    { type: "direct", durable: true, autoDelete: false, internal: false },
    { type: "direct", durable: false, autoDelete: true, internal: false },
    { type: "direct", durable: false, autoDelete: false, internal: true },
  ];
  for (const { type, ...options } of changes) {
    await t.step(`${type} ${JSON.stringify(options)}`, async () => {
      const bad = await c.channel();
      const err = await expectCode(bad.assertExchange(x, type, options), 406);
      assert.match(err.message, /PRECONDITION_FAILED/);
    });
  }
});

forEachBroker("exchange.declare with an unknown type is a 503 connection error", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  ch.assertExchange(t.exchange(), "no-such-type").catch(() => {});
  await expectConnectionClosed(c, 503);
});

forEachBroker("exchanges declare with durable, auto-delete, internal and arguments", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  for (const type of ["direct", "fanout", "topic", "headers"]) {
    await t.step(type, async () => {
      const x = t.exchange(type);
      const ok = await ch.assertExchange(x, type, {
        durable: true,
        internal: true,
        arguments: { "x-note": "kept" },
      });
      assert.equal(ok.exchange, x);
      await ch.checkExchange(x);
    });
  }
});

forEachBroker("publishing to a missing exchange closes the channel with 404", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  ch.publish(t.name("missing"), "k", msg("x"));
  await expectChannelClosed(ch, 404);
});

forEachBroker("publishing to an internal exchange closes the channel with 403", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const x = t.exchange();
  await ch.assertExchange(x, "fanout", { internal: true });
  ch.publish(x, "k", msg("x"));
  await expectChannelClosed(ch, 403);
});

forEachBroker(
  "exchange.delete if-unused refuses a bound exchange (406) and deletes an unused one",
  async (t) => {
    const c = await t.open();
    const ch = await c.channel();
    const x = t.exchange();
    const q = t.queue();
    await ch.assertExchange(x, "direct");
    await ch.assertQueue(q);
    await ch.bindQueue(q, x, "k");
    await expectCode(ch.deleteExchange(x, { ifUnused: true }), 406);
    const ch2 = await c.channel();
    await ch2.unbindQueue(q, x, "k");
    await ch2.deleteExchange(x, { ifUnused: true });
    await expectCode(ch2.checkExchange(x), 404);
    // Deleting a missing exchange is not an error in RabbitMQ 3.x.
    const ch3 = await c.channel();
    await ch3.deleteExchange(t.name("missing"));
  },
);

forEachBroker("an auto-delete exchange goes away when its last binding is removed", async (t) => {
  const c = await t.open();
  const ch = await c.channel();
  const x = t.exchange();
  const q = t.queue();
  await ch.assertExchange(x, "fanout", { autoDelete: true });
  await ch.assertQueue(q);
  await ch.bindQueue(q, x, "");
  await ch.unbindQueue(q, x, "");
  await expectCode(ch.checkExchange(x), 404);
});

forEachBroker("exchange-to-exchange bindings route, and unbinding stops them", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const src = t.exchange("src");
  const dst = t.exchange("dst");
  const q = t.queue();
  await ch.assertExchange(src, "direct");
  await ch.assertExchange(dst, "fanout");
  await ch.assertQueue(q);
  await ch.bindQueue(q, dst, "");
  await ch.bindExchange(dst, src, "green");
  ch.publish(src, "green", msg("1"));
  ch.publish(src, "red", msg("2"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["1"]);
  await ch.unbindExchange(dst, src, "green");
  ch.publish(src, "green", msg("3"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), []);
});

forEachBroker("a message reaching a queue by two paths is delivered once", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const x = t.exchange();
  const q = t.queue();
  await ch.assertExchange(x, "direct");
  await ch.assertQueue(q);
  await ch.bindQueue(q, x, "a");
  await ch.bindQueue(q, x, "a"); // duplicate binding is idempotent
  const mid = t.exchange("mid");
  await ch.assertExchange(mid, "fanout");
  await ch.bindExchange(mid, x, "a");
  await ch.bindQueue(q, mid, "");
  ch.publish(x, "a", msg("once"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["once"]);
});

forEachBroker("exchange.bind with a missing source or destination fails with 404", async (t) => {
  const c = await t.open();
  const x = t.exchange();
  await (await c.channel()).assertExchange(x, "direct");
  await expectCode((await c.channel()).bindExchange(x, t.name("missing"), "k"), 404);
  await expectCode((await c.channel()).bindExchange(t.name("missing"), x, "k"), 404);
});

forEachBroker("direct routes on the exact key and fanout ignores it", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const direct = t.exchange("direct");
  const fanout = t.exchange("fanout");
  const q1 = t.queue();
  const q2 = t.queue();
  await ch.assertExchange(direct, "direct");
  await ch.assertExchange(fanout, "fanout");
  await ch.assertQueue(q1);
  await ch.assertQueue(q2);
  await ch.bindQueue(q1, direct, "info");
  await ch.bindQueue(q2, direct, "error");
  await ch.bindQueue(q2, direct, "info");
  ch.publish(direct, "info", msg("i"));
  ch.publish(direct, "error", msg("e"));
  ch.publish(direct, "Info", msg("case"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q1)), ["i"]);
  assert.deepEqual(bodies(await drain(ch, q2)), ["i", "e"]);
  await ch.bindQueue(q1, fanout, "whatever");
  await ch.bindQueue(q2, fanout, "");
  ch.publish(fanout, "anything", msg("f"));
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q1)), ["f"]);
  assert.deepEqual(bodies(await drain(ch, q2)), ["f"]);
});

/** Reference topic matcher: `*` one word, `#` zero or more words. */
function topicMatches(pattern: string, key: string): boolean {
  const words = (s: string) => s === "" ? [] : s.split(".");
  const p = words(pattern);
  const k = words(key);
  const go = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === "#") return go(i + 1, j) || (j < k.length && go(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === "*" || p[i] === k[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

const TOPIC_PATTERNS = [
  "#",
  "*",
  "a",
  "a.*",
  "a.#",
  "#.b",
  "*.b",
  "a.#.b",
  "a.*.b",
  "#.#",
  "*.*",
  "a.#.#.b",
  "#.a.#",
  "*.#",
  "a..b",
  "a.",
  "",
  "kern.*.critical",
];
const TOPIC_KEYS = [
  "",
  "a",
  "b",
  "a.b",
  "a.b.b",
  "a.c.b",
  "a.x.y.b",
  "a.b.c",
  "b.a",
  "x.a.y",
  "a..b",
  "a.",
  ".",
  "..",
  "kern.disk.critical",
  "kern.critical",
];

forEachBroker("topic routing matches the reference table (*, #, empty words)", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const x = t.exchange("topic");
  await ch.assertExchange(x, "topic");
  const queues = TOPIC_PATTERNS.map(() => t.queue("topic"));
  for (const [i, pattern] of TOPIC_PATTERNS.entries()) {
    await ch.assertQueue(queues[i]!);
    await ch.bindQueue(queues[i]!, x, pattern);
  }
  for (const key of TOPIC_KEYS) ch.publish(x, key, msg(key));
  await ch.waitForConfirms();
  const mismatches: string[] = [];
  for (const [i, pattern] of TOPIC_PATTERNS.entries()) {
    const got = bodies(await drain(ch, queues[i]!));
    const want = TOPIC_KEYS.filter((k) => topicMatches(pattern, k));
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      mismatches.push(
        `${JSON.stringify(pattern)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`,
      );
    }
  }
  assert.deepEqual(mismatches, []);
});

forEachBroker("headers exchange routes with x-match all and any", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const x = t.exchange("headers");
  await ch.assertExchange(x, "headers");
  const bindings: Record<string, Record<string, unknown>> = {
    all: { "x-match": "all", format: "pdf", type: "report" },
    any: { "x-match": "any", format: "pdf", type: "report" },
    dflt: { format: "pdf", type: "report" }, // x-match defaults to all
    empty: { "x-match": "all" }, // no keys: matches every message
  };
  const queues: Record<string, string> = {};
  for (const [name, args] of Object.entries(bindings)) {
    queues[name] = t.queue(name);
    await ch.assertQueue(queues[name]!);
    await ch.bindQueue(queues[name]!, x, "", args);
  }
  const messages: Record<string, Record<string, unknown>> = {
    both: { format: "pdf", type: "report" },
    both_extra: { format: "pdf", type: "report", size: "big" },
    format: { format: "pdf" },
    type_wrong: { format: "zip", type: "report" },
    none: {},
    other: { colour: "red" },
  };
  for (const [name, headers] of Object.entries(messages)) {
    ch.publish(x, "ignored", msg(name), { headers });
  }
  await ch.waitForConfirms();
  const got: Record<string, string[]> = {};
  for (const name of Object.keys(bindings)) got[name] = bodies(await drain(ch, queues[name]!));
  assert.deepEqual(got, {
    all: ["both", "both_extra"],
    any: ["both", "both_extra", "format", "type_wrong"],
    dflt: ["both", "both_extra"],
    empty: Object.keys(messages),
  });
});

forEachBroker("amq.match is a headers exchange", async (t) => {
  const c = await t.open();
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  await ch.bindQueue(q, "amq.match", "", { "x-match": "any", unique: q });
  ch.publish("amq.match", "", msg("yes"), { headers: { unique: q } });
  ch.publish("amq.match", "", msg("no"), { headers: { unique: "other" } });
  await ch.waitForConfirms();
  assert.deepEqual(bodies(await drain(ch, q)), ["yes"]);
});
