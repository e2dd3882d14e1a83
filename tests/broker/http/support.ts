/**
 * The management API in tests: an embedded broker with its HTTP API on a
 * free port (optionally on fake timers), and `api()`, a small fetch wrapper
 * that sends basic auth and JSON and returns status, headers and body.
 */
import { type BrokerOptions, type RunningBroker, startBroker } from "../../../src/broker/server.ts";

export interface ApiReply {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  json: any;
}

export interface ApiOptions {
  /** "user:password"; guest:guest by default, null for none. */
  auth?: string | null;
  /** A raw body (sent as is) instead of JSON. */
  raw?: BodyInit;
  headers?: Record<string, string>;
}

/** A base URL and credentials, from `http://user:pass@host:port`. */
export interface ApiTarget {
  base: string;
  auth: string;
}

export function targetFromUrl(url: string): ApiTarget {
  const u = new URL(url);
  const auth = `${decodeURIComponent(u.username) || "guest"}:${
    decodeURIComponent(u.password) || "guest"
  }`;
  return { base: `${u.protocol}//${u.host}`, auth };
}

export async function api(
  target: ApiTarget,
  method: string,
  path: string,
  body?: unknown,
  opts: ApiOptions = {},
): Promise<ApiReply> {
  const headers: Record<string, string> = { ...opts.headers };
  const auth = opts.auth === undefined ? target.auth : opts.auth;
  if (auth !== null) headers.authorization = `Basic ${btoa(auth)}`;
  let payload: BodyInit | undefined = opts.raw;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${target.base}/api/${path}`, { method, headers, body: payload });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === "" ? undefined : JSON.parse(text),
  };
}

export interface WithApi {
  broker: RunningBroker;
  target: ApiTarget;
  call(method: string, path: string, body?: unknown, opts?: ApiOptions): Promise<ApiReply>;
  get(path: string): Promise<ApiReply>;
}

/** Runs `fn` with an embedded broker whose management API listens on a free port. */
export async function withApi(
  fn: (t: WithApi) => Promise<void>,
  options: BrokerOptions = {},
): Promise<void> {
  const broker = await startBroker({ port: 0, httpPort: 0, ...options });
  const target = { base: broker.management!.url, auth: "guest:guest" };
  try {
    await fn({
      broker,
      target,
      call: (method, path, body, opts) => api(target, method, path, body, opts),
      get: (path) => api(target, "GET", path),
    });
  } finally {
    await broker.close();
  }
}

export const testOpts = { sanitizeOps: false, sanitizeResources: false };
