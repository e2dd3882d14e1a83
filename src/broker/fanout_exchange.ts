/** `fanout`: every binding matches, whatever the routing key. */
import type { FieldTable } from "../amqp/field_table.ts";
import { type Binding, type Destination, Exchange } from "./exchange.ts";

export class FanoutExchange extends Exchange {
  route(_routingKey: string, _headers: FieldTable | undefined): Iterable<Destination> {
    return this.bindings.values();
  }

  protected indexAdd(_binding: Binding): void {}
  protected indexRemove(_binding: Binding): void {}
}
