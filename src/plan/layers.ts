/**
 * Per-layer plan of the synthesis network (SynthesisLayer.__init__ of StyleGAN3, generalised by the
 * config switches of rows A-H): rates, cutoffs and half-widths come from the schedule arrays; this
 * file derives the resampling factors, filter taps, paddings, gains and flags of every layer.
 */
import type { GeneratorConfig } from '../config/types.ts';
import { bilinearNumtaps, designLowpassFilter } from './filters.ts';
import type { ScheduleArrays } from './schedule.ts';
import type { LayerPlan, SkipToRgbPlan } from './types.ts';

export interface LayerInputs {
  generator: GeneratorConfig;
  img_resolution: number;
  img_channels: number;
  magnitude_ema_beta: number;   // effective
  first_w_index: number;        // ws row of layer 0 (1 when the input has its own row)
}

/** Python's floor division, also for negative numerators (-21 // 2 = -11). */
function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Taps per resampling factor: filter.size * factor (StyleGAN3) or the bilinear tent's 2 * factor. */
function tapsFor(gen: GeneratorConfig, factor: number, isTorgb: boolean): number {
  if (factor === 1 || isTorgb) return 1;
  return gen.filter.kind === 'bilinear' ? bilinearNumtaps(factor) : gen.filter.size * factor;
}

/**
 * [lo, hi] padding of one axis. StyleGAN3 order (conv with k-1 zeros, then up, filter, lrelu, filter,
 * down): pad_total = (out-1) down + 1 - (in + k - 1) up + up_taps + down_taps - 2. StyleGAN2 order
 * (up, filter, then 'valid' conv): pad_total = out - in up + (up_taps - 1) + (k - 1). Both split as
 * lo = floor((pad_total + up) / 2) (the symmetric interpretation, paper Appendix C.3).
 */
function axisPadding(l: { in: number; out: number; k: number; up: number; down: number; upTaps: number; downTaps: number; upBeforeConv: boolean }): [number, number] {
  const total = l.upBeforeConv
    ? l.out - l.in * l.up + (l.upTaps - 1) + (l.k - 1)
    : (l.out - 1) * l.down + 1 - (l.in + l.k - 1) * l.up + l.upTaps + l.downTaps - 2;
  const lo = floorDiv(total + l.up, 2);
  return [lo, total - lo];
}

/**
 * Builds LayerPlan i (0..N; N is the ToRGB):
 * 1. prev = max(i-1, 0); in_* from level prev, out_* from level i (so layer 0 keeps the input's rate).
 * 2. tmp = max(s_in, s_out) * m (m = lrelu upsampling; 1 for ToRGB and unfiltered layers);
 *    up = tmp / s_in, down = tmp / s_out, taps = n * factor (or the bilinear tent), 1 for ToRGB.
 * 3. up filter: f_c = in_cutoff, width 2 in_half_width, fs = tmp; down filter: out_cutoff,
 *    2 out_half_width, fs = tmp, radial when use_radial_filters and not critically sampled.
 * 4. padding (see axisPadding); unfiltered up-sampling layers use StyleGAN2's order.
 */
