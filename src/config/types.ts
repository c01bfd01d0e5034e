/**
 * The resolved config: what `schema/config.schema.json` describes, after `extends:`, the profile and
 * `--set` are applied and every default is filled. Plain data; the planner is a function of this.
 * Keys follow the official StyleGAN3 keyword where one exists (STYLE.md rule 6).
 */

export type FilterKind = 'kaiser' | 'lanczos' | 'gaussian' | 'bilinear';
export type InputKind = 'constant' | 'fourier';
export type ScheduleKind = 'rigid' | 'flexible';
export type SamplingKind = 'critical' | 'noncritical';
export type NormalizationKind = 'none' | 'magnitude_ema';
export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
export type DatasetKind = 'procedural' | 'folder' | 'zip' | 'fashion-mnist';
export type AugmentKind = 'none' | 'fixed' | 'ada';

export interface PaperRow {
  figure: string;        // e.g. "3-left"
  row: string;           // "A".."H", "T", "R"
  fid: number | null;
  eqt: number | null;
  eqr: number | null;
}

export interface DataConfig {
  kind: DatasetKind;
  path: string | null;          // folder/zip path, or the Fashion-MNIST IDX directory
  resolution: number;           // img_resolution: a power of two >= 16
  channels: number;             // img_channels: 1 or 3
  mirror: boolean;              // x-flip augmentation of the dataset (official --mirror)
  max_images: number | null;
  num_images: number;           // procedural dataset size
  seed: number;                 // procedural dataset seed
  prefetch: number;             // bounded prefetch queue, in batches
}

export interface GeneratorConfig {
  z_dim: number;
  w_dim: number;
  mapping: {
    layers: number;             // num_layers of the mapping network
    lr_multiplier: number;      // 0.01 officially
    w_avg_beta: number;         // 0.998
  };
  channels: { base: number; max: number };   // channel_base / channel_max the synthesis network uses
  input: {
    kind: InputKind;            // constant 4x4 (StyleGAN2) or Fourier features (B onwards)
    bandwidth: number;          // first cutoff of the Fourier input (2)
    transform: 'none' | 'learned';  // H onwards: affine-predicted rotation/translation of the features
  };
  noise: boolean;               // StyleGAN2 per-pixel noise inputs
  skips: boolean;               // StyleGAN2 skip ToRGB architecture (output skip connections)
  normalization: NormalizationKind;  // magnitude_ema: divide conv input by its EMA RMS (D onwards)
  schedule: {
    kind: ScheduleKind;         // rigid: one sampling rate per StyleGAN2 resolution; flexible: the SG3 geometric schedule
    layers: number;             // num_layers (N) for flexible
    critical_layers: number;    // num_critical
    first_cutoff: number;       // f_c of layer 0
    first_stopband: number;     // f_t0
    last_stopband_rel: number;  // f_t of the last layer relative to its cutoff
    margin_size: number;        // pixels of margin around the canvas (0 in A-D, 10 from E)
    sampling: SamplingKind;     // critical: f_c = s/2; noncritical: f_c = s/2 - f_h (except the last layers)
    channels_by_cutoff: boolean;// channels ∝ 1/f_c (G onwards) instead of StyleGAN2's per-resolution rule
  };
  filter: {
    kind: FilterKind;           // resampling filter family
    size: number;               // taps per unit of up/down sampling (the paper's n)
    lanczos_a: number;
    gaussian_sigma: number;
  };
  nonlinearity: {
    filtered: boolean;          // F onwards: upsample, leaky ReLU, downsample
    upsampling: number;         // the paper's m (lrelu_upsampling)
  };
  conv_kernel: number;          // 3, or 1 for R
  radial_filters: boolean;      // use_radial_filters (R): jinc down-filters
  magnitude_ema_beta: number | null;   // null = 0.5 ** (batch / 20000) as train.py
  conv_clamp: number | null;
  output_scale: number;         // 0.25 in SG3
}

export interface DiscriminatorConfig {
  architecture: 'resnet' | 'skip' | 'orig'; // the planner lays out all three; the schema admits only resnet, the one nets/ builds
  channels: { base: number; max: number };
  mbstd_group_size: number;
  mbstd_channels: number;
  conv_clamp: number | null;
}

export interface LossConfig {
  r1_gamma: number;
  r1_interval: number;          // lazy regularisation interval (D steps)
  style_mixing_prob: number;
  pl_weight: number;
  pl_interval: number;
  pl_decay: number;
  pl_batch_shrink: number;
  blur_sigma: number;           // blur_init_sigma of D's input
  blur_fade_kimg: number | null;  // null = batch * 200 / 32
}

export interface AdamConfig { lr: number; betas: [number, number]; eps: number }

export interface TrainConfig {
  batch: number;                // total batch (official --batch)
  batch_per_step: number | null;  // batch_gpu: per forward/backward; null = batch
  kimg: number;                 // total_kimg
  seed: number;
  ema_kimg: number | null;      // null = batch * 10 / 32
  ema_rampup: number | null;
  snapshot_kimg: number;        // checkpoint interval
  image_kimg: number;           // fakes grid interval
  grid: [number, number] | null;  // snapshot grid [gw, gh]; null = official size from the resolution
  keep_checkpoints: number;
}

export interface AugmentConfig {
  kind: AugmentKind;
  p: number | null;             // fixed p or initial ADA p; null = official (0.2 fixed, 0 ada)
  target: number;               // ADA target r_t
  ada_kimg: number;
  interval: number;             // ADA adjust every N steps
  pipe: 'bgc' | 'bg' | 'b' | 'c' ; // which groups of the official pipeline
}

export interface MetricsConfig {
  names: string[];
  every_kimg: number | null;
  num: number | null;
  inception: string | null;     // path to the Inception-v3 safetensors
}

export interface RuntimeConfig {
  backend: BackendName;
  runs_dir: string;
}

export interface ResolvedConfig {
  name: string;                 // defaults to the file's base name
  description: string;
  paper: PaperRow | null;
  data: DataConfig;
  generator: GeneratorConfig;
  discriminator: DiscriminatorConfig;
  loss: LossConfig;
  optim: { generator: AdamConfig; discriminator: AdamConfig };
  train: TrainConfig;
  augment: AugmentConfig;
  metrics: MetricsConfig;
  runtime: RuntimeConfig;
}
