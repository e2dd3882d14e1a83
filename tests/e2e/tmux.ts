/**
 * Drives a real program in a detached tmux session, as a person at a terminal
 * would: type keys, read the visible screen, resize the window.
 *
 * Each session uses its own tmux server socket (`-L`), so tests never touch a
 * user's sessions and can run in parallel.
 */

export const tmuxAvailable: boolean = (() => {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

/** Test-name suffix and ignore flag for tests that need tmux. */
export const tmuxSkip = tmuxAvailable ? "" : " (skipped: tmux not installed)";

/**
 * What a program gets in tmux inside an 80x24 terminal: tmux's status line
 * takes the last row. A detached session has no terminal, so the window is
 * given this size directly.
 */
export const TMUX_80X24 = { width: 80, height: 23 } as const;

export interface TmuxOptions {
  width?: number;
  height?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export class TmuxSession {
  readonly socket = `warren-test-${crypto.randomUUID().slice(0, 8)}`;
  readonly target = "main";

  static async start(command: string[], options: TmuxOptions = {}): Promise<TmuxSession> {
    const session = new TmuxSession();
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    // `exec env ...` keeps the program as the pane's process so signals reach it;
    // the trailing shell keeps the pane alive after exit so the screen can be read.
    const script = `env ${env.join(" ")} ${command.map(shellQuote).join(" ")}; ` +
      `echo "[exit $?]"; exec sh`;
    await session.tmux(
      "new-session",
      "-d",
      "-s",
      session.target,
      "-x",
      String(options.width ?? TMUX_80X24.width),
      "-y",
      String(options.height ?? TMUX_80X24.height),
      ...(options.cwd ? ["-c", options.cwd] : []),
      "sh",
      "-c",
      script,
    );
    // A fixed size regardless of any attached client.
    await session.tmux("set-option", "-t", session.target, "window-size", "manual");
    return session;
  }

  async tmux(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-L", this.socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`tmux ${args[0]} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
    return new TextDecoder().decode(out.stdout);
  }

  /** Sends tmux key names ("q", "Enter", "Escape", "C-c") or literal text with `literal`. */
  async send(keys: string[], { literal = false } = {}): Promise<void> {
    await this.tmux("send-keys", "-t", this.target, ...(literal ? ["-l"] : []), ...keys);
  }

  async type(text: string): Promise<void> {
    await this.send([text], { literal: true });
  }

  /** The visible screen, one string per row. */
  async screen(): Promise<string[]> {
    const text = await this.tmux("capture-pane", "-p", "-t", this.target);
    return text.replace(/\n$/, "").split("\n");
  }

  /** The visible screen with escape sequences (colors) included. */
  async screenWithEscapes(): Promise<string> {
    return await this.tmux("capture-pane", "-p", "-e", "-t", this.target);
  }

  async format(spec: string): Promise<string> {
    return (await this.tmux("display-message", "-p", "-t", this.target, spec)).trim();
  }

  async resize(width: number, height: number): Promise<void> {
    await this.tmux("resize-window", "-t", this.target, "-x", String(width), "-y", String(height));
  }

  /** Waits until `predicate(screen)` holds; throws with the last screen when it never does. */
  async waitFor(
    predicate: (screen: string) => boolean,
    { timeoutMs = 10_000, what = "condition" } = {},
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      last = (await this.screen()).join("\n");
      if (predicate(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}; screen was:\n${last}`);
  }

  async waitForText(text: string, timeoutMs = 10_000): Promise<string> {
    return await this.waitFor((s) => s.includes(text), { timeoutMs, what: JSON.stringify(text) });
  }

  /** The pid of the program (the pane's shell runs it as a child). */
  async programPid(): Promise<number> {
    const shellPid = await this.format("#{pane_pid}");
    const out = await new Deno.Command("pgrep", { args: ["-P", shellPid], stdout: "piped" })
      .output();
    const pid = Number(new TextDecoder().decode(out.stdout).trim().split("\n")[0]);
    if (!Number.isFinite(pid) || pid <= 0) throw new Error("program is not running");
    return pid;
  }

  async close(): Promise<void> {
    try {
      await this.tmux("kill-server");
    } catch {
      // already gone
    }
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
