/** runBrokerCli(): the `deno task broker` subcommand. */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { runBrokerCli } from "../../src/broker/cli.ts";
import { sleep } from "./support/timing.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** Keeps nothing on disk: a test never writes into the user's state directory. */
const IN_MEMORY = ["--data-dir", "none"];

Deno.test(
  "runBrokerCli() prints the AMQP and management URLs, stops on request with 0, and returns 1 on a busy port",
  opts,
  async () => {
    let stop!: () => void;
    const lines: string[] = [];
    const run = runBrokerCli([...IN_MEMORY, "--port", "0", "--http-port", "0"], {
      stop: new Promise<void>((r) => stop = r),
      print: (l) => lines.push(l),
    });
    while (lines.length < 2) await sleep(10);
    assert(/^listening on amqp:\/\/127\.0\.0\.1:\d+$/.test(lines[0]!), String(lines[0]));
    // --http-port is real: the management API answers where the second line says.
    const api = lines[1]!.match(/^management API on (http:\/\/127\.0\.0\.1:\d+)$/);
    assert(api, String(lines[1]));
    const res = await fetch(`${api[1]}/api/whoami`, {
      headers: { authorization: `Basic ${btoa("guest:guest")}` },
    });
    assertEquals(await res.json(), { name: "guest", tags: ["administrator"] });
    const port = Number(lines[0]!.split(":").pop());
    const busy = await runBrokerCli([...IN_MEMORY, "--port", String(port), "--http-port", "0"], {
      stop: Promise.resolve(),
    });
    assertEquals(busy, 1);
    stop();
    assertEquals(await run, 0);
  },
);

Deno.test("runBrokerCli() refuses bad limit flags with a UsageError naming the flag", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["--max-connections", "0", /--max-connections must be between 1 and/],
    ["--write-timeout", "soon", /--write-timeout must be a whole number/],
    ["--body-timeout", "-1", /--body-timeout must be between 1 and/],
    ["--memory-limit", "lots", /--memory-limit must be a size such as 150MB/],
    ["--memory-limit", "1000", /--memory-limit must be at least 1 MB, got 1000/],
  ];
  for (const [flag, value, message] of cases) {
    await t.step(`${flag} ${value}`, async () => {
      await rejects(runBrokerCli([flag, value], { stop: Promise.resolve() }), message);
    });
  }
});

Deno.test("runBrokerCli() says at start-up which connection limit applies", opts, async () => {
  const lines: string[] = [];
  const code = await runBrokerCli([
    ...IN_MEMORY,
    "--port",
    "0",
    "--http-port",
    "0",
    "--max-connections",
    "5",
  ], {
    stop: sleep(50),
    print: (l) => lines.push(l),
  });
  assertEquals(code, 0);
  assert(lines.some((l) => /^connection limit: 5 \(--max-connections/.test(l)), lines.join("\n"));
});

Deno.test("runBrokerCli() returns 1 when the management API's port is in use", opts, async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const code = await runBrokerCli([
      ...IN_MEMORY,
      "--port",
      "0",
      "--http-port",
      String(taken.addr.port),
    ], {
      stop: Promise.resolve(),
      print: () => {},
    });
    assertEquals(code, 1);
  } finally {
    taken.close();
  }
});
