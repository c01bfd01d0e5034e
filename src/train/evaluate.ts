/**
 * Metrics during training (official: after each network snapshot, on G_ema): every
 * `metrics.every_kimg` (null = every snapshot_kimg) and at the end, each name of `metrics.names`
 * through the metrics registry (src/metrics), with `metrics.num` samples. Results go to
 * metrics.jsonl (official jsonl shape plus kimg/step) and TensorBoard `Metrics/<name>`.
 * A metric that needs something this run lacks (FID/KID without Inception weights, EQ on a
 * constant-input generator) is skipped with a warning; the run goes on.
 */
import { resolveInceptionPath } from '../metrics/inception/weights.ts';
import { computeGeneratorMetrics, resolveMetrics } from '../metrics/generator-metrics.ts';
import { crossedInterval, snapshotLabel } from './schedule.ts';
import type { Session } from './session.ts';

const NEEDS_INCEPTION = new Set(['fid_full', 'kid_full']);

/** Whether metrics are due after the step that went from `prevNimg` to the session's cur_nimg. */
export function metricsDue(s: Session, prevNimg: number, done: boolean): boolean {
  const m = s.config.metrics;
  if (m.names.length === 0) return false;
  return done || crossedInterval(prevNimg, s.curNimg, m.every_kimg ?? s.config.train.snapshot_kimg);
}

/** The metric names this run can compute; the others are logged once per evaluation and skipped. */
function runnable(s: Session): string[] {
  const m = s.config.metrics;
  const log = s.ctx.runDir.logger;
  const specs = resolveMetrics(m.names, m.num);
  return specs.filter((spec, i) => {
    if (!NEEDS_INCEPTION.has(spec.family)) return true;
    try {
      resolveInceptionPath(m.inception);
      return true;
    } catch (e) {
      log.warn({ metric: m.names[i] }, `skipping metric ${spec.name}: ${(e as Error).message}`);
      return false;
    }
  }).map((spec) => spec.name);
}

export async function evaluateMetrics(s: Session): Promise<void> {
  const names = runnable(s);
  if (names.length === 0) return;
  const log = s.ctx.runDir.logger;
  const m = s.config.metrics;
  const results = await computeGeneratorMetrics(s.Gema, names, {
    num: m.num, dataset: s.dataset, inceptionPath: m.inception, seed: s.config.train.seed, batch: s.training.batch_per_step,
    datasetIdentity: { config: s.config.data, size: s.dataset.size },
  });
  const scalars: Record<string, number> = {};
  for (const r of results) {
    if (r.results === null) {
      log.warn({ metric: r.metric }, `skipping metric ${r.metric}: ${r.reason}`);
      continue;
    }
    s.ctx.runDir.appendMetric({ ...r, kimg: s.curNimg / 1000, step: s.step, snapshot: `checkpoint-${snapshotLabel(s.curNimg)}.safetensors`, timestamp: Date.now() / 1000 });
    for (const [name, value] of Object.entries(r.results)) scalars[`Metrics/${name}`] = value;
    log.info({ metric: r.metric, results: r.results, seconds: r.total_time }, `metric ${r.metric}: ${Object.values(r.results).map((v) => v.toFixed(4)).join(', ')}`);
  }
  if (Object.keys(scalars).length > 0) s.ctx.runDir.events.scalars(scalars, s.curNimg);
}
