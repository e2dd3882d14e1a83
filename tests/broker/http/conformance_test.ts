/**
 * The management API against RabbitMQ's own: the same topology is declared
 * on both brokers through amqplib (a topic exchange, a queue with an
 * argument, a binding, published messages, a consumer with a prefetch), then
 * every read endpoint is fetched from both, and each field the embedded
 * broker sends must exist in RabbitMQ's answer with the same JSON type,
 * recursively. Needs RABBITMQ_URL and RABBITMQ_MGMT_URL
 * (http://guest:guest@127.0.0.1:15672); without them the RabbitMQ side is
 * skipped with the reason in the test name, and the embedded side still runs.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer, type Client, openClient } from "../support/amqplib.ts";
import { RABBITMQ_URL } from "../support/targets.ts";
import { sleep } from "../support/timing.ts";
import { api, type ApiTarget, targetFromUrl, testOpts, withApi } from "./support.ts";

const RABBITMQ_MGMT_URL = Deno.env.get("RABBITMQ_MGMT_URL") || undefined;

// deno-lint-ignore no-explicit-any
type Json = any;

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Objects whose keys are data (node names), not field names. */
const KEYED_BY_DATA = new Set(["cluster_state"]);

/** Paths where `ours` has a field RabbitMQ lacks, or of another JSON type. */
function shapeDifferences(ours: unknown, theirs: unknown, path = "$"): string[] {
  const [a, b] = [jsonType(ours), jsonType(theirs)];
  if (a !== b) return [`${path}: ${a} here, ${b} in RabbitMQ`];
  if (a === "array") {
    const [x, y] = [(ours as unknown[])[0], (theirs as unknown[])[0]];
    return x === undefined || y === undefined ? [] : shapeDifferences(x, y, `${path}[0]`);
  }
  if (a !== "object" || KEYED_BY_DATA.has(path.split(".").pop()!)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(ours as Record<string, unknown>)) {
    const there = (theirs as Record<string, unknown>)[k];
    if (there === undefined) out.push(`${path}.${k}: missing in RabbitMQ`);
    else out.push(...shapeDifferences(v, there, `${path}.${k}`));
  }
  return out;
}

function countFields(v: unknown): number {
  if (Array.isArray(v)) return v.length === 0 ? 1 : countFields(v[0]);
  if (v && typeof v === "object") {
    return Object.values(v).reduce((n: number, x) => n + countFields(x), 0);
  }
  return 1;
}

Deno.test("shapeDifferences() names missing fields and type mismatches, recursively", () => {
  assertEquals(
    shapeDifferences({ a: 1, b: "x", c: { d: true }, e: [{ f: 1 }] }, {
      a: "1",
      c: { d: false },
      e: [{ f: null }],
    }),
    [
      "$.a: number here, string in RabbitMQ",
      "$.b: missing in RabbitMQ",
      "$.e[0].f: number here, null in RabbitMQ",
    ],
  );
});

interface Topology {
  client: Client;
  exchange: string;
  queue: string;
  /** The client's local port: finds its connection and channels in the lists. */
  localPort: number;
  close(): Promise<void>;
}

async function declareTopology(url: string): Promise<Topology> {
  const id = `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
  const exchange = `warren-mgmt-x-${id}`, queue = `warren-mgmt-q-${id}`;
  const client = await openClient(url, {});
  const ch = await client.channel();
  await ch.assertExchange(exchange, "topic", { durable: false });
  await ch.assertQueue(queue, { durable: false, arguments: { "x-max-length": 100 } });
  await ch.bindQueue(queue, exchange, "lesson.*");
  for (let i = 0; i < 3; i++) ch.publish(exchange, "lesson.one", Buffer.from(`m${i}`));
  await ch.prefetch(2);
  await ch.consume(queue, () => {}, { noAck: false });
  const stream = (client.model.connection as unknown as { stream: { localPort: number } }).stream;
  return {
    client,
    exchange,
    queue,
    localPort: stream.localPort,
    close: async () => {
      const c = await openClient(url, {});
      const cleanup = await c.channel();
      await client.close();
      await cleanup.deleteQueue(queue);
      await cleanup.deleteExchange(exchange);
      await c.close();
    },
  };
}

/** Reads every endpoint this test compares, picking out the topology's own objects. */
async function readAll(target: ApiTarget, t: Topology): Promise<Record<string, Json>> {
  const get = async (path: string) => {
    const r = await api(target, "GET", path);
    assertEquals(r.status, 200, `GET ${path}: ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const x = encodeURIComponent(t.exchange), q = encodeURIComponent(t.queue);
  const mine = (list: Json[], test: (o: Json) => boolean) => {
    const found = list.find(test);
    assert(found, `not found in ${JSON.stringify(list).slice(0, 300)}`);
    return found;
  };
  const own = (o: Json) => o.peer_port === t.localPort;
  return {
    overview: await get("overview"),
    whoami: await get("whoami"),
    vhosts: mine(await get("vhosts"), (v) => v.name === "/"),
    vhost: await get("vhosts/%2F"),
    users: mine(await get("users"), (u) => u.name === "guest"),
    permissions: mine(await get("permissions"), (p) => p.user === "guest" && p.vhost === "/"),
    nodes: (await get("nodes"))[0],
    exchanges: mine(await get("exchanges"), (e) => e.name === t.exchange),
    exchange: await get(`exchanges/%2F/${x}`),
    default_exchange: await get("exchanges/%2F/amq.default"),
    queues: mine(await get("queues/%2F"), (o) => o.name === t.queue),
    queue: await get(`queues/%2F/${q}`),
    bindings: mine(await get("bindings/%2F"), (b) => b.source === t.exchange),
    bindings_source: await get(`exchanges/%2F/${x}/bindings/source`),
    queue_bindings: await get(`queues/%2F/${q}/bindings`),
    bindings_between: await get(`bindings/%2F/e/${x}/q/${q}`),
    consumers: mine(await get("consumers"), (c) => c.queue.name === t.queue),
    connections: mine(await get("connections"), own),
    channels: mine(await get("channels"), (c) => own(c.connection_details)),
  };
}

