/**
 * Shared flag parsing for every subcommand, so each one reports bad input the
 * same way: one line saying what is wrong, a usage hint, exit code 2.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { errorMessage } from "../util/error_message.ts";
import { formatBytes, parseByteSize } from "./byte_size.ts";

/**
 * Bad command-line input. `main.ts` prints it as one line, then the hint
 * (by default where the command's flags are listed), and exits 2.
 */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedFlags {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/**
 * Parses `args` against `options` (node:util parseArgs, strict), turning its
 * exceptions into a `UsageError` that names the command.
 */
export function parseFlags(
  command: string,
  args: string[],
  options: FlagSpec,
  { allowPositionals = false }: { allowPositionals?: boolean } = {},
): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({
      args: attachNegativeValues(args, options),
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (error) {
    const text = errorMessage(error);
    // node's messages are long and mention internals; keep the first sentence.
    const first = text.split(". ")[0]?.replace(/\.$/, "") ?? text;
    throw new UsageError(`${command}: ${first}`);
  }
}

/**
 * `--speed -1` means the value -1, but parseArgs takes `-1` for a flag and
 * answers with three lines about ambiguity. A negative number after a flag
 * that takes a value is joined to it (`--speed=-1`), so the flag's own check
 * says what is wrong with the value.
 */
function attachNegativeValues(args: string[], options: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const takesValue = arg.startsWith("--") && options[arg.slice(2)]?.type === "string";
    if (takesValue && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** How every usage error ends: where the command's flags are listed. */
export function helpHint(command: string): string {
  return `run 'deno task ${command} --help' for usage`;
}

/** Reads an integer flag within [min, max], or throws a UsageError naming the flag. */
export function intFlag(
  command: string,
  name: string,
  raw: unknown,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!/^-?\d+$/.test(text)) {
    throw new UsageError(`${command}: --${name} must be a whole number, got '${text}'`);
  }
  const value = Number(text);
  if (value < min || value > max) {
    throw new UsageError(`${command}: --${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** Reads a size flag ("150 MB", "2GiB", bytes) of at least `min` bytes, or throws a UsageError. */
export function bytesFlag(
  command: string,
  name: string,
  raw: unknown,
  { min }: { min: number },
): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    throw new UsageError(
      `${command}: --${name} must be a size such as 150MB, 2GB, 512MiB or a number of bytes, got '${text}'`,
    );
  }
  if (bytes < min) {
    throw new UsageError(`${command}: --${name} must be at least ${formatBytes(min)}, got ${text}`);
  }
  return bytes;
}
