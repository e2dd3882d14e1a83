/**
 * The management HTTP API as the RabbitMQ panel reads it: one round of GETs
 * (overview, exchanges, queues, consumers, bindings, connections, channels)
 * with basic auth, mapped into plain rows. The same requests work on
 * RabbitMQ and on the embedded broker; rates are the API's `*_details.rate`.
 * Scoped to one vhost (the AMQP URL's, when it names one), every list is
 * that vhost's and the totals are the vhost's (`/api/vhosts/{vhost}`), so a
 * student on a shared lab box sees their own and not a classmate's.
 */
import { errorMessage } from "../util/error_message.ts";
import type { MgmtState } from "./broker_status.ts";

export interface RabbitOverview {
  product: string;
  version: string;
  /** The vhost this reading is scoped to; undefined: every vhost. */
  vhost?: string;
  queues: number;
  exchanges: number;
  connections: number;
  consumers: number;
  ready: number;
  unacked: number;
  publishRate: number;
  deliverRate: number;
}

export interface ExchangeRow {
  vhost: string;
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  inRate: number;
  outRate: number;
}

export interface QueueRow {
  vhost: string;
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  ready: number;
  unacked: number;
  consumers: number;
  inRate: number;
  outRate: number;
  state: string;
}

export interface ConsumerRow {
  tag: string;
  queue: string;
  channel: string;
  ackRequired: boolean;
  prefetch: number;
}

export interface BindingRow {
  source: string;
  destination: string;
  destinationType: string;
  routingKey: string;
  arguments: string;
}

export interface ConnectionRow {
  name: string;
  user: string;
  channels: number;
  state: string;
  client: string;
}

export interface ChannelRow {
  name: string;
  connection: string;
  consumers: number;
  prefetch: number;
  unacked: number;
  confirm: boolean;
}

/** One reading of the broker through its management API. */
export interface RabbitData {
  overview: RabbitOverview;
  exchanges: ExchangeRow[];
  queues: QueueRow[];
  consumers: ConsumerRow[];
  bindings: BindingRow[];
  connections: ConnectionRow[];
  channels: ChannelRow[];
}

/** `fetch` options for a management URL that may carry `user:pass@`: basic auth instead. */
export function mgmtRequest(mgmtUrl: string, path: string): { url: string; headers: Headers } {
  const url = new URL(mgmtUrl);
  const user = decodeURIComponent(url.username || "guest");
  const pass = decodeURIComponent(url.password || "guest");
  url.username = "";
  url.password = "";
  const headers = new Headers({ authorization: `Basic ${btoa(`${user}:${pass}`)}` });
  return { url: new URL(path, url).href, headers };
}

/** A refused request as one line: `HTTP 404: Not Found`, the broker's own reason. */
export async function httpFailure(res: Response): Promise<string> {
  const text = await res.text();
  let reason = text;
  try {
    reason = String(JSON.parse(text).reason ?? text);
  } catch { /* not JSON: the text itself */ }
  const line = reason.replace(/\s+/g, " ").trim().slice(0, 200);
  return `HTTP ${res.status}: ${line || res.statusText}`;
}

class MgmtError extends Error {}

// deno-lint-ignore no-explicit-any
type Json = any;

async function getJson(mgmtUrl: string, path: string, timeoutMs: number): Promise<Json> {
  const { url, headers } = mgmtRequest(mgmtUrl, path);
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status === 401) {
    await res.body?.cancel();
    throw new MgmtError("401: wrong user or password");
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new MgmtError(`HTTP ${res.status} for ${path}`);
  }
  return await res.json();
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const rate = (details: Json): number => num(details?.rate);

/** One reading's paths: the node's lists, or one vhost's (then its own totals last). */
export function readingPaths(vhost?: string): string[] {
  if (vhost === undefined) {
    return ["overview", "exchanges", "queues", "consumers", "bindings", "connections", "channels"]
      .map((p) => `/api/${p}`);
  }
  const v = encodeURIComponent(vhost);
  return [
    "/api/overview",
    `/api/exchanges/${v}`,
    `/api/queues/${v}`,
    `/api/consumers/${v}`,
    `/api/bindings/${v}`,
    `/api/vhosts/${v}/connections`,
    `/api/vhosts/${v}/channels`,
    `/api/vhosts/${v}`,
  ];
}

/**
 * Every list and the overview, at once, of the node or of `vhost`; an error
 * says why, never with the password.
 */
