/**
 * AMQP values as the management API's JSON shows them (field tables,
 * message properties) and back. RabbitMQ renders longstr as text, integers
 * and timestamps as numbers; we do the same so tools read them unchanged.
 */
import { AmqpDecimal, type BasicProperties, FieldValue } from "../../amqp/mod.ts";

const utf8 = new TextDecoder();

/** Any decoded field value as plain JSON. */
export function toJson(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof FieldValue) return toJson(v.value);
  if (v instanceof AmqpDecimal) return v.value / 10 ** v.scale;
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (v instanceof Date) return Math.floor(v.getTime() / 1000);
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  }
  return v;
}

/** BasicProperties' field names against RabbitMQ's JSON names. */
const PROPERTY_NAMES: [keyof BasicProperties, string][] = [
  ["contentType", "content_type"],
  ["contentEncoding", "content_encoding"],
  ["headers", "headers"],
  ["deliveryMode", "delivery_mode"],
  ["priority", "priority"],
  ["correlationId", "correlation_id"],
  ["replyTo", "reply_to"],
  ["expiration", "expiration"],
  ["messageId", "message_id"],
  ["timestamp", "timestamp"],
  ["type", "type"],
  ["userId", "user_id"],
  ["appId", "app_id"],
  ["clusterId", "cluster_id"],
];

/** Message properties as RabbitMQ's JSON (snake_case; RabbitMQ sends `[]` when there are none). */
export function propertiesToJson(p: BasicProperties): Record<string, unknown> | [] {
  const out: Record<string, unknown> = {};
  for (const [ours, theirs] of PROPERTY_NAMES) {
    if (p[ours] !== undefined) out[theirs] = toJson(p[ours]);
  }
  return Object.keys(out).length === 0 ? [] : out;
}

/** Message properties from a publish request's JSON; unknown names are an error. */
export function propertiesFromJson(json: unknown): BasicProperties {
  if (json === undefined || (Array.isArray(json) && json.length === 0)) return {};
  if (!isObject(json)) throw new TypeError("properties must be an object");
  const byJson = new Map(PROPERTY_NAMES.map(([ours, theirs]) => [theirs, ours]));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    const ours = byJson.get(k);
    if (!ours) throw new TypeError(`unknown property '${k}'`);
    const numeric = ours === "deliveryMode" || ours === "priority" || ours === "timestamp";
    if (numeric && typeof v !== "number") throw new TypeError(`${k} must be a number`);
    if (ours === "headers" && !isObject(v)) throw new TypeError("headers must be an object");
    if (!numeric && ours !== "headers" && typeof v !== "string") {
      throw new TypeError(`${k} must be a string`);
    }
    out[ours] = v;
  }
  return out as BasicProperties;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
