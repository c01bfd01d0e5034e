// What a restarted sweep does with each cell, from sweep.json's record and the run directory.
import test from 'ava';
import { decide, type Action, type Cell, type CellRecord, type RunInspection } from '../../src/sweep/index.ts';

const cell = { key: 'n=4 s0', id: 'aaaaaaaaaa' } as Cell;
const record = (id: string): CellRecord => ({ key: 'n=4 s0', id, run_dir: '/r/00001-x', status: 'done' } as CellRecord);
const run = (state: RunInspection['state'], checkpoints = 0): RunInspection => ({ state, checkpoints, detail: state });

const cases: Array<[string, CellRecord | null, RunInspection, { retryFailed?: boolean; force?: boolean }, Action]> = [
  ['never run', null, run('missing'), {}, { kind: 'run', why: 'new' }],
  ['done', record(cell.id), run('done'), {}, { kind: 'skip', why: 'done' }],
  ['done, --force does not rerun an unchanged cell', record(cell.id), run('done'), { force: true }, { kind: 'skip', why: 'done' }],
  ['running elsewhere', record(cell.id), run('running', 1), {}, { kind: 'skip', why: 'running' }],
  ['failed', record(cell.id), run('failed'), {}, { kind: 'skip', why: 'failed' }],
  ['failed, --retry-failed', record(cell.id), run('failed'), { retryFailed: true }, { kind: 'run', why: 'retry' }],
  ['interrupted with a checkpoint', record(cell.id), run('interrupted', 2), {}, { kind: 'resume', runDir: '/r/00001-x' }],
  ['interrupted before any checkpoint', record(cell.id), run('interrupted', 0), {}, { kind: 'run', why: 'restart' }],
  ['config changed, old run done', record('bbbbbbbbbb'), run('done'), {}, { kind: 'refuse', why: 'changed' }],
  ['config changed, old run still running', record('bbbbbbbbbb'), run('running'), {}, { kind: 'refuse', why: 'changed' }],
  ['config changed, old run done, --force', record('bbbbbbbbbb'), run('done'), { force: true }, { kind: 'run', why: 'changed' }],
  ['config changed, old run failed', record('bbbbbbbbbb'), run('failed'), {}, { kind: 'run', why: 'changed' }],
  ['config changed, old run interrupted', record('bbbbbbbbbb'), run('interrupted', 3), {}, { kind: 'run', why: 'changed' }],
];

for (const [title, rec, inspection, opts, expected] of cases) {
  test(`decide: ${title}`, (t) => {
    t.deepEqual(decide(cell, rec, rec?.run_dir ?? null, inspection, { retryFailed: false, force: false, ...opts }), expected);
  });
}
