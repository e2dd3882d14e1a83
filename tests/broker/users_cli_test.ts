/**
 * `deno task broker users|vhosts|permissions`: a teacher sets up a student on
 * a running embedded broker (in-process, ports 0) through its management
 * API; and once through main.ts in a process of its own, password on stdin.
 */
import { deepStrictEqual as assertEquals, ok as assert, rejects } from "node:assert/strict";
import { UsageError } from "../../src/cli/usage.ts";
import { type RunningBroker, startBroker } from "../../src/broker/server.ts";
import { type AdminCliOptions, runAdminCli } from "../../src/broker/users_cli.ts";
import { openClient } from "./support/amqplib.ts";
import { refusedHandshake } from "./support/raw_client.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function withBroker(fn: (b: RunningBroker, cli: typeof admin) => Promise<void>) {
  const b = await startBroker({ port: 0, httpPort: 0 });
  try {
    await fn(b, (args, o = {}) => admin([...args, "--api", b.management!.url], o));
  } finally {
    await b.close();
  }
}

/** Runs the CLI with no terminal and no environment unless the test gives them. */
async function admin(args: string[], o: AdminCliOptions = {}): Promise<Run> {
  const out: string[] = [], err: string[] = [];
  const code = await runAdminCli(args, {
    print: (l) => out.push(l),
    error: (l) => err.push(l),
    env: () => undefined,
    isTerminal: () => false,
    readStdin: () => Promise.reject(new Error("no stdin in this test")),
    ...o,
  });
  return { code, out, err };
}

Deno.test(
  "a teacher gives a student a user and a vhost; the student works only there",
  opts,
  async () => {
    await withBroker(async (b, cli) => {
      const added = await cli([
        "users",
        "add",
        "ann",
        "--password-stdin",
        "--tags",
        "management",
        "--vhost",
        "ann",
      ], {
        readStdin: () => Promise.resolve("s3cret\nignored second line\n"),
      });
      assertEquals(added, {
        code: 0,
        out: [
          "added user 'ann' (tags: management)",
          "user 'ann' may configure, write and read everything in vhost 'ann'",
        ],
        err: [],
      });
      assertEquals((await cli(["users", "list"])).out, [
        "user   tags",
        "ann    management",
        "guest  administrator",
      ]);
      assertEquals((await cli(["vhosts", "list"])).out, ["/", "ann"]);
      assertEquals((await cli(["permissions", "list", "--vhost", "ann"])).out, [
        "user   vhost  configure  write  read",
        "ann    ann    .*         .*     .*",
        "guest  ann    .*         .*     .*",
      ]);
      const c = await openClient(b.url, { username: "ann", password: "s3cret", vhost: "ann" });
      await (await c.channel()).assertQueue("homework");
      await c.close();
      // Not in the shared vhost.
      const refused = await refusedHandshake("127.0.0.1", b.port, {
        username: "ann",
        password: "s3cret",
        vhost: "/",
      });
      assert(refused.includes("NOT_ALLOWED - access to vhost '/' refused for user 'ann'"), refused);
    });
  },
);

Deno.test("passwd, permissions set and clear, delete: each says what it did", opts, async () => {
  await withBroker(async (b, cli) => {
    const stdin = (text: string) => ({ readStdin: () => Promise.resolve(text) });
    await cli(["users", "add", "bob", "--password-stdin"], stdin("old"));
    assertEquals((await cli(["vhosts", "add", "lab"])).out, ["added vhost 'lab'"]);
    assertEquals((await cli(["vhosts", "add", "lab"])).out, ["vhost 'lab' already exists"]);
    assertEquals((await cli(["permissions", "set", "bob", "lab", "^bob-", "^bob-", ""])).out, [
      "set permissions of 'bob' in vhost 'lab'",
    ]);
    assertEquals(b.core.users.permission("bob", "lab"), {
      configure: "^bob-",
      write: "^bob-",
      read: "",
    });
    assertEquals(
      (await cli(["permissions", "list"])).out.find((l) => l.startsWith("bob")),
      "bob    lab    ^bob-      ^bob-  ''",
    );
    // A new password by prompt, typed twice.
    const typed = ["new-pw", "new-pw"];
    const passwd = await cli(["users", "passwd", "bob"], {
      isTerminal: () => true,
      promptSecret: () => Promise.resolve(typed.shift()),
    });
    assertEquals(passwd.out, ["changed the password of 'bob'"]);
    assert("user" in b.core.users.login("bob", "new-pw", true));
    assertEquals((await cli(["permissions", "clear", "bob", "lab"])).out, [
      "cleared permissions of 'bob' in vhost 'lab'",
    ]);
    assertEquals((await cli(["users", "delete", "bob"])).out, ["deleted user 'bob'"]);
    assertEquals((await cli(["vhosts", "delete", "lab"])).out, [
      "deleted vhost 'lab' with its queues, exchanges and connections",
    ]);
  });
});

