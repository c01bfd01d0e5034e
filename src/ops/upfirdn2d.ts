/**
 * upfirdn2d: upsample, pad, FIR-filter, downsample a batch of images (official
 * torch_utils/ops/upfirdn2d.py; the resampling primitive of StyleGAN2 and of the alias-free
 * layers, paper Sec. 3 and App. C). Layout NHWC (official: NCHW). Padding `[x0, x1, y0, y1]` is
 * on the upsampled image, negative crops. `flipFilter = false` means true convolution.
 *
 * Two implementations with identical semantics:
 *  - `upfirdn2dRef`: the official reference steps, literally (zero insertion, pad, depthwise conv
 *    over the whole upsampled image, keep every `down`-th sample). Slow; the parity reference.
 *  - `upfirdn2d`: the fast path (upfirdn2d-fast.ts): polyphase upsampling (never multiplies the
 *    inserted zeros), padding folded into the convolution, downsampling as a strided convolution,
 *    separable filters as two 1-D passes.
 */
import { tf } from '../backend/tf.ts';
import { depthwiseKernels, filterSize, insertZeros, padOrCrop, planUpfirdn2d, resampleIdentity, type FirFilter, type UpFirDnOptions } from './fir.ts';
import { parsePadding, parseScaling, type Padding, type Scaling } from './layout.ts';
import { upfirdn2dFast } from './upfirdn2d-fast.ts';

export { filterSize, planUpfirdn2d, type FirFilter, type UpFirDnOptions, type UpFirDnPlan } from './fir.ts';

/**
 * The official reference, step by step (shapes NHWC):
 *  1. zero insertion: [N, H, W, C] -> [N, H*upy, W*upx, C];
 *  2. pad / crop by [x0, x1, y0, y1];
 *  3. 'valid' depthwise convolution with the (flipped, gain-scaled) filter: along x then along y
 *     for a separable filter, one 2-D pass otherwise;
 *  4. keep every down-th sample from index 0 -> [N, outH, outW, C].
 */
export function upfirdn2dRef(x: tf.Tensor4D, f: FirFilter, opts: UpFirDnOptions = {}): tf.Tensor4D {
  const p = planUpfirdn2d(x, f, opts, 'upfirdn2dRef');
  if (f == null) return resampleIdentity(x, p);
  return tf.tidy(() => {
    let y = padOrCrop(insertZeros(x, p.upx, p.upy), p.px0, p.px1, p.py0, p.py1);
    for (const k of depthwiseKernels(f, p, x.shape[3])) y = tf.depthwiseConv2d(y, k, 1, 'valid');
    if (p.downx > 1 || p.downy > 1) {
      const [n, h, w, c] = y.shape;
      y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, p.downy, p.downx, 1]) as tf.Tensor4D;
    }
    return y;
  });
}

/** upfirdn2d with the official semantics on the fast path (see file header). */
export function upfirdn2d(x: tf.Tensor4D, f: FirFilter, opts: UpFirDnOptions = {}): tf.Tensor4D {
  return upfirdn2dFast(x, f, planUpfirdn2d(x, f, opts));
}

export interface SetupFilterOptions {
  normalize?: boolean;    // divide by the sum so a constant signal keeps its magnitude (default true)
  flipFilter?: boolean;   // default false
  gain?: number;          // overall gain, applied as gain^(ndim/2) (default 1)
  separable?: boolean;    // default: 1-D with >= 8 taps (the official rule)
}

/**
 * Official `setup_filter`: number/list -> float32 FIR filter tensor. Steps: null -> [1];
 * a scalar -> [f]; 1-D and not separable -> outer product [n, n]; normalise by the sum; flip;
 * times gain^(ndim/2). `[1, 3, 3, 1]` gives the normalised 4x4 outer product (4 < 8 taps).
 */
