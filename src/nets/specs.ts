/**
 * The state_dict layout of G and D for a Plan: every official key, its kind, shape and official
 * initial value, in the official order (per module: own parameters, own buffers, then children;
 * the Generator registers synthesis before mapping). Two naming schemes, chosen by the Plan's
 * `official_name`s: StyleGAN2 blocks (`synthesis.b8.conv0.*`, block `resample_filter`s, noise) and
 * StyleGAN3 layers (`synthesis.input.*`, `synthesis.L3_36_28.*`).
 *
 * Initial values follow the official constructors (weights ~ N(0,1), FC weights N(0,1)/lr_multiplier,
 * biases 0, affine biases 1, SynthesisInput affine 0 with bias [1,0,0,0], magnitude_ema 1, w_avg 0,
 * noise_strength 0), drawn from `rng` (not torch's generator: the values differ, the laws do not).
 */
import type { Rng } from '../io/rng.ts';
import type { DConvPlan, FullyConnectedPlan, LayerPlan, Plan, SkipToRgbPlan } from '../plan/types.ts';
import { bilinearTaps } from '../plan/filters.ts';
import { planFullyConnected } from '../plan/synthesis.ts';
import type { EntrySpec } from './state.ts';

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const fill = (shape: number[], v: number) => () => new Float32Array(numel(shape)).fill(v);
const randn = (rng: Rng, shape: number[], scale = 1) => () => rng.fillNormal(new Float32Array(numel(shape)), scale) as Float32Array;
const values = (v: number[]) => () => Float32Array.from(v);

/** The taps of a planned filter as a flat float32 buffer and its official shape ([n] or [n, n]). */
export function filterValues(taps: number[] | number[][]): { shape: number[]; data: Float32Array } {
  const is2d = Array.isArray(taps[0]);
  const shape = is2d ? [taps.length, (taps[0] as number[]).length] : [taps.length];
  return { shape, data: Float32Array.from((taps as (number | number[])[]).flat()) };
}

/** setup_filter([1,3,3,1]): the normalised 4x4 outer product every official SG2 module stores. */
function sg2ResampleFilter(): { shape: number[]; data: Float32Array } {
  const f = bilinearTaps(2)!;
  return filterValues(f.map((a) => f.map((b) => a * b)));
}

function filterEntry(name: string, f: { shape: number[]; data: Float32Array }): EntrySpec {
  return { name, kind: 'filter', shape: f.shape, init: () => f.data.slice() };
}

function fcEntries(prefix: string, fc: FullyConnectedPlan, rng: Rng, biasInit: number | number[] = 0, weightInit = 1): EntrySpec[] {
  const lr = fc.bias_gain; // lr_multiplier
  const w = [fc.out_features, fc.in_features];
  const out: EntrySpec[] = [{ name: `${prefix}.weight`, kind: 'param', shape: w, init: weightInit === 0 ? fill(w, 0) : randn(rng, w, weightInit / lr) }];
  if (fc.bias) {
    const b = Array.isArray(biasInit) ? biasInit : new Array(fc.out_features).fill(biasInit);
    out.push({ name: `${prefix}.bias`, kind: 'param', shape: [fc.out_features], init: values(b.map((v) => v / lr)) });
  }
  return out;
}

/** An affine FC w -> styles (linear, lr_multiplier 1), as the planner defines FC layers. */
function affinePlan(inFeatures: number, outFeatures: number): FullyConnectedPlan {
  return planFullyConnected('affine', inFeatures, outFeatures, 'linear');
}

interface LayerNaming { sg2: boolean }

/** One modulated layer (SG3 SynthesisLayer, SG2 SynthesisLayer or ToRGBLayer). */
function layerEntries(l: LayerPlan, wDim: number, naming: LayerNaming, rng: Rng): EntrySpec[] {
  const p = `synthesis.${l.official_name}`;
  const out: EntrySpec[] = [];
  const wShape = [l.out_channels, l.in_channels, l.conv_kernel, l.conv_kernel];
  out.push({ name: `${p}.weight`, kind: 'param', shape: wShape, init: randn(rng, wShape) });
  if (l.use_noise) out.push({ name: `${p}.noise_strength`, kind: 'param', shape: [], init: fill([], 0) });
  out.push({ name: `${p}.bias`, kind: 'param', shape: [l.out_channels], init: fill([l.out_channels], 0) });
  if (l.normalization === 'magnitude_ema') out.push({ name: `${p}.magnitude_ema`, kind: 'buffer', shape: [], init: fill([], 1) });
  if (naming.sg2) {
    if (!l.is_torgb) out.push(filterEntry(`${p}.resample_filter`, sg2ResampleFilter()));
  } else {
    if (l.up_filter) out.push(filterEntry(`${p}.up_filter`, filterValues(l.up_filter)));
    if (l.down_filter) out.push(filterEntry(`${p}.down_filter`, filterValues(l.down_filter)));
  }
  const [w, h] = l.out_size;
  if (l.use_noise) out.push({ name: `${p}.noise_const`, kind: 'buffer', shape: [h, w], init: randn(rng, [h, w]) });
  out.push(...fcEntries(`${p}.affine`, affinePlan(wDim, l.in_channels), rng, 1));
  return out;
}

