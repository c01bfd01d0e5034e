/**
 * filteredLrelu: every flrelu.* golden of ops_sg3 (separable, crop, ToRGB without filters, up 4,
 * radial 2-D down filters; the official clamp 256 and a binding clamp 0.5) on wasm and cpu, for
 * the fast path and the reference path, at the JSON's suggested tolerances. Gradients: the fast
 * path's tf.grad equals the reference path's (a different chain of kernels), wasm equals cpu, and
 * a directional finite difference agrees.
 */
import test from 'ava';
import { tf } from '../../src/backend/index.ts';
import { filteredLrelu, filteredLreluRef } from '../../src/ops/filtered-lrelu.ts';
import type { FirFilter } from '../../src/ops/fir.ts';
import { readGoldenJson } from '../_golden.ts';
import { BACKENDS, golden, maxAbs, maxAbsDiff, stored, storedNhwc, suggestedTol, useBackend } from './_helpers.ts';

const FILE = 'ops_sg3.safetensors';
const JSON_FILE = 'ops_sg3.json';
const cases = readGoldenJson(JSON_FILE).cases as Record<string, { up: number; down: number; padding: [number, number, number, number]; gain: number; slope: number; outputs: Record<string, { clamp: number }> }>;
const FLRELU = Object.keys(cases).filter((k) => k.startsWith('flrelu.'));

function filter(name: string): FirFilter {
  return golden(FILE).tensors.has(name) ? (stored(FILE, name) as tf.Tensor1D | tf.Tensor2D) : null;
}

function caseInputs(name: string) {
  return { x: storedNhwc(FILE, `${name}.x`), b: stored(FILE, `${name}.b`), fu: filter(`${name}.fu`), fd: filter(`${name}.fd`) };
}

const IMPLS = { fast: filteredLrelu, ref: filteredLreluRef };

test('the golden lists the six filtered-lrelu cases', (t) => {
  t.deepEqual(FLRELU, ['flrelu.T16_L0', 'flrelu.T16_L13', 'flrelu.T16_L14_torgb', 'flrelu.T32_L5_up4', 'flrelu.R16_L0_radial', 'flrelu.R32_L5_up4_radial']);
});

for (const backend of BACKENDS) {
  for (const name of FLRELU) {
    const c = cases[name]!;
    for (const [output, { clamp }] of Object.entries(c.outputs)) {
      for (const [implName, impl] of Object.entries(IMPLS)) {
        test.serial(`backend=${backend} impl=${implName} golden=${output}`, async (t) => {
          await useBackend(backend);
          const { x, b, fu, fd } = caseInputs(name);
          const y = impl(x, fu, fd, b, { up: c.up, down: c.down, padding: c.padding, gain: c.gain, slope: c.slope, clamp });
          const want = storedNhwc(FILE, output);
          t.deepEqual(y.shape, want.shape);
          const tol = suggestedTol(JSON_FILE, output);
          const diff = maxAbsDiff(y, want);
          t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
        });
      }
    }
  }
}

/** loss = sum(filteredLrelu(x) * r) with a fixed random r; gradient w.r.t. x and b. */
function lossGrads(impl: typeof filteredLrelu, name: string, clamp: number) {
  const c = cases[name]!;
  const { x, b, fu, fd } = caseInputs(name);
  const opts = { up: c.up, down: c.down, padding: c.padding, gain: c.gain, slope: c.slope, clamp };
  const r = tf.randomNormal(impl(x, fu, fd, b, opts).shape, 0, 1, 'float32', 5);
  const f = (xx: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(impl(xx as tf.Tensor4D, fu, fd, bb, opts), r)) as tf.Scalar;
  return { f, x, b, grads: tf.grads(f)([x, b]) };
}

for (const name of ['flrelu.T16_L0', 'flrelu.T32_L5_up4', 'flrelu.R16_L0_radial']) {
  test.serial(`gradient case=${name} clamp=0.5: fast equals reference; wasm equals cpu`, async (t) => {
    const byBackend: tf.Tensor[][] = [];
    for (const backend of BACKENDS) {
      await useBackend(backend);
      const fast = lossGrads(filteredLrelu, name, 0.5).grads;
      const ref = lossGrads(filteredLreluRef, name, 0.5).grads;
      for (let i = 0; i < 2; i++) {
        t.true(maxAbs(fast[i]!) > 1e-3, 'non-trivial gradient');
        t.true(maxAbsDiff(fast[i]!, ref[i]!) <= 1e-5 * Math.max(1, maxAbs(ref[i]!)), `${backend} input ${i}`);
      }
      byBackend.push(await Promise.all(fast.map(async (g) => tf.tensor(await g.data(), g.shape))));
    }
    for (let i = 0; i < 2; i++) t.true(maxAbsDiff(byBackend[0]![i]!, byBackend[1]![i]!) <= 1e-5 * Math.max(1, maxAbs(byBackend[1]![i]!)));
  });
}

test.serial('gradient case=flrelu.T16_L0 agrees with a central finite difference along a random direction', async (t) => {
  await useBackend('cpu');
  const { f, x, b, grads } = lossGrads(filteredLrelu, 'flrelu.T16_L0', 256);
  const v = tf.randomNormal(x.shape, 0, 1, 'float32', 6);
  // Small enough that few samples cross the leaky-ReLU kink, large enough for float32 sums.
  const eps = 1e-3;
  const fd = (f(tf.add(x, tf.mul(v, eps)), b).dataSync()[0]! - f(tf.sub(x, tf.mul(v, eps)), b).dataSync()[0]!) / (2 * eps);
  const analytic = tf.sum(tf.mul(grads[0]!, v)).dataSync()[0]!;
  t.true(Math.abs(fd - analytic) <= 1e-2 * Math.max(1, Math.abs(analytic)), `fd ${fd} vs autodiff ${analytic}`);
});

test.serial('second order (R1-like d/dW of sum((d/dx)^2) through conv + filteredLrelu): fast equals reference, wasm equals cpu', async (t) => {
  const byBackend: tf.Tensor[] = [];
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const { x, b, fu, fd } = caseInputs('flrelu.T16_L13');
    const c = cases['flrelu.T16_L13']!;
    const img = x;
    const w = tf.randomNormal([3, 3, 2, 2], 0, 0.5, 'float32', 7) as tf.Tensor4D;
    const r = tf.randomNormal([1, 16, 16, 2], 0, 1, 'float32', 8);
    const r1 = (impl: typeof filteredLrelu) => tf.grad((ww: tf.Tensor) => {
      const gx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(impl(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'), fu, fd, b, { up: c.up, down: c.down, padding: c.padding, gain: c.gain, slope: c.slope, clamp: 0.5 }), r)))(img);
      return tf.sum(tf.square(gx));
    })(w);
    const fast = r1(filteredLrelu), ref = r1(filteredLreluRef);
    t.true(maxAbs(ref) > 1e-3, 'non-trivial');
    t.true(maxAbsDiff(fast, ref) <= 1e-5 * Math.max(1, maxAbs(ref)), `${backend}: ${maxAbsDiff(fast, ref)}`);
    byBackend.push(tf.tensor(await fast.data(), fast.shape));
  }
  t.true(maxAbsDiff(byBackend[0]!, byBackend[1]!) <= 1e-5 * Math.max(1, maxAbs(byBackend[1]!)));
});

test.serial('filteredLrelu rejects a bias of the wrong length', async (t) => {
  await useBackend('cpu');
  t.throws(() => filteredLrelu(tf.zeros([1, 8, 8, 3]) as tf.Tensor4D, null, null, tf.zeros([2])), { message: 'filteredLrelu: bias must be [3] (got [2])' });
});
