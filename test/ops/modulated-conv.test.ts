/**
 * Modulated convolutions and conv2dResample:
 *  - ops_sg3 modconv.demod / modconv.nodemod (official SG3 modulated_conv2d);
 *  - ops_sg3 layerT / layerR: a whole SG3 SynthesisLayer (affine, modconv with input gain,
 *    filtered lrelu with up 4 / down 2, separable or radial) composed from these ops;
 *  - g_sg3_T16 act.L0 from act.input and g_sg2_16_nonoise act.b8.conv0 from act.b4.conv1
 *    (SG2 up=2 layer: transposed-conv semantics, [1,3,3,1] filter, lrelu, clamp);
 *  - conv2dResample's up path against the official route (conv2dTranspose, then upfirdn2d);
 *  - gradients of both modulated convs: wasm equals cpu;
 *  - a 1x1 kernel (run fused, per-sample weights): value and gradients equal the non-fused form.
 * All golden comparisons on wasm and cpu at the JSON's suggested tolerances.
 */
import test from 'ava';
import { tf } from '../../src/backend/index.ts';
import { biasAct } from '../../src/ops/bias-act.ts';
import { conv2dResample } from '../../src/ops/conv2d-resample.ts';
import { filteredLrelu } from '../../src/ops/filtered-lrelu.ts';
import { oihwToHwio } from '../../src/ops/layout.ts';
import { modulatedConv2d, modulatedConv2dSG2 } from '../../src/ops/modulated-conv.ts';
import { setupFilter, upfirdn2dRef } from '../../src/ops/upfirdn2d.ts';
import { readGoldenJson } from '../_golden.ts';
import { nativeKernelInfo, nativeMatMulCalls } from '../../src/backend/native/index.ts';
import { BACKENDS, golden, maxAbs, maxAbsDiff, stored, storedNhwc, suggestedTol, useBackend } from './_helpers.ts';

const OPS = 'ops_sg3.safetensors';

/** A plain FC layer with lr multiplier 1: x @ (W / sqrt(in))^T + b (the affines). */
function affine(file: string, prefix: string, w: tf.Tensor2D): tf.Tensor2D {
  const weight = stored(file, `${prefix}.weight`) as tf.Tensor2D;
  return tf.add(tf.matMul(w, tf.div(weight, Math.sqrt(weight.shape[1])), false, true), stored(file, `${prefix}.bias`)) as tf.Tensor2D;
}

