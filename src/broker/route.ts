/**
 * Where a published message goes within a vhost: the queues it reaches from
 * its exchange, following exchange-to-exchange bindings and alternate
 * exchanges, each queue once. The common case (only queues, at least one)
 * takes a short path with nothing to follow.
 */
import type { FieldTable } from "../amqp/field_table.ts";
import type { Exchange } from "./exchange.ts";
import type { Queue } from "./queue.ts";

/** The vhost's exchanges and queues by name. */
export interface RouteGraph {
  readonly exchanges: ReadonlyMap<string, Exchange>;
  readonly queues: ReadonlyMap<string, Queue>;
}

export function routeToQueues(
  g: RouteGraph,
  x: Exchange,
  routingKey: string,
  headers: FieldTable | undefined,
): Set<Queue> {
  let direct: Set<Queue> | undefined;
  for (const d of x.route(routingKey, headers)) {
    if (d.kind !== "queue") return routeGraph(g, x, routingKey, headers);
    const q = g.queues.get(d.name);
    if (q) (direct ??= new Set()).add(q);
  }
  // Nothing routed: the alternate exchange, if any, has its say.
  return direct ?? routeGraph(g, x, routingKey, headers);
}

function routeGraph(
  g: RouteGraph,
  x: Exchange,
  routingKey: string,
  headers: FieldTable | undefined,
): Set<Queue> {
  const queues = new Set<Queue>();
  const visited = new Set<Exchange>();
  const visit = (ex: Exchange): void => {
    if (visited.has(ex)) return;
    visited.add(ex);
    const before = queues.size;
    let routedToExchange = false;
    for (const d of ex.route(routingKey, headers)) {
      if (d.kind === "queue") {
        const q = g.queues.get(d.name);
        if (q) queues.add(q);
      } else {
        const next = g.exchanges.get(d.name);
        if (next) {
          routedToExchange = true;
          visit(next);
        }
      }
    }
    if (queues.size === before && !routedToExchange) {
      const ae = ex.options.arguments["alternate-exchange"];
      const alt = typeof ae === "string" ? g.exchanges.get(ae) : undefined;
      if (alt) visit(alt);
    }
  };
  visit(x);
  return queues;
}
