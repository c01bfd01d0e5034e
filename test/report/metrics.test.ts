// metrics.jsonl read defensively: both line shapes, the last value of each metric, junk skipped;
// metric names mapped to the paper's columns.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantityOf, readRunMetrics, type Quantity } from '../../src/report/index.ts';
import { tempDir } from '../sweep/_helpers.ts';

test('readRunMetrics: official and flat lines, last value wins, junk and non-numbers skipped', (t) => {
  const dir = join(tempDir(t), 'run');
  mkdirSync(dir);
  writeFileSync(join(dir, 'metrics.jsonl'), [
    JSON.stringify({ metric: 'fid50k_full', results: { fid50k_full: 9 }, kimg: 1 }),
    '{"truncated": ',
    JSON.stringify({ metric: 'eqt_int@16', results: { 'eqt_int@16': 60.5 }, kimg: 1 }),
    JSON.stringify({ kimg: 2, 'Metrics/eqr50k': 12.25, 'Loss/G': 'x' }),
    JSON.stringify({ metric: 'fid50k_full', results: { fid50k_full: 7.5 }, kimg: 2 }),
    JSON.stringify({ metric: 'kid50k_full', results: { kid50k_full: null } }),
    JSON.stringify([1, 2]),
    '',
  ].join('\n'));
  t.deepEqual([...readRunMetrics(dir)], [['fid50k_full', 7.5], ['eqt_int@16', 60.5], ['eqr50k', 12.25]]);
  t.deepEqual([...readRunMetrics(join(dir, 'missing'))], []);
});

test('quantityOf: official names and <family>@N; EQ-T is the integer metric', (t) => {
  const cases: Array<[string, Quantity | null]> = [
    ['fid50k_full', 'fid'], ['fid_full@1000', 'fid'], ['eqt50k_int', 'eqt'], ['eqt_int@16', 'eqt'],
    ['eqr50k', 'eqr'], ['eqr@16', 'eqr'], ['eqt50k_frac', null], ['kid50k_full', null], ['swd16k', null],
  ];
  for (const [name, q] of cases) t.is(quantityOf(name), q, name);
});