for (const backend of BACKENDS) {
  for (const [output, demodulate, padding, inputGain] of [['modconv.demod', true, 2, 0.7], ['modconv.nodemod', false, 0, null]] as const) {
    test.serial(`backend=${backend} golden=${output} (SG3 modulated_conv2d)`, async (t) => {
      await useBackend(backend);
      const y = modulatedConv2d(storedNhwc(OPS, 'modconv.x'), stored(OPS, 'modconv.w') as tf.Tensor4D, stored(OPS, 'modconv.s') as tf.Tensor2D, { demodulate, padding, inputGain });
      const want = storedNhwc(OPS, output);
      t.deepEqual(y.shape, want.shape);
      const diff = maxAbsDiff(y, want), tol = suggestedTol('ops_sg3.json', output);
      t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
    });
  }

  for (const layer of ['layerT', 'layerR']) {
    test.serial(`backend=${backend} golden=${layer}.out (SynthesisLayer up 4 / down 2 composed from ops)`, async (t) => {
      await useBackend(backend);
      const spec = readGoldenJson('ops_sg3.json').cases[layer];
      const k = spec.constructor_kwargs.conv_kernel as number;
      const styles = affine(OPS, `${layer}.affine`, stored(OPS, `${layer}.in_w`) as tf.Tensor2D);
      const x = modulatedConv2d(storedNhwc(OPS, `${layer}.in_x`), stored(OPS, `${layer}.weight`) as tf.Tensor4D, styles, {
        demodulate: true, padding: k - 1, inputGain: tf.rsqrt(stored(OPS, `${layer}.magnitude_ema`)),
      });
      const y = filteredLrelu(x, stored(OPS, `${layer}.up_filter`) as tf.Tensor1D, stored(OPS, `${layer}.down_filter`) as tf.Tensor1D | tf.Tensor2D, stored(OPS, `${layer}.bias`), {
        up: spec.up_factor, down: spec.down_factor, padding: spec.padding, gain: Math.SQRT2, slope: 0.2, clamp: 256,
      });
      const want = storedNhwc(OPS, `${layer}.out`);
      t.deepEqual(y.shape, want.shape);
      const diff = maxAbsDiff(y, want), tol = suggestedTol('ops_sg3.json', `${layer}.out`);
      t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
    });
  }

  test.serial(`backend=${backend} golden=g_sg3_T16 act.L0_36_32 from act.input (sample 0)`, async (t) => {
    await useBackend(backend);
    const P = 'g_sg3_T16_params.safetensors', IO = 'g_sg3_T16_io.safetensors', L = 'synthesis.L0_36_32';
    const flrelu = readGoldenJson('ops_sg3.json').cases['flrelu.T16_L0']; // the same layer: up 2, down 2, padding
    const w = tf.reshape(tf.slice(stored(IO, 'ws'), [0, 1, 0], [1, 1, -1]), [1, -1]) as tf.Tensor2D;
    const x = modulatedConv2d(storedNhwc(IO, 'act.input'), stored(P, `${L}.weight`) as tf.Tensor4D, affine(P, `${L}.affine`, w), {
      padding: 2, inputGain: tf.rsqrt(stored(P, `${L}.magnitude_ema`)),
    });
    const y = filteredLrelu(x, stored(P, `${L}.up_filter`) as tf.Tensor1D, stored(P, `${L}.down_filter`) as tf.Tensor1D, stored(P, `${L}.bias`), {
      up: flrelu.up, down: flrelu.down, padding: flrelu.padding, clamp: 256,
    });
    const want = storedNhwc(IO, 'act.L0_36_32');
    const diff = maxAbsDiff(y, want), tol = suggestedTol('g_sg3_T16.json', 'act.L0_36_32 (all samples)');
    t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
  });

  test.serial(`backend=${backend} golden=g_sg2_16_nonoise act.b8.conv0 from act.b4.conv1 (SG2 up=2 layer)`, async (t) => {
    await useBackend(backend);
    const P = 'g_sg2_16_nonoise_params.safetensors', IO = 'g_sg2_16_nonoise_io.safetensors', L = 'synthesis.b8.conv0';
    const w = tf.reshape(tf.slice(stored(IO, 'ws'), [0, 1, 0], [1, 1, -1]), [1, -1]) as tf.Tensor2D;
    const x = modulatedConv2dSG2(storedNhwc(IO, 'act.b4.conv1'), stored(P, `${L}.weight`) as tf.Tensor4D, affine(P, `${L}.affine`, w), {
      up: 2, padding: 1, resampleFilter: stored(P, `${L}.resample_filter`) as tf.Tensor2D, flipWeight: false,
    });
    const y = biasAct(x, stored(P, `${L}.bias`), { act: 'lrelu', clamp: 256 });
    const want = storedNhwc(IO, 'act.b8.conv0');
    t.deepEqual(y.shape, want.shape);
    const diff = maxAbsDiff(y, want), tol = suggestedTol('g_sg2_16_nonoise.json', 'act.b8.conv0 (all samples)');
    t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
  });

  for (const flipWeight of [false, true]) {
    test.serial(`backend=${backend} conv2dResample up=2 3x3 flipWeight=${flipWeight} equals the official route (transposed conv, then upfirdn2d)`, async (t) => {
      await useBackend(backend);
      const x = tf.randomNormal([2, 5, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const f = setupFilter([1, 3, 3, 1]) as tf.Tensor2D;
      // Official: padding 1 -> px0 = 1 + 2 = 3, px1 = 1 + 1 = 2; minus kw-1 / kw-up -> 1, 1; pxt = 0.
      // conv_transpose2d(x, w^T, stride 2) is a true convolution of the zero-inserted x with w; tfjs's
      // conv2dTranspose is the same when given the correlation kernel flipped (flipWeight -> flip first).
      const kernel = flipWeight ? tf.reverse(oihwToHwio(w), [0, 1]) : oihwToHwio(w);
      const official = tf.conv2dTranspose(x, tf.transpose(kernel, [0, 1, 3, 2]) as tf.Tensor4D, [2, 5 * 2 + 1, 6 * 2 + 1, 4], 2, 'valid');
      const want = upfirdn2dRef(official, f, { padding: [1, 1, 1, 1], gain: 4 });
      const got = conv2dResample(x, w, f, { up: 2, padding: 1, flipWeight });
      t.deepEqual(got.shape, want.shape);
      t.true(maxAbsDiff(got, want) <= 1e-5 * Math.max(1, maxAbs(want)));
    });
  }
}

test.serial('gradients of modulatedConv2d and modulatedConv2dSG2 (w.r.t. x, weight, styles): wasm equals cpu', async (t) => {
  const results: tf.Tensor[][] = [];
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const x = tf.randomNormal([2, 8, 8, 4], 0, 1, 'float32', 1);
    const w = tf.randomNormal([5, 4, 3, 3], 0, 1, 'float32', 2);
    const s = tf.randomNormal([2, 4], 1, 0.3, 'float32', 3);
    const f = setupFilter([1, 3, 3, 1]) as tf.Tensor2D;
    const g3 = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(modulatedConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor2D, { padding: 1, inputGain: 0.5 }))))([x, w, s]);
    const g2 = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.square(modulatedConv2dSG2(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor2D, { up: 2, padding: 1, resampleFilter: f, flipWeight: false }))))([x, w, s]);
    results.push(await Promise.all([...g3, ...g2].map(async (g) => tf.tensor(await g.data(), g.shape))));
  }
  for (let i = 0; i < results[0]!.length; i++) {
    const scale = maxAbs(results[1]![i]!);
    t.true(scale > 1e-4, `gradient ${i} is not trivially zero`);
    t.true(maxAbsDiff(results[0]![i]!, results[1]![i]!) <= 1e-5 * Math.max(1, scale), `gradient ${i}`);
  }
});

