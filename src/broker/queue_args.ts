/**
 * Queue `x-` arguments: validation on declare and the equivalence check on
 * redeclare, with RabbitMQ's reply texts (`invalid arg 'x-message-ttl' for
 * queue 'q' in vhost '/': {value_negative,-1}`).
 */
import type { FieldTable } from "../amqp/field_table.ts";
import { AmqpError, notImplemented, preconditionFailed } from "./errors.ts";

export type Overflow = "drop-head" | "reject-publish" | "reject-publish-dlx";

export interface QueueArgs {
  messageTtl?: number;
  expires?: number;
  maxLength?: number;
  maxLengthBytes?: number;
  overflow: Overflow;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  maxPriority?: number;
  /** Only the first consumer receives, the next takes over when it goes. */
  singleActiveConsumer: boolean;
}

/** Arguments compared on redeclare (RabbitMQ's declare_args). */
const EQUIVALENCE_KEYS = [
  "x-expires",
  "x-message-ttl",
  "x-dead-letter-exchange",
  "x-dead-letter-routing-key",
  "x-max-length",
  "x-max-length-bytes",
  "x-max-priority",
  "x-overflow",
  "x-queue-mode",
  "x-queue-type",
  "x-single-active-consumer",
];

/** RabbitMQ's type name for a decoded field value (ints named the way amqplib sizes them). */
export function fieldTypeName(v: unknown): string {
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "string":
      return "longstr";
    case "bigint":
      return "long";
    case "number":
      if (!Number.isInteger(v)) return "double";
      if (v >= -128 && v <= 127) return "byte";
      if (v >= -32768 && v <= 32767) return "short";
      if (v >= -(2 ** 31) && v < 2 ** 31) return "signedint";
      return "long";
    case "object":
      if (v === null) return "void";
      if (v instanceof Uint8Array) return "binary";
      if (Array.isArray(v)) return "array";
      if (v instanceof Date) return "timestamp";
      return "table";
    default:
      return "void";
  }
}

function typeClass(v: unknown): string {
  const t = fieldTypeName(v);
  return ["byte", "short", "signedint", "long"].includes(t) ? "int" : t;
}

function show(v: unknown): string {
  return typeof v === "object" && v !== null && !(v instanceof Date) ? JSON.stringify(v) : String(
    v instanceof Date ? Math.floor(v.getTime() / 1000) : v,
  );
}

function sameArg(a: unknown, b: unknown): boolean {
  if (typeClass(a) !== typeClass(b)) return false;
  if (typeof a === "bigint" || typeof b === "bigint") {
    return BigInt(a as number) === BigInt(b as number);
  }
  return show(a) === show(b);
}

/** Whose arguments are compared (for the error text), and which of them count. */
export interface ArgsEquivalenceOptions {
  kind: "queue" | "exchange";
  name: string;
  vhost: string;
  /** The arguments compared (default: those RabbitMQ compares for a queue). */
  keys?: readonly string[];
}

/**
 * Throws 406 unless `incoming` matches `current` for every compared key
 * (RabbitMQ's assert_args_equivalence wording).
 */
export function assertArgsEquivalent(
  current: FieldTable,
  incoming: FieldTable,
  opts: ArgsEquivalenceOptions,
): void {
  const { kind, name, vhost, keys = EQUIVALENCE_KEYS } = opts;
  for (const key of keys) {
    const had = Object.hasOwn(current, key) ? current[key] : undefined;
    const got = Object.hasOwn(incoming, key) ? incoming[key] : undefined;
    if (had === undefined && got === undefined) continue;
    if (had !== undefined && got !== undefined && sameArg(had, got)) continue;
    const describe = (v: unknown) =>
      v === undefined ? "none" : `the value '${show(v)}' of type '${fieldTypeName(v)}'`;
    const detail = had !== undefined && got !== undefined && typeClass(had) === typeClass(got)
      ? `received '${show(got)}' but current is '${show(had)}'`
      : `received ${describe(got)} but current is ${describe(had)}`;
    throw preconditionFailed(
      `inequivalent arg '${key}' for ${kind} '${name}' in vhost '${vhost}': ${detail}`,
    );
  }
}

