/**
 * The lesson's six scenarios as plans: the topology each declares and the
 * actors it starts, consumers first (so they are bound before the first
 * message), then publishers. Publishers run without end at a modest pace
 * (1 to 4 per second), except `work`'s, which sends 30 tasks. The pace
 * follows the work scale (`--work-scale 0.1`: ten times the rate), so a
 * scenario keeps its shape when its work is made shorter.
 *
 * `work` makes fair dispatch visible: two workers with manual ack on the
 * durable `task_queue`, one three times slower. With prefetch 1 the fast one
 * takes (and acks) about three tasks for each of the slow one's; with
 * `prefetch: false` the broker deals them out in turn, 15 each, and the slow
 * one's pile waits unacked.
 */
import type { ScenarioName } from "../mq_protocol.ts";
import type { Actor } from "./actor.ts";
import type { PublisherConfig } from "./publisher.ts";
import type { RpcClient } from "./rpc_client.ts";
import type { Topology } from "./topology.ts";
import type { WorkerConfig } from "./worker.ts";

/** How the service makes actors (it names and registers them). */
export interface ActorFactory {
  publisher(config: PublisherConfig, topology: Topology): Actor;
  subscriber(exchange: string, keys: string[], topology: Topology): Actor;
  worker(config: WorkerConfig, topology: Topology): Actor;
  rpcServer(): Actor;
  rpcClient(): RpcClient;
}

export interface ScenarioPlan {
  topology: Topology;
  /** Started first; the publishers wait until these run. */
  consumers: Actor[];
  publishers: Actor[];
  /** Runs once everything is started (the rpc scenario's first call). */
  then?: () => void;
  /** For the reply: `topic_logs (topic): 4 subscribers, 1 publisher at 4/s`. */
  text: string;
}

export const WORK_TASKS = 30;
export const WORK_SLOWNESS = 3;
const MAX_RATE = 1000;

export const TOPIC_KEYS = [
  "quick.orange.rabbit",
  "lazy.orange.elephant",
  "quick.orange.fox",
  "lazy.brown.fox",
  "lazy.pink.rabbit",
  "quick.brown.fox",
  "quick.orange.male.rabbit",
  "lazy.orange.male.rabbit",
] as const;
export const TOPIC_PATTERNS = ["*.orange.*", "*.*.rabbit", "lazy.#", "#"] as const;
export const SEVERITIES = ["info", "warning", "error"] as const;

export function planScenario(
  name: ScenarioName,
  make: ActorFactory,
  options: { prefetch: boolean; timeScale: number },
): ScenarioPlan {
  const rate = (perS: number) =>
    Math.min(MAX_RATE, Math.round((perS / Math.max(options.timeScale, 1e-6)) * 100) / 100);
  switch (name) {
    case "hello": {
      const topology: Topology = { exchanges: [], queues: [{ name: "hello", durable: false }] };
      const r = rate(1);
      return {
        topology,
        consumers: [make.worker({ queue: "hello", noAck: true }, topology)],
        publishers: [
          make.publisher(
            { exchange: "", routingKey: "hello", body: "Hello World!", ratePerS: r },
            topology,
          ),
        ],
        text: `queue hello: a consumer (no-ack), a publisher of "Hello World!" at ${r}/s`,
      };
    }
    case "work": {
      const topology: Topology = { exchanges: [], queues: [{ name: "task_queue", durable: true }] };
      const prefetch = options.prefetch ? 1 : 0;
      const r = rate(2);
      const worker = (slowness: number) =>
        make.worker({ queue: "task_queue", prefetch, slowness }, topology);
      return {
        topology,
        consumers: [worker(1), worker(WORK_SLOWNESS)],
        publishers: [make.publisher({
          exchange: "",
          routingKey: "task_queue",
          body: "",
          persistent: true,
          ratePerS: r,
          count: WORK_TASKS,
          messages: (i) => ({
            routingKey: "task_queue",
            body: `task ${i + 1} ${".".repeat(i % 3 + 1)}`,
          }),
          describe: "task_queue tasks of 1 to 3 dots",
        }, topology)],
        text: `durable task_queue: 2 workers (${prefetch ? "prefetch 1" : "no prefetch"}, ack, ` +
          `one ${WORK_SLOWNESS}x slower), ${WORK_TASKS} persistent tasks at ${r}/s`,
      };
    }
    case "fanout": {
      const topology = exchangeTopology("logs", "fanout");
      const r = rate(2);
      return {
        topology,
        consumers: [make.subscriber("logs", [], topology), make.subscriber("logs", [], topology)],
        publishers: [make.publisher({
          exchange: "logs",
          routingKey: "",
          body: "",
          ratePerS: r,
          messages: (i) => ({ routingKey: "", body: `info: Hello World! #${i + 1}` }),
          describe: `"info: Hello World! #N"`,
        }, topology)],
        text: `logs (fanout): 2 subscribers, a publisher at ${r}/s`,
      };
    }
    case "direct": {
      const topology = exchangeTopology("direct_logs", "direct");
      const r = rate(3);
      return {
        topology,
        consumers: [
          make.subscriber("direct_logs", ["warning", "error"], topology),
          make.subscriber("direct_logs", [...SEVERITIES], topology),
        ],
        publishers: [make.publisher(cycling("direct_logs", SEVERITIES, r), topology)],
        text: `direct_logs (direct): 2 subscribers, a publisher cycling ${
          SEVERITIES.join("/")
        } at ${r}/s`,
      };
    }
    case "topic": {
      const topology = exchangeTopology("topic_logs", "topic");
      const r = rate(4);
      return {
        topology,
        consumers: TOPIC_PATTERNS.map((p) => make.subscriber("topic_logs", [p], topology)),
        publishers: [make.publisher(cycling("topic_logs", TOPIC_KEYS, r), topology)],
        text: `topic_logs (topic): ${TOPIC_PATTERNS.length} subscribers, a publisher cycling ` +
          `${TOPIC_KEYS.length} keys at ${r}/s`,
      };
    }
    case "rpc": {
      const client = make.rpcClient();
      return {
        topology: { exchanges: [], queues: [{ name: "rpc_queue", durable: false }] },
        consumers: [make.rpcServer(), client],
        publishers: [],
        then: () => client.call(30),
        text: "rpc_queue: the RPC server (fib), a client; first call fib(30)",
      };
    }
  }
}

function exchangeTopology(name: string, type: "fanout" | "direct" | "topic"): Topology {
  return { exchanges: [{ name, type, durable: false }], queues: [] };
}

function cycling(exchange: string, keys: readonly string[], ratePerS: number): PublisherConfig {
  return {
    exchange,
    routingKey: keys[0]!,
    body: "",
    ratePerS,
    messages: (i) => {
      const key = keys[i % keys.length]!;
      return { routingKey: key, body: `${key}: message ${i + 1}` };
    },
    describe: `cycling ${keys.length} keys`,
  };
}
