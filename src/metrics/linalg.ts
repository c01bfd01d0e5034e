/**
 * Float64 dense linear algebra for the Fréchet distance, in plain TypeScript (no tfjs: float32
 * is not enough for FID's cancellation, and the official code does this part in numpy float64).
 *
 * Matrices are row-major Float64Array of n*n values. The kernels keep their innermost loops on
 * contiguous rows, which is what makes n = 2048 (Inception pool3) practical in JS.
 */

const EPS = 2 ** -52;

/**
 * Eigenvalues of a symmetric matrix (ascending). Only the lower triangle of `a` is read.
 *
 * 1. Householder tridiagonalisation on the lower triangle (4/3 n^3 flops): for each column k,
 *    reflect x = A[k+1:, k] onto alpha * e1 and apply the reflection to the trailing block as a
 *    symmetric rank-2 update A -= v q^T + q v^T.
 * 2. Implicit QL with Wilkinson shifts on the tridiagonal (d, e) (O(n^2), values only).
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`symmetricEigenvalues: need ${n}x${n} values (got ${a.length})`);
  const w = a.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n); // e[k] couples k and k+1; e[n-1] = 0
  tridiagonalize(w, n, d, e);
  tridiagonalQl(d, e);
  return d.sort();
}

function tridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const o = k + 1; // the trailing block starts at row/column o and has size m
    const m = n - o;
    d[k] = w[k * n + k];
    let sigma = 0;
    for (let i = 0; i < m; i++) {
      v[i] = w[(o + i) * n + k];
      sigma += v[i] * v[i];
    }
    if (sigma === 0) {
      e[k] = 0; // column already reduced
      continue;
    }
    const x0 = v[0];
    const alpha = x0 >= 0 ? -Math.sqrt(sigma) : Math.sqrt(sigma);
    v[0] = x0 - alpha;
    const beta = 1 / (sigma - x0 * alpha); // = 2 / (v.v)
    e[k] = alpha;
    // p = beta * S v, reading each lower-triangle element once for both of its positions.
    p.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (o + i) * n + o;
      const vi = v[i];
      let s = 0;
      for (let j = 0; j < i; j++) {
        const aij = w[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + w[row + i] * vi;
    }
    let vp = 0;
    for (let i = 0; i < m; i++) {
      p[i] *= beta;
      vp += v[i] * p[i];
    }
    const kk = 0.5 * beta * vp;
    for (let i = 0; i < m; i++) p[i] -= kk * v[i]; // p now holds q
    for (let i = 0; i < m; i++) {
      const row = (o + i) * n + o;
      const vi = v[i];
      const qi = p[i];
      for (let j = 0; j <= i; j++) w[row + j] -= vi * p[j] + qi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = w[(n - 2) * n + n - 2];
    e[n - 2] = w[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = w[(n - 1) * n + n - 1];
  if (n >= 1) e[n - 1] = 0;
}

/** Implicit QL on the symmetric tridiagonal (d, e); d receives the eigenvalues (unsorted). */
function tridiagonalQl(d: Float64Array, e: Float64Array): void {
  const n = d.length;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > EPS * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 100) throw new Error(`symmetricEigenvalues: QL did not converge at l=${l} (got |e|=${Math.abs(e[l])})`);
        // Wilkinson shift from the leading 2x2 block.
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        // QL sweep from m up to l with Givens rotations.
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
        }
        p = -s * s2 * c3 * el1 * e[l] / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > EPS * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}

/** A = P L L^T P^T for a symmetric positive semi-definite A, truncated at numerical rank r. */
export interface PivotedCholesky {
  /** n x n row-major storage; row i holds L[i, 0..min(i, r-1)] of the permuted matrix. */
  l: Float64Array;
  perm: Int32Array; // row i of L belongs to row perm[i] of A
  rank: number;
}

