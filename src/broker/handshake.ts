/**
 * Opening a connection, as a chain of named steps (as LavinMQ's connection
 * factory): the protocol header -> connection.start / start-ok (who logs in)
 * -> connection.tune / tune-ok (frame size, heartbeats) -> connection.open /
 * open-ok (which vhost). Each step checks the one method it expects; any
 * other is 503 COMMAND_INVALID. The whole handshake must finish within the
 * broker's handshake timeout, or the socket is dropped.
 */
import {
  type FieldTable,
  FRAME_MIN_SIZE,
  type Method,
  type MethodArgs,
  type MethodArgsInput,
  type MethodName,
  PROTOCOL_HEADER,
} from "../amqp/mod.ts";
import { authenticate, MECHANISMS, parseSaslResponse } from "./auth.ts";
import type { BrokerCore } from "./broker.ts";
import { AmqpError, commandInvalid, notAllowed, ReplyCode } from "./errors.ts";
import type { Vhost } from "./vhost.ts";

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

/** Where the handshake is: the next thing it expects from the client. */
export type HandshakeStep = "header" | "start-ok" | "tune-ok" | "open" | "done" | "refused";

/** What the handshake needs from its connection. */
export interface HandshakeHost {
  readonly broker: BrokerCore;
  readonly remoteAddress: string | undefined;
  /** Sends a method on channel 0. */
  sendMethod<N extends MethodName>(name: N, args?: MethodArgsInput<N>): void;
  log(line: string): void;
  /** Drops the socket without connection.close (RabbitMQ's answer to some failures here). */
  destroy(): void;
  /** Sends connection.close for `e` and waits for close-ok. */
  connectionError(e: AmqpError): void;
  /**
   * tune-ok accepted: frames up to `frameMax` bytes, heartbeats every
   * `heartbeat` s (0: none), at most `channelMax` channels open at once.
   */
  tuned(frameMax: number, heartbeat: number, channelMax: number): void;
  /** connection.open accepted: from now on the connection works in `vhost`. */
  opened(vhost: Vhost): void;
}

export class Handshake {
  #step: HandshakeStep = "header";
  /** Header bytes received so far (it may arrive in pieces). */
  #header = new Uint8Array(0);
  #timer: unknown;
  #mechanism = "PLAIN";
  /** start-ok's client-properties (the management API shows them), and their capabilities. */
  clientProperties: FieldTable = {};
  clientCapabilities: FieldTable = {};
  /** The authenticated user, once start-ok is accepted. */
  userName = "";

  /** The SASL mechanism the client chose. */
  get mechanism(): string {
    return this.#mechanism;
  }

