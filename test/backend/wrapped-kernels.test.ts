/**
 * The kernels sg3 wraps for speed (Slice/Unpack/SplitV on wasm and cpu, DepthwiseConv2dNative on
 * wasm) must compute exactly what the originals compute: slices are copies (exact equality), the
 * zero-padded depthwise kernels only add zero products (1e-6 relative).
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { collapseSlice, sliceRows } from '../../src/backend/kernels/slice.ts';
import { fastDepthwiseShape } from '../../src/backend/kernels/depthwise-fast.ts';

test('collapseSlice merges axes whose inner neighbours are taken whole', (t) => {
  t.deepEqual(collapseSlice([4, 5, 6, 2, 3], [0, 0, 0, 1, 0], [4, 5, 6, 1, 3]), { shape: [120, 6], begin: [0, 3], size: [120, 3] });
  t.deepEqual(collapseSlice([2, 3, 4], [1, 0, 0], [1, 3, 4]), { shape: [24], begin: [12], size: [12] });
  t.deepEqual(collapseSlice([2, 3, 4], [0, 1, 1], [2, 2, 2]), { shape: [2, 3, 4], begin: [0, 1, 1], size: [2, 2, 2] });
});

test('sliceRows equals an element-by-element slice', (t) => {
  const shape = [3, 4, 2, 5], begin = [1, 1, 0, 2], size = [2, 2, 2, 3];
  const src = Float32Array.from({ length: 120 }, (_, i) => i);
  const want: number[] = [];
  for (let a = 0; a < size[0]!; a++) for (let b = 0; b < size[1]!; b++) for (let c = 0; c < size[2]!; c++) for (let d = 0; d < size[3]!; d++) {
    want.push((((begin[0]! + a) * 4 + begin[1]! + b) * 2 + begin[2]! + c) * 5 + begin[3]! + d);
  }
  t.deepEqual(Array.from(sliceRows(src, shape, begin, size)), want);
});

const SLICES: { shape: number[]; begin: number[]; size: number[] }[] = [
  { shape: [2, 7, 6, 2, 3], begin: [0, 0, 0, 1, 0], size: [2, 7, 6, 1, 3] },
  { shape: [2, 3, 4, 5, 2, 3], begin: [1, 0, 1, 2, 0, 1], size: [1, 3, 2, 2, 2, 2] },
  { shape: [2, 9, 9, 3], begin: [0, 1, 2, 0], size: [2, 6, 5, 3] },
  { shape: [5, 4], begin: [1, 1], size: [3, 2] },
];

test.serial('Slice on wasm and cpu (wrapped) equals the values sliced by hand', async (t) => {
  for (const c of SLICES) {
    const n = c.shape.reduce((a, b) => a * b, 1);
    const src = Float32Array.from({ length: n }, (_, i) => i);
    const want = Array.from(sliceRows(src, c.shape, c.begin, c.size));
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const got = tf.slice(tf.tensor(src, c.shape), c.begin, c.size);
      t.deepEqual(got.shape, c.size);
      t.deepEqual(Array.from(got.dataSync()), want, `${backend} [${c.shape}]`);
    }
  }
});

test.serial('Unpack and SplitV on wasm match cpu exactly (rank 5)', async (t) => {
  const src = tf.randomNormal([2, 5, 4, 3, 6], 0, 1, 'float32', 1);
  const results: Record<string, number[][]> = {};
  for (const backend of ['wasm', 'cpu'] as const) {
    await initBackend(backend);
    const x = tf.clone(src);
    results[backend] = [...tf.unstack(x, 3), ...tf.split(x, [1, 3, 2], 4)].map((p) => Array.from(p.dataSync()));
  }
  t.deepEqual(results.wasm, results.cpu);
});

test('fastDepthwiseShape pads to the tap counts XNNPACK runs fast', (t) => {
  t.deepEqual(fastDepthwiseShape(1, 6), [1, 9]);
  t.deepEqual(fastDepthwiseShape(12, 1), [25, 1]);
  t.deepEqual(fastDepthwiseShape(1, 9), [1, 9]);
  t.deepEqual(fastDepthwiseShape(4, 4), [5, 5]);
  t.deepEqual(fastDepthwiseShape(2, 3), [3, 3]);
  t.deepEqual(fastDepthwiseShape(12, 12), [12, 12]);
  t.deepEqual(fastDepthwiseShape(1, 30), [1, 30]);
});

const DW: { x: number[]; k: [number, number]; s: number | [number, number]; pad: 'same' | 'valid' | number[][] }[] = [
  { x: [2, 20, 20, 8], k: [1, 6], s: 1, pad: 'valid' },
  { x: [2, 20, 21, 8], k: [12, 1], s: [2, 1], pad: 'valid' },
  { x: [2, 20, 20, 3], k: [4, 4], s: 2, pad: 'same' },
  { x: [1, 30, 30, 4], k: [1, 12], s: [1, 2], pad: [[0, 0], [0, 0], [5, 6], [0, 0]] },
  { x: [1, 16, 16, 2], k: [2, 3], s: 1, pad: [[0, 0], [1, 0], [2, 1], [0, 0]] },
];

for (const c of DW) {
  test.serial(`DepthwiseConv2dNative wasm (padded to a fast kernel) matches cpu: x=[${c.x}] k=${c.k} s=${c.s} pad=${JSON.stringify(c.pad)}`, async (t) => {
    await initBackend('cpu');
    const x = tf.randomNormal(c.x as [number, number, number, number], 0, 1, 'float32', 2) as tf.Tensor4D;
    const k = tf.randomNormal([c.k[0], c.k[1], c.x[3]!, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const want = tf.depthwiseConv2d(x, k, c.s, c.pad as never);
    await initBackend('wasm');
    const got = tf.depthwiseConv2d(tf.clone(x), tf.clone(k), c.s, c.pad as never);
    t.deepEqual(got.shape, want.shape);
    const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
    t.true(diff <= 1e-5, `max diff ${diff}`);
  });
}
