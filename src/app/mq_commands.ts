/**
 * The RabbitMQ actors' `:` commands: `:publish`, `:subscribe`, `:worker`,
 * `:rpc-server`, `:rpc`, `:scenario`, and `:stop`, which stops an actor or a
 * socket by its name. Each parses its words into one `mq-*` command for the
 * lab, or into one line saying what is wrong; the broker's own refusals (a
 * missing exchange, a 406) come back from the lab as its reply.
 */
import { type CommandSpec, count, error } from "./command_spec.ts";
import { type MqCommand, type PublishOptions, SCENARIOS } from "../lab/mq_protocol.ts";

/** What `:publish` and `:subscribe` accept for the default exchange, besides `""`. */
export const DEFAULT_EXCHANGE = "amq.default";
/** The most messages per second a publisher is asked for. */
export const MAX_RATE = 10_000;
/** The most messages one `:publish` sends. */
export const MAX_COUNT = 1_000_000;
/** AMQP's short strings (names, routing keys) are at most 255 bytes. */
const MAX_NAME_BYTES = 255;

const PUBLISH_USAGE =
  ":publish EXCHANGE KEY BODY... [--persistent] [--mandatory] [--rate N] [--count N]";
const SUBSCRIBE_USAGE = ":subscribe EXCHANGE [KEY,...]";
const WORKER_USAGE = ":worker QUEUE [--prefetch N] [--no-ack]";
const SCENARIO_USAGE = ":scenario NAME [--no-prefetch]";

const ACTOR_KINDS = ["publisher", "subscriber", "worker", "rpc-server", "rpc-client"];

/** `publisher-1`, `rpc-client-2`: an actor's name, as the lab gives them, not a socket's. */
export function isActorName(name: string): boolean {
  return new RegExp(`^(${ACTOR_KINDS.join("|")})(-\\d+)?$`).test(name);
}

const tooLong = (text: string) => new TextEncoder().encode(text).length > MAX_NAME_BYTES;

const mq = (command: MqCommand) => ({ kind: "mq" as const, command });

/** `--rate N`: messages per second, decimals allowed (0.5 is one every 2 s). */
function rateOf(word: string | undefined): number | undefined {
  if (word === undefined || !/^\d+(\.\d+)?$/.test(word)) return undefined;
  const n = Number(word);
  return n > 0 && n <= MAX_RATE ? n : undefined;
}

/**
 * `:publish`'s words after the command: EXCHANGE KEY, then the body's words
 * and the options in any order (the body is the words that are not options,
 * joined by one space).
 */
export function parsePublish(args: string[]): PublishOptions | string {
  const [exchangeWord, routingKey, ...rest] = args;
  if (exchangeWord === undefined || routingKey === undefined) {
    return `usage: ${PUBLISH_USAGE} ("" or ${DEFAULT_EXCHANGE} is the default exchange)`;
  }
  const exchange = exchangeWord === DEFAULT_EXCHANGE ? "" : exchangeWord;
  if (tooLong(exchange)) return `exchange name too long: at most ${MAX_NAME_BYTES} bytes`;
  if (tooLong(routingKey)) return `routing key too long: at most ${MAX_NAME_BYTES} bytes`;
  const options: PublishOptions = { exchange, routingKey, body: "" };
  const body: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === "--persistent") options.persistent = true;
    else if (word === "--mandatory") options.mandatory = true;
    else if (word === "--rate") {
      const rate = rateOf(rest[++i]);
      if (rate === undefined) {
        return `--rate needs messages per second, more than 0 and at most ${MAX_RATE}`;
      }
      options.ratePerS = rate;
    } else if (word === "--count") {
      const n = count(rest[++i], MAX_COUNT);
      if (n === undefined) return `--count needs a whole number from 1 to ${MAX_COUNT}`;
      options.count = n;
    } else if (word.startsWith("--") && word.length > 2) {
      return `unknown option ${word} (usage: ${PUBLISH_USAGE})`;
    } else body.push(word);
  }
  if (body.length === 0) return `no message body (usage: ${PUBLISH_USAGE})`;
  options.body = body.join(" ");
  return options;
}

/** `:subscribe`'s words: the exchange, then binding keys separated by commas or spaces. */
export function parseSubscribe(args: string[]): MqCommand | string {
  const [exchange, ...rest] = args;
  if (exchange === undefined) return `usage: ${SUBSCRIBE_USAGE} (fanout: no key)`;
  if (exchange === "" || exchange === DEFAULT_EXCHANGE) {
    return "the default exchange takes no bindings: subscribe to a named exchange " +
      "(e.g. amq.topic, or :publish to a queue's name and run a :worker on it)";
  }
  if (tooLong(exchange)) return `exchange name too long: at most ${MAX_NAME_BYTES} bytes`;
  const keys = rest.flatMap((w) => w.split(",")).filter((k) => k !== "");
  if (keys.some(tooLong)) return `binding key too long: at most ${MAX_NAME_BYTES} bytes`;
  return { type: "mq-subscribe", exchange, keys };
}

