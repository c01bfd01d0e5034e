/**
 * Second-order gradients through the kernels and gradients sg3 adds:
 *  - R1 as in the official loss, d/dW of sum((dD/dx)^2), for a small D with conv, leaky ReLU * sqrt2,
 *    clamp, a stride-2 depthwise blur and a stride-2 conv: wasm vs cpu, and cpu vs central
 *    finite differences;
 *  - the gradients of the backprop-filter kernels, checked by the adjoint identity
 *    <R, backpropFilter(x, Y)> = <conv(x, R), Y>, so d/dx of the left side must equal d/dx of the right.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';

type T4 = tf.Tensor4D;

function weights() {
  return {
    x: tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 11) as T4,
    w1: tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 12) as T4,
    blur: tf.randomUniform([4, 4, 4, 1], 0, 0.25, 'float32', 13) as T4,
    w2: tf.randomNormal([3, 3, 4, 2], 0, 0.5, 'float32', 14) as T4,
  };
}

function discriminator(img: T4, w1: T4, blur: T4, w2: T4): tf.Scalar {
  let h: tf.Tensor = tf.leakyRelu(tf.conv2d(img, w1, 1, 'same'), 0.2);
  h = tf.clipByValue(tf.mul(h, Math.SQRT2), -1.5, 1.5); // a clamp that binds somewhere
  h = tf.depthwiseConv2d(h as T4, blur, 2, 'same');
  h = tf.conv2d(h as T4, w2, 2, 'valid');
  return tf.sum(tf.mul(h, h));
}

/** The R1 penalty sum((dD/dx)^2) as a function of the two conv weights. */
function r1(x: T4, blur: T4) {
  return (w1: tf.Tensor, w2: tf.Tensor) => {
    const gx = tf.grad((img: tf.Tensor) => discriminator(img as T4, w1 as T4, blur, w2 as T4))(x);
    return tf.sum(tf.square(gx)) as tf.Scalar;
  };
}

function maxAbs(t: tf.Tensor): number {
  return tf.max(tf.abs(t)).dataSync()[0]!;
}

async function r1Grads(backend: 'cpu' | 'wasm') {
  await initBackend(backend);
  const { x, w1, blur, w2 } = weights();
  const [g1, g2] = tf.grads(r1(x, blur))([w1, w2]);
  return [await g1!.array(), await g2!.array()].map((a) => tf.tensor(a as number[]));
}

test.serial('R1 double gradient through conv+lrelu+clamp+depthwise+stride-2 conv: wasm matches cpu', async (t) => {
  const cpu = await r1Grads('cpu');
  const wasm = await r1Grads('wasm');
  await initBackend('cpu');
  for (let i = 0; i < 2; i++) {
    const scale = maxAbs(cpu[i]!);
    t.true(scale > 1e-3, 'the gradient is not trivially zero');
    const diff = maxAbs(tf.sub(wasm[i]!, cpu[i]!));
    t.true(diff <= 1e-5 * scale, `w${i + 1}: max diff ${diff} vs scale ${scale}`);
  }
});

test.serial('R1 double gradient on cpu agrees with central finite differences', async (t) => {
  await initBackend('cpu');
  const { x, w1, blur, w2 } = weights();
  const f = r1(x, blur);
  const [g1] = tf.grads(f)([w1, w2]);
  const analytic = g1!.dataSync();
  const base = w1.dataSync();
  const eps = 1e-2;
  for (const idx of [0, 17, 50, 101]) {
    const plus = base.slice(), minus = base.slice();
    plus[idx]! += eps;
    minus[idx]! -= eps;
    const fp = f(tf.tensor(plus, w1.shape), w2).dataSync()[0]!;
    const fm = f(tf.tensor(minus, w1.shape), w2).dataSync()[0]!;
    const numeric = (fp - fm) / (2 * eps);
    t.true(Math.abs(numeric - analytic[idx]!) <= 2e-2 * Math.max(1, Math.abs(analytic[idx]!)), `w1[${idx}]: fd ${numeric} vs autodiff ${analytic[idx]}`);
  }
});

for (const backend of ['cpu', 'wasm'] as const) {
  test.serial(`backend=${backend}: gradient of Conv2DBackpropFilter w.r.t. x satisfies the adjoint identity`, async (t) => {
    await initBackend(backend);
    const x = tf.randomUniform([2, 7, 7, 3], -1, 1, 'float32', 21) as T4;
    const y = tf.randomUniform([2, 4, 4, 5], -1, 1, 'float32', 22) as T4;
    const r = tf.randomUniform([3, 3, 3, 5], -1, 1, 'float32', 23) as T4;
    const w0 = tf.zeros([3, 3, 3, 5]) as T4;
    // d/dx <R, dW(x)> where dW(x) = d/dW sum(conv(x, W) * Y) = Conv2DBackpropFilter(x, Y).
    const viaFilterGrad = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as T4, w as T4, 2, 'same'), y)))(w0), r)))(x);
    const direct = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as T4, r, 2, 'same'), y)))(x);
    t.true(maxAbs(tf.sub(viaFilterGrad, direct)) <= 1e-5 * Math.max(1, maxAbs(direct)));
  });

  test.serial(`backend=${backend}: gradient of DepthwiseConv2dNativeBackpropFilter w.r.t. x satisfies the adjoint identity`, async (t) => {
    await initBackend(backend);
    const x = tf.randomUniform([2, 8, 8, 3], -1, 1, 'float32', 31) as T4;
    const y = tf.randomUniform([2, 4, 4, 3], -1, 1, 'float32', 32) as T4;
    const r = tf.randomUniform([4, 4, 3, 1], -1, 1, 'float32', 33) as T4;
    const w0 = tf.zeros([4, 4, 3, 1]) as T4;
    const viaFilterGrad = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(xx as T4, w as T4, 2, 'same'), y)))(w0), r)))(x);
    const direct = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(xx as T4, r, 2, 'same'), y)))(x);
    t.true(maxAbs(tf.sub(viaFilterGrad, direct)) <= 1e-5 * Math.max(1, maxAbs(direct)));
  });
}

test.serial('comparison kernels have zero gradients (R1 through leaky ReLU needs Greater)', async (t) => {
  await initBackend('wasm');
  const x = tf.tensor1d([-1, 0.5, 2]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.where(tf.greater(v, 0), tf.mul(v, 3), tf.mul(v, 0.2))))(x);
  t.deepEqual(Array.from(g.dataSync()).map((v) => Math.round(v * 10) / 10), [0.2, 3, 3]);
  const gg = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(u, 0.2), u)))(v)))(x);
  // d/dv of (2v or 0.4v) = 2 or 0.4
  t.deepEqual(Array.from(gg.dataSync()).map((v) => Math.round(v * 10) / 10), [0.4, 2, 2]);
});
