/**
 * The small building blocks the networks share, on tfjs NHWC activations with official-layout
 * weights (conv OIHW [out, in, kh, kw], FC [out, in]), on top of ops/:
 *   fullyConnected   official FullyConnectedLayer with its run-time weight/bias gains;
 *   conv2dOihw       a plain conv with an OIHW weight (cross-correlation, as torch conv2d);
 *   modulatedConv    the StyleGAN3 or StyleGAN2 modulated_conv2d a layer's plan asks for.
 */
import { tf } from '../backend/tf.ts';
import { biasAct } from '../ops/bias-act.ts';
import { oihwToHwio } from '../ops/layout.ts';
import { modulatedConv2d, modulatedConv2dSG2 } from '../ops/modulated-conv.ts';
import type { FullyConnectedPlan } from '../plan/types.ts';

/**
 * FullyConnectedLayer: x [N, in] -> [N, out] = act(x @ (W * weight_gain)^T + b * bias_gain),
 * lrelu = slope 0.2 times sqrt(2) (bias_act's def_gain), linear = none.
 */
export function fullyConnected(x: tf.Tensor2D, weight: tf.Tensor, bias: tf.Tensor | null, fc: FullyConnectedPlan): tf.Tensor2D {
  return tf.tidy(() => {
    // (x @ W^T) * gain: the same product as x @ (W * gain)^T up to rounding, scaling the [N, out]
    // result instead of the [out, in] weight (and its gradient) on every call.
    let y = tf.matMul(x, weight as tf.Tensor2D, false, true);
    if (fc.weight_gain !== 1) y = tf.mul(y, fc.weight_gain);
    const b = bias && fc.bias_gain !== 1 ? tf.mul(bias, fc.bias_gain) : bias;
    if (fc.activation === 'linear') return (b ? tf.add(y, b) : y) as tf.Tensor2D;
    return biasAct(y, b, { act: 'lrelu' }) as tf.Tensor2D; // slope 0.2, gain sqrt(2)
  });
}

export interface ConvOptions {
  stride?: number;
  padding?: number;             // zeros on every side
}

/** x NHWC [N, H, W, I], weight OIHW -> NHWC [N, H', W', O] (cross-correlation). */
export function conv2dOihw(x: tf.Tensor4D, weight: tf.Tensor, opts: ConvOptions = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const p = opts.padding ?? 0;
    const pad = p === 0 ? 'valid' : [[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding;
    return tf.conv2d(x, oihwToHwio(weight as tf.Tensor4D), opts.stride ?? 1, pad);
  });
}

export interface ModConvOptions {
  sg3: boolean;                 // StyleGAN3 modulated_conv2d (pre-normalisation, input gain) or StyleGAN2's
  demodulate: boolean;
  padding: number;              // zeros on every side
  flip: boolean;                // true convolution (official flip_weight=False)
  inputGain: tf.Tensor | null;  // SG3 only: scalar rsqrt(magnitude_ema), scales the output
}

/**
 * Modulated convolution, NHWC x, OIHW weight, styles [N, I] -> [N, H', W', O]:
 * StyleGAN3's (row D on: magnitude normalisation) or StyleGAN2's float32 form (rows A-C), both as
 * ops/ run them (input scaled by the styles, one shared conv, output scaled by the demodulation).
 */
export function modulatedConv(x: tf.Tensor4D, weight: tf.Tensor, styles: tf.Tensor2D, o: ModConvOptions): tf.Tensor4D {
  return tf.tidy(() => {
    const w = weight as tf.Tensor4D;
    if (o.sg3) {
      const oriented = o.flip ? tf.reverse(w, [2, 3]) : w; // OIHW: flip kh, kw for a true convolution
      return modulatedConv2d(x, oriented, styles, { demodulate: o.demodulate, padding: o.padding, inputGain: o.inputGain });
    }
    if (o.inputGain) throw new Error('modulatedConv: the StyleGAN2 form has no input gain');
    return modulatedConv2dSG2(x, w, styles, { demodulate: o.demodulate, padding: o.padding, flipWeight: !o.flip });
  });
}
