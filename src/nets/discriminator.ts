/**
 * The discriminator (official networks_stylegan2.Discriminator, resnet/skip/orig) from its
 * DiscriminatorPlan. Images enter as NCHW [N, C, H, W] (what G returns) and run NHWC inside.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import { Rng } from '../io/rng.ts';
import type { FirFilter } from '../ops/fir.ts';
import { upfirdn2d } from '../ops/upfirdn2d.ts';
import type { DConvPlan, FullyConnectedPlan, Plan } from '../plan/types.ts';
import { biasAct } from '../ops/bias-act.ts';
import { conv2dOihw, fullyConnected } from './primitives.ts';
import { discriminatorSpecs } from './specs.ts';
import type { BuildOptions } from './generator.ts';
import { NetState } from './state.ts';
import { loadPreferred } from './weights.ts';

export interface DiscriminatorOptions {
  /** When given, receives an NCHW copy of each block's output and the epilogue's steps (official names). */
  activations?: Map<string, tf.Tensor>;
}

class DConv {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;
  private readonly f: FirFilter;

  constructor(readonly plan: DConvPlan, state: NetState) {
    this.weight = state.get(`${plan.name}.weight`);
    this.bias = plan.bias ? state.get(`${plan.name}.bias`) : null;
    this.f = plan.resample_filter ? tf.keep(tf.tensor1d(plan.resample_filter)) : null;
  }

  /**
   * Conv2dLayer (conv2d_resample + bias_act), NHWC:
   * 1. down 2, 3x3: upfirdn2d(x, f, padding) then a stride-2 'valid' conv;
   *    down 2, 1x1: upfirdn2d(x, f, down 2, padding) then the 1x1 conv; else a conv with k//2 zeros;
   * 2. weight * 1/sqrt(in k^2); bias, activation, * act_gain, clamp.
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    const c = this.plan;
    return tf.tidy(() => {
      const w = tf.mul(this.weight, c.weight_gain);
      let y: tf.Tensor4D;
      if (c.down > 1 && c.kernel === 1) {
        y = conv2dOihw(upfirdn2d(x, this.f, { down: c.down, padding: c.resample_padding! }), w);
      } else if (c.down > 1) {
        y = conv2dOihw(upfirdn2d(x, this.f, { padding: c.resample_padding! }), w, { stride: c.down });
      } else {
        y = conv2dOihw(x, w, { padding: c.conv_padding });
      }
      return biasAct(y, this.bias, { act: c.activation, gain: c.act_gain, clamp: c.conv_clamp }) as tf.Tensor4D;
    });
  }

  dispose(): void {
    this.f?.dispose();
  }
}

class DFullyConnected {
  private readonly weight: tf.Variable;
  private readonly bias: tf.Variable | null;
  constructor(readonly plan: FullyConnectedPlan, state: NetState) {
    this.weight = state.get(`${plan.name}.weight`);
    this.bias = plan.bias ? state.get(`${plan.name}.bias`) : null;
  }
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return fullyConnected(x, this.weight, this.bias, this.plan);
  }
}

/**
 * Minibatch standard deviation (official MinibatchStdLayer), NHWC [N, H, W, C] -> [N, H, W, C + F]:
 * G = min(group_size, N), n = N / G; sample i joins group i % n (x.reshape(G, n, ...)); per group the
 * biased variance over its G members, sqrt(var + 1e-8), averaged over H, W and the C/F channels of each
 * of the F stat channels; broadcast back to every member and appended as F extra channels.
 */
export function minibatchStd(x: tf.Tensor4D, groupSize: number, numChannels: number): tf.Tensor4D {
  const [N, H, W, C] = x.shape;
  const G = Math.min(groupSize, N);
  if (N % G !== 0) throw new RunError(`discriminator: minibatch-std group ${G} does not divide the batch (got N=${N})`);
  const n = N / G, F = numChannels, c = C / F;
  return tf.tidy(() => {
    const y = tf.reshape(x, [G, n, H, W, F, c]);                          // NHWC with C split as [F, c]
    const centred = tf.sub(y, tf.mean(y, 0));
    const std = tf.sqrt(tf.add(tf.mean(tf.square(centred), 0), 1e-8));   // [n, H, W, F, c]
    const stat = tf.mean(std, [1, 2, 4]);                                  // [n, F]
    const perSample = tf.tile(stat, [G, 1]);                               // [N, F]: row i = stat[i % n]
    const planes = tf.tile(tf.reshape(perSample, [N, 1, 1, F]), [1, H, W, 1]);
    return tf.concat([x, planes], 3) as tf.Tensor4D;
  });
}

export class Discriminator {
  private readonly blocks: { name: string; fromrgb: DConv | null; conv0: DConv; conv1: DConv; skip: DConv | null }[];
  private readonly epi: { fromrgb: DConv | null; conv: DConv; fc: DFullyConnected; out: DFullyConnected };

