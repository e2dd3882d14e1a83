/**
 * Differential test: one seeded random sequence of AMQP operations runs on the
 * embedded broker and on RabbitMQ, and everything a client can observe — what
 * basic.get returns (body, redelivered, remaining count, x-death), queue
 * counts, purge counts, confirms, returns and error codes — must be the same
 * on both. Hand-written cases check what someone thought of; this checks the
 * combinations nobody did (requeue order with priorities, dead letters of
 * redelivered messages, overflow after purges...).
 *
 * Only operations with a defined order are used (no consumers), so a trace
 * depends on the seed alone. Names are mapped back to logical ones (q0, x1)
 * before traces are compared.
 */
import assert from "node:assert/strict";
import { bothBrokers, type BrokerCase } from "./support/targets.ts";
import {
  Buffer,
  type Channel,
  type CodedError,
  type ConfirmChannel,
  type GetMessage,
} from "./support/amqplib.ts";
import { waitFor } from "./support/timing.ts";

const SEEDS = 32;
const STEPS = 100;

/** Queue arguments by logical index; q3 dead-letters into q4. */
const QUEUES: ((names: string[]) => Record<string, unknown>)[] = [
  () => ({}),
  () => ({ "x-max-length": 3 }),
  () => ({ "x-max-length": 2, "x-overflow": "reject-publish" }),
  (names) => ({ "x-dead-letter-exchange": "", "x-dead-letter-routing-key": names[4] }),
  () => ({}),
  () => ({ "x-max-priority": 3 }),
];
const DEAD_LETTER_SOURCE = 3;
const DEAD_LETTER_TARGET = 4;
const EXCHANGES = ["direct", "topic", "fanout", "headers"] as const;
const BINDING_KEYS = ["a", "b", "a.b", "a.b.c", "#", "*.b", "a.*"];
const ROUTING_KEYS = ["a", "b", "a.b", "a.b.c", "c"];

type Op =
  | { kind: "publish"; queue?: number; exchange?: number; key: string; priority?: number }
  | { kind: "publish-mandatory"; exchange: number; key: string }
  | { kind: "get"; queue: number; noAck: boolean }
  | { kind: "ack" | "nack" | "reject"; pick: number; multiple: boolean; requeue: boolean }
  | { kind: "purge" | "check"; queue: number }
  | { kind: "bind" | "unbind"; queue: number; exchange: number; key: string; all: boolean }
  | { kind: "xbind" | "xunbind"; source: number; destination: number; key: string }
  | { kind: "declare"; queue: number; mismatch: boolean }
  | { kind: "delete"; queue: number; ifEmpty: boolean }
  | { kind: "recover" | "reopen" };

