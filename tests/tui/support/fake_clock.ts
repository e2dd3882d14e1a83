/**
 * A fake clock for code that takes `now`/`setTimer`/`clearTimer` (the frame
 * scheduler, the input pump): its timers run, in time order, only when the
 * test moves the time forward.
 */

/** A fake clock whose timers run, in time order, when the test advances it. */
export function fakeClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock = {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      timers.set(nextId, { at: now + ms, fn });
      return nextId++;
    },
    clearTimer: (id: unknown) => void timers.delete(id as number),
    /** Runs every timer due up to `until`, then sets the time to `until`. */
    runUntil(until: number) {
      while (true) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = until;
    },
    /** Runs every timer due in the next `ms`, then moves the time on by `ms`. */
    advance(ms: number) {
      clock.runUntil(now + ms);
    },
    /** How many timers are set and not yet run or cleared. */
    get armed() {
      return timers.size;
    },
  };
  return clock;
}
