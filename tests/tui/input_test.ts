/**
 * pumpInput(): raw input chunks to key events, with the lone-Escape timer
 * driven by a fake clock.
 */
import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { type InputEvent, makeKey } from "../../src/tui/keys.ts";
import { pumpInput } from "../../src/tui/input.ts";
import { fakeClock } from "./support/fake_clock.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const k = makeKey;
const ctrl = (key: string) => makeKey(key, { ctrl: true });

Deno.test("pumpInput() delivers a lone Escape when its timer fires, before later keys", async () => {
  const clock = fakeClock();
  const batches: InputEvent[][] = [];
  async function* chunks() {
    yield bytes("\x1b");
    clock.advance(29);
    strictEqual(batches.length, 0, "not yet at 29 ms");
    clock.advance(1);
    yield bytes("a");
  }
  await pumpInput({ chunks: chunks(), onEvents: (evs) => batches.push(evs), ...clock });
  deepStrictEqual(batches, [[k("escape")], [k("a")]]);
  strictEqual(clock.armed, 0, "no timer left behind");
});

Deno.test("pumpInput() joins a sequence split across reads within the timeout", async () => {
  const clock = fakeClock();
  const batches: InputEvent[][] = [];
  async function* chunks() {
    yield bytes("\x1b");
    clock.advance(10);
    yield bytes("[");
    clock.advance(10);
    yield bytes("1;5A");
  }
  await pumpInput({ chunks: chunks(), onEvents: (evs) => batches.push(evs), ...clock });
  deepStrictEqual(batches, [[ctrl("up")]]);
});

Deno.test("pumpInput() emits what is pending when the input ends", async () => {
  const clock = fakeClock();
  const batches: InputEvent[][] = [];
  async function* chunks() {
    yield bytes("x\x1b");
  }
  await pumpInput({ chunks: chunks(), onEvents: (evs) => batches.push(evs), ...clock });
  deepStrictEqual(batches, [[k("x")], [k("escape")]]);
});
