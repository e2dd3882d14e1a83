/**
 * `deno task broker users|vhosts|permissions ...`: administration of a
 * RUNNING broker through its management API (admin_api.ts), as rabbitmqctl
 * administers a running node, so a teacher can give each student a user and
 * a vhost on a shared lab box. Works the same against a real RabbitMQ.
 */
import { parseFlags, UsageError } from "../cli/usage.ts";
import { errorMessage } from "../util/error_message.ts";
import { firstLine, promptSecret, readStdin, stdinIsTerminal } from "../cli/secret_prompt.ts";
import { AdminError, adminRequest, type AdminTarget, apiPath } from "./admin_api.ts";

export const ADMIN_COMMANDS = ["users", "vhosts", "permissions"];

export const ADMIN_USAGE =
  `administration of a running broker (through its management API, as rabbitmqctl):
  deno task broker users add NAME [--password-stdin] [--tags t1,t2] [--vhost V]
                                         a user (password asked twice, or the first
                                         line of stdin); --vhost V also creates V
                                         and gives NAME every permission on it
  deno task broker users list            users and their tags
  deno task broker users passwd NAME [--password-stdin]
  deno task broker users delete NAME     (its connections are closed)
  deno task broker vhosts add|delete NAME
  deno task broker vhosts list
  deno task broker permissions set USER VHOST CONFIGURE WRITE READ
                                         regular expressions on queue and exchange
                                         names: '.*' all, '' or '^$' nothing
  deno task broker permissions clear USER VHOST
  deno task broker permissions list [--vhost V]
flags of these commands:
  --api URL              the broker's management API (default http://127.0.0.1:15672)
  --user NAME            an administrator (default $WARREN_API_USER, else guest);
                         password from $WARREN_API_PASSWORD, else asked (guest: guest)`;

export interface AdminCliOptions {
  /** Results (default console.log). */
  print?: (line: string) => void;
  /** The one line of a failure (default console.error). */
  error?: (line: string) => void;
  env?: (name: string) => string | undefined;
  /** Stdin's content, for --password-stdin. */
  readStdin?: () => Promise<string>;
  /** Asks for a secret without echo; undefined when the person gives up. */
  promptSecret?: (question: string) => Promise<string | undefined>;
  /** Whether a person can be asked (stdin is a terminal). */
  isTerminal?: () => boolean;
}

interface Context {
  target: AdminTarget;
  print: (line: string) => void;
  newPassword(name: string): Promise<string>;
  values: Record<string, unknown>;
}

const FLAGS = {
  api: { type: "string" },
  user: { type: "string" },
  "password-stdin": { type: "boolean" },
  tags: { type: "string" },
  vhost: { type: "string" },
} as const;

/** Runs one administration command; 0 when done, 1 when the broker said no (one line on stderr). */
export async function runAdminCli(args: string[], opts: AdminCliOptions = {}): Promise<number> {
  const { values, positionals } = parseFlags("broker", args, FLAGS, { allowPositionals: true });
  if (values.help) {
    (opts.print ?? console.log)(ADMIN_USAGE);
    return 0;
  }
  const [group, action, ...rest] = positionals;
  const command = COMMANDS[`${group} ${action}`];
  if (!command) {
    throw new UsageError(`broker: unknown command '${positionals.join(" ")}'`);
  }
  if (rest.length !== command.arity) {
    throw new UsageError(`broker: usage: deno task broker ${group} ${action} ${command.args}`);
  }
  const env = opts.env ?? ((name: string) => Deno.env.get(name));
  const isTerminal = opts.isTerminal ?? stdinIsTerminal;
  const ask = opts.promptSecret ?? promptSecret;
  try {
    const target = await adminTarget(values, env, isTerminal, ask);
    const ctx: Context = {
      target,
      print: opts.print ?? ((line) => console.log(line)),
      values,
      newPassword: (name) =>
        values["password-stdin"]
          ? passwordFromStdin(opts.readStdin ?? readStdin)
          : askNewPassword(name, isTerminal, ask),
    };
    await command.run(ctx, rest);
    return 0;
  } catch (e) {
    if (!(e instanceof AdminError)) throw e;
    (opts.error ?? console.error)(`broker: ${e.message}`);
    return 1;
  }
}

async function adminTarget(
  values: Record<string, unknown>,
  env: (name: string) => string | undefined,
  isTerminal: () => boolean,
  ask: (q: string) => Promise<string | undefined>,
): Promise<AdminTarget> {
  const api = typeof values.api === "string" ? values.api : "http://127.0.0.1:15672";
  const user = typeof values.user === "string" ? values.user : env("WARREN_API_USER") || "guest";
  let password = env("WARREN_API_PASSWORD");
  if (password === undefined && user === "guest") password = "guest";
  if (password === undefined) {
    if (!isTerminal()) {
      throw new AdminError(`no password for '${user}': set WARREN_API_PASSWORD`);
    }
    password = await ask(`password of ${user} (management API): `);
    if (password === undefined) throw new AdminError("cancelled");
  }
  return { api, user, password };
}

async function passwordFromStdin(read: () => Promise<string>): Promise<string> {
  const password = firstLine(await read());
  if (password === "") throw new AdminError("--password-stdin: stdin's first line is empty");
  return password;
}

async function askNewPassword(
  name: string,
  isTerminal: () => boolean,
  ask: (q: string) => Promise<string | undefined>,
): Promise<string> {
  if (!isTerminal()) {
    throw new AdminError(`no password for '${name}': pass --password-stdin, or run in a terminal`);
  }
  const first = await ask(`new password for ${name}: `);
  if (first === undefined) throw new AdminError("cancelled");
  if (first === "") throw new AdminError("an empty password cannot log in; nothing changed");
  if (await ask(`again: `) !== first) throw new AdminError("the passwords differ; nothing changed");
  return first;
}

