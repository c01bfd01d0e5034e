/** Test helpers: random symmetric matrices with known spectra, built from Householder reflections. */
import { Rng } from '../../src/io/rng.ts';

/** Q diag(values) Q^T for a random orthogonal Q (product of `reflections` Householder reflections). */
export function withSpectrum(values: number[], rng: Rng, reflections = 4): Float64Array {
  const n = values.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = values[i];
  const v = new Float64Array(n);
  for (let r = 0; r < reflections; r++) {
    let vv = 0;
    for (let i = 0; i < n; i++) { v[i] = rng.normal(); vv += v[i] * v[i]; }
    reflectBothSides(a, v, 2 / vv, n);
  }
  return a;
}

/** A <- H A H with H = I - beta v v^T. */
function reflectBothSides(a: Float64Array, v: Float64Array, beta: number, n: number): void {
  const tmp = new Float64Array(n);
  for (let i = 0; i < n; i++) { // rows: A <- A - beta v (v^T A)
    let s = 0;
    for (let k = 0; k < n; k++) s += v[k] * a[k * n + i];
    tmp[i] = s;
  }
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) a[k * n + i] -= beta * v[k] * tmp[i];
  for (let k = 0; k < n; k++) { // columns: A <- A - beta (A v) v^T
    let s = 0;
    for (let i = 0; i < n; i++) s += a[k * n + i] * v[i];
    for (let i = 0; i < n; i++) a[k * n + i] -= beta * s * v[i];
  }
}

/** Same random rotation applied to two spectra: commuting matrices with known joint eigenvalues. */
export function commutingPair(da: number[], db: number[], seed: number): [Float64Array, Float64Array] {
  return [withSpectrum(da, new Rng(seed)), withSpectrum(db, new Rng(seed))];
}

export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}
