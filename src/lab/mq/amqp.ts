/**
 * The actors' door to a broker: one amqplib connection per actor, named
 * `warren <actor>` (the `connection_name` client property RabbitMQ's
 * connections table shows), and the broker's errors as one line for a
 * person, with no password in it.
 */
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import type { ChannelModel } from "amqplib";
import { errorMessage } from "../../util/error_message.ts";

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message } from "amqplib";

/** How long a TCP connect may take before the attempt counts as failed. */
const CONNECT_TIMEOUT_MS = 5000;
const HEARTBEAT_S = 10;

/** Opens the actor's connection, named so it can be told apart in the connections table. */
export function connectActor(url: string, actor: string): Promise<ChannelModel> {
  return amqp.connect(withHeartbeat(url), {
    clientProperties: { connection_name: `warren ${actor}` },
    timeout: CONNECT_TIMEOUT_MS,
  });
}

/**
 * Asks for heartbeats (unless the URL says otherwise), so a broker that
 * vanishes without closing the socket is noticed within about 2 periods.
 */
function withHeartbeat(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.searchParams.has("heartbeat")) return url;
    parsed.searchParams.set("heartbeat", String(HEARTBEAT_S));
    return parsed.href;
  } catch {
    return url;
  }
}

/** `amqp://guest:***@host:5672`: the URL as it may be shown. */
export function hidePassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.href.replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}

/** The reply code of a channel or connection the broker closed, if that is what `error` is. */
export function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

/**
 * One line for a person: `404 NOT_FOUND - no exchange 'x' in vhost '/'`,
 * `connection refused (127.0.0.1:5672)`; never a password.
 */
export function brokerErrorText(error: unknown): string {
  const text = errorMessage(error).split("\n")[0]!;
  const closed = /closed(?: by server)?: (\d+) \([^)]*\) with message "(.*)"$/.exec(text);
  let line = closed ? `${closed[1]} ${closed[2]}` : text;
  const refused = /ECONNREFUSED\s+(\S+)/.exec(text) ??
    (/connection refused/i.test(text) ? [text, ""] : null);
  if (refused) line = refused[1] ? `connection refused (${refused[1]})` : "connection refused";
  return line.replace(/\/\/([^:/@\s]*):[^@/\s]*@/g, "//$1:***@");
}
