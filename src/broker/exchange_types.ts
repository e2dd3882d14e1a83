/** The exchange types the broker knows, by their AMQP type name. */
import { DirectExchange } from "./direct_exchange.ts";
import type { Exchange, ExchangeOptions } from "./exchange.ts";
import { FanoutExchange } from "./fanout_exchange.ts";
import { HeadersExchange } from "./headers_exchange.ts";
import { TopicExchange } from "./topic_exchange.ts";

type ExchangeClass = new (name: string, type: string, options: ExchangeOptions) => Exchange;

const TYPES: ReadonlyMap<string, ExchangeClass> = new Map<string, ExchangeClass>([
  ["direct", DirectExchange],
  ["fanout", FanoutExchange],
  ["topic", TopicExchange],
  ["headers", HeadersExchange],
]);

export function isExchangeType(type: string): boolean {
  return TYPES.has(type);
}

/** A new exchange of `type`, or undefined when the type is unknown. */
export function createExchange(
  name: string,
  type: string,
  options: ExchangeOptions,
): Exchange | undefined {
  const cls = TYPES.get(type);
  return cls ? new cls(name, type, options) : undefined;
}
