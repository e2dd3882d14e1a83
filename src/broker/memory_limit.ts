/**
 * Which memory limit applies: `--memory-limit`, or RabbitMQ's default of 40%
 * of the machine's memory, and in either case never more than a share of
 * V8's heap limit. The limit is compared with what the whole process uses
 * (RSS), which is never less than the JS heap, so a broker that stays under
 * it cannot die of "Ineffective mark-compacts near heap limit" (14 million
 * small messages did, with the old limit of 40% of a 24 GB machine against a
 * 4 GB heap).
 */
import v8 from "node:v8";
import { formatBytes } from "../cli/byte_size.ts";

/** RabbitMQ's vm_memory_high_watermark default. */
export const SYSTEM_SHARE = 0.4;
/**
 * The share of V8's heap limit the memory limit may reach. The heap limit
 * includes the young generation, which old objects cannot use, and a heap
 * close to its limit spends its time in mark-compacts: 60% leaves room for
 * both and for what arrives between two memory samples.
 */
export const HEAP_SHARE = 0.6;
/** When the machine's memory cannot be read (RabbitMQ assumes 1 GB too). */
const UNKNOWN_SYSTEM_MEMORY = 1024 * 1024 * 1024;

export interface MemoryLimit {
  /** The limit in force, in bytes. */
  readonly bytes: number;
  /** What was asked for: `--memory-limit`'s bytes, or the default's. */
  readonly requested: number;
  /** Whether `requested` came from the user. */
  readonly explicit: boolean;
  readonly systemTotal: number;
  /** V8's heap limit (`heap_size_limit`). */
  readonly heapLimit: number;
  /** The heap's share capped the request. */
  readonly capped: boolean;
}

export interface MemoryLimitInput {
  /** `--memory-limit` in bytes; the default (40% of `systemTotal`) when undefined. */
  requested?: number;
  systemTotal?: number;
  heapLimit?: number;
}

export function resolveMemoryLimit(input: MemoryLimitInput = {}): MemoryLimit {
  const systemTotal = input.systemTotal ?? readSystemMemory();
  const heapLimit = input.heapLimit ?? readHeapLimit();
  const explicit = input.requested !== undefined;
  const requested = input.requested ?? Math.floor(systemTotal * SYSTEM_SHARE);
  const cap = Math.floor(heapLimit * HEAP_SHARE);
  return {
    bytes: Math.min(requested, cap),
    requested,
    explicit,
    systemTotal,
    heapLimit,
    capped: requested > cap,
  };
}

export function readSystemMemory(): number {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return UNKNOWN_SYSTEM_MEMORY;
  }
}

/** V8's heap limit for this isolate (`--max-old-space-size` plus the young generation). */
export function readHeapLimit(): number {
  return v8.getHeapStatistics().heap_size_limit;
}

/** The start-up line: the limit, where it comes from, and what the broker uses now. */
export function describeMemoryLimit(limit: MemoryLimit, usedNow: number): string {
  const asked = limit.explicit
    ? `--memory-limit ${formatBytes(limit.requested)}`
    : `${SYSTEM_SHARE * 100}% of ${formatBytes(limit.systemTotal)} RAM`;
  const why = limit.capped
    ? `: ${asked} (${formatBytes(limit.requested)}) is more than ${HEAP_SHARE * 100}% of ` +
      `V8's heap limit of ${formatBytes(limit.heapLimit)} ` +
      `(raise it with --v8-flags=--max-old-space-size=MB)`
    : ` (${asked})`;
  const over = usedNow > limit.bytes ? ", already above it: every publisher is blocked" : "";
  return `memory limit: ${formatBytes(limit.bytes)}${why}; using ${
    formatBytes(usedNow)
  } now${over}`;
}
