/**
 * Reading warren in tmux as a student does, in an 80x24 terminal with tmux's
 * status line on (80x23): every sentence whole (help and long messages wrap
 * and scroll instead of being cut), the task table sortable from the keys,
 * a filter cleared with Esc.
 */
import { ok as assert } from "node:assert/strict";
import { tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { NO_RABBIT } from "./broker_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const e2e = { ignore: !tmuxAvailable, sanitizeOps: false, sanitizeResources: false };

async function dashboard(): Promise<TmuxSession> {
  const session = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", MAIN, "start", ...NO_RABBIT, "--panel", "coroutines"],
    { env: { LANG: "C.UTF-8", TERM: "xterm-256color" }, cwd: ROOT },
  );
  await session.waitForText("no tasks: press d to run a demo");
  return session;
}

/** Keys one by one with a pause, as a person types (so Esc is never read as Alt-). */
async function press(session: TmuxSession, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    await session.send([key]);
    await new Promise((resolve) => setTimeout(resolve, 80));
  }
}

Deno.test({
  name: `at 80x24 in tmux the help scrolls and keeps every sentence whole${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await dashboard();
    try {
      await press(session, "?");
      const first = await session.waitForText("more below");
      assert(first.includes("Help: Coroutines"), first);
      await press(session, "End");
      const last = await session.waitForText("more above");
      // The longest entry wraps under its column instead of being cut at the border.
      // The longest entries wrap under their column instead of being cut at the border:
      // read without the box and the line breaks, each is whole.
      const text = last.replace(/[┃│]/g, " ").replace(/\s+/g, " ");
      for (
        const whole of [
          ":rpc N call fib(N) over RabbitMQ (starts the RPC server first when none is running)",
          ":route KEY RabbitMQ panel: which bindings of the selected exchange KEY matches, and why",
        ]
      ) assert(text.includes(whole), last);
      await press(session, "Escape");
      await session.waitFor((s) => !s.includes("Help: Coroutines"), { what: "help to close" });

      // A message longer than the status line is shown whole, wrapped above it.
      await press(session, ":");
      await session.type("demo a-demo-name-that-does-not-exist-anywhere-in-the-lesson-at-all");
      await press(session, "Enter");
      const message = await session.waitForText("Esc dismisses");
      for (const demo of ["baozi", "greenlet", "gevent", "sync-async", "fetch", "blocking"]) {
        assert(message.includes(demo), `'${demo}' is cut from the message:\n${message}`);
      }
      await press(session, "Escape");
      await session.waitFor((s) => !s.includes("Esc dismisses"), { what: "message to go" });
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name:
    `at 80x24 in tmux: < and > sort with the arrow on its column, Esc clears a filter${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await dashboard();
    try {
      await press(session, ":");
      await session.type("demo gevent");
      await press(session, "Enter");
      await session.waitForText("demo gevent: done");
      await press(session, ">");
      await session.waitForText("name ▲");
      await session.waitForText("by name");
      await press(session, "<", "<");
      // The last column: the arrow fits beside its title.
      await session.waitForText("warn▲");
      await press(session, "/");
      await session.type("func");
      await press(session, "Enter");
      await session.waitForText("filter: func (Esc clears)");
      await press(session, "Escape");
      await session.waitFor((s) => !s.includes("filter: func"), { what: "the filter to clear" });
      await session.waitForText("gevent     gevent");
    } finally {
      await session.close();
    }
  },
});
