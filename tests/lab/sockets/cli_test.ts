/**
 * `deno task echo-server`: its flags, and the real program standalone:
 * listening, echoing any TCP client, a summary line per second, a clean stop
 * on SIGTERM; without FFI permission the FFI models say so in one line and
 * async still works.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  throws as assertThrows,
} from "node:assert/strict";
import { parseEchoServerArgs } from "../../../src/lab/sockets/cli.ts";
import { UsageError } from "../../../src/cli/usage.ts";
import { echo } from "./helpers.ts";

const MAIN = new URL("../../../main.ts", import.meta.url).pathname;

Deno.test("parseEchoServerArgs() reads every flag, with defaults", () => {
  assertEquals(parseEchoServerArgs(["--model", "async"]), {
    model: "async",
    port: 8001,
    bind: "127.0.0.1",
    poller: "epoll",
  });
  assertEquals(
    parseEchoServerArgs([
      "--model",
      "multiplexed",
      "--port",
      "0",
      "--bind",
      "0.0.0.0",
      "--poller",
      "select",
    ]),
    { model: "multiplexed", port: 0, bind: "0.0.0.0", poller: "select" },
  );
  assertEquals(parseEchoServerArgs(["--help"]), "help");
});

Deno.test("parseEchoServerArgs() rejects bad input with a UsageError", () => {
  for (
    const args of [
      [],
      ["--model", "threads"],
      ["--model", "async", "--port", "70000"],
      ["--model", "async", "--port", "http"],
      ["--model", "async", "--poller", "select"],
      ["--model", "multiplexed", "--poller", "kqueue"],
      ["--model", "async", "--bind", "example.com"],
      ["--model", "async", "--verbose"],
    ]
  ) {
    assertThrows(() => parseEchoServerArgs(args), UsageError, args.join(" "));
  }
});

/** Starts the real program; resolves with it and the port from its first line. */
async function startProgram(model: string, permissions: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, MAIN, "echo-server", "--model", model, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    text += value;
  }
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(text)?.[1] ?? NaN);
  return { child, lines, first: text, port };
}

async function rest(reader: ReadableStreamDefaultReader<string>): Promise<string> {
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}

for (const model of ["multiplexed", "async"]) {
  Deno.test(`echo-server --model ${model}: echoes, prints a summary each second, stops on SIGTERM`, async () => {
    const { child, lines, first, port } = await startProgram(model, ["-A"]);
    const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    assertMatch(first, new RegExp(`^echo-server ${model}.* listening on 127\\.0\\.0\\.1:\\d+`));
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    assertEquals(await echo(conn, "hello 1\n"), "hello 1\n");
    // wait for one summary line that has seen the connection
    let out = "";
    while (!/connections 1 \(max 1, 1 accepted\)/.test(out)) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    conn.close();
    child.kill("SIGTERM");
    out += await rest(lines);
    const status = await child.status;
    assertEquals(status.code, 0, await rest(stderr));
    assertMatch(out, /connections 1 \(max 1, 1 accepted\)\s+\d+ rt\/s\s+[\d.]+ k?B\/s/);
    assertMatch(out, /stopped: 1 connections served, every socket closed/);
  });
}

Deno.test("echo-server without FFI permission: the FFI models say so in one line; async works", async () => {
  const noFfi = ["--allow-net", "--allow-read", "--allow-env"];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...noFfi, MAIN, "echo-server", "--model", "multiplexed", "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 1);
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n");
  assertEquals(lines.length, 1);
  assertMatch(lines[0]!, /^echo-server: the multiplexed model needs FFI.*--allow-ffi/);

  const { child, lines: stdout, port } = await startProgram("async", noFfi);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  assertEquals(await echo(conn, "hello without ffi"), "hello without ffi");
  conn.close();
  child.kill("SIGTERM");
  await rest(stdout);
  await child.stderr.cancel();
  assertEquals((await child.status).code, 0);
});
