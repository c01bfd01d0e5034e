/**
 * Adam as torch.optim.Adam: against a float64 re-statement of torch's update, per-parameter step
 * counters (a parameter without a gradient is untouched), nan_to_num of gradients, and the
 * checkpoint round trip (moments + steps -> a fresh optimizer continues identically).
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { Adam, sanitizeGradient } from '../../src/train/adam.ts';
import { Rng } from '../../src/io/rng.ts';

const HP = { lr: 0.0025, betas: [0.3, 0.99] as [number, number], eps: 1e-8, mb_ratio: 1 };

/** torch's _single_tensor_adam in float64, one parameter. */
function refStep(p: Float64Array, m: Float64Array, v: Float64Array, g: ArrayLike<number>, step: number): void {
  const [b1, b2] = HP.betas;
  const bc1 = 1 - b1 ** step, bc2 = 1 - b2 ** step;
  for (let i = 0; i < p.length; i++) {
    m[i] = m[i]! * b1 + (1 - b1) * g[i]!;
    v[i] = v[i]! * b2 + (1 - b2) * g[i]! * g[i]!;
    p[i] = p[i]! - (HP.lr / bc1) * m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + HP.eps);
  }
}

test.serial('adam: five steps match torch Adam math (float64 reference) within float32 rounding', async (t) => {
  await initBackend('wasm');
  const rng = new Rng(3);
  const init = Float32Array.from(rng.unpairedNormals(12));
  const w = tf.variable(tf.tensor2d(init, [3, 4]));
  const opt = new Adam([['w', w]], HP, 'test');
  const p = Float64Array.from(init), m = new Float64Array(12), v = new Float64Array(12);
  for (let s = 1; s <= 5; s++) {
    const g = Float32Array.from(rng.unpairedNormals(12)).map((x) => x * 10 ** (s - 3));
    const gt = tf.tensor2d(g, [3, 4]);
    opt.step(new Map([['w', gt]]));
    gt.dispose();
    refStep(p, m, v, g, s);
  }
  const got = w.dataSync();
  for (let i = 0; i < 12; i++) t.true(Math.abs(got[i]! - p[i]!) <= 1e-6 * Math.max(1, Math.abs(p[i]!)), `w[${i}] ${got[i]} vs ${p[i]}`);
  t.deepEqual(opt.state(), { steps: { w: 5 } });
  t.not(got[0], init[0]);
  opt.dispose(); w.dispose();
});

test.serial('adam: a parameter without a gradient keeps its value, moments and step (torch skips grad None)', async (t) => {
  await initBackend('wasm');
  const a = tf.variable(tf.ones([2])), b = tf.variable(tf.ones([2]));
  const opt = new Adam([['a', a], ['b', b]], HP, 'test');
  const g = tf.tensor1d([1, -1]);
  opt.step(new Map([['a', g]]));
  opt.step(new Map([['a', g]]));
  t.deepEqual(opt.state().steps, { a: 2, b: 0 });
  t.deepEqual(Array.from(b.dataSync()), [1, 1]);
  t.deepEqual(Array.from(opt.toNamedTensors('opt.').get('opt.b.exp_avg')!.data as Float32Array), [0, 0]);
  t.true(a.dataSync()[0]! < 1 && a.dataSync()[1]! > 1);
  opt.dispose(); a.dispose(); b.dispose(); g.dispose();
});

test.serial('adam: nan_to_num on gradients (nan -> 0, +-inf -> +-1e5, finite unchanged)', async (t) => {
  await initBackend('wasm');
  const g = tf.tensor1d([NaN, Infinity, -Infinity, 3.5, -2e6]);
  const s = sanitizeGradient(g);
  t.deepEqual(Array.from(s.dataSync()), [0, 1e5, -1e5, 3.5, -2e6]);
  const w = tf.variable(tf.zeros([5]));
  const opt = new Adam([['w', w]], HP, 'test');
  opt.step(new Map([['w', g]]));
  t.true(Array.from(w.dataSync()).every(Number.isFinite));
  opt.dispose(); w.dispose(); g.dispose(); s.dispose();
});

test.serial('adam: moments and steps round trip through named tensors + JSON state; the next step is identical', async (t) => {
  await initBackend('wasm');
  const rng = new Rng(9);
  const start = Float32Array.from(rng.unpairedNormals(6));
  const grads = [0, 1, 2].map(() => Float32Array.from(rng.unpairedNormals(6)));
  const make = () => { const w = tf.variable(tf.tensor1d(start)); return { w, opt: new Adam([['w', w]], HP, 'test') }; };
  const a = make();
  for (const g of grads.slice(0, 2)) tf.tidy(() => a.opt.step(new Map([['w', tf.tensor1d(g)]])));
  const tensors = a.opt.toNamedTensors('opt.G.');
  t.deepEqual([...tensors.keys()], ['opt.G.w.exp_avg', 'opt.G.w.exp_avg_sq']);
  const state = JSON.parse(JSON.stringify(a.opt.state()));
  const b = make();
  b.w.assign(tf.tensor1d(a.w.dataSync()));
  b.opt.load(tensors, 'opt.G.', state);
  for (const x of [a, b]) tf.tidy(() => x.opt.step(new Map([['w', tf.tensor1d(grads[2]!)]])));
  t.deepEqual(Array.from(b.w.dataSync()), Array.from(a.w.dataSync()));
  t.throws(() => b.opt.load(new Map(), 'opt.G.', state), { message: /missing opt\.G\.w\.exp_avg/ });
  for (const x of [a, b]) { x.opt.dispose(); x.w.dispose(); }
});
