/**
 * `/api/users`, `/api/vhosts` and `/api/permissions`. The broker does not
 * restrict users per vhost yet, so every user's permissions read `.*` on
 * every vhost: what is listed is what is enforced, and permissions cannot
 * be set here until they are enforced. Users and vhosts can be created and
 * deleted.
 */
import type { User } from "../auth.ts";
import { ReplyCode } from "../errors.ts";
import { Vhost } from "../vhost.ts";
import { isObject } from "./json.ts";
import { withRates } from "./rates.ts";
import {
  badRequest,
  type HttpContext,
  NoContent,
  NODE,
  notFound,
  type Route,
  vhostParam,
} from "./router.ts";
import { connectionsOf, vhostDepth, vhostStats } from "./stats.ts";

const hashes = new WeakMap<User, { password: string; hash: string }>();

/** RabbitMQ's rabbit_password_hashing_sha256: base64(salt ++ sha256(salt ++ password)). */
async function passwordHash(user: User): Promise<string> {
  const cached = hashes.get(user);
  if (cached?.password === user.password) return cached.hash;
  const salt = crypto.getRandomValues(new Uint8Array(4));
  const pw = new TextEncoder().encode(user.password);
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new Uint8Array([...salt, ...pw])),
  );
  const hash = btoa(String.fromCharCode(...salt, ...digest));
  hashes.set(user, { password: user.password, hash });
  return hash;
}

async function userJson(user: User) {
  return {
    name: user.name,
    password_hash: await passwordHash(user),
    hashing_algorithm: "rabbit_password_hashing_sha256",
    tags: user.tags ?? [],
    limits: {},
  };
}

function vhostJson(ctx: HttpContext, v: Vhost) {
  return {
    cluster_state: { [NODE]: "running" },
    description: "",
    message_stats: withRates(ctx.sampler, v.stats, vhostStats(v)),
    ...withRates(ctx.sampler, v, vhostDepth(v)),
    metadata: { description: "", tags: [] },
    name: v.name,
    tags: [],
    tracing: false,
  };
}

function userParam(ctx: HttpContext): User {
  const u = ctx.core.users.get(ctx.params.user!);
  if (!u) throw notFound();
  return u;
}

const permission = (user: string, vhost: string) => ({
  user,
  vhost,
  configure: ".*",
  write: ".*",
  read: ".*",
});

function permissions(ctx: HttpContext, user?: string, vhost?: string) {
  const out = [];
  for (const u of ctx.core.users.keys()) {
    if (user !== undefined && u !== user) continue;
    for (const v of ctx.core.vhosts.keys()) {
      if (vhost === undefined || v === vhost) out.push(permission(u, v));
    }
  }
  return out;
}

/** RabbitMQ takes tags as an array or as one comma-separated string. */
function parseTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (typeof tags === "string") return tags.split(",").map((t) => t.trim()).filter(Boolean);
  if (Array.isArray(tags) && tags.every((t) => typeof t === "string")) return tags;
  throw badRequest("tags must be a string or an array of strings");
}

/** PUT a user: `password` (a hash cannot be checked by this broker yet) and `tags`. */
async function putUser(ctx: HttpContext) {
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const name = ctx.params.user!;
  const existing = ctx.core.users.get(name);
  const tags = parseTags(body.tags);
  if (body.password_hash !== undefined) {
    throw badRequest("password_hash is not supported; send password");
  }
  if (body.password === undefined && existing) {
    existing.tags = tags; // RabbitMQ: an update without a password keeps it
    return new NoContent(204);
  }
  if (typeof body.password !== "string") throw badRequest("[{key_missing,password}]");
  const loopbackOnly = existing?.loopbackOnly ?? false;
  ctx.core.users.set(name, { name, password: body.password, loopbackOnly, tags });
  return new NoContent(existing ? 204 : 201);
}

function deleteUser(ctx: HttpContext) {
  ctx.core.users.delete(userParam(ctx).name);
  return new NoContent();
}

function createVhost(ctx: HttpContext) {
  const { core } = ctx;
  const name = ctx.params.vhost!;
  if (core.vhosts.has(name)) return new NoContent(204);
  core.addVhost(name);
  return new NoContent(201);
}

/** Deletes a vhost: its clients are disconnected (320) and its queues go. */
function deleteVhost(ctx: HttpContext) {
  const v = vhostParam(ctx);
  for (const c of connectionsOf(ctx.core)) {
    if (c.vhost === v) {
      void c.forceClose(
        ReplyCode.CONNECTION_FORCED,
        `CONNECTION_FORCED - vhost '${v.name}' is deleted`,
      );
    }
  }
  for (const q of [...v.queues.values()]) v.removeQueue(q);
  // Its durable exchanges leave the store too (or a restart would bring the vhost back).
  for (const x of [...v.exchanges.keys()]) {
    if (x !== "" && !x.startsWith("amq.")) v.deleteExchange(x);
  }
  ctx.core.vhosts.delete(v.name);
  return new NoContent();
}

export const userRoutes: Route[] = [
  {
    method: "GET",
    pattern: "users",
    handler: (ctx) => Promise.all([...ctx.core.users.values()].map(userJson)),
  },
  { method: "GET", pattern: "users/:user", handler: (ctx) => userJson(userParam(ctx)) },
  { method: "PUT", pattern: "users/:user", handler: putUser },
  { method: "DELETE", pattern: "users/:user", handler: deleteUser },
  {
    method: "GET",
    pattern: "users/:user/permissions",
    handler: (ctx) => permissions(ctx, userParam(ctx).name),
  },
  {
    method: "GET",
    pattern: "vhosts",
    handler: (ctx) => [...ctx.core.vhosts.values()].map((v) => vhostJson(ctx, v)),
  },
  { method: "GET", pattern: "vhosts/:vhost", handler: (ctx) => vhostJson(ctx, vhostParam(ctx)) },
  { method: "PUT", pattern: "vhosts/:vhost", handler: createVhost },
  { method: "DELETE", pattern: "vhosts/:vhost", handler: deleteVhost },
  {
    method: "GET",
    pattern: "vhosts/:vhost/permissions",
    handler: (ctx) => permissions(ctx, undefined, vhostParam(ctx).name),
  },
  { method: "GET", pattern: "permissions", handler: (ctx) => permissions(ctx) },
  {
    method: "GET",
    pattern: "permissions/:vhost/:user",
    handler: (ctx) => {
      const found = permissions(ctx, userParam(ctx).name, vhostParam(ctx).name)[0];
      if (!found) throw notFound();
      return found;
    },
  },
];
