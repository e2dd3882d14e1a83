/** `topic`: binding keys are patterns (`*` one word, `#` zero or more), see topic_matcher.ts. */
import type { FieldTable } from "../amqp/field_table.ts";
import { type Binding, type Destination, Exchange } from "./exchange.ts";
import { TopicMatcher } from "../routing/topic_matcher.ts";

export class TopicExchange extends Exchange {
  readonly #matcher = new TopicMatcher<Binding>();

  route(routingKey: string, _headers: FieldTable | undefined): Iterable<Destination> {
    return this.#matcher.match(routingKey);
  }

  protected indexAdd(binding: Binding): void {
    this.#matcher.add(binding.routingKey, binding);
  }

  protected indexRemove(binding: Binding): void {
    this.#matcher.remove(binding.routingKey, binding);
  }
}
