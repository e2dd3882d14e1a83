/**
 * What needs a process of its own (see `isolated_probe.ts`): 1 000 clients at
 * once; no fd left open after stop, counted over the whole process; running
 * out of fds (EMFILE); select refusing an fd past FD_SETSIZE.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { fdBudget, fdShortfall } from "../../../src/lab/sockets/fd_limit.ts";
import { CASES } from "./helpers.ts";

const PROBE = new URL("./isolated_probe.ts", import.meta.url).pathname;

async function probe(...args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", PROBE, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, text);
}

const budget = fdBudget();
// filling the fd table takes a moment per fd: where the limit is huge, say so and skip
const fillable = budget !== null && budget.soft <= 65_536;

for (const { label, model, poller } of CASES) {
  // both ends of every connection are in the probe's process
  const short = fdShortfall(2000);
  // select watches fds below 1024 only, and 1 000 connections with both ends here take more
  const why = poller === "select" ? "select watches fds below FD_SETSIZE only" : short;
  Deno.test({
    name: `${label}: echoes 'hello <n>' to 1000 concurrent clients` +
      (why === null ? "" : ` [skipped: ${why}]`),
    ignore: why !== null,
    fn: () => probe("echo-1000", model, ...(poller === undefined ? [] : [poller])),
  });
}

Deno.test("every model: no fd left open after stop (loads, reset, half-close)", () =>
  probe("no-fd-left"));

for (
  const [label, model, poller] of [
    ["nonblocking", "nonblocking"],
    ["multiplexed (epoll)", "multiplexed", "epoll"],
    ["async", "async"],
  ] as const
) {
  Deno.test({
    name: `${label}: out of fds (EMFILE), it says so in one line and keeps serving` +
      (fillable ? "" : " [skipped: the fd limit is too high to fill]"),
    ignore: !fillable,
    fn: () => probe("emfile", model, ...(poller === undefined ? [] : [poller])),
  });
}

Deno.test({
  name: "multiplexed (select): a connection past fd 1023 is refused in one line; others go on" +
    (budget === null || budget.soft > 1100 ? "" : " [skipped: ulimit -n is below 1100]"),
  ignore: budget !== null && budget.soft <= 1100,
  fn: () => probe("select-limit"),
});
