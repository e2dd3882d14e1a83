/**
 * Why a routing key does or does not match a topic binding, word by word,
 * for the RabbitMQ panel's routing explainer. The verdict is always
 * `topicMatches()`'s, the broker's own rule; this only finds which key words
 * each pattern word took (`*` exactly one, `#` zero or more), or the first
 * word where every reading fails.
 */
import { splitTopicKey, topicMatches } from "./topic_matcher.ts";

export interface TopicExplanation {
  matches: boolean;
  /** One line per pattern word: what it took, or where it failed. */
  steps: string[];
}

export function explainTopic(pattern: string, routingKey: string): TopicExplanation {
  const p = splitTopicKey(pattern);
  const k = splitTopicKey(routingKey);
  const matches = topicMatches(pattern, routingKey);
  if (matches) {
    const taken = align(p, k, 0, 0, new Map());
    if (taken) return { matches, steps: describe(p, k, taken) };
  }
  return { matches, steps: [failure(p, k)] };
}

/** For each pattern word, how many key words it takes; undefined when nothing fits. */
function align(
  p: string[],
  k: string[],
  pi: number,
  ki: number,
  memo: Map<string, number[] | undefined>,
): number[] | undefined {
  const id = `${pi},${ki}`;
  if (memo.has(id)) return memo.get(id);
  let found: number[] | undefined;
  if (pi === p.length) {
    found = ki === k.length ? [] : undefined;
  } else if (p[pi] === "#") {
    // Fewest words first, as a person reads it.
    for (let n = 0; ki + n <= k.length && !found; n++) {
      const rest = align(p, k, pi + 1, ki + n, memo);
      if (rest) found = [n, ...rest];
    }
  } else if (ki < k.length && (p[pi] === "*" || p[pi] === k[ki])) {
    const rest = align(p, k, pi + 1, ki + 1, memo);
    if (rest) found = [1, ...rest];
  }
  memo.set(id, found);
  return found;
}

function describe(p: string[], k: string[], taken: number[]): string[] {
  let ki = 0;
  return p.map((word, i) => {
    const n = taken[i]!;
    const words = k.slice(ki, ki + n);
    ki += n;
    if (word === "#") {
      return words.length === 0 ? "'#' takes no word" : `'#' takes '${words.join(".")}'`;
    }
    if (word === "*") return `'*' takes '${words[0]}' (exactly one word)`;
    return `'${word}' equals '${words[0]}'`;
  });
}

/** Where a non-matching key fails, said in the rule's terms. */
function failure(p: string[], k: string[]): string {
  if (!p.includes("#")) {
    if (p.length !== k.length) {
      return `the pattern has ${p.length} words and the key ${k.length}; ` +
        "without '#' they must be as many ('*' is exactly one word)";
    }
    const i = p.findIndex((w, j) => w !== "*" && w !== k[j]);
    return `word ${i + 1}: '${k[i]}' is not '${p[i]}'`;
  }
  const fixed = p.filter((w) => w !== "#").length;
  if (k.length < fixed) {
    return `the key has ${k.length} words, fewer than the ${fixed} the pattern needs besides '#'`;
  }
  return "no way to give '#' zero or more words makes the other words equal";
}
