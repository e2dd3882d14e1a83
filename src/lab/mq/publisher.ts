/**
 * The publisher actor (the lesson's send.py, new_task.py, emit_log*.py):
 * publishes to an exchange with a routing key, `count` messages or without
 * end, as fast as confirms allow or at `ratePerS`. The pace follows a
 * schedule (message i is due at start + i / rate), so a late wake-up is
 * caught up rather than added: 1 000 messages at 200/s take 5 s. Confirms
 * (a confirm channel) count acks and nacks; mandatory messages that no queue
 * takes come back as returns; both are logged and counted. After a lost
 * connection it declares its topology again and carries on where it was.
 */
import { Buffer } from "node:buffer";
import { sleep, wait } from "../effects.ts";
import type { PublishOptions } from "../mq_protocol.ts";
import { Actor, type ActorEnv, type Gen } from "./actor.ts";
import { shortBody } from "./actor_log.ts";
import type { ChannelModel, ConfirmChannel, Message } from "./amqp.ts";
import type { Topology } from "./topology.ts";

/** Unconfirmed messages allowed in flight before the publisher waits for confirms. */
const MAX_IN_FLIGHT = 1000;
/** Without a rate, a publisher yields to the hub after this many messages. */
const BURST = 100;

/** The i-th message (0-based): its routing key and body, for publishers that vary them. */
export type MessageMaker = (i: number) => { routingKey: string; body: string };

export interface PublisherConfig extends PublishOptions {
  /** Varies key and body per message (scenarios); default: the options' key and body. */
  messages?: MessageMaker;
  /** Shown instead of the body in the summary (`cycling 8 keys`). */
  describe?: string;
}

export class Publisher extends Actor {
  readonly kind = "publisher" as const;
  readonly #config: PublisherConfig;
  readonly #count: number;
  /** Messages whose confirm never came (their channel closed first). */
  #unconfirmed = 0;
  /** Published and not yet acked, nacked or given up; and who waits for fewer. */
  #inFlight = 0;
  #waiters: { below: number; resolve: () => void }[] = [];

  constructor(name: string, env: ActorEnv, config: PublisherConfig, topology?: Topology) {
    super(name, env, topology);
    this.#config = config;
    this.#count = config.count ?? (config.ratePerS === undefined ? 1 : Infinity);
  }

  summary(): string {
    const c = this.#config;
    const to = `${c.exchange === "" ? "(default)" : c.exchange} -> ${
      c.describe ?? `${c.routingKey} ${shortBody(c.body)}`
    }`;
    const count = Number.isFinite(this.#count) ? ` ${this.#count} msgs` : "";
    const rate = c.ratePerS === undefined ? "" : ` at ${c.ratePerS}/s`;
    const flags = [
      c.persistent ? "persistent" : "",
      c.mandatory ? "mandatory" : "",
      c.confirms === false ? "" : "confirms",
    ].filter((f) => f !== "").join(" ");
    return `${to}${count}${rate}${flags === "" ? "" : ` (${flags})`}`;
  }

  protected *session(conn: ChannelModel): Gen {
    const c = this.#config;
    const confirms = c.confirms !== false;
    const ch = (yield* this.channel(conn, confirms)) as ConfirmChannel;
    if (c.exchange !== "" && !this.topology.exchanges.some((x) => x.name === c.exchange)) {
      // a missing exchange fails here with the broker's 404, not at the first publish
      yield wait(ch.checkExchange(c.exchange), `check ${c.exchange}`);
    }
    ch.on("return", (m: Message) => this.#returned(m));
    this.running();
    const rate = c.ratePerS;
    const startedAt = this.env.hub.now();
    const firstThisSession = this.counts.published;
    while (this.counts.published < this.#count) {
      this.check();
      if (rate !== undefined && rate > 0) {
        const due = startedAt + ((this.counts.published - firstThisSession) * 1000) / rate;
        const late = due - this.env.hub.now();
        if (late > 0) yield* this.pause(late);
      } else if ((this.counts.published - firstThisSession) % BURST === BURST - 1) {
        yield sleep(0);
      }
      if (confirms && this.#inFlight >= MAX_IN_FLIGHT) {
        yield wait(this.#confirmsBelow(MAX_IN_FLIGHT), "confirms");
        continue;
      }
      const writable = this.#publish(ch, confirms);
      if (!writable) yield wait(new Promise((r) => ch.once("drain", r)), "drain");
    }
    // every confirm, nacks included (amqplib's waitForConfirms stops at the first nack)
    if (confirms) yield wait(this.#confirmsBelow(1), "confirms");
  }

  protected override *finish(): Gen {
    if (this.#inFlight > 0) yield wait(this.#confirmsBelow(1), "confirms");
  }

  /** Resolves once fewer than `below` messages wait for their confirm. */
  #confirmsBelow(below: number): Promise<void> {
    if (this.#inFlight < below) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ below, resolve }));
  }

  #settled(): void {
    this.#inFlight--;
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#inFlight >= w.below) return true;
      w.resolve();
      return false;
    });
  }

  /** Publishes the next message; false when the socket's buffer is full. */
  #publish(ch: ConfirmChannel, confirms: boolean): boolean {
    const c = this.#config;
    const i = this.counts.published;
    const { routingKey, body } = c.messages?.(i) ?? { routingKey: c.routingKey, body: c.body };
    const n = i + 1;
    const options = { persistent: c.persistent === true, mandatory: c.mandatory === true };
    const confirmed = (error: unknown) => {
      this.#settled();
      if (error === null || error === undefined) this.counts.confirmed++;
      else if (String((error as Error).message).includes("nack")) {
        this.counts.nacked++;
        this.log(`#${n} ${routingKey} nack: the broker did not take it`);
      } else {
        this.#unconfirmed++;
        this.log(`#${n} ${routingKey} unconfirmed: its channel closed before the broker said`);
      }
    };
    const ok = confirms
      ? ch.publish(c.exchange, routingKey, Buffer.from(body), options, confirmed)
      : ch.publish(c.exchange, routingKey, Buffer.from(body), options);
    this.counts.published++;
    if (confirms) this.#inFlight++;
    this.log(`#${n} ${routingKey || '""'} ${shortBody(body)} published`);
    return ok;
  }

  #returned(m: Message): void {
    this.counts.returned++;
    const f = m.fields as unknown as { replyCode?: number; replyText?: string };
    this.log(
      `${m.fields.routingKey} ${shortBody(m.content.toString())} returned: ${f.replyCode ?? ""} ${
        f.replyText ?? "unroutable"
      }`,
    );
  }
}
