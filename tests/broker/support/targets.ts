/**
 * Broker targets: which brokers a conformance test runs against (the
 * embedded broker on port 0 and, when `RABBITMQ_URL` is set, a real
 * RabbitMQ), so "compatible with RabbitMQ" means "the same assertions pass
 * on both". `forEachBroker()` registers one test per target;
 * `bothBrokers()` registers one differential test that gets both at once.
 *
 * Each test gets a BrokerCase: connections, raw sockets and unique queue and
 * exchange names that are closed and deleted after it.
 */
import { type Client, openClient, type OpenOptions } from "./amqplib.ts";
import { RawClient } from "./raw_client.ts";
import { withTimeout } from "./timing.ts";

export type TargetName = "embedded" | "rabbitmq";

/** The URL of the shared RabbitMQ, when the environment provides one. */
export const RABBITMQ_URL: string | undefined = Deno.env.get("RABBITMQ_URL") || undefined;

interface EmbeddedBroker {
  url: string;
  port: number;
  hostname: string;
  close(): Promise<void>;
}

interface EmbeddedModule {
  startBroker(options: { port: number; hostname: string }): Promise<EmbeddedBroker>;
}

/**
 * Loads src/broker/server.ts without a static import, so that a missing or
 * half-written broker turns the embedded cases into visibly ignored tests
 * instead of failing the type check of the whole suite.
 */
async function loadEmbedded(): Promise<EmbeddedModule | string> {
  const url = new URL("../../../src/broker/server.ts", import.meta.url);
  try {
    await Deno.stat(url);
  } catch {
    return "src/broker/server.ts not found";
  }
  try {
    const mod = (await import(url.href)) as Partial<EmbeddedModule>;
    if (typeof mod.startBroker !== "function") {
      return "src/broker/server.ts does not export startBroker()";
    }
    return mod as EmbeddedModule;
  } catch (error) {
    const first = String(error instanceof Error ? error.message : error).split("\n")[0];
    return `src/broker/server.ts failed to load: ${first}`;
  }
}

const embeddedModule = await loadEmbedded();

/** Why the embedded target is skipped in this run, if it is. */
export const EMBEDDED_SKIP_REASON: string | undefined = typeof embeddedModule === "string"
  ? embeddedModule
  : undefined;

let embeddedStart: Promise<EmbeddedBroker> | undefined;
// Registered-but-unfinished embedded tests; the shared broker of this test
// file closes when the last one finishes.
let embeddedPending = 0;

function embeddedBroker(): Promise<EmbeddedBroker> {
  if (typeof embeddedModule === "string") throw new Error(embeddedModule);
  embeddedStart ??= embeddedModule.startBroker({ port: 0, hostname: "127.0.0.1" });
  return embeddedStart;
}

async function releaseEmbedded(): Promise<void> {
  embeddedPending--;
  if (embeddedPending === 0 && embeddedStart) {
    const broker = await embeddedStart.catch(() => undefined);
    embeddedStart = undefined;
    await broker?.close();
  }
}

// ---------------------------------------------------------------------------
// Per-test context

export interface BrokerCase {
  target: TargetName;
  url: string;
  hostname: string;
  port: number;
  /** Opens an amqplib connection that is closed after the test. */
  open(options?: OpenOptions): Promise<Client>;
  /** Opens a raw socket that is closed after the test. */
  raw(): Promise<RawClient>;
  /** A unique name (no cleanup). */
  name(prefix?: string): string;
  /** A unique queue name; the queue is deleted after the test. */
  queue(prefix?: string): string;
  /** A unique exchange name; the exchange is deleted after the test. */
  exchange(prefix?: string): string;
  /** Runs `fn` after the test, before connections are closed. */
  defer(fn: () => unknown): void;
  /**
   * Runs one case of a table-driven test as a step of its own, so a failing
   * row is reported by name; resolves false if it failed.
   */
  step(name: string, fn: () => unknown): Promise<boolean>;
}

export interface ForEachOptions {
  /** Fail the test if it runs longer than this (default 15 s). */
  timeoutMs?: number;
  /** Restrict to some targets. */
  only?: TargetName[];
}

let counter = 0;
function uniqueName(prefix: string): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  return `warren-conf-${prefix}-${Date.now().toString(36)}-${random}-${counter++}`;
}

