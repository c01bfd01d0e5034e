/**
 * Test factory: a complete ResolvedConfig with the StyleGAN3-T defaults of the official train.py
 * (--cfg=stylegan3-t, cbase 32768, cmax 512, batch 32) at a given resolution, plus deep overrides.
 * The real configs (configs/*.yaml through src/config) are tested separately when they exist.
 */
import type { ResolvedConfig } from '../../src/config/types.ts';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | null : T[K] };

export function defaultsT(resolution: number): ResolvedConfig {
  return {
    name: `test-T${resolution}`,
    description: 'StyleGAN3-T defaults (test factory)',
    paper: null,
    data: { kind: 'procedural', path: null, resolution, channels: 3, mirror: false, max_images: null, num_images: 1000, seed: 0, prefetch: 2 },
    generator: {
      z_dim: 512,
      w_dim: 512,
      mapping: { layers: 2, lr_multiplier: 0.01, w_avg_beta: 0.998 },
      channels: { base: 32768, max: 512 },
      input: { kind: 'fourier', bandwidth: 2, transform: 'learned' },
      noise: false,
      skips: false,
      normalization: 'magnitude_ema',
      schedule: {
        kind: 'flexible', layers: 14, critical_layers: 2, first_cutoff: 2, first_stopband: 2 ** 2.1,
        last_stopband_rel: 2 ** 0.3, margin_size: 10, sampling: 'noncritical', channels_by_cutoff: true,
      },
      filter: { kind: 'kaiser', size: 6, lanczos_a: 2, gaussian_sigma: 0.4 },
      nonlinearity: { filtered: true, upsampling: 2 },
      conv_kernel: 3,
      radial_filters: false,
      magnitude_ema_beta: null,
      conv_clamp: 256,
      output_scale: 0.25,
    },
    discriminator: { architecture: 'resnet', channels: { base: 32768, max: 512 }, mbstd_group_size: 4, mbstd_channels: 1, conv_clamp: 256 },
    loss: {
      r1_gamma: 2, r1_interval: 16, style_mixing_prob: 0, pl_weight: 0, pl_interval: 4, pl_decay: 0.01,
      pl_batch_shrink: 2, blur_sigma: 0, blur_fade_kimg: null,
    },
    optim: {
      generator: { lr: 0.0025, betas: [0, 0.99], eps: 1e-8 },
      discriminator: { lr: 0.002, betas: [0, 0.99], eps: 1e-8 },
    },
    train: {
      batch: 32, batch_per_step: null, kimg: 25000, seed: 0, ema_kimg: null, ema_rampup: 0.05,
      snapshot_kimg: 200, image_kimg: 200, grid: null, keep_checkpoints: 3,
    },
    augment: { kind: 'ada', p: 0, target: 0.6, ada_kimg: 500, interval: 4, pipe: 'bgc' },
    metrics: { names: ['fid50k_full'], every_kimg: null, num: null, inception: null },
    runtime: { backend: 'auto', runs_dir: 'runs' },
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = merge(base[k], v);
  }
  return out;
}

export function makeConfig(resolution: number, overrides: DeepPartial<ResolvedConfig> = {}): ResolvedConfig {
  return merge(defaultsT(resolution), overrides) as ResolvedConfig;
}

/** StyleGAN3-R as train.py --cfg=stylegan3-r: 1x1 convs, doubled channels, radial filters, blur 10. */
export function configR(resolution: number, overrides: DeepPartial<ResolvedConfig> = {}): ResolvedConfig {
  const r = makeConfig(resolution, {
    generator: { conv_kernel: 1, radial_filters: true, channels: { base: 65536, max: 1024 } },
    loss: { blur_sigma: 10 },
  });
  return merge(r, overrides) as ResolvedConfig;
}

/** Row A (StyleGAN2) on the rigid schedule: constant input, noise, skips, bilinear filters, no margin. */
export function configA(resolution: number, overrides: DeepPartial<ResolvedConfig> = {}): ResolvedConfig {
  const a = makeConfig(resolution, {
    generator: {
      mapping: { layers: 8 },
      input: { kind: 'constant', transform: 'none' },
      noise: true,
      skips: true,
      normalization: 'none',
      schedule: { kind: 'rigid', margin_size: 0, sampling: 'critical', channels_by_cutoff: false },
      filter: { kind: 'bilinear' },
      nonlinearity: { filtered: false },
      output_scale: 1,
    },
    loss: { style_mixing_prob: 0.9, pl_weight: 2 },
    optim: { generator: { lr: 0.002 } },
  });
  return merge(a, overrides) as ResolvedConfig;
}

export const LADDER = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'T', 'R'] as const;
export type Row = (typeof LADDER)[number];

/**
 * The paper's Figure 3 (left) ladder as cumulative overrides (DESIGN.md): each row changes only
 * what the paper's row changes. The real configs/*.yaml are the authority; this mirrors them for tests.
 */
export function ladderConfig(row: Row, resolution: number): ResolvedConfig {
  if (row === 'T') return makeConfig(resolution);
  if (row === 'R') return configR(resolution);
  const steps: DeepPartial<ResolvedConfig>[] = [
    {},                                                                       // A: StyleGAN2
    { generator: { input: { kind: 'fourier', transform: 'none' } } },         // B: + Fourier features
    { generator: { noise: false } },                                          // C: - noise inputs
    { generator: { skips: false, normalization: 'magnitude_ema', mapping: { layers: 2 }, output_scale: 0.25 }, loss: { style_mixing_prob: 0, pl_weight: 0 } }, // D: simplified generator
    { generator: { schedule: { margin_size: 10 }, filter: { kind: 'kaiser' } } },                 // E: boundaries and upsampling
    { generator: { nonlinearity: { filtered: true } } },                                          // F: filtered nonlinearities
    { generator: { schedule: { sampling: 'noncritical', channels_by_cutoff: true } } },           // G: non-critical sampling
    { generator: { input: { transform: 'learned' } } },                                           // H: transformed Fourier features
  ];
  let cfg = configA(resolution);
  for (let i = 1; i <= LADDER.indexOf(row); i++) cfg = merge(cfg, steps[i]) as ResolvedConfig;
  return { ...cfg, name: `test-${row}${resolution}` };
}
