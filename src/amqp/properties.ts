/**
 * Basic content properties (the content header's property list), driven by
 * the generated BASIC_PROPERTIES table.
 *
 * The property-flags word has one bit per property, most significant first
 * (bit 15 = contentType ... bit 2 = clusterId); bit 0 says another flags word
 * follows. Only present properties are on the wire, in table order.
 */

import { AmqpFrameError } from "./errors.ts";
import { readTable, writeTable } from "./field_table.ts";
import { BASIC_PROPERTIES, SYNTAX_ERROR } from "./spec.ts";
import { type Reader, shortstrTooLong, type Writer } from "./wire.ts";

export interface BasicProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, unknown>;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch (a bigint only beyond 2^53). */
  timestamp?: bigint | number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

const PROPS = BASIC_PROPERTIES.map((p) => ({ ...p, key: p.name as keyof BasicProperties }));
/** Flag bits that name a property; the others (bit 1, continuation aside) are unknown. */
const KNOWN_FLAGS = PROPS.reduce((m, p) => m | p.flag, 0);

/** Reads the flags word(s) and the present properties. */
export function readProperties(r: Reader): BasicProperties {
  const flags = r.u16();
  // Continuation words would name properties beyond the 14 that exist.
  if ((flags & 1) !== 0 || (flags & ~KNOWN_FLAGS & 0xffff) !== 0) {
    throw new AmqpFrameError(
      SYNTAX_ERROR,
      `property flags 0x${flags.toString(16)} name properties basic does not have`,
    );
  }
  const out: BasicProperties = {};
  if (flags === 0) return out;
  const o = out as Record<string, unknown>;
  for (const p of PROPS) {
    if ((flags & p.flag) === 0) continue;
    switch (p.type) {
      case "shortstr":
        o[p.key] = r.shortstr();
        break;
      case "octet":
        o[p.key] = r.u8();
        break;
      case "timestamp":
        o[p.key] = r.u64();
        break;
      case "table":
        o[p.key] = readTable(r);
        break;
      default:
        throw new Error(`unsupported property type ${p.type}`);
    }
  }
  return out;
}

/** Writes the flags word and the properties that are not undefined. */
export function writeProperties(w: Writer, props: BasicProperties): void {
  const flagsAt = w.pos;
  w.u16(0);
  let flags = 0;
  const o = props as Record<string, unknown>;
  for (const p of PROPS) {
    const v = o[p.key];
    if (v === undefined) continue;
    flags |= p.flag;
    switch (p.type) {
      case "shortstr":
        if (typeof v !== "string") throw new TypeError(`property '${p.key}' must be a string`);
        {
          const len = w.shortstrLength(v);
          if (len > 255) throw shortstrTooLong(`property '${p.key}'`, len);
        }
        break;
      case "octet":
        if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) {
          throw new RangeError(`property '${p.key}' must be an integer in [0, 255]`);
        }
        w.u8(v);
        break;
      case "timestamp":
        if (
          !(typeof v === "number" && Number.isSafeInteger(v) && v >= 0) &&
          !(typeof v === "bigint" && v >= 0n && v < 2n ** 64n)
        ) {
          throw new RangeError(`property '${p.key}' must be non-negative seconds`);
        }
        w.u64(v as number | bigint);
        break;
      case "table":
        if (typeof v !== "object" || v === null) {
          throw new TypeError(`property '${p.key}' must be an object`);
        }
        writeTable(w, v as Record<string, unknown>);
        break;
    }
  }
  w.buf[flagsAt] = flags >>> 8;
  w.buf[flagsAt + 1] = flags & 0xff;
}
