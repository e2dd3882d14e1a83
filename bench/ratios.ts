/**
 * The sockets bench's statistics: quantiles, the geometric mean, and the
 * rounds' ratios taken two by two (one round of each order).
 */

/** The value below which a fraction `q` of `xs` lie (nearest rank). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
}

export const median = (xs: number[]): number => quantile(xs, 0.5);

export const round2 = (x: number): number => Math.round(x * 100) / 100;

/** Geometric mean. */
export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
}

/**
 * The rounds' ratios two by two (rounds alternate which side goes first):
 * going first or second in a round is worth 10-30% on this machine, in a
 * direction that changes from run to run, so only a pair of rounds, one of
 * each order, compares the two (geometric mean of the two).
 */
export function ratioPerRoundPair(ratios: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < ratios.length; i += 2) out.push(geomean([ratios[i]!, ratios[i + 1]!]));
  return out.length > 0 ? out : ratios;
}
