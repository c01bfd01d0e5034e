/**
 * Fréchet distance between two Gaussians fitted to feature sets (Heusel et al. 2017), exactly the
 * official `metrics/frechet_inception_distance.py`:
 *   m   = sum((mu_gen - mu_real)^2)
 *   s   = sqrtm(sigma_gen @ sigma_real)            (real part)
 *   fid = m + trace(sigma_gen + sigma_real - 2 s)
 * in float64. trace(s) is computed without forming sqrtm (see linalg.traceSqrtProduct).
 */
import type { MeanCov } from './feature-stats.ts';
import { traceSqrtProduct } from './linalg.ts';

export interface FidResult {
  fid: number;
  mean_term: number;        // |mu_gen - mu_real|^2
  trace_sigma_real: number;
  trace_sigma_gen: number;
  trace_sqrtm: number;      // trace(sqrtm(sigma_gen @ sigma_real))
}

export function frechetDistance(real: MeanCov, gen: MeanCov): FidResult {
  const d = real.numFeatures;
  if (gen.numFeatures !== d) throw new Error(`frechetDistance: feature dimensions differ (got real ${d}, gen ${gen.numFeatures})`);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) {
    const diff = gen.mean[i] - real.mean[i];
    meanTerm += diff * diff;
  }
  let trReal = 0;
  let trGen = 0;
  for (let i = 0; i < d; i++) {
    trReal += real.cov[i * d + i];
    trGen += gen.cov[i * d + i];
  }
  // The eigenvalues of sigma_gen @ sigma_real equal those of sigma_real @ sigma_gen; factor the real
  // covariance (usually from more samples, so better conditioned).
  const trSqrt = traceSqrtProduct(real.cov, gen.cov, d);
  return {
    fid: meanTerm + trGen + trReal - 2 * trSqrt,
    mean_term: meanTerm,
    trace_sigma_real: trReal,
    trace_sigma_gen: trGen,
    trace_sqrtm: trSqrt,
  };
}
