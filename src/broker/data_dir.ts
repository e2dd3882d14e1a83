/**
 * Where the broker keeps its data by default: `$XDG_STATE_HOME/warren/broker`,
 * else `~/.local/state/warren/broker` (the XDG base directory rule for
 * state). `--data-dir none` keeps nothing.
 */

/** The flag value that turns the store off (memory only). */
export const NO_DATA_DIR = "none";

/** The default data dir, or undefined when neither XDG_STATE_HOME nor HOME is set. */
export function defaultDataDir(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string | undefined {
  const xdg = env("XDG_STATE_HOME");
  if (xdg) return `${xdg.replace(/\/+$/, "")}/warren/broker`;
  const home = env("HOME");
  if (home) return `${home.replace(/\/+$/, "")}/.local/state/warren/broker`;
  return undefined;
}

/**
 * The data dir a `--data-dir` value asks for: undefined for none, the
 * default when absent; throws when there is no default to use.
 */
export function resolveDataDir(
  flag: string | undefined,
  env?: (name: string) => string | undefined,
): string | undefined {
  if (flag === NO_DATA_DIR) return undefined;
  if (flag !== undefined) return flag;
  const dir = defaultDataDir(env);
  if (dir === undefined) {
    throw new Error("no data dir: set XDG_STATE_HOME or HOME, or pass --data-dir DIR (or none)");
  }
  return dir;
}
