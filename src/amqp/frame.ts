/**
 * AMQP 0-9-1 frames: the incremental parser and the frame encoders.
 *
 * Every frame has the same envelope:
 *
 *   0      1         3             7                  size+7  size+8
 *   +------+---------+-------------+  +-------------+  +-----------+
 *   | type | channel |    size     |  |   payload   |  | frame-end |
 *   +------+---------+-------------+  +-------------+  +-----------+
 *    octet   short      long           'size' octets      0xCE
 *
 * type 1 METHOD     payload: class-id short, method-id short, arguments...
 * type 2 HEADER     payload: class-id short, weight short (0), body-size longlong,
 *                            property-flags short, property list...
 * type 3 BODY       payload: the next piece of the message body (opaque)
 * type 8 HEARTBEAT  payload: empty, channel 0
 *
 * The parser is strict: it reads the 7-byte header first and rejects an
 * unknown type or a size above frame_max *before* waiting for (or allocating)
 * the payload, and checks the frame-end octet before decoding anything.
 * Before the whole frame is buffered, next() returns null ("not yet").
 */

import { AmqpFrameError } from "./errors.ts";
import {
  type CompiledMethod,
  decodeMethod,
  type Method,
  type MethodArgsInput,
  mustMethod,
  writeMethod,
} from "./method.ts";
import { type BasicProperties, readProperties, writeProperties } from "./properties.ts";
import {
  type ContentMethodName,
  FRAME_BODY,
  FRAME_END,
  FRAME_ERROR,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  type MethodName,
  SYNTAX_ERROR,
  UNEXPECTED_FRAME,
} from "./spec.ts";
import { Reader, Writer } from "./wire.ts";

export type Frame =
  | { type: "method"; channel: number; method: Method }
  | {
    type: "header";
    channel: number;
    classId: number;
    bodySize: number;
    properties: BasicProperties;
  }
  | { type: "body"; channel: number; payload: Uint8Array }
  | { type: "heartbeat"; channel: number };

/** Type octet + channel short + size long. */
const HEADER_SIZE = 7;
/** Header plus the frame-end octet: what frame_max must leave room for. */
const OVERHEAD = 8;

export interface FrameParserOptions {
  /** Largest whole frame accepted, header and frame-end included (0 = no limit). */
  frameMax: number;
}

/**
 * Turns a byte stream into frames. Feed it with push(), drain it with next().
 *
 * push() takes ownership of the bytes: body payloads are returned as views
 * into the pushed chunks (no copy) whenever a frame lies within one chunk, so
 * the caller must not reuse a buffer after pushing it. A view keeps its whole
 * chunk alive: whoever stores bodies for long (queues) should copy them
 * (`payload.slice()`) unless the view is its whole buffer, as the payload of
 * a body frame spanning chunks is (it is gathered into a buffer of its own). After an error every
 * further next() throws the same error (the connection is going away).
 */
export class FrameParser {
  /** Settable after connection.tune-ok. */
  frameMax: number;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #pos = 0;
  #avail = 0;
  #failed: AmqpFrameError | undefined;
  #hdr = new Uint8Array(HEADER_SIZE);

  constructor(opts: FrameParserOptions) {
    this.frameMax = opts.frameMax;
  }

  /** Bytes pushed but not yet consumed by a returned frame. */
  get buffered(): number {
    return this.#avail;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#avail += bytes.length;
  }

