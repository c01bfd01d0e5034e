/**
 * Every row of the ladder (configs/*.yaml, smoke profile) builds G and D from its plan alone and
 * runs: state layout = the planner's official parameter list plus buffers, image shape, finite
 * values; the switches behave (noise modes of rows A-B, input transform from B on, magnitude EMA
 * and w_avg updates with update_emas, buffer snapshots, G_ema copy/lerp); no tensor leaks.
 */
import test from 'ava';
import { join } from 'node:path';
import { buildDiscriminator, buildGenerator, generatorParams, discriminatorParams, loadConfig, makeTransform, planExperiment, tf, type Plan } from '../../src/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { layerNoiseSeed } from '../../src/nets/synthesis.ts';
import { useBackend } from './_helpers.ts';

const ROWS: Record<string, string> = {
  A: 'stylegan2.yaml', B: 'b-fourier-features.yaml', C: 'c-no-noise.yaml', D: 'd-simplified-generator.yaml',
  E: 'e-boundaries-upsampling.yaml', F: 'f-filtered-nonlinearities.yaml', G: 'g-non-critical-sampling.yaml',
  H: 'h-transformed-fourier.yaml', T: 'stylegan3-t.yaml', R: 'stylegan3-r.yaml',
};

function rowPlan(row: string): Plan {
  return planExperiment(loadConfig(join(REPO_ROOT, 'configs', ROWS[row]!), { profile: 'smoke' }));
}

const BUFFER_SUFFIXES = ['magnitude_ema', 'w_avg', 'freqs', 'phases', 'transform', 'noise_const'];

test.before(async () => { await useBackend('wasm'); });

for (const row of Object.keys(ROWS)) {
  test.serial(`row=${row} profile=smoke: G and D from the plan, official parameter list, forward shapes`, (t) => {
    const plan = rowPlan(row);
    const G = buildGenerator(plan, { seed: 1 });
    const D = buildDiscriminator(plan, { seed: 1 });
    t.deepEqual(G.state.namedTrainable().map(([n, v]) => [n, v.shape]), generatorParams(plan).map((p) => [p.name, p.shape]));
    t.deepEqual(D.state.namedTrainable().map(([n, v]) => [n, v.shape]), discriminatorParams(plan).map((p) => [p.name, p.shape]));
    const buffers = G.state.entries().filter((e) => e.kind === 'buffer').map((e) => e.name.split('.').pop()!);
    t.true(buffers.every((b) => BUFFER_SUFFIXES.includes(b)), buffers.join());
    t.is(buffers.includes('magnitude_ema'), plan.synthesis.layers[0]!.normalization === 'magnitude_ema');
    t.is(buffers.includes('noise_const'), plan.synthesis.layers[0]!.use_noise);
    const n = 4;
    const z = tf.randomNormal([n, plan.mapping.z_dim], 0, 1, 'float32', 11) as tf.Tensor2D;
    const img = G.forward(z, null, { noiseMode: 'const' });
    const res = plan.img_resolution;
    t.deepEqual(img.shape, [n, plan.img_channels, res, res]);
    t.true(tf.all(tf.isFinite(img)).dataSync()[0] === 1);
    t.true(tf.moments(img).variance.dataSync()[0]! > 0, 'not constant');
    const logits = D.forward(img);
    t.deepEqual(logits.shape, [n, 1]);
    t.true(tf.all(tf.isFinite(logits)).dataSync()[0] === 1);
    G.dispose();
    D.dispose();
  });
}

test.serial('row=A noise modes: const is deterministic, random varies with the seed, none differs from both', (t) => {
  const G = buildGenerator(rowPlan('A'), { seed: 1 });
  // Non-zero noise strengths (official init is 0, which would hide the noise).
  for (const [name, v] of G.state.namedTrainable()) if (name.endsWith('noise_strength')) v.assign(tf.scalar(0.5));
  const ws = G.mapping(tf.randomNormal([2, G.zDim], 0, 1, 'float32', 3) as tf.Tensor2D);
  const run = (noiseMode: 'const' | 'random' | 'none', noiseSeed?: number) => G.synthesis(ws, { noiseMode, noiseSeed }).dataSync();
  t.deepEqual(run('const'), run('const'));
  t.deepEqual(run('random', 1), run('random', 1));
  t.notDeepEqual(run('random', 1), run('random', 2));
  t.notDeepEqual(run('none'), run('const'));
  t.notDeepEqual(run('none'), run('random', 1));
  G.dispose();
});

test('layerNoiseSeed: distinct per layer and per call seed, deterministic, undefined stays unseeded', (t) => {
  const seeds = new Set<number>();
  for (const call of [0, 1, 2]) for (let layer = 0; layer < 16; layer++) seeds.add(layerNoiseSeed(call, layer)!);
  t.is(seeds.size, 3 * 16);
  t.is(layerNoiseSeed(7, 3), layerNoiseSeed(7, 3));
  t.is(layerNoiseSeed(undefined, 3), undefined);
});

test.serial('row=T input transform: a translate+rotate transform changes the image; the identity restores it exactly', (t) => {
  const plan = rowPlan('T');
  const G = buildGenerator(plan, { seed: 1 });
  const ws = G.mapping(tf.randomNormal([1, G.zDim], 0, 1, 'float32', 4) as tf.Tensor2D);
  const base = G.synthesis(ws).dataSync();
  G.setInputTransform(makeTransform([0.25, 0], 30));
  t.notDeepEqual(G.synthesis(ws).dataSync(), base);
  G.setInputTransform(null);
  t.deepEqual(G.synthesis(ws).dataSync(), base);
  t.throws(() => buildGenerator(rowPlan('A')).setInputTransform(makeTransform([0.1, 0], 0)), { message: /constant input/ });
  G.dispose();
});

