/**
 * golden=loss_T16_D16: the official StyleGAN2Loss phases through our StyleGAN2Loss, with
 * G = g_sg3_T16_params and D = d_sg2_16_params: per-sample losses, logits, R1 penalties, the
 * gradient L2 norm of every parameter for Gmain, Dmain, Dreg and Dboth, and the buffers G's
 * update_emas forward leaves after Dmain. Tolerances: the JSON's f32_vs_f64 suggested_abs_tol.
 * Every phase on wasm; the D phases also on cpu (cpu's G backward alone takes minutes here).
 */
import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { getF32, readSafetensors } from '../../src/io/safetensors.ts';
import { StyleGAN2Loss, type RoundResult } from '../../src/train/loss.ts';
import { Rng } from '../../src/io/rng.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';
import { goldenLossNets, l2 } from './_nets.ts';

type Golden = {
  values: Record<string, number | number[]>;
  f32_vs_f64: Record<string, { suggested_abs_tol: number }>;
  buffers_after_Dmain: Record<string, number | number[]>;
} & Record<string, Record<string, number>>;

const golden = readGoldenJson<Golden>('loss_T16_D16.json');
const io = readSafetensors(join(GOLDEN, 'loss_T16_D16_io.safetensors'));
const f32 = (name: string) => getF32(io, name).data;
const tol = (key: string) => golden.f32_vs_f64[key]!.suggested_abs_tol;

function closeArray(t: ExecutionContext, what: string, got: ArrayLike<number>, want: ArrayLike<number>, abs: number): void {
  t.is(got.length, want.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  t.true(worst <= abs, `${what}: max abs diff ${worst.toExponential(2)} > tol ${abs}`);
}

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0) / v.length;

/** Runs one phase's terms on fresh golden networks; returns the result and the nets (caller disposes). */
function runPhase(module: 'G' | 'D', terms: string[]) {
  const nets = goldenLossNets();
  const loss = new StyleGAN2Loss(nets.G, nets.D, nets.plan.training, null, new Rng(0));
  const z = tf.tensor2d(f32('z'), [4, 32]);
  const realImg = tf.tensor4d(f32('real_img'), [4, 3, 16, 16]);   // NCHW, as stored
  const result = loss.accumulate({ module, terms }, { realImg, genZ: z, gain: 1, blurSigma: 0 });
  z.dispose();
  realImg.dispose();
  return { result, nets };
}

function checkGradNorms(t: ExecutionContext, result: RoundResult, key: string): void {
  const want = golden[key]!;
  t.deepEqual([...result.grads.keys()].filter((k) => !(k in want)), [], `${key}: unexpected gradients`);
  for (const [name, norm] of Object.entries(want)) {
    const g = result.grads.get(name);
    const got = g ? l2(g) : 0;   // a parameter the graph never reaches has torch grad None = norm 0 here
    t.true(Math.abs(got - norm) <= tol(key), `${key} ${name}: |${got} - ${norm}| > ${tol(key)}`);
  }
  for (const g of result.grads.values()) g.dispose();
}

