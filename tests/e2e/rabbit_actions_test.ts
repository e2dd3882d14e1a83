/**
 * Purge and delete as a person does them, in tmux at 80x24 with tmux's
 * status line on, against the embedded broker the dashboard starts on free
 * ports: P asks, `y` purges (the broker agrees over AMQP), D deletes the
 * queue, D on `amq.direct` is refused in one line; with `--read-only` the
 * status bar says so and P is refused in one line.
 */
import { ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { TMUX_80X24, tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { EMBEDDED_URL_SHOWN, NO_RABBIT } from "./broker_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

/** The dashboard once its broker is up; the port when the bar has room for the URL whole. */
async function dashboard(
  ...flags: string[]
): Promise<{ session: TmuxSession; port: string | undefined }> {
  const session = await TmuxSession.start(
    [Deno.execPath(), "run", "-A", MAIN, "start", ...NO_RABBIT, "--panel", "rabbitmq", ...flags],
    { ...TMUX_80X24, env: { LANG: "C.UTF-8", TERM: "xterm-256color" }, cwd: ROOT },
  );
  const ready = await session.waitFor(
    (s) => !s.includes("connecting to") && s.includes("api ok"),
    { what: "the embedded broker and its API", timeoutMs: 20_000 },
  );
  return { session, port: EMBEDDED_URL_SHOWN.exec(ready)?.[1] };
}

/** The dialog's text, its rows joined: what a person reads in the box. */
function dialog(screen: string): string {
  return screen.split("\n").filter((r) => r.includes("┃"))
    .map((r) => r.slice(r.indexOf("┃") + 1, r.lastIndexOf("┃")).trim())
    .join(" ").replace(/\s+/g, " ").trim();
}

Deno.test({
  name: `P purges and D deletes the selected queue after a question; amq.* is refused${tmuxSkip}`,
  ignore: !tmuxAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { session, port } = await dashboard();
    assert(port !== undefined, "the embedded broker's URL in the status bar");
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
    try {
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("e2e.purge", { durable: false });
      for (let i = 0; i < 3; i++) ch.sendToQueue("e2e.purge", Buffer.from(`m${i}`));
      await ch.waitForConfirms();
      await session.waitFor((s) => /e2e\.purge +--- +3 +0 /.test(s), { what: "3 ready" });
      await session.send(["P"]);
      const asked = dialog(await session.waitForText("[y] yes"));
      assert(
        asked.includes("Purge queue 'e2e.purge'? It deletes its 3 ready messages;"),
        asked,
      );
      await session.send(["y"]);
      await session.waitForText("purged queue 'e2e.purge'");
      await session.waitFor((s) => /e2e\.purge +--- +0 +0 /.test(s), { what: "0 ready" });
      assert((await ch.checkQueue("e2e.purge")).messageCount === 0);

      await session.send(["D"]);
      assert(dialog(await session.waitForText("[y] yes")).startsWith("Delete queue 'e2e.purge'?"));
      await session.send(["n"]);
      await session.send(["D"]);
      await session.waitForText("[y] yes");
      await session.send(["y"]);
      await session.waitForText("deleted queue 'e2e.purge'");
      await session.waitFor((s) => !s.includes("e2e.purge  "), { what: "the row gone" });

      // The exchanges table, the default exchange first, then amq.direct.
      await session.send(["h", "j", "D"]);
      const refused = await session.waitForText("cannot delete exchange 'amq.direct'");
      assert(!refused.includes("[y] yes"), refused);
    } finally {
      await conn.close();
      await session.send(["q"]).catch(() => {});
      await session.waitForText("[exit 0]").catch(() => {});
      await session.close();
    }
  },
});

Deno.test({
  name: `--read-only: the status bar says read-only and P is refused in one line${tmuxSkip}`,
  ignore: !tmuxAvailable,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { session } = await dashboard("--read-only");
    try {
      const screen = (await session.screen()).join("\n");
      assert(screen.split("\n").at(-1)!.includes("read-only"), screen);
      await session.send(["P"]);
      await session.waitForText("read-only mode is on (--read-only): :purge would change the");
      await session.send(["q"]);
      await session.waitForText("[exit 0]");
    } finally {
      await session.close();
    }
  },
});
