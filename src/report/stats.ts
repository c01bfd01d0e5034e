/** Mean, sample standard deviation and Spearman's rank correlation for the paper tables. */

export function mean(xs: number[]): number {
  if (xs.length === 0) throw new Error('mean: needs at least one value (got none)');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Ranks 1..n, ties sharing their average rank (the usual convention for Spearman's rho). */
export function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const out = new Array<number>(xs.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.x === order[start]!.x) end++;
    const avg = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) out[order[k]!.i] = avg;
    start = end + 1;
  }
  return out;
}

/**
 * Spearman's rho: the Pearson correlation of the ranks. null with fewer than 3 pairs or when
 * either side is constant (no ranking to compare).
 */
export function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new Error(`spearman: xs and ys differ in length (got ${xs.length} and ${ys.length})`);
  if (xs.length < 3) return null;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mx = mean(rx);
  const my = mean(ry);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}
