// extends / profiles / --set semantics on in-memory files, and where each value is located.
import test from 'ava';
import { ConfigError } from '../../src/errors.ts';
import { checkConfig, loadConfig, resolveConfigWithSources } from '../../src/config/index.ts';
import { memoryFiles } from './_memory.ts';

const FILES = {
  '/v/base.yaml': [
    'name: base-name',                          // 1
    'description: the base',                    // 2
    'paper: { figure: 3-left, row: A, fid: 5, eqt: null, eqr: null }',
    'generator:',                               // 4
    '  z_dim: 256',                             // 5
    '  channels: { base: 16384, max: 256 }',    // 6
    'metrics:',                                 // 7
    '  names: [fid50k_full, eqt50k_int]',       // 8
    'profiles:',                                // 9
    '  smoke:',                                 // 10
    '    train: { batch: 4, kimg: 0.01 }',      // 11
    '    generator: { channels: { max: 32 } }', // 12
    '',
  ].join('\n'),
  '/v/mid.yaml': [
    'extends: base.yaml',
    'generator:',
    '  w_dim: 128',
    'metrics:',
    '  names: [eqr50k]',
    '',
  ].join('\n'),
  '/v/sub/child.yaml': [
    'extends: ../mid.yaml',                     // 1
    'generator:',                               // 2
    '  channels: { base: 8192 }',               // 3
    'profiles:',                                // 4
    '  smoke:',                                 // 5
    '    generator: { channels: { base: 512 } }', // 6
    '  other:',                                 // 7
    '    loss: { r1_gamma: 3 }',                // 8
    '',
  ].join('\n'),
};
const read = memoryFiles(FILES);
const load = (file: string, opts = {}) => loadConfig(file, opts, read);

test('extends deep-merges objects and replaces lists, child over parent', (t) => {
  const c = load('/v/sub/child.yaml');
  t.is(c.generator.z_dim, 256);                    // from base
  t.is(c.generator.w_dim, 128);                    // from mid
  t.deepEqual(c.generator.channels, { base: 8192, max: 256 });  // merged key by key
  t.deepEqual(c.metrics.names, ['eqr50k']);        // list replaced, not concatenated
  t.is(c.generator.mapping.layers, 2);             // schema default
});

test('name, description and paper are not inherited', (t) => {
  const base = load('/v/base.yaml');
  t.is(base.name, 'base-name');
  t.is(base.paper?.row, 'A');
  const c = load('/v/sub/child.yaml');
  t.is(c.name, 'child');
  t.is(c.description, '');
  t.is(c.paper, null);
});

test('profiles: inherited, deep-merged through extends, applied after the chain', (t) => {
  const r = resolveConfigWithSources('/v/sub/child.yaml', {}, read);
  t.deepEqual(r.profiles, ['smoke', 'other']);
  const c = load('/v/sub/child.yaml', { profile: 'smoke' });
  // base's smoke sets max 32 (over child's body), child's smoke adds base 512.
  t.deepEqual(c.generator.channels, { base: 512, max: 32 });
  t.is(c.train.batch, 4);
  t.is(load('/v/sub/child.yaml', { profile: 'other' }).loss.r1_gamma, 3);
});

test('--set comes last and parses YAML scalars and flow lists', (t) => {
  const c = load('/v/sub/child.yaml', {
    profile: 'smoke',
    set: ['train.batch=8', 'loss.r1_gamma=0.5', 'generator.conv_clamp=null', 'metrics.names=[fid50k_full]',
      'description=a b c', 'generator.nonlinearity.filtered=false', 'generator.noise=true', 'train.batch=16'],
  });
  t.is(c.train.batch, 16);          // the later --set wins
  t.is(c.loss.r1_gamma, 0.5);
  t.is(c.generator.conv_clamp, null);
  t.deepEqual(c.metrics.names, ['fid50k_full']);
  t.is(c.description, 'a b c');
  t.true(c.generator.noise);         // allowed because filtered=false came first (rule: noise needs unfiltered layers)
  t.false(c.generator.nonlinearity.filtered);
});

