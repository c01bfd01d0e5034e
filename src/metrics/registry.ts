/**
 * Metrics by name (STYLE.md rule 5; official `metrics/metric_main.py`): the code that runs each
 * family. The names, counts and descriptions live in names.ts (no tfjs there), re-exported here.
 */
import { RunError } from '../errors.ts';
import {
  featureNetworkOf, featureStatsForDataset, featureStatsForGenerator, requireDataset, requireGenerator, tfGram, type MetricContext,
} from './compute.ts';
import { frechetDistance } from './fid.ts';
import { kernelInceptionDistance } from './kid.ts';
import { computeEquivariance, type EqKind } from './equivariance.ts';
import { quantizeImages } from './images.ts';
import { resolveMetric, type MetricFamily } from './names.ts';
import { SwdDescriptors, computeSwd } from './swd.ts';

export { listMetrics, officialMetricNames, resolveMetric, isValidMetric, type MetricFamily, type MetricSpec } from './names.ts';

type RunFamily = (ctx: MetricContext, name: string, num: number) => Promise<Record<string, number>>;

/** names.ts's METRIC_FAMILIES, keyed alike: the Record type makes a family without code a type error. */
const RUN: Record<MetricFamily, RunFamily> = {
  fid_full: runFid,
  kid_full: runKid,
  eqt_int: eq('int'),
  eqt_frac: eq('frac'),
  eqr: eq('rot'),
  swd: runSwd,
};

export interface MetricResult {
  metric: string;
  results: Record<string, number>;
  total_time: number; // seconds
  num: number;
}

/** Runs one metric; the result has the official jsonl shape (`results`, `metric`, `total_time`). */
export async function computeMetric(name: string, ctx: MetricContext, num?: number | null): Promise<MetricResult> {
  const spec = resolveMetric(name, num);
  const start = performance.now();
  const results = await RUN[spec.family](ctx, spec.name, spec.num);
  return { metric: spec.name, results, total_time: (performance.now() - start) / 1000, num: spec.num };
}

async function runFid(ctx: MetricContext, name: string, num: number): Promise<Record<string, number>> {
  const dataset = requireDataset(ctx, name);
  const generator = requireGenerator(ctx, name);
  const net = await featureNetworkOf(ctx);
  const real = await featureStatsForDataset(ctx, dataset, net, { maxItems: null, captureMeanCov: true });
  const gen = await featureStatsForGenerator(ctx, generator, net, { maxItems: num, captureMeanCov: true });
  return { [name]: frechetDistance(real.getMeanCov(), gen.getMeanCov()).fid };
}

async function runKid(ctx: MetricContext, name: string, num: number): Promise<Record<string, number>> {
  const dataset = requireDataset(ctx, name);
  const generator = requireGenerator(ctx, name);
  const net = await featureNetworkOf(ctx);
  const real = await featureStatsForDataset(ctx, dataset, net, { maxItems: 1_000_000, captureAll: true });
  const gen = await featureStatsForGenerator(ctx, generator, net, { maxItems: num, captureAll: true });
  const kid = kernelInceptionDistance(
    { data: real.getAll(), rows: real.numItems, dim: net.dim },
    { data: gen.getAll(), rows: gen.numItems, dim: net.dim },
    { numSubsets: 100, maxSubsetSize: 1000, seed: ctx.seed ?? 0, gram: ctx.gram ?? tfGram },
  );
  return { [name]: kid };
}

function eq(kind: EqKind) {
  return async (ctx: MetricContext, name: string, num: number): Promise<Record<string, number>> => {
    if (!ctx.equivariance) throw new RunError(`${name}: needs a generator that accepts an input transform (got none)`);
    const psnr = await computeEquivariance(ctx.equivariance, kind, {
      numSamples: num, batchSize: 4, seed: ctx.seed ?? 0, onProgress: (d, t) => ctx.onProgress?.(name, d, t),
    });
    return { [name]: psnr };
  };
}

async function runSwd(ctx: MetricContext, name: string, num: number): Promise<Record<string, number>> {
  const dataset = requireDataset(ctx, name);
  const generator = requireGenerator(ctx, name);
  if (dataset.length < num) throw new RunError(`${name}: needs ${num} real images (got ${dataset.length}); use swd@N with a smaller N`);
  const seed = ctx.seed ?? 0;
  const real = new SwdDescriptors(dataset.resolution, seed + 1);
  const fake = new SwdDescriptors(dataset.resolution, seed + 2);
  const batch = ctx.batchSize ?? 64;
  for (let start = 0; start < num; start += batch) {
    const count = Math.min(batch, num - start);
    real.feed(await dataset.read(start, count));
    fake.feed(quantizeImages(await generator(count)));
    ctx.onProgress?.(name, start + count, num);
  }
  const swd = computeSwd(real, fake, seed + 3);
  const out: Record<string, number> = { [name]: swd.SWDx1e3_avg };
  for (const res of real.resolutions) out[`${name}_${res}`] = swd[`SWDx1e3_${res}`];
  return out;
}
