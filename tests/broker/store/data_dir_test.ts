/**
 * `deno task broker --data-dir DIR`: the default dir (XDG state), and a dir
 * that cannot be used (damaged, or in use by another broker): one line
 * naming the file, exit 1, the files left as they were.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { defaultDataDir, resolveDataDir } from "../../../src/broker/data_dir.ts";
import { spawnBroker } from "../support/broker_process.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const MAIN = new URL("../../../main.ts", import.meta.url).pathname;

async function runBroker(dataDir: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "broker", "--port", "0", "--http-port", "0", "--data-dir", dataDir],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("the default data dir follows XDG_STATE_HOME, else HOME; 'none' keeps nothing", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assertEquals(defaultDataDir(env({ XDG_STATE_HOME: "/s/", HOME: "/h" })), "/s/warren/broker");
  assertEquals(defaultDataDir(env({ HOME: "/h" })), "/h/.local/state/warren/broker");
  assertEquals(defaultDataDir(env({})), undefined);
  assertEquals(resolveDataDir("none", env({ HOME: "/h" })), undefined);
  assertEquals(resolveDataDir("/d", env({})), "/d");
  assertEquals(resolveDataDir(undefined, env({ HOME: "/h" })), "/h/.local/state/warren/broker");
});

Deno.test(
  "a damaged store: one line naming the file, exit 1, the file untouched",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-damaged-" });
    try {
      const file = `${dir}/broker.db`;
      const junk = new TextEncoder().encode("this is not a database ".repeat(200));
      await Deno.writeFile(file, junk);
      const { code, stderr } = await runBroker(dir);
      assertEquals(code, 1);
      assertEquals(
        stderr,
        `broker: ${file} is not a warren broker store or is damaged: file is not a database\n`,
      );
      assertEquals(await Deno.readFile(file), junk);
      assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["broker.db"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "a second broker on a data dir in use: one line naming the file, exit 1; the first runs on",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "warren-locked-" });
    const first = await spawnBroker(["--data-dir", dir]);
    try {
      assert(first.stdout.includes(`data in ${dir}/broker.db`), first.stdout);
      const { code, stderr } = await runBroker(dir);
      assertEquals(code, 1);
      assertEquals(
        stderr,
        `broker: ${dir}/broker.db is in use by another broker (the database is locked)\n`,
      );
      assert(first.alive);
    } finally {
      await first.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
