/** `direct`: a binding matches when its key equals the routing key. */
import type { FieldTable } from "../amqp/field_table.ts";
import { type Binding, type Destination, Exchange } from "./exchange.ts";

export class DirectExchange extends Exchange {
  readonly #byKey = new Map<string, Set<Binding>>();

  route(routingKey: string, _headers: FieldTable | undefined): Iterable<Destination> {
    return this.#byKey.get(routingKey) ?? [];
  }

  protected indexAdd(binding: Binding): void {
    let set = this.#byKey.get(binding.routingKey);
    if (!set) this.#byKey.set(binding.routingKey, set = new Set());
    set.add(binding);
  }

  protected indexRemove(binding: Binding): void {
    const set = this.#byKey.get(binding.routingKey);
    set?.delete(binding);
    if (set?.size === 0) this.#byKey.delete(binding.routingKey);
  }
}
