/**
 * The per-level numbers of the synthesis network (the paper's Figure 4c): for index i = 0..N
 * (N = number of layers excluding ToRGB; index N is the ToRGB, index 0 also describes the input)
 * the sampling rate s, cutoff f_c, transition half-width f_h, canvas size and channel count.
 * Two schedules, one code path downstream (layers.ts builds the same LayerPlan from either):
 *   - flexible: StyleGAN3's geometric progression (SynthesisNetwork.__init__, paper Section 3.2/Appendix F).
 *   - rigid: StyleGAN2's one-rate-per-resolution layout used by rows A-H (docs/plan.md).
 */
import type { GeneratorConfig } from '../config/types.ts';

export interface ScheduleArrays {
  num_layers: number;           // N
  num_critical: number;
  sampling_rates: number[];     // s[i]
  cutoffs: number[];            // f_c[i]
  half_widths: number[];        // f_h[i]
  sizes: number[];              // canvas size (square) of level i
  channels: number[];
  is_critical: boolean[];
  official_names: string[];     // state-dict prefix of layer i under `synthesis.` ('' = use the SG3 name)
}

export interface ScheduleInputs {
  img_resolution: number;
  img_channels: number;
  generator: GeneratorConfig;
}

/** numpy.rint: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Channel rule: SG3's rint(min((base/2) / f_c, max)) or StyleGAN2's min(base // s, max). */
function channelsFor(gen: GeneratorConfig, cutoff: number, rate: number): number {
  const { base, max } = gen.channels;
  if (gen.schedule.channels_by_cutoff) return roundHalfEven(Math.min((base / 2) / cutoff, max));
  return Math.min(Math.floor(base / rate), max);
}

/**
 * StyleGAN3 flexible schedule, exactly as the official SynthesisNetwork.__init__:
 * 1. exponents e_i = min(i / (N - N_crit), 1), i = 0..N.
 * 2. f_c[i] = f_c0 (res/2 / f_c0)^e_i; f_t[i] = f_t0 (res/2 * rel / f_t0)^e_i.
 * 3. s[i] = exp2(ceil(log2(min(2 f_t[i], res)))); f_h[i] = max(f_t[i], s[i]/2) - f_c[i].
 * 4. size[i] = s[i] + 2 margin, the last two = res; channels by rule, the last = img_channels.
 */
export function flexibleSchedule(inp: ScheduleInputs): ScheduleArrays {
  const gen = inp.generator;
  const sch = gen.schedule;
  const res = inp.img_resolution;
  const n = sch.layers;
  const lastCutoff = res / 2;
  const lastStopband = lastCutoff * sch.last_stopband_rel;
  const idx = Array.from({ length: n + 1 }, (_, i) => i);
  const exponents = idx.map((i) => Math.min(i / (n - sch.critical_layers), 1));
  const cutoffs = exponents.map((e) => sch.first_cutoff * Math.pow(lastCutoff / sch.first_cutoff, e));
  const stopbands = exponents.map((e) => sch.first_stopband * Math.pow(lastStopband / sch.first_stopband, e));
  const rates = stopbands.map((ft) => Math.pow(2, Math.ceil(Math.log2(Math.min(ft * 2, res)))));
  const halfWidths = idx.map((i) => Math.max(stopbands[i]!, rates[i]! / 2) - cutoffs[i]!);
  const sizes = rates.map((s, i) => (i >= n - 1 ? res : s + 2 * sch.margin_size));
  const channels = idx.map((i) => (i === n ? inp.img_channels : channelsFor(gen, cutoffs[i]!, rates[i]!)));
  return {
    num_layers: n,
    num_critical: sch.critical_layers,
    sampling_rates: rates,
    cutoffs,
    half_widths: halfWidths,
    sizes,
    channels,
    is_critical: idx.map((i) => i >= n - sch.critical_layers),
    official_names: idx.map(() => ''),
  };
}

/** f_h = (sqrt2 - 1) s/2: stopband f_c + f_h = s/sqrt2 when critical, s/2 when not (docs/plan.md). */
export function rigidHalfWidth(rate: number): number {
  return (Math.SQRT2 - 1) * rate / 2;
}

/**
 * Rigid (StyleGAN2-style) schedule of rows A-H:
 * 1. levels: s = 4 (b4.conv1), then for r = 8..res two layers, r/2 -> r (bR.conv0) and r -> r
 *    (bR.conv1); then the ToRGB at res. N = 1 + 2 log2(res/4).
 * 2. critical (sampling: critical, or one of the last `critical_layers` layers, or ToRGB): f_c = s/2;
 *    otherwise f_c = s/2 - f_h; f_h = (sqrt2 - 1) s/2 always.
 * 3. size = s + 2 margin, the last conv layer and ToRGB = res; channels by rule, ToRGB = img_channels.
 * 4. state-dict names: StyleGAN2's bR.conv0/conv1/torgb with the constant input (row A), else the SG3 names.
 */
export function rigidSchedule(inp: ScheduleInputs): ScheduleArrays {
  const gen = inp.generator;
  const sch = gen.schedule;
  const res = inp.img_resolution;
  const rates = [4];
  const names = ['b4.conv1'];
  for (let r = 8; r <= res; r *= 2) {
    rates.push(r, r);
    names.push(`b${r}.conv0`, `b${r}.conv1`);
  }
  const n = rates.length;
  rates.push(res);
  names.push(`b${res}.torgb`);
  const idx = rates.map((_, i) => i);
  const isCritical = idx.map((i) => sch.sampling === 'critical' || i >= n - sch.critical_layers);
  const halfWidths = rates.map((s) => rigidHalfWidth(s));
  const cutoffs = rates.map((s, i) => (isCritical[i] ? s / 2 : s / 2 - halfWidths[i]!));
  const sizes = rates.map((s, i) => (i >= n - 1 ? res : s + 2 * sch.margin_size));
  const channels = idx.map((i) => (i === n ? inp.img_channels : channelsFor(gen, cutoffs[i]!, rates[i]!)));
  return {
    num_layers: n,
    num_critical: isCritical.slice(0, n).filter((c) => c).length,
    sampling_rates: rates,
    cutoffs,
    half_widths: halfWidths,
    sizes,
    channels,
    is_critical: isCritical,
    // StyleGAN2 block names only for the official StyleGAN2 network (row A: the learned constant
    // input); from row B on the generator is named like StyleGAN3 (synthesis.input, L{i}_{size}_{ch}).
    official_names: gen.input.kind === 'constant' ? names : idx.map(() => ''),
  };
}

export function scheduleArrays(inp: ScheduleInputs): ScheduleArrays {
  return inp.generator.schedule.kind === 'flexible' ? flexibleSchedule(inp) : rigidSchedule(inp);
}
