/**
 * The RPC client actor (the lesson's rpc_client.py): an exclusive
 * server-named callback queue, each call published to `rpc_queue` with
 * `reply_to` and a fresh `correlation_id`, each reply matched back to its
 * call (answer, latency). A reply whose id it does not know is ignored and
 * logged, as the lesson's client ignores it. Calls are mandatory: with no
 * `rpc_queue` to take one, it comes back and the call says so.
 */
import { Buffer } from "node:buffer";
import { wait } from "../effects.ts";
import type { RpcCallRow } from "../mq_protocol.ts";
import { Actor, type ActorEnv, type Gen } from "./actor.ts";
import { shortBody } from "./actor_log.ts";
import type { Channel, ChannelModel, ConsumeMessage, Message } from "./amqp.ts";
import { RPC_ERROR_PREFIX, RPC_QUEUE } from "./rpc_server.ts";

/** Calls kept for the snapshot. */
export const RPC_CALLS_KEPT = 20;

interface Call {
  row: RpcCallRow;
  sentAtMs: number;
}

export class RpcClient extends Actor {
  readonly kind = "rpc-client" as const;
  /** Calls asked for, not yet published. */
  #queued: number[] = [];
  readonly #pending = new Map<string, Call>();
  #calls: RpcCallRow[] = [];
  #callbackQueue = "";

  constructor(name: string, env: ActorEnv) {
    super(name, env);
  }

  summary(): string {
    const queue = this.#callbackQueue === "" ? "" : ` reply_to ${this.#callbackQueue}`;
    return `${RPC_QUEUE} fib(n)${queue}, ${this.#pending.size} waiting`;
  }

  /** Asks for fib(n); published as soon as the client is connected. */
  call(n: number): void {
    this.#queued.push(n);
    this.wakeTask();
  }

  /** The last calls, newest last. */
  calls(): RpcCallRow[] {
    return this.#calls.map((c) => ({ ...c }));
  }

  protected *session(conn: ChannelModel): Gen {
    const ch = yield* this.channel(conn);
    const q = (yield wait(ch.assertQueue("", { exclusive: true }), "declare queue")) as {
      queue: string;
    };
    this.#callbackQueue = q.queue;
    // replies to calls of a lost connection went to its callback queue
    for (const call of this.#pending.values()) {
      this.#answer(call, "error", "lost with the connection before its reply");
    }
    ch.on("return", (m: Message) => this.#returned(m));
    const deliver = this.deliverer();
    yield wait(ch.consume(q.queue, (m) => m && deliver(m), { noAck: true }), "consume");
    this.running();
    for (;;) {
      while (this.#queued.length > 0) this.#send(ch, this.#queued.shift()!);
      this.#reply((yield* this.next(true)) as ConsumeMessage | undefined);
    }
  }

  #send(ch: Channel, n: number): void {
    const correlationId = crypto.randomUUID();
    const row: RpcCallRow = { correlationId, n, state: "waiting", answer: null, latencyMs: null };
    this.#pending.set(correlationId, { row, sentAtMs: this.env.hub.now() });
    this.#calls.push(row);
    if (this.#calls.length > RPC_CALLS_KEPT) this.#calls.shift();
    ch.publish("", RPC_QUEUE, Buffer.from(String(n)), {
      replyTo: this.#callbackQueue,
      correlationId,
      mandatory: true,
    });
    this.counts.published++;
    this.log(`call fib(${n}) id=${correlationId}`);
  }

  #reply(m: ConsumeMessage | undefined): void {
    if (m === undefined) return;
    this.counts.received++;
    const id = String(m.properties.correlationId ?? "");
    const body = m.content.toString();
    const call = this.#pending.get(id);
    if (call === undefined) {
      this.log(`reply ${shortBody(body)} id=${id || "(none)"}: unknown correlation id, ignored`);
      return;
    }
    const error = body.startsWith(RPC_ERROR_PREFIX);
    this.#answer(
      call,
      error ? "error" : "answered",
      error ? body.slice(RPC_ERROR_PREFIX.length) : body,
    );
    this.log(`fib(${call.row.n}) = ${shortBody(body)} in ${call.row.latencyMs} ms id=${id}`);
  }

  #returned(m: Message): void {
    const call = this.#pending.get(String(m.properties.correlationId ?? ""));
    this.counts.returned++;
    this.log(`call returned: no queue ${RPC_QUEUE} (start the RPC server)`);
    if (call !== undefined) this.#answer(call, "error", `no ${RPC_QUEUE}: start the RPC server`);
  }

  #answer(call: Call, state: "answered" | "error", answer: string): void {
    call.row.state = state;
    call.row.answer = answer;
    call.row.latencyMs = Math.round((this.env.hub.now() - call.sentAtMs) * 10) / 10;
    this.#pending.delete(call.row.correlationId);
  }
}