/** mulberry32: small, seedable, good enough to pick operations. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number): Op[] {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const queue = () => int(QUEUES.length);
  const exchange = () => int(EXCHANGES.length);
  const ops: Op[] = [];
  for (let i = 0; i < STEPS; i++) {
    const r = random();
    if (r < 0.3) {
      const priority = random() < 0.5 ? int(6) : undefined;
      ops.push(
        random() < 0.6
          ? { kind: "publish", queue: queue(), key: "", priority }
          : { kind: "publish", exchange: exchange(), key: pick(ROUTING_KEYS), priority },
      );
    } else if (r < 0.33) {
      ops.push({ kind: "publish-mandatory", exchange: exchange(), key: pick(ROUTING_KEYS) });
    } else if (r < 0.6) ops.push({ kind: "get", queue: queue(), noAck: random() < 0.15 });
    else if (r < 0.77) {
      ops.push({
        kind: pick(["ack", "nack", "reject"] as const),
        pick: int(1000),
        multiple: random() < 0.3,
        requeue: random() < 0.5,
      });
    } else if (r < 0.81) ops.push({ kind: "purge", queue: queue() });
    else if (r < 0.85) ops.push({ kind: "check", queue: queue() });
    else if (r < 0.92) {
      ops.push({
        kind: random() < 0.75 ? "bind" : "unbind",
        queue: queue(),
        exchange: exchange(),
        key: pick(BINDING_KEYS),
        all: random() < 0.5,
      });
    } else if (r < 0.94) {
      ops.push({
        kind: random() < 0.7 ? "xbind" : "xunbind",
        source: exchange(),
        destination: exchange(),
        key: pick(BINDING_KEYS),
      });
    } else if (r < 0.96) ops.push({ kind: "declare", queue: queue(), mismatch: random() < 0.3 });
    else if (r < 0.97) ops.push({ kind: "delete", queue: queue(), ifEmpty: random() < 0.5 });
    else ops.push({ kind: random() < 0.5 ? "recover" : "reopen" });
  }
  return ops;
}

interface Outstanding {
  tag: number;
  queue: number;
}

/** Runs `ops` on one broker and returns what a client saw, one line per step. */
async function run(t: BrokerCase, ops: Op[]): Promise<string[]> {
  const client = await t.open();
  const queues = QUEUES.map(() => t.queue("diff"));
  const exchanges = EXCHANGES.map(() => t.exchange("diff"));
  const logical = new Map<string, string>([["", '""']]);
  queues.forEach((name, i) => logical.set(name, `q${i}`));
  exchanges.forEach((name, i) => logical.set(name, `x${i}`));
  const show = (name: unknown) => logical.get(String(name)) ?? String(name);

  let ch: Channel = await client.channel();
  const pub: ConfirmChannel = await client.confirmChannel();
  const returned: string[] = [];
  pub.on("return", (m: GetMessage) => {
    const f = m.fields as unknown as { replyCode: number; exchange: string; routingKey: string };
    returned.push(`return ${f.replyCode} ${show(f.exchange)} ${f.routingKey}`);
  });
  for (const [i, name] of queues.entries()) {
    await ch.assertQueue(name, { arguments: QUEUES[i]!(queues) });
  }
  for (const [i, name] of exchanges.entries()) await ch.assertExchange(name, EXCHANGES[i]!);

  let outstanding: Outstanding[] = [];
  const deleted = new Set<number>();
  let published = 0;
  const count = async (q: number) => (await ch.checkQueue(queues[q]!)).messageCount;
  // RabbitMQ's queue process answers a stat (queue.declare, checkQueue) ahead of
  // acks and requeues still in its mailbox, so a count can lag what came
  // before it. One stat first lets those through; the next one is exact.
  const settleStat = (q: number) => ch.checkQueue(queues[q]!);
  const describe = (m: GetMessage | false) => {
    if (!m) return "empty";
    const deaths = (m.properties.headers?.["x-death"] ?? []) as unknown as Record<
      string,
      unknown
    >[];
    const death = deaths.map((d) =>
      `${show(d.queue)}:${d.reason}:${d.count}:${show(d.exchange)}:` +
      (d["routing-keys"] as string[]).map(show).join("+")
    );
    return `${m.content.toString()} redelivered=${m.fields.redelivered} ` +
      `left=${m.fields.messageCount} via=${show(m.fields.exchange)}/${show(m.fields.routingKey)}` +
      (m.properties.priority !== undefined ? ` prio=${m.properties.priority}` : "") +
      (death.length ? ` x-death=${death.join(",")}` : "");
  };

  const publish = async (exchange: string, key: string, options: object): Promise<string> => {
    const body = `m${published++}`;
    const outcome = await new Promise<string>((resolve) => {
      pub.publish(exchange, key, Buffer.from(body), options, (err: unknown) => {
        resolve(err ? "nack" : "ack");
      });
    });
    const seen = returned.splice(0).join(" ");
    return `${body} ${outcome}${seen ? " " + seen : ""}`;
  };

  const step = async (op: Op): Promise<string> => {
    switch (op.kind) {
      case "publish": {
        const exchange = op.exchange === undefined ? "" : exchanges[op.exchange]!;
        const key = op.queue === undefined ? op.key : queues[op.queue]!;
        // The routing key doubles as header `k`, for the headers exchange.
        const options = { headers: { k: key, n: "1" }, priority: op.priority };
        return await publish(exchange, key, options);
      }
      case "publish-mandatory":
        return await publish(exchanges[op.exchange]!, op.key, {
          mandatory: true,
          headers: { k: op.key },
        });
      case "get": {
        const m = await ch.get(queues[op.queue]!, { noAck: op.noAck });
        if (m && !op.noAck) outstanding.push({ tag: m.fields.deliveryTag, queue: op.queue });
        return describe(m);
      }
      case "ack":
      case "nack":
      case "reject": {
        if (outstanding.length === 0) return "nothing outstanding";
        const target = outstanding[op.pick % outstanding.length]!;
        const multiple = op.kind !== "reject" && op.multiple;
        const settled = outstanding.filter((o) => multiple ? o.tag <= target.tag : o === target);
        outstanding = outstanding.filter((o) => !settled.includes(o));
        const deadLettering = !deleted.has(DEAD_LETTER_SOURCE) && !deleted.has(DEAD_LETTER_TARGET);
        const dropped = op.kind === "ack" || op.requeue || !deadLettering
          ? 0
          : settled.filter((o) => o.queue === DEAD_LETTER_SOURCE).length;
        const before = dropped > 0 ? await count(DEAD_LETTER_TARGET) : 0;
        const message = { fields: { deliveryTag: target.tag } } as unknown as GetMessage;
        if (op.kind === "ack") ch.ack(message, multiple);
        else if (op.kind === "nack") ch.nack(message, multiple, op.requeue);
        else ch.reject(message, op.requeue);
        // Dead-lettering is asynchronous in RabbitMQ: wait until it has happened.
        if (dropped > 0) {
          await waitFor(
            async () => (await count(DEAD_LETTER_TARGET)) >= before + dropped,
            "dead letters",
          );
        }
        return `${settled.length} settled`;
      }
      case "purge":
        return `purged ${(await ch.purgeQueue(queues[op.queue]!)).messageCount}`;
      case "check": {
        await settleStat(op.queue);
        const ok = await ch.checkQueue(queues[op.queue]!);
        return `${ok.messageCount} ready, ${ok.consumerCount} consumers`;
      }
      case "bind":
      case "unbind": {
        // Binding arguments matter to the headers exchange only.
        const args = { "x-match": op.all ? "all" : "any", k: op.key, n: "1" };
        const bind = op.kind === "bind" ? ch.bindQueue : ch.unbindQueue;
        await bind.call(ch, queues[op.queue]!, exchanges[op.exchange]!, op.key, args);
        return op.kind === "bind" ? "bound" : "unbound";
      }
      case "xbind":
        await ch.bindExchange(exchanges[op.destination]!, exchanges[op.source]!, op.key);
        return "bound";
      case "xunbind":
        await ch.unbindExchange(exchanges[op.destination]!, exchanges[op.source]!, op.key);
        return "unbound";
      case "declare": {
        const args = op.mismatch ? { "x-max-length": 7 } : QUEUES[op.queue]!(queues);
        if (!deleted.has(op.queue)) await settleStat(op.queue);
        const ok = await ch.assertQueue(queues[op.queue]!, { arguments: args });
        deleted.delete(op.queue);
        return `declared, ${ok.messageCount} ready`;
      }
      case "delete": {
        const ok = await ch.deleteQueue(queues[op.queue]!, { ifEmpty: op.ifEmpty });
        deleted.add(op.queue);
        return `deleted ${ok.messageCount}`;
      }
      case "recover":
        await ch.recover();
        outstanding = [];
        return "recovered";
      case "reopen":
        await ch.close();
        ch = await client.channel();
        outstanding = [];
        return "reopened";
    }
  };

  const trace: string[] = [];
  for (const [i, op] of ops.entries()) {
    let line: string;
    try {
      line = await step(op);
    } catch (error) {
      // basic.get rejects with the raw channel.close frame rather than an Error.
      const frame = error as { fields?: { replyCode?: number } };
      line = `error ${(error as CodedError).code ?? frame.fields?.replyCode ?? error}`;
      ch = await client.channel();
      outstanding = [];
    }
    trace.push(`${i} ${JSON.stringify(op)} -> ${line}`);
  }
  // The end state too: every queue drained in order.
  for (const [i, name] of queues.entries()) {
    if (deleted.has(i)) {
      trace.push(`end q${i}: deleted`);
      continue;
    }
    const left: string[] = [];
    for (let m = await ch.get(name, { noAck: true }); m; m = await ch.get(name, { noAck: true })) {
      left.push(describe(m));
    }
    trace.push(`end q${i}: ${left.join(" | ")}`);
  }
  return trace;
}

for (let seed = 1; seed <= SEEDS; seed++) {
  bothBrokers(`seeded random operations ${seed} give the same observations`, async (e, r) => {
    const ops = generate(seed);
    const [embedded, rabbitmq] = [await run(e, ops), await run(r, ops)];
    const first = embedded.findIndex((line, i) => line !== rabbitmq[i]);
    if (first !== -1) {
      assert.equal(
        embedded[first],
        rabbitmq[first],
        `seed ${seed}: first difference at step ${first}; the steps before it:\n` +
          rabbitmq.slice(Math.max(0, first - 8), first).join("\n"),
      );
    }
    assert.equal(embedded.length, rabbitmq.length);
  });
}
