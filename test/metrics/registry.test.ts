import test from 'ava';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/backend/tf.ts';
import { computeMetric, listMetrics, resolveMetric, isValidMetric } from '../../src/metrics/registry.ts';
import type { MetricContext, RealImageSource } from '../../src/metrics/compute.ts';
import type { FeatureNetwork } from '../../src/metrics/inception/net.ts';
import { InceptionFeatureNet } from '../../src/metrics/inception/net.ts';
import { writeRandomInceptionWeights } from '../../src/metrics/inception/weights.ts';
import { StatsCache } from '../../src/metrics/stats-cache.ts';
import { gramF64 } from '../../src/metrics/kid.ts';
import type { ImageBatch, ImageGenerator } from '../../src/metrics/images.ts';
import { applyIntegerTranslation, type FloatBatch } from '../../src/metrics/eq-ops.ts';
import { RunError, UsageError } from '../../src/errors.ts';
import { bandLimitedNoise, blur } from './_images.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg3-registry-'));
test.before(async () => { await tf.setBackend('cpu'); });
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
delete process.env.SG3_INCEPTION;

test('official names resolve to their sample counts; @N and --num rename honestly', (t) => {
  t.deepEqual(resolveMetric('fid50k_full'), { name: 'fid50k_full', family: 'fid_full', num: 50000, description: resolveMetric('fid50k_full').description });
  t.is(resolveMetric('fid50k_full', 1000).name, 'fid_full@1000');
  t.is(resolveMetric('eqt50k_int', 1000).name, 'eqt_int@1000');
  t.is(resolveMetric('eqr@200').num, 200);
  t.is(resolveMetric('kid_full@50000').name, 'kid50k_full'); // the default count is the official name
  t.is(resolveMetric('swd16k').num, 16384);
  t.deepEqual(listMetrics().slice(0, 6), ['fid50k_full', 'kid50k_full', 'eqt50k_int', 'eqt50k_frac', 'eqr50k', 'swd16k']);
  t.true(isValidMetric('swd@64'));
  t.false(isValidMetric('fid50k'));
});

test('an unknown name lists the valid ones; a bad --num is a usage error', (t) => {
  const e = t.throws(() => resolveMetric('fid10k'), { instanceOf: UsageError });
  t.is(e!.message, `metrics: unknown metric "fid10k" (valid: ${listMetrics().join(', ')})`);
  t.throws(() => resolveMetric('fid_full@0'), { message: /unknown metric "fid_full@0"/ });
  t.throws(() => resolveMetric('fid50k_full', 1.5), { instanceOf: UsageError, message: 'metrics: --num must be an integer >= 2 (got 1.5)' });
});

/** A cheap stand-in feature network: per-channel mean, std and mean |horizontal gradient| of 0..255 images. */
function toyNet(): FeatureNetwork & { calls: number } {
  return {
    id: 'toy-stats-v1', dim: 9, calls: 0,
    async extract(images: ImageBatch) {
      this.calls++;
      const [n, c, h, w] = images.shape;
      const out = new Float32Array(n * 9);
      for (let i = 0; i < n; i++) for (let ch = 0; ch < 3; ch++) {
        const o = (i * c + Math.min(ch, c - 1)) * h * w;
        let s = 0, s2 = 0, g = 0;
        for (let k = 0; k < h * w; k++) { const v = images.data[o + k] / 255; s += v; s2 += v * v; if (k % w) g += Math.abs(v - images.data[o + k - 1] / 255); }
        const m = s / (h * w);
        out.set([m, Math.sqrt(Math.max(s2 / (h * w) - m * m, 0)), g / (h * w)], i * 9 + ch * 3);
      }
      return out;
    },
    dispose() {},
  };
}

function datasetOf(images: ImageBatch & { data: Uint8Array }, name: string): RealImageSource & { reads: number } {
  const [n, c, h, w] = images.shape;
  return {
    identity: { kind: 'procedural-test', name, n }, length: n, resolution: h, reads: 0,
    async read(start, count) { this.reads++; return { data: images.data.slice(start * c * h * w, (start + count) * c * h * w), shape: [count, c, h, w] }; },
  };
}

/** Generated images from a fixed uint8 pool, as floats in [-1, 1]. */
function generatorOf(images: ImageBatch & { data: Uint8Array }): ImageGenerator {
  const [n, c, h, w] = images.shape;
  let next = 0;
  return async (count) => {
    const data = new Float32Array(count * c * h * w);
    for (let i = 0; i < count; i++, next = (next + 1) % n) data.set(Float32Array.from(images.data.subarray(next * c * h * w, (next + 1) * c * h * w), (v) => (v - 128) / 127.5), i * c * h * w);
    return { data, shape: [count, c, h, w] };
  };
}

test('fid_full@64 with a toy feature net: same distribution << blurred; dataset stats come from the cache the 2nd time', async (t) => {
  const real = datasetOf(bandLimitedNoise(96, 3, 16, 1), 'a');
  const net = toyNet();
  const ctx = (gen: ImageGenerator): MetricContext => ({ dataset: real, generator: gen, featureNet: net, cache: new StatsCache(join(dir, 'cache')), batchSize: 32 });
  const same = await computeMetric('fid50k_full', ctx(generatorOf(bandLimitedNoise(64, 3, 16, 2))), 64);
  t.is(same.metric, 'fid_full@64');
  t.is(real.reads, 3);
  const worse = await computeMetric('fid_full@64', ctx(generatorOf(blur(bandLimitedNoise(64, 3, 16, 2), 1.5))));
  t.is(real.reads, 3); // cached
  t.is(readdirSync(join(dir, 'cache')).length, 1);
  t.log(same.results, worse.results);
  t.true(same.results['fid_full@64'] < 0.2 * worse.results['fid_full@64']);
});

