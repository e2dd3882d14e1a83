/**
 * Test helper for the broker conformance suite: one test body, run against
 * every broker target (the embedded broker on port 0 and, when
 * `RABBITMQ_URL` is set, a real RabbitMQ), so "compatible with RabbitMQ"
 * means "the same assertions pass on both".
 *
 * It also carries a tiny hand-built AMQP frame writer/reader for what
 * amqplib cannot express (bad protocol headers, raw heartbeats, frames out
 * of order). It deliberately does not use src/amqp: the codec under test
 * must not be the codec that checks it.
 */
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import type { Channel, ChannelModel, ConfirmChannel, GetMessage } from "amqplib";

export { Buffer };
export type { Channel, ConfirmChannel, GetMessage };

export type TargetName = "embedded" | "rabbitmq";

/** The URL of the shared RabbitMQ, when the environment provides one. */
export const RABBITMQ_URL: string | undefined = Deno.env.get("RABBITMQ_URL") || undefined;

// ---------------------------------------------------------------------------
// Targets

interface EmbeddedBroker {
  url: string;
  port: number;
  hostname: string;
  close(): Promise<void>;
}

interface EmbeddedModule {
  startBroker(options: { port: number; hostname: string }): Promise<EmbeddedBroker>;
}

/**
 * Loads src/broker/server.ts without a static import, so that a missing or
 * half-written broker turns the embedded cases into visibly ignored tests
 * instead of failing the type check of the whole suite.
 */
async function loadEmbedded(): Promise<EmbeddedModule | string> {
  const url = new URL("../../src/broker/server.ts", import.meta.url);
  try {
    await Deno.stat(url);
  } catch {
    return "src/broker/server.ts not found";
  }
  try {
    const mod = (await import(url.href)) as Partial<EmbeddedModule>;
    if (typeof mod.startBroker !== "function") {
      return "src/broker/server.ts does not export startBroker()";
    }
    return mod as EmbeddedModule;
  } catch (error) {
    const first = String(error instanceof Error ? error.message : error).split("\n")[0];
    return `src/broker/server.ts failed to load: ${first}`;
  }
}

const embeddedModule = await loadEmbedded();

/** Why the embedded target is skipped in this run, if it is. */
export const EMBEDDED_SKIP_REASON: string | undefined = typeof embeddedModule === "string"
  ? embeddedModule
  : undefined;

let embeddedStart: Promise<EmbeddedBroker> | undefined;
// Registered-but-unfinished embedded tests; the shared broker of this test
// file closes when the last one finishes.
let embeddedPending = 0;

function embeddedBroker(): Promise<EmbeddedBroker> {
  if (typeof embeddedModule === "string") throw new Error(embeddedModule);
  embeddedStart ??= embeddedModule.startBroker({ port: 0, hostname: "127.0.0.1" });
  return embeddedStart;
}

async function releaseEmbedded(): Promise<void> {
  embeddedPending--;
  if (embeddedPending === 0 && embeddedStart) {
    const broker = await embeddedStart.catch(() => undefined);
    embeddedStart = undefined;
    await broker?.close();
  }
}

// ---------------------------------------------------------------------------
// Per-test context

export interface OpenOptions {
  username?: string;
  password?: string;
  vhost?: string;
  frameMax?: number;
  heartbeat?: number;
  channelMax?: number;
  /** Use AMQPLAIN instead of PLAIN. */
  amqplain?: boolean;
}

/** An amqplib connection that records how it ended. */
export interface Client {
  model: ChannelModel;
  /** Errors emitted on the connection, in order. */
  errors: Error[];
  /** Settles when the connection is closed, with the close error if any. */
  closed: Promise<CodedError | undefined>;
  /** A channel with an 'error' listener attached (see channelClosed()). */
  channel(): Promise<Channel>;
  confirmChannel(): Promise<ConfirmChannel>;
  close(): Promise<void>;
}

export interface CodedError extends Error {
  code?: number;
  classId?: number;
  methodId?: number;
}

export interface BrokerCase {
  target: TargetName;
  url: string;
  hostname: string;
  port: number;
  /** Opens an amqplib connection that is closed after the test. */
  open(options?: OpenOptions): Promise<Client>;
  /** Opens a raw socket that is closed after the test. */
  raw(): Promise<RawClient>;
  /** A unique name (no cleanup). */
  name(prefix?: string): string;
  /** A unique queue name; the queue is deleted after the test. */
  queue(prefix?: string): string;
  /** A unique exchange name; the exchange is deleted after the test. */
  exchange(prefix?: string): string;
  /** Runs `fn` after the test, before connections are closed. */
  defer(fn: () => unknown): void;
}

