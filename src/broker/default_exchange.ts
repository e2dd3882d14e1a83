/**
 * The default exchange `""`: every queue is implicitly bound to it with its
 * own name as the key. It holds no bindings (binding to it is refused by the
 * vhost with 403), so routing is just "the queue named like the key".
 */
import type { FieldTable } from "../amqp/field_table.ts";
import { type Binding, type Destination, Exchange } from "./exchange.ts";

export class DefaultExchange extends Exchange {
  constructor() {
    super("", "direct", { durable: true, autoDelete: false, internal: false, arguments: {} });
  }

  route(routingKey: string, _headers: FieldTable | undefined): Iterable<Destination> {
    return [{ kind: "queue", name: routingKey }];
  }

  protected indexAdd(_binding: Binding): void {
    throw new TypeError("the default exchange cannot hold bindings");
  }

  protected indexRemove(_binding: Binding): void {}
}
