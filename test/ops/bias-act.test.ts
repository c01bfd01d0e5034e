/** biasAct: the official `_bias_act_ref` order (bias, activation, gain, clamp) on small exact values. */
import test from 'ava';
import { tf } from '../../src/backend/index.ts';
import { biasAct } from '../../src/ops/bias-act.ts';
import { BACKENDS, useBackend } from './_helpers.ts';

const round = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => Math.round(v * 1e5) / 1e5);

for (const backend of BACKENDS) {
  test.serial(`backend=${backend} lrelu: bias on the last (NHWC channel) axis, slope 0.2, gain sqrt2, clamp after the gain`, async (t) => {
    await useBackend(backend);
    const x = tf.tensor4d([-2, 1, 0.5, -0.5], [1, 1, 2, 2]);
    const b = tf.tensor1d([1, -1]);
    // x + b = [-1, 0, 1.5, -1.5]; lrelu = [-0.2, 0, 1.5, -0.3]; * sqrt2; clamp 2 -> 1.5*sqrt2 = 2.12 -> 2
    const y = biasAct(x, b, { act: 'lrelu', clamp: 2 });
    t.deepEqual(round(y), [-0.2 * Math.SQRT2, 0, 2, -0.3 * Math.SQRT2].map((v) => Math.round(v * 1e5) / 1e5));
  });

  test.serial(`backend=${backend} linear defaults to gain 1 and no clamp; dim=1 puts the bias on axis 1`, async (t) => {
    await useBackend(backend);
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    t.deepEqual(round(biasAct(x, tf.tensor1d([10, 20]))), [11, 22, 13, 24]);
    t.deepEqual(round(biasAct(x, tf.tensor1d([10, 20]), { dim: 0 })), [11, 12, 23, 24]);
    t.deepEqual(round(biasAct(x, null, { act: 'relu', gain: 1 })), [1, 2, 3, 4]);
  });

  test.serial(`backend=${backend} gradient: clamp passes the gradient only inside [-clamp, clamp], lrelu scales by slope`, async (t) => {
    await useBackend(backend);
    const x = tf.tensor1d([-3, -1, 0.5, 5]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(biasAct(v, null, { act: 'lrelu', alpha: 0.2, gain: 2, clamp: 3 })))(x);
    // values: -1.2, -0.4, 1, 10 -> clamp binds only at 10
    t.deepEqual(round(g), [0.4, 0.4, 2, 0]);
  });
}

test.serial('biasAct rejects a bias of the wrong length and an unknown activation', async (t) => {
  await useBackend('cpu');
  t.throws(() => biasAct(tf.zeros([1, 2, 2, 3]), tf.zeros([2])), { message: 'biasAct: bias must be [3] to match axis 3 of x [1,2,2,3] (got [2])' });
  t.throws(() => biasAct(tf.zeros([2]), null, { act: 'gelu' as never }), { message: "biasAct: unknown activation (got 'gelu'; valid: linear, relu, lrelu, tanh, sigmoid, elu, selu, softplus, swish)" });
});