  next(): Frame | null {
    if (this.#failed) throw this.#failed;
    try {
      return this.#next();
    } catch (e) {
      if (e instanceof AmqpFrameError) this.#failed = e;
      throw e;
    }
  }

  #next(): Frame | null {
    if (this.#avail < HEADER_SIZE) return null;
    const chunk = this.#chunks[this.#head]!;
    let hb: Uint8Array = chunk;
    let hp = this.#pos;
    if (chunk.length - hp < HEADER_SIZE) {
      this.#copyOut(this.#hdr, HEADER_SIZE);
      hb = this.#hdr;
      hp = 0;
    }
    const type = hb[hp]!;
    const channel = (hb[hp + 1]! << 8) | hb[hp + 2]!;
    const size = ((hb[hp + 3]! << 24) | (hb[hp + 4]! << 16) | (hb[hp + 5]! << 8) | hb[hp + 6]!) >>>
      0;
    if (
      type !== FRAME_METHOD && type !== FRAME_HEADER && type !== FRAME_BODY &&
      type !== FRAME_HEARTBEAT
    ) {
      throw new AmqpFrameError(FRAME_ERROR, `unknown frame type ${type}`);
    }
    if (this.frameMax !== 0 && size > this.frameMax - OVERHEAD) {
      throw new AmqpFrameError(
        FRAME_ERROR,
        `frame of ${size + OVERHEAD} bytes exceeds frame_max ${this.frameMax}`,
      );
    }
    const total = size + OVERHEAD;
    if (this.#avail < total) return null;

    let bytes: Uint8Array;
    let start: number;
    if (chunk.length - this.#pos >= total) {
      bytes = chunk;
      start = this.#pos;
      this.#consume(total);
    } else if (type === FRAME_BODY) {
      // A body spanning chunks (a big message): its payload is gathered
      // into a buffer of its own, so whoever keeps it need not copy it again.
      return this.#spanningBody(channel, size);
    } else {
      // The frame spans chunks: gather it (size already checked, so this allocation is bounded).
      bytes = new Uint8Array(total);
      start = 0;
      this.#copyOut(bytes, total);
      this.#consume(total);
    }
    const end = start + HEADER_SIZE + size;
    if (bytes[end] !== FRAME_END) {
      throw new AmqpFrameError(
        FRAME_ERROR,
        `bad frame end 0x${bytes[end]!.toString(16)} (expected 0x${
          FRAME_END.toString(16)
        }) after a type ${type} frame`,
      );
    }
    const ps = start + HEADER_SIZE;
    switch (type) {
      case FRAME_METHOD:
        return { type: "method", channel, method: decodeMethod(bytes, ps, end) };
      case FRAME_HEADER: {
        if (channel === 0) {
          throw new AmqpFrameError(UNEXPECTED_FRAME, "content header on channel 0");
        }
        return decodeHeader(bytes, ps, end, channel);
      }
      case FRAME_BODY:
        if (channel === 0) throw new AmqpFrameError(UNEXPECTED_FRAME, "content body on channel 0");
        return { type: "body", channel, payload: bytes.subarray(ps, end) };
      default: // FRAME_HEARTBEAT
        if (size !== 0) {
          throw new AmqpFrameError(FRAME_ERROR, `heartbeat frame with ${size} byte payload`);
        }
        if (channel !== 0) {
          throw new AmqpFrameError(UNEXPECTED_FRAME, `heartbeat frame on channel ${channel}`);
        }
        return { type: "heartbeat", channel };
    }
  }

  #spanningBody(channel: number, size: number): Frame {
    const payload = new Uint8Array(size);
    this.#copyOut(payload, size, HEADER_SIZE);
    this.#copyOut(this.#hdr, 1, HEADER_SIZE + size);
    this.#consume(size + OVERHEAD);
    if (this.#hdr[0] !== FRAME_END) {
      throw new AmqpFrameError(
        FRAME_ERROR,
        `bad frame end 0x${this.#hdr[0]!.toString(16)} (expected 0x${
          FRAME_END.toString(16)
        }) after a type ${FRAME_BODY} frame`,
      );
    }
    if (channel === 0) throw new AmqpFrameError(UNEXPECTED_FRAME, "content body on channel 0");
    return { type: "body", channel, payload };
  }

  /** Copies n buffered bytes, `skip` bytes ahead, into dst without consuming them. */
  #copyOut(dst: Uint8Array, n: number, skip = 0): void {
    let i = this.#head;
    let p = this.#pos + skip;
    while (p >= this.#chunks[i]!.length) p -= this.#chunks[i++]!.length;
    let off = 0;
    while (off < n) {
      const c = this.#chunks[i]!;
      const take = Math.min(c.length - p, n - off);
      dst.set(c.subarray(p, p + take), off);
      off += take;
      i++;
      p = 0;
    }
  }

  #consume(n: number): void {
    this.#avail -= n;
    let pos = this.#pos + n;
    const chunks = this.#chunks;
    while (this.#head < chunks.length && pos >= chunks[this.#head]!.length) {
      pos -= chunks[this.#head]!.length;
      // Drop the reference so a consumed chunk can be collected.
      (chunks as (Uint8Array | undefined)[])[this.#head] = undefined;
      this.#head++;
    }
    this.#pos = pos;
    if (this.#head === chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 64) {
      this.#chunks = chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}

function decodeHeader(bytes: Uint8Array, start: number, end: number, channel: number): Frame {
  const r = new Reader(bytes, start, end);
  const classId = r.u16();
  r.u16(); // weight: unused, always 0
  const bodySize = r.u64();
  if (typeof bodySize !== "number") {
    throw new AmqpFrameError(SYNTAX_ERROR, `content header body size ${bodySize} is too large`);
  }
  const properties = readProperties(r);
  if (r.pos !== end) {
    throw new AmqpFrameError(
      SYNTAX_ERROR,
      `${end - r.pos} unexpected bytes after content properties`,
    );
  }
  return { type: "header", channel, classId, bodySize, properties };
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

/** Sent by a client to open a connection: "AMQP" 0 0 9 1. */
export const PROTOCOL_HEADER: Uint8Array = new Uint8Array([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export const HEARTBEAT_FRAME: Uint8Array = new Uint8Array([
  FRAME_HEARTBEAT,
  0,
  0,
  0,
  0,
  0,
  0,
  FRAME_END,
]);

const scratch = new Writer(64 * 1024);

function startFrame(w: Writer, type: number, channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 0xffff) {
    throw new RangeError(`channel must be an integer in [0, 65535], got ${channel}`);
  }
  w.u8(type);
  w.u16(channel);
  const sizeAt = w.pos;
  w.u32(0);
  return sizeAt;
}

function endFrame(w: Writer, sizeAt: number): void {
  w.u32At(sizeAt, w.pos - sizeAt - 4);
  w.u8(FRAME_END);
}

function writeMethodFrame<N extends MethodName>(
  w: Writer,
  channel: number,
  name: N,
  args: MethodArgsInput<N>,
) {
  writeMethodFrameOf(w, channel, mustMethod(name), args);
}

function writeMethodFrameOf(
  w: Writer,
  channel: number,
  def: CompiledMethod,
  args: Record<string, unknown>,
) {
  const sizeAt = startFrame(w, FRAME_METHOD, channel);
  writeMethod(w, def, args);
  endFrame(w, sizeAt);
}

function writeHeaderFrame(
  w: Writer,
  channel: number,
  classId: number,
  bodySize: number,
  props: BasicProperties,
) {
  if (!Number.isSafeInteger(bodySize) || bodySize < 0) {
    throw new RangeError(`body size must be a non-negative safe integer, got ${bodySize}`);
  }
  const sizeAt = startFrame(w, FRAME_HEADER, channel);
  w.u16(classId);
  w.u16(0);
  w.u64(bodySize);
  writeProperties(w, props);
  endFrame(w, sizeAt);
}

function maxBodyPayload(frameMax: number): number {
  if (frameMax === 0) return Infinity;
  if (!Number.isInteger(frameMax) || frameMax <= OVERHEAD) {
    throw new RangeError(`frame_max ${frameMax} leaves no room for a body`);
  }
  return frameMax - OVERHEAD;
}

/** A method frame; missing arguments get their defaults (0, "", false, {}). */
export function encodeMethodFrame<N extends MethodName>(
  channel: number,
  name: N,
  args: MethodArgsInput<N> = {},
): Uint8Array {
  const w = scratch.reset();
  writeMethodFrame(w, channel, name, args);
  return w.finish();
}

export function encodeHeaderFrame(
  channel: number,
  classId: number,
  bodySize: number,
  props: BasicProperties,
): Uint8Array {
  const w = scratch.reset();
  writeHeaderFrame(w, channel, classId, bodySize, props);
  return w.finish();
}

/** The body split into frames of at most frameMax bytes each (0 = one frame). No frames for an empty body. */
export function encodeBodyFrames(
  channel: number,
  body: Uint8Array,
  frameMax: number,
): Uint8Array[] {
  const max = maxBodyPayload(frameMax);
  const frames: Uint8Array[] = [];
  for (let off = 0; off < body.length; off += max) {
    const n = Math.min(max, body.length - off);
    const f = new Uint8Array(n + OVERHEAD);
    f[0] = FRAME_BODY;
    f[1] = channel >>> 8;
    f[2] = channel & 0xff;
    f[3] = n >>> 24;
    f[4] = n >>> 16;
    f[5] = n >>> 8;
    f[6] = n;
    f.set(body.subarray(off, off + n), HEADER_SIZE);
    f[n + HEADER_SIZE] = FRAME_END;
    frames.push(f);
  }
  return frames;
}

export interface MessageFramesOptions<N extends ContentMethodName = ContentMethodName> {
  channel: number;
  /** A content method: `basic.publish`, `basic.deliver`, `basic.return` or `basic.get-ok`. */
  method: N;
  args: MethodArgsInput<N>;
  properties: BasicProperties;
  body: Uint8Array;
  frameMax: number;
}

/**
 * Method + content header + body frames of one message in a single buffer
 * (one allocation, one write: the broker's delivery path for big bodies).
 * The body is copied once, straight into the result.
 */
export function encodeMessageFrames<N extends ContentMethodName>(
  opts: MessageFramesOptions<N>,
): Uint8Array {
  const w = scratch.reset();
  const { channel, body } = opts;
  const max = writeMessageHead(w, opts);
  const head = w.pos;
  const out = new Uint8Array(head + bodyFramesSize(body.length, max));
  // A loop beats a subarray view for the hundred-odd bytes of method and header.
  const src = w.buf;
  for (let i = 0; i < head; i++) out[i] = src[i]!;
  writeBodyFrames(out, head, channel, body, max);
  return out;
}

/**
 * The same frames appended to `w` (the broker writes small deliveries
 * straight into a connection's pending output: no buffer per message).
 */
export function writeMessageFrames<N extends ContentMethodName>(
  w: Writer,
  opts: MessageFramesOptions<N>,
): void {
  const max = writeMessageHead(w, opts);
  const size = bodyFramesSize(opts.body.length, max);
  w.ensure(size);
  writeBodyFrames(w.buf, w.pos, opts.channel, opts.body, max);
  w.pos += size;
}

/** Writes the method and content header frames; returns the largest body payload per frame. */
function writeMessageHead<N extends ContentMethodName>(
  w: Writer,
  opts: MessageFramesOptions<N>,
): number {
  const def = mustMethod(opts.method);
  if (!def.content) throw new TypeError(`${opts.method} does not carry content`);
  const max = maxBodyPayload(opts.frameMax);
  writeMethodFrameOf(w, opts.channel, def, opts.args);
  writeHeaderFrame(w, opts.channel, def.classId, opts.body.length, opts.properties);
  return max;
}

function bodyFramesSize(bodyLength: number, max: number): number {
  const frames = bodyLength === 0 ? 0 : Math.ceil(bodyLength / Math.min(max, bodyLength));
  return bodyLength + frames * OVERHEAD;
}

function writeBodyFrames(
  out: Uint8Array,
  at: number,
  channel: number,
  body: Uint8Array,
  max: number,
): void {
  for (let off = 0; off < body.length; off += max) {
    const n = Math.min(max, body.length - off);
    out[at] = FRAME_BODY;
    out[at + 1] = channel >>> 8;
    out[at + 2] = channel & 0xff;
    out[at + 3] = n >>> 24;
    out[at + 4] = n >>> 16;
    out[at + 5] = n >>> 8;
    out[at + 6] = n;
    out.set(n === body.length ? body : body.subarray(off, off + n), at + HEADER_SIZE);
    out[at + HEADER_SIZE + n] = FRAME_END;
    at += n + OVERHEAD;
  }
}
