/**
 * What a `:` command is (`CommandSpec`), what it asks the app to do
 * (`CommandIntent`) and the names completion may offer: types shared by the
 * command tables (`commands.ts`, `mq_commands.ts`) so neither imports the
 * other, plus the small parsing helpers both use.
 */
import type { PanelId } from "./panels.ts";
import type { LabCommand, MqCommand } from "../lab/protocol.ts";
import type { RabbitAction } from "./rabbit.ts";

export type CommandIntent =
  | { kind: "help" }
  | { kind: "quit" }
  | { kind: "panel"; panel: PanelId }
  | { kind: "demo"; name: string }
  | { kind: "stress"; tasks: number }
  | { kind: "clear" }
  | { kind: "restart-lab" }
  /** A sockets command for the lab; the Sockets panel comes into view. */
  | { kind: "sockets"; command: LabCommand }
  /**
   * `:stop [NAME]`: an actor's name (`publisher-1`) or `actors` goes to the
   * lab's `mq-stop`, anything else to `stop-socket`; no name stops the
   * actors on the RabbitMQ panel and the sockets elsewhere.
   */
  | { kind: "stop"; name?: string }
  /** An actors command for the lab; the RabbitMQ panel's actors come into view. */
  | { kind: "mq"; command: MqCommand }
  /** The RabbitMQ panel's routing explainer: this key through the selected exchange. */
  | { kind: "route"; key: string }
  /** Purge or delete on the broker (asks first; refused in read-only mode). */
  | { kind: "rabbit-action"; op: RabbitAction["op"]; name: string }
  | { kind: "error"; message: string };

export interface CommandSpec {
  name: string;
  aliases: string[];
  usage: string;
  /** The most arguments it takes; more is an error, not silently ignored. */
  maxArgs: number;
  summary: string;
  /** Candidates for the argument at `index` (0-based). */
  complete(index: number, context: CommandContext): readonly string[];
  run(args: string[]): CommandIntent;
}

/** What completion may offer beyond fixed words: names known at run time. */
export interface CommandContext {
  demos: readonly string[];
  /** Running echo servers' names (`multiplexed:8001`), for `:stop`. */
  servers?: readonly string[];
  /** The actors' names (`publisher-1`), for `:stop`. */
  actors?: readonly string[];
  /**
   * The broker's exchanges and queues (from the management API), for the
   * actors' commands, `:purge` and `:delete`.
   */
  exchanges?: readonly string[];
  queues?: readonly string[];
}

export const none = () => [] as const;

export const error = (message: string): CommandIntent => ({ kind: "error", message });

/** `word` as a whole number from 1 to `max`, else undefined. */
export const count = (word: string | undefined, max: number): number | undefined =>
  word !== undefined && /^\d+$/.test(word) && Number(word) >= 1 && Number(word) <= max
    ? Number(word)
    : undefined;
