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

interface GoldenCase {
  config: 'T' | 'R';
  img_resolution: number;
  w_dim: number;
  num_ws: number;
  input: { channels: number; size: [number, number]; sampling_rate: number; bandwidth: number };
  network_arrays: Record<string, number[]>;
  layers: Record<string, unknown>[];
}

// Golden fields we do not carry (fp16 is not a tfjs concept; the *_min stopbands are the geometric
// progression, checked through network_arrays) or carry under another form (filter shapes).
const NOT_CARRIED = new Set(['use_fp16', 'in_stopband_min', 'out_stopband_min', 'up_filter_shape', 'down_filter_shape']);

// Float-valued fields (compared to 1e-12 relative even when the value is integral: numpy's vectorised
// pow and V8's Math.pow may round 2 * 8^(2/3) to different neighbours of 8); all others exactly.
const FLOAT_FIELDS = /(_sampling_rate|_cutoff|_half_width|_stopband|lrelu_gain|lrelu_slope|magnitude_ema_beta)$/;

function closeRel(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function shapeOf(taps: unknown): number[] | null {
  if (taps === null) return null;
  const arr = taps as unknown[];
  return Array.isArray(arr[0]) ? [arr.length, (arr[0] as unknown[]).length] : [arr.length];
}

function configFor(c: GoldenCase) {
  // The golden reads the class default magnitude_ema_beta 0.999 (train.py would pass 0.5 ** (batch/20000)).
  const over = { generator: { w_dim: c.w_dim, magnitude_ema_beta: 0.999 } };
  return c.config === 'T' ? makeConfig(c.img_resolution, over) : configR(c.img_resolution, over);
}

function compareCase(t: ExecutionContext, c: GoldenCase): void {
  const syn = planSynthesis(configFor(c));
  t.true(c.layers.length > 0);
  t.is(syn.num_ws, c.num_ws);
  t.is(syn.layers.length, c.layers.length);
  t.deepEqual(syn.input.size, c.input.size);
  t.is(syn.input.channels, c.input.channels);
  t.true(closeRel(syn.input.sampling_rate, c.input.sampling_rate));
  t.true(closeRel(syn.input.bandwidth, c.input.bandwidth));
  for (const g of c.layers) {
    const mine = syn.layers[g.idx as number] as unknown as Record<string, unknown>;
    for (const [key, want] of Object.entries(g)) {
      if (NOT_CARRIED.has(key)) continue;
      t.true(key in mine, `${g.name}: missing field ${key}`);
      const got = mine[key];
      if (typeof want === 'number' && FLOAT_FIELDS.test(key)) t.true(closeRel(got as number, want), `${g.name}.${key}: ${got} vs ${want}`);
      else t.deepEqual(got, want, `${g.name}.${key}`);
    }
    t.deepEqual(shapeOf(mine.up_filter), g.up_filter_shape, `${g.name}.up_filter shape`);
    t.deepEqual(shapeOf(mine.down_filter), g.down_filter_shape, `${g.name}.down_filter shape`);
  }
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
    test(`golden=${file} cfg=${c.config} res=${c.img_resolution}: every layer field matches`, (t) => compareCase(t, c));
    test(`golden=${file} cfg=${c.config} res=${c.img_resolution}: network arrays match`, (t) => compareArrays(t, c));
  }
}

test('golden schedules cover T at 16..1024 and R at 16..64', (t) => {
  const res = (f: string) => readGoldenJson<{ cases: GoldenCase[] }>(f).cases.map((c) => c.img_resolution);
  t.deepEqual(res('schedules_sg3_T.json'), [16, 32, 64, 256, 1024]);
  t.deepEqual(res('schedules_sg3_R_small.json'), [16, 32, 64]);
});
