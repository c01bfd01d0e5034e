/**
 * The real configs (configs/*.yaml through src/config's loadConfig) plan cleanly, with every profile;
 * stylegan3-t/-r reproduce the official schedules; the ladder files plan the same synthesis network
 * as the test factory's ladder (so the factory-based tests speak about the real rows).
 */
import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, resolveConfigWithSources } from '../../src/config/index.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { REPO_ROOT, readGoldenJson } from '../_golden.ts';
import { ladderConfig, type Row } from './_configs.ts';
import { compareWithGolden, type GoldenCase } from './_schedule.ts';

const CONFIGS = join(REPO_ROOT, 'configs');
const files = readdirSync(CONFIGS).filter((f) => f.endsWith('.yaml'));

const ROWS: Record<string, Row> = {
  'stylegan2.yaml': 'A', 'b-fourier-features.yaml': 'B', 'c-no-noise.yaml': 'C', 'd-simplified-generator.yaml': 'D',
  'e-boundaries-upsampling.yaml': 'E', 'f-filtered-nonlinearities.yaml': 'F', 'g-non-critical-sampling.yaml': 'G',
  'h-transformed-fourier.yaml': 'H', 'stylegan3-t.yaml': 'T', 'stylegan3-r.yaml': 'R',
};

test('configs/ holds the ten rows of the ladder', (t) => {
  for (const f of Object.keys(ROWS)) t.true(files.includes(f), f);
});

for (const file of files) {
  test(`config=${file}: plans with its defaults and with every profile`, (t) => {
    const path = join(CONFIGS, file);
    const plan = planExperiment(loadConfig(path));
    t.true(plan.cost.params.g_total > 0);
    const profiles = resolveConfigWithSources(path, {}).profiles;
    for (const profile of profiles) {
      const p = planExperiment(loadConfig(path, { profile }));
      t.is(p.synthesis.layers[p.synthesis.layers.length - 1]!.out_size[0], p.img_resolution, `${file} --profile ${profile}`);
      t.deepEqual([p.training.grid_w, p.training.grid_h], [8, 8], `${file} --profile ${profile}: the profile's train.grid`);
    }
    // Paper settings (FFHQ-U 256): train.grid null, the official 30x16.
    t.deepEqual([plan.img_resolution, plan.training.grid_w, plan.training.grid_h], [256, 30, 16], file);
  });
}

for (const [file, row] of Object.entries(ROWS)) {
  test(`config=${file} row=${row}: same synthesis plan as the test factory's row`, (t) => {
    const cfg = loadConfig(join(CONFIGS, file));
    const mine = planExperiment(ladderConfig(row, cfg.data.resolution)).synthesis;
    t.deepEqual(planExperiment(cfg).synthesis, mine);
  });
}

test('config=stylegan3-t.yaml: the official T schedule at its resolution', (t) => {
  const cfg = loadConfig(join(CONFIGS, 'stylegan3-t.yaml'), { set: ['generator.magnitude_ema_beta=0.999', 'generator.w_dim=512'] });
  const golden = readGoldenJson<{ cases: GoldenCase[] }>('schedules_sg3_T.json').cases.find((c) => c.img_resolution === cfg.data.resolution);
  t.truthy(golden, `a golden T case at ${cfg.data.resolution}`);
  compareWithGolden(t, planExperiment(cfg).synthesis, golden!);
});

test('config=stylegan3-r.yaml --set data.resolution=64: the official R schedule', (t) => {
  const cfg = loadConfig(join(CONFIGS, 'stylegan3-r.yaml'), { set: ['data.resolution=64', 'generator.magnitude_ema_beta=0.999', 'generator.w_dim=512'] });
  const golden = readGoldenJson<{ cases: GoldenCase[] }>('schedules_sg3_R_small.json').cases.find((c) => c.img_resolution === 64)!;
  compareWithGolden(t, planExperiment(cfg).synthesis, golden);
});
