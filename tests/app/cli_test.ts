import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  throws as assertThrows,
} from "node:assert/strict";
import { parseSize, parseStartArgs } from "../../src/app/cli.ts";
import { UsageError } from "../../src/cli/usage.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

async function warren(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

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
    },
  );
  assertEquals(parseStartArgs(["--help"]), "help");
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
    [["start", "--fps", "abc"], /--fps must be a whole number, got 'abc'/],
    [["start", "--size", "10"], /--size must be WIDTHxHEIGHT like 80x24, got '10'/],
    [["start", "--nope"], /start: Unknown option '--nope'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ] as const
) {
  Deno.test(`main.ts ${args.join(" ")} prints one line and a hint, exit 2`, async () => {
    const { code, stderr } = await warren(...args);
    assertEquals(code, 2);
    const lines = stderr.trim().split("\n");
    assertMatch(lines[0]!, pattern);
    assert(lines.length <= 2, `expected at most two lines, got:\n${stderr}`);
    assert(!/\bat .*:\d+:\d+/.test(stderr), `stack trace printed:\n${stderr}`);
  });
}

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

Deno.test("echo-server says it is not built yet and exits 2", async () => {
  const { code, stderr } = await warren("echo-server");
  assertEquals(code, 2);
  assertMatch(stderr.trim(), /^warren echo-server: not built yet/);
});

Deno.test("start --snapshot prints one 80x24 frame as text", async () => {
  const { code, stdout } = await warren("start", "--snapshot", "--panel", "rabbitmq");
  assertEquals(code, 0);
  const rows = stdout.replace(/\n$/, "").split("\n");
  assertEquals(rows.length, 24);
  assertMatch(rows[0]!, /^1 Overview {2}2 Coroutines {2}3 Sockets {2}4 RabbitMQ +warren$/);
  assertMatch(rows[1]!, /RabbitMQ/);
});
