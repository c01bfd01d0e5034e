/**
 * The small building blocks the networks share, on tfjs NHWC activations with official-layout
 * weights (conv OIHW [out, in, kh, kw], FC [out, in]):
 *   biasAct          official bias_act: + bias, activation, * gain, clamp (in that order);
 *   fullyConnected   official FullyConnectedLayer with its run-time weight/bias gains;
 *   conv2dOihw       a plain conv with an OIHW weight (correlation, or true convolution with `flip`);
 *   modulatedConv2d  style modulation, optional demodulation and input gain, as one shared conv
 *                    between two per-sample scalings (exact: tfjs has no grouped conv).
 * CONSOLIDATE: src/ops/ (bias_act, modulated_conv2d) was still in progress when this was written;
 * these are the reference formulas, to be replaced by the ops' versions once they are stable.
 */
import { tf } from '../backend/tf.ts';
import type { FullyConnectedPlan } from '../plan/types.ts';

export interface BiasActOptions {
  slope?: number;               // leaky ReLU slope; 1 (or undefined with linear) = no activation
  gain?: number;                // applied after the activation
  clamp?: number | null;        // |y| <= clamp after the gain
}

/**
 * bias_act on NHWC (bias on the last axis) or [N, C]:
 * 1. y = x + b; 2. leaky ReLU with `slope` (skipped for slope 1); 3. y *= gain; 4. clamp to ±clamp.
 */
export function biasAct(x: tf.Tensor, b: tf.Tensor | null, opts: BiasActOptions = {}): tf.Tensor {
  return tf.tidy(() => {
    let y = b ? tf.add(x, b) : x;
    const slope = opts.slope ?? 1;
    if (slope !== 1) y = tf.leakyRelu(y, slope);
    const gain = opts.gain ?? 1;
    if (gain !== 1) y = tf.mul(y, gain);
    if (opts.clamp != null) y = tf.clipByValue(y, -opts.clamp, opts.clamp);
    return y;
  });
}

/**
 * FullyConnectedLayer: x [N, in] -> [N, out] = act(x @ (W * weight_gain)^T + b * bias_gain),
 * lrelu = slope 0.2 times sqrt(2) (bias_act's def_gain), linear = none.
 */
export function fullyConnected(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor | null, fc: FullyConnectedPlan): tf.Tensor2D {
  return tf.tidy(() => {
    const w = fc.weight_gain === 1 ? weight : tf.mul(weight, fc.weight_gain);
    const y = tf.matMul(x, w as tf.Tensor2D, false, true);
    const b = bias && fc.bias_gain !== 1 ? tf.mul(bias, fc.bias_gain) : bias;
    if (fc.activation === 'linear') return (b ? tf.add(y, b) : y) as tf.Tensor2D;
    return biasAct(y, b, { slope: 0.2, gain: Math.SQRT2 }) as tf.Tensor2D;
  });
}

/** OIHW [O, I, kh, kw] -> tfjs HWIO [kh, kw, I, O]; `flip` reverses kh and kw (true convolution). */
export function oihwToHwio(w: tf.Tensor, flip = false): tf.Tensor4D {
  return tf.tidy(() => {
    const hwio = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
    return flip ? tf.reverse(hwio, [0, 1]) : hwio;
  });
}

export interface ConvOptions {
  stride?: number;
  padding?: number;             // zeros on every side
  flip?: boolean;               // true convolution (official flip_weight=False)
}

/** x NHWC [N, H, W, I], weight OIHW -> NHWC [N, H', W', O]. */
export function conv2dOihw(x: tf.Tensor4D, weight: tf.Tensor, opts: ConvOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const p = opts.padding ?? 0;
    const pad = p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding;
    return tf.conv2d(x, oihwToHwio(weight, opts.flip), opts.stride ?? 1, pad);
  });
}

export interface ModConvOptions {
  demodulate: boolean;
  preNormalize: boolean;        // SG3: w /= rms(w per output), s /= rms(s) before modulating (demodulate only)
  padding: number;              // zeros on every side
  flip: boolean;
  inputGain: tf.Tensor | null;  // scalar: scales the output (applied to the weights after demodulation)
}

/**
 * Modulated convolution (official modulated_conv2d, SG3 and SG2 fused semantics), NHWC:
 * 1. [demodulate && preNormalize] w *= rsqrt(mean(w^2 over I,kh,kw)) per O; s *= rsqrt(mean(s^2)).
 * 2. y = conv(x * s[n, None, None, :], w)                        [N, H', W', O]
 * 3. [demodulate] y *= rsqrt(sum_{I,kh,kw} (w[o] s[n])^2 + 1e-8)  per (n, o): (s^2) @ (sum_k w^2)^T
 * 4. [inputGain] y *= inputGain.
 * Exact: modulating the input channel i by s[n, i] equals modulating the weights w[o, i].
 */
export function modulatedConv2d(x: tf.Tensor4D, weight: tf.Tensor, styles: tf.Tensor2D, o: ModConvOptions): tf.Tensor4D {
  return tf.tidy(() => {
    let w = weight;
    let s: tf.Tensor2D = styles;
    if (o.demodulate && o.preNormalize) {
      w = tf.mul(w, tf.rsqrt(tf.mean(tf.square(w), [1, 2, 3], true)));
      s = tf.mul(s, tf.rsqrt(tf.mean(tf.square(s))));
    }
    const [n, , , i] = x.shape;
    let y = conv2dOihw(tf.mul(x, tf.reshape(s, [n, 1, 1, i])), w, { padding: o.padding, flip: o.flip });
    let scale: tf.Tensor | null = null;
    if (o.demodulate) {
      const wsq = tf.sum(tf.square(w), [2, 3]) as tf.Tensor2D;          // [O, I]
      scale = tf.rsqrt(tf.add(tf.matMul(tf.square(s), wsq, false, true), 1e-8)); // [N, O]
    }
    if (o.inputGain) scale = scale ? tf.mul(scale, o.inputGain) : tf.reshape(o.inputGain, [1, 1]);
    if (scale) y = tf.mul(y, tf.reshape(scale, [scale.shape[0]!, 1, 1, scale.shape[1]!]));
    return y;
  });
}
