/**
 * Drawing the per-sample transforms of the ADA pipeline (Karras et al. 2020, "Training GANs with
 * Limited Data", App. B; official training/augment.py `AugmentPipe.forward`, parameter half).
 * Pure CPU code: the random numbers come from the `Rng` passed in, the result is one 3x3 inverse
 * geometric matrix and one 4x4 colour matrix per sample, which `apply*` then executes on tensors.
 *
 * Draw order follows the official code (per op: the values for the whole batch, then the
 * "is it applied" uniforms), and every enabled op draws whether or not it fires, so the stream
 * does not depend on p. Ops with multiplier 0 draw nothing, as officially.
 */
import type { Rng } from '../../io/rng.ts';
import { erfinv } from './erfinv.ts';
import {
  householder4, identity3, identity4, LUMA_AXIS, matmul, rotate2dCosSin, rotate2dInv, rotate3d, saturate4,
  scale2dInv, scale3d, translate2dInv, translate3d, type Mat3, type Mat4,
} from './matrices.ts';

/** Probability multipliers and ranges, official names and defaults (all ops off). */
export interface AugmentSpec {
  xflip: number;            // probability multiplier for x-flip
  rotate90: number;         // ... for 90-degree rotations
  xint: number;             // ... for integer translation
  xint_max: number;         // range of integer translation, relative to image size (0.125)
  scale: number;            // ... for isotropic scaling
  rotate: number;           // ... for arbitrary rotation (split into pre and post rotation)
  aniso: number;            // ... for anisotropic scaling
  xfrac: number;            // ... for fractional translation
  scale_std: number;        // log2 std of isotropic scaling (0.2)
  rotate_max: number;       // range of arbitrary rotation, 1 = full circle
  aniso_std: number;        // log2 std of anisotropic scaling (0.2)
  xfrac_std: number;        // std of fractional translation, relative to image size (0.125)
  brightness: number;       // ... for brightness
  contrast: number;         // ... for contrast
  lumaflip: number;         // ... for luma flip
  hue: number;              // ... for hue rotation
  saturation: number;       // ... for saturation
  brightness_std: number;   // std of brightness (0.2)
  contrast_std: number;     // log2 std of contrast (0.5)
  hue_max: number;          // range of hue rotation, 1 = full circle
  saturation_std: number;   // log2 std of saturation (1)
}

export const AUGMENT_DEFAULTS: Readonly<AugmentSpec> = {
  xflip: 0, rotate90: 0, xint: 0, xint_max: 0.125,
  scale: 0, rotate: 0, aniso: 0, xfrac: 0, scale_std: 0.2, rotate_max: 1, aniso_std: 0.2, xfrac_std: 0.125,
  brightness: 0, contrast: 0, lumaflip: 0, hue: 0, saturation: 0,
  brightness_std: 0.2, contrast_std: 0.5, hue_max: 1, saturation_std: 1,
};

export const GEOMETRIC_OPS = ['xflip', 'rotate90', 'xint', 'scale', 'rotate', 'aniso', 'xfrac'] as const;
export const COLOR_OPS = ['brightness', 'contrast', 'lumaflip', 'hue', 'saturation'] as const;

/** What the draws need besides the spec: overall p, batch, image size, optional debug percentile. */
export interface DrawContext {
  rng: Rng;
  p: number;                          // overall probability multiplier (ADA's p)
  n: number;                          // batch size
  width: number;
  height: number;
  channels: number;
  debugPercentile: number | null;     // official `debug_percentile`: every op at this percentile
}

/** One op's per-sample values: drawn, then kept where a uniform is below `prob`, else `neutral`. */
function drawOp(ctx: DrawContext, values: number[][], prob: number, neutral: number[], debug: () => number[]): number[][] {
  const keep = ctx.rng.uniforms(ctx.n);
  if (ctx.debugPercentile != null) return values.map(() => debug());
  return values.map((v, i) => (keep[i]! < prob ? v : neutral));
}

function uniforms(ctx: DrawContext, per: number): number[][] {
  const u = ctx.rng.uniforms(ctx.n * per);
  return Array.from({ length: ctx.n }, (_, i) => Array.from(u.subarray(i * per, (i + 1) * per)));
}

function normals(ctx: DrawContext, per: number): number[][] {
  const u = ctx.rng.unpairedNormals(ctx.n * per);
  return Array.from({ length: ctx.n }, (_, i) => Array.from(u.subarray(i * per, (i + 1) * per)));
}

/** Normal quantile at the debug percentile: erfinv(2p - 1), as the official code writes it. */
function quantile(ctx: DrawContext): number {
  return erfinv(ctx.debugPercentile! * 2 - 1);
}

/** exact (cos, sin) of k * 90 degrees. */
const QUARTER_TURNS: [number, number][] = [[1, 0], [0, 1], [-1, 0], [0, -1]];

/**
 * The inverse geometric transform per sample (output pixel -> input pixel, centred pixel units),
 * composed as G_inv = G_inv @ M_op in the official op order:
 *  1. x-flip; 2. 90-degree rotation; 3. integer translation (rounded to whole pixels);
 *  4. isotropic scale; 5. pre-rotation; 6. anisotropic scale; 7. post-rotation (5 and 7 each with
 *  p_rot = 1 - sqrt(1 - rotate * p), so that P(pre or post) = rotate * p); 8. fractional translation.
 */
