/**
 * A virtual host: its exchanges, queues and bindings, and the operations the
 * AMQP methods map to. Every precondition is checked here with RabbitMQ's
 * reply code and wording, so the channel only translates methods.
 *
 * Exclusive queues are owned by an opaque `owner` object (the connection).
 */
import type { FieldTable } from "../amqp/field_table.ts";
import {
  bindingKey,
  BUILTIN_EXCHANGES,
  type ExchangeBinding,
  type ExchangeDeclare,
  type QueueBinding,
  type QueueDeclare,
  type QueueDeclareOk,
  type TopologyJournal,
  type VhostEvents,
  type VhostOptions,
} from "./vhost_types.ts";
import { deadLetterMessage, type DeathReason, isDeadLetterCycle } from "./dead_letter.ts";
import { DefaultExchange } from "./default_exchange.ts";
import {
  accessRefused,
  AmqpError,
  commandInvalid,
  notFound,
  preconditionFailed,
  resourceLocked,
} from "./errors.ts";
import {
  type Binding,
  type BindingKey,
  type Destination,
  type Exchange,
  makeBinding,
} from "./exchange.ts";
import { createExchange, isExchangeType } from "./exchange_types.ts";
import type { Message } from "./message.ts";
import { type MemoryAccount, Queue, type QueueHost } from "./queue.ts";
import { randomName } from "./vhost_types.ts";
import { VhostStats } from "./message_stats.ts";
import { routeToQueues } from "./route.ts";
import { assertArgsEquivalent, parseQueueArgs } from "./queue_args.ts";
import { type BrokerTimers, realTimers } from "./timers.ts";

export class Vhost implements QueueHost {
  readonly stats = new VhostStats();
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** Bindings by destination (`queue\0name` / `exchange\0name`), to clean up on delete. */
  readonly #bindingsTo = new Map<string, Set<Binding>>();
  #events: VhostEvents = {};
  readonly timers: BrokerTimers;
  readonly memory: MemoryAccount | undefined;
  readonly log: (line: string) => void;
  /** Keeps what is durable (none without a data dir); also the confirms' sync gate. */
  readonly journal: TopologyJournal | undefined;

  constructor(readonly name: string, opts: VhostOptions = {}) {
    this.timers = opts.timers ?? realTimers;
    this.memory = opts.memory;
    this.journal = opts.journal;
    this.log = opts.log ?? (() => {});
    this.exchanges.set("", new DefaultExchange());
    for (const [xname, type] of BUILTIN_EXCHANGES) {
      this.exchanges.set(
        xname,
        createExchange(xname, type, {
          durable: true,
          autoDelete: false,
          internal: false,
          arguments: {},
        })!,
      );
    }
  }

  set events(events: VhostEvents) {
    this.#events = events;
  }

  // --- exchanges -------------------------------------------------------------

  exchange(name: string): Exchange {
    const x = this.exchanges.get(name);
    if (!x) throw notFound("exchange", name, this.name);
    return x;
  }

  declareExchange(name: string, type: string, opts: ExchangeDeclare = {}): Exchange {
    if (name === "") throw accessRefused("operation not permitted on the default exchange");
    if (opts.passive) return this.exchange(name);
    if (!isExchangeType(type)) throw commandInvalid(`unknown exchange type '${type}'`);
    const durable = opts.durable ?? false;
    const autoDelete = opts.autoDelete ?? false;
    const internal = opts.internal ?? false;
    const args = opts.arguments ?? {};
    const existing = this.exchanges.get(name);
    if (!existing) {
      if (name.startsWith("amq.")) {
        throw accessRefused(`exchange name '${name}' contains reserved prefix 'amq.*'`);
      }
      const x = createExchange(name, type, { durable, autoDelete, internal, arguments: args })!;
      this.exchanges.set(name, x);
      this.journal?.exchangeSaved(x);
      return x;
    }
    const mismatch = (arg: string, got: unknown, had: unknown) =>
      preconditionFailed(
        `inequivalent arg '${arg}' for exchange '${name}' in vhost '${this.name}': received '${got}' but current is '${had}'`,
      );
    if (existing.type !== type) throw mismatch("type", type, existing.type);
    if (existing.options.durable !== durable) {
      throw mismatch("durable", durable, existing.options.durable);
    }
    if (existing.options.autoDelete !== autoDelete) {
      throw mismatch("auto_delete", autoDelete, existing.options.autoDelete);
    }
    if (existing.options.internal !== internal) {
      throw mismatch("internal", internal, existing.options.internal);
    }
    assertArgsEquivalent(existing.options.arguments, args, {
      kind: "exchange",
      name,
      vhost: this.name,
      keys: ["alternate-exchange"],
    });
    return existing;
  }