  constructor(readonly host: HandshakeHost) {
    const { timers, limits } = host.broker;
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      host.log("handshake timeout");
      host.destroy();
    }, limits.handshakeTimeoutMs);
  }

  get step(): HandshakeStep {
    return this.#step;
  }

  /** The connection closed: the timeout has nothing left to guard. */
  cancelTimeout(): void {
    if (this.#timer !== undefined) this.host.broker.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // --- step 1: protocol header -> connection.start ------------------------------

  /**
   * Takes bytes while the protocol header is expected. Returns the bytes
   * after it once it is complete and ours (connection.start is sent), or
   * "incomplete", or "refused" for another protocol or version.
   */
  protocolHeader(chunk: Uint8Array): Uint8Array | "incomplete" | "refused" {
    const merged = new Uint8Array(this.#header.length + chunk.length);
    merged.set(this.#header);
    merged.set(chunk, this.#header.length);
    if (merged.length < 8) {
      this.#header = merged;
      return "incomplete";
    }
    const head = merged.subarray(0, 8);
    if (!head.every((b, i) => b === PROTOCOL_HEADER[i])) return "refused";
    this.#header = new Uint8Array(0);
    this.#step = "start-ok";
    this.host.sendMethod("connection.start", {
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: SERVER_PROPERTIES,
      mechanisms: MECHANISMS.join(" "),
      locales: "en_US",
    });
    return merged.subarray(8);
  }

  /** A channel-0 method during steps 2-4. */
  method(m: Method): void {
    switch (this.#step) {
      case "start-ok":
        return this.#startOk(this.#expect(m, "connection.start-ok"));
      case "tune-ok":
        return this.#tuneOk(this.#expect(m, "connection.tune-ok"));
      case "open":
        return this.#open(m, this.#expect(m, "connection.open"));
      case "refused":
        return; // a refused login waits for its socket to be dropped
      default:
        throw commandInvalid(`unexpected ${m.name}`);
    }
  }

  /** The arguments of `m` when it is the method this step expects; else 503. */
  #expect<N extends MethodName>(m: Method, name: N): MethodArgs[N] {
    if (m.name === name) return m.args as MethodArgs[N]; // the name was just checked
    const e = commandInvalid(`expected '${name}', got '${m.name}'`);
    e.classId = m.classId;
    e.methodId = m.methodId;
    throw e;
  }

  // --- step 2: start-ok (authentication) -> connection.tune ---------------------

  #startOk(a: MethodArgs["connection.start-ok"]): void {
    this.clientProperties = a.clientProperties;
    this.clientCapabilities = (a.clientProperties["capabilities"] ?? {}) as FieldTable;
    const mechanism = a.mechanism;
    this.#mechanism = mechanism;
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      // RabbitMQ drops the socket without a close here.
      this.host.log(`unknown authentication mechanism '${mechanism}'`);
      return this.host.destroy();
    }
    const creds = parseSaslResponse(mechanism, a.response);
    if (!creds) {
      // As RabbitMQ (a syntax error in start-ok): the socket is dropped without a close.
      // For PLAIN this includes any authorization identity.
      this.host.log(`${mechanism} response invalid (an authorization identity, or malformed)`);
      return this.host.destroy();
    }
    const login = authenticate(this.host.broker.users, creds, this.host.remoteAddress);
    if ("refused" in login) return this.#refuseLogin(login.refused);
    this.userName = login.user.name;
    this.#step = "tune-ok";
    const limits = this.host.broker.limits;
    this.host.sendMethod("connection.tune", {
      channelMax: limits.channelMax,
      frameMax: limits.frameMax,
      heartbeat: limits.heartbeat,
    });
  }

  /**
   * As RabbitMQ 3.10 (measured): a client with the authentication_failure_close
   * capability gets 403 at once and its socket is dropped at close-ok or after
   * 3 s; any other client hears nothing and its socket is dropped after the
   * same delay, so a password guesser waits between tries. Logged with the
   * reason, never the password.
   */
  #refuseLogin(reason: string): void {
    this.#step = "refused";
    this.host.log(`${this.#mechanism} login refused: ${reason}`);
    if (this.clientCapabilities["authentication_failure_close"] === true) {
      this.host.connectionError(
        new AmqpError(
          ReplyCode.ACCESS_REFUSED,
          `Login was refused using authentication mechanism ${this.#mechanism}. For details see the broker logfile.`,
        ),
      );
      return;
    }
    const { timers, limits } = this.host.broker;
    this.cancelTimeout();
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      this.host.destroy();
    }, limits.loginFailureDelayMs);
  }

  // --- step 3: tune-ok (frame size, heartbeats) --------------------------------

  #tuneOk(a: MethodArgs["connection.tune-ok"]): void {
    const limits = this.host.broker.limits;
    const channelMax = a.channelMax;
    if (channelMax === 0 || channelMax > limits.channelMax) {
      // As RabbitMQ 3.10: 0 means "no limit", which is more than the broker's
      // own maximum, so negotiation fails and the socket is dropped.
      this.host.log(
        `failed to negotiate connection parameters: channel_max = ${
          channelMax === 0 ? "0 (no limit)" : channelMax
        } is higher than the maximum allowed value (${limits.channelMax})`,
      );
      return this.host.destroy();
    }
    const frameMax = a.frameMax;
    if ((frameMax !== 0 && frameMax < FRAME_MIN_SIZE) || frameMax > limits.frameMax) {
      // As RabbitMQ: an out-of-range frame_max in tune-ok drops the socket.
      this.host.log(`frame_max=${frameMax} outside [${FRAME_MIN_SIZE}, ${limits.frameMax}]`);
      return this.host.destroy();
    }
    this.#step = "open";
    this.host.tuned(frameMax === 0 ? limits.frameMax : frameMax, a.heartbeat, channelMax);
  }

  // --- step 4: open (vhost) -> connection.open-ok ---------------------------------

  /** As RabbitMQ: the node's connection limit, then the vhost, then the user's access to it. */
  #open(m: Method, a: MethodArgs["connection.open"]): void {
    const { broker } = this.host;
    const name = a.virtualHost;
    const refuse = (detail: string) => {
      const e = notAllowed(detail);
      e.classId = m.classId;
      e.methodId = m.methodId;
      return e;
    };
    const max = broker.limits.maxConnections;
    if (broker.connections.size > max) {
      throw refuse(`connection refused: node connection limit (${max}) is reached`);
    }
    const vhost = broker.vhosts.get(name);
    if (!vhost) throw refuse(`vhost ${name} not found`);
    if (!broker.users.permission(this.userName, name)) {
      throw refuse(`access to vhost '${name}' refused for user '${this.userName}'`);
    }
    this.#step = "done";
    this.host.opened(vhost);
    this.cancelTimeout();
    this.host.sendMethod("connection.open-ok", {});
  }
}