function skipToRgbEntries(s: SkipToRgbPlan, wDim: number, rng: Rng): EntrySpec[] {
  const p = `synthesis.${s.name}`;
  const wShape = [s.out_channels, s.in_channels, 1, 1];
  return [
    { name: `${p}.weight`, kind: 'param', shape: wShape, init: randn(rng, wShape) },
    { name: `${p}.bias`, kind: 'param', shape: [s.out_channels], init: fill([s.out_channels], 0) },
    ...fcEntries(`${p}.affine`, affinePlan(wDim, s.in_channels), rng, 1),
  ];
}

/** Official SynthesisInput frequencies: uniform in the disc of radius `bandwidth`; phases U(-0.5, 0.5). */
function fourierBuffers(channels: number, bandwidth: number, rng: Rng): { freqs: Float32Array; phases: Float32Array } {
  const freqs = new Float32Array(channels * 2);
  for (let c = 0; c < channels; c++) {
    const fx = rng.normal(), fy = rng.normal();
    const r = Math.hypot(fx, fy);
    const scale = bandwidth / (r * Math.pow(Math.exp(r * r), 0.25));
    freqs[2 * c] = fx * scale;
    freqs[2 * c + 1] = fy * scale;
  }
  const phases = Float32Array.from({ length: channels }, () => rng.uniform() - 0.5);
  return { freqs, phases };
}

/** True when the Plan names the synthesis layers as StyleGAN2 blocks (row A). */
export function usesBlockNames(plan: Pick<Plan, 'synthesis'>): boolean {
  const l = plan.synthesis.layers[0]!;
  return l.official_name !== l.name;
}

function blockOf(officialName: string): string {
  return officialName.split('.')[0]!;
}

function inputEntries(plan: Plan, rng: Rng): EntrySpec[] {
  const inp = plan.synthesis.input;
  const wDim = plan.mapping.w_dim;
  if (inp.kind === 'constant') {
    const shape = [inp.channels, inp.size[1], inp.size[0]];
    return [{ name: `synthesis.${inp.name}`, kind: 'param', shape, init: randn(rng, shape) }];
  }
  const c = inp.channels;
  const { freqs, phases } = fourierBuffers(c, inp.bandwidth, rng);
  const out: EntrySpec[] = [
    { name: 'synthesis.input.weight', kind: 'param', shape: [c, c], init: randn(rng, [c, c]) },
    { name: 'synthesis.input.transform', kind: 'buffer', shape: [3, 3], init: values([1, 0, 0, 0, 1, 0, 0, 0, 1]) },
    { name: 'synthesis.input.freqs', kind: 'buffer', shape: [c, 2], init: () => freqs },
    { name: 'synthesis.input.phases', kind: 'buffer', shape: [c], init: () => phases },
  ];
  if (inp.transform === 'learned') out.push(...fcEntries('synthesis.input.affine', affinePlan(wDim, 4), rng, [1, 0, 0, 0], 0));
  return out;
}

/**
 * The generator's state layout:
 * 1. synthesis input (constant or Fourier features), then every layer in order with its skip
 *    ToRGB; StyleGAN2 naming adds each block's `resample_filter` when the block starts;
 * 2. mapping: w_avg, then fc0..fc{L-1}.
 */
export function generatorSpecs(plan: Plan, rng: Rng): EntrySpec[] {
  const wDim = plan.mapping.w_dim;
  const sg2 = usesBlockNames(plan);
  const out = inputEntries(plan, rng);
  let block = sg2 && plan.synthesis.input.kind === 'constant' ? blockOf(plan.synthesis.input.name) : '';
  if (block) out.push(filterEntry(`synthesis.${block}.resample_filter`, sg2ResampleFilter()));
  for (const l of plan.synthesis.layers) {
    if (sg2 && blockOf(l.official_name) !== block) {
      block = blockOf(l.official_name);
      out.push(filterEntry(`synthesis.${block}.resample_filter`, sg2ResampleFilter()));
    }
    out.push(...layerEntries(l, wDim, { sg2 }, rng));
    if (l.skip_torgb) out.push(...skipToRgbEntries(l.skip_torgb, wDim, rng));
  }
  const m = plan.mapping;
  out.push({ name: 'mapping.w_avg', kind: 'buffer', shape: [m.w_dim], init: fill([m.w_dim], 0) });
  for (const fc of m.layers) out.push(...fcEntries(`mapping.${fc.name}`, fc, rng));
  return out;
}

function convEntries(c: DConvPlan, rng: Rng): EntrySpec[] {
  const w = [c.out_channels, c.in_channels, c.kernel, c.kernel];
  const out: EntrySpec[] = [{ name: `${c.name}.weight`, kind: 'param', shape: w, init: randn(rng, w) }];
  if (c.bias) out.push({ name: `${c.name}.bias`, kind: 'param', shape: [c.out_channels], init: fill([c.out_channels], 0) });
  out.push(filterEntry(`${c.name}.resample_filter`, sg2ResampleFilter()));
  return out;
}

/** The discriminator's state layout: blocks (own resample_filter, then their layers), then the b4 epilogue. */
export function discriminatorSpecs(plan: Plan, rng: Rng): EntrySpec[] {
  const d = plan.discriminator;
  const out: EntrySpec[] = [];
  for (const b of d.blocks) {
    out.push(filterEntry(`${b.name}.resample_filter`, sg2ResampleFilter()));
    for (const c of b.layers) out.push(...convEntries(c, rng));
  }
  const e = d.epilogue;
  if (e.fromrgb) out.push(...convEntries(e.fromrgb, rng));
  out.push(...convEntries(e.conv, rng), ...fcEntries(e.fc.name, e.fc, rng), ...fcEntries(e.out.name, e.out, rng));
  return out;
}
