/**
 * Messages through amqplib: body helpers (`msg`, `text`, `bodies`, `range`),
 * filling a queue (`queueWith`), publishing with a confirm
 * (`publishConfirmed`), reading a queue out (`drain`, `getOne`) and
 * consuming into a list (`collect`).
 */
// @ts-types="@types/amqplib"
import type { ConsumeMessage, Message } from "amqplib";
import {
  Buffer,
  type Channel,
  type Client,
  type ConfirmChannel,
  type GetMessage,
} from "./amqplib.ts";
import { waitFor } from "./timing.ts";

/** A message body from a string. */
export const msg = (s: string) => Buffer.from(s);

/** A message's body as a string. */
export const text = (m: Message) => m.content.toString();

/** The bodies of `messages` as strings. */
export function bodies(messages: { content: Uint8Array }[]): string[] {
  return messages.map((m) => new TextDecoder().decode(m.content));
}

/** `n` bodies: m0, m1, ... (or with another prefix). */
export const range = (n: number, prefix = "m") =>
  Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/** A fresh queue of `t` holding `messages`, published with confirms on `c`. */
export async function queueWith(t: { queue(): string }, c: Client, messages: string[]) {
  const ch = await c.confirmChannel();
  const q = t.queue();
  await ch.assertQueue(q);
  for (const m of messages) ch.sendToQueue(q, msg(m));
  await ch.waitForConfirms();
  return { q, pub: ch };
}

/** Publishes `body` to `q` and settles with the broker's confirm: ack or nack. */
export function publishConfirmed(
  ch: ConfirmChannel,
  q: string,
  body: string,
): Promise<"ack" | "nack"> {
  return new Promise((resolve) => {
    ch.sendToQueue(q, msg(body), {}, (err) => resolve(err ? "nack" : "ack"));
  });
}

/** Gets (no-ack) every message currently ready in `queue`, in order. */
export async function drain(ch: Channel, queue: string): Promise<GetMessage[]> {
  const out: GetMessage[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) return out;
    out.push(m);
  }
}

/** Polls basic.get until a message arrives. */
export function getOne(ch: Channel, queue: string, noAck = true): Promise<GetMessage> {
  return waitFor(
    async () => (await ch.get(queue, { noAck })) || undefined,
    `a message on ${queue}`,
  );
}

/** Consumes `q`, collecting deliveries (null = cancelled by the server). */
export async function collect(
  ch: Channel,
  q: string,
  options: {
    noAck?: boolean;
    exclusive?: boolean;
    consumerTag?: string;
    arguments?: Record<string, unknown>;
  } = {},
) {
  const got: ConsumeMessage[] = [];
  let cancelled = false;
  const ok = await ch.consume(q, (m) => {
    if (m === null) cancelled = true;
    else got.push(m);
  }, options);
  return {
    got,
    tag: ok.consumerTag,
    get cancelled() {
      return cancelled;
    },
  };
}
