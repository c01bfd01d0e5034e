/**
 * The metric adapters over real generators (smoke-profile rows): G is left exactly as it was,
 * values are functions of the seed alone (not of batching or of the metrics run before), the
 * generator source is G(z) of the seed's z stream, reals come in dataset order, and row A
 * reports EQ as not applicable.
 */
import test from 'ava';
import { join } from 'node:path';
import { initBackend } from '../../src/backend/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { openDataset } from '../../src/data/index.ts';
import { UsageError } from '../../src/errors.ts';
import { buildGenerator, tf, type Generator } from '../../src/index.ts';
import { imageGeneratorForGenerator, realImageSourceForDataset, streamRng } from '../../src/metrics/generator-adapters.ts';
import { computeGeneratorMetrics, metricContextForGenerator } from '../../src/metrics/generator-metrics.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { REPO_ROOT } from '../_golden.ts';

function smokeG(row: string, seed: number): Generator {
  return buildGenerator(planExperiment(loadConfig(join(REPO_ROOT, 'configs', `${row}.yaml`), { profile: 'smoke' })), { seed });
}

function stateValues(G: Generator): Map<string, Float32Array> {
  return new Map([...G.state.toNamedTensors()].map(([k, v]) => [k, Float32Array.from(v.data as Float32Array)]));
}

test.before(async () => { await initBackend('wasm'); });

test.serial('row=B (noise buffers) and row=T (user transform set): every state entry is bit-identical after EQ metrics and the fake-image source', async (t) => {
  for (const row of ['b-fourier-features', 'stylegan3-t']) {
    const G = smokeG(row, 1);
    G.setInputTransform([[0.8, -0.6, 0.1], [0.6, 0.8, -0.05], [0, 0, 1]]);
    const before = stateValues(G);
    t.true([...before.keys()].some((k) => k.endsWith('.noise_const')) === (row === 'b-fourier-features'), `${row}: noise buffers`);
    const tensorsBefore = tf.memory().numTensors;
    await computeGeneratorMetrics(G, ['eqt_int@4', 'eqr@4'], { seed: 2 });
    const ctx = metricContextForGenerator(G, { seed: 3 });
    await ctx.generator!(3);
    ctx.release();
    t.is(tf.memory().numTensors, tensorsBefore, `${row}: no tensor leaks`);
    for (const [k, v] of stateValues(G)) t.deepEqual(v, before.get(k), `${row}: ${k}`);
    G.dispose();
  }
});

test.serial('row=T: a metric is a function of its seed only (not of the metrics computed before it)', async (t) => {
  const G = smokeG('stylegan3-t', 2);
  const alone = await computeGeneratorMetrics(G, ['eqt_frac@8'], { seed: 7 });
  const after = await computeGeneratorMetrics(G, ['eqr@4', 'eqt_frac@8'], { seed: 7 });
  const other = await computeGeneratorMetrics(G, ['eqt_frac@8'], { seed: 8 });
  t.deepEqual(after[1]!.results, alone[0]!.results);
  t.notDeepEqual(other[0]!.results, alone[0]!.results);
  t.true(Number.isFinite(alone[0]!.results!['eqt_frac@8']));
  G.dispose();
});

test.serial('imageGeneratorForGenerator row=T: G(z) for z = the seed\'s normal stream, the same for any forward batch (to float32 rounding)', async (t) => {
  const G = smokeG('stylegan3-t', 3);
  const a = await imageGeneratorForGenerator(G, { seed: 5, batch: 4 })(6);
  const b = await imageGeneratorForGenerator(G, { seed: 5, batch: 6 })(6);
  t.deepEqual(a.shape, [6, 3, 16, 16]);
  const maxDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => { let m = 0; for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!)); return m; };
  // The modulated convs normalise styles over the whole batch (official), so batching moves only float32 rounding.
  t.true(maxDiff(a.data, b.data) <= 1e-6, `batch 4+2 vs 6: ${maxDiff(a.data, b.data)}`);
  const z = new Float32Array(6 * G.zDim);
  streamRng(5, 2).fillNormal(z);
  const want = tf.tidy(() => G.synthesis(G.mapping(tf.tensor2d(z, [6, G.zDim])), { noiseMode: 'const' }).dataSync());
  t.true(maxDiff(want, a.data) <= 1e-6, `vs G(z): ${maxDiff(want, a.data)}`);
  const c = await imageGeneratorForGenerator(G, { seed: 6 })(6);
  t.notDeepEqual(c.data, a.data);
  G.dispose();
});

test.serial('realImageSourceForDataset: read(start, count) = the dataset items in index order, NCHW uint8', async (t) => {
  const config = loadConfig(join(REPO_ROOT, 'configs', 'stylegan3-t.yaml'), { profile: 'smoke' });
  const ds = await openDataset(config.data);
  const src = realImageSourceForDataset(ds, { test: 1 });
  const batch = await src.read(5, 3);
  t.deepEqual(batch.shape, [3, 3, 16, 16]);
  t.is(src.length, ds.size);
  for (let i = 0; i < 3; i++) t.deepEqual(batch.data.subarray(i * 768, (i + 1) * 768), ds.read(5 + i).image);
  ds.close();
});

test.serial('row=A: EQ metrics are not applicable (null with a reason); SWD runs; an unknown name fails before any work', async (t) => {
  const G = smokeG('stylegan2', 4);
  const config = loadConfig(join(REPO_ROOT, 'configs', 'stylegan2.yaml'), { profile: 'smoke' });
  const ds = await openDataset(config.data);
  const r = await computeGeneratorMetrics(G, ['eqt_int@4', 'swd@8'], { seed: 1, dataset: ds, cache: null });
  t.deepEqual({ ...r[0]!, reason: typeof (r[0] as { reason?: string }).reason }, { metric: 'eqt_int@4', results: null, reason: 'string', num: 4 });
  t.true(Number.isFinite(r[1]!.results!['swd@8']));
  await t.throwsAsync(computeGeneratorMetrics(G, ['swd@8', 'eqt51k']), { instanceOf: UsageError, message: /unknown metric "eqt51k" \(valid: / });
  ds.close();
  G.dispose();
});
