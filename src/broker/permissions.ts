/**
 * Per-vhost permissions as RabbitMQ has them: three regular expressions,
 * configure, write and read, matched (unanchored, as Erlang's `re:run`)
 * against the name of the queue or exchange an operation touches. An empty
 * expression allows nothing; `^$` allows only the empty name, which no
 * resource has once the default exchange is called `amq.default`; `.*` allows
 * everything. Refusals carry RabbitMQ's text.
 */
import { accessRefused, type AmqpError } from "./errors.ts";

export type Access = "configure" | "write" | "read";
export type ResourceKind = "queue" | "exchange";

export interface Permission {
  configure: string;
  write: string;
  read: string;
}

export const FULL_ACCESS: Readonly<Permission> = { configure: ".*", write: ".*", read: ".*" };

const ACCESSES: readonly Access[] = ["configure", "write", "read"];

/** Compiled expressions, shared by every check of the same text. */
const compiled = new Map<string, RegExp>();
const COMPILED_MAX = 1000;

function regex(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) {
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    re = new RegExp(source);
    compiled.set(source, re);
  }
  return re;
}

/** Why `p` cannot be stored (a missing key, an expression that does not compile), or undefined. */
export function permissionProblem(p: Record<string, unknown>): string | undefined {
  for (const access of ACCESSES) {
    if (typeof p[access] !== "string") return `[{key_missing,${access}}]`;
  }
  for (const access of ACCESSES) {
    try {
      regex(p[access] as string);
    } catch (e) {
      return `invalid_regexp: '${p[access]}' (${access}): ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** RabbitMQ checks the default exchange under the name `amq.default`. */
export function resourceName(kind: ResourceKind, name: string): string {
  return kind === "exchange" && name === "" ? "amq.default" : name;
}

/** Whether `p` grants `access` to the resource named `name` (already through resourceName). */
export function permits(p: Permission | undefined, access: Access, name: string): boolean {
  if (!p) return false;
  const source = p[access];
  return source !== "" && regex(source).test(name);
}

/** 403 ACCESS_REFUSED as RabbitMQ words it. */
export function accessRefusal(
  kind: ResourceKind,
  name: string,
  vhost: string,
  user: string,
): AmqpError {
  return accessRefused(
    `access to ${kind} '${
      resourceName(kind, name)
    }' in vhost '${vhost}' refused for user '${user}'`,
  );
}
