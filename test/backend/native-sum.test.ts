/**
 * The native Sum and Mean over contiguous axes (backend/native/reduce.ts) on wasm against the cpu backend:
 * every contiguous run of axes of NHWC-like shapes (with and without keepDims, negative axes, long
 * reductions), and the fallback to wasm's own kernel for scattered axes and int32. Tolerance: the
 * float32 rounding of a sum, 1e-6 relative to the sum of |x| behind each output.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { planSum } from '../../src/backend/native/reduce.ts';

const CASES: [number[], number | number[], boolean][] = [
  [[4, 54, 54, 128], [0, 1, 2], false],
  [[4, 38, 38, 130], [1, 2], true],
  [[3, 7, 5, 20], [-1], false],
  [[3, 7, 5, 20], [2, 3], true],
  [[2, 3, 4], [0], false],
  [[100000], [0], false],
  [[5, 9], [0, 1], false],
  [[256, 256, 1, 1], [2, 3], false],  // a 1x1 conv weight's sum over [kh, kw]: rows of one float
  [[64, 32, 3, 3], [2, 3], true],
];

async function both(shape: number[], axis: number | number[], keepDims: boolean, op: 'sum' | 'mean' = 'sum'): Promise<[tf.Tensor, tf.Tensor, number]> {
  await initBackend('cpu');
  const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
  const values = x.dataSync();
  const ref = tf[op](x, axis, keepDims), bound = tf[op](tf.abs(x), axis, keepDims);
  const refData = tf.tensor(ref.dataSync(), ref.shape), scale = tf.max(bound).dataSync()[0]!;
  await initBackend('wasm');
  const got = tf[op](tf.tensor(values, shape), axis, keepDims);
  return [got, refData, scale];
}

for (const [shape, axis, keepDims] of CASES) {
  test.serial(`shape=[${shape}] axis=${JSON.stringify(axis)} keepDims=${keepDims}: native Sum equals cpu`, async (t) => {
    t.not(planSum(shape, axis), null);
    const [got, ref, scale] = await both(shape, axis, keepDims);
    t.deepEqual(got.shape, ref.shape);
    const err = tf.max(tf.abs(tf.sub(got, tf.tensor(ref.dataSync(), ref.shape)))).dataSync()[0]!;
    t.true(err <= 1e-6 * scale, `${err} > 1e-6 * ${scale}`);
  });
}

for (const [shape, axis, keepDims] of CASES) {
  test.serial(`shape=[${shape}] axis=${JSON.stringify(axis)} keepDims=${keepDims}: native Mean equals cpu`, async (t) => {
    const [got, ref, scale] = await both(shape, axis, keepDims, 'mean');
    t.deepEqual(got.shape, ref.shape);
    const err = tf.max(tf.abs(tf.sub(got, tf.tensor(ref.dataSync(), ref.shape)))).dataSync()[0]!;
    t.true(err <= 1e-6 * scale, `${err} > 1e-6 * ${scale}`);
  });
}

test.serial('scattered axes and int32 fall back to the wasm kernel with the same result', async (t) => {
  t.is(planSum([2, 3, 4], [0, 2]), null);
  const [got, ref] = await both([2, 3, 4], [0, 2], false);
  t.deepEqual(Array.from(got.dataSync()).map((v) => v.toFixed(4)), Array.from(ref.dataSync()).map((v) => v.toFixed(4)));
  await initBackend('wasm');
  t.deepEqual(Array.from(tf.sum(tf.tensor([[1, 2], [3, 4]], [2, 2], 'int32'), 0).dataSync()), [4, 6]);
});
