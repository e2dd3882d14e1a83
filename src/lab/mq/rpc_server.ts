/**
 * The RPC server actor (the lesson's rpc_server.py): consumes `rpc_queue`
 * with prefetch 1 and manual ack, answers each request with fib(n) to its
 * `reply_to` queue under its `correlation_id`. A request it cannot answer
 * (not an integer, out of 0..90) gets a reply starting `error: `; one with
 * no `reply_to` is acked and logged. Nothing from a message is executed.
 */
import { Buffer } from "node:buffer";
import { wait } from "../effects.ts";
import { Actor, type ActorEnv, type Gen } from "./actor.ts";
import { shortBody } from "./actor_log.ts";
import type { ChannelModel, ConsumeMessage } from "./amqp.ts";
import { answerRequest } from "./fib.ts";

export const RPC_QUEUE = "rpc_queue";
/** Replies that carry no answer start with this. */
export const RPC_ERROR_PREFIX = "error: ";

export class RpcServer extends Actor {
  readonly kind = "rpc-server" as const;

  constructor(name: string, env: ActorEnv) {
    super(name, env, { exchanges: [], queues: [{ name: RPC_QUEUE, durable: false }] });
  }

  summary(): string {
    return `${RPC_QUEUE} fib(n), prefetch 1 ack`;
  }

  protected *session(conn: ChannelModel): Gen {
    const ch = yield* this.channel(conn);
    yield wait(ch.prefetch(1), "qos");
    const deliver = this.deliverer();
    yield wait(ch.consume(RPC_QUEUE, (m) => m && deliver(m)), "consume");
    this.running();
    for (;;) {
      const m = (yield* this.next()) as ConsumeMessage;
      this.counts.received++;
      const body = m.content.toString();
      const answer = answerRequest(body);
      const reply = answer.ok ? answer.value : `${RPC_ERROR_PREFIX}${answer.error}`;
      const { replyTo, correlationId } = m.properties;
      const request = `#${this.counts.received} fib(${
        shortBody(body)
      }) redelivered=${m.fields.redelivered}`;
      if (typeof replyTo !== "string" || replyTo === "") {
        this.log(`${request}: no reply_to, dropped, ack`);
      } else {
        ch.sendToQueue(replyTo, Buffer.from(reply), { correlationId });
        this.counts.published++;
        this.log(`${request} = ${shortBody(reply)} -> ${replyTo} id=${correlationId}, ack`);
      }
      ch.ack(m);
      this.counts.acked++;
    }
  }
}
