/**
 * The synthesis input: StyleGAN2's learned constant (row A) or StyleGAN3's Fourier features
 * (official SynthesisInput; paper Sec. 3.1 "Fourier features", Sec. 3.2 "transformed Fourier
 * features" for the learned rotation/translation of rows H, T, R). Output NHWC [N, H, W, C].
 */
import { tf } from '../backend/tf.ts';
import { planFullyConnected } from '../plan/synthesis.ts';
import type { FullyConnectedPlan, InputPlan } from '../plan/types.ts';
import { fourierFeatures } from '../ops/fourier-features.ts';
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
      const fc = planFullyConnected('affine', wDim, 4, 'linear');
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
      // Without a learned transform (rows B-G) t = (1, 0, 0, 0): rotation and translation are the identity.
      const t = this.affine
        ? fullyConnected(w!, this.affine.weight, this.affine.bias, this.affine.plan)
        : tf.tile(tf.tensor2d([[1, 0, 0, 0]]), [batch, 1]) as tf.Tensor2D;
      const p = this.plan;
      return fourierFeatures(
        { t, freqs: this.freqs as tf.Tensor2D, phases: this.phases as tf.Tensor1D, transform: this.transform as tf.Tensor2D, weight: this.weight as tf.Tensor2D },
        { size: p.size, samplingRate: p.sampling_rate, bandwidth: p.bandwidth },
      );
    });
  }
}
