/**
 * The process's open-file limit (`ulimit -n`) and the connection maximum it
 * allows. Every connection is one descriptor; the rest (the runtime, the
 * listener, files, subprocesses) get a reserve, so the broker refuses
 * connections itself before accept() ever fails with EMFILE.
 */

export interface FileLimit {
  /** The soft limit that applies now (`ulimit -n`). */
  soft: number;
  /** How far `ulimit -n` may raise it without privileges (undefined: unlimited). */
  hard: number | undefined;
}

/** Reads the limit from /proc/self/limits, else from `sh -c 'ulimit -n'`. */
export async function readFileLimit(): Promise<FileLimit | undefined> {
  try {
    const text = await Deno.readTextFile("/proc/self/limits");
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(text);
    if (m) {
      const soft = Number(m[1]);
      if (Number.isFinite(soft)) {
        return { soft, hard: m[2] === "unlimited" ? undefined : Number(m[2]) };
      }
    }
  } catch {
    // not Linux: ask the shell
  }
  try {
    const out = await new Deno.Command("sh", { args: ["-c", "ulimit -n"], stderr: "null" })
      .output();
    const soft = Number(new TextDecoder().decode(out.stdout).trim());
    if (Number.isInteger(soft) && soft > 0) return { soft, hard: undefined };
  } catch {
    // no shell either
  }
  return undefined;
}

/** Descriptors kept for everything that is not a client connection. */
export function reservedDescriptors(soft: number): number {
  return Math.max(32, Math.ceil(soft * 0.1));
}

/** Without a known limit, a maximum that no ordinary machine refuses. */
const UNKNOWN_LIMIT_MAX = 1000;

/** The default --max-connections: the open-file limit minus the reserve. */
export function defaultMaxConnections(limit: FileLimit | undefined): number {
  if (!limit) return UNKNOWN_LIMIT_MAX;
  return Math.max(1, limit.soft - reservedDescriptors(limit.soft));
}

/** The start-up line: which connection limit applies, why, and how to raise it. */
export function describeConnectionLimit(
  maxConnections: number,
  limit: FileLimit | undefined,
  fromFlag: boolean,
): string {
  if (!limit) {
    return `connection limit: ${maxConnections} (open-file limit unknown; set --max-connections)`;
  }
  const raise = `'ulimit -n N' before starting${
    limit.hard === undefined ? "" : ` (N up to ${limit.hard} without root)`
  }`;
  if (!fromFlag) {
    return `connection limit: ${maxConnections} (ulimit -n ${limit.soft}, minus ${
      reservedDescriptors(limit.soft)
    } for the broker itself); to raise it: ${raise}, or --max-connections`;
  }
  const safe = defaultMaxConnections(limit);
  return maxConnections > safe
    ? `connection limit: ${maxConnections} (--max-connections), above the ${safe} that ulimit -n ${limit.soft} allows: accept() may run out of descriptors; raise it with ${raise}`
    : `connection limit: ${maxConnections} (--max-connections; ulimit -n ${limit.soft} allows ${safe})`;
}
