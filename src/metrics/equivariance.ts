/**
 * EQ-T, EQ-T_frac and EQ-R (Alias-Free GAN, Section 3 / Appendix E), as the official
 * `compute_equivariance_metrics`: per batch, render the reference (input transform = I), then render
 * again with the transform in the SynthesisInput and compare with the reference transformed in image
 * space, inside the validity mask:  PSNR = 20 log10(2) - 10 log10(sum(err) / sum(mask)), with the
 * sums over all samples (float64). Random draws come from our seeded Rng, not torch's.
 */
import { Rng } from '../io/rng.ts';
import { rotationMatrix } from './eq-filter.ts';
import {
  applyIntegerTranslation, applyFractionalTranslation, applyFractionalRotation, applyFractionalPseudoRotation, roundHalfEven, type FloatBatch,
} from './eq-ops.ts';

export type EqKind = 'int' | 'frac' | 'rot';

/** What the metric needs from a generator (networks implement it; see src/nets). */
export interface EquivarianceTarget {
  readonly resolution: number;
  /**
   * Draws `batch` latents (mapping network run once; noise buffers, if any, re-randomised) and returns
   * a renderer: `transform` is the official `G.synthesis.input.transform` (3x3 row-major; it holds
   * the *inverse* image transform), the result NCHW float images.
   */
  sample(batch: number): Promise<(transform: number[]) => Promise<FloatBatch>>;
}

export interface EqSums { err: number; mask: number }

/** The official aggregation of error/mask sums into a PSNR in dB (images in [-1, 1]: peak-to-peak 2). */
export function psnrFromSums({ err, mask }: EqSums): number {
  return 20 * Math.log10(2) - 10 * Math.log10(err / mask);
}

/** float64 sums of (ref - img)^2 * mask and of mask (the official `x.to(float64).sum()`). */
export function maskedErrorSums(ref: FloatBatch, img: FloatBatch, mask: FloatBatch): EqSums {
  let err = 0;
  let m = 0;
  for (let i = 0; i < ref.data.length; i++) {
    const d = Math.fround(ref.data[i] - img.data[i]);
    err += Math.fround(Math.fround(d * d) * mask.data[i]);
    m += mask.data[i];
  }
  return { err, mask: m };
}

const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Draws one transform as the official loop does: translation t (fractions of the size) or an angle. */
export function drawEqTransform(kind: EqKind, rng: Rng, resolution: number, translateMax = 0.125, rotateMax = 1): { t?: [number, number]; angle?: number; transform: number[] } {
  if (kind === 'rot') {
    const angle = Math.fround(Math.fround(rng.uniform() * 2 - 1) * Math.fround(rotateMax * Math.PI));
    return { angle, transform: rotationMatrix(-angle) };
  }
  let t = [0, 1].map(() => Math.fround(Math.fround(rng.uniform() * 2 - 1) * translateMax)) as [number, number];
  if (kind === 'int') t = t.map((v) => Math.fround(roundHalfEven(Math.fround(v * resolution)) / resolution)) as [number, number];
  return { t, transform: [1, 0, -t[0], 0, 1, -t[1], 0, 0, 1] };
}

/** One batch's error/mask sums given the reference `orig` and the image rendered under the transform. */
export function equivarianceSums(kind: EqKind, orig: FloatBatch, img: FloatBatch, draw: { t?: [number, number]; angle?: number }): EqSums {
  if (kind === 'rot') {
    const ref = applyFractionalRotation(orig, draw.angle!);
    const pseudo = applyFractionalPseudoRotation(img, draw.angle!);
    const mask = { data: ref.mask.data.map((v, i) => v * pseudo.mask.data[i]), shape: ref.mask.shape };
    return maskedErrorSums(ref.out, pseudo.out, mask);
  }
  const [tx, ty] = draw.t!;
  const ref = kind === 'int' ? applyIntegerTranslation(orig, tx, ty) : applyFractionalTranslation(orig, tx, ty);
  return maskedErrorSums(ref.out, img, ref.mask);
}

export interface EqOptions {
  numSamples: number;
  batchSize?: number;   // 4 officially
  seed?: number;
  translateMax?: number;
  rotateMax?: number;   // in units of pi
  onProgress?: (done: number, total: number) => void;
}

/** The PSNR (dB) of one equivariance metric over `numSamples` generated images. */
export async function computeEquivariance(target: EquivarianceTarget, kind: EqKind, opts: EqOptions): Promise<number> {
  const batch = opts.batchSize ?? 4;
  const rng = new Rng(opts.seed ?? 0);
  const sums: EqSums = { err: 0, mask: 0 };
  for (let start = 0; start < opts.numSamples; start += batch) { // whole batches, as the official loop
    const render = await target.sample(batch);
    const orig = await render(IDENTITY);
    const draw = drawEqTransform(kind, rng, target.resolution, opts.translateMax, opts.rotateMax);
    const img = await render(draw.transform);
    const s = equivarianceSums(kind, orig, img, draw);
    sums.err += s.err;
    sums.mask += s.mask;
    opts.onProgress?.(Math.min(start + batch, opts.numSamples), opts.numSamples);
  }
  return psnrFromSums(sums);
}