export function setupFilter(f: number | number[] | number[][] | Float32Array | null, opts: SetupFilterOptions = {}): tf.Tensor1D | tf.Tensor2D {
  const taps: number[] | number[][] = f == null ? [1] : typeof f === 'number' ? [f] : f instanceof Float32Array ? Array.from(f) : f;
  if (taps.length === 0) throw new Error(`setupFilter: filter has no taps (got ${JSON.stringify(f)})`);
  const is2d = Array.isArray(taps[0]);
  const separable = opts.separable ?? (!is2d && taps.length >= 8);
  if (is2d && separable) throw new Error(`setupFilter: a 2-D filter cannot be separable (got ${taps.length}x${(taps[0] as number[]).length})`);
  return tf.tidy(() => {
    let t: tf.Tensor = is2d ? tf.tensor2d(taps as number[][]) : tf.tensor1d(taps as number[]);
    if (!is2d && !separable) t = tf.outerProduct(t as tf.Tensor1D, t as tf.Tensor1D);
    if (opts.normalize ?? true) t = tf.div(t, tf.sum(t));
    if (opts.flipFilter) t = tf.reverse(t);
    const gain = opts.gain ?? 1;
    if (gain !== 1) t = tf.mul(t, gain ** (t.rank / 2));
    return t as tf.Tensor1D | tf.Tensor2D;
  });
}

export interface ResampleOptions {
  padding?: Padding;      // extra padding on top of the size-preserving default (negative crops)
  flipFilter?: boolean;
  gain?: number;
}

/** Official `filter2d`: same-size filtering; padding [x0 + fw//2, x1 + (fw-1)//2, y0 + fh//2, y1 + (fh-1)//2]. */
export function filter2d(x: tf.Tensor4D, f: FirFilter, opts: ResampleOptions = {}): tf.Tensor4D {
  const [px0, px1, py0, py1] = parsePadding(opts.padding ?? 0, 'filter2d');
  const [fw, fh] = filterSize(f);
  const padding: Padding = [px0 + Math.floor(fw / 2), px1 + Math.floor((fw - 1) / 2), py0 + Math.floor(fh / 2), py1 + Math.floor((fh - 1) / 2)];
  return upfirdn2d(x, f, { padding, flipFilter: opts.flipFilter, gain: opts.gain });
}

/** Official `upsample2d`: output = up x input; padding [x0 + (fw+up-1)//2, x1 + (fw-up)//2, ...]; gain *= upx*upy. */
export function upsample2d(x: tf.Tensor4D, f: FirFilter, opts: ResampleOptions & { up?: Scaling } = {}): tf.Tensor4D {
  const [upx, upy] = parseScaling(opts.up ?? 2, 'upsample2d', 'up');
  const [px0, px1, py0, py1] = parsePadding(opts.padding ?? 0, 'upsample2d');
  const [fw, fh] = filterSize(f);
  const padding: Padding = [
    px0 + Math.floor((fw + upx - 1) / 2), px1 + Math.floor((fw - upx) / 2),
    py0 + Math.floor((fh + upy - 1) / 2), py1 + Math.floor((fh - upy) / 2),
  ];
  return upfirdn2d(x, f, { up: [upx, upy], padding, flipFilter: opts.flipFilter, gain: (opts.gain ?? 1) * upx * upy });
}

/** Official `downsample2d`: output = input / down; padding [x0 + (fw-down+1)//2, x1 + (fw-down)//2, ...]. */
export function downsample2d(x: tf.Tensor4D, f: FirFilter, opts: ResampleOptions & { down?: Scaling } = {}): tf.Tensor4D {
  const [downx, downy] = parseScaling(opts.down ?? 2, 'downsample2d', 'down');
  const [px0, px1, py0, py1] = parsePadding(opts.padding ?? 0, 'downsample2d');
  const [fw, fh] = filterSize(f);
  const padding: Padding = [
    px0 + Math.floor((fw - downx + 1) / 2), px1 + Math.floor((fw - downx) / 2),
    py0 + Math.floor((fh - downy + 1) / 2), py1 + Math.floor((fh - downy) / 2),
  ];
  return upfirdn2d(x, f, { down: [downx, downy], padding, flipFilter: opts.flipFilter, gain: opts.gain });
}
