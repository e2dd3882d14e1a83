/**
 * The Sockets panel as a person uses it, in tmux at 80x24 with tmux's status
 * line on: an echo server, a load of 100 clients on 127.0.0.1 (10 s at most),
 * its connections and the kernel's READABLE events on screen, and `:stop`
 * closing every socket the program opened (counted in /proc/PID/fd).
 */
import { ok as assert } from "node:assert/strict";
import { TMUX_80X24, tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { NO_RABBIT } from "./broker_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

async function press(session: TmuxSession, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    await session.send([key]);
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
}

async function command(session: TmuxSession, line: string): Promise<void> {
  await press(session, ":");
  await session.type(line);
  await press(session, "Enter");
}

/** The program's open sockets (fds whose link is `socket:[...]`). */
function socketFds(pid: number): number {
  let n = 0;
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      if (Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`).startsWith("socket:")) n++;
    } catch {
      // closed while we looked
    }
  }
  return n;
}

async function until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name:
    `Sockets panel in tmux at 80x24: serve, load 100, READABLE events, stop closes every socket${tmuxSkip}`,
  ignore: !tmuxAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const session = await TmuxSession.start(
      [Deno.execPath(), "run", "-A", MAIN, "start", ...NO_RABBIT, "--panel", "sockets"],
      { ...TMUX_80X24, env: { LANG: "C.UTF-8", TERM: "xterm-256color" }, cwd: ROOT },
    );
    try {
      await session.waitForText("No echo server yet. :serve MODEL");
      // The embedded broker's and its link's sockets are open before counting.
      await session.waitForText("api ok");
      const pid = await session.programPid();
      const before = socketFds(pid);

      await command(session, "serve multiplexed");
      await session.waitForText("serving multiplexed (epoll) on 127.0.0.1:");
      await session.waitForText("multiplexed:");

      await command(session, "load 100");
      // the connections table fills, and the kernel's readiness shows in the stream
      const screen = await session.waitFor(
        (s) => /#\d+ +\d+ 127\.0\.0\.1:\d+/.test(s) && /#\d+ fd \d+ READABLE/.test(s),
        { what: "connections and READABLE events" },
      );
      assert(/load (running|done) on :\d+: \d+\/100 connected/.test(screen), screen);
      assert(socketFds(pid) > before + 100, "the server and its clients hold sockets");

      await command(session, "stop");
      await session.waitForText("every socket closed");
      await until(() => socketFds(pid) === before, `${before} sockets open again`);

      await press(session, "Escape", "q");
      await session.waitForText("[exit 0]");
    } finally {
      await session.close();
    }
  },
});
