// The ten configs of the ablation ladder: each validates (alone and with each profile), extends the
// row above, and differs from it in exactly the keys its paper row changes.
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkConfig, loadConfig, resolveConfigWithSources, type ResolvedConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/errors.ts';
import { REPO_ROOT } from '../_golden.ts';

const dir = join(REPO_ROOT, 'configs');
const LADDER = [
  'stylegan2', 'b-fourier-features', 'c-no-noise', 'd-simplified-generator', 'e-boundaries-upsampling',
  'f-filtered-nonlinearities', 'g-non-critical-sampling', 'h-transformed-fourier', 'stylegan3-t', 'stylegan3-r',
];
const file = (name: string) => join(dir, `${name}.yaml`);

// The paper's Figure 3 (left): row, FID, EQ-T, EQ-R (a dash is null).
const PAPER: Record<string, [string, number, number | null, number | null]> = {
  stylegan2: ['A', 5.14, null, null], 'b-fourier-features': ['B', 4.79, 16.23, 10.81],
  'c-no-noise': ['C', 4.54, 15.81, 10.84], 'd-simplified-generator': ['D', 5.21, 19.47, 10.41],
  'e-boundaries-upsampling': ['E', 6.02, 24.62, 10.97], 'f-filtered-nonlinearities': ['F', 6.35, 30.60, 10.81],
  'g-non-critical-sampling': ['G', 4.78, 43.90, 10.84], 'h-transformed-fourier': ['H', 4.64, 45.20, 10.61],
  'stylegan3-t': ['T', 4.62, 63.01, 13.12], 'stylegan3-r': ['R', 4.50, 66.65, 40.48],
};

// What each row changes relative to the row above, as resolved keys (Section 3 of the paper).
const CHANGES: Record<string, string[]> = {
  'b-fourier-features': ['generator.input.kind', 'metrics.names'],
  'c-no-noise': ['generator.noise'],
  'd-simplified-generator': ['generator.mapping.layers', 'generator.skips', 'generator.normalization',
    'generator.output_scale', 'loss.style_mixing_prob', 'loss.pl_weight', 'optim.generator.lr'],
  'e-boundaries-upsampling': ['generator.schedule.margin_size', 'generator.filter.kind', 'generator.filter.size'],
  'f-filtered-nonlinearities': ['generator.nonlinearity.filtered'],
  'g-non-critical-sampling': ['generator.schedule.sampling', 'generator.schedule.channels_by_cutoff'],
  'h-transformed-fourier': ['generator.input.transform'],
  'stylegan3-t': ['generator.schedule.kind'],
  'stylegan3-r': ['generator.conv_kernel', 'generator.channels.base', 'generator.channels.max',
    'generator.radial_filters', 'loss.blur_sigma'],
};

