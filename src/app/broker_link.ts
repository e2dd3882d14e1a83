/**
 * The dashboard's link to its broker, on the UI thread but never blocking
 * it: everything here is async I/O (one amqplib connection, one round of
 * `fetch`es of the management API once a second: `mgmt_api.ts`) whose results come back to the
 * run loop as `broker` events, like the lab Worker's messages. A lost
 * connection is retried with a capped backoff, counted down once a second,
 * so the status can say `reconnecting in Ns` while every key still works.
 */
import amqp from "amqplib";
import { errorMessage } from "../util/error_message.ts";
import { type BrokerStatus, initialBrokerStatus } from "./broker_status.ts";
import { type RabbitData, readRabbit } from "./mgmt_api.ts";

/** Seconds before each reconnect attempt: doubling, capped. */
export const BACKOFF_S = [1, 2, 4, 8, 15] as const;
const MGMT_POLL_MS = 1000;

export function backoffS(failures: number): number {
  return BACKOFF_S[Math.min(failures, BACKOFF_S.length) - 1] ?? BACKOFF_S[0];
}

export interface BrokerLinkOptions {
  kind: BrokerStatus["kind"];
  amqpUrl: string;
  mgmtUrl: string;
  onStatus: (status: BrokerStatus) => void;
  /** The vhost the panel reads (the AMQP URL's, when it names one); undefined: all. */
  vhost?: string;
  /** Each second's reading of the management API, when it answers. */
  onData?: (data: RabbitData) => void;
}

export interface BrokerLink {
  close(): Promise<void>;
}

export function startBrokerLink(options: BrokerLinkOptions): BrokerLink {
  let status = initialBrokerStatus(options.kind, options.amqpUrl, options.mgmtUrl);
  let closed = false;
  let conn: amqp.ChannelModel | undefined;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const emit = (next: BrokerStatus) => {
    status = next;
    if (!closed) options.onStatus(status);
  };

  const connect = async () => {
    if (closed) return;
    try {
      const c = await amqp.connect(options.amqpUrl);
      if (closed) {
        await c.close().catch(() => {});
        return;
      }
      conn = c;
      failures = 0;
      const props = c.connection.serverProperties;
      emit({
        ...status,
        product: String(props.product ?? ""),
        version: String(props.version ?? ""),
        amqp: { state: "up" },
      });
      // amqplib reports a lost connection as "error" then "close": retry on close.
      c.on("error", () => {});
      c.on("close", (e?: unknown) => {
        conn = undefined;
        lost(e === undefined ? "connection closed" : errorMessage(e));
      });
    } catch (e) {
      lost(errorMessage(e));
    }
  };

  /** Counts down once a second to the next attempt, so the status never goes stale. */
  const lost = (error: string) => {
    if (closed) return;
    failures++;
    let left = backoffS(failures);
    const line = error.split("\n")[0]!.replace(/\/\/[^@/]*@/g, "//");
    emit({ ...status, amqp: { state: "reconnecting", inS: left, error: line } });
    const tick = () => {
      left--;
      if (left <= 0) {
        retryTimer = undefined;
        void connect();
        return;
      }
      emit({ ...status, amqp: { state: "reconnecting", inS: left, error: line } });
      retryTimer = setTimeout(tick, 1000);
    };
    retryTimer = setTimeout(tick, 1000);
  };

  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    const read = await readRabbit(options.mgmtUrl, { vhost: options.vhost });
    if (closed) return;
    const mgmt = "data" in read ? { state: "ok" as const } : read.error;
    if ("data" in read) options.onData?.(read.data);
    if (JSON.stringify(mgmt) !== JSON.stringify(status.mgmt)) emit({ ...status, mgmt });
    pollTimer = setTimeout(poll, MGMT_POLL_MS);
  };

  emit(status);
  void connect();
  void poll();
  return {
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearTimeout(pollTimer);
      await conn?.close().catch(() => {});
    },
  };
}
