/**
 * amqplib connections for broker tests: open a client with options (user,
 * vhost, frame max, heartbeat, AMQPLAIN) that records how it ended,
 * channels that record the code the server closed them with, and `rpc()` for
 * the methods amqplib has no API for (tx.*, confirm.select as a plain call).
 */
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import type {
  Channel,
  ChannelModel,
  ConfirmChannel,
  ConsumeMessage,
  GetMessage,
  Message,
} from "amqplib";
import { withTimeout } from "./timing.ts";

export { Buffer };
export type { Channel, ConfirmChannel, ConsumeMessage, GetMessage, Message };

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

/** Connects amqplib to `base` (a broker URL) with `options` applied. */
export async function openClient(base: string, options: OpenOptions): Promise<Client> {
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

// ---------------------------------------------------------------------------
// Methods amqplib has no API for (method ids: class << 16 | method)

export const TX_SELECT = 0x5a000a;
export const TX_SELECT_OK = 0x5a000b;
export const TX_COMMIT = 0x5a0014;
export const TX_COMMIT_OK = 0x5a0015;
export const TX_ROLLBACK = 0x5a001e;
export const TX_ROLLBACK_OK = 0x5a001f;
export const CONFIRM_SELECT = 0x55000a;
export const CONFIRM_SELECT_OK = 0x55000b;

/** amqplib has no tx API; its generic channel RPC sends any method. */
export function rpc(ch: Channel, method: number, expect: number): Promise<unknown> {
  const fields = method === CONFIRM_SELECT ? { nowait: false } : {};
  return (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> })
    .rpc(method, fields, expect);
}
