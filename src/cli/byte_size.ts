/**
 * Sizes in bytes as people write them on a command line ("150 MB", "2GiB",
 * "1048576") and as we print them back. Units follow RabbitMQ's memory
 * settings: kB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB are powers
 * of 1024; a bare number is bytes.
 */

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** "150 MB" -> 150000000; undefined when the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = UNITS[(m[2] || "b").toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 150000000 -> "150 MB", 2500000000 -> "2.5 GB" (decimal units, as parsed above). */
export function formatBytes(bytes: number): string {
  const steps: [number, string][] = [[1e12, "TB"], [1e9, "GB"], [1e6, "MB"], [1e3, "kB"]];
  for (const [size, unit] of steps) {
    if (Math.abs(bytes) >= size) {
      const n = bytes / size;
      return `${n >= 100 ? Math.round(n) : Math.round(n * 10) / 10} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}
