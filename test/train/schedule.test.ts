/**
 * The loop's schedules: D blur fade, G EMA beta with its ramp-up, phase intervals, snapshot
 * interval crossings and labels; the numbers come from real plans of configs/*.yaml.
 */
import test from 'ava';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { blurSigmaAt, crossedInterval, emaBetaAt, isDone, phaseRuns, snapshotLabel, trainingForResumeFrom } from '../../src/train/schedule.ts';
import { REPO_ROOT } from '../_golden.ts';

const planOf = (file: string, set: string[] = []) => planExperiment(loadConfig(join(REPO_ROOT, 'configs', file), { set })).training;

test('blur: R fades linearly from 10 to 0 over batch*200/32 kimg, then stays 0; T has none', (t) => {
  const r = planOf('stylegan3-r.yaml', ['train.batch=32']);
  t.is(r.blur_init_sigma, 10);
  t.is(r.blur_fade_kimg, 200);
  t.is(blurSigmaAt(0, r), 10);
  t.is(blurSigmaAt(50_000, r), 7.5);
  t.is(blurSigmaAt(200_000, r), 0);
  t.is(blurSigmaAt(1e9, r), 0);
  const tt = planOf('stylegan3-t.yaml');
  t.is(blurSigmaAt(0, tt), 0);
});

test('ema: beta 0 at cur_nimg 0 with ramp-up (G_ema = G), the plan\'s ema_beta once the ramp-up is over, no ramp-up = constant', (t) => {
  const p = { batch: 32, ema_nimg: 10_000, ema_rampup: 0.05 };
  t.is(emaBetaAt(0, p), 0);
  t.is(emaBetaAt(100_000, p), 0.5 ** (32 / 5000));           // min(10000, 100000 * 0.05) = 5000
  t.is(emaBetaAt(1e7, p), 0.5 ** (32 / 10_000));
  const plan = planOf('stylegan3-t.yaml', ['train.batch=32']);
  t.is(emaBetaAt(1e9, plan), plan.ema_beta);
  t.is(emaBetaAt(0, { ...p, ema_rampup: null }), 0.5 ** (32 / 10_000));
});

test('resume-from: EMA ramp-up and blur off, everything else kept', (t) => {
  const r = planOf('stylegan3-r.yaml');
  const f = trainingForResumeFrom(r);
  t.is(f.ema_rampup, null);
  t.is(blurSigmaAt(0, f), 0);
  t.deepEqual({ ...f, ema_rampup: r.ema_rampup, blur_init_sigma: r.blur_init_sigma }, r);
});

test('phases: Dreg every r1_interval steps starting at 0, Dmain every step', (t) => {
  const plan = planOf('stylegan3-t.yaml');
  const dreg = plan.phases.find((p) => p.name === 'Dreg')!;
  const runs = Array.from({ length: 40 }, (_, i) => i).filter((i) => phaseRuns(dreg, i));
  t.deepEqual(runs, [0, 16, 32]);
  t.true(phaseRuns(plan.phases.find((p) => p.name === 'Dmain')!, 7));
});

test('intervals: crossings of multiples of an interval in kimg, done at total_kimg', (t) => {
  t.true(crossedInterval(96, 100, 0.1));
  t.false(crossedInterval(100, 104, 0.1));
  t.true(crossedInterval(196, 204, 0.1));
  t.true(crossedInterval(4, 8, 0.008));
  t.false(crossedInterval(0, 4, 0.008));
  t.true(isDone(200, 0.2));
  t.false(isDone(196, 0.2));
});

test('labels: the official six-digit kimg, with thousandths when not a whole kimg', (t) => {
  t.is(snapshotLabel(0), '000000');
  t.is(snapshotLabel(40_000), '000040');
  t.is(snapshotLabel(100), '000000.100');
  t.is(snapshotLabel(1_008), '000001.008');
});