export function planLayer(arr: ScheduleArrays, i: number, inp: LayerInputs): LayerPlan {
  const gen = inp.generator;
  const n = arr.num_layers;
  const prev = Math.max(i - 1, 0);
  const isTorgb = i === n;
  const isCritical = arr.is_critical[i]!;
  const isFiltered = gen.nonlinearity.filtered && !isTorgb;
  const sIn = arr.sampling_rates[prev]!;
  const sOut = arr.sampling_rates[i]!;
  const tmp = Math.max(sIn, sOut) * (isFiltered ? gen.nonlinearity.upsampling : 1);
  const up = Math.round(tmp / sIn);
  const down = Math.round(tmp / sOut);
  if (sIn * up !== tmp || sOut * down !== tmp) throw new Error(`planLayer: L${i}: tmp rate ${tmp} is not a multiple of ${sIn} and ${sOut}`);
  const upTaps = tapsFor(gen, up, isTorgb);
  const downTaps = tapsFor(gen, down, isTorgb);
  const downRadial = gen.radial_filters && !isCritical;
  const k = isTorgb ? 1 : gen.conv_kernel;
  const upBeforeConv = !isFiltered && up > 1;
  if (upBeforeConv && down !== 1) throw new Error(`planLayer: L${i}: unfiltered layer cannot both up- and down-sample`);
  const inSize = arr.sizes[prev]!;
  const outSize = arr.sizes[i]!;
  const [lo, hi] = axisPadding({ in: inSize, out: outSize, k, up, down, upTaps, downTaps, upBeforeConv });
  const inCutoff = arr.cutoffs[prev]!;
  const outCutoff = arr.cutoffs[i]!;
  const inHalf = arr.half_widths[prev]!;
  const outHalf = arr.half_widths[i]!;
  const filterArgs = { kind: gen.filter.kind, lanczos_a: gen.filter.lanczos_a, gaussian_sigma: gen.filter.gaussian_sigma, fs: tmp };
  const inChannels = arr.channels[prev]!;
  const outChannels = arr.channels[i]!;
  const name = `L${i}_${outSize}_${outChannels}`;
  return {
    idx: i,
    name,
    official_name: arr.official_names[i] || name,
    w_index: inp.first_w_index + i,
    is_torgb: isTorgb,
    is_critically_sampled: isCritical,
    is_filtered: isFiltered,
    in_channels: inChannels,
    out_channels: outChannels,
    in_size: [inSize, inSize],
    out_size: [outSize, outSize],
    in_sampling_rate: sIn,
    out_sampling_rate: sOut,
    tmp_sampling_rate: tmp,
    in_cutoff: inCutoff,
    out_cutoff: outCutoff,
    in_half_width: inHalf,
    out_half_width: outHalf,
    in_stopband: inCutoff + inHalf,
    out_stopband: outCutoff + outHalf,
    up_factor: up,
    down_factor: down,
    up_taps: upTaps,
    down_taps: downTaps,
    up_radial: false,
    down_radial: downRadial,
    filter_kind: gen.filter.kind,
    up_filter: designLowpassFilter({ ...filterArgs, numtaps: upTaps, cutoff: inCutoff, width: inHalf * 2, radial: false }),
    down_filter: designLowpassFilter({ ...filterArgs, numtaps: downTaps, cutoff: outCutoff, width: outHalf * 2, radial: downRadial }),
    padding: [lo, hi, lo, hi],
    conv_kernel: k,
    conv_padding: upBeforeConv ? 0 : k - 1,
    up_before_conv: upBeforeConv,
    flip_kernel: upBeforeConv,
    demodulate: !isTorgb,
    styles_gain: isTorgb ? 1 / Math.sqrt(inChannels * k * k) : 1,
    lrelu_gain: isTorgb ? 1 : Math.SQRT2,
    lrelu_slope: isTorgb ? 1 : 0.2,
    conv_clamp: gen.conv_clamp,
    normalization: gen.normalization,
    magnitude_ema_beta: inp.magnitude_ema_beta,
    use_noise: gen.noise && !isTorgb,
    skip_torgb: null,
  };
}

/**
 * Skip architecture (StyleGAN2 'skip', rows A-C): every layer that ends a resolution below the output
 * (b4.conv1, bR.conv1 for R < res) also feeds a ToRGB; its ws row is the next layer's (official
 * layout: each block's ToRGB shares its row with the next block's conv0). The final ToRGB layer
 * adds its output to the up-sampled running image.
 */
export function attachSkipToRgbs(layers: LayerPlan[], imgChannels: number): void {
  for (let i = 0; i + 1 < layers.length - 1; i++) {
    const layer = layers[i]!;
    const next = layers[i + 1]!;
    if (next.out_sampling_rate === layer.out_sampling_rate) continue;
    const skip: SkipToRgbPlan = {
      name: `b${layer.out_sampling_rate}.torgb`,
      in_channels: layer.out_channels,
      out_channels: imgChannels,
      size: layer.out_size,
      w_index: next.w_index,
      styles_gain: 1 / Math.sqrt(layer.out_channels),
    };
    layer.skip_torgb = skip;
  }
}
