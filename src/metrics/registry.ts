/**
 * Metrics by name (STYLE.md rule 5; official `metrics/metric_main.py`). The official names run the
 * paper's sample counts; `<family>@N` (or `--num N`) runs N samples and is reported under that name,
 * so a 1000-sample CPU number is never filed as `fid50k_full`.
 */
import { UsageError } from '../errors.ts';
import {
  featureNetworkOf, featureStatsForDataset, featureStatsForGenerator, requireDataset, requireGenerator, tfGram, type MetricContext,
} from './compute.ts';
import { frechetDistance } from './fid.ts';
import { kernelInceptionDistance } from './kid.ts';
import { computeEquivariance, type EqKind } from './equivariance.ts';
import { quantizeImages } from './images.ts';
import { SwdDescriptors, computeSwd } from './swd.ts';
import { RunError } from '../errors.ts';

type Family = 'fid_full' | 'kid_full' | 'eqt_int' | 'eqt_frac' | 'eqr' | 'swd';

interface FamilyDef {
  official: string;          // the name at the default count
  num: number;               // generated samples (SWD: real and generated images)
  description: string;
  run(ctx: MetricContext, name: string, num: number): Promise<Record<string, number>>;
}

const FAMILIES: Record<Family, FamilyDef> = {
  fid_full: {
    official: 'fid50k_full',
    num: 50000,
    description: 'Fréchet Inception distance: all real images vs N generated',
    run: runFid,
  },
  kid_full: {
    official: 'kid50k_full',
    num: 50000,
    description: 'kernel Inception distance: up to 1M real images vs N generated, 100 subsets of <= 1000',
    run: runKid,
  },
  eqt_int: { official: 'eqt50k_int', num: 50000, description: 'EQ-T, integer translations, PSNR dB', run: eq('int') },
  eqt_frac: { official: 'eqt50k_frac', num: 50000, description: 'EQ-T_frac, fractional translations, PSNR dB', run: eq('frac') },
  eqr: { official: 'eqr50k', num: 50000, description: 'EQ-R, rotations, PSNR dB', run: eq('rot') },
  swd: {
    official: 'swd16k',
    num: 16384,
    description: 'sliced Wasserstein distance x1e3 on Laplacian-pyramid patches (Progressive GAN), N real vs N generated',
    run: runSwd,
  },
};

export interface MetricSpec {
  name: string;      // as reported: the official name, or `<family>@N`
  family: Family;
  num: number;
  description: string;
}

export interface MetricResult {
  metric: string;
  results: Record<string, number>;
  total_time: number; // seconds
  num: number;
}

/** The official names, then the `@N` families. */
export function listMetrics(): string[] {
  return [...Object.values(FAMILIES).map((f) => f.official), ...Object.keys(FAMILIES).map((k) => `${k}@N`)];
}

/** A metric by name; `num` (from --num / metrics.num) overrides the sample count and renames it. */
export function resolveMetric(name: string, num?: number | null): MetricSpec {
  let family = (Object.keys(FAMILIES) as Family[]).find((f) => FAMILIES[f].official === name);
  let count = family ? FAMILIES[family].num : NaN;
  const at = /^([a-z_]+)@([1-9][0-9]*)$/.exec(name);
  if (!family && at && at[1] in FAMILIES) {
    family = at[1] as Family;
    count = Number(at[2]);
  }
  if (!family) throw new UsageError(`metrics: unknown metric "${name}" (valid: ${listMetrics().join(', ')})`);
  if (num !== undefined && num !== null) {
    if (!Number.isInteger(num) || num < 2) throw new UsageError(`metrics: --num must be an integer >= 2 (got ${num})`);
    count = num;
  }
  const def = FAMILIES[family];
  return { name: count === def.num ? def.official : `${family}@${count}`, family, num: count, description: def.description };
}

export function isValidMetric(name: string): boolean {
  try { resolveMetric(name); return true; } catch { return false; }
}

/** Runs one metric; the result has the official jsonl shape (`results`, `metric`, `total_time`). */
export async function computeMetric(name: string, ctx: MetricContext, num?: number | null): Promise<MetricResult> {
  const spec = resolveMetric(name, num);
  const start = performance.now();
  const results = await FAMILIES[spec.family].run(ctx, spec.name, spec.num);
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
