import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import {
  ALT_SCREEN_OFF,
  ALT_SCREEN_ON,
  BRACKETED_PASTE_OFF,
  BRACKETED_PASTE_ON,
  CURSOR_HIDE,
  CURSOR_SHOW,
  MOUSE_OFF,
  MOUSE_ON,
  SGR_RESET,
} from "../../src/tui/ansi.ts";
import {
  Terminal,
  type TerminalOptions,
  type TerminalSize,
  withTerminal,
} from "../../src/tui/terminal.ts";
import { TmuxSession, tmuxSkip } from "../e2e/tmux.ts";

const decoder = new TextDecoder();
const RESTORE = BRACKETED_PASTE_OFF + SGR_RESET + CURSOR_SHOW + ALT_SCREEN_OFF;

/** A fake process: every effect the terminal has lands in `log`, in order. */
function fakeProcess({ size = { columns: 80, rows: 24 }, chunks = [] as string[] } = {}) {
  const log: string[] = [];
  const signals = new Map<Deno.Signal, () => void>();
  const timers = new Map<number, () => void>();
  const events = new EventTarget();
  let nextTimer = 1;
  const state = { size, writes: "", gone: false };
  const pending = chunks.map((c) => new TextEncoder().encode(c));
  const options: TerminalOptions = {
    write: (bytes) => {
      if (state.gone) {
        log.push("write failed");
        throw new Error("EIO");
      }
      const text = decoder.decode(bytes);
      state.writes += text;
      log.push(`write ${JSON.stringify(text)}`);
    },
    input: {
      isTerminal: () => true,
      setRaw: (mode) => {
        if (state.gone) {
          log.push(`raw ${mode} failed`);
          throw new Error("ENOTTY");
        }
        log.push(`raw ${mode}`);
      },
      read: (buffer) => {
        const next = pending.shift();
        if (next === undefined) return Promise.resolve(null);
        buffer.set(next);
        return Promise.resolve(next.length);
      },
    },
    size: () => state.size,
    signals: {
      add: (signal, handler) => void signals.set(signal, handler),
      remove: (signal, handler) => {
        if (signals.get(signal) === handler) signals.delete(signal);
      },
    },
    exit: (code) => void log.push(`exit ${code}`),
    reportError: (error) => void log.push(`report ${(error as Error).message ?? error}`),
    events,
    timers: {
      setInterval: (fn) => {
        timers.set(nextTimer, fn);
        return nextTimer++;
      },
      clearInterval: (id) => void timers.delete(id as number),
    },
  };
  return { log, signals, timers, events, state, options };
}

Deno.test("Terminal.enter() turns on raw mode, then the alternate screen, hidden cursor and paste", () => {
  const p = fakeProcess();
  new Terminal(p.options).enter();
  strictEqual(p.log[0], "raw true");
  ok(p.state.writes.startsWith(ALT_SCREEN_ON + CURSOR_HIDE + BRACKETED_PASTE_ON));
  ok(!p.state.writes.includes(MOUSE_ON), "mouse stays off by default");
});

Deno.test("Terminal.restore() writes the reverse sequences, leaves raw mode, and is idempotent", () => {
  const p = fakeProcess();
  const term = new Terminal(p.options);
  term.enter();
  p.log.length = 0;
  term.restore();
  deepStrictEqual(p.log, [`write ${JSON.stringify(RESTORE)}`, "raw false"]);
  term.restore();
  term.restore();
  strictEqual(p.log.length, 2, "a second restore() writes nothing");
  strictEqual(term.active, false);
});

Deno.test("Terminal.restore() does nothing when the terminal was never entered", () => {
  const p = fakeProcess();
  new Terminal(p.options).restore();
  deepStrictEqual(p.log, []);
});

Deno.test("Terminal with mouse on turns mouse reporting on and off again", () => {
  const p = fakeProcess();
  const term = new Terminal({ ...p.options, mouse: true });
  term.enter();
  ok(p.state.writes.includes(MOUSE_ON));
  p.state.writes = "";
  term.restore();
  strictEqual(p.state.writes, MOUSE_OFF + RESTORE);
});

