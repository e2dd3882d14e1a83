/**
 * The RabbitMQ actors as the lab would report them, without a lab: actor
 * rows, log lines, RPC calls, and an app state on the RabbitMQ panel that
 * received them in a snapshot (with a management API reading, or none).
 */
import { type AppState, initialState } from "../../../src/app/model.ts";
import type { ActorRow, MqSnapshot, RpcCallRow } from "../../../src/lab/protocol.ts";
import { snapshot } from "./lab_fixtures.ts";
import { rabbitData } from "./rabbit_fixtures.ts";
import { run } from "./run.ts";

export function actor(name: string, over: Partial<ActorRow> = {}): ActorRow {
  const kind = name.replace(/-\d+$/, "") as ActorRow["kind"];
  return {
    name,
    kind,
    taskId: 10,
    state: "running",
    summary: "",
    published: 0,
    confirmed: 0,
    nacked: 0,
    returned: 0,
    received: 0,
    acked: 0,
    rejected: 0,
    ratePerS: 0,
    error: null,
    ...over,
  };
}

/** The topic scenario: four subscribers and a publisher cycling keys. */
export function topicPart(over: Partial<MqSnapshot> = {}): MqSnapshot {
  const sub = (n: number, key: string, received: number) =>
    actor(`subscriber-${n}`, {
      taskId: 10 + n,
      summary: `topic_logs <- ${key}`,
      received,
      acked: received,
      ratePerS: received / 10,
    });
  return {
    url: "amqp://guest:***@127.0.0.1:5672",
    scenario: "topic",
    actors: [
      sub(1, "*.orange.*", 20),
      sub(2, "*.*.rabbit", 20),
      sub(3, "lazy.#", 20),
      sub(4, "#", 40),
      actor("publisher-1", {
        taskId: 15,
        summary: "topic_logs, keys quick.orange.rabbit lazy.brown.fox ...",
        published: 40,
        confirmed: 40,
        ratePerS: 4,
      }),
    ],
    log: {
      lines: [
        { seq: 1, actor: "subscriber-1", atMs: 1200, text: '#1 quick.orange.rabbit "hi" ack' },
        { seq: 2, actor: "subscriber-1", atMs: 1450, text: '#2 lazy.orange.elephant "hi" ack' },
        { seq: 3, actor: "publisher-1", atMs: 1500, text: "#40 quick.brown.fox returned" },
      ],
      dropped: 0,
    },
    rpc: [],
    ...over,
  };
}

export function call(n: number, over: Partial<RpcCallRow> = {}): RpcCallRow {
  return {
    correlationId: `c0ffee${n}-0000-4000-8000-000000000000`,
    n,
    state: "answered",
    answer: "832040",
    latencyMs: 3.2,
    ...over,
  };
}

/** The rpc scenario after `:rpc 30`. */
export function rpcPart(): MqSnapshot {
  return {
    url: "amqp://guest:***@127.0.0.1:5672",
    scenario: "rpc",
    actors: [
      actor("rpc-server-1", { summary: "rpc_queue, fib(n)", received: 1, acked: 1, published: 1 }),
      actor("rpc-client-1", { summary: "rpc_queue, replies to amq.gen-x", published: 1 }),
    ],
    log: { lines: [], dropped: 0 },
    rpc: [call(30)],
  };
}

/** A snapshot carrying this actors part, as the lab posts it. */
export function mqSnapshotEvent(part: MqSnapshot) {
  return {
    type: "lab" as const,
    message: { type: "snapshot" as const, snapshot: snapshot([], { mq: part }) },
  };
}

/**
 * The RabbitMQ panel with a running lab that sent `part` (null: no actors
 * part yet) and a management API reading (unless `api` is false).
 */
export function mqState(
  part: MqSnapshot | null = topicPart(),
  { width = 80, height = 22, api = true } = {},
): AppState {
  const events = [
    { type: "lab-started" as const },
    ...(api ? [{ type: "rabbit" as const, data: rabbitData() }] : []),
    ...(part ? [mqSnapshotEvent(part)] : []),
  ];
  return run(initialState({ panel: "rabbitmq", width, height }), ...events);
}
