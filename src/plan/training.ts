/**
 * Training plan: the official training_loop.py phase setup (lazy regularisation, Adam correction),
 * the G EMA, the StyleGAN2Loss switches and the snapshot image grid, with every effective number
 * spelled out so that train/ never derives one itself.
 */
import type { AdamConfig, ResolvedConfig } from '../config/types.ts';
import { effectiveMagnitudeEmaBeta } from './synthesis.ts';
import type { AdamPlan, PhasePlan, TrainingPlan } from './types.ts';

/**
 * Lazy regularisation (StyleGAN2 Section 3.1): a regulariser run every `interval` minibatches takes
 * c = interval / (interval + 1) of the optimiser's time, so Adam uses lr * c and betas ** c.
 * Without lazy regularisation (interval null) c = 1.
 */
export function planAdam(opt: AdamConfig, interval: number | null): AdamPlan {
  const c = interval === null ? 1 : interval / (interval + 1);
  return {
    lr: opt.lr * c,
    betas: [Math.pow(opt.betas[0], c), Math.pow(opt.betas[1], c)],
    eps: opt.eps,
    mb_ratio: c,
  };
}

/**
 * Phases in the official order (training_loop.py):
 * 1. G: with path-length regularisation (pl_weight > 0) Gmain every step and Greg every pl_interval;
 *    otherwise one Gboth phase (StyleGAN2Loss evaluates it as Gmain).
 * 2. D: Dmain every step (fake and real logistic terms) and Dreg every r1_interval (R1); with
 *    r1_gamma = 0 the Dreg phase stays in the schedule but evaluates nothing, as officially.
 * Each phase scales its loss by gain = interval.
 */
function planPhases(cfg: ResolvedConfig, gInterval: number | null): PhasePlan[] {
  const phases: PhasePlan[] = [];
  if (gInterval === null) {
    phases.push({ name: 'Gboth', module: 'G', interval: 1, gain: 1, terms: ['Gmain'] });
  } else {
    phases.push({ name: 'Gmain', module: 'G', interval: 1, gain: 1, terms: ['Gmain'] });
    phases.push({ name: 'Greg', module: 'G', interval: gInterval, gain: gInterval, terms: ['Gpl'] });
  }
  const dInterval = cfg.loss.r1_interval;
  phases.push({ name: 'Dmain', module: 'D', interval: 1, gain: 1, terms: ['Dgen', 'Dreal'] });
  phases.push({ name: 'Dreg', module: 'D', interval: dInterval, gain: dInterval, terms: cfg.loss.r1_gamma > 0 ? ['Dr1'] : [] });
  return phases;
}

/** Blur kernel of StyleGAN2Loss.run_D: 2 floor(3 sigma) + 1 taps, none when floor(3 sigma) = 0. */
export function blurTaps(sigma: number): number {
  const half = Math.floor(sigma * 3);
  return half > 0 ? 2 * half + 1 : 0;
}

/**
 * The official snapshot grid size for images of W x H (training_loop.setup_snapshot_image_grid):
 * gw = clip(7680 // W, 7, 32) columns by gh = clip(4320 // H, 4, 32) rows, i.e. about a 7680x4320
 * image, at least 7x4 and at most 32x32 images.
 */
export function snapshotGridSize(width: number, height: number): { gridW: number; gridH: number } {
  const clip = (v: number, a: number, b: number) => Math.min(Math.max(v, a), b);
  return { gridW: clip(Math.floor(7680 / width), 7, 32), gridH: clip(Math.floor(4320 / height), 4, 32) };
}

/** train.grid [gw, gh] as given, or the official size for the (square) resolution when null. */
export function planGrid(cfg: ResolvedConfig): { grid_w: number; grid_h: number } {
  if (cfg.train.grid !== null) return { grid_w: cfg.train.grid[0], grid_h: cfg.train.grid[1] };
  const { gridW, gridH } = snapshotGridSize(cfg.data.resolution, cfg.data.resolution);
  return { grid_w: gridW, grid_h: gridH };
}

/**
 * Plans training:
 * 1. batch_per_step (official batch_gpu) defaults to batch; accumulation rounds = batch / batch_per_step.
 * 2. phases and the Adam settings after the lazy-regularisation correction.
 * 3. EMA of G: ema_kimg (null = batch * 10 / 32), beta = 0.5 ** (batch / ema_nimg) after the rampup
 *    (during it ema_nimg = min(ema_nimg, cur_nimg * ema_rampup)).
 * 4. D blur: sigma fades linearly to 0 over blur_fade_kimg (null = batch * 200 / 32).
 * 5. minibatch-stddev group: min(group_size, batch_per_step) as MinibatchStdLayer does at run time.
 * 6. snapshot grid gw x gh: train.grid, or the official size for the resolution (planGrid).
 */
export function planTraining(cfg: ResolvedConfig): TrainingPlan {
  const { train, loss } = cfg;
  const batchPerStep = train.batch_per_step ?? train.batch;
  const gInterval = loss.pl_weight > 0 ? loss.pl_interval : null;
  const emaKimg = train.ema_kimg ?? (train.batch * 10) / 32;
  const emaNimg = emaKimg * 1000;
  return {
    batch: train.batch,
    batch_per_step: batchPerStep,
    accumulation_rounds: train.batch / batchPerStep,
    total_kimg: train.kimg,
    phases: planPhases(cfg, gInterval),
    adam: { G: planAdam(cfg.optim.generator, gInterval), D: planAdam(cfg.optim.discriminator, loss.r1_interval) },
    r1_gamma: loss.r1_gamma,
    r1_interval: loss.r1_interval,
    pl_weight: loss.pl_weight,
    pl_interval: gInterval,
    pl_decay: loss.pl_decay,
    pl_batch_shrink: loss.pl_batch_shrink,
    style_mixing_prob: loss.style_mixing_prob,
    blur_init_sigma: loss.blur_sigma,
    blur_fade_kimg: loss.blur_fade_kimg ?? (train.batch * 200) / 32,
    blur_init_taps: blurTaps(loss.blur_sigma),
    ema_kimg: emaKimg,
    ema_nimg: emaNimg,
    ema_rampup: train.ema_rampup,
    ema_beta: Math.pow(0.5, train.batch / Math.max(emaNimg, 1e-8)),
    magnitude_ema_beta: effectiveMagnitudeEmaBeta(cfg),
    w_avg_beta: cfg.generator.mapping.w_avg_beta,
    mbstd_group_size: Math.min(cfg.discriminator.mbstd_group_size, batchPerStep),
    ...planGrid(cfg),
  };
}