  deleteExchange(name: string, opts: { ifUnused?: boolean } = {}): void {
    if (name === "") throw accessRefused("operation not permitted on the default exchange");
    if (name.startsWith("amq.")) {
      throw accessRefused(
        `deletion of system exchange '${name}' in vhost '${this.name}' not allowed`,
      );
    }
    const x = this.exchanges.get(name);
    if (!x) return; // RabbitMQ 3.x: deleting a missing exchange succeeds.
    if (opts.ifUnused && x.bindings.size > 0) {
      throw preconditionFailed(`exchange '${name}' in vhost '${this.name}' in use`);
    }
    this.#removeExchange(x);
  }

  #removeExchange(x: Exchange): void {
    this.exchanges.delete(x.name);
    for (const b of [...x.bindings.values()]) this.#unindex(b);
    for (const b of [...(this.#bindingsTo.get(`exchange\u0000${x.name}`) ?? [])]) {
      this.#removeBinding(b);
    }
    this.journal?.exchangeDeleted(x);
  }

  // --- queues ----------------------------------------------------------------

  /** The queue, checking exclusivity for `owner` (405 when another connection owns it). */
  queue(name: string, owner: object | undefined): Queue {
    const q = this.queues.get(name);
    if (!q) throw notFound("queue", name, this.name);
    this.#checkOwner(q, owner);
    return q;
  }

  #checkOwner(q: Queue, owner: object | undefined): void {
    const holder = q.options.exclusiveOwner;
    if (holder !== undefined && holder !== owner) throw this.#locked(q.name);
  }

