/**
 * What every RabbitMQ actor shares: one hub task (so it shows in the
 * Coroutines panel) owning one AMQP connection named `warren <actor>`; its
 * counters and state for the actors' table; its log lines; and the life
 * cycle around the session each kind runs on a connection:
 *
 * connect -> session (declare, consume or publish) -> `done`; a lost
 * connection -> `reconnecting` with a capped backoff, then a new session on
 * a new connection (the topology declared again); the broker closing a
 * channel (404, 406) or refusing the first connection -> `failed` with the
 * broker's message; `stop()` -> the connection closed cleanly, `stopped`.
 *
 * Deliveries reach the task through its mailbox (`recv()`, so a consumer
 * shows as waiting(recv)); waits on amqplib are `wait(promise, label)`;
 * pauses (pacing, simulated work, backoff) are hub sleeps in short slices,
 * so a stop or a lost connection ends them at once.
 */
import { type Effect, recv, sleep, wait } from "../effects.ts";
import type { Hub } from "../hub.ts";
import type { ActorKind, ActorRow, ActorState } from "../mq_protocol.ts";
import type { Task } from "../task.ts";
import type { ActorLog } from "./actor_log.ts";
import { brokerErrorText, type Channel, type ChannelModel, connectActor } from "./amqp.ts";
import { declareTopology, NO_TOPOLOGY, type Topology } from "./topology.ts";

export type Gen<T = void> = Generator<Effect | undefined, T, unknown>;

/** What actors need from the service that starts them. */
export interface ActorEnv {
  hub: Hub;
  log: ActorLog;
  url: string;
  /** The `mq-connect` work scale now (it may change while actors run). */
  workScale(): number;
}

const BACKOFF_FIRST_MS = 200;
export const BACKOFF_MAX_MS = 5000;
/** Longest single sleep: how fast a pause notices a stop or a lost connection. */
const SLICE_MS = 100;
const CLOSE_TIMEOUT_MS = 2000;
/** How long a stopping actor may take to finish before its connection is closed under it. */
const STOP_GRACE_MS = 2000;

/** The backoff before reconnect attempt `n` (1, 2, ...): doubling, capped. */
export function backoffMs(n: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.max(0, n - 1));
}

/** Wakes a task waiting in `recv()` so it looks at its flags. */
const WAKE = Symbol("wake");

interface Envelope {
  /** The connection it came from: older ones are dropped. */
  gen: number;
  value: unknown;
}

/** Thrown inside the task when it must leave its session. */
class SessionEnd extends Error {}

/** The counters of an actor's row. */
export type Counts = Pick<
  ActorRow,
  "published" | "confirmed" | "nacked" | "returned" | "received" | "acked" | "rejected"
>;

/** The actors that wait for messages others send. */
const CONSUMERS: readonly ActorKind[] = ["subscriber", "worker", "rpc-server"];

export abstract class Actor {
  readonly name: string;
  abstract readonly kind: ActorKind;
  readonly counts: Counts = {
    published: 0,
    confirmed: 0,
    nacked: 0,
    returned: 0,
    received: 0,
    acked: 0,
    rejected: 0,
  };
  state: ActorState = "connecting";
  error: string | null = null;
  task: Task | null = null;
  protected readonly env: ActorEnv;
  /** Declared on every connection, before the session. */
  protected readonly topology: Topology;
  #stopping = false;
  #lost: string | null = null;
  #channelError: string | null = null;
  #channelClosed = false;
  #conn: ChannelModel | null = null;
  #closing: Promise<void> | null = null;
  #gen = 0;
  #everUp = false;
  #settle!: () => void;
  readonly #settled = new Promise<void>((resolve) => this.#settle = resolve);
  #rate = { atMs: 0, count: 0, perS: 0 };

  constructor(name: string, env: ActorEnv, topology: Topology = NO_TOPOLOGY) {
    this.name = name;
    this.env = env;
    this.topology = topology;
  }

  /** One line: what it does (`topic_logs <- *.orange.*`). */
  abstract summary(): string;

  /**
   * One connection's work: channels, declarations, then publishing or
   * consuming; calls `running()` once set up. Returns when the actor is
   * done; throws when its channel or connection fails.
   */
  protected abstract session(conn: ChannelModel): Gen;

