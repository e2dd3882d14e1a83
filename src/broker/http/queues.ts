/**
 * `/api/queues`: list, show (with its consumers), declare (PUT), delete,
 * and purge (`DELETE .../contents`).
 */
import type { Queue } from "../queue.ts";
import type { Vhost } from "../vhost.ts";
import { consumerJson } from "./connections.ts";
import { isObject, toJson } from "./json.ts";
import { withRates } from "./rates.ts";
import {
  badRequest,
  type HttpContext,
  NoContent,
  NODE,
  notFound,
  requireAccess,
  type Route,
  vhostParam,
  vhostsOf,
} from "./router.ts";
import { queueDepth, queueStats } from "./stats.ts";

export function queueJson(ctx: HttpContext, v: Vhost, q: Queue) {
  return {
    arguments: toJson(q.options.arguments),
    auto_delete: q.options.autoDelete,
    consumers: q.consumerCount,
    durable: q.options.durable,
    exclusive: q.options.exclusiveOwner !== undefined,
    message_bytes_ready: q.readyBytes,
    message_stats: withRates(ctx.sampler, q.stats, queueStats(q)),
    ...withRates(ctx.sampler, q, queueDepth(q)),
    name: q.name,
    node: NODE,
    state: "running",
    type: "classic",
    vhost: v.name,
  };
}

/** The queue named in the path (404 when missing). */
export function queueParam(ctx: HttpContext, v: Vhost, param = "name"): Queue {
  const q = v.queues.get(ctx.params[param]!);
  if (!q) throw notFound();
  return q;
}

function list(ctx: HttpContext) {
  return vhostsOf(ctx).flatMap((v) => [...v.queues.values()].map((q) => queueJson(ctx, v, q)));
}

function show(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const q = queueParam(ctx, v);
  const consumers = consumerJson(ctx).filter((c) =>
    c.queue.name === q.name && c.queue.vhost === v.name
  );
  return { ...queueJson(ctx, v, q), consumer_details: consumers };
}

async function declare(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const { durable, auto_delete, arguments: args } = body;
  if (args !== undefined && !isObject(args)) throw badRequest("arguments must be an object");
  const name = ctx.params.name!;
  if (name === "") throw badRequest("queue name must not be empty");
  requireAccess(ctx, v, "configure", "queue", name);
  const existed = v.queues.has(name);
  v.declareQueue(name, {
    durable: durable === undefined ? true : durable === true,
    autoDelete: auto_delete === true,
    arguments: args ?? {},
  }, undefined);
  return new NoContent(existed ? 204 : 201);
}

function remove(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const q = queueParam(ctx, v);
  requireAccess(ctx, v, "configure", "queue", q.name);
  v.deleteQueue(q.name, {
    ifUnused: ctx.query.get("if-unused") === "true",
    ifEmpty: ctx.query.get("if-empty") === "true",
  }, q.options.exclusiveOwner);
  return new NoContent();
}

function purge(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const q = queueParam(ctx, v);
  requireAccess(ctx, v, "read", "queue", q.name);
  q.purge();
  return new NoContent();
}

export const queueRoutes: Route[] = [
  { method: "GET", pattern: "queues", handler: list },
  { method: "GET", pattern: "queues/:vhost", handler: list },
  { method: "GET", pattern: "queues/:vhost/:name", handler: show },
  { method: "PUT", pattern: "queues/:vhost/:name", handler: declare },
  { method: "DELETE", pattern: "queues/:vhost/:name", handler: remove },
  { method: "DELETE", pattern: "queues/:vhost/:name/contents", handler: purge },
];
