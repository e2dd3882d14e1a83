/**
 * Users, vhost names and per-vhost permissions: the one place where they
 * change. Every change is announced to subscribers as a `RegistryChange`:
 * the broker reacts (creates or deletes a vhost's entities, disconnects a
 * deleted user), and a durable store can persist the same stream.
 * `definitions()` gives the whole state in RabbitMQ's definitions shape.
 *
 * Passwords are hashed on the way in (password.ts); nothing here holds one
 * in clear.
 */
import {
  checkPassword,
  DEFAULT_HASHING,
  type HashingAlgorithm,
  hashPassword,
  isHashingAlgorithm,
} from "./password.ts";
import { FULL_ACCESS, type Permission } from "./permissions.ts";

export interface User {
  readonly name: string;
  /** base64(salt ++ hash); "" for a user who cannot log in with a password. */
  readonly passwordHash: string;
  readonly hashingAlgorithm: HashingAlgorithm;
  /** RabbitMQ's user tags: `administrator`, `management`, `monitoring`, ... */
  readonly tags: readonly string[];
  /** Only from loopback addresses (RabbitMQ's loopback_users, which holds guest). */
  readonly loopbackOnly: boolean;
}

/** What creates or replaces a user: a clear password (hashed here) or a hash, never both. */
export interface UserInput {
  name: string;
  password?: string;
  passwordHash?: string;
  hashingAlgorithm?: HashingAlgorithm;
  tags?: readonly string[];
  loopbackOnly?: boolean;
}

export interface PermissionEntry extends Permission {
  user: string;
  vhost: string;
}

export type RegistryChange =
  | { kind: "user-put"; user: User }
  | { kind: "user-deleted"; name: string }
  | { kind: "vhost-added"; name: string }
  | { kind: "vhost-deleted"; name: string }
  | { kind: "permission-set"; entry: PermissionEntry }
  | { kind: "permission-cleared"; user: string; vhost: string };

/** RabbitMQ's `loopback_users` default: these names log in from this machine only, however made. */
const LOOPBACK_USERS = new Set(["guest"]);

/** What `definitions()` gives and `fromDefinitions()` takes (RabbitMQ's definitions file shape). */
export interface Definitions {
  users: {
    name: string;
    password_hash: string;
    hashing_algorithm: string;
    tags: string[] | string;
    limits?: Record<string, unknown>;
  }[];
  vhosts: { name: string }[];
  permissions: PermissionEntry[];
}

/** Why a login failed, for the broker's log (never containing the password). */
export type LoginResult = { user: User } | { refused: string };

export class UserRegistry {
  #users = new Map<string, User>();
  #vhosts = new Set<string>();
  /** vhost -> user -> permission */
  #permissions = new Map<string, Map<string, Permission>>();
  #subscribers: ((change: RegistryChange) => void)[] = [];
  #version = 0;

  /** RabbitMQ's first boot: vhost `/`, user guest/guest (administrator, loopback only) on it. */
  static withDefaults(): UserRegistry {
    const r = new UserRegistry();
    r.addVhost("/");
    r.putUser({ name: "guest", password: "guest", tags: ["administrator"] });
    r.setPermission("guest", "/", FULL_ACCESS);
    return r;
  }

  /** Grows with every change (lets checkers cache decisions until it moves). */
  get version(): number {
    return this.#version;
  }

