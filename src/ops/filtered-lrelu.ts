/**
 * filtered_lrelu: the alias-free nonlinearity of StyleGAN3 (paper Sec. 3.2, App. D; official
 * torch_utils/ops/filtered_lrelu.py). Layout NHWC; padding [x0, x1, y0, y1] on the upsampled image.
 *
 * `filteredLreluRef` is the official `_filtered_lrelu_ref`, step for step, on the reference
 * upfirdn2d. `filteredLrelu` computes the same on the fast upfirdn2d and
 *  - folds the leaky-ReLU gain into the up-filter's gain, exact in real arithmetic because
 *    lrelu(g*v) = g*lrelu(v) for g > 0 (one full-resolution pass fewer);
 *  - runs leaky ReLU + clamp as `lreluClamp`, whose gradient is one multiply by a mask saved in
 *    the forward pass. tfjs's own gradients build that mask from Greater/Select/LogicalAnd, which
 *    wasm runs outside XNNPACK (measured at [4,82,82,64]: LeakyRelu 8.4 ms, Greater 9.3 ms,
 *    where 14 ms, vs Step 0.7 ms and Multiply 1.2 ms).
 * float32 results differ from the reference only by rounding.
 */
import { tf } from '../backend/tf.ts';
import { nativeFilteredLrelu, nativeFlreluApplies } from '../backend/native/index.ts';
import { biasAct, lreluGainClamp } from './bias-act.ts';
import { filterSize, type FirFilter } from './fir.ts';
import { parsePadding, type Padding } from './layout.ts';
import { upfirdn2d, upfirdn2dRef } from './upfirdn2d.ts';

export interface FilteredLreluOptions {
  up?: number;            // upsampling factor of fu (default 1)
  down?: number;          // downsampling factor of fd (default 1)
  padding?: Padding;      // on the upsampled image, negative crops (default 0)
  gain?: number;          // after the leaky ReLU (default sqrt 2)
  slope?: number;         // leaky ReLU slope (default 0.2)
  clamp?: number | null;  // clamp after the gain (default none)
  flipFilter?: boolean;   // false = convolution (default)
}

interface Parsed { up: number; down: number; padding: [number, number, number, number]; gain: number; slope: number; clamp: number | null; flipFilter: boolean }

function parse(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, o: FilteredLreluOptions, op: string): Parsed {
  const up = o.up ?? 1, down = o.down ?? 1;
  if (!Number.isInteger(up) || up < 1 || !Number.isInteger(down) || down < 1) throw new Error(`${op}: up and down must be positive integers (got up ${up}, down ${down})`);
  const gain = o.gain ?? Math.SQRT2, slope = o.slope ?? 0.2, clamp = o.clamp ?? null;
  if (!(gain > 0)) throw new Error(`${op}: gain must be > 0 (got ${gain})`);
  if (!(slope >= 0)) throw new Error(`${op}: slope must be >= 0 (got ${slope})`);
  if (clamp != null && !(clamp >= 0)) throw new Error(`${op}: clamp must be >= 0 or null (got ${clamp})`);
  if (b != null && (b.rank !== 1 || b.shape[0] !== x.shape[3])) throw new Error(`${op}: bias must be [${x.shape[3]}] (got [${b.shape}])`);
  const padding = parsePadding(o.padding ?? 0, op);
  // Output size check, as the official reference asserts it.
  const [fuw, fuh] = filterSize(fu), [fdw, fdh] = filterSize(fd);
  const outW = Math.floor((x.shape[2] * up + padding[0] + padding[1] - (fuw - 1) - (fdw - 1) + (down - 1)) / down);
  const outH = Math.floor((x.shape[1] * up + padding[2] + padding[3] - (fuh - 1) - (fdh - 1) + (down - 1)) / down);
  if (outW < 1 || outH < 1) throw new Error(`${op}: output would be ${outW}x${outH} (got input ${x.shape[2]}x${x.shape[1]}, up ${up}, down ${down}, padding [${padding}])`);
  return { up, down, padding, gain, slope, clamp, flipFilter: o.flipFilter ?? false };
}

/**
 * Steps (shapes NHWC, x [N, H, W, C] the conv output, b [C]):
 *  1. x + b;
 *  2. upsample by `up` (zero insertion), pad/crop, filter with fu, gain up^2
 *     -> [N, H*up + py0 + py1 - (fuh-1), W*up + px0 + px1 - (fuw-1), C];
 *  3. leaky ReLU (slope), times gain, clamp to ±clamp;
 *  4. filter with fd, keep every `down`-th sample -> the layer's output size.
 */
export function filteredLreluRef(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, opts: FilteredLreluOptions = {}): tf.Tensor4D {
  const p = parse(x, fu, fd, b, opts, 'filteredLreluRef');
  return tf.tidy(() => {
    let y = biasAct(x, b) as tf.Tensor4D;
    y = upfirdn2dRef(y, fu, { up: p.up, padding: p.padding, gain: p.up * p.up, flipFilter: p.flipFilter });
    y = biasAct(y, null, { act: 'lrelu', alpha: p.slope, gain: p.gain, clamp: p.clamp }) as tf.Tensor4D;
    return upfirdn2dRef(y, fd, { down: p.down, flipFilter: p.flipFilter });
  });
}

/** y = clamp(lrelu(v, slope), ±clamp) with a mask gradient (bias-act.ts lreluGainClamp, gain 1). */
export function lreluClamp(v: tf.Tensor, slope: number, clamp: number | null): tf.Tensor {
  return lreluGainClamp(v, slope, 1, clamp);
}

/**
 * Same steps and result as `filteredLreluRef`, on the fastest path the backend has: the native
 * fused kernel on wasm (backend/native/flrelu.ts: every step in one pass, a byte per up-sampled
 * element kept for the gradient), else the tfjs composition (see file header).
 */
export function filteredLrelu(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, opts: FilteredLreluOptions = {}): tf.Tensor4D {
  const p = parse(x, fu, fd, b, opts, 'filteredLrelu');
  if (nativeFlreluApplies(x, fu, fd)) return nativeFilteredLrelu(x, fu, fd, b, p);
  return filteredLreluComposed(x, fu, fd, b, p);
}

/** The tfjs composition of filteredLrelu (every backend; the parity reference of the native kernel). */
export function filteredLreluTf(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, opts: FilteredLreluOptions = {}): tf.Tensor4D {
  return filteredLreluComposed(x, fu, fd, b, parse(x, fu, fd, b, opts, 'filteredLreluTf'));
}

function filteredLreluComposed(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, p: Parsed): tf.Tensor4D {
  return tf.tidy(() => {
    let y = b == null ? x : tf.add(x, b);
    y = upfirdn2d(y as tf.Tensor4D, fu, { up: p.up, padding: p.padding, gain: p.up * p.up * p.gain, flipFilter: p.flipFilter });
    if (p.slope !== 1 || p.clamp != null) y = lreluClamp(y, p.slope, p.clamp);
    if (fd == null && p.down === 1) return y as tf.Tensor4D;
    return upfirdn2d(y as tf.Tensor4D, fd, { down: p.down, flipFilter: p.flipFilter });
  });
}
