/**
 * ADA's controller (Karras et al. 2020, Sec. 2.3; official training/training_loop.py): every
 * `interval` steps the trainer measures r_t = E[sign(D(real))] over those steps and moves p one
 * fixed step towards the target, sized so that p can cross 0 -> 1 in `ada_kimg` thousand images.
 */
import type { AugmentConfig } from '../../config/types.ts';

/**
 * The next p: `max(p + sign(r_t - target) * (batch * interval) / (ada_kimg * 1000), 0)`.
 * As officially, p is not capped at 1 and sign(0) = 0 leaves it unchanged.
 */
export function adaAdjust(p: number, rt: number, batchSize: number, cfg: Pick<AugmentConfig, 'target' | 'ada_kimg' | 'interval'>): number {
  if (!Number.isFinite(p) || p < 0) throw new Error(`adaAdjust: p must be a finite number >= 0 (got ${p})`);
  if (!Number.isFinite(rt)) throw new Error(`adaAdjust: r_t must be a finite number (got ${rt})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`adaAdjust: batch size must be a positive integer (got ${batchSize})`);
  if (!(cfg.ada_kimg > 0)) throw new Error(`adaAdjust: ada_kimg must be > 0 (got ${cfg.ada_kimg})`);
  if (!Number.isInteger(cfg.interval) || cfg.interval < 1) throw new Error(`adaAdjust: interval must be a positive integer (got ${cfg.interval})`);
  const adjust = Math.sign(rt - cfg.target) * (batchSize * cfg.interval) / (cfg.ada_kimg * 1000);
  return Math.max(p + adjust, 0);
}

/** The p a run starts with: the configured one, else the official default (0.2 fixed, 0 ADA). */
export function initialAugmentP(cfg: Pick<AugmentConfig, 'kind' | 'p'>): number {
  return cfg.p ?? (cfg.kind === 'fixed' ? 0.2 : 0);
}
