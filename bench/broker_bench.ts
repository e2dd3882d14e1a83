/**
 * Broker throughput with amqplib (bench/broker_load.ts): the embedded broker,
 * in a process of its own (bench/broker_process.ts), against RabbitMQ at
 * RABBITMQ_URL when set, in the same run; the ratio reads embedded /
 * RabbitMQ. Each row alternates the two brokers round by round (embedded,
 * RabbitMQ, then RabbitMQ, embedded, ...) and reports the medians, so a busy
 * neighbour on a shared machine weighs on both sides alike; every round goes
 * to stderr, with the CPU time each message cost the broker process (the
 * embedded one's, and RabbitMQ's when its beam.smp runs on this machine) and
 * the amqplib client (this process): figures the neighbours' load disturbs
 * much less. WARREN_BENCH_ROUNDS sets the rounds per row (default 3),
 * WARREN_BENCH_ROWS keeps the rows whose name contains one of its
 * comma-separated words (e.g. `e2e 64 B`).
 */
import type { BenchResult, BenchSuite } from "./harness.ts";
import { type Load, runLoad } from "./broker_load.ts";
import { spawnBenchBroker } from "./broker_process.ts";
import { cpuSeconds, findRabbitPid } from "./broker_cpu.ts";

interface Row {
  name: string;
  load: Load;
  goal?: string;
}

const KIB = 1024;

/**
 * Transient rows: non-durable queues, delivery_mode 1. Persistent rows:
 * durable queues, delivery_mode 2, confirms sent only once the store (or
 * RabbitMQ's disk) has synced them: the same guarantee on both sides.
 */
const ROWS: Row[] = [
  {
    name: "e2e 64 B 1->1 confirms+acks",
    load: { bodyBytes: 64, pairs: 1, consume: true },
    goal: ">= 1.5x",
  },
  {
    name: "publish-confirmed 64 B 1 publisher",
    load: { bodyBytes: 64, pairs: 1, consume: false },
  },
  { name: "e2e 1 KiB 1->1 confirms+acks", load: { bodyBytes: KIB, pairs: 1, consume: true } },
  { name: "e2e 64 KiB 1->1 confirms+acks", load: { bodyBytes: 64 * KIB, pairs: 1, consume: true } },
  { name: "e2e 64 B 10->10 queues", load: { bodyBytes: 64, pairs: 10, consume: true } },
  {
    name: "persistent e2e 64 B 1->1 confirms+acks",
    load: { bodyBytes: 64, pairs: 1, consume: true, persistent: true },
    goal: ">= 1.0x",
  },
  {
    name: "persistent publish-confirmed 64 B 1 publisher",
    load: { bodyBytes: 64, pairs: 1, consume: false, persistent: true },
    goal: ">= 1.0x",
  },
];

const LIMITS = { ms: 2_000, messages: 500_000 };
const WARM_UP = { ms: 1_000, messages: 500_000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function selectedRows(): Row[] {
  const words = (Deno.env.get("WARREN_BENCH_ROWS") ?? "").split(",").map((w) => w.trim())
    .filter((w) => w);
  return words.length === 0 ? ROWS : ROWS.filter((r) => words.some((w) => r.name.includes(w)));
}

const say = (line: string) => console.error(`  ${line}`);
const rate = (n: number) => `${Math.round(n).toLocaleString("en-US")} msg/s`;

export const brokerBench: BenchSuite = {
  name: "broker",
  description: "amqplib msg/s through the embedded broker (own process) vs RABBITMQ_URL",
  async run(report: (result: BenchResult) => void): Promise<void> {
    const rounds = Math.max(1, Number(Deno.env.get("WARREN_BENCH_ROUNDS") ?? 3) || 3);
    const rabbit = Deno.env.get("RABBITMQ_URL");
    const broker = await spawnBenchBroker();
    try {
      const targets = [{
        name: "embedded",
        url: broker.url,
        pid: broker.pid as number | undefined,
      }];
      if (rabbit) targets.push({ name: "rabbitmq", url: rabbit, pid: findRabbitPid() });
      // JIT and connection warm-up, not counted.
      for (const t of targets) await runLoad(t.url, ROWS[0]!.load, WARM_UP);
      for (const row of selectedRows()) {
        const got: Record<string, number[]> = { embedded: [], rabbitmq: [] };
        for (let r = 0; r < rounds; r++) {
          const order = r % 2 === 0 ? targets : [...targets].reverse();
          for (const t of order) {
            const pids = [t.pid, Deno.pid];
            const before = pids.map((pid) => pid === undefined ? undefined : cpuSeconds(pid));
            const { messages, seconds } = await runLoad(t.url, row.load, LIMITS);
            const v = messages / seconds;
            got[t.name]!.push(v);
            const [broker, client] = pids.map((pid, i) => {
              const [a, b] = [before[i], pid === undefined ? undefined : cpuSeconds(pid)];
              return a === undefined || b === undefined
                ? "?"
                : ((b - a) * 1e6 / messages).toFixed(1);
            });
            say(
              `${row.name}: ${t.name} ${rate(v)}, CPU µs/msg broker ${broker}, client ${client}` +
                ` (round ${r + 1})`,
            );
          }
        }
        const value = median(got.embedded!);
        const ref = rabbit ? median(got.rabbitmq!) : undefined;
        report({
          name: `broker ${row.name}`,
          value: Math.round(value),
          unit: "msg/s",
          ...(ref !== undefined ? { ref: Math.round(ref) } : {}),
          goal: row.goal ? `${row.goal} RabbitMQ` : "ratio vs RabbitMQ",
        });
      }
    } finally {
      await broker.stop();
    }
  },
};