async function cleanup(url: string, queues: string[], exchanges: string[]): Promise<void> {
  if (queues.length === 0 && exchanges.length === 0) return;
  const client = await openClient(url, {});
  try {
    let ch = await client.channel();
    const items: [string, string][] = [
      ...queues.map((q): [string, string] => ["q", q]),
      ...exchanges.map((x): [string, string] => ["x", x]),
    ];
    for (const [kind, name] of items) {
      try {
        if (kind === "q") await ch.deleteQueue(name);
        else await ch.deleteExchange(name);
      } catch {
        // e.g. an exclusive queue of a still-open connection: fresh channel.
        ch = await client.channel();
      }
    }
  } finally {
    await client.close();
  }
}

/**
 * Registers `name` once per broker target, as "[embedded] name" and
 * "[rabbitmq] name". Targets that are unavailable are registered as ignored,
 * with the reason in the test name.
 */
export function forEachBroker(
  name: string,
  fn: (t: BrokerCase) => Promise<void>,
  options: ForEachOptions = {},
): void {
  const targets: { target: TargetName; skip?: string }[] = [
    { target: "embedded", skip: EMBEDDED_SKIP_REASON },
    { target: "rabbitmq", skip: RABBITMQ_URL ? undefined : "RABBITMQ_URL not set" },
  ];
  for (const { target, skip } of targets) {
    if (options.only && !options.only.includes(target)) continue;
    if (skip) {
      Deno.test({ name: `[${target}] ${name} (skipped: ${skip})`, ignore: true, fn: () => {} });
      continue;
    }
    if (target === "embedded") embeddedPending++;
    Deno.test({
      name: `[${target}] ${name}`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async (ctx) => {
        try {
          await runCase(ctx, target, fn, options.timeoutMs ?? 15_000);
        } finally {
          if (target === "embedded") await releaseEmbedded();
        }
      },
    });
  }
}

/**
 * Registers one test that gets both targets at once, for differential tests
 * that run the same steps on each and compare what they saw. Ignored, with
 * the reason, unless both brokers are available.
 */
export function bothBrokers(
  name: string,
  fn: (embedded: BrokerCase, rabbitmq: BrokerCase) => Promise<void>,
  options: { timeoutMs?: number } = {},
): void {
  const skip = EMBEDDED_SKIP_REASON ?? (RABBITMQ_URL ? undefined : "RABBITMQ_URL not set");
  const fullName = `[embedded vs rabbitmq] ${name}`;
  if (skip) {
    Deno.test({ name: `${fullName} (skipped: ${skip})`, ignore: true, fn: () => {} });
    return;
  }
  embeddedPending++;
  const timeoutMs = options.timeoutMs ?? 30_000;
  Deno.test({
    name: fullName,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (ctx) => {
      try {
        await runCase(
          ctx,
          "embedded",
          (e) => runCase(ctx, "rabbitmq", (r) => fn(e, r), timeoutMs),
          timeoutMs,
        );
      } finally {
        await releaseEmbedded();
      }
    },
  });
}

async function runCase(
  ctx: Deno.TestContext,
  target: TargetName,
  fn: (t: BrokerCase) => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const url = target === "embedded" ? (await embeddedBroker()).url : RABBITMQ_URL!;
  const parsed = new URL(url);
  const clients: Client[] = [];
  const raws: RawClient[] = [];
  const queues: string[] = [];
  const exchanges: string[] = [];
  const deferred: (() => unknown)[] = [];
  const t: BrokerCase = {
    target,
    url,
    hostname: parsed.hostname,
    port: Number(parsed.port || 5672),
    open: async (options = {}) => {
      const client = await openClient(url, options);
      clients.push(client);
      return client;
    },
    raw: async () => {
      const raw = await RawClient.connect(parsed.hostname, Number(parsed.port || 5672));
      raws.push(raw);
      return raw;
    },
    name: (prefix = "n") => uniqueName(prefix),
    queue: (prefix = "q") => {
      const q = uniqueName(prefix);
      queues.push(q);
      return q;
    },
    exchange: (prefix = "x") => {
      const x = uniqueName(prefix);
      exchanges.push(x);
      return x;
    },
    defer: (f) => void deferred.push(f),
    step: (name, f) =>
      ctx.step({
        name,
        fn: async () => void await f(),
        sanitizeOps: false,
        sanitizeResources: false,
      }),
  };
  try {
    await withTimeout(fn(t), timeoutMs, "test body");
  } finally {
    for (const f of deferred.reverse()) await f();
    await Promise.all(clients.map((c) => c.close()));
    for (const raw of raws) raw.close();
    // Leftovers must not fail (or hang) a test whose body already decided.
    await withTimeout(cleanup(url, queues, exchanges), 5000, "cleanup").catch((e) =>
      console.warn(`[${target}] cleanup: ${e instanceof Error ? e.message : e}`)
    );
  }
}
