// Experiment files: schema errors as `file:line:col: path: what (got value)`, one line each, all
// of them; and what a valid file parses to.
import test from 'ava';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.ts';
import { loadExperiment, parseExperiment } from '../../src/sweep/index.ts';
import { REPO_ROOT } from '../_golden.ts';

function errorsOf(text: string): string[] {
  try {
    parseExperiment(text, '/tmp/e/x.yaml', 'x.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.lines;
    throw e;
  }
  return [];
}

const invalid = test.macro((t, text: string, expected: string[]) => {
  t.deepEqual(errorsOf(text), expected);
});

test('unknown top-level key, with a did-you-mean', invalid, 'name: x\nbase: a.yaml\ncaes: []\n',
  ['x.yaml:3:1: caes: unknown key (did you mean cases?)']);
test('unknown key inside a case', invalid, 'name: x\nbase: a.yaml\ncases:\n  - name: a\n    sett: {a: 1}\n',
  ['x.yaml:5:5: cases[0].sett: unknown key (did you mean cases[0].set?)']);
test('override key that is not a dotted key', invalid, 'name: x\nbase: a.yaml\nset:\n  "generator..size": 4\n',
  ['x.yaml:4:3: set.generator..size: must be a dotted config key like generator.filter.size']);
test('seeds: repeated and negative, both reported', invalid, 'name: x\nbase: a.yaml\nseeds: [0, -1, 0]\n',
  ['x.yaml:3:1: seeds: must not repeat an item (got [0,-1,0])', 'x.yaml:3:12: seeds[1]: must be >= 0 (got -1)']);
test('paper: a misspelt "config"', invalid, 'name: x\nbase: a.yaml\ncases:\n  - name: a\n    paper: confg\n',
  ['x.yaml:5:5: cases[0].paper: must be a mapping {fid, eqt, eqr} or "config" (got "confg")']);
test('paper: a mapping missing a key', invalid, 'name: x\nbase: a.yaml\ncases:\n  - name: a\n    paper: {fid: 1, eqt: 2}\n',
  ['x.yaml:5:5: cases[0].paper.eqr: required key is missing']);
test('no base and a case without its own config', invalid, 'name: x\ncases:\n  - name: a\n  - name: b\n    config: c.yaml\n',
  ['x.yaml:3:5: cases[0]: needs a config (the file has no base) (got "a")']);
test('no base, no cases', invalid, 'name: x\ngrid: {train.batch: [1]}\n',
  ['x.yaml:1:1: base: required key is missing (no cases name their own config)']);
test('two cases with one name', invalid, 'name: x\nbase: a.yaml\ncases:\n  - name: a\n  - name: a\n',
  ['x.yaml:5:5: cases[1].name: repeats the name of cases[0] (got "a")']);
test('an empty grid axis', invalid, 'name: x\nbase: a.yaml\ngrid:\n  train.batch: []\n',
  ['x.yaml:4:3: grid.train.batch: must not be empty (got [])']);
test('a bad sweep name', invalid, 'name: -x\nbase: a.yaml\n',
  ['x.yaml:1:1: name: must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ (got "-x")']);
test('YAML syntax error', invalid, 'name: x\nbase: [a\n',
  ['x.yaml:3:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
test('not a mapping', invalid, '- a\n', ['x.yaml:1:1: must be a mapping of experiment keys (got ["a"])']);
test('slurm block: range and a typo', invalid, 'name: x\nbase: a.yaml\nslurm: {throttle: 0, partiton: gpu}\n',
  ['x.yaml:3:9: slurm.throttle: must be >= 1 (got 0)', 'x.yaml:3:22: slurm.partiton: unknown key (did you mean slurm.partition?)']);

test('a missing file is one line', (t) => {
  const e = t.throws(() => loadExperiment('/nonexistent/x.yaml'), { instanceOf: ConfigError });
  t.is(e!.message, '/nonexistent/x.yaml: file not found');
});

test('parse: overrides flattened to leaves with positions, paths resolved from the file', (t) => {
  const exp = parseExperiment([
    'name: demo',
    'base: ../configs/stylegan3-t.yaml',
    'seeds: [0, 3]',
    'set:',
    '  generator.channels: {base: 8192, max: 256}',
    '  train.batch: 8',
    'grid:',
    '  generator.filter.size: [4, 8]',
    'cases:',
    '  - name: a',
    '    config: ../configs/stylegan3-r.yaml',
    '    paper: {fid: 1.5, eqt: null, eqr: 3}',
  ].join('\n'), join(REPO_ROOT, 'experiments', 'demo.yaml'), 'experiments/demo.yaml');
  t.deepEqual(exp.set.map((o) => [o.key, o.value, o.where]), [
    ['generator.channels.base', 8192, 'experiments/demo.yaml:5:24'],
    ['generator.channels.max', 256, 'experiments/demo.yaml:5:36'],
    ['train.batch', 8, 'experiments/demo.yaml:6:3'],
  ]);
  t.deepEqual(exp.seeds, [0, 3]);
  t.deepEqual(exp.grid.map((a) => [a.key, a.values]), [['generator.filter.size', [4, 8]]]);
  t.is(exp.cases[0]!.config, join(REPO_ROOT, 'configs', 'stylegan3-r.yaml'));
  t.deepEqual(exp.cases[0]!.paper, { fid: 1.5, eqt: null, eqr: 3 });
  t.true(exp.hasCases);
});

test('the shipped experiment files are valid', (t) => {
  for (const name of ['fig3-left', 'fig3-right', 'fig5-right']) {
    const exp = loadExperiment(join(REPO_ROOT, 'experiments', `${name}.yaml`));
    t.is(exp.name, name);
    t.true(exp.cases.length >= 7, name);
  }
});
