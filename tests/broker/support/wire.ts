/**
 * The test suite's own AMQP 0-9-1 frame codec, for what amqplib cannot
 * express (bad protocol headers, raw heartbeats, frames out of order): frame
 * constants, a big-endian argument Writer/Reader, frame builders (method,
 * content header and body, basic.publish) and connection/channel close
 * decoding.
 *
 * It deliberately does not use src/amqp: the codec under test must not be
 * the codec that checks it. The socket side is raw_client.ts.
 */

// Frame layout:
//
//   0      1         3             7                  size+7 size+8
//   +------+---------+-------------+  +------------+  +-----------+
//   | type | channel |    size     |  |  payload   |  | frame-end |
//   +------+---------+-------------+  +------------+  +-----------+
//    octet   short       long          size octets       0xCE

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const PROTOCOL_HEADER = new Uint8Array([65, 77, 81, 80, 0, 0, 9, 1]);

export type FieldValue = string | number | boolean | { [key: string]: FieldValue };

/** Big-endian writer for method arguments. */
export class Writer {
  #bytes: number[] = [];
  #bits: number[] = [];
  #flushBits(): void {
    if (this.#bits.length === 0) return;
    let v = 0;
    this.#bits.forEach((b, i) => v |= b << i);
    this.#bytes.push(v);
    this.#bits = [];
  }
  octet(n: number): this {
    this.#flushBits();
    this.#bytes.push(n & 0xff);
    return this;
  }
  short(n: number): this {
    return this.octet(n >> 8).octet(n);
  }
  long(n: number): this {
    return this.short(Math.floor(n / 0x10000)).short(n & 0xffff);
  }
  longlong(n: number): this {
    return this.long(Math.floor(n / 0x1_0000_0000)).long(n >>> 0);
  }
  /** Packed bits, as consecutive bit fields are on the wire. */
  bit(b: boolean): this {
    if (this.#bits.length === 8) this.#flushBits();
    this.#bits.push(b ? 1 : 0);
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.#flushBits();
    for (const b of bytes) this.#bytes.push(b);
    return this;
  }
  shortstr(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.octet(b.length).raw(b);
  }
  longstr(s: string | Uint8Array): this {
    const b = typeof s === "string" ? new TextEncoder().encode(s) : s;
    return this.long(b.length).raw(b);
  }
  table(t: Record<string, FieldValue>): this {
    const inner = new Writer();
    for (const [k, v] of Object.entries(t)) {
      inner.shortstr(k);
      if (typeof v === "string") inner.octet(0x53).longstr(v);
      else if (typeof v === "boolean") inner.octet(0x74).octet(v ? 1 : 0);
      else if (typeof v === "number") inner.octet(0x49).long(v >>> 0);
      else inner.octet(0x46).table(v);
    }
    return this.longstr(inner.done());
  }
  done(): Uint8Array {
    this.#flushBits();
    return new Uint8Array(this.#bytes);
  }
}

/** Big-endian reader for method arguments. */
export class Reader {
  #view: DataView;
  offset = 0;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  octet(): number {
    return this.#view.getUint8(this.offset++);
  }
  short(): number {
    const v = this.#view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }
  long(): number {
    const v = this.#view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }
  longlong(): number {
    return this.long() * 0x1_0000_0000 + this.long();
  }
  shortstr(): string {
    const n = this.octet();
    const s = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
    return s;
  }
  longstr(): Uint8Array {
    const n = this.long();
    const s = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return s;
  }
}

export function frame(type: number, channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 8);
  const view = new DataView(out.buffer);
  view.setUint8(0, type);
  view.setUint16(1, channel);
  view.setUint32(3, payload.length);
  out.set(payload, 7);
  out[out.length - 1] = FRAME_END;
  return out;
}

export function methodFrame(
  channel: number,
  classId: number,
  methodId: number,
  args: Uint8Array = new Uint8Array(0),
): Uint8Array {
  return frame(
    FRAME_METHOD,
    channel,
    new Writer().short(classId).short(methodId).raw(args).done(),
  );
}

/** A content header frame with only the flags word (no properties). */
export function headerFrame(channel: number, classId: number, bodySize: number): Uint8Array {
  return frame(
    FRAME_HEADER,
    channel,
    new Writer().short(classId).short(0).longlong(bodySize).short(0).done(),
  );
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface RawFrame {
  type: number;
  channel: number;
  payload: Uint8Array;
  /** For method frames. */
  classId?: number;
  methodId?: number;
}

export interface CloseInfo {
  code: number;
  text: string;
  classId: number;
  methodId: number;
}

export function decodeClose(f: RawFrame): CloseInfo {
  const r = new Reader(f.payload);
  r.offset = 4;
  return { code: r.short(), text: r.shortstr(), classId: r.short(), methodId: r.short() };
}

/** basic.publish (class 60, method 40) with the given flags. */
export function publishFrame(
  channel: number,
  exchange: string,
  key: string,
  flags: { mandatory?: boolean; immediate?: boolean } = {},
): Uint8Array {
  return methodFrame(
    channel,
    60,
    40,
    new Writer().short(0).shortstr(exchange).shortstr(key).bit(!!flags.mandatory)
      .bit(!!flags.immediate).done(),
  );
}

/** A content body frame carrying `body` as UTF-8. */
export function bodyFrame(channel: number, body: string): Uint8Array {
  return frame(FRAME_BODY, channel, new TextEncoder().encode(body));
}