for (const backend of ['wasm', 'cpu'] as const) {
  // The cpu backend takes minutes for G's backward pass on this machine: Gmain runs on wasm only.
  if (backend === 'wasm') test.serial(`golden=loss_T16_D16 backend=${backend} phase=Gmain: losses, fake logits, 67 G grad norms`, async (t) => {
    await initBackend(backend);
    const { result, nets } = runPhase('G', ['Gmain']);
    closeArray(t, 'loss_Gmain_per_sample', result.terms.get('Gmain')!, golden.values.loss_Gmain_per_sample as number[], tol('loss_Gmain_per_sample'));
    t.true(Math.abs(mean(result.terms.get('Gmain')!) - (golden.values.loss_Gmain_mean as number)) <= tol('loss_Gmain_mean'));
    closeArray(t, 'fake_logits_Gmain', result.stats.get('Loss/scores/fake')!, f32('fake_logits_Gmain'), tol('fake_logits_Gmain'));
    t.is(result.grads.size, 67);
    checkGradNorms(t, result, 'grad_norms_G_Gmain');
    nets.G.dispose(); nets.D.dispose();
  });

  test.serial(`golden=loss_T16_D16 backend=${backend} phase=Dmain: Dgen/Dreal losses, logits, D grad norms, G buffers after update_emas`, async (t) => {
    await initBackend(backend);
    const { result, nets } = runPhase('D', ['Dgen', 'Dreal']);
    closeArray(t, 'loss_Dgen_per_sample', result.terms.get('Dgen')!, golden.values.loss_Dgen_per_sample as number[], tol('loss_Dgen_per_sample'));
    closeArray(t, 'loss_Dreal_per_sample', result.terms.get('Dreal')!, golden.values.loss_Dreal_per_sample as number[], tol('loss_Dreal_per_sample'));
    t.true(Math.abs(mean(result.terms.get('Dgen')!) - (golden.values.loss_Dgen_mean as number)) <= tol('loss_Dgen_mean'));
    closeArray(t, 'fake_logits_Dmain', result.stats.get('Loss/scores/fake')!, f32('fake_logits_Dmain'), tol('fake_logits_Dmain'));
    closeArray(t, 'real_logits', result.stats.get('Loss/scores/real')!, f32('real_logits_Dmain'), tol('real_logits'));
    checkGradNorms(t, result, 'grad_norms_D_Dmain');
    const bufTol = 10 * (golden.f32_vs_f64.buffers_after_Dmain as unknown as { max_abs_diff: number }).max_abs_diff;
    for (const name of Object.keys(golden.buffers_after_Dmain)) {
      closeArray(t, `after_Dmain.${name}`, nets.G.state.get(name).dataSync(), f32(`after_Dmain.${name}`), Math.max(bufTol, 1e-6));
    }
    nets.G.dispose(); nets.D.dispose();
  });

  test.serial(`golden=loss_T16_D16 backend=${backend} phase=Dreg: R1 penalty (second order) and D grad norms`, async (t) => {
    await initBackend(backend);
    const { result, nets } = runPhase('D', ['Dr1']);
    closeArray(t, 'r1_penalty_per_sample', result.stats.get('Loss/r1_penalty')!, f32('r1_penalty'), tol('r1_penalty_per_sample'));
    closeArray(t, 'loss_Dr1_per_sample', result.terms.get('Dr1')!, golden.values.loss_Dr1_per_sample as number[], tol('loss_Dr1_per_sample'));
    t.true(Math.abs(mean(result.terms.get('Dr1')!) - (golden.values.loss_Dr1_mean as number)) <= tol('loss_Dr1_mean'));
    checkGradNorms(t, result, 'grad_norms_D_Dreg');
    nets.G.dispose(); nets.D.dispose();
  });

  test.serial(`golden=loss_T16_D16 backend=${backend} phase=Dboth: Dgen + (Dreal + Dr1) grad norms`, async (t) => {
    await initBackend(backend);
    const { result, nets } = runPhase('D', ['Dgen', 'Dreal', 'Dr1']);
    const realPlusR1 = mean(result.terms.get('Dreal')!) + mean(result.terms.get('Dr1')!);
    t.true(Math.abs(realPlusR1 - (golden.values.loss_Dreal_plus_Dr1_mean as number)) <= tol('loss_Dreal_plus_Dr1_mean'));
    checkGradNorms(t, result, 'grad_norms_D_Dboth');
    nets.G.dispose(); nets.D.dispose();
  });
}

test.serial('golden=loss_T16_D16 Dreal+Dr1 alone (no Dgen) matches grad_norms_D_Dreal_Dr1', async (t) => {
  await initBackend('wasm');
  const { result, nets } = runPhase('D', ['Dreal', 'Dr1']);
  checkGradNorms(t, result, 'grad_norms_D_Dreal_Dr1');
  nets.G.dispose(); nets.D.dispose();
});
