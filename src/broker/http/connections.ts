/**
 * `/api/connections`, `/api/channels` and `/api/consumers`: the live AMQP
 * clients, named as RabbitMQ names them (`PEER:PORT -> HOST:PORT`, a
 * channel adds ` (N)`), and closing a connection from the API.
 */
import type { Channel } from "../channel.ts";
import type { Connection } from "../connection.ts";
import { ReplyCode } from "../errors.ts";
import { toJson } from "./json.ts";
import { withRates } from "./rates.ts";
import {
  type HttpContext,
  NoContent,
  NODE,
  notFound,
  type Route,
  seesEverything,
  vhostParam,
} from "./router.ts";
import { connectionsOf as allConnections, connectionStats } from "./stats.ts";

/** The connections the logged-in user may see: all, or its own (as RabbitMQ's filter). */
function visible(ctx: HttpContext): Connection[] {
  const all = allConnections(ctx.core);
  return seesEverything(ctx.user) ? all : all.filter((c) => c.userName === ctx.user.name);
}

export function connectionName(c: Connection): string {
  const s = c.socket;
  return `${s.remoteAddress}:${s.remotePort} -> ${s.localAddress}:${s.localPort}`;
}

function connectionJson(ctx: HttpContext, c: Connection) {
  const s = c.socket;
  return {
    auth_mechanism: c.handshake.mechanism,
    channel_max: ctx.core.limits.channelMax,
    channels: c.channels.size,
    client_properties: toJson(c.handshake.clientProperties),
    connected_at: c.connectedAt,
    frame_max: c.frameMax,
    host: s.localAddress ?? "",
    name: connectionName(c),
    node: NODE,
    peer_host: s.remoteAddress ?? "",
    peer_port: s.remotePort ?? 0,
    port: s.localPort ?? 0,
    protocol: "AMQP 0-9-1",
    ...withRates(ctx.sampler, c, connectionStats(c)),
    ssl: false,
    state: c.vhost ? "running" : "starting",
    timeout: c.heartbeat,
    type: "network",
    user: c.userName,
    vhost: c.vhost?.name ?? "",
  };
}

/** What a channel or consumer says about its connection. */
function channelDetails(c: Connection, ch: Channel) {
  const s = c.socket;
  return {
    connection_name: connectionName(c),
    name: `${connectionName(c)} (${ch.id})`,
    node: NODE,
    number: ch.id,
    peer_host: s.remoteAddress ?? "",
    peer_port: s.remotePort ?? 0,
    user: c.userName,
  };
}

function* openChannels(ctx: HttpContext): Iterable<[Connection, Channel]> {
  for (const c of visible(ctx)) {
    for (const ch of c.channels.values()) if (ch.state === "open") yield [c, ch];
  }
}

function channelJson(c: Connection, ch: Channel) {
  const info = ch.info();
  const s = c.socket;
  return {
    confirm: info.confirm,
    connection_details: {
      name: connectionName(c),
      peer_host: s.remoteAddress ?? "",
      peer_port: s.remotePort ?? 0,
    },
    consumer_count: [...info.consumers].length,
    global_prefetch_count: info.global,
    messages_unacknowledged: ch.unackedCount,
    name: `${connectionName(c)} (${ch.id})`,
    node: NODE,
    number: ch.id,
    prefetch_count: info.prefetch,
    state: "running",
    transactional: info.transactional,
    user: c.userName,
    vhost: c.vhost.name,
  };
}

/** Every consumer, as `/api/consumers` and a queue's `consumer_details` list them. */
export function consumerJson(ctx: HttpContext) {
  const out = [];
  for (const [c, ch] of openChannels(ctx)) {
    for (const consumer of ch.info().consumers) {
      out.push({
        arguments: consumer.priority === 0 ? {} : { "x-priority": consumer.priority },
        ack_required: !consumer.noAck,
        active: true,
        activity_status: "up",
        channel_details: channelDetails(c, ch),
        consumer_tag: consumer.tag,
        exclusive: consumer.exclusive,
        prefetch_count: consumer.prefetch,
        queue: { name: consumer.queue.name, vhost: consumer.queue.vhost },
      });
    }
  }
  return out;
}

function connectionParam(ctx: HttpContext): Connection {
  const c = visible(ctx).find((c) => connectionName(c) === ctx.params.name);
  if (!c) throw notFound();
  return c;
}

/** Closes with 320 CONNECTION_FORCED and the `X-Reason` header's text, as RabbitMQ does. */
function closeConnection(ctx: HttpContext) {
  const c = connectionParam(ctx);
  const reason = ctx.headers.get("x-reason") ?? "Closed via management plugin";
  void c.forceClose(ReplyCode.CONNECTION_FORCED, `CONNECTION_FORCED - ${reason}`);
  return new NoContent();
}

const vhostFilter = (ctx: HttpContext) => (vhost: string) =>
  ctx.params.vhost === undefined || ctx.params.vhost === vhost;

export const connectionRoutes: Route[] = [
  {
    method: "GET",
    pattern: "connections",
    handler: (ctx) => visible(ctx).map((c) => connectionJson(ctx, c)),
  },
  {
    method: "GET",
    pattern: "connections/:name",
    handler: (ctx) => connectionJson(ctx, connectionParam(ctx)),
  },
  { method: "DELETE", pattern: "connections/:name", handler: closeConnection },
  {
    method: "GET",
    pattern: "connections/:name/channels",
    handler: (ctx) => {
      const c = connectionParam(ctx);
      return [...c.channels.values()].filter((ch) => ch.state === "open")
        .map((ch) => channelJson(c, ch));
    },
  },
  {
    method: "GET",
    pattern: "vhosts/:vhost/connections",
    handler: (ctx) =>
      visible(ctx).filter((c) => c.vhost?.name === vhostParam(ctx).name)
        .map((c) => connectionJson(ctx, c)),
  },
  {
    method: "GET",
    pattern: "channels",
    handler: (ctx) => [...openChannels(ctx)].map(([c, ch]) => channelJson(c, ch)),
  },
  {
    method: "GET",
    pattern: "vhosts/:vhost/channels",
    handler: (ctx) =>
      [...openChannels(ctx)].filter(([c]) => c.vhost.name === vhostParam(ctx).name)
        .map(([c, ch]) => channelJson(c, ch)),
  },
  {
    method: "GET",
    pattern: "channels/:name",
    handler: (ctx) => {
      const found = [...openChannels(ctx)].find(([c, ch]) =>
        `${connectionName(c)} (${ch.id})` === ctx.params.name
      );
      if (!found) throw notFound();
      return channelJson(...found);
    },
  },
  {
    method: "GET",
    pattern: "consumers",
    handler: (ctx) => consumerJson(ctx),
  },
  {
    method: "GET",
    pattern: "consumers/:vhost",
    handler: (ctx) => consumerJson(ctx).filter((c) => vhostFilter(ctx)(c.queue.vhost)),
  },
];
