/**
 * Modulated convolution (StyleGAN2 paper Sec. 2.2, "weight demodulation"; used by StyleGAN3's
 * SynthesisLayer). Layout: x NHWC [N, H, W, I], weight OIHW [O, I, kh, kw] (official state_dict
 * layout), styles [N, I]. tfjs has no grouped convolution, so a k x k kernel runs in the non-fused
 * form, which is exact: with d[n,o] the demodulation coefficients,
 *     conv(x, w * s * d)[n, o] = d[n, o] * conv(x * s, w)[n, o],
 * i.e. scale the input by the styles, one convolution shared by the batch, scale the output.
 * A 1x1 kernel (every layer of config R, the ToRGB layers) is a matrix product per sample, so it
 * runs fused as the official code does it: per-sample weights w * s * d ([N, O, I], a few hundred
 * thousand multiplies) and one batched product, instead of two passes over the activations.
 */
import { tf } from '../backend/tf.ts';
import { batchMatMulIsFast } from '../backend/native/index.ts';
import type { FirFilter } from './fir.ts';
import { conv2dResample } from './conv2d-resample.ts';
import { oihwToHwio } from './layout.ts';

/** d[n, o] = rsqrt(sum_{i,k} (w[o,i,k] s[n,i])^2 + 1e-8) = rsqrt(s^2 @ (sum_k w^2)^T + 1e-8). */
function demodCoefficients(weight: tf.Tensor4D, styles: tf.Tensor2D): tf.Tensor2D {
  const wSq = tf.sum(tf.square(weight), [2, 3]) as tf.Tensor2D;                  // [O, I]
  return tf.rsqrt(tf.add(tf.matMul(tf.square(styles), wSq, false, true), 1e-8));  // [N, O]
}

function checkShapes(x: tf.Tensor4D, weight: tf.Tensor4D, styles: tf.Tensor2D, op: string): void {
  if (weight.rank !== 4 || weight.shape[1] !== x.shape[3]) throw new Error(`${op}: weight must be OIHW [O, ${x.shape[3]}, kh, kw] for x [${x.shape}] (got [${weight.shape}])`);
  if (styles.rank !== 2 || styles.shape[0] !== x.shape[0] || styles.shape[1] !== x.shape[3]) {
    throw new Error(`${op}: styles must be [${x.shape[0]}, ${x.shape[3]}] (got [${styles.shape}])`);
  }
}

export interface ModulatedConvOptions {
  demodulate?: boolean;                 // default true
  padding?: number | [number, number];  // zero padding [padH, padW] as torch conv2d (default 0)
  inputGain?: number | tf.Tensor | null; // [], [I] or [N, I] scale of the input channels (SG3: rsqrt(magnitude_ema))
}

/**
 * StyleGAN3 `modulated_conv2d` (networks_stylegan3.py). Steps:
 *  1. demodulate: w *= rsqrt(mean(w^2 over I,kh,kw)) per o; s *= rsqrt(mean(s^2 over all));
 *  2. d[n, o] from the pre-normalised w and s (demodulate only);
 *  3. x * (s * inputGain) per (n, i) -> cross-correlation with w, zero padding -> [N, H', W', O];
 *  4. * d[n, o]. inputGain enters after the demodulation, as officially (it scales the output).
 */
