/**
 * Running the feature network over a dataset or a generator (official `metric_utils`
 * `compute_feature_stats_for_dataset` / `_for_generator`), and the inputs a metric run needs.
 * Dataset statistics go through the content-addressed StatsCache; generated ones never do.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import { FeatureStats } from './feature-stats.ts';
import { quantizeImages, type ImageBatch, type ImageGenerator } from './images.ts';
import { InceptionFeatureNet, type FeatureNetwork } from './inception/net.ts';
import { resolveInceptionPath } from './inception/weights.ts';
import type { GramFn } from './kid.ts';
import type { EquivarianceTarget } from './equivariance.ts';
import { StatsCache } from './stats-cache.ts';

/** The real images of a dataset, in a fixed order, without x-flips (the official metrics disable mirroring). */
export interface RealImageSource {
  /** Identifies the images for the stats cache (kind, path, file count/mtime, resolution, ...). */
  readonly identity: unknown;
  readonly length: number;
  readonly resolution: number;
  /** Images [start, start + count) as uint8 NCHW. */
  read(start: number, count: number): Promise<ImageBatch>;
}

export interface MetricContext {
  generator?: ImageGenerator;                 // FID, KID, SWD: fakes, NCHW float in [-1, 1]
  dataset?: RealImageSource;                  // FID, KID, SWD: reals
  equivariance?: EquivarianceTarget;          // EQ-T, EQ-T_frac, EQ-R
  /** The feature network, or a loader; default: the FID Inception from `inceptionPath` or SG3_INCEPTION. */
  featureNet?: FeatureNetwork | (() => FeatureNetwork | Promise<FeatureNetwork>);
  inceptionPath?: string | null;              // metrics.inception
  cache?: StatsCache | null;                  // default runs/.cache; null disables caching
  batchSize?: number;                         // images per feature-network call (64 officially)
  seed?: number;                              // KID subsets, SWD patches/directions, EQ transforms
  gram?: GramFn;                              // KID's x y^T (default: tfjs matMul, float32 like numpy)
  onProgress?: (tag: string, done: number, total: number) => void;
}

export async function featureNetworkOf(ctx: MetricContext): Promise<FeatureNetwork> {
  if (ctx.featureNet === undefined) return InceptionFeatureNet.load(resolveInceptionPath(ctx.inceptionPath ?? null));
  return typeof ctx.featureNet === 'function' ? await ctx.featureNet() : ctx.featureNet;
}

export function requireDataset(ctx: MetricContext, metric: string): RealImageSource {
  if (!ctx.dataset) throw new RunError(`${metric}: needs the real images of a dataset (got none)`);
  return ctx.dataset;
}

export function requireGenerator(ctx: MetricContext, metric: string): ImageGenerator {
  if (!ctx.generator) throw new RunError(`${metric}: needs a generator (got none)`);
  return ctx.generator;
}

export interface StatsRequest { maxItems: number | null; captureAll?: boolean; captureMeanCov?: boolean }

/** Features of the first min(length, maxItems) dataset images, from the cache when present. */
export async function featureStatsForDataset(ctx: MetricContext, source: RealImageSource, net: FeatureNetwork, req: StatsRequest): Promise<FeatureStats> {
  const num = Math.min(source.length, req.maxItems ?? Infinity);
  const cache = ctx.cache === undefined ? new StatsCache() : ctx.cache;
  const key = {
    dataset: source.identity, network: net.id, resolution: source.resolution, maxItems: num,
    captureAll: req.captureAll ?? false, captureMeanCov: req.captureMeanCov ?? false,
  };
  const hit = cache?.load(key);
  if (hit) return hit;
  const stats = new FeatureStats({ ...req, maxItems: num });
  const batch = ctx.batchSize ?? 64;
  for (let start = 0; start < num; start += batch) {
    const images = await source.read(start, Math.min(batch, num - start));
    stats.append(await net.extract(images), net.dim);
    ctx.onProgress?.('dataset features', stats.numItems, num);
  }
  cache?.save(key, stats);
  return stats;
}

/** Features of `maxItems` generated images, quantised to uint8 first as the official loop. */
export async function featureStatsForGenerator(ctx: MetricContext, generate: ImageGenerator, net: FeatureNetwork, req: StatsRequest & { maxItems: number }): Promise<FeatureStats> {
  const stats = new FeatureStats(req);
  const batch = ctx.batchSize ?? 64;
  while (!stats.isFull()) {
    const images = quantizeImages(await generate(Math.min(batch, req.maxItems - stats.numItems)));
    stats.append(await net.extract(images), net.dim);
    ctx.onProgress?.('generator features', stats.numItems, req.maxItems);
  }
  return stats;
}

/** x y^T on the active tfjs backend, float32 (what numpy does in the official KID). */
export const tfGram: GramFn = (a, ra, b, rb, dim) => {
  const out = tf.tidy(() => tf.matMul(tf.tensor2d(a, [ra, dim]), tf.tensor2d(b, [rb, dim]), false, true));
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
};
