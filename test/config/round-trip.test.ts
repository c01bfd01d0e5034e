// config -> YAML -> config gives the same config, for every row and profile and a config with no defaults left.
import test from 'ava';
import { join } from 'node:path';
import { parse } from 'yaml';
import { configToYaml, loadConfig, type ResolvedConfig } from '../../src/config/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { memoryFiles } from './_memory.ts';
import { SHAPE } from './_shape.ts';

const ROWS = ['stylegan2', 'b-fourier-features', 'c-no-noise', 'd-simplified-generator', 'e-boundaries-upsampling',
  'f-filtered-nonlinearities', 'g-non-critical-sampling', 'h-transformed-fourier', 'stylegan3-t', 'stylegan3-r'];

function roundTrip(config: ResolvedConfig): ResolvedConfig {
  return loadConfig('/rt/printed.yaml', {}, memoryFiles({ '/rt/printed.yaml': configToYaml(config) }));
}

for (const row of ROWS) {
  for (const profile of [null, 'smoke', 'small']) {
    test(`cfg=${row} profile=${profile ?? 'none'} survives config -> YAML -> config`, (t) => {
      const config = loadConfig(join(REPO_ROOT, 'configs', `${row}.yaml`), { profile });
      t.deepEqual(roundTrip(config), config);
    });
  }
}

test('a config with every key away from its default survives the round trip', (t) => {
  t.deepEqual(roundTrip(SHAPE), SHAPE);
});

test('the YAML lists keys in schema order and keeps exact floats', (t) => {
  const text = configToYaml(loadConfig(join(REPO_ROOT, 'configs', 'stylegan3-t.yaml')));
  t.deepEqual(Object.keys(parse(text)), ['name', 'description', 'paper', 'data', 'generator', 'discriminator',
    'loss', 'optim', 'train', 'augment', 'metrics', 'runtime']);
  t.regex(text, /first_stopband: 4\.2870938501451725\n/);
  t.regex(text, /eps: 1e-8\n/);
  t.false(/extends|profiles/.test(text));
});
