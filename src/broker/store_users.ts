/**
 * Users, vhosts and permissions in the store: the registry's whole state as
 * one definition in RabbitMQ's definitions shape, written again on every
 * change. A lab box has tens of users, so a rewrite costs nothing and a
 * restart never sees half a change (a permission without its user).
 */
import { errorMessage } from "../util/error_message.ts";
import type { Store } from "./store.ts";
import { StoreError } from "./store_schema.ts";
import { type Definitions, UserRegistry } from "./user_registry.ts";

const KIND = "registry";
const KEY = "users-vhosts-permissions";

/**
 * The registry kept in the store, or RabbitMQ's first boot (guest on `/`)
 * when none was kept. Throws a StoreError naming the file when what was kept
 * cannot be read back.
 */
export function loadUserRegistry(store: Store): UserRegistry {
  const kept = store.loadDefinitions(KIND).find((d) => d.key === KEY);
  if (!kept) return UserRegistry.withDefaults();
  try {
    return UserRegistry.fromDefinitions(kept.value as Definitions);
  } catch (e) {
    throw new StoreError(
      `${store.file}: the kept users and vhosts cannot be read: ${errorMessage(e)}`,
    );
  }
}

/** Writes the registry now and after each of its changes; returns the unsubscribe. */
export function keepUserRegistry(store: Store, registry: UserRegistry): () => void {
  const save = () => store.saveDefinition(KIND, KEY, registry.definitions());
  save();
  return registry.subscribe(save);
}
