/**
 * The publish path of one channel as a state machine, as LavinMQ has it:
 *
 *   method ──basic.publish──> header ──content header──> body ──last body frame──> method
 *                                      (body size 0: straight back to method)
 *
 * Any frame out of this order is 505 UNEXPECTED_FRAME (a connection error),
 * with RabbitMQ's wording. A header that breaks a rule of the broker (too
 * large, a user-id that is not the sender's, a bad expiration) is 406 and
 * abandons the publish.
 *
 * A body is copied into one buffer as its frames arrive, so a message sent in
 * millions of 1-byte frames costs its size, not an object per frame. The
 * buffer grows by doubling up to the declared size (a header's body size is
 * not trusted with an allocation up front), its bytes count in the memory
 * alarm while the message is incomplete, and a body still incomplete after
 * the body timeout closes the connection.
 */
import type { BasicProperties, Frame } from "../amqp/mod.ts";
import { AmqpError, preconditionFailed, ReplyCode, unexpectedFrame } from "./errors.ts";
import type { BrokerTimers } from "./timers.ts";
import { type Message, parseExpiration } from "./message.ts";
import { errorMessage } from "../util/error_message.ts";

/** basic.publish is class 60 method 40: the method a content error is reported against. */
const BASIC_CLASS = 60;
const PUBLISH_METHOD = 40;

/** What the checks on a content header need from the connection. */
export interface PublishLimits {
  readonly maxMessageSize: number;
  /** The authenticated user (a user-id property must match it). */
  readonly userName: string;
  /** Bytes of incomplete bodies changed by `delta` (for the memory alarm). */
  bodyBytesHeld?(delta: number): void;
  /** Where the body timeout runs; without it, bodies have no time limit. */
  readonly timers?: BrokerTimers;
  readonly bodyTimeoutMs?: number;
  /** The body timeout expired: close the connection with `e`. */
  bodyTimedOut?(e: AmqpError): void;
  /**
   * True while the broker itself does not read the socket (memory alarm, read
   * credit): the rest of the body cannot arrive, so the timeout waits.
   */
  readonly readingPaused?: boolean;
}

/** The first allocation for a body sent in several frames (it doubles from there). */
const FIRST_BUFFER = 64 * 1024;

/** A whole message, ready to route. */
export interface Published {
  readonly message: Message;
  readonly mandatory: boolean;
}

interface Start {
  readonly exchange: string;
  readonly routingKey: string;
  readonly mandatory: boolean;
}

/** A content header or body frame. */
export type ContentFrame = Extract<Frame, { type: "header" | "body" }>;

/** Each state is named by the frame it expects next. */
type State =
  | { readonly step: "method" }
  | { readonly step: "header"; readonly start: Start }
  | {
    readonly step: "body";
    readonly start: Start;
    readonly properties: BasicProperties;
    readonly bodySize: number;
    /** The body so far; grows by doubling up to bodySize. */
    buffer: Uint8Array;
    received: number;
    /** When the header came (broker clock), for the body timeout. */
    readonly since: number;
  };

const IDLE: State = { step: "method" };
const EMPTY = new Uint8Array(0);

export class PublishAssembler {
  #state: State = IDLE;
  /**
   * The body timeout's one timer. It is armed by a header when none is, and
   * is not cleared when the body completes (a timer per message cost a fifth
   * of the broker's time): when it fires it checks the body pending then, if
   * any, and re-arms for what that body has left.
   */
  #timer: unknown;

  constructor(readonly limits: PublishLimits) {}

  /** basic.publish was accepted: its content header comes next. */
  start(exchange: string, routingKey: string, mandatory: boolean): void {
    this.#state = { step: "header", start: { exchange, routingKey, mandatory } };
  }

  /** A method frame arrived: fine unless a publish is waiting for its content. */
  method(): void {
    const step = this.#state.step;
    if (step === "method") return;
    throw publishError(
      unexpectedFrame(
        step === "body"
          ? "expected content body, got non content body frame instead"
          : "expected content header for class 60, got non content header frame instead",
      ),
    );
  }

  /** A content header or body frame; returns the message once its last byte is in. */
  content(frame: ContentFrame): Published | undefined {
    return frame.type === "header" ? this.#header(frame) : this.#body(frame.payload);
  }