  constructor(readonly plan: Plan, readonly state: NetState) {
    const d = plan.discriminator;
    if (d.architecture !== 'resnet') throw new RunError(`discriminator.architecture: only 'resnet' is implemented (got '${d.architecture}')`);
    this.blocks = d.blocks.map((b) => {
      const by = (suffix: string) => b.layers.find((l) => l.name === `${b.name}.${suffix}`);
      const make = (suffix: string) => { const l = by(suffix); return l ? new DConv(l, state) : null; };
      return { name: b.name, fromrgb: make('fromrgb'), conv0: make('conv0')!, conv1: make('conv1')!, skip: make('skip') };
    });
    const e = d.epilogue;
    this.epi = { fromrgb: e.fromrgb ? new DConv(e.fromrgb, state) : null, conv: new DConv(e.conv, state), fc: new DFullyConnected(e.fc, state), out: new DFullyConnected(e.out, state) };
  }

  /**
   * img NCHW [N, C, res, res] -> logits [N, 1]:
   * 1. blocks res..8: [fromrgb on the first], y = skip(x) (gain sqrt(.5)), x = conv1(conv0(x)) (gain sqrt(.5)), x = y + x;
   * 2. epilogue: minibatch std, conv 3x3, fc on the NCHW-order flatten (c*16 + h*4 + w), out.
   */
  forward(img: tf.Tensor4D, c: tf.Tensor | null = null, opts: DiscriminatorOptions = {}): tf.Tensor2D {
    const d = this.plan.discriminator;
    if (img.rank !== 4 || img.shape[1] !== d.img_channels || img.shape[2] !== d.img_resolution || img.shape[3] !== d.img_resolution) {
      throw new RunError(`discriminator: img must be NCHW [N, ${d.img_channels}, ${d.img_resolution}, ${d.img_resolution}] (got [${img.shape}])`);
    }
    if (c != null && c.size > 0) throw new RunError(`discriminator: this discriminator is unconditional (got c of shape [${c.shape}])`);
    const acts = opts.activations;
    const record = (name: string, t: tf.Tensor) => { if (acts) acts.set(name, tf.keep(t.rank === 4 ? tf.transpose(t, [0, 3, 1, 2]) : tf.clone(t))); };
    return tf.tidy(() => {
      let x = tf.transpose(img, [0, 2, 3, 1]) as tf.Tensor4D; // NCHW -> NHWC
      for (const b of this.blocks) {
        if (b.fromrgb) x = b.fromrgb.forward(x);
        const y = b.skip ? b.skip.forward(x) : null;
        x = b.conv1.forward(b.conv0.forward(x));
        if (y) x = tf.add(y, x);
        record(b.name, x);
      }
      const mb = d.epilogue.mbstd;
      if (mb) { x = minibatchStd(x, mb.group_size, mb.num_channels); record('b4.mbstd', x); }
      x = this.epi.conv.forward(x);
      record('b4.conv', x);
      const n = x.shape[0];
      const flat = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, -1]) as tf.Tensor2D; // NCHW-order flatten
      const h = this.epi.fc.forward(flat);
      record('b4.fc', h);
      const out = this.epi.out.forward(h);
      record('b4.out', out);
      return out;
    });
  }

  trainableVariables(): tf.Variable[] {
    return this.state.trainableVariables();
  }

  dispose(): void {
    for (const b of this.blocks) for (const l of [b.fromrgb, b.conv0, b.conv1, b.skip]) l?.dispose();
    for (const l of [this.epi.fromrgb, this.epi.conv]) l?.dispose();
    this.state.dispose();
  }
}

/** A discriminator with the official initialisation drawn from `seed`, then the given weights if any (a checkpoint's D). */
export function buildDiscriminator(plan: Plan, opts: BuildOptions = {}): Discriminator {
  const D = new Discriminator(plan, new NetState(discriminatorSpecs(plan, new Rng(opts.seed ?? 0)), 'discriminator'));
  if (opts.weights !== undefined) {
    try {
      loadPreferred(D, opts.weights, ['D']);
    } catch (e) {
      D.dispose();
      throw e;
    }
  }
  return D;
}
