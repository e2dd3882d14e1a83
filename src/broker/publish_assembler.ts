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
 */
import type { BasicProperties, Frame } from "../amqp/mod.ts";
import { type AmqpError, preconditionFailed, unexpectedFrame } from "./errors.ts";
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
}

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
    readonly chunks: Uint8Array[];
    received: number;
  };

const IDLE: State = { step: "method" };

export class PublishAssembler {
  #state: State = IDLE;

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
    this.#state = IDLE;
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
    if (frame.bodySize === 0) return this.#complete(state.start, frame.properties, []);
    this.#state = {
      step: "body",
      start: state.start,
      properties: frame.properties,
      bodySize: frame.bodySize,
      chunks: [],
      received: 0,
    };
    return undefined;
  }

  #body(payload: Uint8Array): Published | undefined {
    const state = this.#state;
    if (state.step !== "body") {
      throw unexpectedFrame("expected method frame, got non method frame instead");
    }
    state.received += payload.length;
    if (state.received > state.bodySize) {
      throw unexpectedFrame(
        `content body of ${state.received} bytes exceeds the ${state.bodySize} announced in the header`,
      );
    }
    state.chunks.push(payload);
    if (state.received < state.bodySize) return undefined;
    return this.#complete(state.start, state.properties, state.chunks);
  }

  #complete(start: Start, properties: BasicProperties, chunks: Uint8Array[]): Published {
    this.#state = IDLE;
    const message: Message = {
      exchange: start.exchange,
      routingKey: start.routingKey,
      properties,
      body: joinBody(chunks),
    };
    return { message, mandatory: start.mandatory };
  }
}

/**
 * One buffer for the body. Always a copy: body frames are views into the
 * socket's read chunks (see FrameParser.push), which a queue must not keep alive.
 */
function joinBody(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!.slice();
  let size = 0;
  for (const c of chunks) size += c.length;
  const body = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    body.set(c, off);
    off += c.length;
  }
  return body;
}

/** Content errors are reported against basic.publish, as RabbitMQ does. */
function publishError(e: AmqpError): AmqpError {
  e.classId = BASIC_CLASS;
  e.methodId = PUBLISH_METHOD;
  return e;
}
