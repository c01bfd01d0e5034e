/**
 * Every kernel registered by registerWasmKernels, on wasm, against the cpu backend's native kernel
 * (the reference), over shapes, strides and paddings (SAME, VALID, explicit, uneven). The same
 * composite is also run on the cpu backend, which checks its algebra apart from wasm.
 * Tolerance: max |ours - cpu| <= 1e-5 * max(1, max |cpu|) (float32, sums of <= ~600 products).
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { runComposite, COMPOSITE_KERNELS } from '../../src/backend/kernels/register.ts';

type Pad = 'same' | 'valid' | number[][];
interface Case { x: number[]; f: number[]; s: number; pad: Pad }

const CONV_CASES: Case[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], s: 2, pad: 'same' },
  { x: [2, 10, 11, 3], f: [3, 3, 3, 4], s: 2, pad: 'valid' },
  { x: [1, 8, 8, 2], f: [4, 4, 2, 3], s: 2, pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { x: [1, 8, 8, 2], f: [1, 1, 2, 3], s: 2, pad: 'valid' },
  { x: [1, 7, 7, 2], f: [5, 5, 2, 3], s: 3, pad: 'same' },
  { x: [3, 6, 5, 1], f: [2, 3, 1, 2], s: 1, pad: 'valid' },
];
const DEPTHWISE_CASES: Case[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 1], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [4, 4, 3, 1], s: 2, pad: 'same' },
  { x: [1, 12, 10, 2], f: [1, 6, 2, 1], s: 1, pad: 'valid' },
  { x: [1, 12, 10, 2], f: [6, 1, 2, 1], s: 2, pad: [[0, 0], [2, 3], [0, 0], [0, 0]] },
  { x: [2, 8, 8, 2], f: [3, 3, 2, 2], s: 2, pad: 'valid' },
];

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

/** Forward output shape of the case, from tfjs's own shape planner. */
function outShape(c: Case, depthwise: boolean): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x as never, c.f as never, c.s, 1, c.pad as never, undefined, depthwise);
  return info.outShape;
}

function inputsFor(kernel: string, c: Case) {
  const depthwise = kernel.startsWith('Depthwise');
  const x = rand(c.x, 1), f = rand(c.f, 2), dy = rand(outShape(c, depthwise), 3);
  const strides = [c.s, c.s];
  const common = depthwise ? { strides, pad: c.pad, dilations: [1, 1] } : { strides, pad: c.pad, dataFormat: 'NHWC' };
  const inputs: tf.NamedTensorMap = kernel.endsWith('Input') ? { dy, filter: f } : { x, dy };
  const attrs = kernel.endsWith('Input') ? { ...common, inputShape: c.x } : { ...common, filterShape: c.f };
  return { inputs, attrs };
}

function maxAbs(t: tf.Tensor): number {
  return tf.max(tf.abs(t)).dataSync()[0]!;
}

test.before(async () => {
  await initBackend('wasm');
});

for (const kernel of Object.keys(COMPOSITE_KERNELS)) {
  const cases = kernel.startsWith('Depthwise') ? DEPTHWISE_CASES : CONV_CASES;
  for (const c of cases) {
    test.serial(`kernel=${kernel} x=[${c.x}] f=[${c.f}] s=${c.s} pad=${JSON.stringify(c.pad)}: wasm and composite-on-cpu match cpu`, async (t) => {
      await tf.setBackend('cpu');
      const { inputs, attrs } = inputsFor(kernel, c);
      const ref = tf.engine().runKernel(kernel, inputs, attrs as never) as tf.Tensor;
      const tol = 1e-5 * Math.max(1, maxAbs(ref));
      const onCpu = tf.engine().makeTensorFromTensorInfo(runComposite(kernel, 'cpu', inputs as never, attrs), tf.backend());
      t.deepEqual(onCpu.shape, ref.shape);
      t.true(maxAbs(tf.sub(onCpu, ref)) <= tol, 'composite on cpu');

      await tf.setBackend('wasm');
      const wasmInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.clone(v)]));
      const onWasm = tf.engine().runKernel(kernel, wasmInputs, attrs as never) as tf.Tensor;
      t.deepEqual(onWasm.shape, ref.shape);
      const diff = maxAbs(tf.sub(onWasm, ref));
      t.true(diff <= tol, `wasm max diff ${diff} > ${tol}`);
    });
  }
}

test.serial('composite kernels free every intermediate (no leaked tensors or wasm buffers)', async (t) => {
  await tf.setBackend('wasm');
  for (const kernel of Object.keys(COMPOSITE_KERNELS)) {
    const c = kernel.startsWith('Depthwise') ? DEPTHWISE_CASES[1]! : CONV_CASES[1]!;
    const { inputs, attrs } = inputsFor(kernel, c);
    const before = tf.memory().numTensors, buffers = tf.backend().numDataIds();
    const out = tf.engine().runKernel(kernel, inputs, attrs as never) as tf.Tensor;
    out.dispose();
    t.is(tf.memory().numTensors, before, kernel);
    t.is(tf.backend().numDataIds(), buffers, kernel);
  }
});

test.serial('Conv2DBackpropInput with a 1x1 kernel and stride 2 leaves the skipped pixels at zero', async (t) => {
  await tf.setBackend('wasm');
  const dy = tf.ones([1, 2, 2, 1]);
  const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: tf.ones([1, 1, 1, 1]) },
    { strides: [2, 2], pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 4, 4, 1] } as never) as tf.Tensor;
  t.deepEqual(Array.from(dx.dataSync()), [1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
});
