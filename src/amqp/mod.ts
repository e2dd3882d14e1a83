/**
 * AMQP 0-9-1 wire codec: frames, the spec's method table, field tables and
 * basic properties. Pure functions over bytes; no I/O.
 */

export { AmqpFrameError } from "./errors.ts";
export {
  AmqpDecimal,
  decodeFieldTable,
  encodeFieldTable,
  type FieldTable,
  type FieldTag,
  FieldValue,
  fieldValue,
} from "./field_table.ts";
export {
  encodeBodyFrames,
  encodeHeaderFrame,
  encodeMessageFrames,
  encodeMethodFrame,
  type Frame,
  FrameParser,
  type FrameParserOptions,
  HEARTBEAT_FRAME,
  type MessageFramesOptions,
  PROTOCOL_HEADER,
  writeMessageFrames,
} from "./frame.ts";
export {
  type CompiledMethod,
  type Method,
  type MethodArgsInput,
  methodById,
  methodByName,
  type MethodOf,
} from "./method.ts";
export type { BasicProperties } from "./properties.ts";
export { Writer } from "./wire.ts";
export * from "./spec.ts";
