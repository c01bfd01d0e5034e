/**
 * Parameter counts and forward FLOPs per image, from the plan alone.
 *
 * Parameters: trainable tensors only (official `named_parameters()`), not buffers (magnitude_ema,
 * w_avg, filters, freqs, phases, transform, noise_const, resample_filter).
 *
 * FLOPs = 2 x multiply-adds of: fully connected layers (mapping, affines, D fc/out); convolutions
 * (output positions x O x I x k^2); weight modulation (one multiply-add per weight for the style
 * scale, and with demodulation two more: sum of squares and rescale); FIR filtering as an efficient
 * implementation does it (separable passes, x first; up-sampling polyphase: taps/up per output,
 * skipping the zero rows; down-sampling only at kept outputs, except D's strided 3x3 conv whose
 * pre-filter runs on every position); a crop right after a conv without up-sampling is folded into
 * the conv (cropped positions are not computed); the Fourier input (2 multiply-adds per feature for x fx + y fy,
 * and the channel mixing). Not counted: element-wise ops (bias, lrelu, clamp, noise, sin, mbstd).
 */
import { discriminatorParams, generatorParams, numel, type ParamSpec } from './params.ts';
import type { CostPlan, DConvPlan, FullyConnectedPlan, LayerCost, LayerPlan, Plan } from './types.ts';

type CostInput = Pick<Plan, 'mapping' | 'synthesis' | 'discriminator'>;

/** Parameter count per group (layer, block, ...) of a parameter list. */
function paramsByGroup(specs: ParamSpec[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of specs) out.set(s.group, (out.get(s.group) ?? 0) + numel(s.shape));
  return out;
}

function fcFlops(fc: FullyConnectedPlan): number {
  return 2 * fc.in_features * fc.out_features;
}

/** Multiply-adds of a separable up-sampling pass pair: polyphase taps/up, x pass on the source rows only. */
function upFilterMacs(channels: number, taps: number, up: number, srcRows: number, outRows: number, outCols: number): number {
  return channels * (taps / up) * outCols * (srcRows + outRows);
}

/** Multiply-adds of a down-sampling filter evaluated at kept outputs only. */
function downFilterMacs(channels: number, taps: number, radial: boolean, srcRows: number, outRows: number, outCols: number): number {
  return radial ? channels * taps * taps * outRows * outCols : channels * taps * outCols * (srcRows + outRows);
}

/**
 * FLOPs of one synthesis layer (square canvases):
 * 1. affine and modulation; 2. the conv on its output grid; 3. the up filter (before the conv in
 * StyleGAN2 order) and the down filter; 4. a skip ToRGB and the up-sampling of its image.
 */
function layerFlops(l: LayerPlan, wDim: number): number {
  const k2 = l.conv_kernel ** 2;
  const weights = l.out_channels * l.in_channels * k2;
  let macs = wDim * l.in_channels + weights * (l.demodulate ? 3 : 1);
  const [padLo, padHi] = l.padding;
  const inSize = l.in_size[0];
  const outSize = l.out_size[0];
  if (l.up_before_conv) {
    const filtered = inSize * l.up_factor + padLo + padHi - (l.up_taps - 1);
    macs += upFilterMacs(l.in_channels, l.up_taps, l.up_factor, inSize, filtered, filtered);
    const convOut = filtered - l.conv_kernel + 1;
    macs += weights * convOut * convOut;
  } else {
    const convOut = inSize + 2 * l.conv_padding - l.conv_kernel + 1;
    // A crop straight after the conv (no up-sampling filter) is folded into the conv's padding:
    // the cropped positions are never computed (StyleGAN2's 'same' conv, the ToRGB).
    const computed = l.up_factor === 1 && l.up_taps === 1 ? convOut + Math.min(padLo, 0) + Math.min(padHi, 0) : convOut;
    macs += weights * computed * computed;
    const filtered = convOut * l.up_factor + padLo + padHi - (l.up_taps - 1);
    if (l.up_taps > 1) macs += upFilterMacs(l.out_channels, l.up_taps, l.up_factor, convOut, filtered, filtered);
    if (l.down_taps > 1) macs += downFilterMacs(l.out_channels, l.down_taps, l.down_radial, filtered, outSize, outSize);
  }
  const s = l.skip_torgb;
  if (s) {
    const size = s.size[0];
    macs += wDim * s.in_channels + s.out_channels * s.in_channels * (1 + size * size);
    macs += upFilterMacs(s.out_channels, 4, 2, size, 2 * size, 2 * size);
  }
  return 2 * macs;
}

