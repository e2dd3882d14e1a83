/**
 * The management API's routing: path patterns over URL-decoded segments (so
 * `%2F` is the vhost `/`), the request context handlers get, and errors in
 * RabbitMQ's JSON shape (`{"error": ..., "reason": ...}`).
 */
import type { BrokerCore } from "../broker.ts";
import type { User } from "../user_registry.ts";
import { type Access, permits, type ResourceKind, resourceName } from "../permissions.ts";
import type { Vhost } from "../vhost.ts";
import type { RateSampler } from "./rates.ts";

export class HttpError extends Error {
  constructor(readonly status: number, readonly error: string, readonly reason: string) {
    super(`${status} ${error}: ${reason}`);
  }
}

export const notFound = (reason = "Not Found") => new HttpError(404, "Object Not Found", reason);
export const badRequest = (reason: string) => new HttpError(400, "bad_request", reason);

export interface HttpContext {
  readonly core: BrokerCore;
  readonly sampler: RateSampler | undefined;
  readonly user: User;
  /** Path parameters by name, URL-decoded. */
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  /** The request body parsed as JSON (400 when it is not JSON). */
  body(): Promise<unknown>;
  /** Where the API listens, and the AMQP port (for /api/overview's listeners). */
  readonly listeners: { hostname: string; amqpPort: number; httpPort: number };
}

/** A reply without a body: 201 Created or 204 No Content, with optional headers. */
export class NoContent {
  constructor(readonly status: 201 | 204 = 204, readonly headers: Record<string, string> = {}) {}
}

export type Handler = (ctx: HttpContext) => unknown | Promise<unknown>;

export interface Route {
  method: "GET" | "PUT" | "POST" | "DELETE";
  /** Segments after `/api/`: literals, or `:name` for a parameter. */
  pattern: string;
  handler: Handler;
  /** Only for users tagged `administrator` (users, vhosts, permissions), as RabbitMQ. */
  admin?: boolean;
}

export const isAdministrator = (user: User) => user.tags.includes("administrator");

/** Administrators and monitoring users see every vhost and connection; others their own. */
export const seesEverything = (user: User) =>
  isAdministrator(user) || user.tags.includes("monitoring");

/** Whether the API shows `vhost` to the logged-in user: any permission on it will do. */
export function canSeeVhost(ctx: HttpContext, vhost: string): boolean {
  return seesEverything(ctx.user) || ctx.core.users.permission(ctx.user.name, vhost) !== undefined;
}

/** Finds the route for `method` and decoded `segments` (undefined: 404, even for another method). */
export function match(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const parts = route.pattern === "" ? [] : route.pattern.split("/");
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const p = parts[i]!;
      if (p.startsWith(":")) params[p.slice(1)] = segments[i]!;
      else ok = p === segments[i];
    }
    if (ok) return { route, params };
  }
  return undefined;
}

/** The vhost named in the path (404 when there is none, 401 when the user may not see it). */
export function vhostParam(ctx: HttpContext, name = "vhost"): Vhost {
  const v = ctx.core.vhosts.get(ctx.params[name]!);
  if (!v) throw notFound(`vhost '${ctx.params[name]}' not found`);
  if (!canSeeVhost(ctx, v.name)) {
    throw new HttpError(401, "not_authorised", "User not authorised to access virtual host");
  }
  return v;
}

/**
 * A change through the API needs the same permission as over AMQP (RabbitMQ
 * runs it as the user): 401 "Access refused." otherwise, even for an
 * administrator without permissions on the vhost.
 */
export function requireAccess(
  ctx: HttpContext,
  vhost: Vhost,
  access: Access,
  kind: ResourceKind,
  name: string,
): void {
  const permission = ctx.core.users.permission(ctx.user.name, vhost.name);
  if (!permits(permission, access, resourceName(kind, name))) {
    throw new HttpError(401, "not_authorised", "Access refused.");
  }
}

/** The vhosts a listing covers: one named in the path, or all the user may see. */
export function vhostsOf(ctx: HttpContext): Vhost[] {
  return ctx.params.vhost === undefined
    ? [...ctx.core.vhosts.values()].filter((v) => canSeeVhost(ctx, v.name))
    : [vhostParam(ctx)];
}

/** RabbitMQ's node name for this broker. */
export const NODE = "warren@localhost";
