/**
 * The native fused filtered leaky ReLU (native/flrelu.cc via backend/native/flrelu.ts) on wasm
 * against the reference: the forward against filteredLreluRef on the cpu backend, the input and
 * bias gradients and a second-order gradient (d/du of |d/dx sum(y * r * u)|^2, which runs the
 * Grad and Masked kernels) against the tfjs composition on wasm. Cases cover the layer kinds of
 * the StyleGAN3 schedules: up 2 / down 2 with padding, negative padding (crop), up 4, a radial
 * (2-D) down filter (also symmetric ones, whose rows the kernel pairs, wide enough for its
 * register-blocked runs, and one of 6 taps at stride 1), the ToRGB (identity
 * filters, slope 1, gain 1), a clamp that binds, channel
 * counts that are not multiples of the 16/32-channel blocks, and flipFilter.
 *
 * Tolerance: relative to the largest |value| of the reference, 2e-6 (float32 with the same or a
 * different summation order; the radial filter sums row by row). Each case also checks that the
 * native kernel really ran (tf.profile's kernel names).
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { loadAddon, nativeFlreluApplies, planFlreluTables } from '../../src/backend/native/index.ts';
import { filteredLrelu, filteredLreluRef, filteredLreluTf, type FilteredLreluOptions } from '../../src/ops/filtered-lrelu.ts';

interface Case { name: string; x: number[]; fu: number[] | null; fd: number[] | null; o: FilteredLreluOptions; symmetric?: boolean }
const CASES: Case[] = [
  { name: 'up2 down2 pad', x: [2, 12, 12, 32], fu: [12], fd: [12], o: { up: 2, down: 2, padding: [9, 8, 9, 8], clamp: 256 } },
  { name: 'crop clamp0.5 C33', x: [1, 20, 20, 33], fu: [12], fd: [12], o: { up: 2, down: 2, padding: [-3, -4, -3, -4], clamp: 0.5 } },
  { name: 'up4 C16', x: [2, 10, 10, 16], fu: [24], fd: [12], o: { up: 4, down: 2, padding: [20, 19, 20, 19], clamp: 0.5 } },
  { name: 'radial C40', x: [2, 12, 12, 40], fu: [12], fd: [12, 12], o: { up: 2, down: 2, padding: [9, 8, 9, 8], clamp: 256 } },
  { name: 'radial symmetric (rows paired) C48', x: [2, 12, 12, 48], fu: [12], fd: [12, 12], o: { up: 2, down: 2, padding: [9, 8, 9, 8], clamp: 0.5 }, symmetric: true },
  // Wide enough for the register-blocked runs (8 outputs at a time, then single outputs); a down 1 radial filter (6 taps, stride 1).
  { name: 'radial symmetric wide C32', x: [1, 20, 22, 32], fu: [12], fd: [12, 12], o: { up: 2, down: 2, padding: [9, 8, 9, 8], clamp: 256 }, symmetric: true },
  { name: 'radial symmetric down1 C16', x: [1, 9, 14, 16], fu: [12], fd: [6, 6], o: { up: 2, down: 1, padding: [5, 4, 5, 4], clamp: 0.5 }, symmetric: true },
  { name: 'radial up4 clamp0.5 C5', x: [1, 10, 10, 5], fu: [24], fd: [16, 16], o: { up: 4, down: 2, padding: [21, 18, 21, 18], clamp: 0.5 } },
  { name: 'torgb C3', x: [2, 8, 8, 3], fu: null, fd: null, o: { slope: 1, gain: 1, clamp: 256 } },
  { name: 'flip, asymmetric pad, no clamp C20', x: [1, 9, 11, 20], fu: [8], fd: [6], o: { up: 2, down: 3, padding: [3, 1, 2, 5], flipFilter: true } },
];

interface Inputs { x: tf.Tensor4D; b: tf.Tensor1D; fu: tf.Tensor1D | null; fd: tf.Tensor1D | tf.Tensor2D | null }
/** A 2-D filter symmetric under row and column flips (as StyleGAN3's radial jinc filters are). */
function symmetric2d(n: number): tf.Tensor2D {
  const half = tf.randomUniform([Math.ceil(n / 2)], -0.2, 1, 'float32', 4);
  const v = tf.slice(tf.concat([half, tf.reverse(half)]), 0, n) as tf.Tensor1D;
  return tf.outerProduct(v, v);
}

function inputs(c: Case): Inputs {
  return {
    x: tf.randomNormal<tf.Rank>(c.x, 0, 1, 'float32', 1) as tf.Tensor4D,
    b: tf.randomNormal([c.x[3]!], 0, 1, 'float32', 2) as tf.Tensor1D,
    fu: c.fu ? tf.randomUniform<tf.Rank>(c.fu, -0.2, 1, 'float32', 3) as tf.Tensor1D : null,
    fd: !c.fd ? null : c.symmetric ? symmetric2d(c.fd[0]!) : tf.randomUniform<tf.Rank>(c.fd, -0.2, 1, 'float32', 4) as tf.Tensor1D | tf.Tensor2D,
  };
}

