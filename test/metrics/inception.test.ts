import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '../../src/backend/tf.ts';
import { initBackend } from '../../src/backend/init.ts';
import { planInception, INCEPTION_LAYERS } from '../../src/metrics/inception/arch.ts';
import { InceptionFeatureNet, preprocessImages } from '../../src/metrics/inception/net.ts';
import { loadInceptionWeights, resolveInceptionPath, writeRandomInceptionWeights, INCEPTION_FORMAT } from '../../src/metrics/inception/weights.ts';
import { writeSafetensors } from '../../src/io/safetensors.ts';
import { RunError } from '../../src/errors.ts';
import { Rng } from '../../src/io/rng.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg3-inception-'));
const weightsPath = join(dir, 'random-inception.safetensors');
writeRandomInceptionWeights(weightsPath, 1);
test.before(async () => { await tf.setBackend('cpu'); });
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('planInception size=299: stage shapes of the FID Inception (pool3 input 2048x8x8), 94 convs', (t) => {
  const { stages, convs } = planInception(299);
  const shape = (name: string) => stages.find((s) => s.name === name)!.shape;
  t.deepEqual(shape('Conv2d_1a_3x3'), [32, 149, 149]);
  t.deepEqual(shape('Conv2d_2b_3x3'), [64, 147, 147]);
  t.deepEqual(shape('Conv2d_4a_3x3'), [192, 71, 71]);
  t.deepEqual(shape('Mixed_5b'), [256, 35, 35]);
  t.deepEqual(shape('Mixed_5d'), [288, 35, 35]);
  t.deepEqual(shape('Mixed_6a'), [768, 17, 17]);
  t.deepEqual(shape('Mixed_6e'), [768, 17, 17]);
  t.deepEqual(shape('Mixed_7a'), [1280, 8, 8]);
  t.deepEqual(shape('Mixed_7c'), [2048, 8, 8]);
  t.is(convs.length, 94);
  const w = (name: string) => convs.find((c) => c.name === name)!.weight;
  t.deepEqual(w('Mixed_6b.branch7x7_2'), [128, 128, 1, 7]);
  t.deepEqual(w('Mixed_7c.branch3x3dbl_1'), [448, 2048, 1, 1]);
  t.deepEqual(w('Mixed_7b.branch3x3_2b'), [384, 384, 3, 1]);
  t.deepEqual(w('Mixed_5b.branch_pool'), [32, 192, 1, 1]);
});

test('the FID patches: Mixed_7b pools by average, Mixed_7c by max, Mixed_5b..6e by average', (t) => {
  const poolOf = (name: string) => {
    const block = INCEPTION_LAYERS.find((l) => l.kind === 'mixed' && l.name === name);
    return block && block.kind === 'mixed' ? block.branches[block.branches.length - 1][0].kind : null;
  };
  t.is(poolOf('Mixed_7b'), 'avg');
  t.is(poolOf('Mixed_7c'), 'max');
  for (const name of ['Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) t.is(poolOf(name), 'avg', name);
});

test('random weights size=75 batch=2: features are [2, 2048], finite, ReLU-pooled (>= 0), image-dependent', async (t) => {
  const net = InceptionFeatureNet.load(weightsPath, { inputSize: 75 });
  t.regex(net.id, /^inception-2015-12-05@[0-9a-f]{16}@75px$/);
  const rng = new Rng(2);
  const data = Uint8Array.from({ length: 2 * 3 * 32 * 32 }, () => rng.int(256));
  const f = await net.extract({ data, shape: [2, 3, 32, 32] });
  t.is(f.length, 2 * 2048);
  t.true(f.every((v) => Number.isFinite(v) && v >= 0));
  let diff = 0;
  for (let i = 0; i < 2048; i++) diff += Math.abs(f[i] - f[2048 + i]);
  t.true(diff > 0);
  // batching does not change a row; a grayscale image equals its 3-channel repetition
  const one = await net.extract({ data: data.subarray(0, 3 * 32 * 32), shape: [1, 3, 32, 32] });
  for (let i = 0; i < 2048; i++) t.true(Math.abs(one[i] - f[i]) <= 1e-5 * (1 + Math.abs(f[i])));
  const gray = data.subarray(0, 32 * 32);
  const g1 = await net.extract({ data: gray, shape: [1, 1, 32, 32] });
  const g3 = await net.extract({ data: Uint8Array.from([...gray, ...gray, ...gray]), shape: [1, 3, 32, 32] });
  t.deepEqual(g1, g3);
  net.dispose();
});

// Serial tests run before the concurrent ones, so switching the backend here cannot interleave with them.
test.serial('backend parity size=75: wasm features equal cpu features (rel 1e-4)', async (t) => {
  const rng = new Rng(6);
  const images = { data: Uint8Array.from({ length: 2 * 3 * 40 * 40 }, () => rng.int(256)), shape: [2, 3, 40, 40] as [number, number, number, number] };
  const run = async () => { const net = InceptionFeatureNet.load(weightsPath, { inputSize: 75 }); const f = await net.extract(images); net.dispose(); return f; };
  const onCpu = await run();
  await initBackend('wasm');
  try {
    const onWasm = await run();
    let worst = 0;
    for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onWasm[i] - onCpu[i]) / (1 + Math.abs(onCpu[i])));
    t.true(worst < 1e-4, `worst ${worst}`);
  } finally {
    await tf.setBackend('cpu');
  }
});

