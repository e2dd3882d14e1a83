/** The sockets bench's statistics: an estimate must not depend on which side went first. */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { geomean, quantile, ratioPerRoundPair } from "../../bench/ratios.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

Deno.test("geomean: of 2 and 8 is 4; of equal values, the value", () => {
  assert(close(geomean([2, 8]), 4));
  assert(close(geomean([0.9, 0.9, 0.9]), 0.9));
});

Deno.test("ratioPerRoundPair: an order effect that flips each round cancels out", () => {
  // the model is 0.9x the reference; going second costs 20% to whichever goes second
  const rounds = [0.9 * 0.8, 0.9 / 0.8, 0.9 * 0.8, 0.9 / 0.8];
  const pairs = ratioPerRoundPair(rounds);
  assertEquals(pairs.length, 2);
  for (const p of pairs) assert(close(p, 0.9), `${p}`);
  // a median of the rounds themselves would land on either mode, not on 0.9
  assert(!close(quantile(rounds, 0.5), 0.9));
});

Deno.test("ratioPerRoundPair: an odd last round is left out; a single round stands alone", () => {
  assertEquals(ratioPerRoundPair([1, 1, 5]).length, 1);
  assertEquals(ratioPerRoundPair([0.7]), [0.7]);
});

Deno.test("quantile: nearest rank", () => {
  assertEquals(quantile([5, 1, 4, 2, 3], 0.5), 3);
  assertEquals(quantile([5, 1, 4, 2, 3], 0.25), 2);
  assertEquals(quantile([], 0.5), 0);
});
