import test from 'ava';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { RunError } from '../../src/errors.ts';

// ava runs each file in its own process, so this file owns the backend state it sees.

test.serial('backend=cpu starts and reports itself', async (t) => {
  const info = await initBackend('cpu');
  t.is(info.name, 'cpu');
  t.is(info.tfBackend, 'cpu');
  t.is(tf.getBackend(), 'cpu');
  t.is(info.simd, null);
});

test.serial('backend=wasm loads the single-threaded SIMD build from the package and adds the training kernels', async (t) => {
  const info = await initBackend('wasm');
  t.is(info.name, 'wasm');
  t.is(tf.getBackend(), 'wasm');
  t.true(info.simd, 'Node 20 supports wasm SIMD');
  t.is(basename(info.wasmBinary!), 'tfjs-backend-wasm-simd.wasm');
  t.true(existsSync(info.wasmBinary!));
  t.is(info.threads, 1);
  for (const k of ['Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter']) {
    t.true(info.kernelsAdded.includes(k), k);
    t.truthy(tf.getKernel(k, 'wasm'), k);
  }
  // It computes: a 1x1 conv is a matrix product.
  const y = tf.conv2d(tf.tensor4d([1, 2], [1, 1, 1, 2]), tf.tensor4d([3, 4], [1, 1, 2, 1]), 1, 'valid');
  t.deepEqual(Array.from(await y.data()), [11]);
});

test.serial('switching back to cpu after wasm works and tensors move across', async (t) => {
  await initBackend('wasm');
  const a = tf.tensor1d([1, 2, 3]);
  await initBackend('cpu');
  t.deepEqual(Array.from(await tf.mul(a, 2).data()), [2, 4, 6]);
});

for (const name of ['tensorflow', 'tensorflow-gpu'] as const) {
  test.serial(`backend=${name} absent: one-line RunError saying how to install it`, async (t) => {
    const pkg = name === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
    const err = await t.throwsAsync(initBackend(name), { instanceOf: RunError });
    t.is(err!.message, `runtime.backend: ${name} needs ${pkg}, which is not installed (got backend '${name}'); install it with \`npm install ${pkg}\` or choose wasm`);
    t.false(err!.message.includes('\n'));
  });
}

test.serial('backend=auto without native packages falls back to wasm and says why', async (t) => {
  const info = await initBackend('auto');
  t.is(info.name, 'wasm');
  t.deepEqual(info.skipped, ['@tensorflow/tfjs-node-gpu: not installed', '@tensorflow/tfjs-node: not installed']);
});

test.serial('unknown backend name is a RunError listing the valid ones', async (t) => {
  const err = await t.throwsAsync(initBackend('webgl' as never), { instanceOf: RunError });
  t.is(err!.message, "runtime.backend: unknown backend (got 'webgl'; valid: auto, tensorflow-gpu, tensorflow, wasm, cpu)");
});

test('tfjs gradients and chained ops are installed by importing backend/tf.ts', (t) => {
  t.truthy(tf.getGradient('Conv2D'));
  t.truthy(tf.getGradient('LeakyRelu'));
  t.is(typeof (tf.scalar(1) as unknown as { sum?: unknown }).sum, 'function');
});