test('preprocess 5x7 -> 11: equals the official grid_sample(bilinear, border) resize: source x = j * W / 299, then (x - 128) / 128', (t) => {
  const rng = new Rng(4);
  const [h, w, s] = [5, 7, 11];
  const img = Float32Array.from({ length: 3 * h * w }, () => rng.int(256));
  const got = preprocessImages({ data: img, shape: [1, 3, h, w] }, s).arraySync()[0];
  // Reference written from the official formula: source u = j * W / S, clamped to the border.
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < s; i++) {
      for (let j = 0; j < s; j++) {
        const u = Math.min(j * w / s, w - 1), v = Math.min(i * h / s, h - 1);
        const x0 = Math.floor(u), y0 = Math.floor(v), x1 = Math.min(x0 + 1, w - 1), y1 = Math.min(y0 + 1, h - 1);
        const at = (y: number, x: number) => img[(c * h + y) * w + x];
        const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * (u - x0);
        const bot = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * (u - x0);
        const want = (top + (bot - top) * (v - y0) - 128) / 128;
        t.true(Math.abs(got[i][j][c] - want) < 1e-5, `c=${c} i=${i} j=${j}: ${got[i][j][c]} vs ${want}`);
      }
    }
  }
});

test('avgPool 3x3/1 "same" excludes the zero padding (count_include_pad=False)', (t) => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
  const y = tf.avgPool(x, 3, 1, 'same').dataSync();
  t.is(y[0], (1 + 2 + 4 + 5) / 4); // corner: 4 valid pixels, not 9
  t.is(y[4], 5);
});

test('loadInceptionWeights: wrong format and wrong shapes are one-line RunErrors', (t) => {
  const bad = join(dir, 'bad.safetensors');
  writeSafetensors(bad, { x: { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: 'other' });
  t.throws(() => loadInceptionWeights(bad), { instanceOf: RunError, message: /not an sg3 Inception weight file \(got metadata format "other"\)/ });
  writeSafetensors(bad, { 'Conv2d_1a_3x3.weight': { dtype: 'F32', shape: [1], data: new Float32Array(1) } }, { format: INCEPTION_FORMAT });
  const e = t.throws(() => loadInceptionWeights(bad), { instanceOf: RunError });
  t.regex(e!.message, /188 Inception tensors do not match the architecture \(got Conv2d_1a_3x3.weight F32 \[1\] \(want F32 \[32,3,3,3\]\)/);
  t.false(e!.message.includes('\n'));
});

test('resolveInceptionPath: config first, then SG3_INCEPTION, else an error saying how to provide the weights', (t) => {
  t.is(resolveInceptionPath(weightsPath, {}), weightsPath);
  t.is(resolveInceptionPath(null, { SG3_INCEPTION: weightsPath }), weightsPath);
  const none = t.throws(() => resolveInceptionPath(null, {}), { instanceOf: RunError });
  t.regex(none!.message, /^metrics.inception: FID\/KID need the Inception-v3 weights and sg3 never downloads them \(got no path\): set metrics.inception .* SG3_INCEPTION=.*scripts\/convert-inception.py/);
  t.throws(() => resolveInceptionPath(null, { SG3_INCEPTION: join(dir, 'nope') }), { message: /^SG3_INCEPTION: Inception weight file not found \(got .*nope\)/ });
});