  start(): Task {
    this.#rate.atMs = this.env.hub.now();
    this.task = this.env.hub.spawn(this.name, () => this.#main(), {
      group: `mq-${this.kind}`,
      parent: null,
      // a consumer waiting for its next message (a stopped publisher, a rare
      // routing key) is idle, not stuck; a publisher's confirms and an RPC
      // client's replies can be lost, so their long waits still warn
      idleWaits: CONSUMERS.includes(this.kind),
    });
    return this.task;
  }

  /** Resolves once the actor has first left `connecting` (or ended). */
  settled(): Promise<void> {
    return this.#settled;
  }

  /** Started and not ended. */
  get alive(): boolean {
    return this.task !== null && (this.state === "connecting" || this.state === "running" ||
      this.state === "reconnecting");
  }

  /** Stops the actor: its connection closes cleanly and its task ends (`stopped`). */
  async stop(): Promise<void> {
    const task = this.task;
    if (task === null || task.finished) return;
    this.#stopping = true;
    this.#wake();
    // io still in progress after a grace (a connect, a broker that does not answer) ends with
    // the connection
    const timer = setTimeout(() => void this.#closeConnection(), STOP_GRACE_MS);
    await task.whenFinished();
    clearTimeout(timer);
  }

  /**
   * Runs when a stop ends the session, before the connection closes: a
   * publisher waits for its last confirms, so a stop loses nothing.
   */
  protected *finish(): Gen {}

  row(): ActorRow {
    const task = this.task;
    return {
      name: this.name,
      kind: this.kind,
      taskId: task === null || task.finished ? 0 : task.id,
      state: this.state,
      summary: this.summary(),
      ...this.counts,
      ratePerS: this.#sampleRate(),
      error: this.error,
    };
  }

  /** Published or received per second, over about the last second. */
  #sampleRate(): number {
    const now = this.env.hub.now();
    const count = this.counts.published + this.counts.received;
    const r = this.#rate;
    if (now - r.atMs >= 1000) {
      r.perS = ((count - r.count) * 1000) / (now - r.atMs);
      r.atMs = now;
      r.count = count;
    }
    return this.alive ? Math.round(r.perS * 10) / 10 : 0;
  }

  protected log(text: string): void {
    this.env.log.write(this.name, text);
  }

  /** Marks the session set up (`running`), after the declarations. */
  protected running(): void {
    this.log(this.#everUp ? "reconnected: topology declared again" : `running: ${this.summary()}`);
    this.#everUp = true;
    this.#setState("running");
  }

  /** A callback for amqplib's consume: puts the value in the task's mailbox, tagged with this connection. */
  protected deliverer(): (value: unknown) => void {
    const gen = this.#gen;
    return (value) => this.task?.send({ gen, value } satisfies Envelope);
  }

  /** Wakes the task (waiting in `next()` or a pause) without a delivery. */
  protected wakeTask(): void {
    this.#wake();
  }

  /** Opens a channel whose close (by the broker, or with the connection) ends the session. */
  protected *channel(conn: ChannelModel, confirm = false): Gen<Channel> {
    const open = confirm ? conn.createConfirmChannel() : conn.createChannel();
    const ch = (yield wait(open, "open channel")) as Channel;
    ch.on("error", (e: unknown) => {
      this.#channelError ??= brokerErrorText(e);
    });
    ch.on("close", () => {
      this.#channelClosed = true;
      this.#wake();
    });
    yield* declareTopology(ch, this.topology);
    return ch;
  }

  /**
   * The next delivery of this connection, waiting in `recv()`; throws when
   * the session must end. `orWake`: a `wakeTask()` returns undefined.
   */
  protected *next(orWake = false): Gen<unknown> {
    for (;;) {
      this.check();
      const m = yield recv();
      if (m === WAKE) {
        if (orWake) return undefined;
        continue;
      }
      const envelope = m as Envelope;
      if (envelope.gen === this.#gen) return envelope.value;
    }
  }

  /**
   * Sleeps `ms` hub ms in slices; returns early, throwing, on a stop, a lost
   * connection or a closed channel.
   */
  protected *pause(ms: number): Gen {
    const end = this.env.hub.now() + ms;
    for (;;) {
      this.check();
      const left = end - this.env.hub.now();
      if (left <= 0) return;
      yield sleep(Math.min(left, SLICE_MS));
    }
  }

  /** Throws if the session must end: stopping, connection lost, channel closed. */
  protected check(): void {
    if (this.#stopping) throw new SessionEnd("stopping");
    if (this.#lost !== null) throw new SessionEnd(this.#lost);
    if (this.#channelClosed) throw new SessionEnd(this.#channelError ?? "channel closed");
  }

  /** The broker's error that closed a channel of this session, if any. */
  protected get channelError(): string | null {
    return this.#channelError;
  }

  protected get stopping(): boolean {
    return this.#stopping;
  }

  #wake(): void {
    this.task?.send(WAKE);
  }

  #setState(state: ActorState): void {
    this.state = state;
    if (state !== "connecting") this.#settle();
  }

  *#main(): Gen {
    let failures = 0;
    while (!this.#stopping) {
      const gen = ++this.#gen;
      this.#lost = null;
      this.#channelError = null;
      this.#channelClosed = false;
      let conn: ChannelModel;
      try {
        conn = (yield wait(connectActor(this.env.url, this.name), "connect")) as ChannelModel;
      } catch (error) {
        if (this.#stopping) break;
        if (!this.#everUp) return this.#fail(brokerErrorText(error));
        const ms = backoffMs(++failures);
        this.log(`reconnect failed: ${brokerErrorText(error)}; next try in ${seconds(ms)}`);
        yield* this.#backoff(ms);
        continue;
      }
      this.#conn = conn;
      this.#closing = null;
      conn.on("error", () => {});
      conn.on("close", (e?: unknown) => {
        if (this.#gen !== gen || this.#closing !== null) return;
        this.#lost = e === undefined ? "connection closed by the broker" : brokerErrorText(e);
        this.#wake();
      });
      if (this.#stopping) break;
      try {
        yield* this.session(conn);
        yield* this.#closeAndWait();
        this.log("done");
        this.#setState("done");
        return;
      } catch (error) {
        if (this.#stopping) break;
        if (this.#lost === null && !this.#channelClosed) {
          // the session threw by itself: a broker reply it could not take
          this.#channelError ??= brokerErrorText(error);
        }
        if (this.#lost !== null && this.#everUp) {
          const ms = backoffMs(++failures);
          this.log(`connection lost: ${this.#lost}; reconnecting in ${seconds(ms)}`);
          this.#setState("reconnecting");
          this.#conn = null;
          yield* this.#backoff(ms);
          continue;
        }
        yield* this.#closeAndWait();
        return this.#fail(this.#lost ?? this.#channelError ?? brokerErrorText(error));
      }
    }
    if (this.#conn !== null && this.#lost === null) {
      try {
        yield* this.finish();
      } catch {
        // the connection went meanwhile: nothing left to finish
      }
    }
    yield* this.#closeAndWait();
    this.log("stopped: connection closed");
    this.#setState("stopped");
  }

  /** Ends the task as failed, with the broker's message. */
  #fail(message: string): never {
    this.error = message;
    this.log(`failed: ${message}`);
    this.#setState("failed");
    throw new Error(message);
  }

  *#backoff(ms: number): Gen {
    const end = this.env.hub.now() + ms;
    while (!this.#stopping && this.env.hub.now() < end) {
      yield sleep(Math.min(end - this.env.hub.now(), SLICE_MS));
    }
  }

  *#closeAndWait(): Gen {
    yield wait(this.#closeConnection(), "close");
  }

  /** Closes the connection once (its channels with it); never rejects, never hangs. */
  #closeConnection(): Promise<void> {
    const conn = this.#conn;
    if (conn === null) return Promise.resolve();
    if (this.#closing !== null) return this.#closing;
    if (this.#lost !== null) return this.#closing = Promise.resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_TIMEOUT_MS));
    this.#closing = Promise.race([conn.close().catch(() => {}), timeout])
      .finally(() => clearTimeout(timer));
    return this.#closing;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
