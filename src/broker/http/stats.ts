/**
 * Which counters each object has, under RabbitMQ's JSON names: the sampler
 * reads them every second and the endpoints show them with their rates.
 * Totals of a vhost add its live queues to the counts of its deleted ones.
 */
import type { BrokerCore } from "../broker.ts";
import { Connection } from "../connection.ts";
import type { Exchange } from "../exchange.ts";
import type { QueueStats } from "../message_stats.ts";
import type { Queue } from "../queue.ts";
import type { Vhost } from "../vhost.ts";
import type { Counters } from "./rates.ts";

function queueMessageStats(s: QueueStats): Counters {
  return {
    ack: s.ack,
    deliver: s.deliver,
    deliver_get: s.deliver + s.deliverNoAck + s.get + s.getNoAck,
    deliver_no_ack: s.deliverNoAck,
    get: s.get,
    get_empty: s.getEmpty,
    get_no_ack: s.getNoAck,
    publish: s.publish,
    redeliver: s.redeliver,
  };
}

/** A queue's `message_stats` counters. */
export function queueStats(q: Queue): Counters {
  return queueMessageStats(q.stats);
}

/** A queue's message counts (`messages`, `messages_ready`, `messages_unacknowledged`). */
export function queueDepth(q: Queue): Counters {
  return {
    messages: q.messageCount + q.unackedCount,
    messages_ready: q.messageCount,
    messages_unacknowledged: q.unackedCount,
  };
}

export function exchangeStats(x: Exchange): Counters {
  return { publish_in: x.publishIn, publish_out: x.publishOut };
}

/** A vhost's `message_stats`: its queues', live and deleted, and its publishes. */
export function vhostStats(v: Vhost): Counters {
  const total = queueMessageStats(v.stats.retired);
  for (const q of v.queues.values()) addInto(total, queueStats(q));
  total.publish = v.stats.publish;
  total.drop_unroutable = v.stats.dropUnroutable;
  total.return_unroutable = v.stats.returnUnroutable;
  return total;
}

export function vhostDepth(v: Vhost): Counters {
  const total: Counters = { messages: 0, messages_ready: 0, messages_unacknowledged: 0 };
  for (const q of v.queues.values()) addInto(total, queueDepth(q));
  return total;
}

/** Bytes in and out of a connection's socket. */
export function connectionStats(c: Connection): Counters {
  return { recv_oct: c.socket.bytesRead, send_oct: c.socket.bytesWritten };
}

export function connectionsOf(core: BrokerCore): Connection[] {
  return [...core.connections].filter((c): c is Connection => c instanceof Connection);
}

/** Sums `part` into `total`, counter by counter. */
export function addInto(total: Counters, part: Counters): Counters {
  for (const k in part) total[k] = (total[k] ?? 0) + part[k]!;
  return total;
}

/**
 * Everything the sampler reads, each object under its own key: a vhost's
 * message stats under `v.stats` and its depth under `v`, a queue's likewise,
 * the broker's totals under `core` and `core.vhosts`.
 */
export function* allCounters(core: BrokerCore): Iterable<[object, Counters]> {
  const stats: Counters = {}, depth: Counters = {};
  for (const v of core.vhosts.values()) {
    const vs = vhostStats(v), vd = vhostDepth(v);
    yield [v.stats, vs];
    yield [v, vd];
    addInto(stats, vs);
    addInto(depth, vd);
    for (const q of v.queues.values()) {
      yield [q.stats, queueStats(q)];
      yield [q, queueDepth(q)];
    }
    for (const x of v.exchanges.values()) yield [x, exchangeStats(x)];
  }
  for (const c of connectionsOf(core)) yield [c, connectionStats(c)];
  yield [core, stats];
  yield [core.vhosts, depth];
}
