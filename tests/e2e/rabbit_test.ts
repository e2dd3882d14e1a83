/**
 * The RabbitMQ panel as a person uses it, in tmux at 80x24 with tmux's
 * status line on, against the embedded broker the dashboard starts on free
 * ports: a queue that an outside client (amqplib) declares and fills with 3
 * messages appears with its count within 3 s; the actors' keys and commands
 * answer on the real loop (what the actors do is the lab's, tested with it).
 */
import { ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { TMUX_80X24, tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { EMBEDDED_URL_SHOWN, NO_RABBIT } from "./broker_flags.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

const e2e = { ignore: !tmuxAvailable, sanitizeOps: false, sanitizeResources: false };

/** The dashboard on the RabbitMQ panel, with its own embedded broker on free ports. */
function startPanel(): Promise<TmuxSession> {
  return TmuxSession.start(
    [Deno.execPath(), "run", "-A", MAIN, "start", ...NO_RABBIT, "--panel", "rabbitmq"],
    { ...TMUX_80X24, env: { LANG: "C.UTF-8", TERM: "xterm-256color" }, cwd: ROOT },
  );
}

Deno.test({
  name:
    `RabbitMQ panel in tmux at 80x24: an outside client's queue with 3 messages shows within 3 s, and p peeks at them${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startPanel();
    try {
      const ready = await session.waitFor(
        (s) => EMBEDDED_URL_SHOWN.test(s) && s.includes("api ok"),
        { what: "the embedded broker's URL and the API" },
      );
      const port = EMBEDDED_URL_SHOWN.exec(ready)![1]!;
      assert(port !== "5672", "a test never binds 5672");
      assert(!ready.includes("guest:guest"), "no password on screen");
      const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${port}`);
      try {
        const ch = await conn.createConfirmChannel();
        await ch.assertQueue("e2e.three", { durable: false });
        for (let i = 0; i < 3; i++) ch.sendToQueue("e2e.three", Buffer.from(`m${i}`));
        await ch.waitForConfirms();
        const screen = await session.waitFor(
          (s) => /e2e\.three +--- +3 +0 /.test(s),
          { what: "e2e.three with 3 ready", timeoutMs: 3000 },
        );
        assert(/queues 1/.test(screen), screen);
        // p peeks: the 3 messages show, and stay in the queue.
        await session.send(["p"]);
        await session.waitForText("peek of e2e.three: 3 message(s)");
        assert((await ch.checkQueue("e2e.three")).messageCount === 3);
      } finally {
        await conn.close();
      }
      await session.send(["q"]);
      await session.waitForText("[exit 0]");
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name:
    `RabbitMQ panel in tmux at 80x24: s opens the scenario menu, a the actors, a bad :publish says why${tmuxSkip}`,
  ...e2e,
  async fn() {
    const session = await startPanel();
    try {
      await session.waitForText("api ok");
      await session.send(["s"]);
      const menu = await session.waitForText("Run a scenario");
      for (const name of ["hello", "work", "fanout", "direct", "topic", "rpc"]) {
        assert(new RegExp(`┃ +(▶ )?${name} `).test(menu), `${name} in the menu:\n${menu}`);
      }
      await session.send(["Escape"]);
      await session.waitFor((s) => !s.includes("Run a scenario"), { what: "the menu to close" });
      await session.send(["a"]);
      const actors = await session.waitForText("x stop  s scenarios  a back");
      assert(actors.includes("actors 0"), actors);
      await session.send([":"]);
      await session.type("publish logs info");
      await session.send(["Enter"]);
      await session.waitForText("no message body (usage: :publish EXCHANGE KEY BODY...");
      await session.send(["q"]);
      await session.waitForText("[exit 0]");
    } finally {
      await session.close();
    }
  },
});
