/**
 * The broker's error model. Every failure a client can cause is an
 * `AmqpError` carrying the reply code and RabbitMQ-style text
 * (`NOT_FOUND - no queue 'x' in vhost '/'`). Whether it closes the channel or
 * the whole connection is decided here, in one place, from the code: the
 * spec's soft codes (311-313, 403-406) close the channel, everything else
 * closes the connection — as RabbitMQ does.
 */

/** Reply codes used by the broker, named as in the spec. */
export const ReplyCode = {
  CONTENT_TOO_LARGE: 311,
  NO_ROUTE: 312,
  NO_CONSUMERS: 313,
  CONNECTION_FORCED: 320,
  INVALID_PATH: 402,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  FRAME_ERROR: 501,
  SYNTAX_ERROR: 502,
  COMMAND_INVALID: 503,
  CHANNEL_ERROR: 504,
  UNEXPECTED_FRAME: 505,
  RESOURCE_ERROR: 506,
  NOT_ALLOWED: 530,
  NOT_IMPLEMENTED: 540,
  INTERNAL_ERROR: 541,
} as const;

export type ReplyCodeValue = (typeof ReplyCode)[keyof typeof ReplyCode];

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(ReplyCode).map(([name, code]) => [code, name]),
);

const SOFT_CODES: ReadonlySet<number> = new Set([311, 312, 313, 403, 404, 405, 406]);

/** What an error closes. */
export type ErrorScope = "channel" | "connection";

/** The one place that decides channel vs connection scope for a reply code. */
export function scopeOf(code: number): ErrorScope {
  return SOFT_CODES.has(code) ? "channel" : "connection";
}

/** The spec name of a reply code (`NOT_FOUND`), or `UNKNOWN` for codes outside the spec. */
export function replyName(code: number): string {
  return NAMES.get(code) ?? "UNKNOWN";
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
