/**
 * What a training session reports besides images and checkpoints: the per-tick TensorBoard
 * scalars (the official training_stats names: Loss/*, Progress/*, Timing/*, Resources/*), the
 * progress display, and the HParams session (config name and the keys the command line set).
 *
 * TensorBoard steps are images shown (cur_nimg), not the official integer kimg: the CPU profiles
 * run for a fraction of a kimg and would put every point at step 0.
 */
import type { ResolvedConfig } from '../config/types.ts';
import { resolveMetric } from '../metrics/registry.ts';
import { createProgress, type HParamValue, type Progress } from '../log/index.ts';
import { blurSigmaAt } from './schedule.ts';
import type { Session } from './session.ts';

/**
 * Tick length in kimg. Officially 4 kimg; the short CPU profiles would get one or two points, so a
 * tick is a fifth of the shortest snapshot interval when that is shorter.
 */
export function tickKimg(config: ResolvedConfig): number {
  return Math.min(4, config.train.image_kimg / 5, config.train.snapshot_kimg / 5);
}

export class Reporter {
  readonly progress: Progress;
  private readonly startTime = performance.now();
  private tickStart = performance.now();
  private tickStartNimg: number;
  private tick = 0;
  private lastLosses: Record<string, number> = {};

  constructor(private readonly s: Session) {
    this.tickStartNimg = s.curNimg;
    this.progress = createProgress({ total_kimg: s.training.total_kimg, isTTY: s.ctx.isTTY, logger: s.ctx.runDir.logger });
  }

  /** Images per second since the tick began. */
  private rate(): number {
    const secs = (performance.now() - this.tickStart) / 1000;
    return secs > 0 ? (this.s.curNimg - this.tickStartNimg) / secs : 0;
  }

  /** Every step on a terminal: the self-rewriting progress line. */
  step(): void {
    if (this.s.ctx.isTTY) this.progress.update({ kimg: this.s.curNimg / 1000, images_per_s: this.rate(), losses: this.lastLosses });
  }

  /** End of a tick: means of the tick's reports and the progress/timing/resource scalars. */
  endTick(): void {
    const s = this.s;
    const now = performance.now();
    const secs = (now - this.tickStart) / 1000;
    const images = s.curNimg - this.tickStartNimg;
    const means = s.stats.drain();
    const scalars: Record<string, number> = {
      ...means,
      'Progress/tick': this.tick,
      'Progress/kimg': s.curNimg / 1000,
      'Progress/augment': s.augment?.p ?? 0,
      'Progress/blur_sigma': blurSigmaAt(s.curNimg, s.training),
      'Timing/total_sec': (now - this.startTime) / 1000,
      'Timing/sec_per_tick': secs,
      'Resources/rss_mb': process.memoryUsage().rss / 2 ** 20,
    };
    if (images > 0) scalars['Timing/sec_per_kimg'] = (secs / images) * 1000;
    s.ctx.runDir.events.scalars(scalars, s.curNimg);
    s.ctx.runDir.events.flush();
    this.lastLosses = {};
    if (means['Loss/G/loss'] !== undefined) this.lastLosses.G = means['Loss/G/loss'];
    if (means['Loss/D/loss'] !== undefined) this.lastLosses.D = means['Loss/D/loss'];
    this.progress.update({ kimg: s.curNimg / 1000, images_per_s: images > 0 ? images / secs : 0, losses: this.lastLosses });
    this.tick += 1;
    this.tickStart = now;
    this.tickStartNimg = s.curNimg;
  }
}

/** A config value at a dotted path, as an HParams value (arrays and objects as JSON text). */
function valueAt(config: ResolvedConfig, path: string): HParamValue | null {
  let v: unknown = config;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(key in v)) return null;
    v = (v as Record<string, unknown>)[key];
  }
  if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
  return v === null ? 'null' : JSON.stringify(v);
}

/**
 * The HParams of a run: `config` (its name), `profile` when one was applied, and every key set with
 * `--set` on the command line, with its resolved value (what a sweep varies).
 */
export function runHParams(config: ResolvedConfig, command: string[]): Record<string, HParamValue> {
  const hp: Record<string, HParamValue> = { config: config.name };
  for (let i = 0; i < command.length; i++) {
    const arg = command[i]!;
    const next = command[i + 1];
    if (arg === '--profile' && next) hp.profile = next;
    else if (arg.startsWith('--profile=')) hp.profile = arg.slice('--profile='.length);
    const set = arg === '--set' ? next : arg.startsWith('--set=') ? arg.slice('--set='.length) : null;
    if (set && set.includes('=')) {
      const key = set.slice(0, set.indexOf('=')).trim();
      const value = valueAt(config, key);
      if (value !== null) hp[key] = value;
    }
  }
  return hp;
}

/** Starts the run's HParams session; metrics = the configured metrics and the two losses. */
export function writeHParams(s: Session): void {
  const hparams = runHParams(s.config, s.ctx.runDir.runInfo.command);
  const m = s.config.metrics;
  const metrics = [...m.names.map((n) => `Metrics/${resolveMetric(n, m.num).name}`), 'Loss/G/loss', 'Loss/D/loss'];
  s.ctx.runDir.events.hparams({ hparams, metrics });
}
