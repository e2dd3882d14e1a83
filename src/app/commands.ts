/**
 * The `:` command line's commands: parsing, completion candidates and what
 * each command asks the app to do. Commands return an intent; `update`
 * applies it, so this module has no state of its own.
 */
import { findPanel, PANEL_IDS } from "./panels.ts";
import {
  type CommandContext,
  type CommandIntent,
  type CommandSpec,
  count,
  error,
  none,
} from "./command_spec.ts";
import { MQ_COMMANDS, STOP_COMMAND } from "./mq_commands.ts";

export type { CommandContext, CommandIntent, CommandSpec } from "./command_spec.ts";

/** The most sleeping tasks `:stress` spawns: the scale the panel is built for. */
export const STRESS_LIMIT = 100_000;

/** The lab's models, in the lesson's order (the lab names the same ones). */
export const MODEL_NAMES = ["blocking", "nonblocking", "multiplexed", "async"] as const;
/** Load clients the lab accepts at most (its file-descriptor check says more). */
export const MAX_LOAD = 10_000;

const LOAD_USAGE = `usage: :load N [--size B] [--rate R] (N from 1 to ${MAX_LOAD})`;

/** The Sockets panel's commands; the lab's reply (port in use, FFI not allowed...) is shown. */
const SOCKETS_COMMANDS: readonly CommandSpec[] = [
  {
    name: "serve",
    aliases: [],
    maxArgs: 2,
    usage: ":serve MODEL [PORT]",
    summary: `start an echo server on 127.0.0.1 (${MODEL_NAMES.join(", ")}; port 8001)`,
    complete: (index) => (index === 0 ? MODEL_NAMES : []),
    run: ([model, port]) => {
      if (model === undefined) {
        return error(`usage: :serve MODEL [PORT] (models: ${MODEL_NAMES.join(", ")})`);
      }
      if (!(MODEL_NAMES as readonly string[]).includes(model)) {
        return error(`no model '${model}' (models: ${MODEL_NAMES.join(", ")})`);
      }
      if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) {
        return error(`bad port '${port}': a number from 0 (any free port) to 65535`);
      }
      return {
        kind: "sockets",
        command: { type: "serve", model, ...(port === undefined ? {} : { port: Number(port) }) },
      };
    },
  },
  {
    name: "load",
    aliases: [],
    maxArgs: 5,
    usage: ":load N [--size B] [--rate R]",
    summary: "N clients echo against the shown server for 10 s (--size bytes, --rate rt/s)",
    complete: (index) => (index === 0 ? ["100", "1000"] : ["--size", "--rate"]),
    run: ([n, ...rest]) => {
      const connections = count(n, MAX_LOAD);
      if (connections === undefined) return error(LOAD_USAGE);
      const options: { size?: number; ratePerS?: number } = {};
      for (let i = 0; i < rest.length; i += 2) {
        const value = count(rest[i + 1], Number.MAX_SAFE_INTEGER);
        if (rest[i] === "--size" && value !== undefined) options.size = value;
        else if (rest[i] === "--rate" && value !== undefined) options.ratePerS = value;
        else return error(LOAD_USAGE);
      }
      return { kind: "sockets", command: { type: "load", connections, ...options } };
    },
  },
  {
    name: "compare",
    aliases: [],
    maxArgs: 1,
    usage: ":compare [N]",
    summary: "the same load (N clients, 100 by default) on each model in turn, then one table",
    complete: (index) => (index === 0 ? ["100", "1000"] : []),
    run: ([n]) => {
      const connections = n === undefined ? 100 : count(n, MAX_LOAD);
      if (connections === undefined) return error(`usage: :compare [N] (N from 1 to ${MAX_LOAD})`);
      return { kind: "sockets", command: { type: "compare", connections } };
    },
  },
];

const DELETE_USAGE = "usage: :delete queue|exchange NAME";

