/**
 * filtered_lrelu on NHWC, the official reference order (`_filtered_lrelu_ref`; paper Sec. 3.2,
 * "filtered nonlinearities"). CONSOLIDATE: src/ops/ will provide a fast version; until it is
 * stable the networks use this one, built on ops/upfirdn2d.
 */
import { tf } from '../backend/tf.ts';
import { upfirdn2d } from '../ops/upfirdn2d.ts';
import type { FirFilter } from '../ops/fir.ts';
import { biasAct } from './primitives.ts';

export interface FilteredLreluOptions {
  up: number;
  down: number;
  padding: [number, number, number, number]; // [x_lo, x_hi, y_lo, y_hi] on the upsampled image
  gain: number;
  slope: number;
  clamp: number | null;
}

/**
 * x [N, H, W, C] (the conv output), b [C], fu/fd: [taps], [fh, fw] or null (identity):
 * 1. x + b;
 * 2. upfirdn2d(x, fu, up, padding, gain up^2)  -> [N, H*up + py0 + py1 - (fu-1), ...];
 * 3. leaky ReLU(slope), * gain, clamp;
 * 4. upfirdn2d(x, fd, down)                     -> the layer's output size.
 */
export function filteredLrelu(x: tf.Tensor4D, fu: FirFilter, fd: FirFilter, b: tf.Tensor | null, o: FilteredLreluOptions): tf.Tensor4D {
  return tf.tidy(() => {
    let y = (b ? tf.add(x, b) : x) as tf.Tensor4D;
    y = upfirdn2d(y, fu, { up: o.up, padding: o.padding, gain: o.up * o.up });
    y = biasAct(y, null, { slope: o.slope, gain: o.gain, clamp: o.clamp }) as tf.Tensor4D;
    if (o.down > 1 || fd) y = upfirdn2d(y, fd, { down: o.down });
    return y;
  });
}
