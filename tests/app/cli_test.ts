import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { parseSize, parseStartArgs } from "../../src/app/cli.ts";
import { UsageError } from "../../src/cli/usage.ts";
import { warren } from "./support/main_process.ts";

Deno.test("parseStartArgs() reads every flag", () => {
  assertEquals(
    parseStartArgs(["--snapshot", "--size", "100x30", "--panel", "2", "--fps", "30", "--ascii"]),
    {
      snapshot: true,
      size: { width: 100, height: 30 },
      panel: "coroutines",
      fps: 30,
      color: "auto",
      ascii: true,
      broker: { kind: "auto" },
      workScale: 1,
    },
  );
  assertEquals(parseStartArgs(["--help"]), "help");
});

Deno.test("parseStartArgs() reads --broker, env AMQP_URL, --mgmt-url, --embedded-ports and --embedded-data-dir", () => {
  const url = "amqp://u:p@rabbit:5672/v";
  const broker = (args: string[]) => (parseStartArgs(args) as { broker: unknown }).broker;
  assertEquals(broker([]), { kind: "auto" });
  assertEquals(broker(["--broker", "embedded"]), { kind: "embedded" });
  assertEquals(broker(["--broker", url]), { kind: "url", url });
  // The env applies when the flag is absent; the flag wins.
  assertEquals(parseStartArgs([], { AMQP_URL: url }), {
    ...(parseStartArgs([]) as object),
    broker: { kind: "url", url },
  });
  assertEquals(
    (parseStartArgs(["--broker", "auto"], { AMQP_URL: url }) as { broker: unknown }).broker,
    { kind: "auto" },
  );
  const options = parseStartArgs([
    "--mgmt-url",
    "http://h:15672",
    "--embedded-ports",
    "0,15673",
    "--embedded-data-dir",
    "/tmp/lab",
  ]);
  assert(options !== "help");
  assertEquals(options.mgmtUrl, "http://h:15672");
  assertEquals(options.embeddedPorts, { port: 0, httpPort: 15673 });
  assertEquals(options.embeddedDataDir, "/tmp/lab");
});

Deno.test("parseStartArgs() reads --work-scale (seconds per '.') and rejects what is not one", () => {
  const scale = (args: string[]) => (parseStartArgs(args) as { workScale: number }).workScale;
  assertEquals(scale([]), 1);
  assertEquals(scale(["--work-scale", "0.1"]), 0.1);
  assertEquals(scale(["--work-scale", "0"]), 0);
  for (const bad of ["-1", "fast", "61", "1e3"]) {
    assertThrows(
      () => parseStartArgs(["--work-scale", bad]),
      (e: Error) =>
        e instanceof UsageError &&
        e.message === `start: --work-scale must be seconds per '.' from 0 to 60 (like 0.1), ` +
            `got '${bad}'`,
    );
  }
});

Deno.test("parseStartArgs() rejects a bad broker without echoing its password", () => {
  assertThrows(
    () => parseStartArgs(["--broker", "http://u:hunter2@h"]),
    (e: Error) =>
      e instanceof UsageError && !e.message.includes("hunter2") && /\*\*\*/.test(e.message),
  );
  assertThrows(
    () => parseStartArgs([], { AMQP_URL: "nope://u:hunter2@h" }),
    (e: Error) => /^start: AMQP_URL: /.test(e.message) && !e.message.includes("hunter2"),
  );
  assertThrows(
    () => parseStartArgs(["--mgmt-url", "ftp://u:hunter2@h"]),
    (e: Error) => e instanceof UsageError && !e.message.includes("hunter2"),
  );
  assertThrows(() => parseStartArgs(["--embedded-ports", "5672"]), UsageError);
  assertThrows(() => parseStartArgs(["--embedded-ports", "1,70000"]), UsageError);
});

Deno.test("parseStartArgs() rejects bad values with a UsageError", () => {
  assertThrows(() => parseStartArgs(["--fps", "abc"]), UsageError);
  assertThrows(() => parseStartArgs(["--fps", "0"]), UsageError);
  assertThrows(() => parseStartArgs(["--panel", "nope"]), UsageError);
  assertThrows(() => parseStartArgs(["--color", "pink"]), UsageError);
  assertThrows(() => parseStartArgs(["--bogus"]), UsageError);
  assertThrows(() => parseSize("10"), /WIDTHxHEIGHT/);
  assertThrows(() => parseSize("0x24"), UsageError);
});

