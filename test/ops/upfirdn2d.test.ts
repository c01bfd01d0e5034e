/**
 * upfirdn2d and its helpers: the ops_sg3 goldens (official upsample2d / downsample2d / filter2d /
 * upfirdn2d with padding and cropping) on wasm and cpu for the fast path and the reference path;
 * fast vs reference over a grid of up/down/padding/filter shapes; gradients by the adjoint identity
 * (upfirdn2d is linear, so <grad, v> must equal <A v, r> exactly up to rounding) and wasm vs cpu.
 */
import test from 'ava';
import { tf } from '../../src/backend/index.ts';
import { downsample2d, filter2d, setupFilter, upfirdn2d, upfirdn2dRef, upsample2d, type FirFilter, type UpFirDnOptions } from '../../src/ops/upfirdn2d.ts';
import { BACKENDS, maxAbs, maxAbsDiff, stored, storedNhwc, suggestedTol, useBackend } from './_helpers.ts';

const FILE = 'ops_sg3.safetensors';
const JSON_FILE = 'ops_sg3.json';

type Impl = (x: tf.Tensor4D, f: FirFilter, o?: UpFirDnOptions) => tf.Tensor4D;
const IMPLS: Record<string, Impl> = { fast: upfirdn2d, ref: upfirdn2dRef };

const GOLDEN_CASES: Record<string, (x: tf.Tensor4D, f: FirFilter, impl: Impl) => tf.Tensor4D> = {
  // The helpers always take the fast path; the explicit-padding forms below exercise both paths.
  upsample2d: (x, f) => upsample2d(x, f, { up: 2 }),
  downsample2d: (x, f) => downsample2d(x, f, { down: 2 }),
  filter2d: (x, f) => filter2d(x, f),
  upfirdn2d_up2_down1_pad: (x, f, impl) => impl(x, f, { up: 2, padding: [2, 1, 3, 0], gain: 4 }),
  upfirdn2d_up1_down2_crop: (x, f, impl) => impl(x, f, { down: 2, padding: [-1, 2, 1, -1] }),
};

test.serial('setupFilter([1,3,3,1]) is the stored normalised 4x4 outer product', async (t) => {
  await useBackend('cpu');
  const f = setupFilter([1, 3, 3, 1]);
  t.deepEqual(f.shape, [4, 4]);
  t.true(maxAbsDiff(f, stored(FILE, 'upfirdn.f')) <= 1e-7);
  t.deepEqual(setupFilter(new Float32Array(8).fill(1)).shape, [8], '8 taps are separable');
  t.deepEqual(Array.from(setupFilter([1, 2], { gain: 4, separable: true }).dataSync()).map((v) => +v.toFixed(6)), [2 / 3, 4 / 3].map((v) => +v.toFixed(6)));
});

for (const backend of BACKENDS) {
  for (const [name, run] of Object.entries(GOLDEN_CASES)) {
    for (const [implName, impl] of Object.entries(IMPLS)) {
      if (implName === 'ref' && !name.startsWith('upfirdn2d')) continue;
      test.serial(`backend=${backend} impl=${implName} golden=upfirdn.${name}`, async (t) => {
        await useBackend(backend);
        const x = storedNhwc(FILE, 'upfirdn.x');
        const f = stored(FILE, 'upfirdn.f') as tf.Tensor2D;
        const want = storedNhwc(FILE, `upfirdn.${name}`);
        const got = run(x, f, impl);
        t.deepEqual(got.shape, want.shape);
        const tol = suggestedTol(JSON_FILE, `upfirdn.${name}`);
        const diff = maxAbsDiff(got, want);
        t.true(diff <= tol, `max diff ${diff} > tol ${tol}`);
      });
    }
  }
}