  #locked(name: string): AmqpError {
    return resourceLocked(
      `cannot obtain exclusive access to locked queue '${name}' in vhost '${this.name}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
    );
  }

  declareQueue(name: string, opts: QueueDeclare, owner: object | undefined): QueueDeclareOk {
    if (opts.passive) {
      const q = this.queue(name, owner);
      q.touch();
      return { queue: q, messageCount: q.messageCount, consumerCount: q.consumerCount };
    }
    const durable = opts.durable ?? false;
    const exclusive = opts.exclusive ?? false;
    const autoDelete = opts.autoDelete ?? false;
    const args = opts.arguments ?? {};
    if (name === "") {
      do name = randomName("amq.gen-"); while (this.queues.has(name));
    }
    const existing = this.queues.get(name);
    if (existing) {
      this.#checkOwner(existing, owner);
      if ((existing.options.exclusiveOwner !== undefined) !== exclusive) {
        throw this.#locked(name);
      }
      const mismatch = (arg: string, got: unknown, had: unknown) =>
        preconditionFailed(
          `inequivalent arg '${arg}' for queue '${name}' in vhost '${this.name}': received '${got}' but current is '${had}'`,
        );
      if (existing.options.durable !== durable) {
        throw mismatch("durable", durable, existing.options.durable);
      }
      if (existing.options.autoDelete !== autoDelete) {
        throw mismatch("auto_delete", autoDelete, existing.options.autoDelete);
      }
      assertArgsEquivalent(existing.options.arguments, args, {
        kind: "queue",
        name,
        vhost: this.name,
      });
      existing.touch();
      return {
        queue: existing,
        messageCount: existing.messageCount,
        consumerCount: existing.consumerCount,
      };
    }
    if (name.startsWith("amq.") && !name.startsWith("amq.gen-")) {
      throw accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`);
    }
    const parsed = parseQueueArgs(name, this.name, args);
    const q = new Queue(name, this.name, {
      durable,
      exclusiveOwner: exclusive ? owner : undefined,
      autoDelete,
      arguments: args,
      args: parsed,
    }, this);
    this.queues.set(name, q);
    this.journal?.queueSaved(q);
    return { queue: q, messageCount: 0, consumerCount: 0 };
  }

  /** queue.delete: returns the number of ready messages deleted (0 when it did not exist). */
  deleteQueue(
    name: string,
    opts: { ifUnused?: boolean; ifEmpty?: boolean },
    owner: object | undefined,
  ): number {
    const q = this.queues.get(name);
    if (!q) return 0;
    this.#checkOwner(q, owner);
    if (opts.ifUnused && q.consumerCount > 0) {
      throw preconditionFailed(`queue '${name}' in vhost '${this.name}' in use`);
    }
    if (opts.ifEmpty && q.messageCount > 0) {
      throw preconditionFailed(`queue '${name}' in vhost '${this.name}' not empty`);
    }
    return this.removeQueue(q);
  }

  /** Deletes a queue unconditionally (also used for auto-delete, x-expires and exclusive owners). */
  removeQueue(q: Queue): number {
    if (this.queues.get(q.name) !== q) return 0;
    this.queues.delete(q.name);
    for (const b of [...(this.#bindingsTo.get(`queue\u0000${q.name}`) ?? [])]) {
      this.#removeBinding(b);
    }
    this.journal?.queueDeleted(q);
    const n = q.markDeleted();
    this.stats.retired.addFrom(q.stats);
    this.#events.queueDeleted?.(q);
    return n;
  }

  purgeQueue(name: string, owner: object | undefined): number {
    return this.queue(name, owner).purge();
  }

  /** The owner (connection) closed: its exclusive queues go away. */
  ownerClosed(owner: object): void {
    for (const q of [...this.queues.values()]) {
      if (q.options.exclusiveOwner === owner) this.removeQueue(q);
    }
  }

  // --- QueueHost -------------------------------------------------------------

  expire(queue: Queue): void {
    this.removeQueue(queue);
  }

  deadLetter(queue: Queue, messages: Message[], reason: DeathReason): void {
    const dlx = queue.args.deadLetterExchange;
    if (dlx === undefined) return;
    const x = this.exchanges.get(dlx);
    if (!x) return;
    const now = this.timers.now();
    for (const m of messages) {
      const dead = deadLetterMessage(m, {
        queue: queue.name,
        reason,
        exchange: dlx,
        routingKey: queue.args.deadLetterRoutingKey,
        now,
      });
      for (const target of this.route(x, dead.routingKey, dead.properties.headers)) {
        if (!isDeadLetterCycle(dead, target.name)) target.enqueue(dead);
      }
    }
  }

  // --- bindings --------------------------------------------------------------

  bindQueue(binding: QueueBinding, owner: object | undefined): void {
    if (binding.exchange === "") {
      throw accessRefused("operation not permitted on the default exchange");
    }
    const q = this.queue(binding.queue, owner);
    const x = this.exchange(binding.exchange);
    this.#addBinding(x, { kind: "queue", name: q.name }, bindingKey(binding));
  }

  unbindQueue(binding: QueueBinding, owner: object | undefined): void {
    if (binding.exchange === "") {
      throw accessRefused("operation not permitted on the default exchange");
    }
    // RabbitMQ 3.10: unbinding what is not there (even a missing queue or
    // exchange) succeeds.
    const q = this.queues.get(binding.queue);
    if (q) this.#checkOwner(q, owner);
    const x = this.exchanges.get(binding.exchange);
    if (!q || !x) return;
    const b = makeBinding(x.name, { kind: "queue", name: q.name }, bindingKey(binding));
    const found = x.bindings.get(b.id);
    if (found) this.#removeBinding(found);
  }

  bindExchange(binding: ExchangeBinding): void {
    const { destination, source } = binding;
    if (destination === "" || source === "") {
      throw accessRefused("operation not permitted on the default exchange");
    }
    const dst = this.exchange(destination);
    const src = this.exchange(source);
    this.#addBinding(src, { kind: "exchange", name: dst.name }, bindingKey(binding));
  }

  unbindExchange(binding: ExchangeBinding): void {
    const { destination, source } = binding;
    if (destination === "" || source === "") {
      throw accessRefused("operation not permitted on the default exchange");
    }
    const dst = this.exchanges.get(destination);
    const src = this.exchanges.get(source);
    if (!dst || !src) return; // idempotent, as queue.unbind
    const b = makeBinding(src.name, { kind: "exchange", name: dst.name }, bindingKey(binding));
    const found = src.bindings.get(b.id);
    if (found) this.#removeBinding(found);
  }

  /** All bindings, for inspection (the default exchange's implicit ones are not listed). */
  *bindings(): IterableIterator<Binding> {
    for (const x of this.exchanges.values()) yield* x.bindings.values();
  }

  #addBinding(x: Exchange, dest: Destination, key: BindingKey): void {
    const b = makeBinding(x.name, dest, key);
    if (!x.addBinding(b)) return;
    if (this.#durable(x, dest)) this.journal?.bindingSaved(b);
    const to = `${dest.kind}\u0000${dest.name}`;
    let set = this.#bindingsTo.get(to);
    if (!set) this.#bindingsTo.set(to, set = new Set());
    set.add(b);
  }

  /** A binding survives a restart when both its ends do. */
  #durable(x: Exchange, dest: Destination): boolean {
    if (!x.options.durable) return false;
    if (dest.kind === "exchange") return this.exchanges.get(dest.name)?.options.durable === true;
    const q = this.queues.get(dest.name);
    return q !== undefined && q.options.durable && q.options.exclusiveOwner === undefined;
  }

  #unindex(b: Binding): void {
    const key = `${b.kind}\u0000${b.name}`;
    const set = this.#bindingsTo.get(key);
    set?.delete(b);
    if (set?.size === 0) this.#bindingsTo.delete(key);
  }

  #removeBinding(b: Binding): void {
    const x = this.exchanges.get(b.source);
    if (!x) return;
    x.removeBinding(b.id);
    this.journal?.bindingDeleted(b);
    this.#unindex(b);
    // An auto-delete exchange goes when its last binding (as source) goes.
    if (x.options.autoDelete && x.bindings.size === 0) this.#removeExchange(x);
  }

  // --- routing ---------------------------------------------------------------

  /**
   * The queues a message published to `x` reaches, following
   * exchange-to-exchange bindings and alternate exchanges, each queue once.
   */
  route(x: Exchange, routingKey: string, headers: FieldTable | undefined): Set<Queue> {
    return routeToQueues(this, x, routingKey, headers);
  }

  /** Routes a client's publish to `x`, counting it for the management API. */
  routePublished(x: Exchange, key: string, headers: FieldTable | undefined, mandatory: boolean) {
    const queues = this.route(x, key, headers);
    this.stats.published(x, queues.size, mandatory);
    return queues;
  }

  /** Looks up the exchange a client publishes to (404 missing, 403 internal). */
  publishTarget(exchangeName: string): Exchange {
    const x = this.exchange(exchangeName);
    if (x.options.internal) {
      throw accessRefused(
        `cannot publish to internal exchange '${exchangeName}' in vhost '${this.name}'`,
      );
    }
    return x;
  }
}
