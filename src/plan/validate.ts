/**
 * The combinations the planner cannot plan, checked before planning and reported together
 * (STYLE.md rule 11) as ConfigError lines `dotted.path: what (got value)`. The schema checks types
 * and ranges; these are the cross-key rules that only the planner knows.
 */
import { ConfigError } from '../errors.ts';
import type { ResolvedConfig } from '../config/types.ts';

const isPow2 = (x: number) => Number.isInteger(x) && x > 0 && (x & (x - 1)) === 0;

export function planProblems(cfg: ResolvedConfig): string[] {
  const out: string[] = [];
  const g = cfg.generator;
  const s = g.schedule;
  const res = cfg.data.resolution;
  if (!isPow2(res) || res < 8) out.push(`data.resolution: must be a power of two >= 8 (got ${res})`);
  if (!Number.isInteger(s.critical_layers) || s.critical_layers < 0) out.push(`generator.schedule.critical_layers: must be an integer >= 0 (got ${s.critical_layers})`);
  if (s.kind === 'flexible' && !(s.layers > s.critical_layers)) {
    out.push(`generator.schedule.layers: must exceed generator.schedule.critical_layers for the flexible schedule (got ${s.layers} <= ${s.critical_layers})`);
  }
  if (!Number.isInteger(s.margin_size) || s.margin_size < 0) out.push(`generator.schedule.margin_size: must be an integer >= 0 (got ${s.margin_size})`);
  if (g.skips && s.kind !== 'rigid') out.push(`generator.skips: the skip architecture needs generator.schedule.kind rigid (got ${s.kind})`);
  if (g.skips && s.margin_size !== 0) out.push(`generator.skips: the skip architecture needs generator.schedule.margin_size 0 (got ${s.margin_size})`);
  if (g.radial_filters && g.filter.kind === 'bilinear') out.push(`generator.radial_filters: radial filters need a windowed filter kind (got generator.filter.kind bilinear)`);
  if (!Number.isInteger(g.filter.size) || g.filter.size < 1) out.push(`generator.filter.size: must be an integer >= 1 (got ${g.filter.size})`);
  if (!Number.isInteger(g.nonlinearity.upsampling) || g.nonlinearity.upsampling < 1) {
    out.push(`generator.nonlinearity.upsampling: must be an integer >= 1 (got ${g.nonlinearity.upsampling})`);
  }
  if (!Number.isInteger(g.conv_kernel) || g.conv_kernel < 1) out.push(`generator.conv_kernel: must be an integer >= 1 (got ${g.conv_kernel})`);
  const bps = cfg.train.batch_per_step ?? cfg.train.batch;
  if (!Number.isInteger(cfg.train.batch / bps)) out.push(`train.batch: must be a multiple of train.batch_per_step (got ${cfg.train.batch} / ${bps})`);
  if (!Number.isInteger(cfg.loss.r1_interval) || cfg.loss.r1_interval < 1) out.push(`loss.r1_interval: must be an integer >= 1 (got ${cfg.loss.r1_interval})`);
  if (cfg.loss.pl_weight > 0 && (!Number.isInteger(cfg.loss.pl_interval) || cfg.loss.pl_interval < 1)) {
    out.push(`loss.pl_interval: must be an integer >= 1 when loss.pl_weight > 0 (got ${cfg.loss.pl_interval})`);
  }
  return out;
}

/** Throws one ConfigError listing every problem, prefixed with the config's name. */
export function assertPlannable(cfg: ResolvedConfig): void {
  const problems = planProblems(cfg);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${cfg.name}: ${p}`));
}