export async function readRabbit(
  mgmtUrl: string,
  { vhost, timeoutMs = 900 }: { vhost?: string; timeoutMs?: number } = {},
): Promise<{ data: RabbitData } | { error: MgmtState }> {
  try {
    const [o, ex, q, cons, b, conns, chans, v] = await Promise.all(
      readingPaths(vhost).map((path) => getJson(mgmtUrl, path, timeoutMs)),
    );
    const data = mapRabbit(o, ex, q, cons, b, conns, chans);
    return { data: v === undefined ? data : scopedTo(data, v) };
  } catch (e) {
    const text = e instanceof DOMException && e.name === "TimeoutError"
      ? "no answer"
      : errorMessage(e).split("\n")[0]!;
    return { error: { state: "unreachable", error: text } };
  }
}

/** A vhost's reading: its totals from its own lists and `/api/vhosts/{vhost}`, not the node's. */
export function scopedTo(data: RabbitData, v: Json): RabbitData {
  const stats = v.message_stats ?? {};
  return {
    ...data,
    overview: {
      ...data.overview,
      vhost: String(v.name ?? ""),
      queues: data.queues.length,
      exchanges: data.exchanges.length,
      connections: data.connections.length,
      consumers: data.consumers.length,
      ready: num(v.messages_ready),
      unacked: num(v.messages_unacknowledged),
      publishRate: rate(stats.publish_details),
      deliverRate: rate(stats.deliver_get_details),
    },
  };
}

/** The API's JSON -> rows (exported for fixtures: the same mapping as live). */
export function mapRabbit(
  o: Json,
  ex: Json[],
  q: Json[],
  cons: Json[],
  b: Json[],
  conns: Json[],
  chans: Json[],
): RabbitData {
  const totals = o.object_totals ?? {};
  const queueTotals = o.queue_totals ?? {};
  const msgStats = o.message_stats ?? {};
  return {
    overview: {
      product: String(o.product_name ?? "RabbitMQ"),
      version: String(o.product_version ?? o.rabbitmq_version ?? ""),
      queues: num(totals.queues),
      exchanges: num(totals.exchanges),
      connections: num(totals.connections),
      consumers: num(totals.consumers),
      ready: num(queueTotals.messages_ready),
      unacked: num(queueTotals.messages_unacknowledged),
      publishRate: rate(msgStats.publish_details),
      deliverRate: rate(msgStats.deliver_get_details),
    },
    exchanges: ex.map((e) => ({
      vhost: String(e.vhost ?? "/"),
      name: String(e.name ?? ""),
      type: String(e.type ?? ""),
      durable: e.durable === true,
      autoDelete: e.auto_delete === true,
      internal: e.internal === true,
      inRate: rate(e.message_stats?.publish_in_details),
      outRate: rate(e.message_stats?.publish_out_details),
    })),
    queues: q.map((x) => ({
      vhost: String(x.vhost ?? "/"),
      name: String(x.name ?? ""),
      durable: x.durable === true,
      exclusive: x.exclusive === true,
      autoDelete: x.auto_delete === true,
      ready: num(x.messages_ready),
      unacked: num(x.messages_unacknowledged),
      consumers: num(x.consumers),
      inRate: rate(x.message_stats?.publish_details),
      outRate: rate(x.message_stats?.deliver_get_details),
      state: String(x.state ?? ""),
    })),
    consumers: cons.map((c) => ({
      tag: String(c.consumer_tag ?? ""),
      queue: String(c.queue?.name ?? ""),
      channel: String(c.channel_details?.name ?? ""),
      ackRequired: c.ack_required === true,
      prefetch: num(c.prefetch_count),
    })),
    bindings: b.map((x) => ({
      source: String(x.source ?? ""),
      destination: String(x.destination ?? ""),
      destinationType: String(x.destination_type ?? ""),
      routingKey: String(x.routing_key ?? ""),
      arguments: x.arguments && Object.keys(x.arguments).length > 0
        ? JSON.stringify(x.arguments)
        : "",
    })),
    connections: conns.map((c) => ({
      name: String(c.name ?? ""),
      user: String(c.user ?? ""),
      channels: num(c.channels),
      state: String(c.state ?? ""),
      client: String(c.client_properties?.product ?? ""),
    })),
    channels: chans.map((c) => ({
      name: String(c.name ?? ""),
      connection: String(c.connection_details?.name ?? ""),
      consumers: num(c.consumer_count),
      prefetch: num(c.prefetch_count),
      unacked: num(c.messages_unacknowledged),
      confirm: c.confirm === true,
    })),
  };
}
