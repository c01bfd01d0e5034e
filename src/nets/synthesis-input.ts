/**
 * The synthesis input: StyleGAN2's learned constant (row A) or StyleGAN3's Fourier features
 * (official SynthesisInput; paper Sec. 3.1 "Fourier features", Sec. 3.2 "transformed Fourier
 * features" for the learned rotation/translation of rows H, T, R). Output NHWC [N, H, W, C].
 */
import { tf } from '../backend/tf.ts';
import type { FullyConnectedPlan, InputPlan } from '../plan/types.ts';
import { fullyConnected } from './primitives.ts';
import type { NetState } from './state.ts';

export class SynthesisInput {
  private readonly constant: tf.Variable | null = null;
  private readonly weight: tf.Variable | null = null;
  readonly transform: tf.Variable | null = null;
  private readonly freqs: tf.Variable | null = null;
  private readonly phases: tf.Variable | null = null;
  private readonly affine: { weight: tf.Variable; bias: tf.Variable; plan: FullyConnectedPlan } | null = null;

  constructor(readonly plan: InputPlan, wDim: number, state: NetState) {
    if (plan.kind === 'constant') {
      this.constant = state.get(`synthesis.${plan.name}`);
      return;
    }
    this.weight = state.get('synthesis.input.weight');
    this.transform = state.get('synthesis.input.transform');
    this.freqs = state.get('synthesis.input.freqs');
    this.phases = state.get('synthesis.input.phases');
    if (plan.transform === 'learned') {
      const fc: FullyConnectedPlan = { name: 'affine', in_features: wDim, out_features: 4, bias: true, activation: 'linear', weight_gain: 1 / Math.sqrt(wDim), bias_gain: 1 };
      this.affine = { weight: state.get('synthesis.input.affine.weight'), bias: state.get('synthesis.input.affine.bias'), plan: fc };
    }
  }

  /** `w` [N, w_dim] is the input's ws row (only read with a learned transform); `batch` = N. */
  forward(w: tf.Tensor2D | null, batch: number): tf.Tensor4D {
    return tf.tidy(() => {
      if (this.constant) {
        // [C, H, W] (official layout) -> [1, H, W, C] (NHWC), repeated over the batch.
        const hwc = tf.transpose(this.constant, [1, 2, 0]);
        return tf.tile(tf.expandDims(hwc, 0), [batch, 1, 1, 1]) as tf.Tensor4D;
      }
      return this.fourier(this.transforms(w, batch));
    });
  }

  /**
   * Per-sample 3x3 transforms [N, 3, 3]: with a learned affine, t = affine(w) / |t[0:2]|,
   * T = m_r @ m_t @ transform with m_r = [[t0, -t1, 0], [t1, t0, 0], [0, 0, 1]] and
   * m_t = [[1, 0, -t2], [0, 1, -t3], [0, 0, 1]]; without one, the user transform alone.
   */
  private transforms(w: tf.Tensor2D | null, batch: number): tf.Tensor3D {
    const user = tf.expandDims(this.transform!, 0) as tf.Tensor3D;
    if (!this.affine) return tf.tile(user, [batch, 1, 1]);
    const t = fullyConnected(w!, this.affine.weight, this.affine.bias, this.affine.plan);
    const norm = tf.sqrt(tf.sum(tf.square(tf.slice(t, [0, 0], [batch, 2])), 1, true));
    const [t0, t1, t2, t3] = tf.split(tf.div(t, norm), 4, 1) as tf.Tensor2D[];
    const zero = tf.zerosLike(t0!), one = tf.onesLike(t0!);
    // Rows of each 3x3 matrix, assembled as [N, 9] then reshaped to [N, 3, 3].
    const mr = tf.reshape(tf.concat([t0!, tf.neg(t1!), zero, t1!, t0!, zero, zero, zero, one], 1), [batch, 3, 3]) as tf.Tensor3D;
    const mt = tf.reshape(tf.concat([one, zero, tf.neg(t2!), zero, one, tf.neg(t3!), zero, zero, one], 1), [batch, 3, 3]) as tf.Tensor3D;
    return tf.matMul(tf.matMul(mr, mt), tf.tile(user, [batch, 1, 1]));
  }

  /**
   * Fourier features for transforms T [N, 3, 3]:
   * 1. phases' = phases + f @ T[:2, 2]; f' = f @ T[:2, :2]        ([N, C], [N, C, 2])
   * 2. amplitude = clamp(1 - (|f'| - bandwidth) / (s/2 - bandwidth), 0, 1)
   * 3. grid x_i = (i + 0.5 - W/2) / s (same for y); feature = sin(2 pi (x fx' + y fy' + phase')) * amp
   * 4. channel mixing x @ (weight / sqrt(C))^T                    -> NHWC [N, H, W, C]
   */
  private fourier(T: tf.Tensor3D): tf.Tensor4D {
    const p = this.plan;
    const n = T.shape[0];
    const c = p.channels;
    const [width, height] = p.size;
    const freqs = tf.tile(tf.expandDims(this.freqs!, 0), [n, 1, 1]) as tf.Tensor3D;            // [N, C, 2]
    const shift = tf.slice(T, [0, 0, 2], [n, 2, 1]);                                              // [N, 2, 1]
    const phases = tf.add(this.phases!, tf.reshape(tf.matMul(freqs, shift), [n, c]));            // [N, C]
    const f = tf.matMul(freqs, tf.slice(T, [0, 0, 0], [n, 2, 2]));                                // [N, C, 2]
    const fx = tf.reshape(tf.slice(f, [0, 0, 0], [n, c, 1]), [n, 1, 1, c]);
    const fy = tf.reshape(tf.slice(f, [0, 0, 1], [n, c, 1]), [n, 1, 1, c]);
    const radius = tf.sqrt(tf.add(tf.square(fx), tf.square(fy)));
    const amp = tf.clipByValue(tf.sub(1, tf.div(tf.sub(radius, p.bandwidth), p.sampling_rate / 2 - p.bandwidth)), 0, 1);
    const gx = tf.tensor(Float32Array.from({ length: width }, (_, i) => (i + 0.5 - width / 2) / p.sampling_rate), [1, 1, width, 1]);
    const gy = tf.tensor(Float32Array.from({ length: height }, (_, i) => (i + 0.5 - height / 2) / p.sampling_rate), [1, height, 1, 1]);
    const arg = tf.add(tf.add(tf.mul(gx, fx), tf.mul(gy, fy)), tf.reshape(phases, [n, 1, 1, c]));
    const feat = tf.mul(tf.sin(tf.mul(arg, 2 * Math.PI)), amp) as tf.Tensor4D;                    // [N, H, W, C]
    const mix = tf.div(this.weight!, Math.sqrt(c));                                               // [C_out, C_in]
    const y = tf.matMul(tf.reshape(feat, [n * height * width, c]), mix, false, true);
    return tf.reshape(y, [n, height, width, c]) as tf.Tensor4D;
  }
}
