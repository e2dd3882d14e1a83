/**
 * `/api/users`, `/api/vhosts` and `/api/permissions`, as RabbitMQ 3.10
 * answers them (checked against a live one): users with their salted
 * `password_hash`, vhosts, and per-vhost permissions, every change made
 * through the broker's user registry. Managing them needs the
 * `administrator` tag; other management users list only the vhosts they
 * have permissions on.
 */
import type { PermissionEntry, User } from "../user_registry.ts";
import { isBase64, isHashingAlgorithm } from "../password.ts";
import { FULL_ACCESS, permissionProblem } from "../permissions.ts";
import type { Vhost } from "../vhost.ts";
import { isObject } from "./json.ts";
import { withRates } from "./rates.ts";
import {
  badRequest,
  canSeeVhost,
  type Handler,
  type HttpContext,
  NoContent,
  NODE,
  notFound,
  type Route,
  vhostParam,
} from "./router.ts";
import { vhostDepth, vhostStats } from "./stats.ts";

function userJson(user: User) {
  return {
    name: user.name,
    password_hash: user.passwordHash,
    hashing_algorithm: user.hashingAlgorithm,
    tags: [...user.tags],
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

/** RabbitMQ's order of fields: user, vhost, then the three expressions. */
const permissionJson = (p: PermissionEntry) => ({
  user: p.user,
  vhost: p.vhost,
  configure: p.configure,
  write: p.write,
  read: p.read,
});

/** RabbitMQ takes tags as an array or as one comma-separated string. */
function parseTags(tags: unknown): string[] {
  if (tags === undefined) return [];
  if (typeof tags === "string") return tags.split(",").map((t) => t.trim()).filter(Boolean);
  if (Array.isArray(tags) && tags.every((t) => typeof t === "string")) return tags;
  throw badRequest("tags must be a string or an array of strings");
}

/**
 * PUT a user: `password` (hashed here) or `password_hash` (with an optional
 * `hashing_algorithm`), and `tags`. As RabbitMQ, neither clears the password:
 * the user can no longer log in with one.
 */
async function putUser(ctx: HttpContext) {
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const name = ctx.params.user!;
  const existed = ctx.core.users.get(name) !== undefined;
  const { password, password_hash: hash, hashing_algorithm: algorithm } = body;
  if (password !== undefined && hash !== undefined) {
    throw badRequest("both_password_and_password_hash_are_provided");
  }
  if (password !== undefined && typeof password !== "string") {
    throw badRequest("password must be a string");
  }
  if (hash !== undefined && (typeof hash !== "string" || !isBase64(hash))) {
    throw badRequest(`not_base64: ${JSON.stringify(hash)}`);
  }
  if (algorithm !== undefined && !isHashingAlgorithm(algorithm)) {
    throw badRequest(`unknown hashing_algorithm ${JSON.stringify(algorithm)}`);
  }
  ctx.core.users.putUser({
    name,
    password,
    passwordHash: hash,
    hashingAlgorithm: algorithm,
    tags: parseTags(body.tags),
  });
  return new NoContent(existed ? 204 : 201);
}

function deleteUser(ctx: HttpContext) {
  ctx.core.users.deleteUser(userParam(ctx).name);
  return new NoContent();
}

/** As RabbitMQ's API: whoever creates a vhost gets every permission on it. */
function putVhost(ctx: HttpContext) {
  const name = ctx.params.vhost!;
  if (!ctx.core.users.addVhost(name)) return new NoContent(204);
  ctx.core.users.setPermission(ctx.user.name, name, FULL_ACCESS);
  return new NoContent(201);
}

/** Deletes a vhost: its clients are disconnected (320), its entities and permissions go. */
function deleteVhost(ctx: HttpContext) {
  if (!ctx.core.users.deleteVhost(ctx.params.vhost!)) throw notFound();
  return new NoContent();
}

function permissionParam(ctx: HttpContext): PermissionEntry {
  const [found] = ctx.core.users.permissions({ user: ctx.params.user, vhost: ctx.params.vhost });
  if (!found) throw notFound();
  return found;
}

async function putPermission(ctx: HttpContext) {
  const body = await ctx.body();
  if (!isObject(body)) throw badRequest("not_json");
  const problem = permissionProblem(body);
  if (problem) throw badRequest(problem);
  const { user, vhost } = ctx.params as { user: string; vhost: string };
  const users = ctx.core.users;
  if (!users.get(user) || !users.hasVhost(vhost)) throw badRequest("vhost_or_user_not_found");
  const existed = users.permission(user, vhost) !== undefined;
  users.setPermission(user, vhost, body as { configure: string; write: string; read: string });
  return new NoContent(existed ? 204 : 201);
}

function deletePermission(ctx: HttpContext) {
  const p = permissionParam(ctx);
  ctx.core.users.clearPermission(p.user, p.vhost);
  return new NoContent();
}

const admin = true;

/**
 * A change answered only once the store has it on disk (with a data dir):
 * a 201 or 204 means the user, vhost or permission survives a kill -9.
 */
const kept = (handler: Handler): Handler => async (ctx) => {
  const result = await handler(ctx);
  await ctx.core.store?.written();
  return result;
};

export const userRoutes: Route[] = [
  { method: "GET", pattern: "users", admin, handler: (ctx) => ctx.core.users.list().map(userJson) },
  {
    method: "GET",
    pattern: "users/without-permissions",
    admin,
    handler: (ctx) => {
      const users = ctx.core.users;
      return users.list().filter((u) => users.permissions({ user: u.name }).length === 0)
        .map(userJson);
    },
  },
  { method: "GET", pattern: "users/:user", admin, handler: (ctx) => userJson(userParam(ctx)) },
  { method: "PUT", pattern: "users/:user", admin, handler: kept(putUser) },
  { method: "DELETE", pattern: "users/:user", admin, handler: kept(deleteUser) },
  {
    method: "GET",
    pattern: "users/:user/permissions",
    admin,
    handler: (ctx) => ctx.core.users.permissions({ user: userParam(ctx).name }).map(permissionJson),
  },
  {
    method: "GET",
    pattern: "vhosts",
    handler: (ctx) =>
      [...ctx.core.vhosts.values()].filter((v) => canSeeVhost(ctx, v.name))
        .sort((a, b) => a.name.localeCompare(b.name)).map((v) => vhostJson(ctx, v)),
  },
  // As RabbitMQ: any management user with access to the vhost may read it.
  { method: "GET", pattern: "vhosts/:vhost", handler: (ctx) => vhostJson(ctx, vhostParam(ctx)) },
  { method: "PUT", pattern: "vhosts/:vhost", admin, handler: kept(putVhost) },
  { method: "DELETE", pattern: "vhosts/:vhost", admin, handler: kept(deleteVhost) },
  {
    method: "GET",
    pattern: "vhosts/:vhost/permissions",
    admin,
    handler: (ctx) =>
      ctx.core.users.permissions({ vhost: vhostParam(ctx).name }).map(permissionJson),
  },
  {
    method: "GET",
    pattern: "permissions",
    admin,
    handler: (ctx) => ctx.core.users.permissions().map(permissionJson),
  },
  {
    method: "GET",
    pattern: "permissions/:vhost/:user",
    admin,
    handler: (ctx) => permissionJson(permissionParam(ctx)),
  },
  { method: "PUT", pattern: "permissions/:vhost/:user", admin, handler: kept(putPermission) },
  { method: "DELETE", pattern: "permissions/:vhost/:user", admin, handler: kept(deletePermission) },
];