/** The `x-priority` argument of a basic.consume: an integer, 0 when absent. */
export function parseConsumerPriority(queue: string, vhost: string, args: FieldTable): number {
  if (!Object.hasOwn(args, "x-priority")) return 0;
  return integerArg("x-priority", args["x-priority"], queue, vhost);
}

/** An integer x-argument of any AMQP integer width, or 406 naming the type it has. */
function integerArg(key: string, raw: unknown, queue: string, vhost: string): number {
  const v = typeof raw === "bigint" ? Number(raw) : raw;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw invalid(key, queue, vhost, `"expected integer, got ${fieldTypeName(raw)}"`);
  }
  return v;
}

function invalid(key: string, queue: string, vhost: string, why: string): AmqpError {
  return preconditionFailed(
    `invalid arg '${key}' for queue '${queue}' in vhost '${vhost}': ${why}`,
  );
}

/** Validates and parses the x-arguments of a queue.declare. */
export function parseQueueArgs(queue: string, vhost: string, args: FieldTable): QueueArgs {
  const int = (
    key: string,
    { min = 0, max = Number.MAX_SAFE_INTEGER, zeroOk = true }: {
      min?: number;
      max?: number;
      zeroOk?: boolean;
    } = {},
  ): number | undefined => {
    if (!Object.hasOwn(args, key)) return undefined;
    const v = integerArg(key, args[key], queue, vhost);
    if (v < 0 && min >= 0) throw invalid(key, queue, vhost, `{value_negative,${v}}`);
    if (v === 0 && !zeroOk) throw invalid(key, queue, vhost, `{value_zero,${v}}`);
    if (v > max) throw invalid(key, queue, vhost, `{max_value_exceeded,${v}}`);
    return v;
  };
  const str = (key: string): string | undefined => {
    if (!Object.hasOwn(args, key)) return undefined;
    const v = args[key];
    if (typeof v !== "string") {
      throw invalid(key, queue, vhost, `"expected longstr, got ${fieldTypeName(v)}"`);
    }
    return v;
  };

  const bool = (key: string): boolean | undefined => {
    if (!Object.hasOwn(args, key)) return undefined;
    const v = args[key];
    if (typeof v !== "boolean") {
      throw invalid(key, queue, vhost, `{unacceptable_type,${fieldTypeName(v)}}`);
    }
    return v;
  };

  const type = str("x-queue-type");
  if (type !== undefined && type !== "classic") {
    if (type === "quorum" || type === "stream") {
      throw notImplemented(
        `queue type '${type}' is not supported by the embedded broker (declare '${queue}' as a classic queue)`,
      );
    }
    throw invalid("x-queue-type", queue, vhost, `"unsupported queue type '${type}'"`);
  }
  const overflow = str("x-overflow") ?? "drop-head";
  if (!["drop-head", "reject-publish", "reject-publish-dlx"].includes(overflow)) {
    throw invalid("x-overflow", queue, vhost, "invalid_overflow");
  }
  const deadLetterExchange = str("x-dead-letter-exchange");
  const deadLetterRoutingKey = str("x-dead-letter-routing-key");
  if (deadLetterRoutingKey !== undefined && deadLetterExchange === undefined) {
    throw invalid("x-dead-letter-routing-key", queue, vhost, "routing_key_but_no_dlx_defined");
  }
  return {
    messageTtl: int("x-message-ttl"),
    expires: int("x-expires", { zeroOk: false }),
    maxLength: int("x-max-length"),
    maxLengthBytes: int("x-max-length-bytes"),
    maxPriority: int("x-max-priority", { max: 255 }),
    singleActiveConsumer: bool("x-single-active-consumer") ?? false,
    overflow: overflow as Overflow,
    deadLetterExchange,
    deadLetterRoutingKey,
  };
}
