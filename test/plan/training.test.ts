/**
 * Training plan: lazy-regularisation phases and the Adam correction of training_loop.py, the
 * effective EMA / blur / magnitude-EMA numbers of train.py, accumulation and mbstd groups, and the
 * snapshot grid (train.grid or the official size).
 */
import test from 'ava';
import { formatPlan, planExperiment } from '../../src/plan/index.ts';
import { planTraining, snapshotGridSize } from '../../src/plan/training.ts';
import { configA, configR, makeConfig } from './_configs.ts';

test('cfg=T batch=32: Gboth without path length, Dmain + Dreg every 16 with c = 16/17', (t) => {
  const p = planTraining(makeConfig(64));
  t.deepEqual(p.phases.map((x) => [x.name, x.interval, x.gain]), [['Gboth', 1, 1], ['Dmain', 1, 1], ['Dreg', 16, 16]]);
  t.deepEqual(p.phases.find((x) => x.name === 'Dreg')!.terms, ['Dr1']);
  t.is(p.adam.G.lr, 0.0025);
  t.deepEqual(p.adam.G.betas, [0, 0.99]);
  t.is(p.adam.G.mb_ratio, 1);
  const c = 16 / 17;
  t.is(p.adam.D.mb_ratio, c);
  t.true(Math.abs(p.adam.D.lr - 0.002 * c) < 1e-18);
  t.true(Math.abs(p.adam.D.betas[1] - 0.99 ** c) < 1e-15);
  t.is(p.adam.D.betas[0], 0);
  t.is(p.pl_interval, null);
});

test('cfg=A: path length every 4 -> Gmain + Greg with c = 4/5', (t) => {
  const p = planTraining(configA(64));
  t.deepEqual(p.phases.map((x) => x.name), ['Gmain', 'Greg', 'Dmain', 'Dreg']);
  t.deepEqual(p.phases[1]!.terms, ['Gpl']);
  t.is(p.phases[1]!.interval, 4);
  t.true(Math.abs(p.adam.G.lr - 0.002 * 0.8) < 1e-18);
  t.true(Math.abs(p.adam.G.betas[1] - 0.99 ** 0.8) < 1e-15);
  t.is(p.pl_interval, 4);
  t.is(p.style_mixing_prob, 0.9);
});

test('r1_gamma=0: Dreg stays scheduled but evaluates nothing (official)', (t) => {
  const p = planTraining(makeConfig(64, { loss: { r1_gamma: 0 } }));
  t.deepEqual(p.phases.find((x) => x.name === 'Dreg')!.terms, []);
});

test('effective defaults: ema_kimg = batch*10/32, blur fade = batch*200/32, magnitude beta = 0.5^(batch/20000)', (t) => {
  const p = planTraining(configR(64, { train: { batch: 64 } }));
  t.is(p.ema_kimg, 20);
  t.is(p.ema_nimg, 20000);
  t.is(p.ema_beta, 0.5 ** (64 / 20000));
  t.is(p.blur_init_sigma, 10);
  t.is(p.blur_fade_kimg, 400);
  t.is(p.blur_init_taps, 61);
  t.is(p.magnitude_ema_beta, 0.5 ** (64 / 20000));
  t.is(p.ema_rampup, 0.05);
});

test('explicit values win over the effective defaults', (t) => {
  const p = planTraining(makeConfig(64, { train: { ema_kimg: 5 }, loss: { blur_sigma: 2, blur_fade_kimg: 100 }, generator: { magnitude_ema_beta: 0.999 } }));
  t.is(p.ema_kimg, 5);
  t.is(p.blur_fade_kimg, 100);
  t.is(p.blur_init_taps, 13);
  t.is(p.magnitude_ema_beta, 0.999);
  t.is(planTraining(makeConfig(64)).blur_init_taps, 0);
});

test('batch=32 batch_per_step=8: 4 accumulation rounds; mbstd group = min(group, batch_per_step)', (t) => {
  const p = planTraining(makeConfig(64, { train: { batch_per_step: 8 } }));
  t.is(p.accumulation_rounds, 4);
  t.is(p.batch_per_step, 8);
  t.is(p.mbstd_group_size, 4);
  const small = planTraining(makeConfig(64, { train: { batch: 4, batch_per_step: 2 } }));
  t.is(small.mbstd_group_size, 2);
  t.is(planTraining(makeConfig(64)).batch_per_step, 32);
});

test('snapshot grid, train.grid null: the official clip(7680 // W, 7, 32) x clip(4320 // H, 4, 32)', (t) => {
  const grid = (res: number) => { const p = planTraining(makeConfig(res)); return [p.grid_w, p.grid_h]; };
  t.deepEqual(grid(32), [32, 32]);     // 240 // 1 -> clipped to 32 both ways: 1024 images
  t.deepEqual(grid(256), [30, 16]);    // 7680 // 256 = 30, 4320 // 256 = 16
  t.deepEqual(grid(512), [15, 8]);
  t.deepEqual(grid(1024), [7, 4]);     // the lower clip bounds
});

test('snapshot grid, train.grid [4, 2]: used as given (columns, rows), whatever the resolution; sg3 plan prints it', (t) => {
  const cfg = makeConfig(256, { train: { grid: [4, 2] } });
  const p = planTraining(cfg);
  t.deepEqual([p.grid_w, p.grid_h], [4, 2]);
  t.regex(formatPlan(planExperiment(cfg)), /^Training: .*, snapshot grid 4x2$/m);
  t.regex(formatPlan(planExperiment(makeConfig(256))), /^Training: .*, snapshot grid 30x16$/m);
});

test('snapshotGridSize follows training_loop: clip(7680 // W, 7, 32) x clip(4320 // H, 4, 32)', (t) => {
  t.deepEqual(snapshotGridSize(1024, 1024), { gridW: 7, gridH: 4 });
  t.deepEqual(snapshotGridSize(256, 256), { gridW: 30, gridH: 16 });
  t.deepEqual(snapshotGridSize(32, 32), { gridW: 32, gridH: 32 });
});
