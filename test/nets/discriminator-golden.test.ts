/**
 * The discriminator against d_sg2_16 through the public API on wasm and cpu: logits, logits_b8
 * (two minibatch-std groups), the run_D blur (filter, blurred images, logits), every act.*, and R1
 * (r1_grads = d sum(D(img)) / d img via tf.grad, r1_penalty). Then the R1 penalty's gradient with
 * respect to D's weights (second order) on cpu and wasm against the official Dreg gradient norms
 * of loss_T16_D16 (same D parameters) and against each other.
 */
import test from 'ava';
import { blurImages, blurTapsFor, buildDiscriminator, tf, type Discriminator } from '../../src/index.ts';
import { readGoldenJson } from '../_golden.ts';
import { BACKENDS, goldenFile, goldenPath, goldenPlan, maxAbsDiff, stored, tolEntry, useBackend } from './_helpers.ts';

const GOLDEN = 'd_sg2_16';
const IO = `${GOLDEN}_io.safetensors`;

function loadD(): Discriminator {
  return buildDiscriminator(goldenPlan(GOLDEN), { seed: 7, weights: goldenPath(`${GOLDEN}_params.safetensors`) });
}

/** The blur sigma the golden used, read from its JSON (`run_D(img, None, blur_sigma=...)`). */
function goldenBlurSigma(): number {
  const call: string = readGoldenJson(`${GOLDEN}.json`).calls.logits_blurred;
  const m = /blur_sigma=([0-9.]+)/.exec(call);
  if (!m) throw new Error(`${GOLDEN}.json: cannot find blur_sigma in calls.logits_blurred (got ${call})`);
  return Number(m[1]);
}

for (const backend of BACKENDS) {
  test.serial(`backend=${backend} golden=${GOLDEN}: logits, batch-8 groups, blur, activations`, async (t) => {
    await useBackend(backend);
    const D = loadD();
    const check = (name: string, got: tf.Tensor) => {
      const want = stored(IO, name);
      t.deepEqual(got.shape, want.shape, name);
      const tol = tolEntry(GOLDEN, name).suggested_abs_tol;
      const diff = maxAbsDiff(got, want);
      t.true(diff <= tol, `${name}: max abs diff ${diff} > tol ${tol}`);
    };
    const img = stored(IO, 'img') as tf.Tensor4D;
    const acts = new Map<string, tf.Tensor>();
    check('logits', D.forward(img, null, { activations: acts }));
    const storedActs = [...goldenFile(IO).tensors.keys()].filter((k) => k.startsWith('act.'));
    t.true(storedActs.length >= 6);
    for (const k of storedActs) check(k, acts.get(k.slice(4))!);
    check('logits_b8', D.forward(stored(IO, 'img_b8') as tf.Tensor4D));
    const sigma = goldenBlurSigma();
    check('blur_filter', tf.tensor1d(blurTapsFor(sigma)!));
    const blurred = blurImages(img, sigma);
    check('img_blurred', blurred);
    check('logits_blurred', D.forward(blurred));
    D.dispose();
  });

  test.serial(`backend=${backend} golden=${GOLDEN}: R1 gradients and penalty via tf.grad`, async (t) => {
    await useBackend(backend);
    const D = loadD();
    const img = stored(IO, 'img');
    const grads = tf.grad((x: tf.Tensor) => tf.sum(D.forward(x as tf.Tensor4D)))(img);
    for (const [name, got] of [['r1_grads', grads], ['r1_penalty', tf.sum(tf.square(grads), [1, 2, 3])]] as const) {
      const tol = tolEntry(GOLDEN, name).suggested_abs_tol;
      const diff = maxAbsDiff(got, stored(IO, name));
      t.true(diff <= tol, `${name}: max abs diff ${diff} > tol ${tol}`);
    }
    D.dispose();
  });
}

/**
 * D weight gradients of the official Dreg phase on loss_T16_D16's real images:
 * loss = mean(r1_gamma/2 * sum_{C,H,W} (d sum(D(real)) / d real)^2), a second-order gradient.
 */
async function dregGrads(backend: (typeof BACKENDS)[number]): Promise<Map<string, Float32Array>> {
  await useBackend(backend);
  const D = loadD();
  const real = stored('loss_T16_D16_io.safetensors', 'real_img');
  const gamma: number = readGoldenJson('loss_T16_D16.json').loss_kwargs.r1_gamma;
  const { grads } = tf.variableGrads(() => {
    const g = tf.grad((x: tf.Tensor) => tf.sum(D.forward(x as tf.Tensor4D)))(real);
    return tf.mean(tf.mul(tf.sum(tf.square(g), [1, 2, 3]), gamma / 2)) as tf.Scalar;
  }, D.trainableVariables());
  // tfjs leaves out variables the loss does not reach (biases only meet R1 through lrelu's piecewise-constant slope): zero.
  const out = new Map<string, Float32Array>();
  for (const [name, v] of D.state.namedTrainable()) out.set(name, (grads[v.name]?.dataSync() as Float32Array | undefined) ?? new Float32Array(v.size));
  D.dispose();
  return out;
}

const norm = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

test.serial('R1 (Dreg) gradient w.r.t. D weights: cpu and wasm match the official grad norms and each other', async (t) => {
  const want: Record<string, number> = readGoldenJson('loss_T16_D16.json').grad_norms_D_Dreg;
  const tol: number = readGoldenJson('loss_T16_D16.json').f32_vs_f64.grad_norms_D_Dreg.suggested_abs_tol;
  const cpu = await dregGrads('cpu');
  const wasm = await dregGrads('wasm');
  t.deepEqual([...cpu.keys()].sort(), Object.keys(want).sort());
  for (const [name, norms] of Object.entries(want)) {
    for (const [backend, grads] of [['cpu', cpu], ['wasm', wasm]] as const) {
      const got = norm(grads.get(name)!);
      t.true(Math.abs(got - norms) <= tol, `${backend} ${name}: |grad| ${got} vs official ${norms} (tol ${tol})`);
    }
    const a = cpu.get(name)!, b = wasm.get(name)!;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    t.true(diff <= tol, `${name}: wasm vs cpu max abs diff ${diff}`);
  }
});
