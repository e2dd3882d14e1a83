/**
 * How many more files this process may open: the soft limit (`ulimit -n`)
 * less the fds open now, both read from /proc (Linux); elsewhere unknown,
 * and the load simply tries.
 */

export interface FdBudget {
  soft: number;
  hard: number;
  open: number;
}

/** The limits and the count of open fds, or null where /proc cannot tell. */
export function fdBudget(): FdBudget | null {
  try {
    const limits = Deno.readTextFileSync("/proc/self/limits");
    const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(limits);
    if (m === null) return null;
    const value = (s: string) => s === "unlimited" ? Infinity : Number(s);
    let open = 0;
    for (const _ of Deno.readDirSync("/proc/self/fd")) open++;
    return { soft: value(m[1]!), hard: value(m[2]!), open };
  } catch {
    return null;
  }
}

/** fds kept free for everything else the process does (terminal, files, the broker). */
const HEADROOM = 32;

/**
 * Null when `wanted` more fds fit under the limit; otherwise one line that
 * says so and how to raise it.
 */
export function fdShortfall(wanted: number, budget = fdBudget()): string | null {
  if (budget === null) return null;
  const free = budget.soft - budget.open - HEADROOM;
  if (wanted <= free) return null;
  const need = budget.open + wanted + HEADROOM;
  const raise = need <= budget.hard
    ? `raise it with 'ulimit -n ${need}' in the shell that starts warren`
    : `the hard limit is ${budget.hard}: raise it in /etc/security/limits.conf ` +
      `(nofile), then 'ulimit -n ${need}'`;
  return `cannot open ${wanted} connections: the file-descriptor limit (ulimit -n) is ` +
    `${budget.soft} and ${budget.open} are open; ${raise}`;
}
