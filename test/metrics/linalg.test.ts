import test from 'ava';
import { symmetricEigenvalues, pivotedCholesky, traceSqrtProduct } from '../../src/metrics/linalg.ts';
import { Rng } from '../../src/io/rng.ts';
import { withSpectrum, commutingPair, relDiff } from './_linalg-helpers.ts';

function spectrum(n: number, rng: Rng, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform());
}

for (const n of [1, 2, 3, 17, 64]) {
  test(`symmetricEigenvalues n=${n} recovers a known spectrum (mixed signs, repeats)`, (t) => {
    const rng = new Rng(100 + n);
    const values = spectrum(n, rng, -3, 5);
    if (n > 3) { values[1] = values[0]; values[2] = 0; } // a repeated and a zero eigenvalue
    const got = symmetricEigenvalues(withSpectrum(values, rng), n);
    const want = [...values].sort((a, b) => a - b);
    for (let i = 0; i < n; i++) t.true(Math.abs(got[i] - want[i]) < 1e-12 * 5, `i=${i} got ${got[i]} want ${want[i]}`);
  });
}

test('symmetricEigenvalues reads only the lower triangle', (t) => {
  const a = withSpectrum([1, 2, 3, 4], new Rng(7));
  const b = a.slice();
  b[0 * 4 + 3] = 99; b[1 * 4 + 2] = -5; // garbage above the diagonal
  t.deepEqual(symmetricEigenvalues(b, 4), symmetricEigenvalues(a, 4));
});

test('symmetricEigenvalues rejects a wrong size', (t) => {
  t.throws(() => symmetricEigenvalues(new Float64Array(5), 2), { message: /need 2x2 values \(got 5\)/ });
});

test('pivotedCholesky n=12 rank=5: P L L^T P^T reproduces A and the rank is found', (t) => {
  const rng = new Rng(3);
  const values = [0, 0, 0, 0, 0, 0, 0, 2, 0.5, 7, 1e-3, 4];
  const n = values.length;
  const a = withSpectrum(values, rng);
  const { l, perm, rank } = pivotedCholesky(a, n);
  t.is(rank, 5);
  let maxErr = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += (k <= i ? l[i * n + k] : 0) * (k <= j ? l[j * n + k] : 0);
      maxErr = Math.max(maxErr, Math.abs(s - a[perm[i] * n + perm[j]]));
    }
  }
  t.true(maxErr < 1e-12, `max reconstruction error ${maxErr}`);
});

test('traceSqrtProduct n=40: commuting PSD pair gives sum sqrt(a_i b_i)', (t) => {
  const rng = new Rng(11);
  const da = spectrum(40, rng, 0.01, 3);
  const db = spectrum(40, rng, 0.01, 3);
  const [a, b] = commutingPair(da, db, 12);
  const want = da.reduce((s, x, i) => s + Math.sqrt(x * db[i]), 0);
  t.true(relDiff(traceSqrtProduct(a, b, 40), want) < 1e-12);
});

test('traceSqrtProduct n=30: singular A (rank 10) still matches the commuting formula', (t) => {
  const rng = new Rng(21);
  const da = spectrum(30, rng, 0.1, 2).map((x, i) => (i % 3 === 0 ? x : 0));
  const db = spectrum(30, rng, 0.1, 2);
  const [a, b] = commutingPair(da, db, 22);
  const want = da.reduce((s, x, i) => s + Math.sqrt(x * db[i]), 0);
  t.true(relDiff(traceSqrtProduct(a, b, 30), want) < 1e-7); // dropped null space costs ~sqrt(eps)
  t.is(traceSqrtProduct(new Float64Array(900), b, 30), 0);
});

test('traceSqrtProduct n=2: non-commuting pair matches sqrt(tr M + 2 sqrt(det M)), M = A B', (t) => {
  const a = Float64Array.from([2, 0.7, 0.7, 1]);
  const b = Float64Array.from([0.5, -0.2, -0.2, 3]);
  const m = [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
  const want = Math.sqrt(m[0] + m[3] + 2 * Math.sqrt(m[0] * m[3] - m[1] * m[2]));
  t.true(relDiff(traceSqrtProduct(a, b, 2), want) < 1e-14);
  t.true(relDiff(traceSqrtProduct(b, a, 2), want) < 1e-14);
});

test('traceSqrtProduct n=8: non-commuting pair matches a Denman-Beavers sqrtm of A B', (t) => {
  const rng = new Rng(5);
  const n = 8;
  const a = withSpectrum(spectrum(n, rng, 0.2, 4), rng);
  const b = withSpectrum(spectrum(n, rng, 0.2, 4), rng);
  const want = trace(denmanBeaversSqrtm(matmul(a, b, n), n), n);
  t.true(relDiff(traceSqrtProduct(a, b, n), want) < 1e-11);
});

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

function trace(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i * n + i];
  return s;
}

function inverse(a: Float64Array, n: number): Float64Array {
  const m = a.slice();
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    for (let j = 0; j < n; j++) {
      [m[c * n + j], m[p * n + j]] = [m[p * n + j], m[c * n + j]];
      [inv[c * n + j], inv[p * n + j]] = [inv[p * n + j], inv[c * n + j]];
    }
    const d = m[c * n + c];
    for (let j = 0; j < n; j++) { m[c * n + j] /= d; inv[c * n + j] /= d; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      for (let j = 0; j < n; j++) { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j]; }
    }
  }
  return inv;
}

/** Y -> sqrt(M), Z -> sqrt(M)^-1 (valid for M with positive real eigenvalues). */
function denmanBeaversSqrtm(m: Float64Array, n: number): Float64Array {
  let y = m.slice();
  let z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let it = 0; it < 60; it++) {
    const yi = inverse(y, n);
    const zi = inverse(z, n);
    y = y.map((v, i) => 0.5 * (v + zi[i]));
    z = z.map((v, i) => 0.5 * (v + yi[i]));
  }
  return y;
}
