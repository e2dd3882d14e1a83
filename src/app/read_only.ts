/**
 * `--read-only`: for watching a production broker safely. One predicate says
 * which commands change the broker (purge, delete, and the actors' publish,
 * subscribe, worker, rpc-server, rpc and scenario); `update` and
 * `mq_update` route every command line, key action and lab command through
 * it, and refuse with one line.
 */
import type { LabCommand } from "../lab/protocol.ts";
import type { StatusMessage } from "./model.ts";
import { findCommand, splitWords } from "./commands.ts";

/** `:` commands (by their canonical name) that change the broker. */
export const BROKER_CHANGING_COMMANDS: readonly string[] = [
  "purge",
  "delete",
  "publish",
  "subscribe",
  "worker",
  "rpc-server",
  "rpc",
  "scenario",
];

/** Lab commands that make the lab's actors publish, declare, bind or consume. */
export const BROKER_CHANGING_LAB: readonly LabCommand["type"][] = [
  "mq-publish",
  "mq-subscribe",
  "mq-worker",
  "mq-rpc-server",
  "mq-rpc",
  "mq-scenario",
];

/** A command name (`purge`) or a lab command (`{type: "mq-publish"}`): does it change the broker? */
export function isBrokerChanging(command: string | LabCommand): boolean {
  return typeof command === "string"
    ? BROKER_CHANGING_COMMANDS.includes(command)
    : BROKER_CHANGING_LAB.includes(command.type);
}

/** The one line a refused action shows; `what` names it (`:purge`, `D (delete)`). */
export function readOnlyRefusal(what: string): StatusMessage {
  return {
    text: `read-only mode is on (--read-only): ${what} would change the broker, so it is disabled`,
    level: "error",
  };
}

/** What a lab command is called in the refusal. */
export function labCommandName(command: LabCommand): string {
  return `:${command.type.replace(/^mq-/, "")}`;
}

/** A command line refused in read-only mode (by its command's name), else undefined. */
export function refuseCommandLine(readOnly: boolean, line: string): StatusMessage | undefined {
  if (!readOnly) return undefined;
  const name = findCommand(splitWords(line)[0] ?? "")?.name;
  return name !== undefined && isBrokerChanging(name) ? readOnlyRefusal(`:${name}`) : undefined;
}
