// Cells: cases x grid x seeds, resolved exactly as `sg3 run` will, with stable content-addressed
// ids; every cell is checked before anything runs, errors pointing at the experiment's lines.
import test from 'ava';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.ts';
import { loadConfig } from '../../src/config/index.ts';
import { cellId, expandCells, loadExperiment, parseExperiment, type Experiment } from '../../src/sweep/index.ts';
import { REPO_ROOT } from '../_golden.ts';

const EXP = join(REPO_ROOT, 'experiments', 'test-cells.yaml');
const parse = (lines: string[]): Experiment => parseExperiment(lines.join('\n'), EXP, 'experiments/test-cells.yaml');

function configErrors(fn: () => unknown): string[] {
  try { fn(); } catch (e) { if (e instanceof ConfigError) return e.lines; throw e; }
  return [];
}

const GRID = parse([
  'name: grid',
  'base: ../configs/stylegan3-t.yaml',
  'seeds: [0, 1]',
  'set: {train.batch: 8, loss.r1_gamma: 2}',
  'grid:',
  '  generator.filter.size: [4, 8]',
  '  generator.nonlinearity.upsampling: [1, 2, 4]',
  'cases:',
  '  - {name: plain}',
  '  - {name: mixing, set: {loss.style_mixing_prob: 0.9}}',
]);

test('cases x grid x seeds: count, order and keys', (t) => {
  const { cells } = expandCells(GRID);
  t.is(cells.length, 2 * 2 * 3 * 2);
  t.deepEqual(cells.slice(0, 4).map((c) => c.key), ['plain size=4 upsampling=1 s0', 'plain size=4 upsampling=1 s1', 'plain size=4 upsampling=2 s0', 'plain size=4 upsampling=2 s1']);
  t.is(cells.at(-1)!.key, 'mixing size=8 upsampling=4 s1');
  t.is(cells.at(-1)!.group, 'mixing size=8 upsampling=4');
  t.is(new Set(cells.map((c) => c.id)).size, cells.length);
  const last = cells.at(-1)!;
  t.deepEqual(last.flags.map((f) => [f.raw, f.origin]), [
    ['train.batch=8', 'set'], ['loss.r1_gamma=2', 'set'], ['loss.style_mixing_prob=0.9', 'case'],
    ['generator.filter.size=8', 'grid'], ['generator.nonlinearity.upsampling=4', 'grid'], ['train.seed=1', 'seed'],
  ]);
  t.is(last.resolved.generator.filter.size, 8);
  t.is(last.resolved.train.seed, 1);
  t.is(last.resolved.loss.style_mixing_prob, 0.9);
  t.deepEqual(last.hparams, { case: 'mixing', 'generator.filter.size': 8, 'generator.nonlinearity.upsampling': 4, 'loss.style_mixing_prob': 0.9, 'train.seed': 1 });
});

test('a cell resolves to exactly what `sg3 run <config> --set ...` resolves, and its id is that config\'s hash', (t) => {
  const { cells } = expandCells(GRID);
  for (const c of [cells[0]!, cells[17]!]) {
    const viaRun = loadConfig(join(REPO_ROOT, c.config), { set: c.flags.map((f) => f.raw), profile: c.profile });
    t.deepEqual(viaRun, c.resolved);
    t.is(cellId(viaRun), c.id);
    t.regex(c.id, /^[0-9a-f]{10}$/);
    t.is(c.desc, `${c.key.replace(/[^A-Za-z0-9._-]+/g, '-')}-${c.id}`);
  }
});

test('ids are stable across expansions and files, and change with the config only', (t) => {
  t.deepEqual(expandCells(GRID).cells.map((c) => c.id), expandCells(GRID).cells.map((c) => c.id));
  // Config T's cell is the same config in all three shipped experiments: the same id.
  const baseline = ['fig3-left', 'fig3-right', 'fig5-right'].map((n) => {
    const cells = expandCells(loadExperiment(join(REPO_ROOT, 'experiments', `${n}.yaml`))).cells;
    return cells.find((c) => c.key.startsWith('T'))!.id;
  });
  t.is(new Set(baseline).size, 1);
  const [a] = expandCells(parse(['name: a', 'base: ../configs/stylegan3-t.yaml'])).cells;
  const [b] = expandCells(parse(['name: b', 'description: other words', 'base: ../configs/stylegan3-t.yaml'])).cells;
  const [c] = expandCells(parse(['name: a', 'base: ../configs/stylegan3-t.yaml', 'set: {loss.r1_gamma: 1.5}'])).cells;
  t.is(a!.id, b!.id, 'the sweep name and description are not part of a cell');
  t.not(a!.id, c!.id);
  t.is(a!.key, 's0');
});

test('a typo in the last of 40 cells fails the whole sweep up front, at its line', (t) => {
  const cases = Array.from({ length: 9 }, (_, i) => `  - {name: c${i}, set: {loss.r1_gamma: ${i + 1}}}`);
  const exp = parse([
    'name: late-typo', 'base: ../configs/stylegan3-t.yaml', 'seeds: [0, 1, 2, 3]', 'cases:', ...cases,
    '  - name: last', '    set:', '      generator.filter.sise: 4',
  ]);
  t.deepEqual(configErrors(() => expandCells(exp)), [
    'experiments/test-cells.yaml:16:7: cell "last": generator.filter.sise: unknown key (did you mean generator.filter.size?)',
  ]);
});

