/**
 * The lab service's RabbitMQ part: the `mq-*` commands (which broker, start
 * publishers, subscribers, workers, the RPC server and client, the lesson's
 * scenarios, stop) and the bounded `mq` part of each snapshot: the actors,
 * their log lines since the previous snapshot, the RPC client's calls.
 * `lab_service.ts` delegates the `mq-*` commands here.
 *
 * A command that starts an actor replies once the actor runs, or with the
 * broker's message when it failed (`404 NOT_FOUND - no exchange ...`).
 */
import type { Hub } from "./hub.ts";
import type { ActorRow, MqCommand, MqSnapshot, ScenarioName } from "./mq_protocol.ts";
import { SCENARIOS } from "./mq_protocol.ts";
import type { Actor, ActorEnv } from "./mq/actor.ts";
import { ActorLog } from "./mq/actor_log.ts";
import { hidePassword } from "./mq/amqp.ts";
import { Publisher, type PublisherConfig } from "./mq/publisher.ts";
import { RpcClient } from "./mq/rpc_client.ts";
import { RpcServer } from "./mq/rpc_server.ts";
import { type ActorFactory, planScenario } from "./mq/scenarios.ts";
import { Subscriber } from "./mq/subscriber.ts";
import { ExchangeBook, type Topology } from "./mq/topology.ts";
import { QueueWorker, type WorkerConfig } from "./mq/worker.ts";

/** Ended actors kept for the table. */
export const ENDED_KEPT = 20;
/** The fastest pace a publisher is asked for (faster: leave the rate out). */
export const MAX_RATE_PER_S = 100_000;
/** How long a start command waits for its actor before replying "connecting". */
const SETTLE_WAIT_MS = 6000;

export class MqService {
  readonly #hub: Hub;
  readonly #log: ActorLog;
  #broker: { url: string; workScale: number } | null = null;
  #actors: Actor[] = [];
  #numbers = new Map<string, number>();
  #scenario: ScenarioName | null = null;
  #scenarioActors: Actor[] = [];
  #rpcClient: RpcClient | null = null;
  readonly #exchanges = new ExchangeBook();
  #used = false;

  constructor(hub: Hub) {
    this.#hub = hub;
    this.#log = new ActorLog(() => hub.now());
  }