/** `:worker`'s words: the queue, `--prefetch N` (0: unlimited), `--no-ack`. */
export function parseWorker(args: string[]): MqCommand | string {
  const [queue, ...rest] = args;
  if (queue === undefined || queue === "") return `usage: ${WORKER_USAGE}`;
  if (tooLong(queue)) return `queue name too long: at most ${MAX_NAME_BYTES} bytes`;
  const command: Extract<MqCommand, { type: "mq-worker" }> = { type: "mq-worker", queue };
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    if (word === "--no-ack") command.noAck = true;
    else if (word === "--prefetch") {
      const n = rest[++i];
      if (n === undefined || !/^\d+$/.test(n) || Number(n) > 65535) {
        return "--prefetch needs a whole number from 0 (unlimited) to 65535";
      }
      command.prefetch = Number(n);
    } else return `unexpected '${word}' (usage: ${WORKER_USAGE})`;
  }
  return command;
}

/** `:scenario`'s words: one of the six, and `--no-prefetch` for work. */
export function parseScenario(args: string[]): MqCommand | string {
  const [name, option, ...more] = args;
  const names = SCENARIOS.join(", ");
  if (name === undefined) return `usage: ${SCENARIO_USAGE} (scenarios: ${names})`;
  const scenario = SCENARIOS.find((s) => s === name);
  if (!scenario) return `no scenario '${name}' (scenarios: ${names})`;
  if (option === undefined) return { type: "mq-scenario", name: scenario };
  if (option !== "--no-prefetch" || more.length > 0) {
    return `unexpected '${[option, ...more].join(" ")}' (usage: ${SCENARIO_USAGE})`;
  }
  if (scenario !== "work") return "--no-prefetch is for the work scenario only";
  return { type: "mq-scenario", name: scenario, prefetch: false };
}

const intent = (parsed: MqCommand | string) =>
  typeof parsed === "string" ? error(parsed) : mq(parsed);

export const MQ_COMMANDS: readonly CommandSpec[] = [
  {
    name: "publish",
    aliases: ["pub"],
    maxArgs: Infinity,
    // The options are in the summary: help's key column has no room for them all.
    usage: ":publish EXCHANGE KEY BODY...",
    summary: `a publisher: BODY with KEY through EXCHANGE ("" or ${DEFAULT_EXCHANGE}: the ` +
      "default one); one message, or --count N, at --rate N per second; --persistent, " +
      "--mandatory (unroutable ones come back)",
    complete: (index, context) =>
      index === 0
        ? [DEFAULT_EXCHANGE, ...(context.exchanges ?? []).filter((e) => e !== "")]
        : index === 1
        ? context.queues ?? []
        : ["--persistent", "--mandatory", "--rate", "--count"],
    run: (args) => {
      const parsed = parsePublish(args);
      return typeof parsed === "string"
        ? error(parsed)
        : mq({ type: "mq-publish", options: parsed });
    },
  },
  {
    name: "subscribe",
    aliases: ["sub"],
    maxArgs: Infinity,
    usage: SUBSCRIBE_USAGE,
    summary: "a subscriber on its own exclusive queue, bound to EXCHANGE with each KEY",
    complete: (index, context) =>
      index === 0 ? (context.exchanges ?? []).filter((e) => e !== "" && e !== "amq.default") : [],
    run: (args) => intent(parseSubscribe(args)),
  },
  {
    name: "worker",
    aliases: [],
    maxArgs: 4,
    usage: WORKER_USAGE,
    summary: "a worker on QUEUE (durable when new): 1 s of work per '.' in a body, then its ack",
    complete: (index, context) =>
      index === 0 ? ["task_queue", ...(context.queues ?? [])] : ["--prefetch", "--no-ack"],
    run: (args) => intent(parseWorker(args)),
  },
  {
    name: "rpc-server",
    aliases: [],
    maxArgs: 0,
    usage: ":rpc-server",
    summary: "the RPC server on rpc_queue: fib(n) for n from 0 to 90, an error reply otherwise",
    complete: () => [],
    run: () => mq({ type: "mq-rpc-server" }),
  },
  {
    name: "rpc",
    aliases: [],
    maxArgs: 1,
    usage: ":rpc N",
    summary: "call fib(N) over RabbitMQ (starts the RPC server first when none is running)",
    complete: (index) => (index === 0 ? ["30"] : []),
    run: ([n]) =>
      n === undefined || !/^-?\d{1,9}$/.test(n)
        ? error("usage: :rpc N (a whole number; the server answers fib(N) for N from 0 to 90)")
        : mq({ type: "mq-rpc", n: Number(n) }),
  },
  {
    name: "scenario",
    aliases: [],
    maxArgs: 2,
    usage: SCENARIO_USAGE,
    summary: `the lesson's topology and actors: ${SCENARIOS.join(", ")} (also s on RabbitMQ)`,
    complete: (index) => (index === 0 ? SCENARIOS : index === 1 ? ["--no-prefetch"] : []),
    run: (args) => intent(parseScenario(args)),
  },
];

/** `:stop`: the intent says the name; the app decides by it (and the panel) what stops. */
export const STOP_COMMAND: CommandSpec = {
  name: "stop",
  aliases: [],
  maxArgs: 1,
  usage: ":stop [NAME]",
  summary: "stop an actor (publisher-1...), every actor (actors), a server or the load (load); " +
    "alone: the actors on the RabbitMQ panel, every socket elsewhere",
  complete: (index, context) =>
    index === 0 ? [...(context.actors ?? []), "actors", ...(context.servers ?? []), "load"] : [],
  run: ([name]) => (name === undefined ? { kind: "stop" } : { kind: "stop", name }),
};