/** The RabbitMQ panel's destructive commands; each asks before it acts. */
const RABBIT_COMMANDS: readonly CommandSpec[] = [
  {
    name: "purge",
    aliases: [],
    maxArgs: 1,
    usage: ":purge QUEUE",
    summary: "delete a queue's ready messages (asks first; P on the selected queue)",
    complete: (index, context) => (index === 0 ? context.queues ?? [] : []),
    run: ([name]) =>
      name === undefined
        ? error("usage: :purge QUEUE")
        : { kind: "rabbit-action", op: "purge", name },
  },
  {
    name: "delete",
    aliases: [],
    maxArgs: 2,
    usage: ":delete queue|exchange NAME",
    summary: "delete a queue or an exchange (asks first; D on the selected one)",
    complete: (index, context) =>
      index === 0 ? ["queue", "exchange"] : index === 1
        ? [
          ...(context.queues ?? []),
          ...(context.exchanges ?? []).filter((name) => name !== ""),
        ]
        : [],
    run: ([what, name]) => {
      if ((what !== "queue" && what !== "exchange") || name === undefined) {
        return error(DELETE_USAGE);
      }
      return { kind: "rabbit-action", op: `delete-${what}`, name };
    },
  },
];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "help",
    aliases: ["h", "?"],
    maxArgs: 0,
    usage: ":help",
    summary: "keys and commands of the current panel",
    complete: none,
    run: () => ({ kind: "help" }),
  },
  {
    name: "quit",
    aliases: ["q", "exit"],
    maxArgs: 0,
    usage: ":quit",
    summary: "leave warren (the terminal is restored)",
    complete: none,
    run: () => ({ kind: "quit" }),
  },
  {
    name: "panel",
    aliases: ["p"],
    maxArgs: 1,
    usage: ":panel NAME",
    summary: `switch panel: ${PANEL_IDS.join(", ")}`,
    complete: (index) => (index === 0 ? PANEL_IDS : []),
    run: (args) => {
      const [name] = args;
      if (name === undefined) return { kind: "error", message: "usage: :panel NAME" };
      const panel = findPanel(name);
      if (!panel) {
        return {
          kind: "error",
          message: `no panel '${name}' (panels: ${PANEL_IDS.join(", ")})`,
        };
      }
      return { kind: "panel", panel };
    },
  },
  {
    name: "demo",
    aliases: ["d"],
    maxArgs: 1,
    usage: ":demo NAME",
    summary: "run a lesson demo live in the Coroutines panel",
    complete: (index, context) => (index === 0 ? context.demos : []),
    run: (args) => {
      const [name] = args;
      return name === undefined
        ? { kind: "error", message: "usage: :demo NAME (Tab lists the demos)" }
        : { kind: "demo", name };
    },
  },
  {
    name: "stress",
    aliases: [],
    maxArgs: 1,
    usage: ":stress N",
    summary: "spawn N sleeping tasks (at most 100000); :stress 0 kills them",
    complete: (index) => (index === 0 ? ["1000", "100000", "0"] : []),
    run: (args) => {
      const [count] = args;
      const tasks = Number(count);
      if (count === undefined || !/^\d+$/.test(count) || tasks > STRESS_LIMIT) {
        return { kind: "error", message: `usage: :stress N (N from 0 to ${STRESS_LIMIT})` };
      }
      return { kind: "stress", tasks };
    },
  },
  {
    name: "clear",
    aliases: [],
    maxArgs: 0,
    usage: ":clear",
    summary: "forget finished tasks in the Coroutines table (also c there)",
    complete: none,
    run: () => ({ kind: "clear" }),
  },
  {
    name: "restart-lab",
    aliases: [],
    maxArgs: 0,
    usage: ":restart-lab",
    summary: "end every task and start a fresh lab (for a task that never yields; asks first)",
    complete: none,
    run: () => ({ kind: "restart-lab" }),
  },
  ...SOCKETS_COMMANDS,
  STOP_COMMAND,
  ...MQ_COMMANDS,
  {
    name: "route",
    aliases: [],
    maxArgs: 1,
    usage: ":route KEY",
    summary: "RabbitMQ panel: which bindings of the selected exchange KEY matches, and why",
    complete: none,
    run: ([key]) =>
      key === undefined
        ? error("usage: :route KEY (on the RabbitMQ panel, an exchange selected)")
        : { kind: "route", key },
  },
  ...RABBIT_COMMANDS,
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
}

/** Splits a command line into words; double quotes group words with spaces. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const match of line.matchAll(/"([^"]*)"?|(\S+)/g)) {
    words.push(match[1] ?? match[2] ?? "");
  }
  return words;
}

/** Runs one command line (without the leading `:`). An empty line does nothing. */
export function runCommandLine(line: string): CommandIntent | undefined {
  const [name, ...args] = splitWords(line);
  if (name === undefined) return undefined;
  const command = findCommand(name);
  if (!command) return { kind: "error", message: `unknown command: ${name} (try :help)` };
  if (args.length > command.maxArgs) {
    const takes = command.maxArgs === 0
      ? "takes no arguments"
      : `takes ${command.maxArgs} argument${command.maxArgs === 1 ? "" : "s"}`;
    return {
      kind: "error",
      message: `:${command.name} ${takes}, got ${args.length} (usage: ${command.usage})`,
    };
  }
  return command.run(args);
}

/**
 * Completion candidates for the word under the cursor at the end of `line`:
 * command names for the first word, the command's own candidates after it.
 */
export function completionCandidates(
  line: string,
  context: CommandContext,
): readonly string[] {
  const words = splitWords(line);
  const endsInSpace = line === "" || /\s$/.test(line);
  if (words.length === 0 || (words.length === 1 && !endsInSpace)) {
    return COMMANDS.map((c) => c.name);
  }
  const command = findCommand(words[0]!);
  if (!command) return [];
  const index = endsInSpace ? words.length - 1 : words.length - 2;
  return command.complete(index, context);
}