function relDiff(a: tf.Tensor, ref: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, ref))).dataSync()[0]! / Math.max(tf.max(tf.abs(ref)).dataSync()[0]!, 1e-30));
}

test.before(async () => { await initBackend('wasm'); });

for (const c of CASES) {
  test.serial(`case=${c.name}: forward equals the reference on cpu; the native kernel ran`, async (t) => {
    await initBackend('wasm');
    const i = inputs(c);
    t.true(nativeFlreluApplies(i.x, i.fu, i.fd));
    const prof = await tf.profile(() => filteredLrelu(i.x, i.fu, i.fd, i.b, c.o));
    t.true(prof.kernelNames.includes('Sg3FilteredLrelu'), prof.kernelNames.join(','));
    const y = filteredLrelu(i.x, i.fu, i.fd, i.b, c.o);
    const yData = tf.tensor(y.dataSync(), y.shape);
    await initBackend('cpu');
    const copy = <T extends tf.Tensor>(v: T): T => tf.tensor(v.dataSync(), v.shape) as T;  // onto the cpu backend
    const ref = filteredLreluRef(copy(i.x), i.fu && copy(i.fu), i.fd && copy(i.fd), copy(i.b), c.o);
    t.deepEqual(y.shape, ref.shape);
    t.true(relDiff(yData, ref) <= 2e-6, `${relDiff(yData, ref)}`);
    await initBackend('wasm');
  });

  test.serial(`case=${c.name}: first and second-order gradients equal the tfjs composition`, async (t) => {
    await initBackend('wasm');
    const i = inputs(c);
    const r = tf.randomNormal(filteredLreluTf(i.x, i.fu, i.fd, i.b, c.o).shape, 0, 1, 'float32', 5);
    const first = (f: typeof filteredLrelu) => tf.grads((x: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor4D, i.fu, i.fd, b, c.o), r)))([i.x, i.b]);
    const second = (f: typeof filteredLrelu) => tf.grad((u: tf.Tensor) => {
      const gx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor4D, i.fu, i.fd, i.b, c.o), tf.mul(r, u))))(i.x);
      return tf.sum(tf.square(gx));
    })(r);
    const [dx, db] = first(filteredLrelu), [dxRef, dbRef] = first(filteredLreluTf);
    t.true(relDiff(dx!, dxRef!) <= 2e-6, `dx ${relDiff(dx!, dxRef!)}`);
    t.true(relDiff(db!, dbRef!) <= 2e-6, `db ${relDiff(db!, dbRef!)}`);
    const prof = await tf.profile(() => second(filteredLrelu));
    t.true(prof.kernelNames.includes('Sg3FilteredLreluMasked') && prof.kernelNames.includes('Sg3FilteredLreluGrad'), prof.kernelNames.join(','));
    t.true(relDiff(second(filteredLrelu), second(filteredLreluTf)) <= 2e-6);
  });
}

test.serial('a taped forward + backward keeps no tensor behind; inference writes no codes', async (t) => {
  await initBackend('wasm');
  const i = inputs(CASES[0]!);
  const before = tf.memory().numTensors;
  tf.tidy(() => { tf.grads((x: tf.Tensor, b: tf.Tensor) => tf.sum(filteredLrelu(x as tf.Tensor4D, i.fu, i.fd, b, CASES[0]!.o)))([i.x, i.b]); });
  t.is(tf.memory().numTensors, before);
  const prof = await tf.profile(() => filteredLrelu(i.x, i.fu, i.fd, i.b, CASES[0]!.o));
  t.is(prof.newTensors, 1); // y only: no codes outside a gradient tape
});

test.serial('the addon rejects tables that point outside the tensors', (t) => {
  const { addon } = loadAddon();
  const tables = planFlreluTables({ N: 1, H: 6, W: 6, C: 4, up: 2, down: 2, padding: [5, 4, 5, 4], fu: new Float32Array(6).fill(1 / 6), fd: new Float32Array(6).fill(1 / 6), fdShape: [6], flipFilter: false });
  const [, Ho, Wo] = tables.outShape;
  const x = new Float32Array(6 * 6 * 4), y = new Float32Array(Ho * Wo * 4);
  t.notThrows(() => addon.flreluForward(x, null, tables.itab, tables.ftab, Math.SQRT2, 0.2, 256, y, null, false));
  const bad = Int32Array.from(tables.itab);
  bad[11 + 2] = 5; // xup output 0 starts at input 5 ...
  bad[11 + 3] = 3; // ... and reads 3 inputs: past the row of 6
  t.throws(() => addon.flreluForward(x, null, bad, tables.ftab, Math.SQRT2, 0.2, 256, y, null, false), { message: /sg3native: flrelu table: xup entry 0 is out of range/ });
  t.throws(() => addon.flreluForward(x.subarray(1), null, tables.itab, tables.ftab, Math.SQRT2, 0.2, 256, y, null, false), { message: /sg3native: x is too short/ });
  t.throws(() => addon.flreluForward(x, null, tables.itab, tables.ftab, Math.SQRT2, 0.2, 256, y, null, true), { message: /masked forward needs codes/ });
});
