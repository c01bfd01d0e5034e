/**
 * The flexible schedule against the official SynthesisNetwork layer objects
 * (schedules_sg3_T.json, schedules_sg3_R_small.json): integers exactly, floats to 1e-12 relative.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { planSynthesis } from '../../src/plan/synthesis.ts';
import { flexibleSchedule } from '../../src/plan/schedule.ts';
import { readGoldenJson } from '../_golden.ts';
import { configR, makeConfig } from './_configs.ts';
import { closeRel, compareWithGolden, type GoldenCase } from './_schedule.ts';

function configFor(c: GoldenCase) {
  // The golden reads the class default magnitude_ema_beta 0.999 (train.py would pass 0.5 ** (batch/20000)).
  const over = { generator: { w_dim: c.w_dim, magnitude_ema_beta: 0.999 } };
  return c.config === 'T' ? makeConfig(c.img_resolution, over) : configR(c.img_resolution, over);
}

function compareArrays(t: ExecutionContext, c: GoldenCase): void {
  const cfg = configFor(c);
  const arr = flexibleSchedule({ img_resolution: c.img_resolution, img_channels: 3, generator: cfg.generator });
  const want = c.network_arrays;
  const pairs: [string, number[]][] = [
    ['cutoffs', arr.cutoffs], ['sampling_rates', arr.sampling_rates], ['half_widths', arr.half_widths],
    ['sizes', arr.sizes], ['channels', arr.channels],
  ];
  for (const [key, got] of pairs) {
    t.is(got.length, want[key]!.length, key);
    got.forEach((v, i) => t.true(closeRel(v, want[key]![i]!), `${key}[${i}]: ${v} vs ${want[key]![i]}`));
  }
  // The stopband each layer's filters use is >= the geometric minimum f_t[i].
  arr.cutoffs.forEach((fc, i) => t.true(fc + arr.half_widths[i]! >= want.stopbands![i]! * (1 - 1e-12)));
}

for (const file of ['schedules_sg3_T.json', 'schedules_sg3_R_small.json']) {
  const cases = readGoldenJson<{ cases: GoldenCase[] }>(file).cases;
  for (const c of cases) {
    test(`golden=${file} cfg=${c.config} res=${c.img_resolution}: every layer field matches`, (t) => compareWithGolden(t, planSynthesis(configFor(c)), c));
    test(`golden=${file} cfg=${c.config} res=${c.img_resolution}: network arrays match`, (t) => compareArrays(t, c));
  }
}

test('golden schedules cover T at 16..1024 and R at 16..64', (t) => {
  const res = (f: string) => readGoldenJson<{ cases: GoldenCase[] }>(f).cases.map((c) => c.img_resolution);
  t.deepEqual(res('schedules_sg3_T.json'), [16, 32, 64, 256, 1024]);
  t.deepEqual(res('schedules_sg3_R_small.json'), [16, 32, 64]);
});
