/**
 * One synthesis layer from its LayerPlan (official StyleGAN3 SynthesisLayer, and the StyleGAN2
 * SynthesisLayer / ToRGBLayer that rows A-C need; paper Sec. 3 and Appendix C/D). NHWC inside.
 *
 * Three orders, all chosen by the plan:
 *   StyleGAN3 order (default): modulated conv with conv_kernel-1 zeros, then filtered_lrelu
 *     (bias, up, filter, lrelu, clamp, filter, down) with the plan's filters and padding;
 *   same-rate layer with noise (rows A-B): conv, crop by the (negative) padding, + noise, bias_act;
 *   StyleGAN2 up-sampling order (up_before_conv): upfirdn2d(x, f, up, padding, gain up^2), a 'valid'
 *     true convolution, + noise, bias_act.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { FirFilter } from '../ops/fir.ts';
import { upfirdn2d } from '../ops/upfirdn2d.ts';
import { planFullyConnected } from '../plan/synthesis.ts';
import type { FullyConnectedPlan, LayerPlan, SkipToRgbPlan } from '../plan/types.ts';
import { biasAct } from '../ops/bias-act.ts';
import { filteredLrelu } from '../ops/filtered-lrelu.ts';
import { fullyConnected, modulatedConv } from './primitives.ts';
import type { NetState } from './state.ts';

export type NoiseMode = 'const' | 'random' | 'none';

export interface LayerRunOptions {
  noiseMode: NoiseMode;
  updateEmas: boolean;
  noiseSeed?: number;           // random noise: seed of tf.randomNormal (undefined = unseeded)
}

/**
 * A planned filter as a tfjs tensor: [taps], [fh, fw], or null (identity). Kept, so that a network
 * built inside a tf.tidy keeps its filters; the owner disposes them.
 */
export function filterTensor(taps: number[] | number[][] | null): FirFilter {
  if (taps == null) return null;
  return tf.keep(Array.isArray(taps[0]) ? tf.tensor2d(taps as number[][]) : tf.tensor1d(taps as number[]));
}

/** The affine FC w -> styles of a layer (linear, lr_multiplier 1), as the planner defines FC layers. */
function affinePlan(wDim: number, out: number): FullyConnectedPlan {
  return planFullyConnected('affine', wDim, out, 'linear');
}

interface ModulatedTensors {
  weight: tf.Variable;
  bias: tf.Variable;
  affineWeight: tf.Variable;
  affineBias: tf.Variable;
}

function modulatedTensors(state: NetState, prefix: string): ModulatedTensors {
  return {
    weight: state.get(`${prefix}.weight`),
    bias: state.get(`${prefix}.bias`),
    affineWeight: state.get(`${prefix}.affine.weight`),
    affineBias: state.get(`${prefix}.affine.bias`),
  };
}

export class SynthesisLayer {
  private readonly t: ModulatedTensors;
  private readonly magnitudeEma: tf.Variable | null;
  private readonly noiseConst: tf.Variable | null;
  private readonly noiseStrength: tf.Variable | null;
  private readonly fu: FirFilter;
  private readonly fd: FirFilter;
  private readonly affine: FullyConnectedPlan;

  constructor(readonly plan: LayerPlan, wDim: number, state: NetState) {
    const prefix = `synthesis.${plan.official_name}`;
    if (plan.use_noise && plan.is_filtered) {
      throw new RunError(`${plan.name}: per-pixel noise is only defined for unfiltered layers (rows A-B) (got generator.noise with nonlinearity.filtered)`);
    }
    this.t = modulatedTensors(state, prefix);
    this.magnitudeEma = plan.normalization === 'magnitude_ema' ? state.get(`${prefix}.magnitude_ema`) : null;
    this.noiseConst = plan.use_noise ? state.get(`${prefix}.noise_const`) : null;
    this.noiseStrength = plan.use_noise ? state.get(`${prefix}.noise_strength`) : null;
    this.fu = filterTensor(plan.up_filter);
    this.fd = filterTensor(plan.down_filter);
    this.affine = affinePlan(wDim, plan.in_channels);
  }

