/**
 * The fused native Adam step (backend/native/adam.ts) against train/adam.ts's tfjs composition on
 * wasm: five steps of a large and a small parameter give bit-identical parameters and moments
 * (the same float32 operations in the same order), and the native kernel is what ran.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { nativeAdamCalls, registerNativeKernels, unregisterNativeKernels } from '../../src/backend/native/index.ts';
import { Adam } from '../../src/train/adam.ts';

const HP = { lr: 0.0025, betas: [0.3, 0.99] as [number, number], eps: 1e-8, mb_ratio: 1 };
const SHAPES: Record<string, number[]> = { conv: [64, 32, 3, 3], bias: [7] };

/** Parameters, m and v after five steps (tfjs seeds start at 1: seed 0 means unseeded) with seeded gradients (scaled over 1e-4..1e4), as raw bits. */
function fiveSteps(): Uint32Array[] {
  const params = Object.entries(SHAPES).map(([name, shape], i) => [name, tf.variable(tf.randomNormal(shape, 0, 1, 'float32', i + 1))] as [string, tf.Variable]);
  const opt = new Adam(params, HP, 'test');
  for (let s = 1; s <= 5; s++) {
    const grads = new Map(params.map(([name, p], i) => [name, tf.mul(tf.randomNormal(p.shape, 0, 1, 'float32', 10 * s + i), 10 ** (2 * s - 6))]));
    opt.step(grads);
    for (const g of grads.values()) g.dispose();
  }
  const moments = opt.toNamedTensors('');
  const out = [...params.map(([, p]) => new Uint32Array(Float32Array.from(p.dataSync()).buffer)),
    ...[...moments.values()].map((m) => new Uint32Array(Float32Array.from(m.data as Float32Array).buffer))];
  opt.dispose();
  for (const [, p] of params) p.dispose();
  return out;
}

test.serial('fused Adam: bit-identical to the tfjs composition over five steps', async (t) => {
  await initBackend('wasm');
  const before = nativeAdamCalls();
  const fused = fiveSteps();
  t.is(nativeAdamCalls(), before + 10, 'two parameters x five steps ran natively');
  unregisterNativeKernels();
  try {
    const composed = fiveSteps();
    t.is(nativeAdamCalls(), before + 10, 'the composition ran without the native kernel');
    t.is(fused.length, composed.length);
    fused.forEach((bits, i) => {
      const differ = bits.filter((b, k) => b !== composed[i]![k]).length;
      t.is(differ, 0, `tensor ${i}: ${differ} of ${bits.length} elements differ`);
    });
  } finally {
    t.true(registerNativeKernels().ok);
  }
});