export interface ForEachOptions {
  /** Fail the test if it runs longer than this (default 15 s). */
  timeoutMs?: number;
  /** Restrict to some targets. */
  only?: TargetName[];
}

const closedChannels = new WeakMap<Channel, Promise<CodedError | undefined>>();

/**
 * Settles when the channel closes, with the error the server closed it with
 * (its `.code` is the reply code), or undefined for a normal close.
 */
export function channelClosed(ch: Channel): Promise<CodedError | undefined> {
  const closed = closedChannels.get(ch);
  if (!closed) throw new Error("channelClosed() needs a channel made by Client.channel()");
  return closed;
}

function watchChannel<C extends Channel>(ch: C): C {
  let error: CodedError | undefined;
  // amqplib emits 'error' on a channel closed by the server and throws if no
  // one listens; every channel of the suite listens.
  ch.on("error", (e: CodedError) => error = e);
  closedChannels.set(ch, new Promise((resolve) => ch.once("close", () => resolve(error))));
  return ch;
}

function buildUrl(base: string, options: OpenOptions): string {
  const url = new URL(base);
  if (options.username !== undefined) url.username = encodeURIComponent(options.username);
  if (options.password !== undefined) url.password = encodeURIComponent(options.password);
  if (options.vhost !== undefined) url.pathname = "/" + encodeURIComponent(options.vhost);
  if (options.frameMax !== undefined) url.searchParams.set("frameMax", String(options.frameMax));
  if (options.heartbeat !== undefined) url.searchParams.set("heartbeat", String(options.heartbeat));
  if (options.channelMax !== undefined) {
    url.searchParams.set("channelMax", String(options.channelMax));
  }
  return url.href;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openClient(base: string, options: OpenOptions): Promise<Client> {
  const url = buildUrl(base, options);
  const socketOptions: Record<string, unknown> = {};
  if (options.amqplain) {
    const u = new URL(url);
    socketOptions.credentials = amqp.credentials.amqplain(
      decodeURIComponent(u.username),
      decodeURIComponent(u.password),
    );
  }
  const model = await amqp.connect(url, socketOptions);
  const errors: Error[] = [];
  model.on("error", (e: Error) => errors.push(e));
  const closed = new Promise<CodedError | undefined>((resolve) => {
    model.once("close", (e?: CodedError) => resolve(e ?? errors[0]));
  });
  return {
    model,
    errors,
    closed,
    channel: async () => watchChannel(await model.createChannel()),
    confirmChannel: async () => watchChannel(await model.createConfirmChannel()),
    close: async () => {
      try {
        await withTimeout(model.close(), 2000, "connection.close");
      } catch {
        // Already closed, or the broker does not answer: drop the socket.
        (model.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
      }
    },
  };
}

let counter = 0;
function uniqueName(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  return `warren-conf-${prefix}-${Date.now().toString(36)}-${random}-${counter++}`;
}

async function cleanup(url: string, queues: string[], exchanges: string[]): Promise<void> {
  if (queues.length === 0 && exchanges.length === 0) return;
  const client = await openClient(url, {});
  try {
    let ch = await client.channel();
    const items: [string, string][] = [
      ...queues.map((q): [string, string] => ["q", q]),
      ...exchanges.map((x): [string, string] => ["x", x]),
    ];
    for (const [kind, name] of items) {
      try {
        if (kind === "q") await ch.deleteQueue(name);
        else await ch.deleteExchange(name);
      } catch {
        // e.g. an exclusive queue of a still-open connection: fresh channel.
        ch = await client.channel();
      }
    }
  } finally {
    await client.close();
  }
}

/**
 * Registers `name` once per broker target, as "[embedded] name" and
 * "[rabbitmq] name". Targets that are unavailable are registered as ignored,
 * with the reason in the test name.
 */
export function forEachBroker(
  name: string,
  fn: (t: BrokerCase) => Promise<void>,
  options: ForEachOptions = {},
): void {
  const targets: { target: TargetName; skip?: string }[] = [
    { target: "embedded", skip: EMBEDDED_SKIP_REASON },
    { target: "rabbitmq", skip: RABBITMQ_URL ? undefined : "RABBITMQ_URL not set" },
  ];
  for (const { target, skip } of targets) {
    if (options.only && !options.only.includes(target)) continue;
    if (skip) {
      Deno.test({ name: `[${target}] ${name} (skipped: ${skip})`, ignore: true, fn: () => {} });
      continue;
    }
    if (target === "embedded") embeddedPending++;
    Deno.test({
      name: `[${target}] ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        try {
          await runCase(target, fn, options.timeoutMs ?? 15_000);
        } finally {
          if (target === "embedded") await releaseEmbedded();
        }
      },
    });
  }
}

/**
 * Registers one test that gets both targets at once, for differential tests
 * that run the same steps on each and compare what they saw. Ignored, with
 * the reason, unless both brokers are available.
 */
export function bothBrokers(
  name: string,
  fn: (embedded: BrokerCase, rabbitmq: BrokerCase) => Promise<void>,
  options: { timeoutMs?: number } = {},
): void {
  const skip = EMBEDDED_SKIP_REASON ?? (RABBITMQ_URL ? undefined : "RABBITMQ_URL not set");
  const fullName = `[embedded vs rabbitmq] ${name}`;
  if (skip) {
    Deno.test({ name: `${fullName} (skipped: ${skip})`, ignore: true, fn: () => {} });
    return;
  }
  embeddedPending++;
  const timeoutMs = options.timeoutMs ?? 30_000;
  Deno.test({
    name: fullName,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      try {
        await runCase(
          "embedded",
          (e) => runCase("rabbitmq", (r) => fn(e, r), timeoutMs),
          timeoutMs,
        );
      } finally {
        await releaseEmbedded();
      }
    },
  });
}

async function runCase(
  target: TargetName,
  fn: (t: BrokerCase) => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const url = target === "embedded" ? (await embeddedBroker()).url : RABBITMQ_URL!;
  const parsed = new URL(url);
  const clients: Client[] = [];
  const raws: RawClient[] = [];
  const queues: string[] = [];
  const exchanges: string[] = [];
  const deferred: (() => unknown)[] = [];
  const t: BrokerCase = {
    target,
    url,
    hostname: parsed.hostname,
    port: Number(parsed.port || 5672),
    open: async (options = {}) => {
      const client = await openClient(url, options);
      clients.push(client);
      return client;
    },
    raw: async () => {
      const raw = await RawClient.connect(parsed.hostname, Number(parsed.port || 5672));
      raws.push(raw);
      return raw;
    },
    name: (prefix = "n") => uniqueName(prefix),
    queue: (prefix = "q") => {
      const q = uniqueName(prefix);
      queues.push(q);
      return q;
    },
    exchange: (prefix = "x") => {
      const x = uniqueName(prefix);
      exchanges.push(x);
      return x;
    },
    defer: (f) => void deferred.push(f),
  };
  try {
    await withTimeout(fn(t), timeoutMs, "test body");
  } finally {
    for (const f of deferred.reverse()) await f();
    await Promise.all(clients.map((c) => c.close()));
    for (const raw of raws) raw.close();
    // Leftovers must not fail (or hang) a test whose body already decided.
    await withTimeout(cleanup(url, queues, exchanges), 5000, "cleanup").catch((e) =>
      console.warn(`[${target}] cleanup: ${e instanceof Error ? e.message : e}`)
    );
  }
}

// ---------------------------------------------------------------------------
// Assertions and timing

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Waits until `check()` is truthy, polling; throws with `what` on timeout. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 3000,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Waits until `queue` is gone: a passive declare on a fresh channel gets 404
 * (each probe needs its own channel, since the 404 closes it).
 */
export async function waitForQueueDeleted(client: Client, queue: string, what: string) {
  await waitFor(async () => {
    const probe = await client.channel();
    return await probe.checkQueue(queue).then(() => false, (e) => e.code === 404);
  }, what);
}

/** Asserts that `promise` rejects with an amqplib error carrying `code`. */
export async function expectCode(promise: Promise<unknown>, code: number): Promise<CodedError> {
  let error: CodedError;
  try {
    await promise;
  } catch (e) {
    error = e as CodedError;
    // amqplib's basic.get rejects with the raw channel.close frame.
    const frame = e as { fields?: { replyCode?: number; replyText?: string } };
    if (error.code === undefined && frame.fields?.replyCode !== undefined) {
      error = Object.assign(new Error(frame.fields.replyText), { code: frame.fields.replyCode });
    }
    if (error.code !== code) {
      throw new Error(`expected reply code ${code}, got ${error.code}: ${error.message}`);
    }
    return error;
  }
  throw new Error(`expected a failure with reply code ${code}, but it succeeded`);
}

/** Asserts that a channel is closed by the server with `code`. */
export async function expectChannelClosed(ch: Channel, code: number): Promise<CodedError> {
  const error = await withTimeout(channelClosed(ch), 3000, `channel close ${code}`);
  if (error?.code !== code) {
    throw new Error(`expected channel close ${code}, got ${error?.code}: ${error?.message}`);
  }
  return error;
}

/** Asserts that a connection is closed by the server with `code`. */
export async function expectConnectionClosed(client: Client, code: number): Promise<CodedError> {
  const error = await withTimeout(client.closed, 3000, `connection close ${code}`);
  if (error?.code !== code) {
    throw new Error(`expected connection close ${code}, got ${error?.code}: ${error?.message}`);
  }
  return error;
}

// ---------------------------------------------------------------------------
// Raw wire: hand-built frames
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

export interface Tune {
  channelMax: number;
  frameMax: number;
  heartbeat: number;
}

export interface HandshakeOptions {
  username?: string;
  password?: string;
  vhost?: string;
  mechanism?: "PLAIN" | "AMQPLAIN";
  /** Values sent in tune-ok; default: what the server proposed. */
  tune?: Partial<Tune>;
}

export interface Handshake {
  mechanisms: string[];
  tune: Tune;
}

/** A raw TCP client speaking hand-built frames. */
export class RawClient {
  #conn: Deno.TcpConn;
  #buf: Uint8Array = new Uint8Array(0);
  #pending: Promise<Uint8Array | null> | undefined;
  #eof = false;
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async connect(hostname: string, port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname, port }));
  }

  /** Writes bytes; false if the peer has already closed the socket. */
  async write(bytes: Uint8Array): Promise<boolean> {
    try {
      let at = 0;
      while (at < bytes.length) at += await this.#conn.write(bytes.subarray(at));
      return true;
    } catch {
      return false;
    }
  }

  /** Reads more bytes into the buffer; false on timeout or EOF. */
  async #fill(deadline: number): Promise<boolean> {
    if (this.#eof) return false;
    this.#pending ??= (async () => {
      const chunk = new Uint8Array(65536);
      try {
        const n = await this.#conn.read(chunk);
        return n === null ? null : chunk.subarray(0, n);
      } catch {
        return null; // reset counts as closed
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()));
    });
    const got = await Promise.race([this.#pending, timeout]);
    clearTimeout(timer);
    if (got === "timeout") return false;
    this.#pending = undefined;
    if (got === null) {
      this.#eof = true;
      return false;
    }
    this.#buf = concat(this.#buf, got);
    return true;
  }

  /** Reads exactly n bytes, or fewer at EOF/timeout. */
  async readBytes(n: number, timeoutMs = 3000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.length < n && await this.#fill(deadline));
    const out = this.#buf.subarray(0, Math.min(n, this.#buf.length));
    this.#buf = this.#buf.subarray(out.length);
    return out;
  }

  /** The next frame, "eof" when the server closed the socket, or "timeout". */
  async readFrame(timeoutMs = 3000): Promise<RawFrame | "eof" | "timeout"> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#buf.length >= 7) {
        const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
        const size = view.getUint32(3);
        if (this.#buf.length >= size + 8) {
          if (this.#buf[size + 7] !== FRAME_END) throw new Error("server sent a bad frame end");
          const f: RawFrame = {
            type: view.getUint8(0),
            channel: view.getUint16(1),
            payload: this.#buf.slice(7, 7 + size),
          };
          if (f.type === FRAME_METHOD) {
            f.classId = view.getUint16(7);
            f.methodId = view.getUint16(9);
          }
          this.#buf = this.#buf.subarray(size + 8);
          return f;
        }
      }
      if (!await this.#fill(deadline)) return this.#eof ? "eof" : "timeout";
    }
  }

  /** Reads frames until a method frame arrives (skipping heartbeats). */
  async expectMethod(classId: number, methodId: number, timeoutMs = 3000): Promise<RawFrame> {
    for (;;) {
      const f = await this.readFrame(timeoutMs);
      if (typeof f === "string") {
        throw new Error(`expected method ${classId}.${methodId}, got ${f}`);
      }
      if (f.type === FRAME_HEARTBEAT) continue;
      if (f.classId === classId && f.methodId === methodId) return f;
      const detail = f.classId === 10 && f.methodId === 50
        ? ` (connection.close ${JSON.stringify(decodeClose(f))})`
        : f.classId === 20 && f.methodId === 40
        ? ` (channel.close ${JSON.stringify(decodeClose(f))})`
        : "";
      throw new Error(
        `expected method ${classId}.${methodId}, got ${f.classId}.${f.methodId}${detail}`,
      );
    }
  }

  /**
   * Waits for the server to end the connection: collects frames until EOF,
   * answering a connection.close with close-ok. `eof` is false on timeout.
   */
  async waitClosed(timeoutMs = 3000): Promise<{ eof: boolean; close?: CloseInfo }> {
    const deadline = Date.now() + timeoutMs;
    let close: CloseInfo | undefined;
    for (;;) {
      let f: RawFrame | "eof" | "timeout";
      try {
        f = await this.readFrame(Math.max(0, deadline - Date.now()));
      } catch {
        // garbage from the server: skip it and look for EOF
        this.#buf = new Uint8Array(0);
        continue;
      }
      if (f === "eof") return { eof: true, close };
      if (f === "timeout") return { eof: false, close };
      if (f.type === FRAME_METHOD && f.classId === 10 && f.methodId === 50) {
        close = decodeClose(f);
        await this.write(methodFrame(0, 10, 51));
      }
    }
  }

  /** Header, start/start-ok, tune/tune-ok, open/open-ok on channel 0. */
  async handshake(options: HandshakeOptions = {}): Promise<Handshake> {
    const username = options.username ?? "guest";
    const password = options.password ?? "guest";
    await this.write(PROTOCOL_HEADER);
    const start = await this.expectMethod(10, 10);
    const r = new Reader(start.payload);
    r.offset = 6;
    r.longstr(); // server properties
    const mechanisms = new TextDecoder().decode(r.longstr()).split(" ");
    const mechanism = options.mechanism ?? "PLAIN";
    const response = mechanism === "PLAIN"
      ? new TextEncoder().encode(`\0${username}\0${password}`)
      : (() => {
        // AMQPLAIN: a field table without its length prefix.
        const t = new Writer().table({ LOGIN: username, PASSWORD: password }).done();
        return t.subarray(4);
      })();
    await this.write(methodFrame(
      0,
      10,
      11,
      new Writer().table({
        product: "warren-conformance",
        // Without this capability RabbitMQ drops a refused login silently.
        capabilities: { authentication_failure_close: true },
      }).shortstr(mechanism)
        .longstr(response).shortstr("en_US").done(),
    ));
    const tuneFrame = await this.expectMethod(10, 30);
    const tr = new Reader(tuneFrame.payload);
    tr.offset = 4;
    const tune = { channelMax: tr.short(), frameMax: tr.long(), heartbeat: tr.short() };
    const ok = { ...tune, ...options.tune };
    await this.write(methodFrame(
      0,
      10,
      31,
      new Writer().short(ok.channelMax).long(ok.frameMax).short(ok.heartbeat).done(),
    ));
    await this.write(methodFrame(
      0,
      10,
      40,
      new Writer().shortstr(options.vhost ?? "/").shortstr("").bit(false).done(),
    ));
    await this.expectMethod(10, 41);
    return { mechanisms, tune };
  }

  /** channel.open on `channel`, waiting for open-ok. */
  async openChannel(channel: number): Promise<void> {
    await this.write(methodFrame(channel, 20, 10, new Writer().shortstr("").done()));
    const f = await this.expectMethod(20, 11);
    if (f.channel !== channel) throw new Error(`open-ok on channel ${f.channel}`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

// ---------------------------------------------------------------------------
// Message helpers

/** Gets (no-ack) every message currently ready in `queue`, in order. */
export async function drain(ch: Channel, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) return out;
    out.push(m);
  }
}

/** The bodies of `messages` as strings. */
export function bodies(messages: { content: Uint8Array }[]): string[] {
  return messages.map((m) => new TextDecoder().decode(m.content));
}

/** Polls basic.get until a message arrives. */
export function getOne(ch: Channel, queue: string, noAck = true): Promise<GetMessage> {
  return waitFor(
    async () => (await ch.get(queue, { noAck })) || undefined,
    `a message on ${queue}`,
  );
}
