/**
 * The Plan: everything derived from a ResolvedConfig that the networks, the training loop and the
 * reports need, as plain JSON (no functions, no typed arrays, no Infinity/NaN), so that
 * `JSON.parse(JSON.stringify(plan))` deep-equals `plan`. Field names are the official StyleGAN3 ones
 * where one exists (snake_case, STYLE.md rule 6). Sizes are [width, height]; paddings are
 * [x_lo, x_hi, y_lo, y_hi]; frequencies are in cycles per image-unit (the official convention where a
 * layer with sampling rate s has s samples per unit). Layout notes refer to the official NCHW tensors.
 */
import type { FilterKind, InputKind, NormalizationKind, ScheduleKind } from '../config/types.ts';
import type { FilterTaps } from './filters.ts';

export const PLAN_FORMAT = 'sg3-plan';
export const PLAN_VERSION = 1;

export interface Plan {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  name: string;                 // the config's name
  img_resolution: number;
  img_channels: number;
  mapping: MappingPlan;
  synthesis: SynthesisPlan;
  discriminator: DiscriminatorPlan;
  training: TrainingPlan;
  cost: CostPlan;
}

// ---- mapping ------------------------------------------------------------------------------------

export interface FullyConnectedPlan {
  name: string;                 // official attribute name (fc0, affine, ...)
  in_features: number;
  out_features: number;
  bias: boolean;
  activation: 'lrelu' | 'linear';
  weight_gain: number;          // lr_multiplier / sqrt(in_features), applied to the stored weight at run time
  bias_gain: number;            // lr_multiplier
}

export interface MappingPlan {
  z_dim: number;
  c_dim: number;                // 0: unconditional
  w_dim: number;
  num_ws: number;               // rows of ws the synthesis network consumes
  num_layers: number;
  layers: FullyConnectedPlan[]; // fc0..fc{num_layers-1}: z_dim -> w_dim -> ... -> w_dim
  lr_multiplier: number;
  w_avg_beta: number;           // decay of the tracked W average
}

// ---- synthesis ----------------------------------------------------------------------------------

export interface InputPlan {
  kind: InputKind;              // constant (StyleGAN2 b4.const) or Fourier features
  name: string;                 // official state-dict prefix: 'input' (SynthesisInput) or 'b4.const'
  channels: number;
  size: [number, number];
  sampling_rate: number;        // s of the input
  bandwidth: number;            // radius of the Fourier features' frequency disc (generator.input.bandwidth; official: f_c[0])
  transform: 'none' | 'learned';// learned: the affine(w) rotation/translation of the features (H onwards)
  w_index: number | null;       // ws row feeding the input's affine; null when it has none
}

/** The extra ToRGB of StyleGAN2's skip architecture, hanging off a layer (A-C). */
export interface SkipToRgbPlan {
  name: string;                 // official name, e.g. b8.torgb
  in_channels: number;
  out_channels: number;         // img_channels
  size: [number, number];
  w_index: number;              // shares its row with the next layer (official SG2 ws layout)
  styles_gain: number;          // 1/sqrt(in_channels)
}

export interface LayerPlan {
  idx: number;
  name: string;                 // L{idx}_{out_w}_{out_channels} (StyleGAN3 attribute naming)
  official_name: string;        // state-dict prefix under `synthesis.`: the SG3 name, or bRES.conv0/conv1/torgb for row A (constant input)
  w_index: number;              // ws row feeding this layer's affine
  is_torgb: boolean;
  is_critically_sampled: boolean;
  is_filtered: boolean;         // nonlinearity between up- and down-sampling (F onwards)
  in_channels: number;
  out_channels: number;
  in_size: [number, number];
  out_size: [number, number];
  in_sampling_rate: number;     // s
  out_sampling_rate: number;
  tmp_sampling_rate: number;    // rate at which the nonlinearity runs: max(in, out) * m (1 for ToRGB / unfiltered)
  in_cutoff: number;            // f_c
  out_cutoff: number;
  in_half_width: number;        // f_h
  out_half_width: number;
  in_stopband: number;          // f_t = f_c + f_h (what the filters use)
  out_stopband: number;
  up_factor: number;
  down_factor: number;
  up_taps: number;              // 1 = identity
  down_taps: number;
  up_radial: boolean;           // always false (radial filters only down-sample)
  down_radial: boolean;
  filter_kind: FilterKind;
  up_filter: FilterTaps;        // designed, float32 values; null = identity
  down_filter: FilterTaps;
  /**
   * up_before_conv false (StyleGAN3 order): conv with `conv_padding` zeros on every side, then
   * filtered_lrelu(up_factor, up_filter, padding, lrelu, clamp, down_filter, down_factor).
   * up_before_conv true (StyleGAN2 order, unfiltered up-sampling layers): upfirdn2d(x, up_filter,
   * up=up_factor, padding, gain up^2), then a 'valid' conv (conv_padding 0), then bias, lrelu, clamp.
   */
  padding: [number, number, number, number];
  conv_kernel: number;          // 1 for ToRGB
  conv_padding: number;         // zeros added on every side by the conv itself
  up_before_conv: boolean;
  flip_kernel: boolean;         // the official StyleGAN2 up-layer applies its kernel as a true convolution
  demodulate: boolean;
  styles_gain: number;          // factor on affine(w): 1, or 1/sqrt(in_channels * k^2) for ToRGB
  lrelu_gain: number;           // sqrt(2), 1 for ToRGB
  lrelu_slope: number;          // 0.2, 1 (linear) for ToRGB
  conv_clamp: number | null;
  normalization: NormalizationKind; // magnitude_ema: input gain rsqrt(magnitude_ema)
  magnitude_ema_beta: number;   // effective decay of magnitude_ema
  use_noise: boolean;           // StyleGAN2 noise input (noise_const [out_h, out_w] * noise_strength)
  skip_torgb: SkipToRgbPlan | null; // skip architecture: this layer's output also feeds a ToRGB
}

