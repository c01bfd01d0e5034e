/**
 * bias_act: add a per-channel bias, apply an activation, scale by a gain, clamp (official
 * torch_utils/ops/bias_act.py, `_bias_act_ref` order). Layout: the bias runs along `dim`, which
 * defaults to the LAST axis (NHWC channels; the official default dim=1 is NCHW's channel axis).
 */
import { tf } from '../backend/tf.ts';

/** name -> [function, default alpha, default gain] as in the official `activation_funcs`. */
const ACTIVATIONS = {
  linear: [(x: tf.Tensor) => x, 0, 1],
  relu: [(x: tf.Tensor) => tf.relu(x), 0, Math.SQRT2],
  lrelu: [(x: tf.Tensor, alpha: number) => (alpha === 1 ? x : tf.leakyRelu(x, alpha)), 0.2, Math.SQRT2],
  tanh: [(x: tf.Tensor) => tf.tanh(x), 0, 1],
  sigmoid: [(x: tf.Tensor) => tf.sigmoid(x), 0, 1],
  elu: [(x: tf.Tensor) => tf.elu(x), 0, 1],
  selu: [(x: tf.Tensor) => tf.selu(x), 0, 1],
  softplus: [(x: tf.Tensor) => tf.softplus(x), 0, 1],
  swish: [(x: tf.Tensor) => tf.mul(tf.sigmoid(x), x), 0, Math.SQRT2],
} as const satisfies Record<string, readonly [(x: tf.Tensor, alpha: number) => tf.Tensor, number, number]>;

export type Activation = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as Activation[];

export interface BiasActOptions {
  act?: Activation;       // default 'linear'
  alpha?: number;         // activation shape parameter (lrelu slope); default per activation (0.2)
  gain?: number;          // output scale; default per activation (sqrt 2 for relu/lrelu/swish)
  clamp?: number | null;  // clamp the result to [-clamp, clamp] after the gain; null = none
  dim?: number;           // axis of x the bias runs along; default: the last axis
}

/**
 * z = clamp(lrelu(v, slope) * gain, ±clamp) (official order) with the gradient dy * mask, where
 * mask = gain * step(v, slope) where the clamp does not bind (|z| <= clamp inclusive, as torch's
 * clamp) and 0 where it does. The mask is a constant of the backward pass (piecewise constant in v),
 * so second derivatives (R1, path length) stay exact. tfjs's own gradients of LeakyRelu and
 * ClipByValue build that mask from Greater/GreaterEqual/LessEqual/LogicalAnd/Select on every call,
 * which wasm runs outside XNNPACK; Step is one fast kernel, and lrelu(v) = v * step(v, slope).
 */
export function lreluGainClamp(v: tf.Tensor, slope: number, gain: number, clamp: number | null): tf.Tensor {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor, save = args[1] as tf.GradSaveFunc;
    const factor = tf.step(x, slope);
    let z = slope === 1 ? x : tf.mul(x, factor);
    if (gain !== 1) z = tf.mul(z, gain);
    let mask = gain !== 1 ? tf.mul(factor, gain) : factor;
    if (clamp != null) {
      mask = tf.mul(mask, tf.sub(1, tf.step(tf.sub(tf.abs(z), clamp))));
      z = tf.clipByValue(z, -clamp, clamp);
    }
    save([mask]);
    return { value: z, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, saved[0]!)] };
  });
  return op(v) as tf.Tensor;
}

/**
 * Steps (any shape, bias along `dim`): 1. x + b; 2. act(x, alpha); 3. x * gain if gain != 1;
 * 4. clamp to ±clamp if given. Differentiable; lrelu with gain and clamp runs as lreluGainClamp.
 */
export function biasAct(x: tf.Tensor, b: tf.Tensor | null = null, opts: BiasActOptions = {}): tf.Tensor {
  const act = opts.act ?? 'linear';
  const spec = ACTIVATIONS[act];
  if (spec == null) throw new Error(`biasAct: unknown activation (got '${String(act)}'; valid: ${ACTIVATION_NAMES.join(', ')})`);
  const [fn, defAlpha, defGain] = spec;
  const alpha = opts.alpha ?? defAlpha;
  const gain = opts.gain ?? defGain;
  const clamp = opts.clamp ?? null;
  if (clamp != null && !(clamp >= 0)) throw new Error(`biasAct: clamp must be >= 0 or null (got ${clamp})`);
  return tf.tidy(() => {
    let y = x;
    if (b != null) {
      const dim = opts.dim ?? x.rank - 1;
      if (b.rank !== 1 || b.shape[0] !== x.shape[dim]) {
        throw new Error(`biasAct: bias must be [${x.shape[dim]}] to match axis ${dim} of x [${x.shape}] (got [${b.shape}])`);
      }
      y = tf.add(y, dim === x.rank - 1 ? b : tf.reshape(b, x.shape.map((d, i) => (i === dim ? d : 1))));
    }
    if (act === 'lrelu' && gain > 0) return lreluGainClamp(y, alpha, gain, clamp);
    y = fn(y, alpha);
    if (gain !== 1) y = tf.mul(y, gain);
    if (clamp != null) y = tf.clipByValue(y, -clamp, clamp);
    return y;
  });
}