Deno.test("Terminal refuses to start when stdin is not a terminal", () => {
  const p = fakeProcess();
  const term = new Terminal({
    ...p.options,
    input: { ...p.options.input!, isTerminal: () => false },
  });
  let message = "";
  try {
    term.enter();
  } catch (error) {
    message = (error as Error).message;
  }
  strictEqual(message, "Cannot take over the terminal: stdin is not a terminal");
  deepStrictEqual(p.log, []);
});

for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
  Deno.test(`Terminal restores on ${signal} and exits ${code}`, () => {
    const p = fakeProcess();
    new Terminal(p.options).enter();
    p.log.length = 0;
    p.signals.get(signal)!();
    deepStrictEqual(p.log, [`write ${JSON.stringify(RESTORE)}`, "raw false", `exit ${code}`]);
    // Kept until the process is gone: with no listener Deno would re-raise a
    // second signal and kill the process before its exit code is set.
    ok(p.signals.has("SIGHUP"), "signal listeners stay while exiting");
  });
}

Deno.test("Terminal restores as far as possible on SIGHUP when the TTY is already gone", () => {
  const p = fakeProcess();
  new Terminal(p.options).enter();
  p.state.gone = true; // SSH dropped: writes and mode changes fail from here on
  p.log.length = 0;
  p.signals.get("SIGHUP")!();
  deepStrictEqual(p.log, ["write failed", "raw false failed", "exit 129"]);
});

Deno.test("Terminal restores before it reports an uncaught error, then exits 1", () => {
  const p = fakeProcess();
  new Terminal(p.options).enter();
  p.log.length = 0;
  const event = new ErrorEvent("error", { error: new Error("boom"), cancelable: true });
  p.events.dispatchEvent(event);
  deepStrictEqual(p.log, [
    `write ${JSON.stringify(RESTORE)}`,
    "raw false",
    "report boom",
    "exit 1",
  ]);
  ok(event.defaultPrevented, "the runtime's own crash report is suppressed");
});

Deno.test("Terminal restores before it reports an unhandled rejection, then exits 1", () => {
  const p = fakeProcess();
  new Terminal(p.options).enter();
  p.log.length = 0;
  const promise = Promise.resolve();
  const event = new PromiseRejectionEvent("unhandledrejection", {
    promise,
    reason: new Error("nope"),
    cancelable: true,
  });
  p.events.dispatchEvent(event);
  deepStrictEqual(p.log, [
    `write ${JSON.stringify(RESTORE)}`,
    "raw false",
    "report nope",
    "exit 1",
  ]);
});

Deno.test("Terminal restores on unload (Deno.exit from anywhere)", () => {
  const p = fakeProcess();
  const term = new Terminal(p.options);
  term.enter();
  p.events.dispatchEvent(new Event("unload"));
  strictEqual(term.active, false);
  ok(p.state.writes.endsWith(RESTORE));
});

Deno.test("Terminal reports a resize from SIGWINCH and from the poll, once per change", () => {
  const p = fakeProcess();
  const term = new Terminal(p.options);
  term.enter();
  const seen: TerminalSize[] = [];
  term.onResize((size) => seen.push(size));
  p.signals.get("SIGWINCH")!();
  deepStrictEqual(seen, [], "no change, no event");
  p.state.size = { columns: 100, rows: 30 };
  p.signals.get("SIGWINCH")!();
  strictEqual(p.timers.size, 1);
  p.state.size = { columns: 60, rows: 18 };
  for (const poll of p.timers.values()) poll();
  for (const poll of p.timers.values()) poll();
  deepStrictEqual(seen, [{ columns: 100, rows: 30 }, { columns: 60, rows: 18 }]);
  term.restore();
  strictEqual(p.timers.size, 0, "the poll stops on restore");
  strictEqual(p.signals.size, 0);
});

