import test from 'ava';
import { join } from 'node:path';
import { readSafetensors, getF32 } from '../../src/io/safetensors.ts';
import { FeatureStats } from '../../src/metrics/feature-stats.ts';
import { frechetDistance } from '../../src/metrics/fid.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';
import { relDiff } from './_linalg-helpers.ts';

const golden = readGoldenJson('fid_pair1.json');
const file = readSafetensors(join(GOLDEN, 'fid_pair1.safetensors'));

function statsOf(name: string, batch: number): FeatureStats {
  const { shape, data } = getF32(file, name);
  const stats = new FeatureStats({ captureMeanCov: true });
  for (let r = 0; r < shape[0]; r += batch) stats.append(data.subarray(r * shape[1], Math.min(r + batch, shape[0]) * shape[1]), shape[1]);
  return stats;
}

test('golden=fid_pair1: FID and every component match the official float64 values at rel 1e-9', (t) => {
  const result = frechetDistance(statsOf('features_real', 64).getMeanCov(), statsOf('features_gen', 64).getMeanCov());
  t.true(relDiff(result.fid, golden.fid) < 1e-9, `fid ${result.fid} vs ${golden.fid}`);
  for (const key of ['mean_term', 'trace_sigma_real', 'trace_sigma_gen', 'trace_sqrtm'] as const) {
    t.true(relDiff(result[key], golden.components[key]) < 1e-9, `${key} ${result[key]} vs ${golden.components[key]}`);
  }
});

test('golden=fid_pair1: mean and covariance equal the stored official values (stored as float32)', (t) => {
  for (const side of ['real', 'gen']) {
    const { mean, cov } = statsOf(`features_${side}`, 400).getMeanCov();
    const mu = getF32(file, `mu_${side}`).data;
    const sigma = getF32(file, `sigma_${side}`).data;
    for (let i = 0; i < mu.length; i++) t.is(Math.fround(mean[i]), mu[i], `mu_${side}[${i}]`);
    let worst = 0;
    for (let i = 0; i < sigma.length; i++) worst = Math.max(worst, Math.abs(Math.fround(cov[i]) - sigma[i]) / Math.max(Math.abs(sigma[i]), 1e-3));
    t.true(worst < 1e-6, `sigma_${side} worst rel ${worst}`);
  }
});

test('FID of a feature set with itself is ~0, and the batch split does not matter', (t) => {
  const a = statsOf('features_real', 7).getMeanCov();
  const b = statsOf('features_real', 400).getMeanCov();
  t.deepEqual(a.mean, b.mean);
  t.deepEqual(a.cov, b.cov);
  t.true(Math.abs(frechetDistance(a, b).fid) < 1e-9);
});

test('frechetDistance rejects different feature dimensions', (t) => {
  const a = { mean: new Float64Array(2), cov: new Float64Array(4), numFeatures: 2 };
  const b = { mean: new Float64Array(3), cov: new Float64Array(9), numFeatures: 3 };
  t.throws(() => frechetDistance(a, b), { message: 'frechetDistance: feature dimensions differ (got real 2, gen 3)' });
});
