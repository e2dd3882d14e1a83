/** runBrokerCli(): the `deno task broker` subcommand. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { runBrokerCli } from "../../src/broker/cli.ts";
import { sleep } from "./support/timing.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "runBrokerCli() prints the URL, stops on request with 0, and returns 1 on a busy port",
  opts,
  async () => {
    let stop!: () => void;
    const lines: string[] = [];
    const run = runBrokerCli(["--port", "0"], {
      stop: new Promise<void>((r) => stop = r),
      print: (l) => lines.push(l),
    });
    while (lines.length === 0) await sleep(10);
    assert(/^listening on amqp:\/\/127\.0\.0\.1:\d+$/.test(lines[0]!), String(lines[0]));
    const port = Number(lines[0]!.split(":").pop());
    const busy = await runBrokerCli(["--port", String(port)], { stop: Promise.resolve() });
    assertEquals(busy, 1);
    stop();
    assertEquals(await run, 0);
  },
);
