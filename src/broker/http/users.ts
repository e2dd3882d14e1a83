/**
 * `/api/users`, `/api/vhosts` and `/api/permissions`. The broker does not
 * restrict users per vhost yet, so every user's permissions read `.*` on
 * every vhost: what is listed is what is enforced. Vhosts can be created and
 * deleted; users and permissions are read-only here for now.
 */
import type { User } from "../auth.ts";
import { ReplyCode } from "../errors.ts";
import { Vhost } from "../vhost.ts";
import { withRates } from "./rates.ts";
import { type HttpContext, NoContent, NODE, notFound, type Route, vhostParam } from "./router.ts";
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

function createVhost(ctx: HttpContext) {
  const { core } = ctx;
  const name = ctx.params.vhost!;
  if (core.vhosts.has(name)) return new NoContent(204);
  core.vhosts.set(
    name,
    new Vhost(name, { timers: core.timers, memory: core.memory, log: core.log }),
  );
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
