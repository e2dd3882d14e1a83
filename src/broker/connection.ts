/**
 * One client connection: the handshake as a chain of steps (protocol header
 * -> start/start-ok -> tune/tune-ok -> open/open-ok), then frames dispatched
 * to channels, heartbeats both ways, and closing in either direction.
 *
 * Errors are decided by scope (errors.ts): channel-scoped ones are handled by
 * the channel; anything connection-scoped — including bad bytes from the
 * frame parser — sends connection.close with the code and closes only this
 * socket.
 *
 * Output is batched: frames queued in one turn of the event loop are written
 * with one socket write. While the socket's buffer is above a high-water mark
 * the connection reports `canWrite() === false`, so queues stop delivering to
 * its consumers until 'drain' (a slow client cannot make the broker buffer
 * without bound).
 */
import type { Socket } from "node:net";
import {
  AmqpFrameError,
  encodeMethodFrame,
  type FieldTable,
  type Frame,
  FRAME_MIN_SIZE,
  FrameParser,
  HEARTBEAT_FRAME,
  type Method,
  type MethodArgs,
  type MethodArgsInput,
  type MethodName,
  PROTOCOL_HEADER,
} from "../amqp/mod.ts";
import { authenticate, MECHANISMS, parseSaslResponse } from "./auth.ts";
import type { BrokerConnection, BrokerCore } from "./broker.ts";
import { Channel, type ChannelHost } from "./channel.ts";
import {
  AmqpError,
  channelError,
  commandInvalid,
  notAllowed,
  ReplyCode,
  replyName,
  truncateShortstr,
} from "./errors.ts";
import type { Vhost } from "./vhost.ts";

const HIGH_WATER = 1024 * 1024;
/** How long we wait for connection.close-ok before dropping the socket. */
const CLOSE_TIMEOUT_MS = 3000;

type State = "header" | "start" | "tune" | "open" | "running" | "closing" | "closed";

const SERVER_PROPERTIES = {
  product: "warren",
  version: "0.1.0",
  platform: `Deno ${Deno.version.deno}`,
  copyright: "warren contributors",
  information: "embedded AMQP 0-9-1 broker (https://www.rabbitmq.com/amqp-0-9-1-reference)",
  cluster_name: "warren@localhost",
  capabilities: {
    publisher_confirms: true,
    exchange_exchange_bindings: true,
    "basic.nack": true,
    consumer_cancel_notify: true,
    "connection.blocked": true,
    consumer_priorities: false,
    authentication_failure_close: true,
    per_consumer_qos: true,
    direct_reply_to: false,
  },
};

let nextConnectionId = 1;

type Timer = ReturnType<typeof setTimeout>;

export class Connection implements BrokerConnection, ChannelHost {
  readonly id = nextConnectionId++;
  readonly owner: object = this;
  #state: State = "header";
  #header = new Uint8Array(0);
  #parser: FrameParser;
  #channels = new Map<number, Channel>();
  #vhost: Vhost | undefined;
  frameMax: number;
  #channelMax: number;
  #heartbeat = 0;
  #clientCapabilities: Record<string, unknown> = {};
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #flushScheduled = false;
  #blocked = false;
  #lastRead = 0;
  #lastWrite = 0;
  #heartbeatTimer: Timer | undefined;
  #handshakeTimer: Timer | undefined;
  #closeTimer: Timer | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #mechanism = "PLAIN";
  userName = "";
  /** Sent basic.publish at least once: blocked while the memory alarm is on. */
  #publisher = false;
  #paused = false;
  #sentBlocked = false;

  constructor(readonly socket: Socket, readonly broker: BrokerCore) {
    const limits = broker.limits;
    this.frameMax = limits.frameMax;
    this.#channelMax = limits.channelMax;
    this.#parser = new FrameParser({ frameMax: limits.frameMax });
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => {
      try {
        this.#onData(chunk);
      } catch (e) {
        // A bug must cost this connection only, never the broker.
        this.#log(`internal error: ${(e as Error).stack ?? e}`);
        this.#destroy();
      }
    });
    socket.on("drain", () => this.#onDrain());
    socket.on("error", () => this.#destroy());
    socket.on("close", () => this.#destroy());
    this.#handshakeTimer = setTimeout(() => {
      this.#handshakeTimer = undefined;
      if (this.#state !== "running" && this.#state !== "closed") {
        this.#log("handshake timeout");
        this.#destroy();
      }
    }, limits.handshakeTimeoutMs);
    broker.connections.add(this);
  }

