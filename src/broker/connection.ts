/**
 * One client connection's life: the handshake (handshake.ts), then frames
 * dispatched to channels, the memory alarm, and closing in either direction.
 * Output goes through the outbox (outbox.ts), liveness through heartbeats
 * (heartbeats.ts); every timer is the broker's (timers.ts).
 *
 * Errors are decided by scope (errors.ts): channel-scoped ones are handled by
 * the channel; anything connection-scoped — including bad bytes from the
 * frame parser — sends connection.close with the code and closes only this
 * socket.
 */
import {
  AmqpFrameError,
  encodeMethodFrame,
  type Frame,
  FrameParser,
  HEARTBEAT_FRAME,
  type Method,
  type MethodArgsInput,
  type MethodName,
  PROTOCOL_HEADER,
} from "../amqp/mod.ts";
import type { BrokerConnection, BrokerCore } from "./broker.ts";
import { Channel, type ChannelHost } from "./channel.ts";
import {
  AmqpError,
  channelError,
  internalErrorText,
  ReplyCode,
  replyName,
  truncateShortstr,
} from "./errors.ts";
import { Handshake, type HandshakeHost } from "./handshake.ts";
import { FlowControl, type FlowHost } from "./flow_control.ts";
import { type HeartbeatPeer, Heartbeats } from "./heartbeats.ts";
import type { Delivery } from "./message_frames.ts";
import { Outbox } from "./outbox.ts";
import type { BrokerTimers } from "./timers.ts";
import type { ClientSocket } from "./tcp_socket.ts";
import type { Vhost } from "./vhost.ts";
import { AccessControl } from "./access_control.ts";
import { errorMessage } from "../util/error_message.ts";

/** How long we wait for connection.close-ok before dropping the socket. */
const CLOSE_TIMEOUT_MS = 3000;

type State = "handshake" | "running" | "closing" | "closed";

let nextConnectionId = 1;

export class Connection implements BrokerConnection, ChannelHost, HandshakeHost, HeartbeatPeer {
  readonly id = nextConnectionId++;
  readonly owner: object = this;
  /** When the socket was accepted (broker clock), and the heartbeat negotiated (management API). */
  readonly connectedAt: number;
  heartbeat = 0;
  #state: State = "handshake";
  #handshake: Handshake;
  #parser: FrameParser;
  #outbox: Outbox;
  #heartbeats: Heartbeats;
  #channels = new Map<number, Channel>();
  #vhost: Vhost | undefined;
  #access: AccessControl | undefined;
  frameMax: number;
  /** Channels that may be open at once (negotiated in tune-ok). */
  #channelMax: number;
  #closeTimer: unknown;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  /** Reading paused by the memory alarm or out of read credit (flow_control.ts). */
  #flow: FlowControl;