  handle(command: MqCommand): Promise<string> {
    this.#used = true;
    switch (command.type) {
      case "mq-connect":
        return this.#connect(command.url, command.workScale);
      case "mq-publish":
        checkPublish(command.options);
        return this.#started(
          this.#make().publisher(command.options, this.#known(command.options.exchange)),
        );
      case "mq-subscribe":
        return this.#started(
          this.#make().subscriber(command.exchange, command.keys, this.#known(command.exchange)),
        );
      case "mq-worker":
        if (command.prefetch !== undefined && !isCount(command.prefetch, 0)) {
          throw new Error(`prefetch must be a whole number from 0, got ${command.prefetch}`);
        }
        return this.#started(
          this.#make().worker(
            { queue: command.queue, prefetch: command.prefetch, noAck: command.noAck },
            { exchanges: [], queues: [] },
          ),
        );
      case "mq-rpc-server":
        return this.#started(this.#make().rpcServer());
      case "mq-rpc":
        return this.#rpc(command.n);
      case "mq-scenario":
        return this.#runScenario(command.name, command.prefetch !== false);
      case "mq-stop":
        return this.stop(command.name);
    }
  }

  async #connect(url: string, workScale: number): Promise<string> {
    if (!(workScale > 0)) throw new Error(`work scale must be above 0, got ${workScale}`);
    const changed = this.#broker !== null && this.#broker.url !== url;
    this.#broker = { url, workScale };
    const shown = `actors use ${hidePassword(url)} (work scale ${workScale})`;
    if (!changed) return shown;
    const alive = this.#actors.filter((a) => a.alive);
    await Promise.all(alive.map((a) => a.stop()));
    return alive.length === 0
      ? shown
      : `${shown}; stopped ${plural(alive.length, "actor")} of the previous broker`;
  }

  /** Stops the actor so named, or every actor. */
  async stop(name?: string): Promise<string> {
    const alive = this.#actors.filter((a) => a.alive);
    if (name === undefined || name === "" || name === "all") {
      await Promise.all(alive.map((a) => a.stop()));
      return alive.length === 0 ? "no actor running" : `stopped ${plural(alive.length, "actor")}`;
    }
    const actor = this.#actors.find((a) => a.name === name);
    if (actor === undefined || !actor.alive) {
      const names = alive.map((a) => a.name);
      throw new Error(
        `no running actor '${name}'${names.length > 0 ? ` (running: ${names.join(", ")})` : ""}`,
      );
    }
    await actor.stop();
    return `stopped ${name}`;
  }

  /** Stops everything (the lab is shutting down). */
  async close(): Promise<void> {
    await this.stop();
  }

  #env(): ActorEnv {
    const broker = this.#broker;
    if (broker === null) throw new Error("no broker yet: the dashboard has not connected one");
    return {
      hub: this.#hub,
      log: this.#log,
      url: broker.url,
      workScale: () => this.#broker?.workScale ?? broker.workScale,
    };
  }

  #name(kind: string): string {
    const n = (this.#numbers.get(kind) ?? 0) + 1;
    this.#numbers.set(kind, n);
    return `${kind}-${n}`;
  }

  /** The factory scenarios and commands make actors with (named, registered, not started). */
  #make(): ActorFactory {
    const env = this.#env();
    const add = <A extends Actor>(actor: A): A => {
      this.#actors.push(actor);
      this.#prune();
      return actor;
    };
    return {
      publisher: (config: PublisherConfig, topology: Topology) =>
        add(new Publisher(this.#name("publisher"), env, config, topology)),
      subscriber: (exchange: string, keys: string[], topology: Topology) =>
        add(new Subscriber(this.#name("subscriber"), env, exchange, keys, topology)),
      worker: (config: WorkerConfig, topology: Topology) =>
        add(new QueueWorker(this.#name("worker"), env, config, topology)),
      rpcServer: () => add(new RpcServer(this.#name("rpc-server"), env)),
      rpcClient: () => {
        const client = add(new RpcClient(this.#name("rpc-client"), env));
        this.#rpcClient = client;
        return client;
      },
    };
  }

  #known(exchange: string): Topology {
    return this.#exchanges.topologyFor(exchange);
  }

  /** Starts `actor`; the reply says it runs, or why it failed. */
  async #started(actor: Actor): Promise<string> {
    actor.start();
    await settle([actor]);
    return outcome(actor);
  }

  async #rpc(n: number): Promise<string> {
    if (!Number.isInteger(n)) throw new Error(`fib(n) needs an integer n, got ${n}`);
    let client = this.#rpcClient;
    if (client === null || !client.alive) {
      client = this.#make().rpcClient();
      client.start();
      await settle([client]);
      if (client.state === "failed") throw new Error(`${client.name} failed: ${client.error}`);
    }
    client.call(n);
    return `${client.name}: called fib(${n})`;
  }

  async #runScenario(name: ScenarioName, prefetch: boolean): Promise<string> {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`no scenario '${name}' (${SCENARIOS.join(", ")})`);
    }
    const make = this.#make();
    const previous = this.#scenarioActors.filter((a) => a.alive);
    await Promise.all(previous.map((a) => a.stop()));
    this.#forgetScenario();
    const plan = planScenario(name, make, {
      prefetch,
      timeScale: this.#broker!.workScale,
    });
    this.#exchanges.remember(plan.topology);
    this.#scenario = name;
    this.#scenarioActors = [...plan.consumers, ...plan.publishers];
    for (const a of plan.consumers) a.start();
    await settle(plan.consumers);
    const failed = plan.consumers.find((a) => a.state === "failed");
    if (failed !== undefined) {
      await Promise.all(this.#scenarioActors.map((a) => a.stop()));
      // its publishers never started: they are not shown
      this.#actors = this.#actors.filter((a) => a.task !== null);
      throw new Error(`scenario ${name}: ${failed.name} failed: ${failed.error}`);
    }
    for (const a of plan.publishers) a.start();
    await settle(plan.publishers);
    const failedPublisher = plan.publishers.find((a) => a.state === "failed");
    if (failedPublisher !== undefined) {
      throw new Error(`scenario ${name}: ${failedPublisher.name} failed: ${failedPublisher.error}`);
    }
    plan.then?.();
    const stopped = previous.length > 0
      ? ` (stopped ${plural(previous.length, "actor")} of the previous one)`
      : "";
    return `scenario ${name}: ${plan.text}${stopped}`;
  }

  /**
   * The last scenario's actors leave the list once it is replaced (the reply
   * says how many were stopped), so the new one's are the ones in view; a
   * failed one stays, its error still to read.
   */
  #forgetScenario(): void {
    const gone = new Set(this.#scenarioActors.filter((a) => a.state !== "failed"));
    this.#actors = this.#actors.filter((a) => !gone.has(a));
    if (this.#rpcClient !== null && gone.has(this.#rpcClient)) this.#rpcClient = null;
    this.#scenarioActors = [];
  }

  /** Keeps the live actors and the last ENDED_KEPT ended ones, in start order. */
  #prune(): void {
    let ended = this.#actors.filter((a) => !a.alive && a.task !== null).length;
    if (ended <= ENDED_KEPT) return;
    this.#actors = this.#actors.filter((a) => a.alive || a.task === null || ended-- <= ENDED_KEPT);
  }

  /** What changed, so an idle lab posts nothing new. */
  fingerprint(): string {
    if (!this.#used) return "";
    let sum = 0;
    let states = "";
    for (const a of this.#actors) {
      const c = a.counts;
      sum += c.published + c.confirmed + c.received + c.acked + c.returned + c.nacked;
      states += a.state[0];
    }
    return `${this.#log.written}/${sum}/${states}`;
  }

  /** The mq part of a snapshot; consumes the log lines it carries. */
  snapshot(): MqSnapshot | undefined {
    if (!this.#used) return undefined;
    this.#prune();
    const actors: ActorRow[] = this.#actors.filter((a) => a.task !== null).map((a) => a.row());
    return {
      url: this.#broker === null ? null : hidePassword(this.#broker.url),
      scenario: this.#scenario,
      actors,
      log: this.#log.take(),
      rpc: this.#rpcClient?.calls() ?? [],
    };
  }
}

/** Waits until each actor has settled (running, failed, done), at most SETTLE_WAIT_MS. */
async function settle(actors: Actor[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, SETTLE_WAIT_MS));
  await Promise.race([Promise.all(actors.map((a) => a.settled())), timeout]);
  clearTimeout(timer);
}

function outcome(actor: Actor): string {
  switch (actor.state) {
    case "failed":
      throw new Error(`${actor.name} failed: ${actor.error}`);
    case "connecting":
      return `${actor.name} connecting: ${actor.summary()}`;
    case "done":
      return `${actor.name} done: ${actor.summary()}`;
    default:
      return `${actor.name} started: ${actor.summary()}`;
  }
}

/** Refuses options no publisher can follow, in one line. */
function checkPublish(o: PublisherConfig): void {
  if (o.count !== undefined && !isCount(o.count, 1)) {
    throw new Error(`count must be a whole number from 1, got ${o.count}`);
  }
  if (o.ratePerS !== undefined && !(o.ratePerS > 0 && o.ratePerS <= MAX_RATE_PER_S)) {
    throw new Error(`rate must be above 0 and at most ${MAX_RATE_PER_S}/s, got ${o.ratePerS}`);
  }
}

function isCount(n: number, min: number): boolean {
  return Number.isSafeInteger(n) && n >= min;
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