export function drawGeometric(spec: AugmentSpec, ctx: DrawContext): Mat3[] {
  const { n, p, width, height } = ctx;
  const pct = ctx.debugPercentile;
  const G: Mat3[] = Array.from({ length: n }, identity3);
  const apply = (per: number[][], make: (v: number[]) => Mat3) => per.forEach((v, i) => { G[i] = matmul(G[i]!, make(v)); });
  if (spec.xflip > 0) {
    const k = drawOp(ctx, uniforms(ctx, 1).map(([u]) => [Math.floor(u! * 2)]), spec.xflip * p, [0], () => [Math.floor(pct! * 2)]);
    apply(k, ([i]) => scale2dInv(1 - 2 * i!, 1));
  }
  if (spec.rotate90 > 0) {
    const k = drawOp(ctx, uniforms(ctx, 1).map(([u]) => [Math.floor(u! * 4)]), spec.rotate90 * p, [0], () => [Math.floor(pct! * 4)]);
    apply(k, ([i]) => rotate2dCosSin(...QUARTER_TURNS[i! % 4]!)); // official: rotate2d_inv(-pi/2 * i)
  }
  if (spec.xint > 0) {
    const t = drawOp(ctx, uniforms(ctx, 2).map((u) => u.map((v) => (v * 2 - 1) * spec.xint_max)), spec.xint * p, [0, 0],
      () => [0, 0].map(() => (pct! * 2 - 1) * spec.xint_max));
    apply(t, ([tx, ty]) => translate2dInv(roundHalfEven(tx! * width), roundHalfEven(ty! * height)));
  }
  if (spec.scale > 0) {
    const s = drawOp(ctx, normals(ctx, 1).map(([z]) => [2 ** (z! * spec.scale_std)]), spec.scale * p, [1], () => [2 ** (quantile(ctx) * spec.scale_std)]);
    apply(s, ([v]) => scale2dInv(v!, v!));
  }
  const pRot = 1 - Math.sqrt(Math.min(Math.max(1 - spec.rotate * p, 0), 1));
  const drawTheta = (debugTheta: () => number) => drawOp(ctx, uniforms(ctx, 1).map(([u]) => [(u! * 2 - 1) * Math.PI * spec.rotate_max]), pRot, [0], () => [debugTheta()]);
  if (spec.rotate > 0) apply(drawTheta(() => (pct! * 2 - 1) * Math.PI * spec.rotate_max), ([th]) => rotate2dInv(-th!));
  if (spec.aniso > 0) {
    const s = drawOp(ctx, normals(ctx, 1).map(([z]) => [2 ** (z! * spec.aniso_std)]), spec.aniso * p, [1], () => [2 ** (quantile(ctx) * spec.aniso_std)]);
    apply(s, ([v]) => scale2dInv(v!, 1 / v!));
  }
  if (spec.rotate > 0) apply(drawTheta(() => 0), ([th]) => rotate2dInv(-th!)); // official debug: no post-rotation
  if (spec.xfrac > 0) {
    const t = drawOp(ctx, normals(ctx, 2).map((z) => z.map((v) => v * spec.xfrac_std)), spec.xfrac * p, [0, 0],
      () => [0, 0].map(() => quantile(ctx) * spec.xfrac_std));
    apply(t, ([tx, ty]) => translate2dInv(tx! * width, ty! * height));
  }
  return G;
}

/**
 * The colour transform per sample, composed as C = M_op @ C in the official order:
 *  1. brightness (add b to r, g, b); 2. contrast (scale by c); 3. luma flip (Householder reflection
 *  about the plane orthogonal to the luma axis); 4. hue rotation about the luma axis;
 *  5. saturation (scale the part orthogonal to the luma axis). 4 and 5 only for colour images.
 */
export function drawColor(spec: AugmentSpec, ctx: DrawContext): Mat4[] {
  const { n, p } = ctx;
  const pct = ctx.debugPercentile;
  const C: Mat4[] = Array.from({ length: n }, identity4);
  const apply = (per: number[][], make: (v: number[]) => Mat4) => per.forEach((v, i) => { C[i] = matmul(make(v), C[i]!); });
  const v = LUMA_AXIS;
  if (spec.brightness > 0) {
    const b = drawOp(ctx, normals(ctx, 1).map(([z]) => [z! * spec.brightness_std]), spec.brightness * p, [0], () => [quantile(ctx) * spec.brightness_std]);
    apply(b, ([x]) => translate3d(x!, x!, x!));
  }
  if (spec.contrast > 0) {
    const c = drawOp(ctx, normals(ctx, 1).map(([z]) => [2 ** (z! * spec.contrast_std)]), spec.contrast * p, [1], () => [2 ** (quantile(ctx) * spec.contrast_std)]);
    apply(c, ([x]) => scale3d(x!, x!, x!));
  }
  if (spec.lumaflip > 0) {
    const k = drawOp(ctx, uniforms(ctx, 1).map(([u]) => [Math.floor(u! * 2)]), spec.lumaflip * p, [0], () => [Math.floor(pct! * 2)]);
    apply(k, ([i]) => (i === 1 ? householder4(v) : identity4()));
  }
  if (spec.hue > 0 && ctx.channels > 1) {
    const th = drawOp(ctx, uniforms(ctx, 1).map(([u]) => [(u! * 2 - 1) * Math.PI * spec.hue_max]), spec.hue * p, [0], () => [(pct! * 2 - 1) * Math.PI * spec.hue_max]);
    apply(th, ([x]) => rotate3d(v, x!));
  }
  if (spec.saturation > 0 && ctx.channels > 1) {
    const s = drawOp(ctx, normals(ctx, 1).map(([z]) => [2 ** (z! * spec.saturation_std)]), spec.saturation * p, [1], () => [2 ** (quantile(ctx) * spec.saturation_std)]);
    apply(s, ([x]) => saturate4(v, x!));
  }
  return C;
}

/** torch.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