test('a value that breaks a cross-field rule points at the grid line; a shared typo is reported once', (t) => {
  const exp = parse([
    'name: bad', 'base: ../configs/stylegan3-t.yaml', 'seeds: [0, 1]',
    'set: {train.bach: 8}',
    'grid:', '  generator.filter.size: [4, 7]',
  ]);
  t.deepEqual(configErrors(() => expandCells(exp)), [
    'experiments/test-cells.yaml:4:7: train.bach: unknown key (did you mean train.batch?)',
  ]);
  const odd = parse(['name: bad', 'base: ../configs/stylegan3-t.yaml', 'seeds: [0, 1]', 'grid:', '  generator.filter.size: [4, 7]']);
  const lines = configErrors(() => expandCells(odd));
  t.is(lines.length, 1);
  t.regex(lines[0]!, /^experiments\/test-cells\.yaml:5:3: cell "size=7": generator\.filter\.size: /);
});

test('an unknown profile in the file points at its profile: line', (t) => {
  const exp = parse(['name: p', 'base: ../configs/stylegan3-t.yaml', 'profile: smok']);
  t.deepEqual(configErrors(() => expandCells(exp)), [
    'experiments/test-cells.yaml:3:1: profile: unknown profile (did you mean smoke? valid: smoke, small)',
  ]);
});

test('profile: it wins over shared and case settings; a case profiles block and grid values win over it', (t) => {
  const exp = parse([
    'name: prof', 'base: ../configs/stylegan3-t.yaml',
    'set: {train.batch: 64, loss.r1_gamma: 1}',
    'grid: {generator.filter.size: [4]}',
    'cases:',
    '  - {name: base}',
    '  - name: wide',
    '    set: {generator.channels.base: 65536}',
    '    profiles: {smoke: {generator.channels.base: 512}}',
  ]);
  const full = expandCells(exp).cells;
  t.is(full[0]!.resolved.train.batch, 64);
  t.is(full[1]!.resolved.generator.channels.base, 65536);
  const smoke = expandCells(exp, { profile: 'smoke' }).cells;
  t.is(smoke[0]!.resolved.train.batch, 4, 'the smoke profile keeps its batch');
  t.is(smoke[0]!.resolved.loss.r1_gamma, 1, 'a key the profile does not set still applies');
  t.is(smoke[0]!.resolved.generator.filter.size, 4);
  t.is(smoke[1]!.resolved.generator.channels.base, 512);
  t.deepEqual(smoke[0]!.keptByProfile.map((o) => o.key), ['train.batch']);
});

test('two cells that resolve to one config are an error (a case only the profile overrides)', (t) => {
  const exp = parse([
    'name: dup', 'base: ../configs/stylegan3-t.yaml',
    'cases:', '  - {name: one}', '  - {name: two, set: {train.batch: 64}}',
  ]);
  t.is(expandCells(exp).cells.length, 2);
  const one = parse(['name: dup', 'base: ../configs/stylegan3-t.yaml', 'cases:', '  - {name: one}']);
  const id = expandCells(one, { profile: 'smoke' }).cells[0]!.id;
  t.deepEqual(configErrors(() => expandCells(exp, { profile: 'smoke' })), [
    `experiments/test-cells.yaml:5:5: cell "two s0": resolves to the same config as cell "one s0" (profile smoke sets train.batch; give the case a profiles.smoke block) (got id ${id})`,
  ]);
});

test('the shipped experiments: every cell valid with and without the smoke profile; paper values', (t) => {
  const left = loadExperiment(join(REPO_ROOT, 'experiments', 'fig3-left.yaml'));
  const full = expandCells(left).cells;
  t.deepEqual(full.map((c) => c.group), ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'T', 'R']);
  // `paper: config` takes each row's own config's block.
  for (const c of full) {
    const own = loadConfig(join(REPO_ROOT, c.config)).paper!;
    t.deepEqual(c.paper, { fid: own.fid, eqt: own.eqt, eqr: own.eqr });
  }
  t.is(full.find((c) => c.group === 'R')!.resolved.generator.channels.base, 32768);
  t.is(full.find((c) => c.group === 'T')!.resolved.generator.channels.base, 16384);
  t.deepEqual(full[0]!.resolved.metrics.names, ['fid50k_full']);
  for (const name of ['fig3-right', 'fig5-right']) {
    const exp = loadExperiment(join(REPO_ROOT, 'experiments', `${name}.yaml`));
    t.true(expandCells(exp).cells.length >= 7);
    const smoke = expandCells(exp, { profile: 'smoke' }).cells;
    t.true(smoke.every((c) => c.resolved.data.resolution === 16 && c.resolved.train.batch === 4), name);
  }
  t.is(expandCells(left, { profile: 'smoke' }).cells.length, 10);
});
