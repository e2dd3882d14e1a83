/**
 * Peek: the first messages of a queue through the management API's get,
 * with `ack_requeue_true`, so none is lost. Like RabbitMQ's own "Get
 * messages", this takes them and puts them back: they come back marked
 * redelivered, which the panel says.
 */
import { errorMessage } from "../util/error_message.ts";
import { httpFailure, mgmtRequest } from "./mgmt_api.ts";

export interface PeekedMessage {
  routingKey: string;
  exchange: string;
  redelivered: boolean;
  /** The body as text (cut to `PEEK_BYTES` bytes), or base64 when not UTF-8. */
  body: string;
  bytes: number;
}

export type PeekResult =
  | { vhost: string; queue: string; messages: PeekedMessage[] }
  | { vhost: string; queue: string; error: string };

export const PEEK_COUNT = 5;
const PEEK_BYTES = 200;

export async function peekQueue(
  mgmtUrl: string,
  vhost: string,
  queue: string,
): Promise<PeekResult> {
  try {
    const path = `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/get`;
    const { url, headers } = mgmtRequest(mgmtUrl, path);
    headers.set("content-type", "application/json");
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        count: PEEK_COUNT,
        ackmode: "ack_requeue_true",
        encoding: "auto",
        truncate: PEEK_BYTES,
      }),
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return { vhost, queue, error: await httpFailure(res) };
    // deno-lint-ignore no-explicit-any
    const list = await res.json() as any[];
    return {
      vhost,
      queue,
      messages: list.map((m) => ({
        routingKey: String(m.routing_key ?? ""),
        exchange: String(m.exchange ?? ""),
        redelivered: m.redelivered === true,
        body: String(m.payload ?? ""),
        bytes: typeof m.payload_bytes === "number" ? m.payload_bytes : 0,
      })),
    };
  } catch (e) {
    return { vhost, queue, error: errorMessage(e).split("\n")[0]! };
  }
}
