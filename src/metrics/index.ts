/**
 * metrics/: the public face. FID/KID (with a pluggable feature network; the FID Inception-v3 by
 * default), SWD, EQ-T/EQ-T_frac/EQ-R, the registry that runs them by name, and the same metrics of a
 * real nets/ Generator (what the training loop and `sg3 metrics` call). resolveMetric (one name) and
 * resolveMetrics (a list, all checked before any work) are both public. The names alone (names.ts)
 * load no tfjs, but this index does: callers that must stay light import names.ts directly.
 */
export { computeMetric, type MetricResult } from './registry.ts';
export {
  resolveMetric, listMetrics, officialMetricNames, isValidMetric, metricsConfigProblems, metricsConfigIssues, METRIC_FAMILIES,
  type MetricSpec, type MetricFamily, type MetricFamilyInfo,
} from './names.ts';
export {
  featureStatsForDataset, featureStatsForGenerator, featureNetworkOf, tfGram,
  type MetricContext, type RealImageSource, type StatsRequest,
} from './compute.ts';
export { FeatureStats, type MeanCov, type FeatureStatsOptions } from './feature-stats.ts';
export { frechetDistance, type FidResult } from './fid.ts';
export { kernelInceptionDistance, gramF64, type FeatureMatrix, type GramFn, type KidOptions } from './kid.ts';
export { SwdDescriptors, computeSwd, slicedWasserstein, laplacianPyramid, swdResolutions } from './swd.ts';
export {
  computeEquivariance, equivarianceSums, drawEqTransform, psnrFromSums, maskedErrorSums,
  type EqKind, type EquivarianceTarget, type EqOptions,
} from './equivariance.ts';
export {
  applyIntegerTranslation, applyFractionalTranslation, applyFractionalRotation, applyFractionalPseudoRotation,
  applyAffineTransformation, type FloatBatch, type Transformed,
} from './eq-ops.ts';
export { constructAffineBandlimitFilter, rotationMatrix } from './eq-filter.ts';
export { InceptionFeatureNet, preprocessImages, type FeatureNetwork, type InceptionOptions } from './inception/net.ts';
export {
  resolveInceptionPath, loadInceptionWeights, writeRandomInceptionWeights, INCEPTION_FORMAT, type InceptionWeights,
} from './inception/weights.ts';
export { planInception, INCEPTION_LAYERS, INCEPTION_INPUT_SIZE, INCEPTION_FEATURES } from './inception/arch.ts';
export { StatsCache, canonicalJson, DEFAULT_CACHE_DIR, type StatsCacheKey } from './stats-cache.ts';
export { quantizeImages, type ImageBatch, type ImageGenerator } from './images.ts';
export {
  metricContextForGenerator, computeGeneratorMetrics, resolveMetrics, notApplicableReason,
  type GeneratorMetricOptions, type GeneratorMetricContext, type GeneratorMetricResult, type NotApplicable,
} from './generator-metrics.ts';
export {
  imageGeneratorForGenerator, equivarianceTargetForGenerator, realImageSourceForDataset, type GeneratorSourceOptions,
} from './generator-adapters.ts';
export {
  parseExplicitTransforms, explicitEquivariance, type ExplicitTransforms, type ExplicitEqResult, type ExplicitEqResults,
} from './explicit.ts';
export { Rng } from '../io/rng.ts';
export { traceSqrtProduct, symmetricEigenvalues, pivotedCholesky } from './linalg.ts';
