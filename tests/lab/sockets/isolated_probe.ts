/**
 * Scenarios that need a process of their own, run by `isolated_test.ts`:
 * `deno test --parallel` runs every test file in one process, so counting
 * the process's fds, or filling its fd table, would race with other files.
 *
 * usage: deno run -A isolated_probe.ts no-fd-left | emfile MODEL [POLLER] | select-limit |
 *        echo-1000 MODEL [POLLER]
 * Exits 0 when the scenario holds; otherwise throws (exit 1, the reason on stderr).
 */
import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { EV_ACCEPT, EV_CLOSE, EV_ERR } from "../../../src/lab/sockets/event_ring.ts";
import { FD_SETSIZE } from "../../../src/lab/sockets/libc.ts";
import { startLoad } from "../../../src/lab/sockets/load_client.ts";
import type { PollerName } from "../../../src/lab/sockets/poller.ts";
import type { ModelName } from "../../../src/lab/sockets/server.ts";
import {
  CASES,
  connect,
  echo,
  echoesToClients,
  resetAfterEcho,
  until,
  withServer,
} from "./helpers.ts";

/** Fills the fd table; returns the files, to close after. */
function fillFds(max = Infinity): Deno.FsFile[] {
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < max) files.push(Deno.openSync("/dev/null"));
  } catch {
    // the table is full
  }
  return files;
}

/** Every model: load, reset, half-close, stop; the process's fd count comes back. */
async function noFdLeft(): Promise<void> {
  // the blocking model last: its Worker's runtime frees Deno's own fds lazily
  const ordered = [
    ...CASES.filter((c) => c.model !== "blocking"),
    ...CASES.filter((c) => c.model === "blocking"),
  ];
  for (const { model, poller } of ordered) {
    await withServer(model, poller, async ({ hub, server }) => {
      const stats = await startLoad(hub, { port: server.port, connections: 100, rounds: 2 }).done();
      assertEquals(stats.errors, {});
      await resetAfterEcho(server.port);
      const half = await connect(server.port);
      await half.closeWrite();
      assertEquals(await half.read(new Uint8Array(4)), null);
      half.close();
      await until(() => server.ring.total(EV_CLOSE) === 102, "every CLOSE");
    }, { countFds: true });
  }
}

/** Out of fds: one line, and the connections it has are still served. */
async function emfile(model: ModelName, poller: PollerName | undefined): Promise<void> {
  await withServer(model, poller, async ({ server, notices }) => {
    const early = await connect(server.port);
    assertEquals(await echo(early, "hello early"), "hello early");
    const fillers = fillFds();
    // one fd free: the client's end takes it, the server's accept finds none
    fillers.pop()!.close();
    const late = await connect(server.port);
    try {
      await until(() => notices.some((l) => /too many open files/.test(l)), "the notice");
      assertEquals(await echo(early, "hello still"), "hello still");
    } finally {
      for (const f of fillers) f.close();
    }
    assertEquals(notices.length, 1, notices.join("\n"));
    assertMatch(notices[0]!, /^too many open files.*raise 'ulimit -n'/);
    // once fds are free again, the waiting client gets in
    assertEquals(await echo(late, "hello late"), "hello late");
    assertEquals(server.ring.total(EV_ACCEPT), 2);
    early.close();
    late.close();
  }, { countFds: true });
}

/** select: a connection past fd 1023 is refused in one line; the others go on. */
async function selectLimit(): Promise<void> {
  await withServer("multiplexed", "select", async ({ server, notices }) => {
    const early = await connect(server.port);
    assertEquals(await echo(early, "hello early"), "hello early");
    // take every fd below FD_SETSIZE, so the server's next socket lands past it
    const fillers = fillFds(FD_SETSIZE + 8);
    try {
      const late = await connect(server.port);
      await until(() => server.ring.total(EV_ERR) > 0, "the refusal");
      assertEquals(notices.length, 1);
      assertMatch(notices[0]!, /^select cannot watch fd \d{4,}: .*FD_SETSIZE \(1024\)/);
      // the refused connection is closed by the server...
      assertEquals(await late.read(new Uint8Array(8)).catch(() => null), null);
      late.close();
    } finally {
      for (const f of fillers) f.close();
    }
    // ...and the early one is still served
    assertEquals(await echo(early, "hello still"), "hello still");
    early.close();
    await until(() => server.ring.total(EV_CLOSE) === 2, "2 CLOSEs");
  }, { countFds: true });
}

const [scenario, model, poller] = Deno.args;
if (scenario === "no-fd-left") await noFdLeft();
else if (scenario === "echo-1000") {
  await withServer(
    model as ModelName,
    poller as PollerName | undefined,
    (ctx) => echoesToClients(ctx, 1000),
    { countFds: true },
  );
} else if (scenario === "emfile") {
  await emfile(model as ModelName, poller as PollerName | undefined);
} else if (scenario === "select-limit") await selectLimit();
else throw new Error(`unknown scenario '${scenario}'`);
console.log(`${Deno.args.join(" ")}: ok`);
