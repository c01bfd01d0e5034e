/**
 * Loss pieces the golden does not cover (it has no mixing, no path length, one round), checked
 * against independent re-statements on the stylegan2 smoke networks (random init, 16x16):
 * style mixing rows, the path-length penalty and its pl_mean EMA, gradient accumulation over
 * rounds = the sum of per-round gradients, and the ScatterNd gradient R1-through-ADA needs.
 */
import test from 'ava';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { buildDiscriminator, buildGenerator } from '../../src/nets/index.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { StyleGAN2Loss } from '../../src/train/loss.ts';
import { Rng } from '../../src/io/rng.ts';
import { accumulatePhase } from '../../src/train/step.ts';
import { REPO_ROOT } from '../_golden.ts';

function smokeNets(set: string[] = []) {
  const plan = planExperiment(loadConfig(join(REPO_ROOT, 'configs', 'stylegan2.yaml'), { profile: 'smoke', set }));
  return { plan, G: buildGenerator(plan, { seed: 3 }), D: buildDiscriminator(plan, { seed: 4 }) };
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

test.serial('style mixing (prob 1): rows below the drawn cutoff from mapping(z), the rest from mapping(fresh z)', async (t) => {
  await initBackend('wasm');
  const { plan, G, D } = smokeNets();
  const rng = new Rng(11);
  const replay = Rng.fromState(rng.getState());
  const loss = new StyleGAN2Loss(G, D, { ...plan.training, style_mixing_prob: 1 }, null, rng);
  const z = tf.tensor2d(Float32Array.from(new Rng(5).unpairedNormals(4 * plan.mapping.z_dim)), [4, plan.mapping.z_dim]);
  const { ws, img } = tf.tidy(() => { const r = loss.runG(z, false); return { ws: tf.keep(r.ws), img: tf.keep(r.img) }; });
  const numWs = plan.mapping.num_ws;
  const cutoff = 1 + Math.floor(replay.uniform() * (numWs - 1));
  replay.uniform();
  const z2 = tf.tensor2d(Float32Array.from(replay.unpairedNormals(z.size)), z.shape);
  const [a, b] = [G.mapping(z, null, {}), G.mapping(z2, null, {})];
  t.true(cutoff >= 1 && cutoff < numWs);
  for (let row = 0; row < numWs; row++) {
    const got = tf.slice(ws, [0, row, 0], [4, 1, -1]);
    const want = tf.slice(row < cutoff ? a : b, [0, row, 0], [4, 1, -1]);
    t.is(maxDiff(got, want), 0, `row ${row} (cutoff ${cutoff})`);
  }
  t.deepEqual(img.shape, [4, 3, 16, 16]);
  tf.dispose([z, z2, a, b, ws, img]);
  G.dispose(); D.dispose();
});

test.serial('path length: penalty = (|J^T y| - pl_mean)^2 with pl_mean the lerp of the batch mean; G gets gradients', async (t) => {
  await initBackend('wasm');
  const { plan, G, D } = smokeNets();
  const settings = { ...plan.training, style_mixing_prob: 0, pl_decay: 0.01, pl_batch_shrink: 2, pl_weight: 2 };
  const rng = new Rng(21);
  const replay = Rng.fromState(rng.getState());
  const loss = new StyleGAN2Loss(G, D, settings, null, rng);
  loss.plMean = 0.5;
  const zDim = plan.mapping.z_dim;
  const z = tf.tensor2d(Float32Array.from(new Rng(6).unpairedNormals(4 * zDim)), [4, zDim]);
  const real = tf.zeros([4, 3, 16, 16]) as tf.Tensor4D;
  const res = loss.accumulate({ module: 'G', terms: ['Gpl'] }, { realImg: real, genZ: z, gain: 4, blurSigma: 0 });
  // Re-statement: the same noise (seed draw, then normals), lengths by a first-order tf.grads.
  const noiseSeed = replay.nextU32();
  const noise = tf.div(tf.tensor4d(Float32Array.from(replay.unpairedNormals(2 * 3 * 16 * 16)), [2, 3, 16, 16]), 16);
  const ws = G.mapping(tf.slice(z, [0, 0], [2, zDim]) as tf.Tensor2D, null, {});
  const [g] = tf.grads((w: tf.Tensor) => tf.sum(tf.mul(G.synthesis(w as tf.Tensor3D, { noiseSeed }), noise)))([ws]);
  const lengths = Array.from(tf.sqrt(tf.mean(tf.sum(tf.square(g!), 2), 1)).dataSync());
  const plMean = 0.5 + 0.01 * ((lengths[0]! + lengths[1]!) / 2 - 0.5);
  t.true(Math.abs(loss.plMean - plMean) <= 1e-6 * Math.max(1, plMean), `pl_mean ${loss.plMean} vs ${plMean}`);
  const penalty = res.stats.get('Loss/pl_penalty')!;
  t.is(penalty.length, 2, 'batch / pl_batch_shrink samples');
  lengths.forEach((l, i) => t.true(Math.abs(penalty[i]! - (l - plMean) ** 2) <= 1e-5 * Math.max(1, (l - plMean) ** 2), `penalty[${i}]`));
  t.deepEqual(Array.from(res.terms.get('Gpl')!), Array.from(penalty).map((p) => Math.fround(p * 2)));
  t.true(res.grads.has('mapping.fc0.weight'), 'the penalty reaches the mapping network through ws');
  t.true([...res.grads.values()].some((v) => tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]!) > 0));
  tf.dispose([z, real, noise, ws, g!, ...res.grads.values()]);
  G.dispose(); D.dispose();
});