Deno.test("each failure is one line and exit 1", opts, async () => {
  await withBroker(async (b, cli) => {
    const cases: [string[], AdminCliOptions, string][] = [
      [
        ["users", "add", "guest", "--password-stdin"],
        {},
        "broker: user 'guest' already exists (change its password: users passwd)",
      ],
      [
        ["users", "add", "cy"],
        {},
        "broker: no password for 'cy': pass --password-stdin, or run in a terminal",
      ],
      [
        ["users", "add", "cy", "--password-stdin"],
        { readStdin: () => Promise.resolve("\n") },
        "broker: --password-stdin: stdin's first line is empty",
      ],
      [["users", "add", "cy"], {
        isTerminal: () => true,
        promptSecret: (q) => Promise.resolve(q.startsWith("again") ? "b" : "a"),
      }, "broker: the passwords differ; nothing changed"],
      [["users", "delete", "nobody"], {}, "broker: no user 'nobody'"],
      [["users", "passwd", "nobody"], {}, "broker: no user 'nobody'"],
      [["vhosts", "delete", "nowhere"], {}, "broker: no vhost 'nowhere'"],
      [
        ["permissions", "set", "nobody", "/", ".*", ".*", ".*"],
        {},
        "broker: no user 'nobody' or no vhost '/'",
      ],
      [
        ["permissions", "clear", "guest", "nowhere"],
        {},
        "broker: 'guest' has no permissions in vhost 'nowhere'",
      ],
      [
        ["users", "list", "--user", "ann"],
        { env: (n) => n === "WARREN_API_PASSWORD" ? "x" : undefined },
        `broker: the management API at ${
          b.management!.url
        } refused user 'ann': Login failed (use --user with an administrator, and WARREN_API_USER / WARREN_API_PASSWORD)`,
      ],
      [
        ["users", "list", "--user", "ann"],
        {},
        "broker: no password for 'ann': set WARREN_API_PASSWORD",
      ],
    ];
    for (const [args, o, line] of cases) {
      const r = await cli(args, o);
      assertEquals([r.code, r.err, r.out], [1, [line], []], args.join(" "));
    }
    assertEquals(b.core.users.get("cy"), undefined);
    await rejects(cli(["users", "frob"]), UsageError);
    await rejects(cli(["users", "add"]), /usage: deno task broker users add NAME/);
  });
});

Deno.test("a management user that is not an administrator is told so", opts, async () => {
  await withBroker(async (b, cli) => {
    b.core.users.putUser({ name: "ta", password: "pw", tags: ["management"] });
    const r = await cli(["users", "list", "--user", "ta"], {
      env: (n) => n === "WARREN_API_PASSWORD" ? "pw" : undefined,
    });
    assertEquals(r.err, [
      `broker: the management API at ${
        b.management!.url
      } refused user 'ta': Not administrator user (use --user with an administrator, and WARREN_API_USER / WARREN_API_PASSWORD)`,
    ]);
  });
});

Deno.test(
  "through main.ts: users add with --password-stdin, and one line when no broker answers",
  opts,
  async () => {
    const b = await startBroker({ port: 0, httpPort: 0 });
    try {
      const main = new URL("../../main.ts", import.meta.url).pathname;
      const run = async (args: string[], stdin = "") => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", main, "broker", ...args],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1", WARREN_API_USER: "guest", WARREN_API_PASSWORD: "guest" },
        }).spawn();
        const w = child.stdin.getWriter();
        await w.write(new TextEncoder().encode(stdin));
        await w.close();
        const out = await child.output();
        const text = (x: Uint8Array) => new TextDecoder().decode(x);
        return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
      };
      const added = await run([
        "users",
        "add",
        "dee",
        "--password-stdin",
        "--api",
        b.management!.url,
      ], "pw-dee\n");
      assertEquals([added.code, added.stdout, added.stderr], [0, "added user 'dee'\n", ""]);
      assert("user" in b.core.users.login("dee", "pw-dee", true));
      const port = b.management!.port;
      await b.close();
      const gone = await run(["vhosts", "list", "--api", `http://127.0.0.1:${port}`]);
      assertEquals(gone.code, 1);
      assertEquals(gone.stderr.trim().split("\n").length, 1, gone.stderr);
      assert(
        gone.stderr.startsWith(`broker: no broker answers at http://127.0.0.1:${port} (`),
        gone.stderr,
      );
    } finally {
      await b.close();
    }
  },
);
