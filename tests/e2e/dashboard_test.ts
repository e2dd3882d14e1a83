/**
 * The dashboard as a person sees it: started in tmux in an 80x24 terminal
 * with tmux's status line on (so the program gets 80x23), driven with keys,
 * read off the screen.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { TMUX_80X24, tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { NO_RABBIT } from "./broker_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const UTF8_ENV = { LANG: "C.UTF-8", TERM: "xterm-256color" };

function startDashboard(
  {
    env = UTF8_ENV as Record<string, string>,
    width = TMUX_80X24.width,
    height = TMUX_80X24.height,
    args = [] as string[],
  } = {},
): Promise<TmuxSession> {
  return TmuxSession.start([Deno.execPath(), "run", "-A", MAIN, "start", ...NO_RABBIT, ...args], {
    width,
    height,
    env,
    cwd: ROOT,
  });
}

/** Keys typed one by one, with a pause, as a person types (Esc is then never Alt-). */
async function press(session: TmuxSession, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    await session.send([key]);
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
}

/** The dashboard on the Coroutines panel, with `:demo NAME` typed and run. */
async function startDemo(name: string): Promise<TmuxSession> {
  const session = await startDashboard({ args: ["--panel", "coroutines"] });
  try {
    await session.waitForText("no tasks: press d to run a demo");
    await press(session, ":");
    await session.type(`demo ${name}`);
    await press(session, "Enter");
    return session;
  } catch (error) {
    await session.close();
    throw error;
  }
}

const e2e = { ignore: !tmuxAvailable, sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: `dashboard in tmux at 80x24: tabs, help, unknown command, resize, quit${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDashboard();
    try {
      const first = await session.waitForText("4 RabbitMQ");
      const rows = first.split("\n");
      assertEquals(rows.length, 23);
      assertMatch(rows[0]!, /^1 Overview {2}2 Coroutines {2}3 Sockets {2}4 RabbitMQ/);
      assertEquals(await session.format("#{alternate_on}"), "1");

      await press(session, "?");
      await session.waitForText("Help: Overview");
      await session.waitForText(":panel NAME");
      await press(session, "Escape");
      await session.waitFor((s) => !s.includes("Help: Overview"), { what: "help to close" });

      await press(session, ":");
      await session.type("nosuch");
      await press(session, "Enter");
      await session.waitForText("unknown command: nosuch (try :help)");

      await press(session, "Escape", "2");
      await session.waitForText("no tasks: press d to run a demo");
      await press(session, "Tab");
      await session.waitForText("No echo server yet. :serve MODEL");

      await session.resize(60, 18);
      await session.waitForText("terminal too small: need 80x22, have 60x18");
      await session.resize(80, 21);
      await session.waitForText("terminal too small: need 80x22, have 80x21");
      await session.resize(80, 22);
      await session.waitForText("No echo server yet. :serve MODEL");

      await press(session, "q");
      await session.waitForText("[exit 0]");
      assertEquals(await session.format("#{alternate_on}"), "0");
      // The shell is usable again: it runs a command and echoes its output.
      await session.type("echo shell-$((40+2))");
      await press(session, "Enter");
      await session.waitForText("shell-42");
    } finally {
      await session.close();
    }
  },
});

for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  Deno.test({
    name: `dashboard restores the terminal on ${signal}${tmuxSkip}`,
    ...e2e,
    async fn() {
      const session = await startDashboard();
      try {
        await session.waitForText("4 RabbitMQ");
        Deno.kill(await session.programPid(), signal);
        await session.waitForText(`[exit ${code}]`);
        assertEquals(await session.format("#{alternate_on}"), "0");
        assertEquals(await session.format("#{cursor_flag}"), "1");
      } finally {
        await session.close();
      }
    },
  });
}

Deno.test({
  name: `dashboard with LANG=C draws no box-drawing characters${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDashboard({ env: { LANG: "C", LC_ALL: "C", TERM: "xterm" } });
    try {
      const screen = await session.waitForText("4 RabbitMQ");
      assert(screen.includes("+--"), `expected ASCII borders:\n${screen}`);
      assert(!/[\u2500-\u257f]/.test(screen), `box-drawing characters on screen:\n${screen}`);
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name: `dashboard with NO_COLOR=1 emits no color SGR${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDashboard({ env: { ...UTF8_ENV, NO_COLOR: "1" } });
    try {
      await session.waitForText("4 RabbitMQ");
      await press(session, "?");
      await session.waitForText("Help: Overview");
      const escaped = await session.screenWithEscapes();
      // deno-lint-ignore no-control-regex -- SGR sequences start with ESC
      const sgr = [...escaped.matchAll(/\x1b\[([0-9;]*)m/g)].map((m) => m[1]!);
      const colored = sgr.filter((params) =>
        params.split(";").some((p) => /^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$/.test(p))
      );
      assertEquals(colored, [], `color SGR found: ${colored.join(" ")}`);
      // Without color the active tab still stands out (reverse video).
      assert(sgr.some((p) => p.split(";").includes("7")), "expected reverse video somewhere");
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name: `dashboard writes nothing while idle${tmuxSkip}`,
  ...e2e,
  async fn() {
    const log = await Deno.makeTempFile({ prefix: "warren-idle-" });
    const session = await startDashboard();
    try {
      // Idle once its broker has started and the API answered (a busy machine may take a
      // while): until then the status bar still has news to draw.
      await session.waitForText("api ok", 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1300));
      await session.tmux("pipe-pane", "-t", session.target, "-o", `cat >> ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await session.tmux("pipe-pane", "-t", session.target);
      assertEquals((await Deno.readFile(log)).length, 0, "bytes written while idle");
    } finally {
      await session.close();
      await Deno.remove(log);
    }
  },
});

