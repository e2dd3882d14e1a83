/**
 * `/api/bindings` and the per-exchange and per-queue binding lists; binding
 * (POST) and unbinding (DELETE by `properties_key`). The default exchange's
 * implicit bindings are listed first, as RabbitMQ lists them.
 */
import { type Binding, canonicalTable } from "../exchange.ts";
import type { Vhost } from "../vhost.ts";
import { exchangeParam } from "./exchanges.ts";
import { isObject, toJson } from "./json.ts";
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
import { queueParam } from "./queues.ts";

/** RabbitMQ's quote_plus: alphanumerics and `-_.~` stay, space is `+`, the rest `%XX`. */
function quotePlus(s: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(s)) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** A short stable hash of the binding's arguments (RabbitMQ hashes them too). */
function argsHash(args: Record<string, unknown>): string {
  let h = 0x811c9dc5;
  for (const c of canonicalTable(args)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return btoa(String.fromCharCode(h >>> 24, (h >>> 16) & 255, (h >>> 8) & 255, h & 255))
    .replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}

/** What identifies a binding between its source and destination in URLs. */
export function propertiesKey(routingKey: string, args: Record<string, unknown>): string {
  if (Object.keys(args).length > 0) return `${quotePlus(routingKey)}~${argsHash(args)}`;
  return routingKey === "" ? "~" : quotePlus(routingKey);
}

interface BindingJson {
  source: string;
  vhost: string;
  destination: string;
  destination_type: "queue" | "exchange";
  routing_key: string;
  arguments: unknown;
  properties_key: string;
}

function bindingJson(v: Vhost, b: Binding): BindingJson {
  return {
    source: b.source,
    vhost: v.name,
    destination: b.name,
    destination_type: b.kind,
    routing_key: b.routingKey,
    arguments: toJson(b.arguments),
    properties_key: propertiesKey(b.routingKey, b.arguments),
  };
}

/** Every binding of a vhost, the default exchange's implicit ones first. */
function allBindings(v: Vhost): BindingJson[] {
  const implicit = [...v.queues.keys()].map((q): BindingJson => ({
    source: "",
    vhost: v.name,
    destination: q,
    destination_type: "queue",
    routing_key: q,
    arguments: {},
    properties_key: propertiesKey(q, {}),
  }));
  return [...implicit, ...[...v.bindings()].map((b) => bindingJson(v, b))];
}

/** The bindings between the path's source and destination. */
function between(ctx: HttpContext, kind: "queue" | "exchange"): BindingJson[] {
  const v = vhostParam(ctx);
  const source = exchangeParam(ctx, v, "source").name;
  const dest = kind === "queue"
    ? queueParam(ctx, v, "dest").name
    : exchangeParam(ctx, v, "dest").name;
  return allBindings(v).filter((b) =>
    b.source === source && b.destination === dest && b.destination_type === kind
  );
}

function one(ctx: HttpContext, kind: "queue" | "exchange"): BindingJson {
  const b = between(ctx, kind).find((b) => b.properties_key === ctx.params.props);
  if (!b) throw notFound();
  return b;
}

async function bind(ctx: HttpContext, kind: "queue" | "exchange") {
  const v = vhostParam(ctx);
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const routingKey = body.routing_key ?? "";
  const args = body.arguments ?? {};
  if (typeof routingKey !== "string") throw badRequest("routing_key must be a string");
  if (!isObject(args)) throw badRequest("arguments must be an object");
  const source = exchangeParam(ctx, v, "source").name;
  requireAccess(ctx, v, "write", kind, ctx.params.dest!);
  requireAccess(ctx, v, "read", "exchange", source);
  if (kind === "queue") {
    const q = queueParam(ctx, v, "dest");
    v.bindQueue(
      { queue: q.name, exchange: source, routingKey, arguments: args },
      q.options.exclusiveOwner,
    );
  } else {
    const dest = exchangeParam(ctx, v, "dest").name;
    v.bindExchange({ destination: dest, source, routingKey, arguments: args });
  }
  // Relative to the request's path, as RabbitMQ sends it: DESTINATION/PROPERTIES_KEY.
  const dest = encodeURIComponent(ctx.params.dest!);
  return new NoContent(201, { location: `${dest}/${propertiesKey(routingKey, args)}` });
}

function unbind(ctx: HttpContext, kind: "queue" | "exchange") {
  const v = vhostParam(ctx);
  const b = one(ctx, kind);
  const key = { routingKey: b.routing_key, arguments: b.arguments as Record<string, unknown> };
  if (b.source === "") throw badRequest("operation not permitted on the default exchange");
  requireAccess(ctx, v, "write", kind, b.destination);
  requireAccess(ctx, v, "read", "exchange", b.source);
  if (kind === "queue") {
    const q = queueParam(ctx, v, "dest");
    v.unbindQueue({ queue: q.name, exchange: b.source, ...key }, q.options.exclusiveOwner);
  } else {
    v.unbindExchange({ destination: b.destination, source: b.source, ...key });
  }
  return new NoContent();
}

function bindingsOf(ctx: HttpContext, test: (b: BindingJson) => boolean): BindingJson[] {
  return allBindings(vhostParam(ctx)).filter(test);
}

const routesFor = (letter: "q" | "e", kind: "queue" | "exchange"): Route[] => {
  const base = `bindings/:vhost/e/:source/${letter}/:dest`;
  return [
    { method: "GET", pattern: base, handler: (ctx) => between(ctx, kind) },
    { method: "POST", pattern: base, handler: (ctx) => bind(ctx, kind) },
    { method: "GET", pattern: `${base}/:props`, handler: (ctx) => one(ctx, kind) },
    { method: "DELETE", pattern: `${base}/:props`, handler: (ctx) => unbind(ctx, kind) },
  ];
};

export const bindingRoutes: Route[] = [
  { method: "GET", pattern: "bindings", handler: (ctx) => vhostsOf(ctx).flatMap(allBindings) },
  {
    method: "GET",
    pattern: "bindings/:vhost",
    handler: (ctx) => vhostsOf(ctx).flatMap(allBindings),
  },
  ...routesFor("q", "queue"),
  ...routesFor("e", "exchange"),
  {
    method: "GET",
    pattern: "exchanges/:vhost/:name/bindings/source",
    handler: (ctx) => {
      const x = exchangeParam(ctx, vhostParam(ctx));
      return bindingsOf(ctx, (b) => b.source === x.name);
    },
  },
  {
    method: "GET",
    pattern: "exchanges/:vhost/:name/bindings/destination",
    handler: (ctx) => {
      const x = exchangeParam(ctx, vhostParam(ctx));
      return bindingsOf(ctx, (b) => b.destination_type === "exchange" && b.destination === x.name);
    },
  },
  {
    method: "GET",
    pattern: "queues/:vhost/:name/bindings",
    handler: (ctx) => {
      const q = queueParam(ctx, vhostParam(ctx));
      return bindingsOf(ctx, (b) => b.destination_type === "queue" && b.destination === q.name);
    },
  },
];
