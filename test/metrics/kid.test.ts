import test from 'ava';
import { kernelInceptionDistance, gramF64, type FeatureMatrix } from '../../src/metrics/kid.ts';
import { Rng } from '../../src/io/rng.ts';
import { relDiff } from './_linalg-helpers.ts';

function gaussianSet(rows: number, dim: number, seed: number, shift = 0): FeatureMatrix {
  const rng = new Rng(seed);
  const data = Float32Array.from({ length: rows * dim }, (_, i) => rng.normal() + shift * ((i % dim) % 2 === 0 ? 1 : -1));
  return { data, rows, dim };
}

/** The unbiased MMD^2 with k = (x.y/n + 1)^3 over all items, written out directly in float64. */
function directMmd(x: FeatureMatrix, y: FeatureMatrix): number {
  const n = x.dim;
  const k = (a: FeatureMatrix, i: number, b: FeatureMatrix, j: number) => {
    let d = 0;
    for (let c = 0; c < n; c++) d += a.data[i * n + c] * b.data[j * n + c];
    return (d / n + 1) ** 3;
  };
  const m = x.rows;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i !== j) { sxx += k(x, i, x, j); syy += k(y, i, y, j); }
      sxy += k(x, i, y, j);
    }
  }
  return (sxx + syy) / (m * (m - 1)) - (2 * sxy) / (m * m);
}

test('N=m=24 dim=6: every subset is the whole set, so KID equals the direct unbiased MMD^2', (t) => {
  const real = gaussianSet(24, 6, 1);
  const gen = gaussianSet(24, 6, 2, 0.3);
  const want = directMmd(gen, real);
  t.true(relDiff(kernelInceptionDistance(real, gen, { numSubsets: 3 }), want) < 1e-12);
  t.true(relDiff(kernelInceptionDistance(real, gen, { numSubsets: 3, cacheLimit: 0 }), want) < 1e-12);
});

test('Nr=40 Ng=30 m=10: cached-kernel and per-subset paths agree; the seed makes it reproducible', (t) => {
  const real = gaussianSet(40, 8, 3);
  const gen = gaussianSet(30, 8, 4, 0.2);
  const opts = { numSubsets: 20, maxSubsetSize: 10, seed: 9 };
  const cached = kernelInceptionDistance(real, gen, opts);
  const direct = kernelInceptionDistance(real, gen, { ...opts, cacheLimit: 0 });
  t.true(relDiff(cached, direct) < 1e-12);
  t.is(kernelInceptionDistance(real, gen, opts), cached);
  t.not(kernelInceptionDistance(real, gen, { ...opts, seed: 10 }), cached);
});

test('KID is ~0 for two samples of one distribution and grows with a mean shift (0 < 0.25 < 0.5 < 1)', (t) => {
  const real = gaussianSet(200, 16, 5);
  const kids = [0, 0.25, 0.5, 1].map((shift) => kernelInceptionDistance(real, gaussianSet(200, 16, 6, shift), { numSubsets: 10, maxSubsetSize: 100, seed: 1 }));
  // The unbiased estimator fluctuates around 0 (here by ~0.015); the smallest shift is >10x that.
  t.true(Math.abs(kids[0]) < 0.1 * kids[1], `kids ${kids}`);
  for (let i = 2; i < kids.length; i++) t.true(kids[i] > 2 * kids[i - 1], `kids ${kids}`);
});

test('gramF64 equals plain dot products (symmetric and rectangular)', (t) => {
  const a = gaussianSet(5, 7, 7), b = gaussianSet(3, 7, 8);
  const g = gramF64(a.data, 5, b.data, 3, 7);
  const s = gramF64(a.data, 5, a.data, 5, 7);
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 3; j++) {
      let d = 0;
      for (let c = 0; c < 7; c++) d += a.data[i * 7 + c] * b.data[j * 7 + c];
      t.true(Math.abs(g[i * 3 + j] - d) < 1e-12);
    }
    for (let j = 0; j < 5; j++) t.is(s[i * 5 + j], s[j * 5 + i]);
  }
});

test('errors: dimension mismatch and too few items', (t) => {
  t.throws(() => kernelInceptionDistance(gaussianSet(4, 3, 1), gaussianSet(4, 2, 1)), { message: 'kernelInceptionDistance: feature dimensions differ (got real 3, gen 2)' });
  t.throws(() => kernelInceptionDistance(gaussianSet(1, 3, 1), gaussianSet(4, 3, 1)), { message: 'kernelInceptionDistance: need at least 2 items per side (got real 1, gen 4)' });
});
