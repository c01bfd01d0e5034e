import type { ResolvedConfig } from '../../src/config/types.ts';

// Every key of ResolvedConfig, typed: `satisfies` fails type-checking on a missing or extra key.
export const SHAPE = {
  name: 'x', description: '', paper: { figure: '3-left', row: 'A', fid: 1, eqt: null, eqr: null },
  data: { kind: 'zip', path: 'd.zip', resolution: 64, channels: 3, mirror: true, max_images: 10, num_images: 5, seed: 1, prefetch: 3 },
  generator: {
    z_dim: 64, w_dim: 32, mapping: { layers: 3, lr_multiplier: 0.02, w_avg_beta: 0.99 }, channels: { base: 1024, max: 64 },
    input: { kind: 'fourier', bandwidth: 3, transform: 'none' }, noise: true, skips: true, normalization: 'none',
    schedule: { kind: 'rigid', layers: 10, critical_layers: 3, first_cutoff: 3, first_stopband: 5, last_stopband_rel: 1.5,
      margin_size: 4, sampling: 'critical', channels_by_cutoff: false },
    filter: { kind: 'lanczos', size: 4, lanczos_a: 3, gaussian_sigma: 0.5 }, nonlinearity: { filtered: false, upsampling: 4 },
    conv_kernel: 1, radial_filters: true, magnitude_ema_beta: 0.999, conv_clamp: null, output_scale: 1,
  },
  discriminator: { architecture: 'resnet', channels: { base: 2048, max: 128 }, mbstd_group_size: 2, mbstd_channels: 2, conv_clamp: null },
  loss: { r1_gamma: 8.2, r1_interval: 8, style_mixing_prob: 0.5, pl_weight: 1, pl_interval: 2, pl_decay: 0.02,
    pl_batch_shrink: 1, blur_sigma: 3, blur_fade_kimg: 12.5 },
  optim: { generator: { lr: 0.001, betas: [0.5, 0.9], eps: 1e-6 }, discriminator: { lr: 0.003, betas: [0, 0.999], eps: 1e-7 } },
  train: { batch: 64, batch_per_step: 16, kimg: 1000, seed: 7, ema_kimg: 20, ema_rampup: null, snapshot_kimg: 50,
    image_kimg: 25, grid: [5, 3], keep_checkpoints: 2 },
  augment: { kind: 'fixed', p: 0.3, target: 0.7, ada_kimg: 100, interval: 8, pipe: 'bg' },
  metrics: { names: ['fid50k_full', 'eqr50k'], every_kimg: 100, num: 1000, inception: 'inception.safetensors' },
  runtime: { backend: 'wasm', runs_dir: 'out' },
} satisfies ResolvedConfig;
