/**
 * The MQ actors' tests: a lab service on a real hub with `mq-connect` done,
 * against a broker target: the embedded broker started in-process on port 0
 * for the test, and, when RABBITMQ_URL and RABBITMQ_MGMT_URL are set, the
 * shared RabbitMQ in a vhost of the test's own (created through the
 * management API, deleted after), so the scenarios' fixed names
 * (`topic_logs`, `task_queue`) never meet another test's.
 */
import { ok as assert } from "node:assert/strict";
import type { LabService } from "../../../src/lab/lab_service.ts";
import type { ActorLogLine, ActorRow, MqSnapshot } from "../../../src/lab/protocol.ts";
import { startBroker } from "../../../src/broker/server.ts";
import { waitFor, withTimeout } from "../../broker/support/timing.ts";
import { type Send, withService } from "../service_support.ts";

export { waitFor };

const RABBITMQ_URL = Deno.env.get("RABBITMQ_URL") || undefined;
const RABBITMQ_MGMT_URL = Deno.env.get("RABBITMQ_MGMT_URL") || undefined;

export interface MqLab {
  target: "embedded" | "rabbitmq";
  url: string;
  /** The vhost the actors use. */
  vhost: string;
  /** A management API request (`GET`: its JSON). */
  api(method: string, path: string): Promise<unknown>;
  service: LabService;
  /** Sends a command; resolves with its reply. */
  send: Send;
  /** Takes a snapshot's mq part, keeping every log line seen in `lines` (fails on dropped lines). */
  mq(): MqSnapshot;
  lines: ActorLogLine[];
  actor(name: string): ActorRow;
  /** Polls snapshots until `check` holds. */
  until(check: (mq: MqSnapshot) => unknown, what: string, timeoutMs?: number): Promise<MqSnapshot>;
}

/** Registers `name` once per broker target, as "[embedded] name" and "[rabbitmq] name". */
export function mqTest(
  name: string,
  fn: (lab: MqLab) => Promise<void>,
  options: { workScale?: number; timeoutMs?: number } = {},
): void {
  Deno.test({
    name: `[embedded] ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const broker = await startBroker({ port: 0, hostname: "127.0.0.1", httpPort: 0 });
      const mgmtUrl = `http://guest:guest@127.0.0.1:${broker.management!.port}`;
      try {
        await runLab("embedded", broker.url, fn, {
          ...options,
          mgmt: { url: mgmtUrl, vhost: "/" },
        });
      } finally {
        await broker.close();
      }
    },
  });
  const skip = RABBITMQ_URL === undefined
    ? "RABBITMQ_URL not set"
    : RABBITMQ_MGMT_URL === undefined
    ? "RABBITMQ_MGMT_URL not set (a vhost per test needs it)"
    : undefined;
  if (skip !== undefined) {
    Deno.test({ name: `[rabbitmq] ${name} (skipped: ${skip})`, ignore: true, fn: () => {} });
    return;
  }
  Deno.test({
    name: `[rabbitmq] ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      const vhost = await createVhost();
      try {
        const url = new URL(RABBITMQ_URL!);
        url.pathname = `/${encodeURIComponent(vhost)}`;
        await runLab("rabbitmq", url.href, fn, {
          ...options,
          mgmt: { url: RABBITMQ_MGMT_URL!, vhost },
        });
      } finally {
        await deleteVhost(vhost);
      }
    },
  });
}

/** Runs `fn` with a lab service whose actors use `url`. */
export async function runLab(
  target: "embedded" | "rabbitmq",
  url: string,
  fn: (lab: MqLab) => Promise<void>,
  options: { workScale?: number; timeoutMs?: number; mgmt?: Mgmt } = {},
): Promise<void> {
  await withService(async (service, send) => {
    const lines: ActorLogLine[] = [];
    let last: MqSnapshot | undefined;
    const mq = () => {
      const part = service.snapshot().mq;
      assert(part !== undefined, "the snapshot has an mq part");
      assert(part.log.dropped === 0, `log lines dropped: ${part.log.dropped}`);
      lines.push(...part.log.lines);
      last = part;
      return part;
    };
    const lab: MqLab = {
      target,
      url,
      vhost: options.mgmt?.vhost ?? "/",
      api: (method, path) => {
        if (options.mgmt === undefined) throw new Error("no management API in this test");
        return mgmtRequest(options.mgmt.url, method, path);
      },
      service,
      send,
      mq,
      lines,
      actor: (name) => {
        const row = (last ?? mq()).actors.find((a) => a.name === name);
        assert(row !== undefined, `no actor ${name}`);
        return row;
      },
      until: async (check, what, timeoutMs = 10_000) => {
        let seen: MqSnapshot | undefined;
        try {
          await waitFor(() => check(seen = mq()), what, timeoutMs);
        } catch (error) {
          const rows = seen?.actors.map((a) =>
            `${a.name} ${a.state} pub ${a.published} conf ${a.confirmed} recv ${a.received} ` +
            `ack ${a.acked} ${a.error ?? ""}`
          );
          throw new Error(`${(error as Error).message}; actors: ${rows?.join("; ")}`);
        }
        return seen!;
      },
    };
    const connected = await send({ type: "mq-connect", url, workScale: options.workScale ?? 0.01 });
    assert(connected.ok, connected.message);
    await withTimeout(fn(lab), options.timeoutMs ?? 30_000, "test body");
  });
}

/** The management API's URL and the vhost a test's actors use. */
interface Mgmt {
  url: string;
  vhost: string;
}

async function mgmtRequest(
  mgmtUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = new URL(mgmtUrl);
  const user = decodeURIComponent(url.username || "guest");
  const auth = `Basic ${btoa(`${user}:${decodeURIComponent(url.password || "guest")}`)}`;
  const response = await fetch(`${url.protocol}//${url.host}/api/${path}`, {
    method,
    headers: { authorization: auth, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (method === "GET" && response.ok) return await response.json();
  await response.body?.cancel();
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} /api/${path}: ${response.status}`);
  }
  return undefined;
}

/** A fresh vhost on RabbitMQ (or the given broker) with every permission for the URL's user. */
export async function createVhost(
  amqpUrl = RABBITMQ_URL!,
  mgmtUrl = RABBITMQ_MGMT_URL!,
): Promise<string> {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  const vhost = `warren-mqlab-${Date.now().toString(36)}-${random}`;
  const user = decodeURIComponent(new URL(amqpUrl).username || "guest");
  await mgmtRequest(mgmtUrl, "PUT", `vhosts/${encodeURIComponent(vhost)}`, {});
  await mgmtRequest(
    mgmtUrl,
    "PUT",
    `permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`,
    { configure: ".*", write: ".*", read: ".*" },
  );
  return vhost;
}

export async function deleteVhost(vhost: string, mgmtUrl = RABBITMQ_MGMT_URL!): Promise<void> {
  await mgmtRequest(mgmtUrl, "DELETE", `vhosts/${encodeURIComponent(vhost)}`).catch((
    e,
  ) => console.warn(`cleanup of vhost ${vhost}: ${e instanceof Error ? e.message : e}`));
}

/** The routing keys an actor's log shows it received (`#3 key redelivered=...`). */
export function receivedKeys(lines: ActorLogLine[], actor: string): string[] {
  return lines.filter((l) => l.actor === actor && / redelivered=/.test(l.text))
    .map((l) => l.text.split(" ")[1]!);
}

/** The routing keys a publisher's log shows it published. */
export function publishedKeys(lines: ActorLogLine[], actor: string): string[] {
  return lines.filter((l) => l.actor === actor && / published$/.test(l.text))
    .map((l) => l.text.split(" ")[1]!);
}