  /** The channel is closing: a half-received publish is dropped. */
  reset(): void {
    this.#release();
    this.#state = IDLE;
    if (this.#timer !== undefined) this.limits.timers?.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The incomplete body: buffers held (never more than one) and bytes allocated and received. */
  get pendingBody(): { buffers: number; allocated: number; received: number } {
    const s = this.#state;
    return s.step === "body"
      ? { buffers: 1, allocated: s.buffer.length, received: s.received }
      : { buffers: 0, allocated: 0, received: 0 };
  }

  #header(frame: Extract<Frame, { type: "header" }>): Published | undefined {
    const state = this.#state;
    if (state.step !== "header") {
      throw unexpectedFrame("expected method frame, got non method frame instead");
    }
    if (frame.classId !== BASIC_CLASS) {
      throw publishError(
        unexpectedFrame(
          `expected content header for class 60, got one for class ${frame.classId} instead`,
        ),
      );
    }
    const { maxMessageSize, userName } = this.limits;
    if (frame.bodySize > maxMessageSize) {
      this.#state = IDLE;
      throw publishError(
        preconditionFailed(
          `message size ${frame.bodySize} is larger than configured max size ${maxMessageSize}`,
        ),
      );
    }
    const userId = frame.properties.userId;
    if (userId !== undefined && userId !== userName) {
      this.#state = IDLE;
      throw publishError(
        preconditionFailed(
          `user_id property set to '${userId}' but authenticated user was '${userName}'`,
        ),
      );
    }
    try {
      parseExpiration(frame.properties.expiration);
    } catch (e) {
      this.#state = IDLE;
      throw publishError(preconditionFailed(errorMessage(e)));
    }
    if (frame.bodySize === 0) {
      return this.#complete(state.start, frame.properties, new Uint8Array(0));
    }
    const timers = this.limits.bodyTimeoutMs ? this.limits.timers : undefined;
    this.#state = {
      step: "body",
      start: state.start,
      properties: frame.properties,
      bodySize: frame.bodySize,
      buffer: EMPTY,
      received: 0,
      since: timers ? timers.now() : 0,
    };
    if (timers && this.#timer === undefined) {
      this.#armBodyTimeout(frame.channel, this.limits.bodyTimeoutMs!);
    }
    return undefined;
  }

  #body(payload: Uint8Array): Published | undefined {
    const state = this.#state;
    if (state.step !== "body") {
      throw unexpectedFrame("expected method frame, got non method frame instead");
    }
    const received = state.received + payload.length;
    if (received > state.bodySize) {
      throw unexpectedFrame(
        `content body of ${received} bytes exceeds the ${state.bodySize} announced in the header`,
      );
    }
    if (received === state.bodySize && state.received === 0) {
      // The whole body in one frame. Frames are views into the socket's read
      // chunks, which a queue must not keep alive: a copy, unless the view is
      // its whole buffer (a big body the parser gathered).
      this.#release();
      const own = payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength;
      return this.#complete(state.start, state.properties, own ? payload : payload.slice());
    }
    if (received > state.buffer.length) this.#grow(state, received);
    state.buffer.set(payload, state.received);
    state.received = received;
    if (received < state.bodySize) return undefined;
    const body = state.buffer;
    this.#release();
    return this.#complete(state.start, state.properties, body);
  }

  /** Doubles the body's buffer (at least to `needed`, at most to the declared size). */
  #grow(state: Extract<State, { step: "body" }>, needed: number): void {
    const size = Math.min(
      state.bodySize,
      Math.max(needed, FIRST_BUFFER, state.buffer.length * 2),
    );
    const bigger = new Uint8Array(size);
    bigger.set(state.buffer.subarray(0, state.received));
    this.limits.bodyBytesHeld?.(size - state.buffer.length);
    state.buffer = bigger;
  }

  #armBodyTimeout(channel: number, delay: number): void {
    const { timers, bodyTimeoutMs: ms } = this.limits;
    this.#timer = timers!.setTimeout(() => {
      this.#timer = undefined;
      const s = this.#state;
      if (s.step !== "body") return; // that body completed: nothing to watch
      if (this.limits.readingPaused) return this.#armBodyTimeout(channel, ms!);
      const left = s.since + ms! - timers!.now();
      if (left > 0) return this.#armBodyTimeout(channel, left); // a later body
      const e = new AmqpError(
        ReplyCode.NOT_ALLOWED,
        `content body on channel ${channel} still incomplete ${ms! / 1000} s after its header ` +
          `(${s.received} of ${s.bodySize} bytes received)`,
      );
      this.reset();
      this.limits.bodyTimedOut?.(publishError(e));
    }, delay);
  }

  /** The incomplete body's memory goes (the message completed or was dropped). */
  #release(): void {
    const s = this.#state;
    if (s.step !== "body" || s.buffer.length === 0) return;
    this.limits.bodyBytesHeld?.(-s.buffer.length);
    s.buffer = EMPTY;
  }

  #complete(start: Start, properties: BasicProperties, body: Uint8Array): Published {
    this.#state = IDLE;
    const message: Message = {
      exchange: start.exchange,
      routingKey: start.routingKey,
      properties,
      body,
    };
    return { message, mandatory: start.mandatory };
  }
}

/** Content errors are reported against basic.publish, as RabbitMQ does. */
function publishError(e: AmqpError): AmqpError {
  e.classId = BASIC_CLASS;
  e.methodId = PUBLISH_METHOD;
  return e;
}