  /**
   * x NHWC [N, in_h, in_w, in_channels], w [N, w_dim] -> NHWC [N, out_h, out_w, out_channels]:
   * 1. [magnitude_ema] updateEmas: ema <- mean(x^2) + beta (ema - mean(x^2)); input gain rsqrt(ema);
   * 2. styles = affine(w) * styles_gain;
   * 3. modulated conv (demodulate unless ToRGB) in the planned order, noise, bias, lrelu, clamp.
   */
  forward(x: tf.Tensor4D, w: tf.Tensor2D, o: LayerRunOptions): tf.Tensor4D {
    const l = this.plan;
    return tf.tidy(() => {
      let gain: tf.Tensor | null = null;
      if (this.magnitudeEma) {
        if (o.updateEmas) {
          const cur = tf.mean(tf.square(x));
          this.magnitudeEma.assign(tf.add(cur, tf.mul(tf.sub(this.magnitudeEma, cur), l.magnitude_ema_beta)));
        }
        gain = tf.rsqrt(this.magnitudeEma);
      }
      let styles = fullyConnected(w, this.t.affineWeight, this.t.affineBias, this.affine);
      if (l.styles_gain !== 1) styles = tf.mul(styles, l.styles_gain);
      const conv = (input: tf.Tensor4D) => modulatedConv(input, this.t.weight, styles, {
        sg3: l.normalization === 'magnitude_ema', // the SG3 modulated_conv2d from row D on
        demodulate: l.demodulate,
        padding: l.conv_padding,
        flip: l.flip_kernel,
        inputGain: gain,
      });
      const act = { act: 'lrelu' as const, alpha: l.lrelu_slope, gain: l.lrelu_gain, clamp: l.conv_clamp };
      if (l.up_before_conv) {
        const up = upfirdn2d(x, this.fu, { up: l.up_factor, padding: l.padding, gain: l.up_factor * l.up_factor });
        return biasAct(this.addNoise(conv(up), o), this.t.bias, act) as tf.Tensor4D;
      }
      if (l.use_noise) {
        if (l.up_factor !== 1 || l.down_factor !== 1) throw new Error(`${l.name}: noise on a resampling SG3-order layer`);
        const cropped = upfirdn2d(conv(x), null, { padding: l.padding });
        return biasAct(this.addNoise(cropped, o), this.t.bias, act) as tf.Tensor4D;
      }
      return filteredLrelu(conv(x), this.fu, this.fd, this.t.bias, {
        up: l.up_factor, down: l.down_factor, padding: l.padding, gain: l.lrelu_gain, slope: l.lrelu_slope, clamp: l.conv_clamp,
      });
    });
  }

  /** StyleGAN2 noise after the conv: const = noise_const [H, W] * strength; random = N(0,1) [N, H, W, 1] * strength. */
  private addNoise(y: tf.Tensor4D, o: LayerRunOptions): tf.Tensor4D {
    if (!this.noiseConst || o.noiseMode === 'none') return y;
    const [n, h, w] = y.shape;
    const noise = o.noiseMode === 'const'
      ? tf.reshape(this.noiseConst, [1, h, w, 1])
      : tf.randomNormal([n, h, w, 1], 0, 1, 'float32', o.noiseSeed);
    return tf.add(y, tf.mul(noise, this.noiseStrength!));
  }

  dispose(): void {
    this.fu?.dispose();
    this.fd?.dispose();
  }
}

/** The extra ToRGB of the skip architecture (official SG2 ToRGBLayer: 1x1, no demodulation, bias, clamp). */
export class SkipToRgb {
  private readonly t: ModulatedTensors;
  private readonly affine: FullyConnectedPlan;

  constructor(readonly plan: SkipToRgbPlan, wDim: number, state: NetState, private readonly clamp: number | null) {
    this.t = modulatedTensors(state, `synthesis.${plan.name}`);
    this.affine = affinePlan(wDim, plan.in_channels);
  }

  forward(x: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => {
      const styles = tf.mul(fullyConnected(w, this.t.affineWeight, this.t.affineBias, this.affine), this.plan.styles_gain) as tf.Tensor2D;
      const y = modulatedConv(x, this.t.weight, styles, { sg3: false, demodulate: false, padding: 0, flip: false, inputGain: null });
      return biasAct(y, this.t.bias, { clamp: this.clamp }) as tf.Tensor4D;
    });
  }
}