/**
 * The SG3 modulated conv of a 1x1 kernel written out as the StyleGAN2 paper states it, in its
 * non-fused form: pre-normalise w and s, scale the input by s * gain, one shared conv, scale the
 * output by d = rsqrt(sum_i (w s)^2 + 1e-8). The op runs 1x1 kernels fused (per-sample weights).
 */
function pointwiseNonFused(x: tf.Tensor4D, w0: tf.Tensor4D, s0: tf.Tensor2D, gain: number): tf.Tensor4D {
  const w = tf.div(w0, tf.sqrt(tf.mean(tf.square(w0), [1, 2, 3], true))) as tf.Tensor4D;
  const s = tf.div(s0, tf.sqrt(tf.mean(tf.square(s0)))) as tf.Tensor2D;
  const [N, , , I] = x.shape, O = w.shape[0];
  const y = tf.conv2d(tf.mul(x, tf.reshape(tf.mul(s, gain), [N, 1, 1, I])) as tf.Tensor4D, oihwToHwio(w), 1, 'valid');
  const d = tf.rsqrt(tf.add(tf.matMul(tf.square(s), tf.reshape(tf.square(w), [O, I]), false, true), 1e-8));
  return tf.mul(y, tf.reshape(d, [N, 1, 1, O])) as tf.Tensor4D;
}

for (const backend of BACKENDS) {
  test.serial(`backend=${backend} 1x1 modulatedConv2d (fused per-sample weights): value and gradients equal the non-fused form`, async (t) => {
    await useBackend(backend);
    const x = tf.randomNormal([3, 6, 7, 20], 0, 1, 'float32', 4) as tf.Tensor4D;
    const w = tf.randomNormal([9, 20, 1, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
    const s = tf.randomNormal([3, 20], 1, 0.3, 'float32', 6) as tf.Tensor2D;
    const before = nativeMatMulCalls().native;
    const got = modulatedConv2d(x, w, s, { inputGain: 0.7 });
    if (backend === 'wasm' && nativeKernelInfo()) t.true(nativeMatMulCalls().native > before, 'the product ran natively');
    const want = pointwiseNonFused(x, w, s, 0.7);
    t.deepEqual(got.shape, [3, 6, 7, 9]);
    t.true(maxAbsDiff(got, want) <= 1e-5 * maxAbs(want));
    const loss = (f: (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor2D) => tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor2D), tf.randomNormal([3, 6, 7, 9], 0, 1, 'float32', 7))))([x, w, s]);
    const g = loss((a, b, c) => modulatedConv2d(a, b, c, { inputGain: 0.7 })), r = loss((a, b, c) => pointwiseNonFused(a, b, c, 0.7));
    for (let i = 0; i < 3; i++) {
      const scale = maxAbs(r[i]!);
      t.true(scale > 1e-3, `gradient ${i} is not trivially zero`);
      t.true(maxAbsDiff(g[i]!, r[i]!) <= 2e-5 * scale, `gradient ${i}: ${maxAbsDiff(g[i]!, r[i]!)} vs scale ${scale}`);
    }
  });
}

test.serial('modulatedConv2d rejects styles of the wrong shape', async (t) => {
  await useBackend('cpu');
  t.throws(() => modulatedConv2d(tf.zeros([2, 4, 4, 3]) as tf.Tensor4D, tf.zeros([5, 3, 1, 1]) as tf.Tensor4D, tf.zeros([2, 4]) as tf.Tensor2D), { message: 'modulatedConv2d: styles must be [2, 3] (got [2,4])' });
  t.truthy(golden(OPS));
});
