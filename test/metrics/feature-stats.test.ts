import test from 'ava';
import { FeatureStats } from '../../src/metrics/feature-stats.ts';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.ts';
import { Rng } from '../../src/io/rng.ts';

function randomFeatures(rows: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: rows * dim }, (_, i) => Math.max(0, rng.normal() + (i % dim) * 0.1));
}

test('mean/cov rows=50 dim=6 equal a direct two-pass float64 computation (population covariance)', (t) => {
  const x = randomFeatures(50, 6, 1);
  const stats = new FeatureStats({ captureMeanCov: true });
  stats.append(x, 6);
  const { mean, cov } = stats.getMeanCov();
  for (let i = 0; i < 6; i++) {
    let m = 0;
    for (let r = 0; r < 50; r++) m += x[r * 6 + i];
    m /= 50;
    t.true(Math.abs(mean[i] - m) < 1e-14);
    for (let j = 0; j < 6; j++) {
      let mj = 0;
      for (let r = 0; r < 50; r++) mj += x[r * 6 + j];
      mj /= 50;
      let c = 0;
      for (let r = 0; r < 50; r++) c += (x[r * 6 + i] - m) * (x[r * 6 + j] - mj);
      t.true(Math.abs(cov[i * 6 + j] - c / 50) < 1e-12, `cov[${i},${j}]`);
    }
  }
});

test('maxItems=30 drops the rows beyond it, like the official class', (t) => {
  const x = randomFeatures(50, 4, 2);
  const stats = new FeatureStats({ captureAll: true, captureMeanCov: true, maxItems: 30 });
  stats.append(x.subarray(0, 20 * 4), 4);
  t.false(stats.isFull());
  stats.append(x.subarray(20 * 4), 4);
  t.true(stats.isFull());
  stats.append(x, 4);
  t.is(stats.numItems, 30);
  t.deepEqual(stats.getAll(), x.subarray(0, 120));
  const direct = new FeatureStats({ captureMeanCov: true });
  direct.append(x.subarray(0, 120), 4);
  t.deepEqual(stats.getMeanCov(), direct.getMeanCov());
});

test('float64 input is rounded to float32 first, as official FeatureStats.append', (t) => {
  const x64 = Float64Array.from([0.1, 0.2, 0.3, 1 / 3]);
  const a = new FeatureStats({ captureAll: true, captureMeanCov: true });
  a.append(x64, 2);
  const b = new FeatureStats({ captureAll: true, captureMeanCov: true });
  b.append(Float32Array.from(x64), 2);
  t.deepEqual(a.getMeanCov(), b.getMeanCov());
  t.deepEqual(a.getAll(), Float32Array.from(x64));
});

test('round trip: stats -> safetensors bytes -> stats keeps counts, sums and features bit-exactly', (t) => {
  const x = randomFeatures(40, 5, 3);
  const stats = new FeatureStats({ captureAll: true, captureMeanCov: true, maxItems: 100 });
  stats.append(x, 5);
  const { tensors, metadata } = stats.toTensors();
  const parsed = parseSafetensors(serializeSafetensors(tensors, metadata));
  const again = FeatureStats.fromTensors(parsed.tensors, parsed.metadata);
  t.is(again.numItems, 40);
  t.is(again.maxItems, 100);
  t.deepEqual(again.getAll(), stats.getAll());
  t.deepEqual(again.getMeanCov(), stats.getMeanCov());
  again.append(x, 5); // still appendable after a reload
  t.is(again.numItems, 80);
});

test('errors: wrong row size, changed dimension, empty stats, wrong capture mode', (t) => {
  const s = new FeatureStats({ captureMeanCov: true });
  t.throws(() => s.append(new Float32Array(5), 2), { message: 'FeatureStats.append: 5 values do not form rows of 2' });
  t.throws(() => s.getMeanCov(), { message: 'FeatureStats: no features were appended (got 0 items)' });
  s.append(new Float32Array(4), 2);
  t.throws(() => s.append(new Float32Array(3), 3), { message: 'FeatureStats.append: feature dimension changed (got 3, had 2)' });
  t.throws(() => s.getAll(), { message: /without captureAll/ });
  t.throws(() => FeatureStats.fromTensors(new Map(), { format: 'x' }), { message: 'feature stats: not a feature-stats file (got format x)' });
});