test.serial('row=T update_emas: magnitude_ema and w_avg follow the official EMA, the updated value is used, snapshots restore', (t) => {
  const plan = rowPlan('T');
  const G = buildGenerator(plan, { seed: 1 });
  const z = tf.randomNormal([4, G.zDim], 0, 1, 'float32', 5) as tf.Tensor2D;
  const snap = G.state.snapshotBuffers();
  const before = G.forward(z).dataSync();
  // Expected w_avg: mean_batch(w) + beta (w_avg - mean_batch(w)), with w_avg 0 at init.
  const w = G.mapping(z);
  const wMean = tf.mean(tf.slice(w, [0, 0, 0], [-1, 1, -1]), [0, 1]);
  const expectWAvg = tf.mul(wMean, 1 - plan.mapping.w_avg_beta);
  // Expected magnitude_ema of L0: mean(input^2) + beta (1 - mean(input^2)).
  const acts = new Map<string, tf.Tensor>();
  G.synthesis(w, { activations: acts });
  const inputMs = tf.mean(tf.square(acts.get('input')!)).dataSync()[0]!;
  const beta = plan.synthesis.layers[0]!.magnitude_ema_beta;
  const after = G.forward(z, null, { updateEmas: true }).dataSync();
  t.true(tf.max(tf.abs(tf.sub(G.state.get('mapping.w_avg'), expectWAvg))).dataSync()[0]! < 1e-6);
  const ema = G.state.get(`synthesis.${plan.synthesis.layers[0]!.name}.magnitude_ema`).dataSync()[0]!;
  t.true(Math.abs(ema - (inputMs + beta * (1 - inputMs))) < 1e-5 * inputMs);
  t.notDeepEqual(after, before, 'the forward that updates the EMAs already uses the updated values');
  t.deepEqual(G.forward(z).dataSync(), after, 'and later forwards keep them');
  G.state.restoreBuffers(snap);
  t.deepEqual(G.forward(z).dataSync(), before);
  G.dispose();
});

test.serial('G_ema: copyFrom makes an identical network; lerpFrom(beta) is p + beta (p_ema - p)', (t) => {
  const plan = rowPlan('T');
  const G = buildGenerator(plan, { seed: 1 });
  const Gema = buildGenerator(plan, { seed: 2 });
  const z = tf.randomNormal([2, G.zDim], 0, 1, 'float32', 6) as tf.Tensor2D;
  Gema.state.copyFrom(G.state);
  t.deepEqual(Gema.forward(z).dataSync(), G.forward(z).dataSync());
  const name = 'mapping.fc0.weight';
  const old = tf.clone(Gema.state.get(name));
  G.state.get(name).assign(tf.add(G.state.get(name), 1));
  Gema.state.lerpFrom(G.state, 0.9);
  const want = tf.add(G.state.get(name), tf.mul(tf.sub(old, G.state.get(name)), 0.9));
  t.true(tf.max(tf.abs(tf.sub(Gema.state.get(name), want))).dataSync()[0]! < 1e-6);
  G.dispose();
  Gema.dispose();
});

test.serial('no tensor leaks: numTensors is flat over 10 G and D forward passes (with EMA updates and gradients)', (t) => {
  const plan = rowPlan('T');
  const G = buildGenerator(plan, { seed: 1 });
  const D = buildDiscriminator(plan, { seed: 1 });
  const z = tf.randomNormal([2, G.zDim], 0, 1, 'float32', 7) as tf.Tensor2D;
  const step = () => tf.tidy(() => {
    const img = G.forward(z, null, { updateEmas: true, truncationPsi: 0.7 });
    D.forward(img);
    tf.grad((x: tf.Tensor) => tf.sum(D.forward(x as tf.Tensor4D)))(img);
  });
  step();
  const counts: number[] = [];
  for (let i = 0; i < 10; i++) { step(); counts.push(tf.memory().numTensors); }
  t.true(counts.every((c) => c === counts[0]), counts.join());
  // Outside tidy: the returned image is the only new tensor.
  const n0 = tf.memory().numTensors;
  const img = G.forward(z);
  t.is(tf.memory().numTensors, n0 + 1);
  img.dispose();
  G.dispose();
  D.dispose();
});

test.serial('a network built inside tf.tidy keeps working after the tidy; bad input shapes are one-line errors', (t) => {
  const plan = rowPlan('R');
  let G = null as unknown as ReturnType<typeof buildGenerator>;
  let D = null as unknown as ReturnType<typeof buildDiscriminator>;
  tf.tidy(() => { G = buildGenerator(plan, { seed: 1 }); D = buildDiscriminator(plan, { seed: 1 }); });
  const z = tf.randomNormal([2, G.zDim], 0, 1, 'float32', 8) as tf.Tensor2D;
  const img = G.forward(z);
  t.deepEqual(D.forward(img).shape, [2, 1]);
  t.throws(() => G.mapping(tf.zeros([2, G.zDim + 1]) as tf.Tensor2D), { message: `mapping: z must be [N, ${G.zDim}] (got [2,${G.zDim + 1}])` });
  t.throws(() => G.synthesis(tf.zeros([2, 3, G.wDim]) as tf.Tensor3D), { message: `synthesis: ws must be [N, ${G.numWs}, ${G.wDim}] (got [2,3,${G.wDim}])` });
  t.throws(() => D.forward(tf.zeros([2, 16, 16, 3]) as tf.Tensor4D), { message: /^discriminator: img must be NCHW \[N, 3, 16, 16\] \(got \[2,16,16,3\]\)$/ });
  G.dispose();
  D.dispose();
});
