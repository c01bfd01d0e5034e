/**
 * Gradients registered by registerMissingGradients that second-order tests do not reach:
 * StridedSlice (checked by the adjoint identity <grad, v> = <slice(v), r>, which holds exactly
 * because slicing is linear) on cpu and wasm, and the registry bookkeeping.
 */
import test from 'ava';
import { tf, initBackend, registerMissingGradients } from '../../src/backend/index.ts';

interface SliceCase { shape: number[]; begin: number[]; end: number[]; strides: number[]; beginMask?: number; endMask?: number }
const CASES: SliceCase[] = [
  { shape: [2, 9, 9, 3], begin: [0, 0, 0, 0], end: [2, 9, 9, 3], strides: [1, 2, 2, 1] },
  { shape: [2, 10, 7, 3], begin: [0, 1, 2, 0], end: [2, 10, 7, 3], strides: [1, 3, 2, 1] },
  { shape: [5, 6], begin: [1, 0], end: [4, 6], strides: [2, 1] },
  { shape: [6, 6], begin: [3, 3], end: [0, 0], strides: [2, 2], beginMask: 1, endMask: 3 },
];

for (const backend of ['cpu', 'wasm'] as const) {
  for (const c of CASES) {
    test.serial(`backend=${backend} StridedSlice gradient shape=[${c.shape}] begin=[${c.begin}] strides=[${c.strides}] masks=${c.beginMask ?? 0}/${c.endMask ?? 0}`, async (t) => {
      await initBackend(backend);
      const slice = (v: tf.Tensor) => tf.stridedSlice(v, c.begin, c.end, c.strides, c.beginMask ?? 0, c.endMask ?? 0);
      const x = tf.randomNormal(c.shape, 0, 1, 'float32', 1);
      const v = tf.randomNormal(c.shape, 0, 1, 'float32', 2);
      const r = tf.randomNormal(slice(x).shape, 0, 1, 'float32', 3);
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(slice(xx), r)))(x);
      t.deepEqual(g.shape, c.shape);
      const lhs = tf.sum(tf.mul(g, v)).dataSync()[0]!;
      const rhs = tf.sum(tf.mul(slice(v), r)).dataSync()[0]!;
      t.true(Math.abs(lhs - rhs) <= 1e-5 * Math.max(1, Math.abs(rhs)), `${lhs} vs ${rhs}`);
      // Every element the slice skips gets exactly zero gradient.
      const mask = tf.grad((xx: tf.Tensor) => tf.sum(slice(xx)))(x);
      const kept = tf.sum(mask).dataSync()[0]!;
      t.is(kept, slice(x).size);
    });
  }
}

test.serial('StridedSlice gradient refuses shrink-axis masks with a clear message', async (t) => {
  await initBackend('cpu');
  const x = tf.ones([8, 4]);
  const err = t.throws(() => tf.grad((v: tf.Tensor) => tf.sum(tf.stridedSlice(v, [1, 2], [8, 3], [3, 1], 0, 0, 0, 0, 2)))(x));
  t.regex(err!.message, /^StridedSlice gradient: ellipsis, new-axis and shrink-axis masks are not supported/);
});

test('registerMissingGradients keeps existing gradients and only fills gaps', (t) => {
  // Importing backend/ already registered them: a second call adds nothing.
  t.deepEqual(registerMissingGradients(), []);
  for (const k of ['Greater', 'LessEqual', 'LogicalAnd', 'StridedSlice', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) {
    t.truthy(tf.getGradient(k), k);
  }
});
