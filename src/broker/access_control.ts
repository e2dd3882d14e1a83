/**
 * One connection's permission checks: the user's permissions on its vhost,
 * read from the registry on every check (a change applies at once), with the
 * last few granted decisions remembered until the registry changes, so a
 * publisher pays one regular expression per exchange, not one per message.
 */
import {
  type Access,
  accessRefusal,
  permits,
  type ResourceKind,
  resourceName,
} from "./permissions.ts";
import type { UserRegistry } from "./user_registry.ts";

const REMEMBERED_MAX = 64;

export class AccessControl {
  #granted = new Set<string>();
  #version = -1;
  /** The last grant, checked without building a key (a publisher's usual case). */
  #last: { access: Access; kind: ResourceKind; name: string } | undefined;

  constructor(
    readonly users: UserRegistry,
    readonly user: string,
    readonly vhost: string,
  ) {}

  /** Throws 403 ACCESS_REFUSED, in RabbitMQ's words, unless `access` to the resource is granted. */
  check(access: Access, kind: ResourceKind, name: string): void {
    if (this.users.version !== this.#version) {
      this.#granted.clear();
      this.#last = undefined;
      this.#version = this.users.version;
    }
    const last = this.#last;
    if (last && last.name === name && last.access === access && last.kind === kind) return;
    const key = `${access}\u0000${kind}\u0000${name}`;
    if (this.#granted.has(key)) return;
    const permission = this.users.permission(this.user, this.vhost);
    if (!permits(permission, access, resourceName(kind, name))) {
      throw accessRefusal(kind, name, this.vhost, this.user);
    }
    if (this.#granted.size >= REMEMBERED_MAX) this.#granted.clear();
    this.#granted.add(key);
    this.#last = { access, kind, name };
  }
}
