/**
 * Purge and delete through the management API (the same requests on
 * RabbitMQ and on the embedded broker): `DELETE /api/queues/V/Q/contents`,
 * `DELETE /api/queues/V/Q`, `DELETE /api/exchanges/V/X`. A refusal comes back
 * as the broker's reason in one line; nothing here throws.
 */
import { errorMessage } from "../util/error_message.ts";
import { httpFailure, mgmtRequest } from "./mgmt_api.ts";
import type { RabbitAction } from "./rabbit.ts";

export type RabbitActionResult =
  | { action: RabbitAction; ok: true }
  | { action: RabbitAction; ok: false; error: string };

export function actionPath({ op, vhost, name }: RabbitAction): string {
  const v = encodeURIComponent(vhost);
  const n = encodeURIComponent(name);
  switch (op) {
    case "purge":
      return `/api/queues/${v}/${n}/contents`;
    case "delete-queue":
      return `/api/queues/${v}/${n}`;
    case "delete-exchange":
      return `/api/exchanges/${v}/${n}`;
  }
}

export async function performAction(
  mgmtUrl: string,
  action: RabbitAction,
  timeoutMs = 5000,
): Promise<RabbitActionResult> {
  try {
    const { url, headers } = mgmtRequest(mgmtUrl, actionPath(action));
    const res = await fetch(url, {
      method: "DELETE",
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { action, ok: false, error: await httpFailure(res) };
    await res.body?.cancel();
    return { action, ok: true };
  } catch (e) {
    const error = e instanceof DOMException && e.name === "TimeoutError"
      ? `no answer from the management API in ${timeoutMs / 1000} s`
      : errorMessage(e).split("\n")[0]!;
    return { action, ok: false, error };
  }
}
