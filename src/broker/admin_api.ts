/**
 * The administration commands' door to a running broker: its management HTTP
 * API (as rabbitmqctl talks to a running node), with basic auth. Every
 * failure becomes an `AdminError` of one line: no broker answering, the
 * credentials refused, or the API's own reason.
 */
import { errorMessage } from "../util/error_message.ts";

export class AdminError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "AdminError";
  }
}

export interface AdminTarget {
  /** http://HOST:PORT (no trailing /api). */
  api: string;
  user: string;
  password: string;
}

export interface AdminReply {
  status: number;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Encodes each path segment (`/` as a vhost becomes `%2F`). */
export function apiPath(...segments: string[]): string {
  return segments.map(encodeURIComponent).join("/");
}

/**
 * One request. 404 comes back as a reply (callers name what is missing);
 * other failures throw an AdminError.
 */
export async function adminRequest(
  target: AdminTarget,
  method: "GET" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<AdminReply> {
  const url = `${target.api.replace(/\/+$/, "")}/api/${path}`;
  const headers: Record<string, string> = {
    authorization: `Basic ${btoa(`${target.user}:${target.password}`)}`,
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new AdminError(
      `no broker answers at ${target.api} (${
        errorMessage(e).split("\n")[0]
      }); start one with 'deno task broker' or pass --api URL`,
    );
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    throw new AdminError(`${target.api} is not a management API (${method} ${path}: not JSON)`);
  }
  if (res.status === 401) {
    const reason = (json as { reason?: string } | undefined)?.reason ?? "refused";
    throw new AdminError(
      `the management API at ${target.api} refused user '${target.user}': ${reason} (use --user with an administrator, and WARREN_API_USER / WARREN_API_PASSWORD)`,
      401,
    );
  }
  if (res.status >= 400 && res.status !== 404) {
    const reason = (json as { reason?: unknown } | undefined)?.reason ?? res.statusText;
    throw new AdminError(
      `${method} /api/${path}: ${res.status} ${
        typeof reason === "string" ? reason : JSON.stringify(reason)
      }`,
      res.status,
    );
  }
  return { status: res.status, json };
}
