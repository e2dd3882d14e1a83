/**
 * `/api/exchanges`: list, show, declare (PUT) and delete exchanges. The
 * default exchange is `""` in JSON and `amq.default` in paths, as in
 * RabbitMQ.
 */
import type { Exchange } from "../exchange.ts";
import type { Vhost } from "../vhost.ts";
import { isObject, toJson } from "./json.ts";
import { withRates } from "./rates.ts";
import {
  badRequest,
  type HttpContext,
  NoContent,
  notFound,
  requireAccess,
  type Route,
  vhostParam,
  vhostsOf,
} from "./router.ts";
import { exchangeStats } from "./stats.ts";

/** A path's exchange name: `amq.default` is the default exchange. */
export function exchangeName(name: string): string {
  return name === "amq.default" ? "" : name;
}

export function exchangeJson(ctx: HttpContext, v: Vhost, x: Exchange) {
  return {
    arguments: toJson(x.options.arguments),
    auto_delete: x.options.autoDelete,
    durable: x.options.durable,
    internal: x.options.internal,
    message_stats: withRates(ctx.sampler, x, exchangeStats(x)),
    name: x.name,
    type: x.type,
    vhost: v.name,
  };
}

/** The exchange named in the path (404 when missing). */
export function exchangeParam(ctx: HttpContext, v: Vhost, param = "name"): Exchange {
  const x = v.exchanges.get(exchangeName(ctx.params[param]!));
  if (!x) throw notFound();
  return x;
}

function list(ctx: HttpContext) {
  return vhostsOf(ctx).flatMap((v) =>
    [...v.exchanges.values()].map((x) => exchangeJson(ctx, v, x))
  );
}

function show(ctx: HttpContext) {
  const v = vhostParam(ctx);
  return { ...exchangeJson(ctx, v, exchangeParam(ctx, v)), incoming: [], outgoing: [] };
}

async function declare(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const { type, durable, auto_delete, internal, arguments: args } = body;
  if (typeof type !== "string") throw badRequest("[{key_missing,type}]");
  if (args !== undefined && !isObject(args)) throw badRequest("arguments must be an object");
  const name = ctx.params.name!;
  requireAccess(ctx, v, "configure", "exchange", name);
  const existed = v.exchanges.has(name);
  v.declareExchange(name, type, {
    durable: durable === undefined ? true : durable === true,
    autoDelete: auto_delete === true,
    internal: internal === true,
    arguments: args ?? {},
  });
  return new NoContent(existed ? 204 : 201);
}

function remove(ctx: HttpContext) {
  const v = vhostParam(ctx);
  const x = exchangeParam(ctx, v);
  requireAccess(ctx, v, "configure", "exchange", x.name);
  v.deleteExchange(x.name, { ifUnused: ctx.query.get("if-unused") === "true" });
  return new NoContent();
}

export const exchangeRoutes: Route[] = [
  { method: "GET", pattern: "exchanges", handler: list },
  { method: "GET", pattern: "exchanges/:vhost", handler: list },
  { method: "GET", pattern: "exchanges/:vhost/:name", handler: show },
  { method: "PUT", pattern: "exchanges/:vhost/:name", handler: declare },
  { method: "DELETE", pattern: "exchanges/:vhost/:name", handler: remove },
];