function synthesisCosts(p: CostInput): LayerCost[] {
  const wDim = p.mapping.w_dim;
  const params = paramsByGroup(generatorParams(p));
  const inp = p.synthesis.input;
  const [w, h] = inp.size;
  const c = inp.channels;
  const inputFlops = inp.kind === 'fourier' ? 2 * ((inp.transform === 'learned' ? wDim * 4 : 0) + c * c * w * h + 2 * c * w * h) : 0;
  const input: LayerCost = { name: inp.name, params: params.get(inp.name) ?? 0, flops: inputFlops };
  return [input, ...p.synthesis.layers.map((l) => ({ name: l.name, params: params.get(l.name) ?? 0, flops: layerFlops(l, wDim) }))];
}

/** D conv FLOPs: the [1,3,3,1] pre-filter (all positions for 3x3 stride 2, kept ones for 1x1) and the conv. */
function dConvFlops(c: DConvPlan): number {
  let macs = c.out_channels * c.in_channels * c.kernel ** 2 * c.out_size * c.out_size;
  if (c.resample_filter && c.resample_padding) {
    const taps = c.resample_filter.length;
    const padded = c.in_size + c.resample_padding[0] + c.resample_padding[1];
    if (c.kernel === 1) macs += downFilterMacs(c.in_channels, taps, false, padded, c.out_size, c.out_size);
    else macs += c.in_channels * taps * (padded - taps + 1) * (2 * padded - taps + 1);
  }
  return 2 * macs;
}

function discriminatorCosts(p: CostInput): LayerCost[] {
  const d = p.discriminator;
  const params = paramsByGroup(discriminatorParams(p));
  const blocks = d.blocks.map((b) => ({
    name: b.name,
    params: params.get(b.name) ?? 0,
    flops: b.layers.reduce((a, c) => a + dConvFlops(c), 0),
  }));
  const e = d.epilogue;
  const convs = [e.fromrgb, e.conv].filter((c): c is DConvPlan => c !== null);
  const epilogue = {
    name: e.name,
    params: params.get(e.name) ?? 0,
    flops: convs.reduce((a, c) => a + dConvFlops(c), 0) + fcFlops(e.fc) + fcFlops(e.out),
  };
  return [...blocks, epilogue];
}

const sum = (xs: LayerCost[], key: 'params' | 'flops') => xs.reduce((a, x) => a + x[key], 0);

/** Counts parameters and forward FLOPs per image of G (mapping + synthesis) and D. */
export function planCost(p: CostInput): CostPlan {
  const synthesis = synthesisCosts(p);
  const discriminator = discriminatorCosts(p);
  const mapParams = paramsByGroup(generatorParams(p)).get('mapping') ?? 0;
  const mapFlops = p.mapping.layers.reduce((a, fc) => a + fcFlops(fc), 0);
  const synParams = sum(synthesis, 'params');
  const synFlops = sum(synthesis, 'flops');
  return {
    params: { g_mapping: mapParams, g_synthesis: synParams, g_total: mapParams + synParams, d: sum(discriminator, 'params') },
    flops_per_image: { g_mapping: mapFlops, g_synthesis: synFlops, g_total: mapFlops + synFlops, d: sum(discriminator, 'flops') },
    synthesis,
    discriminator,
  };
}