/**
 * Pivoted (diagonal-pivoting) Cholesky of a PSD matrix, left-looking so that every inner loop is a
 * contiguous row dot product (n^3/3 flops). It stops when the largest remaining diagonal is below
 * `tol` (default n * eps * max(diag A), as LAPACK dpstrf): covariance matrices of fewer samples than
 * features are singular and a plain Cholesky would fail on them.
 */
export function pivotedCholesky(a: Float64Array, n: number, tol?: number): PivotedCholesky {
  const l = new Float64Array(n * n);
  const perm = new Int32Array(n);
  const diag = new Float64Array(n); // remaining diagonal A_ii - sum_j L_ij^2, in permuted order
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    perm[i] = i;
    diag[i] = a[i * n + i];
    maxDiag = Math.max(maxDiag, diag[i]);
  }
  const limit = tol ?? n * EPS * maxDiag;
  let rank = n;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (diag[i] > diag[piv]) piv = i;
    if (!(diag[piv] > limit)) {
      rank = k;
      break;
    }
    if (piv !== k) swapRows(l, perm, diag, n, k, piv);
    const lkk = Math.sqrt(diag[k]);
    const rowK = k * n;
    l[rowK + k] = lkk;
    const colK = perm[k];
    for (let i = k + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[perm[i] * n + colK];
      for (let j = 0; j < k; j++) s -= l[rowI + j] * l[rowK + j];
      const lik = s / lkk;
      l[rowI + k] = lik;
      diag[i] -= lik * lik;
    }
  }
  return { l, perm, rank };
}

function swapRows(l: Float64Array, perm: Int32Array, diag: Float64Array, n: number, k: number, p: number): void {
  for (let j = 0; j < k; j++) {
    const t = l[k * n + j];
    l[k * n + j] = l[p * n + j];
    l[p * n + j] = t;
  }
  const tp = perm[k]; perm[k] = perm[p]; perm[p] = tp;
  const td = diag[k]; diag[k] = diag[p]; diag[p] = td;
}

/**
 * trace(sqrtm(A @ B)) for symmetric PSD A and B, the term scipy's `sqrtm(sigma_gen @ sigma_real)`
 * contributes to FID, computed stably: with A = P L L^T P^T, A B is similar to the symmetric PSD
 * C = L^T (P^T B P) L, so the eigenvalues of A B are those of C and trace(sqrtm(A B)) = sum sqrt(lambda_i(C)).
 * Tiny negative eigenvalues (rounding) count as 0, as the real part of scipy's complex sqrt would.
 *
 * 1. pivoted Cholesky of A: L [n, r];  2. T = (P^T B P) L [n, r];  3. C = L^T T [r, r] (lower);
 * 4. eigenvalues of C;  5. sum of their square roots.
 */
export function traceSqrtProduct(a: Float64Array, b: Float64Array, n: number): number {
  if (a.length !== n * n || b.length !== n * n) throw new Error(`traceSqrtProduct: need two ${n}x${n} matrices (got ${a.length} and ${b.length} values)`);
  const { l, perm, rank: r } = pivotedCholesky(a, n);
  if (r === 0) return 0;
  const t = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    const rowB = perm[i] * n;
    const rowT = i * r;
    for (let j = 0; j < n; j++) {
      const bij = b[rowB + perm[j]];
      const rowL = j * n;
      const cEnd = Math.min(j, r - 1);
      for (let c = 0; c <= cEnd; c++) t[rowT + c] += bij * l[rowL + c];
    }
  }
  const cm = new Float64Array(r * r); // lower triangle of C
  for (let i = 0; i < n; i++) {
    const rowL = i * n;
    const rowT = i * r;
    const aEnd = Math.min(i, r - 1);
    for (let p = 0; p <= aEnd; p++) {
      const lip = l[rowL + p];
      const rowC = p * r;
      for (let q = 0; q <= p; q++) cm[rowC + q] += lip * t[rowT + q];
    }
  }
  let sum = 0;
  for (const lambda of symmetricEigenvalues(cm, r)) if (lambda > 0) sum += Math.sqrt(lambda);
  return sum;
}
