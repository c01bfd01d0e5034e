/**
 * The six native kernels on wasm against the cpu backend's kernels (the reference) over a table of
 * shapes: 1x1/3x3/4x4 (and FIR-like 1x6, 6x1, 12x12 depthwise), strides 1/2/3, SAME/VALID/
 * explicit/numeric pads with rounding, batch 1/2/4, odd channel counts, input channels past the
 * GEMM's K block, output channels past one register panel, dilation 2 (forward kernels).
 *
 * Tolerance, per element: |native - cpu| <= 1e-5 * S + 1e-30, where S is the same kernel on
 * |inputs| (the sum of |products| behind that element). Both compute in float32 with a
 * different summation order; float32 rounding of such a sum is bounded by a small multiple of
 * eps * S, whatever the sign cancellations. Every case also checks the native path really ran.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { registerNativeKernels, nativeKernelStats, nativeKernelInfo } from '../../src/backend/native/index.ts';
import type { NativeKernelName } from '../../src/backend/native/index.ts';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | number[][];
interface Case { x: number[]; f: number[]; s: number; pad: Pad; dil?: number; round?: 'floor' | 'ceil' | 'round' }

const CONV_CASES: Case[] = [
  { x: [1, 9, 9, 3], f: [3, 3, 3, 8], s: 1, pad: 'same' },
  { x: [4, 9, 9, 5], f: [3, 3, 5, 7], s: 2, pad: 'same' },
  { x: [2, 10, 11, 6], f: [3, 3, 6, 33], s: 2, pad: 'valid' },
  { x: [1, 8, 8, 4], f: [4, 4, 4, 5], s: 2, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { x: [2, 8, 8, 9], f: [1, 1, 9, 17], s: 2, pad: 'valid' },
  { x: [1, 6, 7, 300], f: [1, 1, 300, 40], s: 1, pad: 'valid' },
  { x: [2, 16, 16, 3], f: [1, 1, 3, 70], s: 1, pad: 'valid' },
  { x: [4, 12, 12, 32], f: [3, 3, 32, 32], s: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [1, 10, 10, 3], f: [3, 3, 3, 4], s: 2, pad: 1, round: 'ceil' },
  { x: [1, 7, 7, 2], f: [2, 2, 2, 3], s: 3, pad: 'same' },
  { x: [1, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same', dil: 2 },
  { x: [2, 9, 11, 40], f: [1, 1, 40, 3], s: 1, pad: 'same' },
];
const DEPTHWISE_CASES: Case[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
  { x: [2, 9, 9, 20], f: [4, 4, 20, 1], s: 2, pad: 'same' },
  { x: [1, 12, 10, 37], f: [1, 6, 37, 1], s: 1, pad: 'valid' },
  { x: [1, 12, 10, 70], f: [6, 1, 70, 1], s: 2, pad: [[0, 0], [2, 3], [0, 0], [0, 0]] },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 2], s: 2, pad: 'valid' },
  { x: [1, 20, 20, 130], f: [12, 12, 130, 1], s: 1, pad: 'same' },
  { x: [4, 6, 6, 64], f: [3, 3, 64, 1], s: 1, pad: 1, round: 'floor' },
  { x: [1, 9, 9, 5], f: [3, 3, 5, 1], s: 1, pad: 'same', dil: 2 },
  { x: [1, 5, 40, 24], f: [1, 12, 24, 1], s: 2, pad: [[0, 0], [0, 0], [5, 6], [0, 0]] },
  { x: [2, 30, 30, 16], f: [5, 5, 16, 1], s: 1, pad: [[0, 0], [9, 1], [0, 4], [0, 0]] },
  { x: [1, 7, 8, 17], f: [1, 2, 17, 1], s: 3, pad: 'valid' },
];
const KERNELS: Exclude<NativeKernelName, 'FusedConv2D'>[] = [
  'Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter',
  'DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter',
];

function outShape(c: Case, depthwise: boolean): number[] {
  return tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.s, c.dil ?? 1, c.pad as never, c.round, depthwise).outShape;
}

/** Inputs and attrs of `kernel` for case `c` (tfjs's attrs for that kernel, exactly). */
function call(kernel: NativeKernelName, c: Case): { inputs: Record<string, tf.Tensor>; attrs: object } {
  const depthwise = kernel.startsWith('Depthwise');
  const x = tf.randomUniform(c.x, -1, 1, 'float32', 1), f = tf.randomUniform(c.f, -1, 1, 'float32', 2);
  const dy = tf.randomUniform(outShape(c, depthwise), -1, 1, 'float32', 3);
  const strides = [c.s, c.s], dilations = [c.dil ?? 1, c.dil ?? 1], dimRoundingMode = c.round;
  const base = depthwise ? { strides, pad: c.pad, dilations, dimRoundingMode } : { strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode };
  if (kernel.endsWith('BackpropInput')) return { inputs: { dy, filter: f }, attrs: { ...base, inputShape: c.x } };
  if (kernel.endsWith('BackpropFilter')) return { inputs: { x, dy }, attrs: { ...base, filterShape: c.f } };
  return { inputs: { x, filter: f }, attrs: kernel === 'Conv2D' ? { ...base, dilations } : base };
}

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs, attrs as never) as tf.Tensor;
}

