/**
 * Plan -> JSON -> Plan is lossless for every row of the ladder, and parsePlan rejects what is not
 * a plan. Also: the cross-key rules the planner enforces, with their exact messages.
 */
import test from 'ava';
import { ConfigError, RunError } from '../../src/errors.ts';
import { parsePlan, planExperiment, planProblems, planToJson } from '../../src/plan/index.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import { LADDER, ladderConfig, makeConfig, type DeepPartial } from './_configs.ts';

for (const row of LADDER) {
  test(`row=${row} res=32: plan -> JSON -> plan is deep-equal`, (t) => {
    const plan = planExperiment(ladderConfig(row, 32));
    const back = parsePlan(planToJson(plan));
    t.deepEqual(back, plan);
    // Floats survive bit-exactly (JSON numbers are shortest round-trip doubles).
    t.is(back.synthesis.layers[3]!.out_cutoff, plan.synthesis.layers[3]!.out_cutoff);
  });
}

test('the plan is plain JSON: no undefined, NaN or Infinity anywhere', (t) => {
  const walk = (v: unknown, path: string): void => {
    t.not(v, undefined, path);
    if (typeof v === 'number') t.true(Number.isFinite(v), path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  for (const row of LADDER) walk(planExperiment(ladderConfig(row, 16)), row);
});

test('parsePlan rejects non-JSON, foreign JSON and other versions', (t) => {
  t.throws(() => parsePlan('{', 'x.json'), { instanceOf: RunError, message: /^x\.json: not valid JSON/ });
  t.throws(() => parsePlan('{"a":1}', 'x.json'), { instanceOf: RunError, message: 'x.json: not an sg3 plan (got format null)' });
  t.throws(() => parsePlan('{"format":"sg3-plan","version":9}', 'x.json'), { instanceOf: RunError, message: 'x.json: unsupported plan version (got 9, expected 1)' });
});

test('parsePlan: a plan.json from before train.grid (no grid_w/grid_h) gets the grid those runs drew, min(official, 8) per side', (t) => {
  const legacy = (res: number) => {
    const plan = JSON.parse(planToJson(planExperiment(makeConfig(res)))) as { training: Record<string, unknown> };
    delete plan.training.grid_w;
    delete plan.training.grid_h;
    const p = parsePlan(JSON.stringify(plan), 'old/plan.json').training;
    return [p.grid_w, p.grid_h];
  };
  t.deepEqual(legacy(32), [8, 8]);
  t.deepEqual(legacy(1024), [7, 4]);
  const current = planExperiment(makeConfig(32, { train: { grid: [4, 2] } }));
  t.deepEqual(parsePlan(planToJson(current)).training, current.training, 'a plan with the numbers keeps them');
});

const invalid: [string, DeepPartial<ResolvedConfig>, string][] = [
  ['skips on the flexible schedule', { generator: { skips: true, schedule: { margin_size: 0 } } },
    'generator.skips: the skip architecture needs generator.schedule.kind rigid (got flexible)'],
  ['skips with a margin', { generator: { skips: true, schedule: { kind: 'rigid' } } },
    'generator.skips: the skip architecture needs generator.schedule.margin_size 0 (got 10)'],
  ['radial bilinear filters', { generator: { radial_filters: true, filter: { kind: 'bilinear' } } },
    'generator.radial_filters: radial filters need a windowed filter kind (got generator.filter.kind bilinear)'],
  ['all layers critical on the flexible schedule', { generator: { schedule: { layers: 2, critical_layers: 2 } } },
    'generator.schedule.layers: must exceed generator.schedule.critical_layers for the flexible schedule (got 2 <= 2)'],
  ['batch not a multiple of batch_per_step', { train: { batch: 32, batch_per_step: 12 } },
    'train.batch: must be a multiple of train.batch_per_step (got 32 / 12)'],
  ['fractional lrelu upsampling', { generator: { nonlinearity: { upsampling: 1.5 } } },
    'generator.nonlinearity.upsampling: must be an integer >= 1 (got 1.5)'],
  ['resolution not a power of two', { data: { resolution: 48 } },
    'data.resolution: must be a power of two >= 8 (got 48)'],
];

for (const [what, over, message] of invalid) {
  test(`invalid: ${what}`, (t) => {
    t.deepEqual(planProblems(makeConfig(64, over)), [message]);
    t.throws(() => planExperiment(makeConfig(64, over)), { instanceOf: ConfigError, message: `test-T64: ${message}` });
  });
}

test('invalid: every problem is reported at once', (t) => {
  const e = t.throws(() => planExperiment(makeConfig(64, { generator: { skips: true, radial_filters: true, filter: { kind: 'bilinear' } } })), { instanceOf: ConfigError });
  t.is((e as ConfigError).lines.length, 3);
});
