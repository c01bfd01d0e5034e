/**
 * Gradients through a small conv net, on wasm with the native kernels against the cpu backend:
 * first order (what G and D training needs) and second order (R1: the gradient of a penalty on
 * the input gradient, which differentiates the backprop kernels themselves). Each run also checks
 * that every native kernel it should use ran natively.
 *
 * Tolerance: max |wasm - cpu| <= 1e-4 * max |cpu| per gradient (float32 through a few layers,
 * each with its own summation order).
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, nativeKernelStats, type NativeKernelName } from '../../src/backend/native/index.ts';

type Shape4 = [number, number, number, number];
const SHAPES: Record<'x' | 'w1' | 'wd' | 'w2', Shape4> = { x: [2, 10, 10, 5], w1: [3, 3, 5, 8], wd: [1, 4, 8, 1], w2: [1, 1, 8, 3] };

/** conv 3x3 SAME -> leaky ReLU -> depthwise 1x4 stride 2 (explicit pad) -> conv 1x1 stride 1: NHWC. */
function net(x: tf.Tensor4D, w1: tf.Tensor4D, wd: tf.Tensor4D, w2: tf.Tensor4D): tf.Tensor4D {
  const h = tf.leakyRelu(tf.conv2d(x, w1, 1, 'same'), 0.2);
  const d = tf.depthwiseConv2d(h, wd, 2, [[0, 0], [1, 1], [2, 1], [0, 0]]);
  return tf.conv2d(d, w2, 1, 'valid');
}

type Params = [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];

function params(values: Float32Array[]): Params {
  return [SHAPES.x, SHAPES.w1, SHAPES.wd, SHAPES.w2].map((s, i) => tf.tensor4d(values[i]!, s)) as Params;
}

/** d sum(net^2) / d (x, w1, wd, w2). */
function firstOrder(p: Params): tf.Tensor[] {
  return tf.grads((...a: tf.Tensor[]) => tf.sum(tf.square(net(...(a as Params)))))(p);
}

/** R1-like: d/d(w1, wd, w2) of sum((d sum(net) / dx)^2). */
function secondOrder([x, ...w]: Params): tf.Tensor[] {
  const penalty = (w1: tf.Tensor, wd: tf.Tensor, w2: tf.Tensor) => {
    const gx = tf.grad((xx: tf.Tensor) => tf.sum(net(xx as tf.Tensor4D, w1 as tf.Tensor4D, wd as tf.Tensor4D, w2 as tf.Tensor4D)))(x);
    return tf.sum(tf.square(gx));
  };
  return tf.grads(penalty as (...a: tf.Tensor[]) => tf.Tensor)(w);
}

let values: Float32Array[] = [];

test.before(async () => {
  await initBackend('wasm');
  const r = registerNativeKernels();
  if (!r.ok) throw new Error(`native kernels did not register: ${r.reason}`);
  values = [SHAPES.x, SHAPES.w1, SHAPES.wd, SHAPES.w2].map((s, i) => tf.randomUniform(s, -1, 1, 'float32', 10 + i).dataSync() as Float32Array);
});

const CASES: [string, (p: Params) => tf.Tensor[], NativeKernelName[]][] = [
  ['first order', firstOrder, ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNative',
    'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']],
  ['second order (R1-like)', secondOrder, ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter']],
];

for (const [name, grads, used] of CASES) {
  test.serial(`net=conv3x3-lrelu-dw1x4s2-conv1x1 ${name}: wasm+native gradients match cpu`, async (t) => {
    await tf.setBackend('cpu');
    const ref = tf.tidy(() => grads(params(values)).map((g) => g.dataSync().slice()));
    await tf.setBackend('wasm');
    const before = nativeKernelStats();
    const got = tf.tidy(() => grads(params(values)).map((g) => g.dataSync().slice()));
    const after = nativeKernelStats();
    for (const k of used) t.true(after[k].native > before[k].native, `${k} ran natively`);
    t.is(got.length, ref.length);
    ref.forEach((r, i) => {
      const g = got[i]!;
      t.is(g.length, r.length);
      let diff = 0, scale = 0;
      for (let j = 0; j < r.length; j++) {
        diff = Math.max(diff, Math.abs(g[j]! - r[j]!));
        scale = Math.max(scale, Math.abs(r[j]!));
      }
      t.true(scale > 0, `gradient ${i} is not identically zero`);
      t.true(diff <= 1e-4 * scale, `gradient ${i}: max diff ${diff.toExponential(2)} > 1e-4 * ${scale.toExponential(2)}`);
    });
  });
}