test('kid_full@48: the tfjs float32 gram gives the float64 KID to ~1e-4 relative', async (t) => {
  const real = datasetOf(bandLimitedNoise(48, 3, 16, 3), 'b');
  const gen = generatorOf(blur(bandLimitedNoise(48, 3, 16, 4), 1));
  const r = await computeMetric('kid_full@48', { dataset: real, generator: gen, featureNet: toyNet(), cache: null, seed: 5 });
  const f64 = await computeMetric('kid_full@48', { dataset: real, generator: gen, featureNet: toyNet(), cache: null, seed: 5, gram: gramF64 });
  t.true(Math.abs(r.results['kid_full@48'] - f64.results['kid_full@48']) < 1e-4 * Math.abs(f64.results['kid_full@48']) + 1e-9);
  t.true(f64.results['kid_full@48'] > 0);
});

test('without Inception weights FID and KID fail with one line saying how to provide them', async (t) => {
  const ctx: MetricContext = { dataset: datasetOf(bandLimitedNoise(4, 3, 16, 1), 'c'), generator: generatorOf(bandLimitedNoise(4, 3, 16, 1)), cache: null };
  for (const name of ['fid50k_full', 'kid50k_full']) {
    const e = await t.throwsAsync(computeMetric(name, ctx), { instanceOf: RunError });
    t.regex(e!.message, /^metrics.inception: .*never downloads.*SG3_INCEPTION.*scripts\/convert-inception.py/);
    t.false(e!.message.includes('\n'));
  }
  await t.throwsAsync(computeMetric('fid50k_full', { cache: null }), { instanceOf: RunError, message: 'fid50k_full: needs the real images of a dataset (got none)' });
  await t.throwsAsync(computeMetric('eqr50k', {}), { instanceOf: RunError, message: 'eqr50k: needs a generator that accepts an input transform (got none)' });
});

test('fid_full@4 end to end through the Inception net (random weights from a temp file, 75 px input)', async (t) => {
  const path = join(dir, 'random-inception.safetensors');
  writeRandomInceptionWeights(path, 3);
  const net = InceptionFeatureNet.load(path, { inputSize: 75 });
  const r = await computeMetric('fid_full@4', { dataset: datasetOf(bandLimitedNoise(6, 3, 16, 5), 'd'), generator: generatorOf(bandLimitedNoise(4, 3, 16, 6)), featureNet: net, cache: null });
  t.true(Number.isFinite(r.results['fid_full@4']) && r.results['fid_full@4'] > 0);
  net.dispose();
});

test('eqt_int@8 via the registry: +Infinity dB for an exactly equivariant fake target', async (t) => {
  const pool = Float32Array.from(bandLimitedNoise(8, 3, 16, 7).data, (v) => v / 127.5 - 1);
  const r = await computeMetric('eqt_int@8', {
    seed: 1,
    equivariance: {
      resolution: 16,
      async sample(batch) {
        const orig: FloatBatch = { data: pool.slice(0, batch * 768), shape: [batch, 3, 16, 16] };
        return async (m) => applyIntegerTranslation(orig, -m[2], -m[5]).out;
      },
    },
  });
  t.deepEqual(r.results, { 'eqt_int@8': Infinity });
});

test('swd@16 via the registry: per-level keys and an average', async (t) => {
  const r = await computeMetric('swd@16', { dataset: datasetOf(bandLimitedNoise(16, 3, 32, 8), 'e'), generator: generatorOf(bandLimitedNoise(16, 3, 32, 9)), seed: 2 });
  t.deepEqual(Object.keys(r.results), ['swd@16', 'swd@16_32', 'swd@16_16']);
  t.is(r.results['swd@16'], (r.results['swd@16_32'] + r.results['swd@16_16']) / 2);
  await t.throwsAsync(computeMetric('swd@32', { dataset: datasetOf(bandLimitedNoise(16, 3, 32, 8), 'e'), generator: generatorOf(bandLimitedNoise(16, 3, 32, 9)) }), { message: 'swd@32: needs 32 real images (got 16); use swd@N with a smaller N' });
});

test('index.ts re-exports the generator-facing API the training loop calls (the same bindings)', async (t) => {
  const index = await import('../../src/metrics/index.ts');
  const gm = await import('../../src/metrics/generator-metrics.ts');
  const ex = await import('../../src/metrics/explicit.ts');
  for (const name of ['metricContextForGenerator', 'computeGeneratorMetrics', 'resolveMetrics', 'notApplicableReason'] as const) {
    t.is(index[name], gm[name], name);
  }
  t.is(index.explicitEquivariance, ex.explicitEquivariance);
  t.is(index.resolveMetric, resolveMetric);
  // resolveMetrics checks every name before any work: one typo fails the whole list.
  t.deepEqual(index.resolveMetrics(['fid50k_full', 'eqr@200']).map((s) => s.name), ['fid50k_full', 'eqr@200']);
  t.throws(() => index.resolveMetrics(['fid50k_full', 'fid50k_ful']), { instanceOf: UsageError });
});
