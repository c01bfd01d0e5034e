/**
 * Native Sin and Cos (backend/native/unary.ts) on wasm against float64 Math.sin/Math.cos of the
 * same float32 inputs: within 2.4e-7 (about an ulp of values near 1) over small and large
 * arguments, with NaN and infinities giving NaN; gradients through them; empty tensors fall back.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { nativeKernelInfo, nativeUnaryCalls } from '../../src/backend/native/index.ts';

test.before(async () => { await initBackend('wasm'); });

const inputs = (): Float32Array => {
  const out = new Float32Array(50000);
  for (let i = 0; i < out.length; i++) out[i] = (i % 2 ? -1 : 1) * (i < 40000 ? (i / 40000) * 20 : (i - 40000) * 3.7);
  return out;
};

for (const [name, op, ref] of [['Sin', tf.sin, Math.sin], ['Cos', tf.cos, Math.cos]] as const) {
  test.serial(`${name}: native equals the float64 value of the float32 inputs`, (t) => {
    t.truthy(nativeKernelInfo(), 'the native kernels are registered');
    const before = nativeUnaryCalls();
    const x = inputs(), y = op(tf.tensor(x, [10, 5000])).dataSync();
    t.is(nativeUnaryCalls(), before + 1);
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i]! - ref(x[i]!)));
    t.true(worst <= 2.4e-7, `max error ${worst}`);
    const special = op(tf.tensor([NaN, Infinity, -Infinity, 0, -0])).dataSync();
    t.true(Number.isNaN(special[0]!) && Number.isNaN(special[1]!) && Number.isNaN(special[2]!));
    t.is(special[3], ref(0));
    t.is(op(tf.zeros([0, 3])).shape.join(), '0,3');
  });
}

test.serial('gradients: d sin = cos, d cos = -sin', (t) => {
  const x = tf.tensor(inputs().subarray(0, 1000));
  const ds = tf.grad((v: tf.Tensor) => tf.sum(tf.sin(v)))(x).dataSync(), dc = tf.grad((v: tf.Tensor) => tf.sum(tf.cos(v)))(x).dataSync();
  const xv = x.dataSync();
  for (let i = 0; i < xv.length; i++) {
    t.true(Math.abs(ds[i]! - Math.cos(xv[i]!)) <= 2.4e-7);
    t.true(Math.abs(dc[i]! + Math.sin(xv[i]!)) <= 2.4e-7);
  }
});