/** Tags as one comma-separated string (RabbitMQ sends an array; older versions a string). */
const tagText = (tags: unknown) => (Array.isArray(tags) ? tags.join(",") : String(tags ?? ""));

const splitTags = (raw: unknown) =>
  typeof raw === "string" ? raw.split(",").map((t) => t.trim()).filter(Boolean) : [];

/** Columns padded to their widest cell, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}

const FULL = { configure: ".*", write: ".*", read: ".*" };

interface Command {
  args: string;
  arity: number;
  run(ctx: Context, args: string[]): Promise<void>;
}

const COMMANDS: Record<string, Command> = {
  "users add": {
    args: "NAME [--password-stdin] [--tags t1,t2] [--vhost V]",
    arity: 1,
    async run(ctx, [name]) {
      const { target } = ctx;
      if ((await adminRequest(target, "GET", apiPath("users", name!))).status === 200) {
        throw new AdminError(`user '${name}' already exists (change its password: users passwd)`);
      }
      const password = await ctx.newPassword(name!);
      const tags = splitTags(ctx.values.tags);
      await adminRequest(target, "PUT", apiPath("users", name!), {
        password,
        tags: tags.join(","),
      });
      ctx.print(`added user '${name}'${tags.length ? ` (tags: ${tags.join(", ")})` : ""}`);
      const vhost = ctx.values.vhost;
      if (typeof vhost === "string") {
        await adminRequest(target, "PUT", apiPath("vhosts", vhost));
        await adminRequest(target, "PUT", apiPath("permissions", vhost, name!), FULL);
        ctx.print(`user '${name}' may configure, write and read everything in vhost '${vhost}'`);
      }
    },
  },
  "users list": {
    args: "",
    arity: 0,
    async run(ctx) {
      const { json } = await adminRequest(ctx.target, "GET", "users");
      const rows = (json as { name: string; tags: unknown }[]).map((
        u,
      ) => [u.name, tagText(u.tags)]);
      for (const line of table([["user", "tags"], ...rows])) ctx.print(line);
    },
  },
  "users passwd": {
    args: "NAME [--password-stdin]",
    arity: 1,
    async run(ctx, [name]) {
      const found = await adminRequest(ctx.target, "GET", apiPath("users", name!));
      if (found.status === 404) throw new AdminError(`no user '${name}'`);
      const password = await ctx.newPassword(name!);
      await adminRequest(ctx.target, "PUT", apiPath("users", name!), {
        password,
        tags: tagText(found.json.tags),
      });
      ctx.print(`changed the password of '${name}'`);
    },
  },
  "users delete": {
    args: "NAME",
    arity: 1,
    async run(ctx, [name]) {
      const r = await adminRequest(ctx.target, "DELETE", apiPath("users", name!));
      if (r.status === 404) throw new AdminError(`no user '${name}'`);
      ctx.print(`deleted user '${name}'`);
    },
  },
  "vhosts add": {
    args: "NAME",
    arity: 1,
    async run(ctx, [name]) {
      const r = await adminRequest(ctx.target, "PUT", apiPath("vhosts", name!));
      ctx.print(r.status === 201 ? `added vhost '${name}'` : `vhost '${name}' already exists`);
    },
  },
  "vhosts delete": {
    args: "NAME",
    arity: 1,
    async run(ctx, [name]) {
      const r = await adminRequest(ctx.target, "DELETE", apiPath("vhosts", name!));
      if (r.status === 404) throw new AdminError(`no vhost '${name}'`);
      ctx.print(`deleted vhost '${name}' with its queues, exchanges and connections`);
    },
  },
  "vhosts list": {
    args: "",
    arity: 0,
    async run(ctx) {
      const { json } = await adminRequest(ctx.target, "GET", "vhosts");
      for (const v of json as { name: string }[]) ctx.print(v.name);
    },
  },
  "permissions set": {
    args: "USER VHOST CONFIGURE WRITE READ",
    arity: 5,
    async run(ctx, [user, vhost, configure, write, read]) {
      await adminRequest(ctx.target, "PUT", apiPath("permissions", vhost!, user!), {
        configure,
        write,
        read,
      }).catch((e) => {
        throw /vhost_or_user_not_found/.test(errorMessage(e))
          ? new AdminError(`no user '${user}' or no vhost '${vhost}'`)
          : e;
      });
      ctx.print(`set permissions of '${user}' in vhost '${vhost}'`);
    },
  },
  "permissions clear": {
    args: "USER VHOST",
    arity: 2,
    async run(ctx, [user, vhost]) {
      const r = await adminRequest(ctx.target, "DELETE", apiPath("permissions", vhost!, user!));
      if (r.status === 404) {
        throw new AdminError(`'${user}' has no permissions in vhost '${vhost}'`);
      }
      ctx.print(`cleared permissions of '${user}' in vhost '${vhost}'`);
    },
  },
  "permissions list": {
    args: "[--vhost V]",
    arity: 0,
    async run(ctx) {
      const vhost = ctx.values.vhost;
      const path = typeof vhost === "string"
        ? apiPath("vhosts", vhost, "permissions")
        : "permissions";
      const r = await adminRequest(ctx.target, "GET", path);
      if (r.status === 404) throw new AdminError(`no vhost '${vhost}'`);
      const rows = (r.json as Record<string, string>[]).map((p) =>
        [p.user!, p.vhost!, p.configure!, p.write!, p.read!].map(shown)
      );
      for (const line of table([["user", "vhost", "configure", "write", "read"], ...rows])) {
        ctx.print(line);
      }
    },
  },
};

/** An empty expression shown so it can be seen. */
const shown = (s: string) => (s === "" ? "''" : s);
