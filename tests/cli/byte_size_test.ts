/** Sizes on the command line, as RabbitMQ's memory settings write them. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatBytes, parseByteSize } from "../../src/cli/byte_size.ts";

Deno.test("parseByteSize() reads bytes, decimal and binary units, with or without a space", async (t) => {
  const cases: [string, number | undefined][] = [
    ["1048576", 1048576],
    ["150MB", 150e6],
    ["150 MB", 150e6],
    ["2gb", 2e9],
    ["1.5 GB", 1.5e9],
    ["512MiB", 512 * 2 ** 20],
    ["1 GiB", 2 ** 30],
    ["12x", undefined],
    ["MB", undefined],
    ["-5MB", undefined],
    ["", undefined],
  ];
  for (const [text, bytes] of cases) {
    await t.step(JSON.stringify(text), () => assertEquals(parseByteSize(text), bytes));
  }
});

Deno.test("formatBytes() prints decimal units", () => {
  assertEquals(
    [formatBytes(150e6), formatBytes(2.5e9), formatBytes(999), formatBytes(48_812_000)],
    ["150 MB", "2.5 GB", "999 B", "48.8 MB"],
  );
});
