/**
 * Equivariance of a generator for given latents and given transforms, one per latent (what
 * `sg3 metrics --z Z --transforms T.json` runs, and how the golden eq_metric_T16 was made): per
 * row i, the official compute_equivariance_metrics step with that row as its own batch. Reports
 * the per-sample float64 error and mask sums, and the PSNR aggregated the official way.
 *
 * Transform conventions (official): translations are fractions of the image size, positive =
 * right/down; angles in radians, counter-clockwise. The input transform buffer holds the inverse:
 * M[:2, 2] = -t, or M = rotation_matrix(-angle). Values are held in float32, as torch tensors are.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { Generator } from '../nets/generator.ts';
import { rotationMatrix } from './eq-filter.ts';
import type { FloatBatch } from './eq-ops.ts';
import { equivarianceSums, psnrFromSums, type EqKind } from './equivariance.ts';
import { BufferGuard, hasInputTransform, renderWs } from './generator-adapters.ts';

export interface ExplicitTransforms {
  int_t?: [number, number][];    // integer translations, fractions of the size (whole pixels)
  frac_t?: [number, number][];   // fractional translations, fractions of the size
  rot_angle?: number[];          // rotations, radians
}

export interface ExplicitEqResult {
  psnr_db: number;               // 20 log10(2) - 10 log10(sum err / sum mask) over all rows
  err_sum_per_sample: number[];  // float64 sum over C,H,W of (ref - img)^2 * mask
  mask_sum_per_sample: number[];
  psnr_db_per_sample: number[];  // extra, not an official output
}

export type ExplicitEqResults = Partial<Record<'eqt_int' | 'eqt_frac' | 'eqr', ExplicitEqResult>>;

const KINDS = [
  { key: 'int_t', out: 'eqt_int', kind: 'int' },
  { key: 'frac_t', out: 'eqt_frac', kind: 'frac' },
  { key: 'rot_angle', out: 'eqr', kind: 'rot' },
] as const;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks T.json against `rows` latents; every problem in one RunError line. Values come back float32. */
export function parseExplicitTransforms(value: unknown, rows: number, resolution: number, where: string): ExplicitTransforms {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RunError(`${where}: must be a JSON object with int_t, frac_t and/or rot_angle (got ${JSON.stringify(value)?.slice(0, 60)})`);
  const obj = value as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(obj).filter((k) => !KINDS.some((d) => d.key === k));
  if (unknown.length > 0) problems.push(`unknown keys ${unknown.join(', ')} (valid: int_t, frac_t, rot_angle)`);
  const out: ExplicitTransforms = {};
  for (const { key } of KINDS) {
    const list = obj[key];
    if (list === undefined) continue;
    const isPair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every(isNum);
    const ok = Array.isArray(list) && list.every(key === 'rot_angle' ? isNum : isPair);
    if (!ok) { problems.push(`${key} must be a list of ${key === 'rot_angle' ? 'numbers' : '[tx, ty] pairs'} (got ${JSON.stringify(list).slice(0, 60)})`); continue; }
    if (list.length !== rows) { problems.push(`${key} has ${list.length} entries, z has ${rows} rows`); continue; }
    if (key === 'rot_angle') out.rot_angle = (list as number[]).map(Math.fround);
    else out[key] = (list as number[][]).map((p) => [Math.fround(p[0]!), Math.fround(p[1]!)]);
  }
  for (const [i, t] of (out.int_t ?? []).entries()) {
    if (t.some((v) => Math.abs(v * resolution - Math.round(v * resolution)) > 1e-6)) problems.push(`int_t[${i}] must be whole pixels, multiples of 1/${resolution} (got [${t}])`);
  }
  if (problems.length > 0) throw new RunError(`${where}: ${problems.join('; ')}`);
  if (Object.keys(out).length === 0) throw new RunError(`${where}: no transforms (give int_t, frac_t and/or rot_angle)`);
  return out;
}

function rowOf(batch: FloatBatch, i: number): FloatBatch {
  const [, c, h, w] = batch.shape;
  const per = c * h * w;
  return { data: batch.data.subarray(i * per, (i + 1) * per), shape: [1, c, h, w] };
}

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function drawOf(kind: EqKind, tr: ExplicitTransforms, i: number): { t?: [number, number]; angle?: number; transform: number[] } {
  if (kind === 'rot') return { angle: tr.rot_angle![i]!, transform: rotationMatrix(-tr.rot_angle![i]!) };
  const t = (kind === 'int' ? tr.int_t : tr.frac_t)![i]!;
  return { t, transform: [1, 0, -t[0], 0, 1, -t[1], 0, 0, 1] };
}

/**
 * 1. ws = G.mapping(z) (truncation psi 1), z [N, z_dim] row-major;
 * 2. orig = G.synthesis(ws) with M = I, in batches of `batch` rows (NCHW [N, C, H, W]);
 * 3. per kind given and row i: img_i = G.synthesis(ws_i) with M_i (one row per forward: the
 *    transform buffer is shared by a batch), sums of equivarianceSums(kind, orig_i, img_i);
 * 4. PSNR from the summed sums (official aggregation) and per row.
 * G's input transform is restored afterwards.
 */
export async function explicitEquivariance(G: Generator, z: Float32Array, tr: ExplicitTransforms, opts: { batch?: number } = {}): Promise<ExplicitEqResults> {
  if (!hasInputTransform(G)) throw new RunError('explicitEquivariance: the generator has a constant input (row A); EQ-T/EQ-R need Fourier features (got generator.input.kind constant)');
  const n = z.length / G.zDim;
  const step = opts.batch ?? 4;
  const guard = new BufferGuard(G);
  const ws = tf.tidy(() => G.mapping(tf.tensor2d(z, [n, G.zDim]), null, { truncationPsi: 1 }));
  try {
    const rows: FloatBatch[] = [];
    for (let i = 0; i < n; i += step) {
      const part = tf.slice(ws, [i, 0, 0], [Math.min(step, n - i), -1, -1]);
      const orig = renderWs(G, part, IDENTITY);
      part.dispose();
      for (let k = 0; k < orig.shape[0]; k++) rows.push(rowOf(orig, k));
    }
    const results: ExplicitEqResults = {};
    for (const { key, out, kind } of KINDS) {
      if (!tr[key]) continue;
      const err: number[] = [], mask: number[] = [];
      for (let i = 0; i < n; i++) {
        const draw = drawOf(kind, tr, i);
        const wsi = tf.slice(ws, [i, 0, 0], [1, -1, -1]);
        const img = renderWs(G, wsi, draw.transform);
        wsi.dispose();
        const s = equivarianceSums(kind, rows[i]!, img, draw);
        err.push(s.err);
        mask.push(s.mask);
      }
      const total = { err: err.reduce((a, b) => a + b, 0), mask: mask.reduce((a, b) => a + b, 0) };
      results[out] = {
        psnr_db: psnrFromSums(total), err_sum_per_sample: err, mask_sum_per_sample: mask,
        psnr_db_per_sample: err.map((e, i) => psnrFromSums({ err: e, mask: mask[i]! })),
      };
    }
    return results;
  } finally {
    ws.dispose();
    guard.restore();
  }
}
