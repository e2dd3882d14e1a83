/**
 * `headers`: the routing key is ignored; a binding's arguments are compared
 * with the message's headers. `x-match` is `all` (the default: every argument
 * present and equal) or `any` (at least one); arguments starting with `x-`
 * take no part, unless `x-match` is `all-with-x` / `any-with-x`. An argument
 * of type void matches on presence alone.
 */
import type { FieldTable } from "../amqp/field_table.ts";
import { type Binding, canonicalTable, type Destination, Exchange } from "./exchange.ts";

export function headersMatch(bindingArgs: FieldTable, headers: FieldTable | undefined): boolean {
  const mode = bindingArgs["x-match"];
  const any = mode === "any" || mode === "any-with-x";
  const withX = mode === "all-with-x" || mode === "any-with-x";
  const h = headers ?? {};
  for (const [key, want] of Object.entries(bindingArgs)) {
    if (key.startsWith("x-") && !(withX && key !== "x-match")) continue;
    const present = Object.hasOwn(h, key);
    const ok = present && (want === null || want === undefined || sameValue(want, h[key]));
    if (any && ok) return true;
    if (!any && !ok) return false;
  }
  // `all` over zero arguments matches everything; `any` over zero matches nothing.
  return !any;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return canonicalTable({ v: a }) === canonicalTable({ v: b });
  }
  // 64-bit integers may decode as bigint on one side and number on the other.
  const x = asBigInt(a), y = asBigInt(b);
  return x !== undefined && x === y;
}

export class HeadersExchange extends Exchange {
  route(_routingKey: string, headers: FieldTable | undefined): Iterable<Destination> {
    const out: Destination[] = [];
    for (const b of this.bindings.values()) if (headersMatch(b.arguments, headers)) out.push(b);
    return out;
  }

  protected indexAdd(_binding: Binding): void {}
  protected indexRemove(_binding: Binding): void {}
}

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}