/** RabbitMQ's statistics arrive every few seconds: wait until the topology shows up complete. */
async function settled(target: ApiTarget, t: Topology): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const q = (await api(target, "GET", `queues/%2F/${encodeURIComponent(t.queue)}`)).json;
    const x = (await api(target, "GET", `exchanges/%2F/${encodeURIComponent(t.exchange)}`)).json;
    const conns = (await api(target, "GET", "connections")).json as Json[];
    const conn = conns.find((c) => c.peer_port === t.localPort);
    if (
      q?.message_stats?.deliver === 2 && q.consumers === 1 && x?.message_stats && conn?.recv_oct
    ) return;
    if (Date.now() > deadline) throw new Error("RabbitMQ's statistics did not arrive in 20 s");
    await sleep(250);
  }
}

/** What the embedded broker must say about the topology, whatever RabbitMQ says. */
function checkValues(all: Record<string, Json>, t: Topology): void {
  assertEquals(all.whoami, { name: "guest", tags: ["administrator"] });
  assertEquals(all.queue.name, t.queue);
  assertEquals(all.queue.arguments, { "x-max-length": 100 });
  assertEquals(
    [all.queue.messages, all.queue.messages_ready, all.queue.messages_unacknowledged],
    [3, 1, 2],
  );
  assertEquals([all.queue.consumers, all.queue.consumer_details.length], [1, 1]);
  assertEquals(all.queue.message_stats.publish, 3);
  assertEquals(all.exchange.message_stats.publish_in, 3);
  assertEquals(all.bindings.routing_key, "lesson.*");
  assertEquals(all.bindings.properties_key, "lesson.%2A");
  assertEquals(all.consumers.prefetch_count, 2);
  assertEquals(all.consumers.ack_required, true);
  assertEquals(all.channels.prefetch_count, 2);
  assertEquals(all.connections.client_properties.product, "amqplib");
  assertEquals(all.default_exchange.name, "");
  assert(all.overview.object_totals.queues >= 1);
}

Deno.test("[embedded] management API read endpoints describe the topology", testOpts, async () => {
  await withApi(async ({ broker, target }) => {
    const t = await declareTopology(broker.url);
    try {
      while (broker.core.vhosts.get("/")!.queues.get(t.queue)!.unackedCount < 2) await sleep(5);
      checkValues(await readAll(target, t), t);
    } finally {
      await t.close();
    }
  });
});

const skip = !RABBITMQ_URL
  ? "RABBITMQ_URL not set"
  : !RABBITMQ_MGMT_URL
  ? "RABBITMQ_MGMT_URL not set"
  : undefined;
const name =
  "[embedded vs rabbitmq] management API read endpoints: the same field names and JSON types";

if (skip) {
  Deno.test({ name: `${name} (skipped: ${skip})`, ignore: true, fn: () => {} });
} else {
  Deno.test({
    name,
    ...testOpts,
    fn: async () => {
      await withApi(async ({ broker, target }) => {
        const rabbitTarget = targetFromUrl(RABBITMQ_MGMT_URL!);
        const [ours, theirs] = [
          await declareTopology(broker.url),
          await declareTopology(RABBITMQ_URL!),
        ];
        try {
          await settled(target, ours);
          await settled(rabbitTarget, theirs);
          const a = await readAll(target, ours), b = await readAll(rabbitTarget, theirs);
          const diffs = Object.keys(a).flatMap((k) => shapeDifferences(a[k], b[k], k));
          assertEquals(diffs, []);
          // The comparison covered the endpoints' fields, not just their top level.
          const fields = Object.keys(a).reduce((n, k) => n + countFields(a[k]), 0);
          assert(fields > 300, `only ${fields} fields compared`);
        } finally {
          await ours.close();
          await theirs.close();
        }
      });
    },
  });
}