test.before(async () => {
  await initBackend('wasm');
  const r = registerNativeKernels();
  if (!r.ok) throw new Error(`native kernels did not register: ${r.reason}`);
});

test.serial('the addon reports its instruction set and threads', (t) => {
  const info = nativeKernelInfo();
  t.truthy(info);
  t.true(['avx512', 'avx2', 'generic'].includes(info!.isa));
  t.true(info!.threads >= 1);
});

for (const kernel of KERNELS) {
  const depthwise = kernel.startsWith('Depthwise');
  for (const c of depthwise ? DEPTHWISE_CASES : CONV_CASES) {
    if (c.dil != null && kernel !== 'Conv2D' && kernel !== 'DepthwiseConv2dNative') continue;  // tfjs gradients need dilation 1
    const title = `kernel=${kernel} x=[${c.x}] f=[${c.f}] s=${c.s} pad=${JSON.stringify(c.pad)}${c.dil ? ` dil=${c.dil}` : ''}${c.round ? ` round=${c.round}` : ''}`;
    test.serial(`${title}: native on wasm matches cpu`, async (t) => {
      await tf.setBackend('cpu');
      const { inputs, attrs } = call(kernel, c);
      const ref = run(kernel, inputs, attrs);
      const scale = run(kernel, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.abs(v)])), attrs);
      await tf.setBackend('wasm');
      const before = nativeKernelStats()[kernel].native;
      const got = run(kernel, Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.clone(v)])), attrs);
      t.is(nativeKernelStats()[kernel].native, before + 1, 'the native kernel ran');
      t.deepEqual(got.shape, ref.shape);
      const g = got.dataSync(), r = ref.dataSync(), s = scale.dataSync();
      let worst = 0;
      for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(g[i]! - r[i]!) / (s[i]! + 1e-30));
      t.log(`worst ${worst.toExponential(2)}`);
      t.true(worst <= 1e-5, `max |native - cpu| / S = ${worst.toExponential(2)}`);
    });
  }
}