for (
  const [args, pattern] of [
    [["start", "--fps", "abc"], /^warren start: --fps must be a whole number, got 'abc'$/],
    [["start", "--size", "10"], /^warren start: --size must be WIDTHxHEIGHT like 80x24, got '10'$/],
    [["start", "--size", "1001x30"], /--size must be from 1x1 to 1000x1000, got '1001x30'$/],
    [["start", "--nope"], /^warren start: Unknown option '--nope'$/],
    [["demo", "gevent", "--speed", "-1"], /^warren demo: --speed must be .* got '-1'$/],
  ] as const
) {
  Deno.test(`main.ts ${args.join(" ")} prints one line and the help hint, exit 2`, async () => {
    const { code, stderr } = await warren(...args);
    assertEquals(code, 2);
    assertEquals(stderr.trim().split("\n").length, 2, stderr);
    const [what, hint] = stderr.trim().split("\n");
    assertMatch(what!, pattern);
    // The hint names a command that exists: there is no `warren` executable.
    assertEquals(hint, `run 'deno task ${args[0]} --help' for usage`);
  });
}

Deno.test("main.ts frobnicate says the command is unknown and where the list is, exit 2", async () => {
  const { code, stderr } = await warren("frobnicate");
  assertEquals(code, 2);
  assertEquals(stderr.trim().split("\n"), [
    "warren: unknown command 'frobnicate'",
    "run 'deno run -A main.ts --help' for the list of commands",
  ]);
});

Deno.test("main.ts --help lists every subcommand", async (t) => {
  const { code, stdout } = await warren("--help");
  assertEquals(code, 0);
  for (const name of ["start", "broker", "demo", "echo-server", "bench"]) {
    await t.step(name, () => {
      assertMatch(stdout, new RegExp(`^  ${name} `, "m"));
    });
  }
});

Deno.test("every subcommand answers --help with exit 0", async (t) => {
  for (const name of ["start", "broker", "demo", "echo-server", "bench"]) {
    await t.step(name, async () => {
      const { code, stdout } = await warren(name, "--help");
      assertEquals(code, 0, `${name} --help exited ${code}`);
      assert(stdout.trim().length > 0, `${name} --help printed nothing`);
    });
  }
});

Deno.test("echo-server without --model says which models exist and exits 2", async () => {
  const { code, stderr } = await warren("echo-server");
  assertEquals(code, 2);
  const lines = stderr.trim().split("\n");
  assertEquals(lines.length, 2);
  assertMatch(
    lines[0]!,
    /^warren echo-server: --model is required \(blocking, nonblocking, multiplexed, async\)$/,
  );
  assertMatch(lines[1]!, /--help/);
});

Deno.test("start --snapshot prints one 80x24 frame as text", async () => {
  const { code, stdout } = await warren("start", "--snapshot", "--panel", "rabbitmq");
  assertEquals(code, 0);
  const rows = stdout.replace(/\n$/, "").split("\n");
  assertEquals(rows.length, 24);
  assertMatch(rows[0]!, /^1 Overview {2}2 Coroutines {2}3 Sockets {2}4 RabbitMQ +warren$/);
  assertMatch(rows[1]!, /RabbitMQ/);
});

Deno.test("start --read-only: parsed, in --help, and the status bar says read-only", async () => {
  assertEquals((parseStartArgs(["--read-only"]) as { readOnly?: boolean }).readOnly, true);
  assertEquals((parseStartArgs([]) as { readOnly?: boolean }).readOnly, undefined);
  const help = await warren("start", "--help");
  assertMatch(
    help.stdout,
    /--read-only +watch a broker safely: refuses everything that changes it/,
  );
  const { code, stdout } = await warren(
    "start",
    "--snapshot",
    "--read-only",
    "--panel",
    "rabbitmq",
  );
  assertEquals(code, 0);
  assertMatch(stdout.replace(/\n$/, "").split("\n").at(-1)!, /read-only$/);
});
