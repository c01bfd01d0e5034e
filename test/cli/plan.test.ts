// `sg3 plan` through the real program: the table, --json, --set/--profile and the error exits.
import test from 'ava';
import { join } from 'node:path';
import { runMain as run } from './_main.ts';
import { loadConfig } from '../../src/config/index.ts';
import { parsePlan, planExperiment } from '../../src/plan/index.ts';
import { REPO_ROOT } from '../_golden.ts';

const T = join(REPO_ROOT, 'configs', 'stylegan3-t.yaml');
const A = join(REPO_ROOT, 'configs', 'stylegan2.yaml');

test.serial('sg3 plan cfg=stylegan3-t profile=smoke: the schedule table, D and the cost', async (t) => {
  const r = await run(['plan', T, '--profile', 'smoke']);
  t.is(r.code, 0, r.err);
  const plan = planExperiment(loadConfig(T, { profile: 'smoke' }));
  for (const l of plan.synthesis.layers) t.regex(r.out, new RegExp(`^  ${l.name} `, 'm'));
  t.regex(r.out, /^Synthesis \(flexible schedule, 14 layers \+ ToRGB, 2 critical, num_ws 16, margin 10\)$/m);
  t.regex(r.out, /^ {2}layer +size +s +s_tmp +f_c +f_t +f_h +channels +up\/dn +taps +padding +flags$/m);
  t.regex(r.out, /^Discriminator \(resnet\)$/m);
  t.regex(r.out, /^ {2}G total /m);
  t.is(r.err, '');
});

test.serial('sg3 plan --json prints the Plan the library computes', async (t) => {
  const r = await run(['plan', A, '--profile', 'smoke', '--json']);
  t.is(r.code, 0, r.err);
  t.deepEqual(parsePlan(r.out), planExperiment(loadConfig(A, { profile: 'smoke' })));
});

test.serial('sg3 plan --set (repeatable) reaches the planner', async (t) => {
  const r = await run(['plan', T, '--profile', 'smoke', '--set', 'data.resolution=32', '--set', 'generator.conv_kernel=1', '--json']);
  t.is(r.code, 0, r.err);
  const plan = parsePlan(r.out);
  t.is(plan.img_resolution, 32);
  t.is(plan.synthesis.layers[0]!.conv_kernel, 1);
});

test.serial('sg3 plan: planner problems exit 2 with one line per problem, prefixed by the file', async (t) => {
  const r = await run(['plan', T, '--set', 'generator.radial_filters=true', '--set', 'generator.filter.kind=bilinear', '--set', 'generator.filter.size=2']);
  t.is(r.code, 2);
  t.is(r.out, '');
  t.is(r.err, `${T}: generator.radial_filters: radial filters need a windowed filter kind (got generator.filter.kind bilinear)\n`);
});

test.serial('sg3 plan: a missing config exits 2', async (t) => {
  const r = await run(['plan', join(REPO_ROOT, 'configs', 'no-such.yaml')]);
  t.is(r.code, 2);
  t.regex(r.err, /no-such\.yaml: file not found/);
});

test.serial('sg3 plan --help lists --set, --profile and --json', async (t) => {
  const r = await run(['plan', '--help']);
  t.is(r.code, 0);
  for (const flag of ['--set <key=value>', '--profile <name>', '--json']) t.true(r.out.includes(flag), flag);
});
