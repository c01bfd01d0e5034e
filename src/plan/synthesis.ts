/**
 * Generator plan: the synthesis network (input, layers, skip architecture) and the mapping network.
 * StyleGAN3 `Generator`: num_ws = rows of ws the synthesis consumes, broadcast by the mapping.
 */
import type { ResolvedConfig } from '../config/types.ts';
import { bilinearTaps } from './filters.ts';
import { attachSkipToRgbs, planLayer } from './layers.ts';
import { scheduleArrays } from './schedule.ts';
import type { FullyConnectedPlan, InputPlan, MappingPlan, SkipPlan, SynthesisPlan } from './types.ts';

/** Effective magnitude-EMA decay: the config's value, or train.py's 0.5 ** (batch / 20000). */
export function effectiveMagnitudeEmaBeta(cfg: ResolvedConfig): number {
  return cfg.generator.magnitude_ema_beta ?? Math.pow(0.5, cfg.train.batch / (20 * 1e3));
}

/** StyleGAN2 upsample2d of the running skip image: [1,3,3,1], up 2, padding [(fw+1)//2, (fw-2)//2] per axis. */
function planSkip(): SkipPlan {
  const f = bilinearTaps(2)!;
  const lo = Math.floor((f.length + 1) / 2);
  const hi = Math.floor((f.length - 2) / 2);
  return { up_factor: 2, up_filter: f, padding: [lo, hi, lo, hi], gain: 4 };
}

/**
 * Plans the synthesis network:
 * 1. schedule arrays (flexible or rigid) for levels 0..N.
 * 2. the input at level 0: Fourier features (SynthesisInput: channels[0], size[0], s[0] and the
 *    configured bandwidth) or StyleGAN2's learned constant; only a learned transform consumes a ws row.
 * 3. layers 0..N (planLayer), ws rows consecutive after the input's.
 * 4. skip architecture: ToRGBs at every lower resolution and the running-image upsampler.
 */
export function planSynthesis(cfg: ResolvedConfig): SynthesisPlan {
  const gen = cfg.generator;
  const res = cfg.data.resolution;
  const arr = scheduleArrays({ img_resolution: res, img_channels: cfg.data.channels, generator: gen });
  const isFourier = gen.input.kind === 'fourier';
  const transform = isFourier ? gen.input.transform : 'none';
  const inputWIndex = transform === 'learned' ? 0 : null;
  const input: InputPlan = {
    kind: gen.input.kind,
    name: isFourier ? 'input' : gen.schedule.kind === 'rigid' ? 'b4.const' : 'const',
    channels: arr.channels[0]!,
    size: [arr.sizes[0]!, arr.sizes[0]!],
    sampling_rate: arr.sampling_rates[0]!,
    // The schema defines generator.input.bandwidth as the features' own band (official: cutoffs[0],
    // equal to schedule.first_cutoff in T/R); on the rigid non-critical rows it may exceed L0's in_cutoff.
    bandwidth: gen.input.bandwidth,
    transform,
    w_index: inputWIndex,
  };
  const layerInputs = {
    generator: gen,
    img_resolution: res,
    img_channels: cfg.data.channels,
    magnitude_ema_beta: effectiveMagnitudeEmaBeta(cfg),
    first_w_index: inputWIndex === null ? 0 : 1,
  };
  const layers = arr.sampling_rates.map((_, i) => planLayer(arr, i, layerInputs));
  if (gen.skips) attachSkipToRgbs(layers, cfg.data.channels);
  return {
    schedule_kind: gen.schedule.kind,
    img_resolution: res,
    img_channels: cfg.data.channels,
    num_layers: arr.num_layers,
    num_critical: arr.num_critical,
    num_ws: layers[layers.length - 1]!.w_index + 1,
    margin_size: gen.schedule.margin_size,
    output_scale: gen.output_scale,
    input,
    layers,
    skip: gen.skips ? planSkip() : null,
  };
}

/** A fully connected layer: weight gain lr_multiplier / sqrt(in), bias gain lr_multiplier. */
export function planFullyConnected(name: string, inFeatures: number, outFeatures: number, activation: 'lrelu' | 'linear', lrMultiplier = 1, bias = true): FullyConnectedPlan {
  return {
    name,
    in_features: inFeatures,
    out_features: outFeatures,
    bias,
    activation,
    weight_gain: lrMultiplier / Math.sqrt(inFeatures),
    bias_gain: lrMultiplier,
  };
}

/** Mapping network: fc0 (z_dim -> w_dim), fc1..fc{L-1} (w_dim -> w_dim), all lrelu with lr_multiplier. */
export function planMapping(cfg: ResolvedConfig, numWs: number): MappingPlan {
  const gen = cfg.generator;
  const m = gen.mapping;
  const layers = Array.from({ length: m.layers }, (_, i) =>
    planFullyConnected(`fc${i}`, i === 0 ? gen.z_dim : gen.w_dim, gen.w_dim, 'lrelu', m.lr_multiplier));
  return {
    z_dim: gen.z_dim,
    c_dim: 0,
    w_dim: gen.w_dim,
    num_ws: numWs,
    num_layers: m.layers,
    layers,
    lr_multiplier: m.lr_multiplier,
    w_avg_beta: m.w_avg_beta,
  };
}