test('locate() names the file, line and column (or flag) that set each value', (t) => {
  const r = resolveConfigWithSources('/v/sub/child.yaml', { profile: 'smoke', set: ['loss.r1_gamma=2'] }, read);
  t.is(r.locate(['generator', 'z_dim']), '/v/base.yaml:5:3');
  t.is(r.locate(['generator', 'channels', 'base']), '/v/sub/child.yaml:6:30');
  t.is(r.locate(['generator', 'channels', 'max']), '/v/base.yaml:12:30');
  t.is(r.locate(['train', 'batch']), '/v/base.yaml:11:14');
  t.is(r.locate(['metrics', 'names', 0]), '/v/mid.yaml:5:11');
  t.is(r.locate(['loss', 'r1_gamma']), '--set loss.r1_gamma=2');
  t.is(r.locate(['loss', 'pl_decay']), '/v/sub/child.yaml');   // a default: the file asked for
});

test('errors: all of them, one line each, pointing at the file that set the value', (t) => {
  const files = memoryFiles({
    ...FILES,
    '/v/bad.yaml': 'extends: sub/child.yaml\ntrain:\n  batch: 0\n  seeed: 3\n',
    '/v/mid.yaml': FILES['/v/mid.yaml'].replace('w_dim: 128', 'w_dim: wide'),
  });
  const e = t.throws(() => loadConfig('/v/bad.yaml', { set: ['loss.r1_gamma=-2'] }, files), { instanceOf: ConfigError });
  t.deepEqual(e!.lines, [
    '/v/mid.yaml:3:3: generator.w_dim: must be integer (got "wide")',
    '/v/bad.yaml:3:3: train.batch: must be >= 1 (got 0)',
    '/v/bad.yaml:4:3: train.seeed: unknown key (did you mean train.seed?)',
    '--set loss.r1_gamma=-2: loss.r1_gamma: must be >= 0 (got -2)',
  ]);
  t.is(e!.message, e!.lines.join('\n'));
});

test('a cross-field rule points at the value set last among those it involves', (t) => {
  const files = memoryFiles({ ...FILES, '/v/r.yaml': 'extends: base.yaml\ntrain:\n  batch: 32\n' });
  t.deepEqual(resolveConfigWithSources('/v/r.yaml', { set: ['train.batch_per_step=3'] }, files).errors, [
    '--set train.batch_per_step=3: train.batch_per_step: must divide train.batch = 32 (got 3)',
    '--set train.batch_per_step=3: discriminator.mbstd_group_size: must be <= the per-step batch train.batch_per_step = 3 (got 4)',
  ]);
});

test('missing files, cycles and unknown profiles are errors', (t) => {
  const files = memoryFiles({
    '/c/a.yaml': 'extends: b.yaml\n', '/c/b.yaml': '# b\nextends: ./a.yaml\n', '/c/m.yaml': 'extends: gone.yaml\n',
  });
  t.deepEqual(resolveConfigWithSources('/c/a.yaml', {}, files).errors,
    ['/c/b.yaml:2:1: extends: creates a cycle /c/a.yaml -> /c/b.yaml -> /c/a.yaml (got "./a.yaml")']);
  t.deepEqual(resolveConfigWithSources('/c/m.yaml', {}, files).errors, ['/c/m.yaml:1:1: extends: file not found (got "gone.yaml")']);
  t.deepEqual(resolveConfigWithSources('/c/none.yaml', {}, files).errors, ['/c/none.yaml: file not found']);
  t.deepEqual(resolveConfigWithSources('/v/base.yaml', { profile: 'smole' }, read).errors,
    ['--profile smole: unknown profile (did you mean smoke? valid: smoke)']);
});

test('an empty file is a valid config of defaults, named after the file', (t) => {
  const c = loadConfig('/e/my config.yaml', {}, memoryFiles({ '/e/my config.yaml': '# nothing\n' }));
  t.is(c.name, 'my-config');
  t.is(c.generator.schedule.kind, 'flexible');
});

test('checkConfig checks each profile once the config itself is valid', (t) => {
  const files = memoryFiles({ '/p/a.yaml': 'profiles:\n  ok: {}\n  bad:\n    data: { resolution: 40 }\n' });
  t.deepEqual(checkConfig('/p/a.yaml', {}, files), ['--profile bad: /p/a.yaml:4:13: data.resolution: must be a power of two >= 16 (got 40)']);
  t.deepEqual(checkConfig('/p/a.yaml', { profile: 'ok' }, files), []);
});