  get vhost(): Vhost {
    return this.#vhost!;
  }

  get maxMessageSize(): number {
    return this.broker.limits.maxMessageSize;
  }

  get consumerCancelNotify(): boolean {
    return this.#clientCapabilities["consumer_cancel_notify"] === true;
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** Resolves when the socket is gone. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  // --- output -----------------------------------------------------------------

  canWrite(): boolean {
    return !this.#blocked && this.#state !== "closed";
  }

  send(bytes: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (this.#outBytes + this.socket.writableLength > HIGH_WATER) this.#blocked = true;
    if (this.#outBytes >= 64 * 1024) this.#flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#out.length === 0 || this.#state === "closed") return;
    let chunk: Uint8Array;
    if (this.#out.length === 1) chunk = this.#out[0]!;
    else {
      chunk = new Uint8Array(this.#outBytes);
      let off = 0;
      for (const b of this.#out) {
        chunk.set(b, off);
        off += b.length;
      }
    }
    this.#out = [];
    this.#outBytes = 0;
    this.#lastWrite = Date.now();
    const ok = this.socket.write(chunk);
    if (!ok || this.socket.writableLength > HIGH_WATER) this.#blocked = true;
  }

  #onDrain(): void {
    if (!this.#blocked) return;
    this.#blocked = false;
    // Every queue this connection consumes from may deliver again.
    for (const ch of this.#channels.values()) ch.kick();
  }

  #sendMethod<N extends MethodName>(channel: number, name: N, args: MethodArgsInput<N> = {}): void {
    this.send(encodeMethodFrame(channel, name, args));
  }

  // --- input ------------------------------------------------------------------

  #onData(chunk: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#lastRead = Date.now();
    if (this.#state === "header") {
      const merged = new Uint8Array(this.#header.length + chunk.length);
      merged.set(this.#header);
      merged.set(chunk, this.#header.length);
      if (merged.length < 8) {
        this.#header = merged;
        return;
      }
      const head = merged.subarray(0, 8);
      if (!head.every((b, i) => b === PROTOCOL_HEADER[i])) {
        // The spec: answer with the header we do speak, then close.
        this.socket.write(PROTOCOL_HEADER);
        this.#state = "closed";
        this.socket.end();
        this.#cleanup();
        return;
      }
      this.#header = new Uint8Array(0);
      this.#state = "start";
      this.#sendMethod(0, "connection.start", {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: SERVER_PROPERTIES,
        mechanisms: MECHANISMS.join(" "),
        locales: "en_US",
      });
      chunk = merged.subarray(8);
      if (chunk.length === 0) return;
    }
    this.#parser.push(chunk);
    try {
      for (;;) {
        if ((this.#state as State) === "closed") return;
        const frame = this.#parser.next();
        if (!frame) break;
        this.#frame(frame);
      }
      if (this.#publisher && this.broker.memory.alarm) this.#block();
    } catch (e) {
      if (e instanceof AmqpFrameError) {
        // Method arguments that do not decode: RabbitMQ says 501 "cannot decode".
        const code = e.code === ReplyCode.SYNTAX_ERROR && e.classId !== 0
          ? ReplyCode.FRAME_ERROR
          : e.code;
        const err = new AmqpError(code, e.message);
        err.classId = e.classId;
        err.methodId = e.methodId;
        this.#connectionError(err);
      } else if (e instanceof AmqpError) {
        this.#connectionError(e);
      } else {
        this.#log(`internal error: ${(e as Error).stack ?? e}`);
        this.#connectionError(new AmqpError(ReplyCode.INTERNAL_ERROR, String(e)));
      }
    }
  }

  #frame(frame: Frame): void {
    if (this.#state === "closing") {
      // Waiting for close-ok: everything else is discarded (spec 2.2.4).
      if (frame.type === "method" && frame.channel === 0) {
        if (frame.method.name === "connection.close-ok") this.#destroy();
        else if (frame.method.name === "connection.close") {
          this.#sendMethod(0, "connection.close-ok");
          this.#hangUp();
        }
      }
      return;
    }
    if (frame.type === "heartbeat") return;
    if (frame.channel === 0) {
      if (frame.type !== "method") {
        throw new AmqpError(
          ReplyCode.UNEXPECTED_FRAME,
          `unexpected ${frame.type} frame on channel 0`,
        );
      }
      return this.#connectionMethod(frame.method);
    }
    if (this.#state !== "running") {
      throw new AmqpError(
        ReplyCode.CHANNEL_ERROR,
        `frame on channel ${frame.channel} before the connection is open`,
      );
    }
    const ch = this.#channels.get(frame.channel);
    if (frame.type === "method" && frame.method.name === "basic.publish") this.#publisher = true;
    if (!ch) {
      if (frame.type === "method" && frame.method.name === "channel.open") {
        // RabbitMQ 3.10 does not refuse channel numbers above the negotiated
        // channel_max (checked against a live broker); neither do we.
        this.#channels.set(frame.channel, new Channel(frame.channel, this));
        this.#sendMethod(frame.channel, "channel.open-ok", {});
        return;
      }
      if (frame.type === "method" && frame.method.name === "channel.close-ok") return;
      const e = channelError("expected 'channel.open'");
      if (frame.type === "method") {
        e.classId = frame.method.classId;
        e.methodId = frame.method.methodId;
      }
      throw e;
    }
    ch.handle(frame);
  }

  #connectionMethod(m: Method): void {
    const expect = <N extends MethodName>(state: State, name: N): MethodArgs[N] => {
      if (this.#state !== state || m.name !== name) {
        const e = commandInvalid(`expected '${name}', got '${m.name}'`);
        e.classId = m.classId;
        e.methodId = m.methodId;
        throw e;
      }
      return m.args as MethodArgs[N]; // the name was just checked
    };
    if (m.name === "connection.close" && this.#state !== "running") {
      // A client may give up mid-handshake: answer and hang up.
      this.#sendMethod(0, "connection.close-ok");
      return this.#hangUp();
    }
    switch (this.#state) {
      case "start": {
        const a = expect("start", "connection.start-ok");
        this.#clientCapabilities = (a.clientProperties["capabilities"] ?? {}) as FieldTable;
        const mechanism = a.mechanism;
        this.#mechanism = mechanism;
        if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
          // RabbitMQ drops the socket without a close here.
          this.#log(`unknown authentication mechanism '${mechanism}'`);
          return this.#destroy();
        }
        const creds = parseSaslResponse(mechanism, a.response);
        const user = creds && authenticate(this.broker.users, creds, this.remoteAddress);
        if (!user) {
          return this.#refuseLogin(
            `Login was refused using authentication mechanism ${mechanism}. For details see the broker logfile.`,
          );
        }
        this.userName = user.name;
        this.#state = "tune";
        this.#sendMethod(0, "connection.tune", {
          channelMax: this.broker.limits.channelMax,
          frameMax: this.broker.limits.frameMax,
          heartbeat: this.broker.limits.heartbeat,
        });
        return;
      }
      case "tune": {
        const a = expect("tune", "connection.tune-ok");
        const limits = this.broker.limits;
        const channelMax = a.channelMax;
        const frameMax = a.frameMax;
        this.#channelMax = channelMax === 0
          ? limits.channelMax
          : Math.min(channelMax, limits.channelMax);
        if ((frameMax !== 0 && frameMax < FRAME_MIN_SIZE) || frameMax > limits.frameMax) {
          // As RabbitMQ: an out-of-range frame_max in tune-ok drops the socket.
          this.#log(`frame_max=${frameMax} outside [${FRAME_MIN_SIZE}, ${limits.frameMax}]`);
          return this.#destroy();
        }
        this.frameMax = frameMax === 0 ? limits.frameMax : frameMax;
        this.#parser.frameMax = this.frameMax;
        this.#heartbeat = a.heartbeat;
        this.#state = "open";
        this.#startHeartbeats();
        return;
      }
      case "open": {
        const name = expect("open", "connection.open").virtualHost;
        const vhost = this.broker.vhosts.get(name);
        if (!vhost) {
          const e = notAllowed(`vhost ${name} not found`);
          e.classId = m.classId;
          e.methodId = m.methodId;
          throw e;
        }
        this.#vhost = vhost;
        this.#state = "running";
        if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
        this.#handshakeTimer = undefined;
        this.#sendMethod(0, "connection.open-ok", {});
        return;
      }
      case "running":
        switch (m.name) {
          case "connection.close":
            this.#releaseChannels();
            this.#sendMethod(0, "connection.close-ok");
            return this.#hangUp();
          case "connection.update-secret":
            this.#sendMethod(0, "connection.update-secret-ok");
            return;
          case "connection.blocked":
          case "connection.unblocked":
            return;
          default: {
            const e = channelError("unexpected method in connection state running");
            e.classId = m.classId;
            e.methodId = m.methodId;
            throw e;
          }
        }
        return;
      default:
        throw commandInvalid(`unexpected ${m.name}`);
    }
  }

  #refuseLogin(detail: string): void {
    this.#log(`login refused (${this.#mechanism}) from ${this.remoteAddress}`);
    if (this.#clientCapabilities["authentication_failure_close"] === true) {
      this.#connectionError(new AmqpError(ReplyCode.ACCESS_REFUSED, detail));
    } else {
      this.#destroy();
    }
  }

  // --- memory alarm ------------------------------------------------------------

  /** Broker-wide memory alarm: publishing connections stop being read until it clears. */
  memoryAlarm(on: boolean): void {
    if (on) {
      if (this.#publisher) this.#block();
    } else if (this.#paused) {
      this.#paused = false;
      this.#lastRead = Date.now();
      this.socket.resume();
      if (this.#sentBlocked) this.#sendMethod(0, "connection.unblocked");
      this.#sentBlocked = false;
    }
  }

  #block(): void {
    if (this.#paused || this.#state !== "running") return;
    this.#paused = true;
    this.socket.pause();
    if (this.#clientCapabilities["connection.blocked"] === true) {
      this.#sentBlocked = true;
      this.#sendMethod(0, "connection.blocked", { reason: "low on memory" });
    }
  }

  // --- heartbeats -------------------------------------------------------------

  #startHeartbeats(): void {
    if (this.#heartbeat <= 0) return;
    const intervalMs = this.#heartbeat * 1000 / 2;
    this.#lastRead = Date.now();
    this.#heartbeatTimer = setInterval(() => {
      const now = Date.now();
      // Two missed heartbeat intervals from the client: the peer is gone.
      // (Not while we deliberately stopped reading it: memory alarm.)
      if (!this.#paused && now - this.#lastRead > this.#heartbeat * 2000) {
        this.#log(`missed heartbeats from client, timeout: ${this.#heartbeat}s`);
        this.#destroy();
        return;
      }
      if (now - this.#lastWrite >= intervalMs) {
        this.send(HEARTBEAT_FRAME);
      }
    }, intervalMs);
    Deno.unrefTimer(this.#heartbeatTimer);
  }

  // --- closing ----------------------------------------------------------------

  /** channel.close-ok received or sent: the number is free again. */
  channelClosed(id: number): void {
    this.#channels.delete(id);
  }

  #connectionError(e: AmqpError): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#log(`closing connection: ${e.text}`);
    this.#releaseChannels();
    this.#sendMethod(0, "connection.close", {
      replyCode: e.code,
      replyText: truncateShortstr(
        e.text.startsWith(replyName(e.code)) ? e.text : `${replyName(e.code)} - ${e.text}`,
      ),
      classId: e.classId,
      methodId: e.methodId,
    });
    this.#flush();
    this.#state = "closing";
    this.#closeTimer = setTimeout(() => this.#destroy(), CLOSE_TIMEOUT_MS);
  }

  /** Broker shutdown: connection.close with `code`, then wait (bounded) for close-ok. */
  forceClose(code: number, text: string): Promise<void> {
    if (this.#state === "running") {
      this.#connectionError(new AmqpError(code, text));
    } else {
      this.#destroy();
    }
    return this.#closed;
  }

  #releaseChannels(): void {
    for (const ch of this.#channels.values()) ch.abandon();
    this.#channels.clear();
    if (this.#vhost) this.#vhost.ownerClosed(this.owner);
  }

  /** Writes what is queued, then ends the socket (close-ok must reach the client). */
  #hangUp(): void {
    this.#flush();
    this.#state = "closed";
    this.#releaseChannels();
    this.socket.end();
    // A peer that never closes its side is dropped.
    const t = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
    Deno.unrefTimer(t as unknown as number);
    this.#cleanup();
  }

  #destroy(): void {
    if (this.#state !== "closed") {
      this.#flush();
      this.#state = "closed";
    }
    this.#releaseChannels();
    this.socket.destroy();
    this.#cleanup();
  }

  #cleanup(): void {
    for (const t of [this.#handshakeTimer, this.#closeTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    if (this.#heartbeatTimer !== undefined) clearInterval(this.#heartbeatTimer);
    this.#handshakeTimer = this.#closeTimer = this.#heartbeatTimer = undefined;
    this.broker.connections.delete(this);
    this.#resolveClosed();
  }

  #log(line: string): void {
    this.broker.log(`connection ${this.id} (${this.remoteAddress ?? "?"}): ${line}`);
  }
}