export function modulatedConv2d(x: tf.Tensor4D, weight: tf.Tensor4D, styles: tf.Tensor2D, opts: ModulatedConvOptions = {}): tf.Tensor4D {
  checkShapes(x, weight, styles, 'modulatedConv2d');
  const demodulate = opts.demodulate ?? true;
  const [padH, padW] = typeof opts.padding === 'number' || opts.padding == null ? [opts.padding ?? 0, opts.padding ?? 0] : opts.padding;
  const [N, , , I] = x.shape;
  return tf.tidy(() => {
    let w = weight, s = styles;
    if (demodulate) {
      w = tf.mul(w, tf.rsqrt(tf.mean(tf.square(w), [1, 2, 3], true)));
      s = tf.mul(s, tf.rsqrt(tf.mean(tf.square(s))));
    }
    let scale: tf.Tensor = s;
    if (opts.inputGain != null) scale = tf.mul(s, opts.inputGain);  // broadcasts [], [I] or [N, I] against [N, I]
    if (weight.shape[2] === 1 && weight.shape[3] === 1 && padH === 0 && padW === 0 && batchMatMulIsFast()) {
      return fusedPointwise(x, w, scale, demodulate ? demodCoefficients(w, s) : null);
    }
    const xs = tf.mul(x, tf.reshape(scale, [N, 1, 1, I]));
    let y = tf.conv2d(xs as tf.Tensor4D, oihwToHwio(w), 1, [[0, 0], [padH, padH], [padW, padW], [0, 0]]);
    if (demodulate) y = tf.mul(y, tf.reshape(demodCoefficients(w, s), [N, 1, 1, weight.shape[0]]));
    return y;
  });
}

/**
 * A 1x1 modulated conv as the official fused form: W[n, o, i] = w[o, i] * scale[n, i] (* d[n, o]),
 * y[n] = x[n] @ W[n]^T. x NHWC [N, H, W, I], w OIHW [O, I, 1, 1], scale [N, I], d [N, O] or null.
 */
function fusedPointwise(x: tf.Tensor4D, w: tf.Tensor4D, scale: tf.Tensor, d: tf.Tensor2D | null): tf.Tensor4D {
  const [N, H, W, I] = x.shape, O = w.shape[0];
  let perSample = tf.mul(tf.reshape(w, [1, O, I]), tf.reshape(scale, [N, 1, I]));
  if (d) perSample = tf.mul(perSample, tf.reshape(d, [N, O, 1]));
  const y = tf.matMul(tf.reshape(x, [N, H * W, I]), perSample as tf.Tensor3D, false, true);
  return tf.reshape(y, [N, H, W, O]);
}

export interface ModulatedConvSG2Options {
  noise?: tf.Tensor | null;             // added to the output (broadcast against [N, H', W', O])
  up?: number;
  down?: number;
  padding?: number | [number, number] | [number, number, number, number];
  resampleFilter?: FirFilter;           // prepared by setupFilter (e.g. [1, 3, 3, 1])
  demodulate?: boolean;                 // default true
  flipWeight?: boolean;                 // default true; the official layer passes up == 1
  fusedModconv?: boolean;               // accepted for parity: fused and non-fused are the same math here
}

/**
 * StyleGAN2 `modulated_conv2d` (networks_stylegan2.py, float32: no pre-normalisation). Steps:
 *  1. d[n, o] = rsqrt(sum (w * s)^2 + 1e-8) (demodulate only);
 *  2. x * s -> conv2dResample(w, filter, up, down, padding, flipWeight) -> [N, H', W', O];
 *  3. * d[n, o], then + noise (official fma / add order).
 */
export function modulatedConv2dSG2(x: tf.Tensor4D, weight: tf.Tensor4D, styles: tf.Tensor2D, opts: ModulatedConvSG2Options = {}): tf.Tensor4D {
  checkShapes(x, weight, styles, 'modulatedConv2dSG2');
  const demodulate = opts.demodulate ?? true;
  const [N, , , I] = x.shape;
  return tf.tidy(() => {
    const xs = tf.mul(x, tf.reshape(styles, [N, 1, 1, I])) as tf.Tensor4D;
    let y: tf.Tensor = conv2dResample(xs, weight, opts.resampleFilter ?? null, {
      up: opts.up, down: opts.down, padding: opts.padding, flipWeight: opts.flipWeight ?? true,
    });
    if (demodulate) y = tf.mul(y, tf.reshape(demodCoefficients(weight, styles), [N, 1, 1, weight.shape[0]]));
    if (opts.noise != null) y = tf.add(y, opts.noise);
    return y as tf.Tensor4D;
  });
}
