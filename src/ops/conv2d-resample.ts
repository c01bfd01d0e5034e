/**
 * conv2d_resample: a 2-D convolution with optional FIR up/downsampling (official
 * torch_utils/ops/conv2d_resample.py, used by StyleGAN2 layers and the discriminator).
 * Layout: x NHWC, weight OIHW (official), padding [x0, x1, y0, y1] w.r.t. the upsampled image.
 * `flipWeight = true` is cross-correlation (torch conv2d), false a true convolution.
 *
 * The official up path is a stride-`up` transposed conv followed by upfirdn2d. Both are linear
 * shift-invariant filters on the upsampled grid, and the transposed conv there is a *full*
 * convolution (its output covers the whole support), so zero padding between the two equals
 * evaluating the product filter over more zeros: the result equals upfirdn2d(x, f, up, the total
 * padding, gain up^2) followed by a VALID correlation with the oriented kernel. That is what runs
 * here (no conv2dTranspose, and the fast polyphase upsampling). The other paths follow the official
 * order: filter then strided conv (down), 1x1 conv first (1x1 with up), plain conv (no resampling).
 */
import { tf } from '../backend/tf.ts';
import { filterSize, type FirFilter } from './fir.ts';
import { oihwToHwio, parsePadding, type Padding } from './layout.ts';
import { upfirdn2d } from './upfirdn2d.ts';

export interface Conv2dResampleOptions {
  up?: number;            // integer upsampling factor (default 1)
  down?: number;          // integer downsampling factor (default 1)
  padding?: Padding;      // w.r.t. the upsampled image (default 0)
  flipWeight?: boolean;   // true = correlation (default), false = convolution
  flipFilter?: boolean;   // false = convolution (default)
}

/** The weight as a tfjs correlation kernel HWIO: flipped in kh, kw for a true convolution. */
function orientedKernel(weight: tf.Tensor4D, flipWeight: boolean): tf.Tensor4D {
  const k = oihwToHwio(weight);
  return flipWeight ? k : tf.reverse(k, [0, 1]);
}

/**
 * Steps (x [N, H, W, I], weight [O, I, kh, kw], f the prepared filter):
 *  1. total padding = padding + the up/down terms of the official code;
 *  2. by case: 1x1+down: filter/downsample then 1x1 conv; 1x1+up: 1x1 conv then upsample;
 *     down only: filter then stride-`down` conv; up (and maybe down): upsample+filter, VALID conv,
 *     then filter/downsample; none: conv with (symmetric) padding -> [N, H', W', O].
 */
export function conv2dResample(x: tf.Tensor4D, weight: tf.Tensor4D, f: FirFilter, opts: Conv2dResampleOptions = {}): tf.Tensor4D {
  const up = opts.up ?? 1, down = opts.down ?? 1;
  if (!Number.isInteger(up) || up < 1 || !Number.isInteger(down) || down < 1) throw new Error(`conv2dResample: up and down must be positive integers (got up ${up}, down ${down})`);
  if (weight.rank !== 4 || weight.shape[1] !== x.shape[3]) throw new Error(`conv2dResample: weight must be OIHW [O, ${x.shape[3]}, kh, kw] (got [${weight.shape}])`);
  const [, , kh, kw] = weight.shape;
  const [fw, fh] = filterSize(f);
  let [px0, px1, py0, py1] = parsePadding(opts.padding ?? 0, 'conv2dResample');
  if (up > 1) { px0 += Math.floor((fw + up - 1) / 2); px1 += Math.floor((fw - up) / 2); py0 += Math.floor((fh + up - 1) / 2); py1 += Math.floor((fh - up) / 2); }
  if (down > 1) { px0 += Math.floor((fw - down + 1) / 2); px1 += Math.floor((fw - down) / 2); py0 += Math.floor((fh - down + 1) / 2); py1 += Math.floor((fh - down) / 2); }
  const pad: [number, number, number, number] = [px0, px1, py0, py1];
  const flipFilter = opts.flipFilter ?? false;
  return tf.tidy(() => {
    const k = orientedKernel(weight, opts.flipWeight ?? true);
    const valid = (v: tf.Tensor4D, stride = 1) => tf.conv2d(v, k, stride, 'valid');
    if (kh === 1 && kw === 1 && down > 1 && up === 1) return valid(upfirdn2d(x, f, { down, padding: pad, flipFilter }));
    if (kh === 1 && kw === 1 && up > 1 && down === 1) return upfirdn2d(valid(x), f, { up, padding: pad, gain: up * up, flipFilter });
    if (down > 1 && up === 1) return valid(upfirdn2d(x, f, { padding: pad, flipFilter }), down);
    if (up > 1) {
      const y = valid(upfirdn2d(x, f, { up, padding: pad, gain: up * up, flipFilter }));
      return down > 1 ? upfirdn2d(y, f, { down, flipFilter }) : y;
    }
    if (px0 === px1 && py0 === py1 && px0 >= 0 && py0 >= 0) return tf.conv2d(x, k, 1, [[0, 0], [py0, py0], [px0, px0], [0, 0]]);
    return valid(upfirdn2d(x, null, { padding: pad }));
  });
}