/** Running-image upsampling of the skip architecture (StyleGAN2 upsample2d). */
export interface SkipPlan {
  up_factor: number;            // 2
  up_filter: number[];          // [1,3,3,1]/8
  padding: [number, number, number, number]; // [2,1,2,1]
  gain: number;                 // up^2 = 4
}

export interface SynthesisPlan {
  schedule_kind: ScheduleKind;
  img_resolution: number;
  img_channels: number;
  num_layers: number;           // layers excluding ToRGB
  num_critical: number;         // critically sampled layers at the end (excluding ToRGB)
  num_ws: number;
  margin_size: number;
  output_scale: number;
  input: InputPlan;
  layers: LayerPlan[];          // num_layers + 1 entries, the last one the ToRGB
  skip: SkipPlan | null;        // non-null for the skip architecture
}

// ---- discriminator -----------------------------------------------------------------------------

export interface DConvPlan {
  name: string;                 // official path, e.g. b16.conv1
  in_channels: number;
  out_channels: number;
  kernel: number;
  bias: boolean;
  activation: 'lrelu' | 'linear';
  weight_gain: number;          // 1/sqrt(in * k^2)
  act_gain: number;             // sqrt(2) (lrelu) or 1, times the block gain (sqrt(0.5) for resnet conv1/skip)
  conv_clamp: number | null;    // conv_clamp times the block gain, null = none
  down: number;                 // 1 or 2
  /** down 2: upfirdn2d(x, resample_filter, padding) first, then a stride-2 (3x3) or down-sampling (1x1) conv. */
  resample_filter: number[] | null;
  resample_padding: [number, number, number, number] | null;
  conv_padding: number;         // k // 2 without resampling, 0 after the filter
  in_size: number;
  out_size: number;
}

export interface DBlockPlan {
  name: string;                 // bRES
  resolution: number;
  in_channels: number;          // 0 for the first block (it starts with fromrgb)
  tmp_channels: number;
  out_channels: number;
  layers: DConvPlan[];          // fromrgb?, conv0, conv1, skip? in the official order
}

export interface DEpiloguePlan {
  name: 'b4';
  resolution: 4;
  in_channels: number;
  fromrgb: DConvPlan | null;    // skip architecture only
  mbstd: { group_size: number; num_channels: number } | null;
  conv: DConvPlan;
  fc: FullyConnectedPlan;       // on the NCHW-order flatten (c*16 + h*4 + w)
  out: FullyConnectedPlan;
}

export interface DiscriminatorPlan {
  architecture: 'resnet' | 'skip' | 'orig';
  img_resolution: number;
  img_channels: number;
  channels: Record<string, number>; // resolution -> channels
  blocks: DBlockPlan[];         // img_resolution down to 8
  epilogue: DEpiloguePlan;
}

// ---- training ----------------------------------------------------------------------------------

export interface AdamPlan {
  lr: number;                   // after the lazy-regularisation correction
  betas: [number, number];      // after the correction
  eps: number;
  mb_ratio: number;             // c = interval / (interval + 1); 1 without lazy regularisation
}

export interface PhasePlan {
  name: 'Gmain' | 'Greg' | 'Gboth' | 'Dmain' | 'Dreg' | 'Dboth';
  module: 'G' | 'D';
  interval: number;             // run when batch_idx % interval == 0
  gain: number;                 // loss gain = interval (official)
  terms: string[];              // loss terms evaluated (empty: the phase does nothing, as official)
}

export interface TrainingPlan {
  batch: number;
  batch_per_step: number;       // samples per forward/backward (official batch_gpu)
  accumulation_rounds: number;  // batch / batch_per_step
  total_kimg: number;
  phases: PhasePlan[];
  adam: { G: AdamPlan; D: AdamPlan };
  r1_gamma: number;
  r1_interval: number;
  pl_weight: number;
  pl_interval: number | null;   // null: no path-length regularisation
  pl_decay: number;
  pl_batch_shrink: number;
  style_mixing_prob: number;
  blur_init_sigma: number;
  blur_fade_kimg: number;       // effective (config null = batch * 200 / 32)
  blur_init_taps: number;       // 2 * floor(3 sigma) + 1, 0 when no blur
  ema_kimg: number;             // effective (config null = batch * 10 / 32)
  ema_nimg: number;             // ema_kimg * 1000
  ema_rampup: number | null;
  ema_beta: number;             // 0.5 ** (batch / ema_nimg), once the rampup is over
  magnitude_ema_beta: number;   // effective decay of every synthesis magnitude_ema
  w_avg_beta: number;
  mbstd_group_size: number;     // effective: min(group_size, batch_per_step)
  grid_w: number;               // snapshot grid columns gw (config null = official clip(7680 // W, 7, 32))
  grid_h: number;               // snapshot grid rows gh (config null = official clip(4320 // H, 4, 32))
}

// ---- cost --------------------------------------------------------------------------------------

export interface LayerCost {
  name: string;
  params: number;
  flops: number;                // per image, forward
}

export interface CostPlan {
  params: { g_mapping: number; g_synthesis: number; g_total: number; d: number };
  flops_per_image: { g_mapping: number; g_synthesis: number; g_total: number; d: number };
  synthesis: LayerCost[];       // input, every layer (skip ToRGBs folded into their layer)
  discriminator: LayerCost[];   // every block and the epilogue
}
