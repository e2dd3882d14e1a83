/**
 * `POST /api/exchanges/{vhost}/{name}/publish` and `POST
 * /api/queues/{vhost}/{name}/get`: the management UI's publish and get, for
 * testing and debugging (RabbitMQ warns they are not for production use).
 */
import type { Message, QueuedMessage } from "../message.ts";
import { exchangeParam } from "./exchanges.ts";
import { isObject, propertiesFromJson, propertiesToJson } from "./json.ts";
import { badRequest, type HttpContext, requireAccess, type Route, vhostParam } from "./router.ts";
import { queueParam } from "./queues.ts";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function base64ToBytes(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    throw badRequest("payload is not valid base64");
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

async function publish(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const x = exchangeParam(ctx, v);
  requireAccess(ctx, v, "write", "exchange", x.name);
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const { routing_key, payload, payload_encoding } = body;
  if (typeof routing_key !== "string") throw badRequest("[{key_missing,routing_key}]");
  if (typeof payload !== "string") throw badRequest("[{key_missing,payload}]");
  if (payload_encoding !== "string" && payload_encoding !== "base64") {
    throw badRequest("payload_encoding must be 'string' or 'base64'");
  }
  let properties;
  try {
    properties = propertiesFromJson(body.properties);
  } catch (e) {
    throw badRequest((e as Error).message);
  }
  const bytes = payload_encoding === "base64" ? base64ToBytes(payload) : utf8.encode(payload);
  const message: Message = { exchange: x.name, routingKey: routing_key, properties, body: bytes };
  const target = v.publishTarget(x.name);
  const queues = v.routePublished(target, routing_key, properties.headers, false);
  for (const q of queues) q.enqueue(message);
  return { routed: queues.size > 0 };
}

const ACKMODES = [
  "ack_requeue_true",
  "reject_requeue_true",
  "ack_requeue_false",
  "reject_requeue_false",
];

function messageJson(
  entry: QueuedMessage,
  remaining: number,
  encoding: string,
  truncate: number | undefined,
) {
  const { message } = entry;
  const bytes = truncate === undefined ? message.body : message.body.subarray(0, truncate);
  let text: string | undefined;
  if (encoding === "auto") {
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      text = undefined;
    }
  }
  return {
    payload_bytes: message.body.length,
    redelivered: entry.redelivered,
    exchange: message.exchange,
    routing_key: message.routingKey,
    message_count: remaining,
    properties: propertiesToJson(message.properties),
    payload: text ?? bytesToBase64(bytes),
    payload_encoding: text === undefined ? "base64" : "string",
  };
}

function intField(v: unknown, name: string): number {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw badRequest(`${name} must be a non-negative integer`);
  }
  return n;
}

async function get(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const q = queueParam(ctx, v);
  requireAccess(ctx, v, "read", "queue", q.name);
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const { ackmode, encoding } = body;
  // rabbitmqadmin sends numbers as strings; RabbitMQ takes either.
  const count = intField(body.count, "count");
  const truncate = body.truncate === undefined ? undefined : intField(body.truncate, "truncate");
  if (typeof ackmode !== "string" || !ACKMODES.includes(ackmode)) {
    throw badRequest(`ackmode must be one of ${ACKMODES.join(", ")}`);
  }
  if (encoding !== "auto" && encoding !== "base64") {
    throw badRequest("encoding must be 'auto' or 'base64'");
  }
  const taken: QueuedMessage[] = [];
  const out = [];
  for (let i = 0; i < count; i++) {
    const got = q.get(false);
    if (!got) break;
    taken.push(got.entry);
    out.push(messageJson(got.entry, got.remaining, encoding, truncate));
  }
  // Settled after all were taken, so a requeued message is not fetched twice in one call.
  if (ackmode.endsWith("requeue_true")) q.requeue(taken);
  else q.settle(taken, ackmode === "reject_requeue_false" ? "rejected" : undefined);
  return out;
}

export const messageRoutes: Route[] = [
  { method: "POST", pattern: "exchanges/:vhost/:name/publish", handler: publish },
  { method: "POST", pattern: "queues/:vhost/:name/get", handler: get },
];
