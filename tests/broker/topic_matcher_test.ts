import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { splitTopicKey, TopicMatcher, topicMatches } from "../../src/routing/topic_matcher.ts";

/** The simple reference: a pattern becomes a regex over `.word` tokens. */
function referenceMatches(pattern: string, key: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const source = splitTopicKey(pattern).map((w) =>
    w === "*" ? "\\.[^.]*" : w === "#" ? "(?:\\.[^.]*)*" : "\\." + escape(w)
  ).join("");
  const subject = splitTopicKey(key).map((w) => "." + w).join("");
  return new RegExp(`^${source}$`).test(subject);
}

const word = fc.constantFrom("a", "b", "c", "", "ab");
const keyArb = fc.array(word, { maxLength: 5 }).map((ws) => ws.join("."));
const patternArb = fc.array(fc.oneof(word, fc.constant("*"), fc.constant("#")), { maxLength: 5 })
  .map((ws) => ws.join("."));

Deno.test("topicMatches() handles the lesson's examples", () => {
  assert(topicMatches("*.orange.*", "quick.orange.rabbit"));
  assert(topicMatches("lazy.#", "lazy.orange.male.rabbit"));
  assert(topicMatches("*.*.rabbit", "quick.orange.rabbit"));
  assert(!topicMatches("*.orange.*", "quick.orange.male.rabbit"));
  assert(!topicMatches("*.*.rabbit", "orange"));
  assert(topicMatches("lazy.#", "lazy"));
  assert(topicMatches("#", ""));
  assert(!topicMatches("*", ""));
  assert(topicMatches("#.a.#", "a"));
  assert(!topicMatches("kern.*", "kern"));
});

Deno.test("topicMatches() agrees with the reference regex implementation", () => {
  fc.assert(
    fc.property(patternArb, keyArb, (pattern, key) => {
      assertEquals(
        topicMatches(pattern, key),
        referenceMatches(pattern, key),
        `${pattern} ~ ${key}`,
      );
    }),
    { numRuns: 3000 },
  );
});

Deno.test("TopicMatcher.match() returns exactly the bindings the reference matches", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(patternArb, { maxLength: 12 }),
      fc.array(keyArb, { maxLength: 6 }),
      (patterns, keys) => {
        const m = new TopicMatcher<string>();
        for (const p of patterns) m.add(p, p);
        for (const key of keys) {
          const got = [...m.match(key)].sort();
          const want = patterns.filter((p) => referenceMatches(p, key)).sort();
          assertEquals(got, want, `key ${JSON.stringify(key)}`);
        }
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("TopicMatcher.remove() forgets a binding and keeps the others", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(patternArb, { minLength: 1, maxLength: 10 }),
      keyArb,
      (patterns, key) => {
        const m = new TopicMatcher<string>();
        for (const p of patterns) m.add(p, p);
        const [gone, ...kept] = patterns;
        assert(m.remove(gone!, gone!));
        assert(!m.remove(gone!, gone!));
        assertEquals(m.size, kept.length);
        assertEquals([...m.match(key)].sort(), kept.filter((p) => referenceMatches(p, key)).sort());
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("TopicMatcher matches a key against 10 000 bindings in well under a millisecond", () => {
  const m = new TopicMatcher<number>();
  for (let i = 0; i < 10_000; i++) {
    m.add(`app${i % 100}.${i % 7 === 0 ? "*" : "svc" + (i % 50)}.${i % 3 === 0 ? "#" : "err"}`, i);
  }
  const start = performance.now();
  let matched = 0;
  for (let i = 0; i < 1000; i++) matched += m.match(`app${i % 100}.svc${i % 50}.err`).size;
  const perMatchMs = (performance.now() - start) / 1000;
  assert(matched > 0);
  assert(perMatchMs < 0.5, `match took ${perMatchMs} ms`);
});