interface ParityCase { up: [number, number]; down: [number, number]; padding: [number, number, number, number]; taps: number[]; flip: boolean; gain: number; size: [number, number] }
const PARITY: ParityCase[] = [
  { up: [2, 2], down: [1, 1], padding: [9, 8, 9, 8], taps: [12], flip: false, gain: 4, size: [10, 10] },      // SG3 L0-like up pass
  { up: [4, 4], down: [1, 1], padding: [-6, -9, -6, -9], taps: [24], flip: false, gain: 16, size: [12, 12] }, // up 4 with crop
  { up: [1, 1], down: [2, 2], padding: [0, 0, 0, 0], taps: [12], flip: false, gain: 1, size: [30, 30] },     // SG3 down pass
  { up: [1, 1], down: [2, 2], padding: [0, 0, 0, 0], taps: [6, 6], flip: false, gain: 1, size: [20, 18] },   // radial-like 2-D down
  { up: [2, 2], down: [1, 1], padding: [2, 1, 2, 1], taps: [4, 4], flip: false, gain: 4, size: [5, 6] },     // SG2 upsample2d
  { up: [3, 2], down: [1, 1], padding: [1, -2, 3, 0], taps: [5, 3], flip: true, gain: 2, size: [7, 6] },     // odd factors, 2-D, flip
  { up: [2, 1], down: [1, 3], padding: [-1, 4, 2, 2], taps: [7], flip: true, gain: 1.5, size: [9, 11] },     // mixed axes
  { up: [2, 2], down: [2, 2], padding: [3, 3, 3, 3], taps: [8], flip: false, gain: 4, size: [6, 6] },        // up and down together
  { up: [1, 1], down: [1, 1], padding: [1, 2, 0, -1], taps: [1, 1], flip: false, gain: 3, size: [4, 5] },    // 1x1 2-D filter
];

function filterOf(taps: number[], seed: number): tf.Tensor1D | tf.Tensor2D {
  return tf.randomUniform(taps as [number] | [number, number], 0.1, 1, 'float32', seed) as tf.Tensor1D | tf.Tensor2D;
}

for (const backend of BACKENDS) {
  for (const c of PARITY) {
    const opts: UpFirDnOptions = { up: c.up, down: c.down, padding: c.padding, flipFilter: c.flip, gain: c.gain };
    const title = `backend=${backend} up=[${c.up}] down=[${c.down}] pad=[${c.padding}] taps=[${c.taps}] flip=${c.flip}`;
    test.serial(`${title}: fast path equals the reference`, async (t) => {
      await useBackend(backend);
      const x = tf.randomNormal([2, c.size[1], c.size[0], 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const f = filterOf(c.taps, 6);
      const ref = upfirdn2dRef(x, f, opts);
      const fast = upfirdn2d(x, f, opts);
      t.deepEqual(fast.shape, ref.shape);
      t.true(maxAbsDiff(fast, ref) <= 2e-6 * Math.max(1, maxAbs(ref)));
    });

    test.serial(`${title}: gradient satisfies the adjoint identity`, async (t) => {
      await useBackend(backend);
      const x = tf.randomNormal([2, c.size[1], c.size[0], 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const v = tf.randomNormal(x.shape, 0, 1, 'float32', 8) as tf.Tensor4D;
      const f = filterOf(c.taps, 9);
      const y = upfirdn2d(x, f, opts);
      const r = tf.randomNormal(y.shape, 0, 1, 'float32', 10);
      const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(upfirdn2d(xx as tf.Tensor4D, f, opts), r)))(x);
      const lhs = tf.sum(tf.mul(g, v)).dataSync()[0]!;
      const rhs = tf.sum(tf.mul(upfirdn2dRef(v, f, opts), r)).dataSync()[0]!;
      t.true(Math.abs(lhs - rhs) <= 1e-4 * Math.max(1, Math.abs(rhs)), `<grad, v> ${lhs} vs <A v, r> ${rhs}`);
    });
  }
}

test.serial('gradient of the fast path: wasm equals cpu', async (t) => {
  const grads: tf.Tensor[] = [];
  for (const backend of BACKENDS) {
    await useBackend(backend);
    const x = tf.randomNormal([2, 10, 10, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
    const f = tf.randomUniform([12], 0, 1, 'float32', 12) as tf.Tensor1D;
    const r = tf.randomNormal([2, 20, 20, 3], 0, 1, 'float32', 13);
    const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(upfirdn2d(xx as tf.Tensor4D, f, { up: 2, padding: [6, 5, 6, 5], gain: 4 }), r)))(x);
    grads.push(tf.tensor(await g.data(), g.shape));
  }
  t.true(maxAbsDiff(grads[0]!, grads[1]!) <= 1e-5 * Math.max(1, maxAbs(grads[1]!)));
});

test.serial('upfirdn2d rejects an image smaller than the filter, naming the sizes', async (t) => {
  await useBackend('cpu');
  const err = t.throws(() => upfirdn2d(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, tf.ones([8]) as tf.Tensor1D, { padding: 1 }));
  t.is(err!.message, 'upfirdn2d: upsampled and padded image 4x4 (w x h) is smaller than the filter 8x8 (got input 2x2, up [1, 1], padding [1, 1, 1, 1])');
});
