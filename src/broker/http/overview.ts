/**
 * `/api/overview`, `/api/whoami` and `/api/nodes`: the broker as a whole, in
 * the shape RabbitMQ 3.10's management API gives it.
 */
import { withRates } from "./rates.ts";
import { type HttpContext, NODE, notFound, type Route } from "./router.ts";
import { addInto, connectionsOf, vhostDepth, vhostStats } from "./stats.ts";

/** The RabbitMQ API version this one follows (tools check it), and our own. */
export const RABBITMQ_API_VERSION = "3.10.0";
const PRODUCT_VERSION = "0.1.0";
const started = Date.now();

function exchangeTypes() {
  return ["direct", "fanout", "headers", "topic"].map((name) => ({
    name,
    description: `AMQP ${name} exchange, as per the AMQP specification`,
    enabled: true,
  }));
}

function overview(ctx: HttpContext) {
  const { core, sampler } = ctx;
  let queues = 0, exchanges = 0, consumers = 0, channels = 0;
  const stats: Record<string, number> = {}, depth: Record<string, number> = {};
  for (const v of core.vhosts.values()) {
    queues += v.queues.size;
    exchanges += v.exchanges.size;
    for (const q of v.queues.values()) consumers += q.consumerCount;
    addInto(stats, vhostStats(v));
    addInto(depth, vhostDepth(v));
  }
  const connections = connectionsOf(core);
  for (const c of connections) channels += c.channels.size;
  const { hostname, amqpPort, httpPort } = ctx.listeners;
  return {
    management_version: RABBITMQ_API_VERSION,
    rates_mode: "basic",
    exchange_types: exchangeTypes(),
    product_version: PRODUCT_VERSION,
    product_name: "warren",
    rabbitmq_version: RABBITMQ_API_VERSION,
    cluster_name: NODE,
    message_stats: withRates(sampler, core, stats),
    queue_totals: withRates(sampler, core.vhosts, depth),
    object_totals: { channels, connections: connections.length, consumers, exchanges, queues },
    node: NODE,
    listeners: [
      { node: NODE, protocol: "amqp", ip_address: hostname, port: amqpPort },
      { node: NODE, protocol: "http", ip_address: hostname, port: httpPort },
    ],
  };
}

function node(ctx: HttpContext) {
  const { core } = ctx;
  return {
    name: NODE,
    type: "disc",
    running: true,
    os_pid: String(Deno.pid),
    mem_used: core.memory.usage,
    mem_limit: core.memory.limit,
    mem_alarm: core.memory.alarm,
    disk_free_alarm: false,
    partitions: [],
    processors: navigator.hardwareConcurrency,
    uptime: Date.now() - started,
    rates_mode: "basic",
    exchange_types: exchangeTypes(),
  };
}

export const overviewRoutes: Route[] = [
  { method: "GET", pattern: "overview", handler: overview },
  {
    method: "GET",
    pattern: "whoami",
    handler: (ctx) => ({ name: ctx.user.name, tags: ctx.user.tags ?? [] }),
  },
  { method: "GET", pattern: "nodes", handler: (ctx) => [node(ctx)] },
  {
    method: "GET",
    pattern: "nodes/:node",
    handler: (ctx) => {
      if (ctx.params.node !== NODE) throw notFound();
      return node(ctx);
    },
  },
];