test.serial('accumulation: a phase over two rounds gives the sum of the rounds\' gradients (official backward() per round)', async (t) => {
  await initBackend('wasm');
  const { plan, G, D } = smokeNets(['train.batch_per_step=2', 'discriminator.mbstd_group_size=2']);
  t.is(plan.training.accumulation_rounds, 2);
  const zDim = plan.mapping.z_dim;
  const src = new Rng(8);
  const rounds = [0, 1].map(() => ({
    realImg: tf.tensor4d(Float32Array.from(src.uniforms(2 * 3 * 16 * 16)).map((v) => v * 2 - 1), [2, 3, 16, 16]),
    genZ: tf.tensor2d(Float32Array.from(src.unpairedNormals(2 * zDim)), [2, zDim]),
    gain: 1, blurSigma: 0,
  }));
  const phase = plan.training.phases.find((p) => p.name === 'Dmain')!;
  const settings = { ...plan.training, style_mixing_prob: 0 };
  const G0 = G.state.snapshotBuffers();
  const sum = accumulatePhase(new StyleGAN2Loss(G, D, settings, null, new Rng(1)), phase, rounds, 0, () => {});
  G.state.restoreBuffers(G0);                       // Dmain's update_emas moved G's buffers: replay from the same state
  const single = new StyleGAN2Loss(G, D, settings, null, new Rng(1));
  const parts = rounds.map((r) => single.accumulate(phase, r).grads);
  t.is(sum.size, D.state.namedTrainable().length);
  for (const [name, g] of sum) {
    const want = tf.add(parts[0]!.get(name)!, parts[1]!.get(name)!);
    t.true(maxDiff(g, want) <= 1e-6 * Math.max(1, tf.max(tf.abs(want)).dataSync()[0]!), name);
    want.dispose();
  }
  tf.dispose([...sum.values(), ...parts.flatMap((p) => [...p.values()]), ...rounds.flatMap((r) => [r.realImg, r.genZ]), ...G0.values()]);
  G.dispose(); D.dispose();
});

test.serial('ScatterNd gradient (registered by backend/): d<scatterND(idx, u), y>/du = gatherND(y, idx), duplicates included', async (t) => {
  await initBackend('wasm');
  const idx = tf.tensor2d([[0], [2], [0], [3]], [4, 1], 'int32');
  const u = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  const y = tf.tensor2d([[0.5, -1], [2, 3], [-4, 0.25], [1.5, 2.5]]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.scatterND(idx, x, [4, 2]), y)))(u);
  t.deepEqual(Array.from(g.dataSync()), [0.5, -1, -4, 0.25, 0.5, -1, 1.5, 2.5]);
  tf.dispose([idx, u, y, g]);
});