  constructor(readonly socket: ClientSocket, readonly broker: BrokerCore) {
    this.frameMax = broker.limits.frameMax;
    this.#channelMax = broker.limits.channelMax;
    this.connectedAt = broker.timers.now();
    this.#parser = new FrameParser({ frameMax: broker.limits.frameMax });
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#heartbeats = new Heartbeats(broker.timers, this);
    const writeTimeoutMs = broker.limits.writeTimeoutMs;
    this.#outbox = new Outbox(socket, () => this.#heartbeats.wrote(), {
      timers: broker.timers,
      ms: writeTimeoutMs,
      onTimeout: () => {
        // As RabbitMQ's send timeout: its deliveries go back to their queues.
        this.log(`closing: client stopped reading (nothing written for ${writeTimeoutMs} ms)`);
        this.destroy();
      },
    });
    this.#handshake = new Handshake(this);
    this.#flow = new FlowControl(this.#flowHost(), broker.memory);
    broker.connections.add(this);
    socket.start({
      data: (chunk) => {
        try {
          this.#onData(chunk);
        } catch (e) {
          // A bug must cost this connection only, never the broker.
          this.log(`internal error: ${internalErrorText(e)}`);
          this.destroy();
        }
      },
      drain: () => this.#onDrain(),
      close: () => this.destroy(),
    });
  }

  get vhost(): Vhost {
    return this.#vhost!;
  }

  get vhostName(): string | undefined {
    return this.#vhost?.name;
  }

  /** The user's permissions on the vhost (set when the connection opens). */
  get access(): AccessControl {
    return this.#access!;
  }

  get maxMessageSize(): number {
    return this.broker.limits.maxMessageSize;
  }

  // --- incomplete message bodies (PublishLimits) ------------------------------------

  get timers(): BrokerTimers {
    return this.broker.timers;
  }

  get bodyTimeoutMs(): number {
    return this.broker.limits.bodyTimeoutMs;
  }

  /** Bodies in progress count in the memory alarm like queued messages. */
  bodyBytesHeld(delta: number): void {
    this.broker.memory.add(delta);
  }

  bodyTimedOut(e: AmqpError): void {
    this.connectionError(e);
  }

  /** The authenticated user (empty until start-ok is accepted). */
  get userName(): string {
    return this.#handshake.userName;
  }

  get consumerCancelNotify(): boolean {
    return this.#handshake.clientCapabilities["consumer_cancel_notify"] === true;
  }

  /** The handshake's outcome: client properties, mechanism (management API). */
  get handshake(): Handshake {
    return this.#handshake;
  }

  /** Open channels by number (management API). */
  get channels(): ReadonlyMap<number, Channel> {
    return this.#channels;
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
    return !this.#outbox.blocked && this.#state !== "closed";
  }

  send(bytes: Uint8Array): void {
    this.#outbox.push(bytes);
  }

  sendMessage(message: Delivery): void {
    this.#outbox.pushMessage(message);
  }

  #onDrain(): void {
    if (!this.#outbox.drained()) return;
    // Every queue this connection consumes from may deliver again.
    for (const ch of this.#channels.values()) ch.kick();
  }

  sendMethod<N extends MethodName>(name: N, args: MethodArgsInput<N> = {}): void {
    this.send(encodeMethodFrame(0, name, args));
  }

  // --- handshake (HandshakeHost) ---------------------------------------------------

  tuned(frameMax: number, heartbeat: number, channelMax: number): void {
    this.frameMax = frameMax;
    this.#channelMax = channelMax;
    this.#parser.frameMax = frameMax;
    this.heartbeat = heartbeat;
    this.#heartbeats.start(heartbeat);
  }

  opened(vhost: Vhost): void {
    this.#vhost = vhost;
    this.#access = new AccessControl(this.broker.users, this.userName, vhost.name);
    this.#state = "running";
  }

  // --- heartbeats (HeartbeatPeer) ---------------------------------------------------

  get readingPaused(): boolean {
    return this.#flow.paused;
  }

  sendHeartbeat(): void {
    this.send(HEARTBEAT_FRAME);
  }

  timedOut(seconds: number): void {
    this.log(`missed heartbeats from client, timeout: ${seconds}s`);
    this.destroy();
  }

  // --- input ------------------------------------------------------------------

  #onData(chunk: Uint8Array): void {
    if (this.#state === "closed") return;
    this.#heartbeats.heard();
    this.#flow.read(chunk.length);
    if (this.#handshake.step === "header") {
      const rest = this.#handshake.protocolHeader(chunk);
      if (rest === "incomplete") return;
      if (rest === "refused") {
        // The spec: answer with the header we do speak, then close.
        this.socket.write(PROTOCOL_HEADER);
        this.#markClosed();
        this.socket.end();
        this.broker.timers.setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
        this.#cleanup();
        return;
      }
      chunk = rest;
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
      this.#flow.checkAlarm();
    } catch (e) {
      if (e instanceof AmqpFrameError) {
        // Method arguments that do not decode: RabbitMQ says 501 "cannot decode".
        const code = e.code === ReplyCode.SYNTAX_ERROR && e.classId !== 0
          ? ReplyCode.FRAME_ERROR
          : e.code;
        const err = new AmqpError(code, e.message);
        err.classId = e.classId;
        err.methodId = e.methodId;
        this.connectionError(err);
      } else if (e instanceof AmqpError) {
        this.connectionError(e);
      } else {
        this.log(`internal error: ${internalErrorText(e)}`);
        this.connectionError(new AmqpError(ReplyCode.INTERNAL_ERROR, errorMessage(e)));
      }
    }
  }

  #frame(frame: Frame): void {
    if (this.#state === "closing") {
      // Waiting for close-ok: everything else is discarded (spec 2.2.4).
      if (frame.type === "method" && frame.channel === 0) {
        if (frame.method.name === "connection.close-ok") this.destroy();
        else if (frame.method.name === "connection.close") {
          this.sendMethod("connection.close-ok");
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
    if (frame.type === "method" && frame.method.name === "basic.publish") this.#flow.published();
    if (!ch) {
      if (frame.type === "method" && frame.method.name === "channel.open") {
        // As RabbitMQ 3.10 (checked against a live broker): channel_max
        // limits how many channels are open at once, not their numbers.
        const open = this.#channels.size;
        if (open >= this.#channelMax) {
          throw new AmqpError(
            ReplyCode.NOT_ALLOWED,
            `number of channels opened (${open}) has reached the negotiated channel_max (${this.#channelMax})`,
          );
        }
        this.#channels.set(frame.channel, new Channel(frame.channel, this));
        this.send(encodeMethodFrame(frame.channel, "channel.open-ok", {}));
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
    if (this.#state !== "running") {
      if (m.name === "connection.close") {
        // A client may give up mid-handshake: answer and hang up.
        this.sendMethod("connection.close-ok");
        return this.#hangUp();
      }
      return this.#handshake.method(m);
    }
    switch (m.name) {
      case "connection.close":
        this.#releaseChannels();
        this.sendMethod("connection.close-ok");
        return this.#hangUp();
      case "connection.update-secret":
        this.sendMethod("connection.update-secret-ok");
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
  }

  // --- memory alarm ------------------------------------------------------------

  /** Broker-wide memory alarm: publishing connections stop being read until it clears. */
  memoryAlarm(on: boolean): void {
    this.#flow.alarm(on);
  }

  #flowHost(): FlowHost {
    return {
      socket: this.socket,
      running: () => this.#state === "running",
      blockedCapability: () => this.#handshake.clientCapabilities["connection.blocked"] === true,
      sendBlocked: (on) =>
        on
          ? this.sendMethod("connection.blocked", { reason: "low on memory" })
          : this.sendMethod("connection.unblocked"),
      resumed: () => this.#heartbeats.heard(),
    };
  }

  // --- closing ----------------------------------------------------------------

  /** channel.close-ok received or sent: the number is free again. */
  channelClosed(id: number): void {
    this.#channels.delete(id);
  }

  /** Sends connection.close for `e`, then waits (bounded) for close-ok. */
  connectionError(e: AmqpError): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.log(`closing connection: ${e.text}`);
    this.#releaseChannels();
    this.sendMethod("connection.close", {
      replyCode: e.code,
      replyText: truncateShortstr(
        e.text.startsWith(replyName(e.code)) ? e.text : `${replyName(e.code)} - ${e.text}`,
      ),
      classId: e.classId,
      methodId: e.methodId,
    });
    this.#outbox.flush();
    this.#state = "closing";
    this.#closeTimer = this.broker.timers.setTimeout(() => this.destroy(), CLOSE_TIMEOUT_MS);
  }

  /** Broker shutdown: connection.close with `code`, then wait (bounded) for close-ok. */
  forceClose(code: number, text: string): Promise<void> {
    if (this.#state === "running") {
      this.connectionError(new AmqpError(code, text));
    } else {
      this.destroy();
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
    this.#outbox.flush();
    this.#markClosed();
    this.#releaseChannels();
    this.socket.end();
    // A peer that never closes its side is dropped.
    this.broker.timers.setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
    this.#cleanup();
  }

  /** Drops the socket now (after writing what is queued). */
  destroy(): void {
    if (this.#state !== "closed") {
      this.#outbox.flush();
      this.#markClosed();
    }
    this.#releaseChannels();
    this.socket.destroy();
    this.#cleanup();
  }

  #markClosed(): void {
    this.#state = "closed";
    this.#outbox.close();
  }

  #cleanup(): void {
    this.#handshake.cancelTimeout();
    if (this.#closeTimer !== undefined) this.broker.timers.clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#heartbeats.stop();
    this.#flow.close();
    this.broker.connections.delete(this);
    this.#resolveClosed();
  }

  log(line: string): void {
    this.broker.log(`connection ${this.id} (${this.remoteAddress ?? "?"}): ${line}`);
  }
}
