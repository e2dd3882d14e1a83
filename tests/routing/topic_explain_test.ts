import { deepStrictEqual as assertEquals } from "node:assert/strict";
import fc from "fast-check";
import { explainTopic } from "../../src/routing/topic_explain.ts";
import { topicMatches } from "../../src/routing/topic_matcher.ts";

Deno.test("explainTopic(): the lesson's patterns, word by word", async (t) => {
  for (
    const [pattern, key, matches, steps] of [
      ["*.orange.*", "quick.orange.rabbit", true, [
        "'*' takes 'quick' (exactly one word)",
        "'orange' equals 'orange'",
        "'*' takes 'rabbit' (exactly one word)",
      ]],
      ["lazy.#", "lazy.orange.male.rabbit", true, [
        "'lazy' equals 'lazy'",
        "'#' takes 'orange.male.rabbit'",
      ]],
      ["#", "", true, ["'#' takes no word"]],
      ["*.*.rabbit", "lazy.brown.fox", false, ["word 3: 'fox' is not 'rabbit'"]],
      ["*.orange.*", "lazy.orange.male.rabbit", false, [
        "the pattern has 3 words and the key 4; without '#' they must be as many ('*' is exactly one word)",
      ]],
      ["a.#.b", "a", false, [
        "the key has 1 words, fewer than the 2 the pattern needs besides '#'",
      ]],
    ] as const
  ) {
    await t.step(`${pattern} vs ${key}`, () => {
      assertEquals(explainTopic(pattern, key), { matches, steps: [...steps] });
    });
  }
});

Deno.test("explainTopic()'s verdict is the broker's matcher's, for any pattern and key", () => {
  const word = fc.constantFrom("a", "b", "*", "#", "");
  const keyWord = fc.constantFrom("a", "b", "");
  fc.assert(
    fc.property(fc.array(word, { maxLength: 5 }), fc.array(keyWord, { maxLength: 5 }), (p, k) => {
      const pattern = p.join(".");
      const key = k.join(".");
      const explained = explainTopic(pattern, key);
      assertEquals(explained.matches, topicMatches(pattern, key));
      assertEquals(explained.steps.length > 0 || pattern === "", true);
    }),
  );
});