Deno.test("Terminal.input() yields the chunks read from stdin until EOF", async () => {
  const p = fakeProcess({ chunks: ["a", "\x1b[A", "中"] });
  const term = new Terminal(p.options);
  const chunks: string[] = [];
  for await (const chunk of term.input()) chunks.push(decoder.decode(chunk));
  deepStrictEqual(chunks, ["a", "\x1b[A", "中"]);
});

Deno.test("Terminal treats EOF on its raw tty as a hang-up: restore, then exit 129", async () => {
  const p = fakeProcess({ chunks: ["x"] });
  const term = new Terminal(p.options);
  term.enter();
  p.log.length = 0;
  const chunks: string[] = [];
  for await (const chunk of term.input()) chunks.push(decoder.decode(chunk));
  deepStrictEqual(chunks, ["x"]);
  deepStrictEqual(p.log, [`write ${JSON.stringify(RESTORE)}`, "raw false", "exit 129"]);
  // The SIGHUP that follows the EOF must still find a listener (else Deno kills the process).
  ok(p.signals.has("SIGHUP"), "the SIGHUP listener stays while exiting");
});

Deno.test("withTerminal() restores before an error from its body reaches the caller", async () => {
  const p = fakeProcess();
  let caught = "";
  try {
    await withTerminal(() => {
      p.log.push("body");
      throw new Error("body failed");
    }, p.options);
  } catch (error) {
    caught = (error as Error).message;
    p.log.push("caller sees error");
  }
  strictEqual(caught, "body failed");
  deepStrictEqual(p.log.slice(-4), [
    "body",
    `write ${JSON.stringify(RESTORE)}`,
    "raw false",
    "caller sees error",
  ]);
});

Deno.test("withTerminal() returns the body's result with the terminal restored", async () => {
  const p = fakeProcess();
  const result = await withTerminal((term) => {
    term.write("frame");
    return 42;
  }, p.options);
  strictEqual(result, 42);
  ok(p.state.writes.includes("frame"));
  ok(p.state.writes.endsWith(RESTORE));
});

// --- A real TTY, driven through tmux -----------------------------------------------------------

const CHILD = `
import { withTerminal } from ${
  JSON.stringify(new URL("../../src/tui/terminal.ts", import.meta.url).href)
};
const [readyFile, exitFile] = Deno.args;
const exit = (code) => { Deno.writeTextFileSync(exitFile, String(code)); Deno.exit(code); };
await withTerminal(async (term) => {
  term.write("child is drawing\\r\\n");
  Deno.writeTextFileSync(readyFile, String(Deno.pid));
  for await (const chunk of term.input()) {
    const text = new TextDecoder().decode(chunk);
    if (text.includes("c")) setTimeout(() => { throw new Error("child crashed on purpose"); }, 0);
    if (text.includes("r")) setTimeout(() => { Promise.reject(new Error("child rejected on purpose")); }, 0);
    if (text.includes("q")) break;
  }
}, { exit });
Deno.writeTextFileSync(exitFile, "0");
`;

interface Child {
  session: TmuxSession;
  pid: number;
  exitFile: string;
  outputLog: string;
  dir: string;
}

async function startChild(): Promise<Child> {
  const dir = await Deno.makeTempDir({ prefix: "warren-terminal-" });
  const script = `${dir}/child.ts`;
  const readyFile = `${dir}/ready`;
  const exitFile = `${dir}/exit`;
  const outputLog = `${dir}/output`;
  await Deno.writeTextFile(script, CHILD);
  const session = await TmuxSession.start([
    "sh",
    "-c",
    // Give pipe-pane a moment to attach before the child writes anything.
    `sleep 0.3; exec "$0" run -A --no-config "$1" "$2" "$3"`,
    Deno.execPath(),
    script,
    readyFile,
    exitFile,
  ], { cwd: dir });
  await session.tmux("pipe-pane", "-t", session.target, "-o", `cat >> '${outputLog}'`);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const pid = Number(await Deno.readTextFile(readyFile).catch(() => ""));
    if (pid > 0) return { session, pid, exitFile, outputLog, dir };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await session.close();
  throw new Error(`child never became ready; screen:\n${(await session.screen()).join("\n")}`);
}

