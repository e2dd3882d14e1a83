/**
 * Topic routing: a binding key is a list of words separated by `.`, where `*`
 * matches exactly one word and `#` matches zero or more words. Keys are split
 * the way RabbitMQ splits them: the empty key has zero words and `a..b` has an
 * empty middle word.
 *
 * Bindings are kept in a trie keyed by word, so matching a routing key walks
 * only the branches that can match instead of testing every binding: with
 * thousands of bindings the cost grows with the number of matching paths, not
 * with the number of bindings. The dashboard reuses `topicMatches()` to explain
 * why a key did or did not route.
 */

/** Splits a routing or binding key into words (the empty key has none). */
export function splitTopicKey(key: string): string[] {
  return key === "" ? [] : key.split(".");
}

/** Whether `routingKey` matches the binding `pattern` (one pair, no trie). */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = splitTopicKey(pattern);
  const k = splitTopicKey(routingKey);
  // Iterative matcher with backtracking to the last `#` (like glob `*`).
  let pi = 0, ki = 0, starP = -1, starK = 0;
  while (ki < k.length) {
    const word = p[pi];
    if (word === "#") {
      starP = pi++;
      starK = ki;
    } else if (word !== undefined && (word === "*" || word === k[ki])) {
      pi++;
      ki++;
    } else if (starP >= 0) {
      pi = starP + 1;
      ki = ++starK;
    } else {
      return false;
    }
  }
  while (p[pi] === "#") pi++;
  return pi === p.length;
}

class TrieNode<T> {
  children = new Map<string, TrieNode<T>>();
  star: TrieNode<T> | undefined;
  hash: TrieNode<T> | undefined;
  /** Values bound with exactly the key that ends here. */
  values = new Set<T>();

  get empty(): boolean {
    return this.values.size === 0 && this.children.size === 0 && !this.star && !this.hash;
  }
}

/** A set of (pattern, value) bindings that can be matched against routing keys. */
export class TopicMatcher<T> {
  #root = new TrieNode<T>();
  #size = 0;

  /** Number of (pattern, value) pairs held. */
  get size(): number {
    return this.#size;
  }

  /** Adds `value` under `pattern`; adding the same pair twice keeps one. */
  add(pattern: string, value: T): void {
    let node = this.#root;
    for (const word of splitTopicKey(pattern)) {
      node = this.#child(node, word, true)!;
    }
    if (!node.values.has(value)) {
      node.values.add(value);
      this.#size++;
    }
  }

  /** Removes the pair; returns whether it was there. Empty branches are pruned. */
  remove(pattern: string, value: T): boolean {
    const words = splitTopicKey(pattern);
    const path: TrieNode<T>[] = [this.#root];
    let node = this.#root;
    for (const word of words) {
      const next = this.#child(node, word, false);
      if (!next) return false;
      path.push(next);
      node = next;
    }
    if (!node.values.delete(value)) return false;
    this.#size--;
    for (let i = words.length; i > 0; i--) {
      const child = path[i]!;
      if (!child.empty) break;
      const parent = path[i - 1]!;
      const word = words[i - 1]!;
      if (word === "*") parent.star = undefined;
      else if (word === "#") parent.hash = undefined;
      else parent.children.delete(word);
    }
    return true;
  }

  /** Every value whose pattern matches `routingKey`, each once. */
  match(routingKey: string): Set<T> {
    const out = new Set<T>();
    const words = splitTopicKey(routingKey);
    // A `#` node can be entered at many word positions; remember the ones
    // already explored so chains like `#.#.#` stay linear per node.
    const seen = new Map<TrieNode<T>, Set<number>>();
    const walk = (node: TrieNode<T>, i: number): void => {
      if (i === words.length) {
        for (const v of node.values) out.add(v);
        if (node.hash) walkHash(node.hash, i);
        return;
      }
      const word = words[i]!;
      const exact = node.children.get(word);
      if (exact) walk(exact, i + 1);
      if (node.star) walk(node.star, i + 1);
      if (node.hash) walkHash(node.hash, i);
    };
    const walkHash = (hashNode: TrieNode<T>, from: number): void => {
      let done = seen.get(hashNode);
      if (!done) seen.set(hashNode, done = new Set());
      // `#` swallows words[from, j) for every j >= from.
      for (let j = from; j <= words.length; j++) {
        if (done.has(j)) continue;
        done.add(j);
        walk(hashNode, j);
      }
    };
    walk(this.#root, 0);
    return out;
  }

  #child(node: TrieNode<T>, word: string, create: boolean): TrieNode<T> | undefined {
    if (word === "*") {
      if (!node.star && create) node.star = new TrieNode();
      return node.star;
    }
    if (word === "#") {
      if (!node.hash && create) node.hash = new TrieNode();
      return node.hash;
    }
    let next = node.children.get(word);
    if (!next && create) node.children.set(word, next = new TrieNode());
    return next;
  }
}
