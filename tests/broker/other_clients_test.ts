/**
 * Clients other than amqplib, as students use them: the lesson's Python
 * programs (pika) and the C library's command-line tools (amqp-tools, on
 * librabbitmq). The same runs pass against the embedded broker and RabbitMQ.
 * CI installs both from Debian; where they are missing the tests say so.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { forEachBroker } from "./with_broker.ts";

const PYTHON = "/usr/bin/python3";
const LESSON = new URL("./clients/lesson_pika.py", import.meta.url).pathname;

function runs(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

const hasPika = runs(PYTHON, ["-c", "import pika"]);
const hasAmqpTools = runs("amqp-publish", ["--help"]);

async function run(command: string, args: string[], stdin?: string) {
  const child = new Deno.Command(command, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const timer = setTimeout(() => child.kill(), 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** pika wants the vhost in the path, percent-encoded: amqp://u:p@host:port/%2F */
function pikaUrl(url: string): string {
  const parsed = new URL(url);
  return `amqp://${parsed.username}:${parsed.password}@${parsed.host}/%2F`;
}

if (hasPika) {
  forEachBroker("pika runs the lesson's six RabbitMQ programs", async (t) => {
    const { code, stdout, stderr } = await run(PYTHON, [LESSON, pikaUrl(t.url), t.name("py")]);
    assertEquals(code, 0, `pika lesson failed:\n${stdout}\n${stderr}`);
    assertEquals(stdout.trim().split("\n"), [
      "ok hello",
      "ok work-queue",
      "ok fanout",
      "ok direct",
      "ok topic",
      "ok rpc",
    ]);
  }, { timeoutMs: 40_000 });
} else {
  Deno.test({
    name: "pika runs the lesson's programs (skipped: python3-pika not installed)",
    ignore: true,
    fn() {},
  });
}

if (hasAmqpTools) {
  forEachBroker("amqp-tools (librabbitmq) declare, publish, get and consume", async (t) => {
    const queue = t.queue("c-tools");
    const url = ["-u", t.url];
    assertEquals((await run("amqp-declare-queue", [...url, "-q", queue])).stdout.trim(), queue);
    for (const body of ["first", "second"]) {
      const published = await run("amqp-publish", [...url, "-r", queue, "-p", "-b", body]);
      assertEquals(published.code, 0, published.stderr);
    }
    const got = await run("amqp-get", [...url, "-q", queue]);
    assertEquals([got.code, got.stdout], [0, "first"]);
    // amqp-consume runs `cat` once per message; -c 1 stops after one.
    const consumed = await run("amqp-consume", [...url, "-q", queue, "-c", "1", "cat"]);
    assertEquals([consumed.code, consumed.stdout], [0, "second"]);
    const empty = await run("amqp-get", [...url, "-q", queue]);
    assert(empty.code !== 0, "amqp-get on an empty queue fails");
  });
} else {
  Deno.test({
    name: "amqp-tools publish and get (skipped: amqp-tools not installed)",
    ignore: true,
    fn() {},
  });
}
