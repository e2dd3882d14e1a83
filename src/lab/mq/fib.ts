/**
 * What the RPC server computes: fib(n) for an integer 0 <= n <= 90, exact
 * (BigInt: fib(90) = 2880067194370816120 is past 2^53), and the request
 * text it accepts. Anything else is an error reply, never a crash; nothing
 * in a message is ever executed.
 */

export const FIB_MAX = 90;

/** fib(0) = 0, fib(1) = 1, fib(n) = fib(n-1) + fib(n-2), iteratively. */
export function fib(n: number): bigint {
  let a = 0n, b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}

/** A request body (`30`) as its answer, or the reason it has none. */
export function answerRequest(body: string): { ok: true; value: string } | {
  ok: false;
  error: string;
} {
  const text = body.trim();
  if (!/^[+-]?\d{1,6}$/.test(text)) {
    return { ok: false, error: `not an integer: ${JSON.stringify(body.slice(0, 40))}` };
  }
  const n = Number(text);
  if (n < 0 || n > FIB_MAX) return { ok: false, error: `n must be 0 to ${FIB_MAX}, got ${n}` };
  return { ok: true, value: fib(n).toString() };
}
