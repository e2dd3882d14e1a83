/**
 * The management HTTP API's server (`Deno.serve`): basic auth against the
 * broker's users, a request size limit, routing to the resource files, and
 * every error as RabbitMQ's JSON (`{"error", "reason"}`), so RabbitMQ's own
 * tools and the dashboard read this broker as they read RabbitMQ.
 */
import { authenticate } from "../auth.ts";
import type { LoginResult } from "../user_registry.ts";
import type { BrokerCore } from "../broker.ts";
import { AmqpError, ReplyCode } from "../errors.ts";
import { errorMessage } from "../../util/error_message.ts";
import { bindingRoutes } from "./bindings.ts";
import { connectionRoutes } from "./connections.ts";
import { exchangeRoutes } from "./exchanges.ts";
import { messageRoutes } from "./messages.ts";
import { overviewRoutes } from "./overview.ts";
import { applyQuery } from "./query.ts";
import { queueRoutes } from "./queues.ts";
import { RateSampler } from "./rates.ts";
import {
  type HttpContext,
  HttpError,
  isAdministrator,
  match,
  NoContent,
  notFound,
  type Route,
} from "./router.ts";
import { allCounters } from "./stats.ts";
import { userRoutes } from "./users.ts";

/** RabbitMQ's default `management.http.max_body_size`. */
export const DEFAULT_MAX_BODY_BYTES = 20_000_000;

/** Tags that let a user in, as RabbitMQ's management plugin (all imply `management`). */
const MANAGEMENT_TAGS = ["management", "policymaker", "monitoring", "administrator"];

const ROUTES: Route[] = [
  ...overviewRoutes,
  ...userRoutes,
  ...exchangeRoutes,
  ...queueRoutes,
  ...bindingRoutes,
  ...connectionRoutes,
  ...messageRoutes,
];

export interface ManagementOptions {
  core: BrokerCore;
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** The AMQP port, shown in /api/overview's listeners. */
  amqpPort: number;
  /** Larger request bodies are refused with 413. */
  maxBodyBytes?: number;
}

export interface RunningManagement {
  port: number;
  /** http://HOST:PORT */
  url: string;
  sampler: RateSampler;
  close(): Promise<void>;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

const errorResponse = (e: HttpError, headers?: Record<string, string>) =>
  json(e.status, { error: e.error, reason: e.reason }, headers);

function unauthorized(reason: string): Response {
  return errorResponse(new HttpError(401, "not_authorized", reason), {
    "www-authenticate": 'Basic realm="RabbitMQ Management"',
  });
}

/** The user named by a Basic Authorization header, when the password matches, or why not. */
function login(core: BrokerCore, header: string | null, remote: string): LoginResult {
  const malformed = { refused: "no or malformed basic authorization header" };
  if (!header?.startsWith("Basic ")) return malformed;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(
      Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0)),
    );
  } catch {
    return malformed;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return malformed;
  const creds = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  return authenticate(core.users, creds, remote);
}

/** Reads at most `limit` bytes of body; more is a 413. */
async function readBody(req: Request, limit: number): Promise<string> {
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `request body over ${limit} bytes`);
  if (Number(req.headers.get("content-length") ?? 0) > limit) throw tooLarge();
  if (!req.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Path segments after `/api/`, URL-decoded (`%2F` -> `/`); undefined outside `/api`. */
function segments(pathname: string): string[] | undefined {
  if (pathname !== "/api" && !pathname.startsWith("/api/")) return undefined;
  const parts = pathname.slice(5).split("/");
  if (parts[parts.length - 1] === "") parts.pop();
  try {
    return parts.map(decodeURIComponent);
  } catch {
    throw new HttpError(400, "bad_request", "malformed URL encoding in the path");
  }
}

/** A broker error as HTTP: 404 for what is missing, 400 for the rest, RabbitMQ's text as reason. */
function fromAmqp(e: AmqpError): HttpError {
  if (e.code === ReplyCode.NOT_FOUND) return new HttpError(404, "Object Not Found", e.text);
  return new HttpError(400, "bad_request", e.text);
}

/** Listens at once (Deno.serve binds synchronously); throws AddrInUse when the port is taken. */
export function startManagement(opts: ManagementOptions): RunningManagement {
  const { core } = opts;
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const sampler = new RateSampler(core.timers, () => allCounters(core));
  let port = opts.port;

  const handle = async (req: Request, remote: string): Promise<Response> => {
    const url = new URL(req.url);
    const loggedIn = login(core, req.headers.get("authorization"), remote);
    if ("refused" in loggedIn) {
      // Logged without the password, as RabbitMQ logs a refused login.
      core.log(`management API: login refused from ${remote}: ${loggedIn.refused}`);
      return unauthorized("Login failed");
    }
    const { user } = loggedIn;
    if (!user.tags.some((t) => MANAGEMENT_TAGS.includes(t))) {
      return unauthorized("Not management user");
    }
    const path = segments(url.pathname);
    const found = path && match(ROUTES, req.method, path);
    if (!found) throw notFound();
    if (found.route.admin && !isAdministrator(user)) {
      throw new HttpError(401, "not_authorised", "Not administrator user");
    }
    const ctx: HttpContext = {
      core,
      sampler,
      user,
      params: found.params,
      query: url.searchParams,
      headers: req.headers,
      listeners: { hostname: opts.hostname, amqpPort: opts.amqpPort, httpPort: port },
      body: async () => {
        const text = await readBody(req, limit);
        if (text.trim() === "") return {};
        try {
          return JSON.parse(text);
        } catch (e) {
          throw new HttpError(400, "bad_request", `not_json: ${errorMessage(e)}`);
        }
      },
    };
    const result = await found.route.handler(ctx);
    if (result instanceof NoContent) {
      return new Response(null, { status: result.status, headers: result.headers });
    }
    return json(200, req.method === "GET" ? applyQuery(result, url.searchParams) : result);
  };

  const server = Deno.serve({
    hostname: opts.hostname,
    port: opts.port,
    onListen: () => {},
  }, async (req, info) => {
    try {
      return await handle(req, info.remoteAddr.hostname);
    } catch (e) {
      if (e instanceof HttpError) return errorResponse(e);
      if (e instanceof AmqpError) return errorResponse(fromAmqp(e));
      core.log(`management API: ${req.method} ${new URL(req.url).pathname}: ${errorMessage(e)}`);
      return errorResponse(new HttpError(500, "internal_error", errorMessage(e)));
    }
  });
  port = server.addr.port;
  sampler.start();
  const urlHost = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${urlHost}:${port}`,
    sampler,
    close() {
      closing ??= (async () => {
        sampler.stop();
        await server.shutdown();
      })();
      return closing;
    },
  };
}
