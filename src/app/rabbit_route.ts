/**
 * The routing explainer's lines: a routing key through one exchange, each
 * binding with whether it matches and why. Topic bindings are explained word
 * by word by the broker's own matcher (`routing/`), so the panel applies the
 * same rule the broker does; direct compares whole keys, fanout takes every
 * binding, headers are not explained here (they match on headers, not keys).
 */
import { explainTopic } from "../routing/topic_explain.ts";
import type { BindingRow, ExchangeRow } from "./mgmt_api.ts";

export function routeLines(
  exchange: ExchangeRow,
  bindings: readonly BindingRow[],
  key: string,
): string[] {
  const name = exchange.name || "(AMQP default)";
  if (exchange.type === "headers") {
    return [`'${name}' is a headers exchange: it routes on headers, not on the key '${key}'`];
  }
  const verdicts = bindings.map((b) => {
    const to = `${b.destinationType} ${b.destination}`;
    if (exchange.type === "fanout") return { ok: true, text: `${to}: fanout takes every binding` };
    if (exchange.type === "topic") {
      const { matches, steps } = explainTopic(b.routingKey, key);
      return {
        ok: matches,
        text: `'${b.routingKey}' -> ${to}: ${steps.join("; ") || "both empty"}`,
      };
    }
    const ok = b.routingKey === key;
    return {
      ok,
      text: `'${b.routingKey}' -> ${to}: ${ok ? "equals the key" : "is not the key"}`,
    };
  });
  const n = verdicts.filter((v) => v.ok).length;
  return [
    `key '${key}' through ${exchange.type} '${name}': ${n} of ${bindings.length} bindings match ` +
    "(Esc clears)",
    ...verdicts.map((v) => `${v.ok ? "match" : "no   "} ${v.text}`),
  ];
}
