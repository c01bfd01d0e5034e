/**
 * fourierFeatures against the official SynthesisInput output act.input of g_sg3_T16 (identity
 * transform) and g_sg3_T16_transform (rotation + translation transform), driven from the stored
 * parameters: t = ws[0, row 0] @ (affine.weight / sqrt(w_dim))^T + affine.bias. Sample 0 is stored;
 * all four samples are checked through the stored per-channel mean / mean-square statistics.
 */
import test from 'ava';
import { tf } from '../../src/backend/index.ts';
import { fourierFeatures } from '../../src/ops/fourier-features.ts';
import { readGoldenJson } from '../_golden.ts';
import { BACKENDS, maxAbs, maxAbsDiff, stored, storedNhwc, suggestedTol, useBackend } from './_helpers.ts';

const P = 'g_sg3_T16_params.safetensors';

function run(ioFile: string, transform: tf.Tensor2D): tf.Tensor4D {
  const ws = stored(ioFile, 'ws');
  const w = tf.reshape(tf.slice(ws, [0, 0, 0], [-1, 1, -1]), [ws.shape[0], -1]) as tf.Tensor2D;
  const weight = stored(P, 'synthesis.input.affine.weight') as tf.Tensor2D;
  const t = tf.add(tf.matMul(w, tf.div(weight, Math.sqrt(weight.shape[1])), false, true), stored(P, 'synthesis.input.affine.bias')) as tf.Tensor2D;
  const spec = readGoldenJson('g_sg3_T16.json').modules?.input;
  const size = (spec?.shape?.[3] as number | undefined) ?? 36;
  return fourierFeatures({
    t, transform,
    freqs: stored(P, 'synthesis.input.freqs') as tf.Tensor2D,
    phases: stored(P, 'synthesis.input.phases') as tf.Tensor1D,
    weight: stored(P, 'synthesis.input.weight') as tf.Tensor2D,
  }, { size: [size, size], samplingRate: 16, bandwidth: 2 });
}

const CASES = [
  { name: 'g_sg3_T16', io: 'g_sg3_T16_io.safetensors', json: 'g_sg3_T16.json', transform: () => stored(P, 'synthesis.input.transform') },
  { name: 'g_sg3_T16_transform', io: 'g_sg3_T16_transform_io.safetensors', json: 'g_sg3_T16_transform.json', transform: () => tf.tensor2d(readGoldenJson('g_sg3_T16_transform.json').transform as number[][]) },
];

for (const backend of BACKENDS) {
  for (const c of CASES) {
    test.serial(`backend=${backend} golden=${c.name} act.input (sample 0 in full, all samples by statistics)`, async (t) => {
      await useBackend(backend);
      const y = run(c.io, c.transform() as tf.Tensor2D);
      t.deepEqual(y.shape, [4, 36, 36, 32]);
      const want = storedNhwc(c.io, 'act.input');
      const got0 = tf.slice(y, [0, 0, 0, 0], [1, -1, -1, -1]);
      const tol = suggestedTol(c.json, 'act.input (all samples)');
      const diff = maxAbsDiff(got0, want);
      t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
      // Samples 1..3: per-channel mean and mean square over H, W.
      const mean = tf.mean(y, [1, 2]), meansq = tf.mean(tf.square(y), [1, 2]);
      t.true(maxAbsDiff(mean, stored(c.io, 'stats.input.mean')) <= tol);
      t.true(maxAbsDiff(meansq, stored(c.io, 'stats.input.meansq')) <= tol * Math.max(1, maxAbs(meansq)));
    });
  }
}

test.serial('fourierFeatures is differentiable w.r.t. t (the learned affine) and wasm equals cpu', async (t) => {
  const grads: tf.Tensor[] = [];
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const tIn = tf.tensor2d([[1, 0.2, 0.1, -0.05], [0.8, -0.3, 0.0, 0.2]]);
    const inputs = { freqs: tf.randomNormal([8, 2], 0, 1, 'float32', 1) as tf.Tensor2D, phases: tf.randomUniform([8], -0.5, 0.5, 'float32', 2) as tf.Tensor1D, transform: tf.eye(3) as tf.Tensor2D, weight: tf.randomNormal([8, 8], 0, 1, 'float32', 3) as tf.Tensor2D };
    const r = tf.randomNormal([2, 12, 12, 8], 0, 1, 'float32', 4);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fourierFeatures({ ...inputs, t: v as tf.Tensor2D }, { size: [12, 12], samplingRate: 8, bandwidth: 2 }), r)))(tIn);
    grads.push(tf.tensor(await g.data(), g.shape));
  }
  t.true(maxAbs(grads[1]!) > 1e-3);
  t.true(maxAbsDiff(grads[0]!, grads[1]!) <= 1e-4 * Math.max(1, maxAbs(grads[1]!)));
});