  /** Calls `fn` with every change from now on; returns the unsubscribe. */
  subscribe(fn: (change: RegistryChange) => void): () => void {
    this.#subscribers.push(fn);
    return () => void (this.#subscribers = this.#subscribers.filter((f) => f !== fn));
  }

  #emit(change: RegistryChange): void {
    this.#version++;
    for (const fn of this.#subscribers) fn(change);
  }

  // --- users --------------------------------------------------------------------

  get(name: string): User | undefined {
    return this.#users.get(name);
  }

  /** Users sorted by name. */
  list(): User[] {
    return [...this.#users.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates or replaces a user; without password or hash the user cannot log in with one. */
  putUser(input: UserInput): User {
    if (input.password !== undefined && input.passwordHash !== undefined) {
      throw new TypeError("both_password_and_password_hash_are_provided");
    }
    const algorithm = input.hashingAlgorithm ?? DEFAULT_HASHING;
    const user: User = {
      name: input.name,
      passwordHash: input.password !== undefined
        ? hashPassword(input.password, algorithm)
        : input.passwordHash ?? "",
      hashingAlgorithm: algorithm,
      tags: [...(input.tags ?? [])],
      loopbackOnly: input.loopbackOnly ?? LOOPBACK_USERS.has(input.name),
    };
    this.#users.set(user.name, user);
    this.#emit({ kind: "user-put", user });
    return user;
  }

  /** Deletes a user and its permissions; false when there was none. */
  deleteUser(name: string): boolean {
    if (!this.#users.delete(name)) return false;
    for (const perUser of this.#permissions.values()) perUser.delete(name);
    this.#emit({ kind: "user-deleted", name });
    return true;
  }

  /** Checks a login; `isLoopback` says whether the client connects from this machine. */
  login(name: string, password: string, isLoopback: boolean): LoginResult {
    const user = this.#users.get(name);
    if (!user) return { refused: `user '${name}' - invalid credentials` };
    if (password === "") return { refused: `user '${name}' - blank password` };
    if (!checkPassword(user.passwordHash, user.hashingAlgorithm, password)) {
      return { refused: `user '${name}' - invalid credentials` };
    }
    if (user.loopbackOnly && !isLoopback) {
      return { refused: `user '${name}' can only connect via localhost` };
    }
    return { user };
  }

  // --- vhosts -------------------------------------------------------------------

  hasVhost(name: string): boolean {
    return this.#vhosts.has(name);
  }

  vhostNames(): string[] {
    return [...this.#vhosts].sort();
  }

  /** False when it already exists. */
  addVhost(name: string): boolean {
    if (this.#vhosts.has(name)) return false;
    this.#vhosts.add(name);
    this.#emit({ kind: "vhost-added", name });
    return true;
  }

  /** Deletes a vhost and every permission on it; false when there was none. */
  deleteVhost(name: string): boolean {
    if (!this.#vhosts.delete(name)) return false;
    this.#permissions.delete(name);
    this.#emit({ kind: "vhost-deleted", name });
    return true;
  }

  // --- permissions ----------------------------------------------------------------

  permission(user: string, vhost: string): Permission | undefined {
    return this.#permissions.get(vhost)?.get(user);
  }

  /** Sets a user's permissions on a vhost; both must exist (RabbitMQ's `vhost_or_user_not_found`). */
  setPermission(user: string, vhost: string, p: Permission): void {
    if (!this.#users.has(user) || !this.#vhosts.has(vhost)) {
      throw new RangeError("vhost_or_user_not_found");
    }
    const permission = { configure: p.configure, write: p.write, read: p.read };
    let perUser = this.#permissions.get(vhost);
    if (!perUser) this.#permissions.set(vhost, perUser = new Map());
    perUser.set(user, permission);
    this.#emit({ kind: "permission-set", entry: { user, vhost, ...permission } });
  }

  /** False when there was nothing to clear. */
  clearPermission(user: string, vhost: string): boolean {
    if (!this.#permissions.get(vhost)?.delete(user)) return false;
    this.#emit({ kind: "permission-cleared", user, vhost });
    return true;
  }

  /** Permissions sorted by vhost then user, optionally of one user or on one vhost. */
  permissions(filter: { user?: string; vhost?: string } = {}): PermissionEntry[] {
    const out: PermissionEntry[] = [];
    for (const vhost of this.vhostNames()) {
      if (filter.vhost !== undefined && vhost !== filter.vhost) continue;
      const perUser = this.#permissions.get(vhost);
      if (!perUser) continue;
      for (const user of [...perUser.keys()].sort()) {
        if (filter.user !== undefined && user !== filter.user) continue;
        out.push({ user, vhost, ...perUser.get(user)! });
      }
    }
    return out;
  }

  /**
   * A registry holding what `definitions()` gave (or a RabbitMQ export's users,
   * vhosts and permissions): how a store restores it at start-up.
   */
  static fromDefinitions(d: Definitions): UserRegistry {
    const r = new UserRegistry();
    for (const v of d.vhosts) r.addVhost(v.name);
    for (const u of d.users) {
      r.putUser({
        name: u.name,
        passwordHash: u.password_hash,
        hashingAlgorithm: isHashingAlgorithm(u.hashing_algorithm)
          ? u.hashing_algorithm
          : DEFAULT_HASHING,
        tags: Array.isArray(u.tags) ? u.tags : u.tags.split(",").filter(Boolean),
      });
    }
    for (const p of d.permissions) r.setPermission(p.user, p.vhost, p);
    return r;
  }

  /** Everything, in RabbitMQ's definitions shape (users, vhosts, permissions). */
  definitions(): Definitions {
    return {
      users: this.list().map((u) => ({
        name: u.name,
        password_hash: u.passwordHash,
        hashing_algorithm: u.hashingAlgorithm,
        tags: [...u.tags],
        limits: {},
      })),
      vhosts: this.vhostNames().map((name) => ({ name })),
      permissions: this.permissions(),
    };
  }
}
