/**
 * The trainable tensors of G and D under their official state-dict names and NCHW-era shapes
 * (conv weights OIHW [out, in, kh, kw], FC weights [out, in]), in the official `named_parameters()`
 * order. nets/ can check loaded weights against it; cost.ts counts parameters from it. Buffers
 * (magnitude_ema, w_avg, filters, freqs, phases, transform, noise_const, resample_filter) are not listed.
 */
import type { DConvPlan, FullyConnectedPlan, LayerPlan, Plan } from './types.ts';

export interface ParamSpec {
  name: string;                 // official key, e.g. synthesis.L3_36_28.affine.weight
  shape: number[];              // [] for scalars (SG2 noise_strength)
  group: string;                // the cost-table row it belongs to (layer, input, block, mapping layer)
}

type ParamInput = Pick<Plan, 'mapping' | 'synthesis' | 'discriminator'>;

export function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function fcParams(prefix: string, fc: FullyConnectedPlan, group: string): ParamSpec[] {
  const out: ParamSpec[] = [{ name: `${prefix}.weight`, shape: [fc.out_features, fc.in_features], group }];
  if (fc.bias) out.push({ name: `${prefix}.bias`, shape: [fc.out_features], group });
  return out;
}

/** A modulated conv layer: weight, [noise_strength], bias, then its affine (w_dim -> in_channels). */
function modulatedParams(prefix: string, inCh: number, outCh: number, k: number, wDim: number, noise: boolean, group: string): ParamSpec[] {
  const out: ParamSpec[] = [{ name: `${prefix}.weight`, shape: [outCh, inCh, k, k], group }];
  if (noise) out.push({ name: `${prefix}.noise_strength`, shape: [], group });
  out.push({ name: `${prefix}.bias`, shape: [outCh], group });
  out.push({ name: `${prefix}.affine.weight`, shape: [inCh, wDim], group }, { name: `${prefix}.affine.bias`, shape: [inCh], group });
  return out;
}

function layerParams(l: LayerPlan, wDim: number): ParamSpec[] {
  const out = modulatedParams(`synthesis.${l.official_name}`, l.in_channels, l.out_channels, l.conv_kernel, wDim, l.use_noise, l.name);
  const s = l.skip_torgb;
  if (s) out.push(...modulatedParams(`synthesis.${s.name}`, s.in_channels, s.out_channels, 1, wDim, false, l.name));
  return out;
}

/** Generator parameters: synthesis (input, layers with their skip ToRGBs), then mapping. */
export function generatorParams(p: ParamInput): ParamSpec[] {
  const wDim = p.mapping.w_dim;
  const inp = p.synthesis.input;
  const out: ParamSpec[] = [];
  if (inp.kind === 'constant') {
    out.push({ name: `synthesis.${inp.name}`, shape: [inp.channels, inp.size[1], inp.size[0]], group: inp.name });
  } else {
    out.push({ name: 'synthesis.input.weight', shape: [inp.channels, inp.channels], group: inp.name });
    if (inp.transform === 'learned') {
      out.push({ name: 'synthesis.input.affine.weight', shape: [4, wDim], group: inp.name }, { name: 'synthesis.input.affine.bias', shape: [4], group: inp.name });
    }
  }
  for (const l of p.synthesis.layers) out.push(...layerParams(l, wDim));
  for (const fc of p.mapping.layers) out.push(...fcParams(`mapping.${fc.name}`, fc, 'mapping'));
  return out;
}

function convParams(c: DConvPlan, group: string): ParamSpec[] {
  const out: ParamSpec[] = [{ name: `${c.name}.weight`, shape: [c.out_channels, c.in_channels, c.kernel, c.kernel], group }];
  if (c.bias) out.push({ name: `${c.name}.bias`, shape: [c.out_channels], group });
  return out;
}

/** Discriminator parameters: blocks from the top resolution down, then the b4 epilogue. */
export function discriminatorParams(p: ParamInput): ParamSpec[] {
  const d = p.discriminator;
  const out: ParamSpec[] = [];
  for (const b of d.blocks) for (const c of b.layers) out.push(...convParams(c, b.name));
  const e = d.epilogue;
  if (e.fromrgb) out.push(...convParams(e.fromrgb, e.name));
  out.push(...convParams(e.conv, e.name), ...fcParams(e.fc.name, e.fc, e.name), ...fcParams(e.out.name, e.out, e.name));
  return out;
}
