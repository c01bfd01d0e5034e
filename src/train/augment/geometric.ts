/**
 * Executing the geometric half of the ADA pipeline once for the whole composed transform
 * (official training/augment.py, "Execute geometric transformations"; Karras et al. 2020, App. B.2:
 * the image is resampled through an orthogonal wavelet filter at 2x so that the transform does
 * not alias). Layout NHWC (official NCHW); images are not clamped, any range works.
 */
import { tf } from '../../backend/tf.ts';
import { downsample2d, setupFilter, upsample2d } from '../../ops/upfirdn2d.ts';
import { reflectPad, sampleAffine } from './grid-sample.ts';
import { matmul, scale2d, scale2dInv, translate2d, translate2dInv, type Mat3 } from './matrices.ts';

/** The official `wavelets['sym6']` low-pass coefficients (Symlet 6, 12 taps). */
export const SYM6: readonly number[] = [
  0.015404109327027373, 0.0034907120842174702, -0.11799011114819057, -0.048311742585633,
  0.4910559419267466, 0.787641141030194, 0.3379294217276218, -0.07263752278646252,
  -0.021060292512300564, 0.04472490177066578, 0.0017677118642428036, -0.007800708325034148,
];

const HZ_PAD = Math.floor(SYM6.length / 4); // 3: the filter's reach, in input pixels, on each side

/**
 * The reflect padding [x0, x1, y0, y1] the official code uses: far enough that every output pixel
 * of every sample, mapped back through G_inv, lands inside the padded image with room for the
 * filter (2 * HZ_PAD), but never more than size - 1 (what reflection allows).
 */
export function geometricMargin(gInv: Mat3[], width: number, height: number): [number, number, number, number] {
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const m = [-Infinity, -Infinity, -Infinity, -Infinity];
  for (const g of gInv) {
    for (const [px, py] of [[-cx, -cy], [cx, -cy], [cx, cy], [-cx, cy]] as const) {
      const x = g[0]! * px + g[1]! * py + g[2]!, y = g[3]! * px + g[4]! * py + g[5]!;
      m[0] = Math.max(m[0]!, -x); m[1] = Math.max(m[1]!, -y); m[2] = Math.max(m[2]!, x); m[3] = Math.max(m[3]!, y);
    }
  }
  const add = [HZ_PAD * 2 - cx, HZ_PAD * 2 - cy, HZ_PAD * 2 - cx, HZ_PAD * 2 - cy];
  const hi = [width - 1, height - 1, width - 1, height - 1];
  const [mx0, my0, mx1, my1] = m.map((v, k) => Math.ceil(Math.min(Math.max(v + add[k]!, 0), hi[k]!)));
  return [mx0!, mx1!, my0!, my1!];
}

/**
 * Applies one inverse transform per sample to images [N, H, W, C] -> [N, H, W, C]. Steps:
 *  1. reflect-pad by the official margin -> [N, H+my0+my1, W+mx0+mx1, C]; shift the origin;
 *  2. upsample 2x with the sym6 filter (upfirdn2d, gain 4) -> [N, Hu, Wu, C]; conjugate G_inv by
 *     the 2x scale and the half-pixel shift, as the official code does;
 *  3. bilinear sampling on the affine grid of the 2x output [N, 2(H+2*HZ_PAD), 2(W+2*HZ_PAD), C]
 *     (official affine_grid + grid_sample, align_corners=False, zeros outside; both folded into one
 *     pixel-index map: T(centre_in) @ G_inv @ T(-centre_out));
 *  4. downsample 2x with the same filter (flipped, i.e. correlation) and crop 2*HZ_PAD -> [N, H, W, C].
 */
export function applyGeometric(images: tf.Tensor4D, gInv: Mat3[]): tf.Tensor4D {
  const [N, H, W] = images.shape;
  if (gInv.length !== N) throw new Error(`applyGeometric: need one matrix per sample (got ${gInv.length} for batch ${N})`);
  const [mx0, mx1, my0, my1] = geometricMargin(gInv, W, H);
  return tf.tidy(() => {
    const f = setupFilter([...SYM6]);
    // 1. Pad and move the origin to the padded image's centre.
    let x = reflectPad(images, [mx0, mx1, my0, my1]);
    let G = gInv.map((g) => matmul(translate2d((mx0 - mx1) / 2, (my0 - my1) / 2), g));
    // 2. Upsample; in the 2x image a pixel is half as big and centres move by half a pixel.
    x = upsample2d(x, f, { up: 2 });
    const S = scale2d(2, 2), Sinv = scale2dInv(2, 2), T = translate2d(-0.5, -0.5), Tinv = translate2dInv(-0.5, -0.5);
    G = G.map((g) => matmul(matmul(T, matmul(matmul(S, g), Sinv)), Tinv));
    // 3. Sample the 2x output grid: output pixel index -> centred -> G -> input pixel index.
    const [, Hin, Win] = x.shape;
    const outH = (H + HZ_PAD * 2) * 2, outW = (W + HZ_PAD * 2) * 2;
    const toIn = translate2d((Win - 1) / 2, (Hin - 1) / 2), fromOut = translate2d(-(outW - 1) / 2, -(outH - 1) / 2);
    const coef = new Float64Array(N * 6);
    G.forEach((g, n) => coef.set(matmul(matmul(toIn, g), fromOut).subarray(0, 6), n * 6));
    x = sampleAffine(x, coef, outH, outW);
    // 4. Back to 1x, cropping the filter margin.
    return downsample2d(x, f, { down: 2, padding: -HZ_PAD * 2, flipFilter: true });
  });
}
