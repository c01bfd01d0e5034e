/**
 * Kernel Inception Distance (Binkowski et al. 2018), as the official
 * `metrics/kernel_inception_distance.py`: the unbiased MMD^2 estimator with the cubic polynomial
 * kernel k(x, y) = (x.y / n + 1)^3 (n = feature dimension), averaged over `numSubsets` random subsets
 * of m = min(N_real, N_gen, maxSubsetSize) items drawn without replacement from each side:
 *   t += (sum(Kxx + Kyy) - trace(Kxx + Kyy)) / (m - 1) - 2 sum(Kxy) / m
 *   kid = t / numSubsets / m
 * The draws come from our seeded Rng (gen subset first, then real, as the official loop), so the
 * value is reproducible but not numpy's stream.
 */
import { Rng } from '../io/rng.ts';

/** Row-major float32 features [rows, dim]. */
export interface FeatureMatrix {
  data: Float32Array;
  rows: number;
  dim: number;
}

/** a b^T for a [ra, dim], b [rb, dim] -> [ra, rb] row-major. A fast backend (tfjs matMul) may replace it. */
export type GramFn = (a: Float32Array, ra: number, b: Float32Array, rb: number, dim: number) => Float32Array | Float64Array;

export interface KidOptions {
  numSubsets?: number;     // 100 officially
  maxSubsetSize?: number;  // 1000 officially
  seed?: number;
  gram?: GramFn;
  /** Precompute the full kernels once when Ng^2 + Nr^2 + Ng*Nr is at most this many values. */
  cacheLimit?: number;
}

export function kernelInceptionDistance(real: FeatureMatrix, gen: FeatureMatrix, opts: KidOptions = {}): number {
  const numSubsets = opts.numSubsets ?? 100;
  const maxSubsetSize = opts.maxSubsetSize ?? 1000;
  const gram = opts.gram ?? gramF64;
  const n = real.dim;
  if (gen.dim !== n) throw new Error(`kernelInceptionDistance: feature dimensions differ (got real ${n}, gen ${gen.dim})`);
  const m = Math.min(real.rows, gen.rows, maxSubsetSize);
  if (m < 2) throw new Error(`kernelInceptionDistance: need at least 2 items per side (got real ${real.rows}, gen ${gen.rows})`);
  const rng = new Rng(opts.seed ?? 0);
  const kernel = (dot: number) => { const v = dot / n + 1; return v * v * v; };
  const sizes = gen.rows * gen.rows + real.rows * real.rows + gen.rows * real.rows;
  const subsetSums = sizes <= (opts.cacheLimit ?? 12_000_000)
    ? cachedSubsetSums(real, gen, gram, kernel)
    : directSubsetSums(real, gen, gram, kernel);
  let t = 0;
  for (let s = 0; s < numSubsets; s++) {
    const x = rng.choice(gen.rows, m);
    const y = rng.choice(real.rows, m);
    const { offDiagA, sumB } = subsetSums(x, y);
    t += offDiagA / (m - 1) - (sumB * 2) / m;
  }
  return t / numSubsets / m;
}

type SubsetSums = (x: Int32Array, y: Int32Array) => { offDiagA: number; sumB: number };

/** Full kernels of both sets computed once; each subset is then index lookups. */
function cachedSubsetSums(real: FeatureMatrix, gen: FeatureMatrix, gram: GramFn, kernel: (d: number) => number): SubsetSums {
  const kxx = Float64Array.from(gram(gen.data, gen.rows, gen.data, gen.rows, gen.dim), kernel);
  const kyy = Float64Array.from(gram(real.data, real.rows, real.data, real.rows, real.dim), kernel);
  const kxy = Float64Array.from(gram(gen.data, gen.rows, real.data, real.rows, real.dim), kernel);
  return (x, y) => {
    const m = x.length;
    let offDiagA = 0;
    let sumB = 0;
    for (let i = 0; i < m; i++) {
      const rx = x[i] * gen.rows;
      const ry = y[i] * real.rows;
      const rxy = x[i] * real.rows;
      for (let j = 0; j < m; j++) {
        if (j !== i) offDiagA += kxx[rx + x[j]] + kyy[ry + y[j]];
        sumB += kxy[rxy + y[j]];
      }
    }
    return { offDiagA, sumB };
  };
}

/** Gathers each subset and computes its three m x m kernels (the official cost: 3 m^2 dim per subset). */
function directSubsetSums(real: FeatureMatrix, gen: FeatureMatrix, gram: GramFn, kernel: (d: number) => number): SubsetSums {
  return (x, y) => {
    const m = x.length;
    const xs = gatherRows(gen, x);
    const ys = gatherRows(real, y);
    const kxx = gram(xs, m, xs, m, gen.dim);
    const kyy = gram(ys, m, ys, m, real.dim);
    const kxy = gram(xs, m, ys, m, real.dim);
    let offDiagA = 0;
    let sumB = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (j !== i) offDiagA += kernel(kxx[i * m + j]) + kernel(kyy[i * m + j]);
        sumB += kernel(kxy[i * m + j]);
      }
    }
    return { offDiagA, sumB };
  };
}

function gatherRows(f: FeatureMatrix, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * f.dim);
  for (let i = 0; i < idx.length; i++) out.set(f.data.subarray(idx[i] * f.dim, (idx[i] + 1) * f.dim), i * f.dim);
  return out;
}

/** Pure-TS a b^T with float64 accumulation; symmetric when a and b are the same array. */
export function gramF64(a: Float32Array, ra: number, b: Float32Array, rb: number, dim: number): Float64Array {
  const out = new Float64Array(ra * rb);
  const same = a === b && ra === rb;
  for (let i = 0; i < ra; i++) {
    const oa = i * dim;
    for (let j = same ? i : 0; j < rb; j++) {
      const ob = j * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < dim; k += 4) {
        s0 += a[oa + k] * b[ob + k];
        s1 += a[oa + k + 1] * b[ob + k + 1];
        s2 += a[oa + k + 2] * b[ob + k + 2];
        s3 += a[oa + k + 3] * b[ob + k + 3];
      }
      for (; k < dim; k++) s0 += a[oa + k] * b[ob + k];
      const s = s0 + s1 + s2 + s3;
      out[i * rb + j] = s;
      if (same) out[j * rb + i] = s;
    }
  }
  return out;
}