const FUSED: { act: string; bias: boolean; alpha?: number; native: boolean }[] = [
  { act: 'relu', bias: true, native: true },
  { act: 'linear', bias: false, native: true },
  { act: 'relu6', bias: true, native: true },
  { act: 'leakyrelu', bias: true, alpha: 0.3, native: true },
  { act: 'sigmoid', bias: true, native: false },  // not in the native epilogue: wasm's own kernel runs
];
for (const f of FUSED) {
  const c = CONV_CASES[2]!;
  test.serial(`kernel=FusedConv2D act=${f.act} bias=${f.bias} x=[${c.x}] f=[${c.f}] s=${c.s}: ${f.native ? 'native' : 'fallback'} on wasm matches cpu`, async (t) => {
    await tf.setBackend('cpu');
    const x = tf.randomUniform(c.x as Shape4, -1, 1, 'float32', 1) as tf.Tensor4D, filter = tf.randomUniform(c.f as Shape4, -1, 1, 'float32', 2) as tf.Tensor4D;
    const bias = f.bias ? tf.randomUniform([c.f[3]!], -1, 1, 'float32', 4) : undefined;
    // Through the op, as callers use it (it passes absent inputs as undefined-valued keys).
    const fused = (xx: tf.Tensor4D, ff: tf.Tensor4D, bb: tf.Tensor | undefined, activation: string) => tf.fused.conv2d({
      x: xx, filter: ff, bias: bb, strides: c.s, pad: c.pad as 'same', activation: activation as 'relu', leakyreluAlpha: f.alpha });
    const ref = fused(x, filter, bias, f.act);
    // |act(a) - act(b)| <= |a - b| for these activations, so the linear conv of |inputs| bounds the error.
    const scale = fused(tf.abs(x), tf.abs(filter), bias && tf.abs(bias), 'linear');
    await tf.setBackend('wasm');
    const before = nativeKernelStats().FusedConv2D;
    const got = fused(tf.clone(x), tf.clone(filter), bias && tf.clone(bias), f.act);
    const after = nativeKernelStats().FusedConv2D;
    t.deepEqual([after.native - before.native, after.fallback - before.fallback], f.native ? [1, 0] : [0, 1]);
    const g = got.dataSync(), r = ref.dataSync(), s = scale.dataSync();
    let worst = 0;
    for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(g[i]! - r[i]!) / (s[i]! + 1e-30));
    t.true(worst <= 1e-5, `max |wasm - cpu| / S = ${worst.toExponential(2)}`);
    if (f.act === 'relu') t.true(Array.from(r).some((v) => v === 0) && Array.from(r).some((v) => v > 0), 'relu is active on part of the output');
  });
}

test.serial('native kernels leave no tensors or wasm buffers behind', async (t) => {
  await tf.setBackend('wasm');
  for (const kernel of KERNELS) {
    const { inputs, attrs } = call(kernel, kernel.startsWith('Depthwise') ? DEPTHWISE_CASES[1]! : CONV_CASES[1]!);
    const tensors = tf.memory().numTensors, buffers = tf.backend().numDataIds();
    run(kernel, inputs, attrs).dispose();
    t.is(tf.memory().numTensors, tensors, kernel);
    t.is(tf.backend().numDataIds(), buffers, kernel);
  }
});

test.serial('a 1x1 stride-2 input gradient leaves the pixels no tap reaches at zero (over a dirty heap)', async (t) => {
  await tf.setBackend('wasm');
  // Fill and free a buffer of the output's size first, so the output is likely to reuse dirty memory.
  tf.fill([1, 4, 4, 1], 7).dispose();
  const dx = run('Conv2DBackpropInput', { dy: tf.ones([1, 2, 2, 1]), filter: tf.ones([1, 1, 1, 1]) },
    { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 4, 4, 1] });
  t.deepEqual(Array.from(dx.dataSync()), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
});

test.serial('unsupported attributes fall back to the previous wasm kernel (NCHW conv2d gives wasm\'s own error)', async (t) => {
  await tf.setBackend('wasm');
  const before = nativeKernelStats().Conv2D.fallback;
  t.throws(() => run('Conv2D', { x: tf.ones([1, 2, 5, 5]), filter: tf.ones([3, 3, 2, 4]) }, { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 }),
    { message: /dataFormat/ });
  t.is(nativeKernelStats().Conv2D.fallback, before + 1);
});
