/**
 * The frames that carry a message to a client: basic.deliver (to a
 * consumer), basic.get-ok (to basic.get) and basic.return (a mandatory
 * message with no route). Each is method + content header + body in one
 * buffer, so a delivery is one socket write.
 */
import { encodeMessageFrames, type MessageFramesOptions } from "../amqp/mod.ts";
import { ReplyCode } from "./errors.ts";
import type { Message, QueuedMessage } from "./message.ts";

export interface DeliverFrames {
  channel: number;
  frameMax: number;
  consumerTag: string;
  deliveryTag: number;
  entry: QueuedMessage;
}

/** A delivery as the connection's outbox encodes it (`sendMessage`). */
export type Delivery = MessageFramesOptions<"basic.deliver">;

/** basic.deliver's frames, to be encoded by the connection's outbox. */
export function delivery(o: DeliverFrames): Delivery {
  const m = o.entry.message;
  return {
    channel: o.channel,
    method: "basic.deliver",
    args: {
      consumerTag: o.consumerTag,
      deliveryTag: o.deliveryTag,
      redelivered: o.entry.redelivered,
      exchange: m.exchange,
      routingKey: m.routingKey,
    },
    properties: m.properties,
    body: m.body,
    frameMax: o.frameMax,
  };
}

export interface GetOkFrames {
  channel: number;
  frameMax: number;
  deliveryTag: number;
  entry: QueuedMessage;
  /** Messages left in the queue. */
  messageCount: number;
}

export function getOkFrames(o: GetOkFrames): Uint8Array {
  const m = o.entry.message;
  return encodeMessageFrames({
    channel: o.channel,
    method: "basic.get-ok",
    args: {
      deliveryTag: o.deliveryTag,
      redelivered: o.entry.redelivered,
      exchange: m.exchange,
      routingKey: m.routingKey,
      messageCount: o.messageCount,
    },
    properties: m.properties,
    body: m.body,
    frameMax: o.frameMax,
  });
}

/** basic.return 312 NO_ROUTE, the only return RabbitMQ still sends (immediate is refused). */
export function noRouteReturnFrames(
  channel: number,
  frameMax: number,
  message: Message,
): Uint8Array {
  return encodeMessageFrames({
    channel,
    method: "basic.return",
    args: {
      replyCode: ReplyCode.NO_ROUTE,
      replyText: "NO_ROUTE",
      exchange: message.exchange,
      routingKey: message.routingKey,
    },
    properties: message.properties,
    body: message.body,
    frameMax,
  });
}