Deno.test({
  name: `:demo gevent runs live: 34 appears about a second after 12${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDemo("gevent");
    try {
      // Demo output lines sit at the right edge of the panel, before its border.
      const outputLine = (text: string) => new RegExp(` ${text} +[│|]$`, "m");
      const started = Date.now();
      await session.waitFor((s) => outputLine("12").test(s), { what: "12", timeoutMs: 5000 });
      const sawFirst = Date.now();
      const screen = await session.waitFor((s) => outputLine("34").test(s), {
        what: "34",
        timeoutMs: 5000,
      });
      const gap = Date.now() - sawFirst;
      assert(
        gap >= 600 && gap <= 1800,
        `34 came ${gap} ms after 12 (started ${sawFirst - started} ms in)`,
      );
      for (const line of ["56", "9", "78"]) {
        assertMatch(await session.waitFor((s) => outputLine(line).test(s)), outputLine(line));
      }
      assertMatch(screen, /func1/);
      await session.waitForText("demo gevent: done");
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name: `:demo blocking names the task that stalls the hub while the lab is frozen${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDemo("blocking");
    try {
      await session.waitFor((s) => /lab busy: task #\d+ busy has not yielded for 1\.\d s/.test(s), {
        what: "the stuck-task warning",
        timeoutMs: 5000,
      });
      await session.waitForText("demo blocking: done", 8000);
      const screen = await session.waitFor((s) => !s.includes("has not yielded"), {
        what: "the warning to clear",
      });
      assertMatch(screen, /warnings \d/);
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name: `:demo blocking stays drivable: a key pressed during the stall takes effect, ` +
    `c clears, Ctrl-K on the stuck task restarts the lab${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startDemo("blocking");
    const busyLine = (id: number) =>
      new RegExp(`lab busy: task #${id} busy has not yielded for 1\\.\\d s`);
    try {
      // Select task a before busy starts its 2 s busy-wait (at 0.7 s).
      await session.waitFor((s) => /^│ +4 busy/m.test(s), { what: "the demo's rows" });
      await press(session, "j");
      await session.waitFor((s) => busyLine(4).test(s), { what: "the busy line", timeoutMs: 5000 });
      // Ctrl-K during the stall: the question says the kill waits for the busy task.
      await press(session, "C-k");
      await session.waitForText("Kill task #2 'a'?");
      await session.waitForText("applies when task #4");
      await press(session, "y");
      // After the stall the lab applies it.
      await session.waitForText("killed #2 'a'", 8000);
      await session.waitForText("demo blocking: done", 8000);

      await press(session, "c");
      await session.waitForText("cleared 4 finished tasks");
      await session.waitForText("no tasks: press d to run a demo");

      await press(session, ":");
      await session.type("demo blocking");
      await press(session, "Enter");
      await session.waitFor((s) => /^│ +8 busy/m.test(s), { what: "the second run's rows" });
      // The new run's main task is selected; busy is three rows below it.
      await press(session, "j", "j", "j");
      await session.waitFor((s) => busyLine(8).test(s), { what: "the busy line", timeoutMs: 5000 });
      await press(session, "C-k");
      await session.waitForText("Task #8 'busy' has not");
      await session.waitForText("Restart the lab");
      await press(session, "y");
      await session.waitForText("restarted the lab");
      const screen = await session.waitForText("no tasks: press d to run a demo");
      assert(!screen.includes("lab busy"), screen);
      // The fresh lab runs demos.
      await press(session, "Escape", ":");
      await session.type("demo gevent");
      await press(session, "Enter");
      await session.waitForText("demo gevent: done", 8000);
    } finally {
      await session.close();
    }
  },
});
