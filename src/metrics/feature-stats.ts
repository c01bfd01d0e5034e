/**
 * Running statistics of feature vectors, as the official `metric_utils.FeatureStats`:
 * features arrive in batches as float32 [N, D]; the mean/covariance sums are accumulated in float64
 * (`raw_mean += sum(x)`, `raw_cov += x^T x`), and at the end
 * `mean = raw_mean / N`, `cov = raw_cov / N - mean mean^T` (population covariance, divides by N).
 * With `captureAll` the float32 features are also kept (KID needs them).
 */
import { RunError } from '../errors.ts';
import type { NamedTensor } from '../io/safetensors.ts';

export interface FeatureStatsOptions {
  captureAll?: boolean;
  captureMeanCov?: boolean;
  maxItems?: number | null; // appends beyond this count are dropped, as the official class does
}

export interface MeanCov {
  mean: Float64Array; // [D]
  cov: Float64Array;  // [D, D] row-major
  numFeatures: number;
}

export class FeatureStats {
  readonly captureAll: boolean;
  readonly captureMeanCov: boolean;
  readonly maxItems: number | null;
  numItems = 0;
  numFeatures: number | null = null;
  private rawMean: Float64Array | null = null;
  private rawCov: Float64Array | null = null; // lower triangle accumulated; mirrored on read
  private chunks: Float32Array[] = [];

  constructor(opts: FeatureStatsOptions = {}) {
    this.captureAll = opts.captureAll ?? false;
    this.captureMeanCov = opts.captureMeanCov ?? false;
    this.maxItems = opts.maxItems ?? null;
  }

  isFull(): boolean {
    return this.maxItems !== null && this.numItems >= this.maxItems;
  }

  /** Appends `rows` feature vectors of length `dim` (row-major); values are rounded to float32 first. */
  append(features: Float32Array | Float64Array, dim: number): void {
    if (!Number.isInteger(dim) || dim <= 0 || features.length % dim !== 0) {
      throw new Error(`FeatureStats.append: ${features.length} values do not form rows of ${dim}`);
    }
    if (this.numFeatures !== null && dim !== this.numFeatures) {
      throw new Error(`FeatureStats.append: feature dimension changed (got ${dim}, had ${this.numFeatures})`);
    }
    let rows = features.length / dim;
    if (this.maxItems !== null) rows = Math.min(rows, Math.max(this.maxItems - this.numItems, 0));
    if (rows === 0) return;
    this.setNumFeatures(dim);
    const x = Float32Array.from(features.subarray(0, rows * dim));
    this.numItems += rows;
    if (this.captureAll) this.chunks.push(x);
    if (this.captureMeanCov) accumulate(this.rawMean!, this.rawCov!, x, rows, dim);
  }

  private setNumFeatures(dim: number): void {
    if (this.numFeatures !== null) return;
    this.numFeatures = dim;
    if (this.captureMeanCov) {
      this.rawMean = new Float64Array(dim);
      this.rawCov = new Float64Array(dim * dim);
    }
  }

  /** All captured features, [numItems, D] row-major float32. */
  getAll(): Float32Array {
    if (!this.captureAll) throw new Error('FeatureStats.getAll: created without captureAll');
    if (this.chunks.length !== 1) {
      const all = new Float32Array(this.numItems * (this.numFeatures ?? 0));
      let pos = 0;
      for (const c of this.chunks) { all.set(c, pos); pos += c.length; }
      this.chunks = [all];
    }
    return this.chunks[0] ?? new Float32Array(0);
  }

  getMeanCov(): MeanCov {
    if (!this.captureMeanCov) throw new Error('FeatureStats.getMeanCov: created without captureMeanCov');
    if (this.numItems === 0 || this.numFeatures === null) throw new RunError('FeatureStats: no features were appended (got 0 items)');
    const d = this.numFeatures;
    const n = this.numItems;
    const mean = new Float64Array(d);
    for (let i = 0; i < d; i++) mean[i] = this.rawMean![i] / n;
    const cov = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j <= i; j++) {
        const c = this.rawCov![i * d + j] / n - mean[i] * mean[j];
        cov[i * d + j] = c;
        cov[j * d + i] = c;
      }
    }
    return { mean, cov, numFeatures: d };
  }

  /** Tensors + metadata for a safetensors file: the raw float64 sums (exact) and the features. */
  toTensors(): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
    const d = this.numFeatures ?? 0;
    const tensors: Record<string, NamedTensor> = {};
    if (this.captureMeanCov && this.rawMean && this.rawCov) {
      tensors.raw_mean = { dtype: 'F64', shape: [d], data: this.rawMean };
      tensors.raw_cov = { dtype: 'F64', shape: [d, d], data: this.rawCov }; // lower triangle is authoritative
    }
    if (this.captureAll) tensors.all_features = { dtype: 'F32', shape: [this.numItems, d], data: this.getAll() };
    const metadata = {
      format: 'sg3-feature-stats',
      num_items: String(this.numItems),
      num_features: String(d),
      capture_all: String(this.captureAll),
      capture_mean_cov: String(this.captureMeanCov),
      max_items: String(this.maxItems),
    };
    return { tensors, metadata };
  }

  static fromTensors(tensors: Map<string, NamedTensor>, metadata: Record<string, string>, where = 'feature stats'): FeatureStats {
    if (metadata.format !== 'sg3-feature-stats') throw new RunError(`${where}: not a feature-stats file (got format ${metadata.format})`);
    const s = new FeatureStats({
      captureAll: metadata.capture_all === 'true',
      captureMeanCov: metadata.capture_mean_cov === 'true',
      maxItems: metadata.max_items === 'null' ? null : Number(metadata.max_items),
    });
    s.numItems = Number(metadata.num_items);
    const d = Number(metadata.num_features);
    if (s.numItems > 0) s.numFeatures = d;
    const need = (name: string, dtype: string, size: number) => {
      const t = tensors.get(name);
      if (!t || t.dtype !== dtype || t.data.length !== size) throw new RunError(`${where}: tensor ${name} missing or malformed (got ${t ? `${t.dtype} [${t.shape}]` : 'none'})`);
      return t.data;
    };
    if (s.captureMeanCov && s.numItems > 0) {
      s.rawMean = need('raw_mean', 'F64', d) as Float64Array;
      s.rawCov = need('raw_cov', 'F64', d * d) as Float64Array;
    }
    if (s.captureAll && s.numItems > 0) s.chunks = [need('all_features', 'F32', s.numItems * d) as Float32Array];
    return s;
  }
}

/** raw_mean += sum_rows x; lower(raw_cov) += x^T x, one rank-1 update per row (contiguous inner loop). */
function accumulate(rawMean: Float64Array, rawCov: Float64Array, x: Float32Array, rows: number, d: number): void {
  const row = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) row[i] = x[r * d + i];
    for (let i = 0; i < d; i++) {
      const xi = row[i];
      rawMean[i] += xi;
      if (xi === 0) continue; // ReLU features are often exactly zero
      const base = i * d;
      for (let j = 0; j <= i; j++) rawCov[base + j] += xi * row[j];
    }
  }
}