async function waitForExitCode(child: Child, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const code = await Deno.readTextFile(child.exitFile).catch(() => "");
    if (code !== "") return code;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("child did not exit");
}

/** Asserts what a user would see after the child exits: normal screen, cursor, a sane tty. */
async function assertRestored(child: Child): Promise<void> {
  const { session } = child;
  strictEqual(await session.format("#{alternate_on}"), "0", "alternate screen is off");
  strictEqual(await session.format("#{cursor_flag}"), "1", "cursor is visible");
  strictEqual(await session.format("#{mouse_any_flag}"), "0", "mouse reporting is off");
  // The shell after the child is usable: the tty is back in canonical mode with echo.
  await session.type("stty -a | tr ' ;' '\\n\\n' | grep -x -e '-*icanon' -e '-*echo'");
  await session.send(["Enter"]);
  const screen = await session.waitFor((s) => /^-?icanon$/m.test(s) && /^-?echo$/m.test(s), {
    what: "stty output",
  });
  ok(/^icanon$/m.test(screen) && /^echo$/m.test(screen), `tty is sane:\n${screen}`);
  const output = await Deno.readTextFile(child.outputLog);
  ok(output.includes(RESTORE), "the restore sequence reached the terminal");
}

async function withChild(fn: (child: Child) => Promise<void>): Promise<void> {
  const child = await startChild();
  try {
    strictEqual(
      await child.session.format("#{alternate_on}"),
      "1",
      "child is on the alternate screen",
    );
    strictEqual(await child.session.format("#{cursor_flag}"), "0", "child hid the cursor");
    await fn(child);
  } finally {
    await child.session.close();
    await Deno.remove(child.dir, { recursive: true }).catch(() => {});
  }
}

const tmuxTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name: name + tmuxSkip, ignore: tmuxSkip !== "", fn });

tmuxTest("Terminal in a real tty is restored when the program quits normally", async () => {
  await withChild(async (child) => {
    await child.session.type("q");
    strictEqual(await waitForExitCode(child), "0");
    await child.session.waitForText("[exit 0]");
    await assertRestored(child);
  });
});

tmuxTest("Terminal in a real tty is restored on SIGTERM (exit 143)", async () => {
  await withChild(async (child) => {
    Deno.kill(child.pid, "SIGTERM");
    strictEqual(await waitForExitCode(child), "143");
    await child.session.waitForText("[exit 143]");
    await assertRestored(child);
  });
});

tmuxTest("Terminal in a real tty is restored on SIGHUP (exit 129)", async () => {
  await withChild(async (child) => {
    Deno.kill(child.pid, "SIGHUP");
    strictEqual(await waitForExitCode(child), "129");
    await child.session.waitForText("[exit 129]");
    await assertRestored(child);
  });
});

tmuxTest("Terminal exits 129 without hanging when its tty disappears (SSH drop)", async () => {
  await withChild(async (child) => {
    await child.session.tmux("kill-pane", "-t", child.session.target);
    strictEqual(await waitForExitCode(child), "129");
  });
});

tmuxTest("Terminal prints an uncaught error after restoring, and exits 1", async () => {
  await withChild(async (child) => {
    await child.session.type("c");
    strictEqual(await waitForExitCode(child), "1");
    const screen = await child.session.waitForText("[exit 1]");
    ok(
      screen.includes("child crashed on purpose"),
      `the error is on the normal screen:\n${screen}`,
    );
    const output = await Deno.readTextFile(child.outputLog);
    ok(output.indexOf(ALT_SCREEN_OFF) < output.indexOf("child crashed on purpose"));
    await assertRestored(child);
  });
});

tmuxTest("Terminal prints an unhandled rejection after restoring, and exits 1", async () => {
  await withChild(async (child) => {
    await child.session.type("r");
    strictEqual(await waitForExitCode(child), "1");
    const screen = await child.session.waitForText("[exit 1]");
    ok(
      screen.includes("child rejected on purpose"),
      `the error is on the normal screen:\n${screen}`,
    );
    await assertRestored(child);
  });
});