function leafDiff(a: unknown, b: unknown, prefix = ''): string[] {
  if (typeof a === 'object' && a !== null && !Array.isArray(a) && typeof b === 'object' && b !== null) {
    return Object.keys(a).flatMap((k) => leafDiff((a as any)[k], (b as any)[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}

test('configs/ holds exactly the ten rows of the ladder', (t) => {
  t.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort(), [...LADDER].sort());
});

for (const [i, name] of LADDER.entries()) {
  test(`cfg=${name} validates, with and without each profile`, (t) => {
    t.deepEqual(checkConfig(file(name)), []);
    const { profiles } = resolveConfigWithSources(file(name));
    t.deepEqual(profiles, ['smoke', 'small']);
    for (const profile of profiles) t.deepEqual(checkConfig(file(name), { profile }), [], profile);
  });

  test(`cfg=${name} carries its paper row and name`, (t) => {
    const c = loadConfig(file(name));
    const [row, fid, eqt, eqr] = PAPER[name];
    t.deepEqual(c.paper, { figure: '3-left', row, fid, eqt, eqr });
    t.is(c.name, name);
    t.true(c.description.length > 0);
  });

  if (i === 0) continue;
  test(`cfg=${name} extends ${LADDER[i - 1]} and changes only its row's keys`, (t) => {
    const raw = parse(readFileSync(file(name), 'utf8'));
    t.is(raw.extends, `${LADDER[i - 1]}.yaml`);
    const strip = ({ name: _n, description: _d, paper: _p, ...rest }: ResolvedConfig) => rest;
    t.deepEqual(leafDiff(strip(loadConfig(file(name))), strip(loadConfig(file(LADDER[i - 1])))).sort(), [...CHANGES[name]].sort());
  });
}

test('every row quotes the paper and names its command', (t) => {
  for (const name of LADDER) {
    const text = readFileSync(file(name), 'utf8');
    t.regex(text, new RegExp(`sg3 run configs/${name}\\.yaml`), name);
    if (name !== 'stylegan2') t.regex(text, /Paper, Sec\. 3\.\d: "/, name);
  }
});

test('cfg=stylegan3-t matches the official train.py --cfg=stylegan3-t defaults', (t) => {
  const c = loadConfig(file('stylegan3-t'));
  t.like(c.generator, { z_dim: 512, w_dim: 512, conv_kernel: 3, radial_filters: false, magnitude_ema_beta: null, output_scale: 0.25 });
  t.deepEqual(c.generator.channels, { base: 32768, max: 512 });
  t.is(c.generator.mapping.layers, 2);
  t.like(c.generator.schedule, { layers: 14, critical_layers: 2, first_cutoff: 2, margin_size: 10 });
  t.is(c.generator.schedule.first_stopband, 2 ** 2.1);
  t.is(c.generator.schedule.last_stopband_rel, 2 ** 0.3);
  t.like(c.generator.filter, { kind: 'kaiser', size: 6 });
  t.like(c.generator.nonlinearity, { filtered: true, upsampling: 2 });
  t.deepEqual(c.optim.generator, { lr: 0.0025, betas: [0, 0.99], eps: 1e-8 });
  t.deepEqual(c.optim.discriminator, { lr: 0.002, betas: [0, 0.99], eps: 1e-8 });
  t.like(c.loss, { r1_interval: 16, style_mixing_prob: 0, pl_weight: 0, blur_sigma: 0, blur_fade_kimg: null });
  t.like(c.train, { batch: 32, kimg: 25000, ema_kimg: null, ema_rampup: 0.05, batch_per_step: null });
  t.deepEqual(c.discriminator.channels, { base: 32768, max: 512 });
  t.is(c.discriminator.mbstd_group_size, 4);
});

test('cfg=stylegan3-r doubles the generator channels only, and its small profile too', (t) => {
  const r = loadConfig(file('stylegan3-r'));
  t.deepEqual(r.generator.channels, { base: 65536, max: 1024 });
  t.deepEqual(r.discriminator.channels, { base: 32768, max: 512 });
  const t_ = loadConfig(file('stylegan3-t'), { profile: 'small' });
  const r_ = loadConfig(file('stylegan3-r'), { profile: 'small' });
  t.deepEqual(r_.generator.channels, { base: 2 * t_.generator.channels.base, max: 2 * t_.generator.channels.max });
  t.deepEqual(r_.discriminator.channels, t_.discriminator.channels);
});

test('cfg=stylegan2 matches train.py --cfg=stylegan2 (mapping 8, mixing 0.9, path length 2 every 4)', (t) => {
  const c = loadConfig(file('stylegan2'));
  t.is(c.generator.mapping.layers, 8);
  t.like(c.loss, { style_mixing_prob: 0.9, pl_weight: 2, pl_interval: 4 });
  t.is(c.optim.generator.lr, 0.002);
  t.like(c.generator, { noise: true, skips: true, normalization: 'none', output_scale: 1 });
  t.like(c.generator.filter, { kind: 'bilinear', size: 2 });
  t.like(c.generator.schedule, { kind: 'rigid', margin_size: 0 });
});

for (const profile of ['smoke', 'small']) {
  test(`profile=${profile} is small, procedural and on the auto backend for every row`, (t) => {
    for (const name of LADDER) {
      const c = loadConfig(file(name), { profile });
      t.is(c.data.kind, 'procedural', name);
      t.is(c.runtime.backend, 'auto', name);
      t.is(c.data.resolution, profile === 'smoke' ? 16 : 32, name);
      t.true(c.train.kimg <= (profile === 'smoke' ? 0.05 : 5) && c.train.batch === 4, name);  // smoke: seconds; small: minutes
      t.is(c.generator.mapping.layers, 2, name);
      t.deepEqual(c.train.grid, [8, 8], `${name}: the profile's snapshot grid, visible in the file`);
    }
  });
}

test('every row without a profile keeps train.grid null (the official size from the resolution)', (t) => {
  for (const name of LADDER) t.is(loadConfig(file(name)).train.grid, null, name);
});

test('train.grid: --set overrides the profile ([4, 2], or null for the official size); a bad side names the --set', (t) => {
  const smoke = (set: string[]) => loadConfig(file('stylegan2'), { profile: 'smoke', set });
  t.deepEqual(smoke(['train.grid=[4, 2]']).train.grid, [4, 2]);
  t.is(smoke(['train.grid=null']).train.grid, null);
  const e = t.throws(() => smoke(['train.grid=[4, 0]']), { instanceOf: ConfigError });
  t.deepEqual(e!.lines, ['--set train.grid=[4, 0]: train.grid[1]: must be >= 1 (got 0)']);
});
