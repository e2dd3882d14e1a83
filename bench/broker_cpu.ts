/**
 * CPU time a broker process has used so far, from /proc (Linux), so the
 * broker bench can say what each message cost the broker itself, beside the
 * msg/s that the shared machine's load makes noisy: the embedded broker by
 * its pid, RabbitMQ by finding its `beam.smp` when it runs on this machine.
 */

const TICKS_PER_SECOND = 100;

/** utime + stime of `pid` in seconds, or undefined when unreadable. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command may hold spaces: fields count from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** The pid of a local RabbitMQ (`beam.smp`), or undefined. */
export function findRabbitPid(): number | undefined {
  try {
    for (const e of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(e.name)) continue;
      try {
        if (Deno.readTextFileSync(`/proc/${e.name}/comm`).trim() === "beam.smp") {
          return Number(e.name);
        }
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}
