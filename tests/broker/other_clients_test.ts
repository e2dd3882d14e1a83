/**
 * Clients other than amqplib, as students use them: the lesson's Python
 * programs (pika), py-amqp (under kombu and Celery), aio-pika (asyncio) and
 * the C library's command-line tools (amqp-tools, on librabbitmq). The same
 * runs pass against the embedded broker and RabbitMQ. CI installs them from
 * Debian; where one is missing its test says so.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { forEachBroker } from "./support/targets.ts";

const PYTHON = "/usr/bin/python3";
const client = (file: string) => new URL(`./clients/${file}`, import.meta.url).pathname;

function runs(command: string, args: string[]): boolean {
  try {
    return new Deno.Command(command, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}

const hasPython = (module: string) => runs(PYTHON, ["-c", `import ${module}`]);
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

/**
 * Registers a test that runs a Python client script against each broker and
 * expects its "ok <scenario>" lines; skipped with the Debian package to
 * install when the module is missing.
 */
function pythonClient(
  name: string,
  options: { module: string; debian: string; script: string; url: (url: string) => string },
  expected: string[],
) {
  if (!hasPython(options.module)) {
    Deno.test({
      name: `${name} (skipped: ${options.debian} not installed)`,
      ignore: true,
      fn() {},
    });
    return;
  }
  forEachBroker(name, async (t) => {
    const script = client(options.script);
    const { code, stdout, stderr } = await run(PYTHON, [script, options.url(t.url), t.name("py")]);
    assertEquals(code, 0, `${options.script} failed:\n${stdout}\n${stderr}`);
    assertEquals(stdout.trim().split("\n"), expected.map((s) => `ok ${s}`));
  }, { timeoutMs: 40_000 });
}

pythonClient("pika runs the lesson's six RabbitMQ programs", {
  module: "pika",
  debian: "python3-pika",
  script: "lesson_pika.py",
  url: pikaUrl,
}, ["hello", "work-queue", "fanout", "direct", "topic", "rpc"]);

pythonClient("py-amqp (kombu/Celery's transport) routes, consumes, calls RPC, commits", {
  module: "amqp",
  debian: "python3-amqp",
  script: "py_amqp_client.py",
  url: (url) => new URL(url).host,
}, ["topic", "worker", "rpc", "tx", "errors"]);

pythonClient("aio-pika (asyncio) fans out, shares work fairly, gathers RPC calls", {
  module: "aio_pika",
  debian: "python3-aio-pika",
  script: "aio_pika_client.py",
  url: (url) => url,
}, ["fanout", "fair-dispatch", "rpc", "mandatory"]);

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
