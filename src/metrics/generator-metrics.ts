/**
 * Metrics of a real generator by name: what the training loop and `sg3 metrics` call. A context
 * ties the adapters (generator-adapters.ts) to one G; every metric gets a fresh context, so its
 * value depends only on (G, dataset, name, N, seed), not on which metrics ran before it.
 * EQ metrics of a generator without Fourier features (row A) are reported as not applicable.
 */
import type { ImageDataset } from '../data/types.ts';
import type { Generator } from '../nets/generator.ts';
import type { MetricContext, RealImageSource } from './compute.ts';
import type { GramFn } from './kid.ts';
import { computeMetric, resolveMetric, type MetricResult, type MetricSpec } from './registry.ts';
import type { StatsCache } from './stats-cache.ts';
import {
  BufferGuard, equivarianceTargetForGenerator, hasInputTransform, imageGeneratorForGenerator, realImageSourceForDataset,
  type GeneratorSourceOptions,
} from './generator-adapters.ts';

export interface GeneratorMetricOptions extends GeneratorSourceOptions {
  /** Reals for FID/KID/SWD: a data/ dataset (wrapped in index order) or a ready RealImageSource. */
  dataset?: ImageDataset | RealImageSource;
  /** Stats-cache identity of an ImageDataset (default: its name, size, resolution, channels). */
  datasetIdentity?: unknown;
  inceptionPath?: string | null;
  featureNet?: MetricContext['featureNet'];
  cache?: StatsCache | null;
  gram?: GramFn;
  onProgress?: (tag: string, done: number, total: number) => void;
}

/** A MetricContext over G; `release()` frees the EQ batch and restores G's input transform and noise buffers. */
export interface GeneratorMetricContext extends MetricContext {
  release(): void;
}

/** Reported instead of a number when a metric does not apply to this generator. */
export interface NotApplicable {
  metric: string;
  results: null;
  reason: string;
  num: number;
}

export type GeneratorMetricResult = MetricResult | NotApplicable;

function isImageDataset(d: ImageDataset | RealImageSource): d is ImageDataset {
  return typeof (d as ImageDataset).size === 'number' && typeof (d as RealImageSource).length !== 'number';
}

function realsOf(opts: GeneratorMetricOptions): RealImageSource | undefined {
  const d = opts.dataset;
  if (d === undefined || !isImageDataset(d)) return d;
  return realImageSourceForDataset(d, opts.datasetIdentity ?? { name: d.name, size: d.size, resolution: d.resolution, channels: d.channels });
}

/**
 * The context computeMetric needs for G: `generator` (FID/KID/SWD fakes), `equivariance` (rows
 * B-R only), `dataset` when given, `seed` for z, noise, transforms, KID subsets and SWD draws.
 * Call `release()` when done (G is then exactly as before).
 */
export function metricContextForGenerator(G: Generator, opts: GeneratorMetricOptions = {}): GeneratorMetricContext {
  const guard = new BufferGuard(G);
  const eq = hasInputTransform(G) ? equivarianceTargetForGenerator(G, guard, opts) : undefined;
  return {
    generator: imageGeneratorForGenerator(G, opts),
    equivariance: eq,
    dataset: realsOf(opts),
    featureNet: opts.featureNet,
    inceptionPath: opts.inceptionPath,
    cache: opts.cache,
    seed: opts.seed ?? 0,
    gram: opts.gram,
    onProgress: opts.onProgress,
    release() {
      eq?.release();
      guard.restore();
    },
  };
}

const EQ_FAMILIES = new Set<MetricSpec['family']>(['eqt_int', 'eqt_frac', 'eqr']);

/** Resolves every name first, so that a typo fails (UsageError listing the valid names) before any work. */
export function resolveMetrics(names: string[], num?: number | null): MetricSpec[] {
  return names.map((n) => resolveMetric(n, num));
}

/** Why a metric cannot be computed for G, or null when it can. */
export function notApplicableReason(G: Generator, spec: MetricSpec): string | null {
  if (EQ_FAMILIES.has(spec.family) && !hasInputTransform(G)) {
    return 'the generator has a constant input (generator.input.kind constant, row A): EQ-T/EQ-R need Fourier features to translate or rotate';
  }
  return null;
}

/**
 * Computes `names` for G in order (each with a fresh context from `opts.seed`); `num` overrides
 * every metric's sample count as --num does. Results have the official jsonl shape.
 */
export async function computeGeneratorMetrics(G: Generator, names: string[], opts: GeneratorMetricOptions & { num?: number | null } = {}): Promise<GeneratorMetricResult[]> {
  const specs = resolveMetrics(names, opts.num);
  const out: GeneratorMetricResult[] = [];
  for (const spec of specs) {
    const reason = notApplicableReason(G, spec);
    if (reason !== null) {
      out.push({ metric: spec.name, results: null, reason, num: spec.num });
      continue;
    }
    const ctx = metricContextForGenerator(G, opts);
    try {
      out.push(await computeMetric(spec.name, ctx, spec.num));
    } finally {
      ctx.release();
    }
  }
  return out;
}
