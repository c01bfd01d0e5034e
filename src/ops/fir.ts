/**
 * Shared pieces of the two upfirdn2d implementations (upfirdn2d.ts, upfirdn2d-fast.ts): the
 * options, their parsing into a checked plan, the filter as depthwise kernels, zero insertion,
 * pad/crop, and the identity-filter case. Layout NHWC.
 */
import { tf } from '../backend/tf.ts';
import { parsePadding, parseScaling, type Padding, type Scaling } from './layout.ts';

/** A FIR filter: [taps] (separable), [fh, fw] (2-D, rows = y), or null (identity). */
export type FirFilter = tf.Tensor1D | tf.Tensor2D | null;

export interface UpFirDnOptions {
  up?: Scaling;           // integer upsampling factor, or [x, y] (default 1)
  down?: Scaling;         // integer downsampling factor, or [x, y] (default 1)
  padding?: Padding;      // on the upsampled image: int, [x, y] or [x0, x1, y0, y1] (default 0)
  flipFilter?: boolean;   // false = convolution (default), true = correlation
  gain?: number;          // overall signal gain (default 1)
}

/** Everything both implementations need, parsed and checked once. */
export interface UpFirDnPlan {
  upx: number; upy: number; downx: number; downy: number;
  px0: number; px1: number; py0: number; py1: number;
  fw: number; fh: number; separable: boolean; flipFilter: boolean; gain: number;
  outH: number; outW: number;
}

/** `[fw, fh]` of a filter (official `_get_filter_size`): 1-D taps serve both axes. */
export function filterSize(f: FirFilter): [number, number] {
  if (f == null) return [1, 1];
  const shape = f.shape as number[];
  return f.rank === 1 ? [shape[0]!, shape[0]!] : [shape[1]!, shape[0]!];
}

export function planUpfirdn2d(x: tf.Tensor4D, f: FirFilter, opts: UpFirDnOptions, op = 'upfirdn2d'): UpFirDnPlan {
  if (x.rank !== 4) throw new Error(`${op}: x must be NHWC rank 4 (got shape [${x.shape}])`);
  if (f != null && f.rank !== 1 && f.rank !== 2) throw new Error(`${op}: filter must be [taps] or [fh, fw] (got shape [${(f as tf.Tensor).shape}])`);
  const [upx, upy] = parseScaling(opts.up ?? 1, op, 'up');
  const [downx, downy] = parseScaling(opts.down ?? 1, op, 'down');
  const [px0, px1, py0, py1] = parsePadding(opts.padding ?? 0, op);
  const [fw, fh] = filterSize(f);
  const [, H, W] = x.shape;
  const upW = W * upx + px0 + px1, upH = H * upy + py0 + py1;
  if (upW < fw || upH < fh) {
    throw new Error(`${op}: upsampled and padded image ${upW}x${upH} (w x h) is smaller than the filter ${fw}x${fh} (got input ${W}x${H}, up [${upx}, ${upy}], padding [${px0}, ${px1}, ${py0}, ${py1}])`);
  }
  return {
    upx, upy, downx, downy, px0, px1, py0, py1, fw, fh,
    separable: f != null && f.rank === 1, flipFilter: opts.flipFilter ?? false, gain: opts.gain ?? 1,
    outW: Math.floor((upW - fw) / downx) + 1, outH: Math.floor((upH - fh) / downy) + 1,
  };
}

/**
 * The filter as depthwise kernels for `channels` channels, flipped unless `flipFilter` and scaled
 * by gain^(ndim/2) as the official code does: separable -> [x-pass [1,fw,C,1], y-pass [fh,1,C,1]],
 * 2-D -> [[fh,fw,C,1]], null -> [] (identity; the gain is then applied by the caller).
 */
export function depthwiseKernels(f: FirFilter, plan: UpFirDnPlan, channels: number): tf.Tensor4D[] {
  if (f == null) return [];
  return tf.tidy(() => {
    let k: tf.Tensor = f.rank === 1 ? tf.mul(f, Math.sqrt(plan.gain)) : tf.mul(f, plan.gain);
    if (!plan.flipFilter) k = tf.reverse(k);
    if (f.rank === 2) return [tf.tile(tf.reshape(k, [plan.fh, plan.fw, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D];
    const kx = tf.tile(tf.reshape(k, [1, plan.fw, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    const ky = tf.tile(tf.reshape(k, [plan.fh, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
    return [kx, ky];
  });
}

/** Inserts `up - 1` zeros after every sample along H and W (NHWC; reshape + pad, no transposed conv). */
export function insertZeros(x: tf.Tensor4D, upx: number, upy: number): tf.Tensor4D {
  if (upx === 1 && upy === 1) return x;
  const [n, h, w, c] = x.shape;
  const x6 = tf.reshape(x, [n, h, 1, w, 1, c]);
  const padded = tf.pad(x6, [[0, 0], [0, 0], [0, upy - 1], [0, 0], [0, upx - 1], [0, 0]]);
  return tf.reshape(padded, [n, h * upy, w * upx, c]);
}

/** NHWC zero-pad where positive, crop where negative; `[x0, x1, y0, y1]`. */
export function padOrCrop(x: tf.Tensor4D, px0: number, px1: number, py0: number, py1: number): tf.Tensor4D {
  let y = x;
  if (px0 < 0 || px1 < 0 || py0 < 0 || py1 < 0) {
    const [n, h, w, c] = y.shape;
    const top = Math.max(-py0, 0), left = Math.max(-px0, 0);
    y = tf.slice(y, [0, top, left, 0], [n, h - top - Math.max(-py1, 0), w - left - Math.max(-px1, 0), c]);
  }
  if (px0 > 0 || px1 > 0 || py0 > 0 || py1 > 0) {
    y = tf.pad(y, [[0, 0], [Math.max(py0, 0), Math.max(py1, 0)], [Math.max(px0, 0), Math.max(px1, 0)], [0, 0]]);
  }
  return y;
}

/** The identity filter (f = null): zero insertion, pad/crop, keep every down-th sample, times gain. */
export function resampleIdentity(x: tf.Tensor4D, p: UpFirDnPlan): tf.Tensor4D {
  return tf.tidy(() => {
    let y = padOrCrop(insertZeros(x, p.upx, p.upy), p.px0, p.px1, p.py0, p.py1);
    if (p.downx > 1 || p.downy > 1) {
      const [n, h, w, c] = y.shape;
      y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, p.downy, p.downx, 1]) as tf.Tensor4D;
    }
    return p.gain === 1 ? y : tf.mul(y, p.gain);
  });
}
