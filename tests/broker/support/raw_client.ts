/**
 * A raw TCP client speaking hand-built frames (wire.ts) to a broker: read
 * frames or bytes with timeouts, expect a method, wait for the server to
 * close, and do the connection handshake and channel.open by hand.
 */
import {
  type CloseInfo,
  concat,
  decodeClose,
  FRAME_END,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  methodFrame,
  PROTOCOL_HEADER,
  type RawFrame,
  Reader,
  Writer,
} from "./wire.ts";

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

/**
 * A handshake on a fresh socket that the broker should refuse: the close it
 * got (`connection.close {"code":530,"text":...}` inside the error's text),
 * or "opened" when it was not refused.
 */
export async function refusedHandshake(
  hostname: string,
  port: number,
  options: HandshakeOptions = {},
): Promise<string> {
  const raw = await RawClient.connect(hostname, port);
  try {
    return await raw.handshake(options).then(() => "opened", (e) => String(e));
  } finally {
    raw.close();
  }
}

/** queue.declare of `q` (no flags, no arguments) on channel 1, waiting for declare-ok. */
export async function declareRaw(raw: RawClient, q: string): Promise<void> {
  await raw.write(methodFrame(
    1,
    50,
    10,
    new Writer().short(0).shortstr(q).bit(false).bit(false).bit(false).bit(false).bit(false)
      .table({}).done(),
  ));
  await raw.expectMethod(50, 11);
}
