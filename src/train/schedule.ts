/**
 * The training loop's schedules as pure functions of the image counter (official
 * training_loop.py and loss.py); every constant comes from the Plan's TrainingPlan.
 */
import type { PhasePlan, TrainingPlan } from '../plan/types.ts';

/**
 * D input blur sigma at `curNimg` (StyleGAN2Loss.accumulate_gradients): a linear fade from
 * blur_init_sigma to 0 over blur_fade_kimg, i.e. max(1 - cur_nimg / (fade_kimg * 1e3), 0) * init;
 * 0 when there is no fade.
 */
export function blurSigmaAt(curNimg: number, t: Pick<TrainingPlan, 'blur_init_sigma' | 'blur_fade_kimg'>): number {
  if (!(t.blur_fade_kimg > 0)) return 0;
  return Math.max(1 - curNimg / (t.blur_fade_kimg * 1e3), 0) * t.blur_init_sigma;
}

/**
 * Beta of the G EMA after the step that starts at `curNimg` (training_loop.py "Update G_ema"):
 * ema_nimg = ema_kimg * 1000, during the ramp-up min(ema_nimg, cur_nimg * ema_rampup);
 * beta = 0.5 ** (batch / max(ema_nimg, 1e-8)). At cur_nimg 0 with a ramp-up beta is 0: G_ema = G.
 */
export function emaBetaAt(curNimg: number, t: Pick<TrainingPlan, 'batch' | 'ema_nimg' | 'ema_rampup'>): number {
  let emaNimg = t.ema_nimg;
  if (t.ema_rampup !== null) emaNimg = Math.min(emaNimg, curNimg * t.ema_rampup);
  return Math.pow(0.5, t.batch / Math.max(emaNimg, 1e-8));
}

/** Whether `phase` runs at batch index `batchIdx` (official: skipped unless batch_idx % interval == 0). */
export function phaseRuns(phase: Pick<PhasePlan, 'interval'>, batchIdx: number): boolean {
  return batchIdx % phase.interval === 0;
}

/**
 * Whether going from `prevNimg` to `curNimg` images crossed a multiple of `intervalKimg`
 * (snapshot and image-grid intervals, measured in kimg like every sg3 interval).
 */
export function crossedInterval(prevNimg: number, curNimg: number, intervalKimg: number): boolean {
  const every = intervalKimg * 1000;
  if (!(every > 0)) return false;
  return Math.floor(curNimg / every + 1e-9) > Math.floor(prevNimg / every + 1e-9);
}

/** Whether training is complete at `curNimg` (official: cur_nimg >= total_kimg * 1000). */
export function isDone(curNimg: number, totalKimg: number): boolean {
  return curNimg >= totalKimg * 1000 - 1e-9;
}

/**
 * The file label of a snapshot at `curNimg`: the official six-digit kimg (`fakes000040.png`,
 * `cur_nimg // 1000`), plus `.ddd` (the remaining images, i.e. thousandths of a kimg) when the
 * count is not a whole kimg, so that the short CPU profiles (snapshots every 0.1 kimg) do not
 * overwrite each other: `000000.100`, `000000.200`, `000001`.
 */
export function snapshotLabel(curNimg: number): string {
  const kimg = Math.floor(curNimg / 1000);
  const rest = curNimg - kimg * 1000;
  const head = String(kimg).padStart(6, '0');
  return rest === 0 ? head : `${head}.${String(rest).padStart(3, '0')}`;
}

/**
 * Official training-time resume (train.py --resume): starting a new run from another run's
 * weights disables the EMA ramp-up and the D blur ramp.
 */
export function trainingForResumeFrom(t: TrainingPlan): TrainingPlan {
  return { ...t, ema_rampup: null, blur_init_sigma: 0 };
}
