/**
 * The synthesis network ws -> image for every row of the ladder, from the SynthesisPlan alone
 * (official StyleGAN3 SynthesisNetwork; with the plan's switches also StyleGAN2's skip generator).
 * Layout: NHWC inside; the image leaves as NCHW [N, C, H, W], exactly what the official G returns.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { FirFilter } from '../ops/fir.ts';
import { upfirdn2d } from '../ops/upfirdn2d.ts';
import type { SynthesisPlan } from '../plan/types.ts';
import { usesBlockNames } from './specs.ts';
import type { NetState } from './state.ts';
import { SynthesisInput } from './synthesis-input.ts';
import { filterTensor, SkipToRgb, SynthesisLayer, type NoiseMode } from './synthesis-layer.ts';

export interface SynthesisOptions {
  noiseMode?: NoiseMode;        // StyleGAN2 noise (rows A-B): 'const' | 'random' (default, official) | 'none'
  updateEmas?: boolean;         // update every magnitude_ema (training, as the official Dmain phase)
  noiseSeed?: number;           // seed for noiseMode 'random'
  /** When given, receives an NCHW copy of every module's output (official module names), kept for the caller to dispose. */
  activations?: Map<string, tf.Tensor>;
}

export class SynthesisNetwork {
  readonly input: SynthesisInput;
  readonly layers: SynthesisLayer[];
  private readonly skips: (SkipToRgb | null)[];
  private readonly skipFilter: FirFilter;
  private readonly blockNames: boolean;

  constructor(readonly plan: SynthesisPlan, readonly wDim: number, state: NetState) {
    this.input = new SynthesisInput(plan.input, wDim, state);
    this.layers = plan.layers.map((l) => new SynthesisLayer(l, wDim, state));
    const clamp = plan.layers[plan.layers.length - 1]!.conv_clamp; // the generator's conv_clamp
    this.skips = plan.layers.map((l) => (l.skip_torgb ? new SkipToRgb(l.skip_torgb, wDim, state, clamp) : null));
    this.skipFilter = plan.skip ? filterTensor(plan.skip.up_filter) : null;
    this.blockNames = usesBlockNames({ synthesis: plan });
  }

  /**
   * ws [N, num_ws, w_dim] -> img NCHW [N, img_channels, res, res]:
   * 1. x = input(ws[input.w_index]) (constant or Fourier features, NHWC);
   * 2. each layer i: x = layer(x, ws[w_index]); with skips, the running image
   *    img = upsample2d(img) + torgb(x, ws[skip.w_index]) after the layers that carry one,
   *    and the final ToRGB output is added to it;
   * 3. img * output_scale, transposed to NCHW.
   */
  forward(ws: tf.Tensor3D, opts: SynthesisOptions = {}): tf.Tensor4D {
    const p = this.plan;
    if (ws.rank !== 3 || ws.shape[1] !== p.num_ws || ws.shape[2] !== this.wDim) {
      throw new RunError(`synthesis: ws must be [N, ${p.num_ws}, ${this.wDim}] (got [${ws.shape}])`);
    }
    const run = { noiseMode: opts.noiseMode ?? 'random', updateEmas: opts.updateEmas ?? false, noiseSeed: opts.noiseSeed };
    const acts = opts.activations;
    return tf.tidy(() => {
      const n = ws.shape[0];
      const rows = tf.unstack(ws, 1) as tf.Tensor2D[];
      let x = this.input.forward(p.input.w_index === null ? null : rows[p.input.w_index]!, n);
      this.record(acts, p.input.kind === 'constant' ? p.input.name : 'input', x);
      let img: tf.Tensor4D | null = null;
      this.layers.forEach((layer, i) => {
        const l = layer.plan;
        // Each layer draws its own noise: one seed for all layers would give same-size layers identical noise.
        x = layer.forward(x, rows[l.w_index]!, { ...run, noiseSeed: layerNoiseSeed(run.noiseSeed, i) });
        this.record(acts, this.moduleName(l.official_name, l.name), x);
        const skip = this.skips[i];
        if (skip) img = this.accumulate(img, skip.forward(x, rows[skip.plan.w_index]!), acts, skip.plan.name);
        else if (l.is_torgb && p.skip) img = this.accumulate(img, x, acts, l.official_name);
      });
      let out: tf.Tensor4D = p.skip ? img! : x;
      if (p.output_scale !== 1) out = tf.mul(out, p.output_scale);
      return tf.transpose(out, [0, 3, 1, 2]) as tf.Tensor4D; // NHWC -> NCHW
    });
  }

  /** Skip architecture: img = upsample2d(img, [1,3,3,1]) + y (StyleGAN2 SynthesisBlock). */
  private accumulate(img: tf.Tensor4D | null, y: tf.Tensor4D, acts: Map<string, tf.Tensor> | undefined, torgbName: string): tf.Tensor4D {
    this.record(acts, torgbName, y);
    let out = y;
    if (img) {
      const s = this.plan.skip!;
      const up = upfirdn2d(img, this.skipFilter, { up: s.up_factor, padding: s.padding, gain: s.gain });
      if (up.shape[1] !== y.shape[1]) throw new Error(`synthesis: skip image ${up.shape[1]}px does not meet ToRGB output ${y.shape[1]}px at ${torgbName}`);
      out = tf.add(up, y);
    }
    this.record(acts, torgbName.endsWith('torgb') ? torgbName.replace(/torgb$/, 'img') : `${torgbName}.img`, out);
    return out;
  }

  private moduleName(official: string, sg3: string): string {
    return this.blockNames ? official : sg3;
  }

  private record(acts: Map<string, tf.Tensor> | undefined, name: string, x: tf.Tensor4D): void {
    if (acts) acts.set(name, tf.keep(tf.transpose(x, [0, 3, 1, 2])));
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
    this.skipFilter?.dispose();
  }
}

/** A distinct, deterministic seed per layer from the call's seed (undefined stays unseeded). */
export function layerNoiseSeed(seed: number | undefined, layerIndex: number): number | undefined {
  if (seed === undefined) return undefined;
  // 32-bit mix (multiplier from splitmix32) so nearby call seeds do not give overlapping layer seeds.
  let h = (seed ^ Math.imul(layerIndex + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
