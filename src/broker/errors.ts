/**
 * The broker's error model. Every failure a client can cause is an
 * `AmqpError` carrying the reply code and RabbitMQ-style text
 * (`NOT_FOUND - no queue 'x' in vhost '/'`). Whether it closes the channel or
 * the whole connection is decided here, in one place, from the code and the
 * spec's soft/hard class (src/amqp/spec.ts): soft codes (311-313, 403-406)
 * close the channel, everything else closes the connection — as RabbitMQ
 * does.
 */

import type * as amqp from "../amqp/mod.ts";
import { REPLY_CODES } from "../amqp/mod.ts";
import { errorMessage } from "../util/error_message.ts";

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/**
 * The names of the spec's error reply-code constants (`NOT_FOUND`,
 * `FRAME_ERROR`, ...): src/amqp/spec.ts exports every constant of the spec,
 * and the error codes are its three-digit ones from 300 up (REPLY_SUCCESS is
 * 200; frame constants are 1-8, 206 and 4096).
 */
type ReplyCodeName = {
  [K in keyof typeof amqp]: (typeof amqp)[K] extends number
    ? `${(typeof amqp)[K]}` extends `${3 | 4 | 5}${Digit}${Digit}` ? K : never
    : never;
}[keyof typeof amqp];

/**
 * The spec's error reply codes by name (`ReplyCode.NOT_FOUND === 404`), built
 * from the generated REPLY_CODES table so there is one list of codes.
 */
export const ReplyCode = Object.freeze(
  Object.fromEntries([...REPLY_CODES.values()].map(({ name, code }) => [name, code])),
) as { readonly [K in ReplyCodeName]: (typeof amqp)[K] };

/** What an error closes. */
export type ErrorScope = "channel" | "connection";

/**
 * The one place that decides channel vs connection scope for a reply code:
 * the spec's soft codes close the channel, hard ones and codes outside the
 * spec close the connection.
 */
export function scopeOf(code: number): ErrorScope {
  return REPLY_CODES.get(code)?.kind === "soft" ? "channel" : "connection";
}

/** The spec name of a reply code (`NOT_FOUND`), or `UNKNOWN` for codes outside the spec. */
export function replyName(code: number): string {
  return REPLY_CODES.get(code)?.name ?? "UNKNOWN";
}

/**
 * An AMQP error raised while handling a method. `text` is the full reply text
 * as sent on the wire, already prefixed with the code's name.
 */
export class AmqpError extends Error {
  override name = "AmqpError";
  readonly text: string;
  /** Class and method id of the method that failed (0 when not caused by one). */
  classId = 0;
  methodId = 0;

  constructor(readonly code: number, detail: string) {
    const text = truncateShortstr(`${replyName(code)} - ${detail}`);
    super(text);
    this.text = text;
  }

  get scope(): ErrorScope {
    return scopeOf(this.code);
  }
}

/** Shorthand constructors with RabbitMQ's wording for the common cases. */
export function notFound(kind: "queue" | "exchange", name: string, vhost: string): AmqpError {
  return new AmqpError(ReplyCode.NOT_FOUND, `no ${kind} '${name}' in vhost '${vhost}'`);
}

export function preconditionFailed(detail: string): AmqpError {
  return new AmqpError(ReplyCode.PRECONDITION_FAILED, detail);
}

export function accessRefused(detail: string): AmqpError {
  return new AmqpError(ReplyCode.ACCESS_REFUSED, detail);
}

export function resourceLocked(detail: string): AmqpError {
  return new AmqpError(ReplyCode.RESOURCE_LOCKED, detail);
}

export function commandInvalid(detail: string): AmqpError {
  return new AmqpError(ReplyCode.COMMAND_INVALID, detail);
}

export function notAllowed(detail: string): AmqpError {
  return new AmqpError(ReplyCode.NOT_ALLOWED, detail);
}

export function notImplemented(detail: string): AmqpError {
  return new AmqpError(ReplyCode.NOT_IMPLEMENTED, detail);
}

export function unexpectedFrame(detail: string): AmqpError {
  return new AmqpError(ReplyCode.UNEXPECTED_FRAME, detail);
}

export function channelError(detail: string): AmqpError {
  return new AmqpError(ReplyCode.CHANNEL_ERROR, detail);
}

const encoder = new TextEncoder();

/**
 * reply-text is a shortstr (at most 255 bytes of UTF-8); a long queue name in
 * a message must not make the close itself unencodable.
 */
export function truncateShortstr(text: string): string {
  if (encoder.encode(text).length <= 255) return text;
  let out = text.slice(0, 255);
  while (encoder.encode(out).length > 252) out = out.slice(0, -1);
  return out + "...";
}

/**
 * A bug's description for the broker log: the stack when there is one (it
 * says where), else the thrown value as text.
 */
export function internalErrorText(e: unknown): string {
  return e instanceof Error && e.stack ? e.stack : errorMessage(e);
}
