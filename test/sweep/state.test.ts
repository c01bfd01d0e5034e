// Run directories as the sweep reads them (run.json status, checkpoints, a live or dead lock) and
// sweep.json written atomically and read back.
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunError } from '../../src/errors.ts';
import { emptyState, findRunDir, inspectRun, readState, writeState, type RunState } from '../../src/sweep/index.ts';
import { tempDir } from './_helpers.ts';

function runDir(root: string, name: string, files: Record<string, unknown>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, v] of Object.entries(files)) writeFileSync(join(dir, f), typeof v === 'string' ? v : JSON.stringify(v));
  return dir;
}

test('inspectRun: each state a run directory can be in', (t) => {
  const root = tempDir(t);
  const lock = (pid: number) => ({ pid, host: hostname(), token: 't', started_at: '' });
  const cases: Array<[string, Record<string, unknown>, RunState, number]> = [
    ['done', { 'run.json': { status: 'done', resumes: [] } }, 'done', 0],
    ['failed', { 'run.json': { status: 'failed', resumes: [] } }, 'failed', 0],
    ['stopped', { 'run.json': { status: 'stopped', resumes: [] }, 'checkpoint-000004.json': {} }, 'interrupted', 1],
    ['resumed then done', { 'run.json': { status: 'stopped', resumes: [{ status: 'done' }] } }, 'done', 0],
    ['killed (running, dead lock pid)', { 'run.json': { status: 'running', resumes: [] }, '.lock': lock(2 ** 22 + 12345) }, 'interrupted', 0],
    ['running (live lock)', { 'run.json': { status: 'running', resumes: [] }, '.lock': lock(process.pid) }, 'running', 0],
    ['no run.json, odd json', { 'run.json': '{not json', 'checkpoint-a.json': {}, 'checkpoint-b.json': {} }, 'interrupted', 2],
  ];
  for (const [name, files, state, checkpoints] of cases) {
    const got = inspectRun(runDir(root, name.replace(/\W+/g, '-'), files));
    t.is(got.state, state, name);
    t.is(got.checkpoints, checkpoints, name);
  }
  t.is(inspectRun(null).state, 'missing');
  t.is(inspectRun(join(root, 'nope')).state, 'missing');
});

test('findRunDir: the newest NNNNN-*-<desc> directory', (t) => {
  const root = tempDir(t);
  for (const n of ['00000-cfg-a-s0-123', '00003-cfg-a-s0-123', '00002-cfg-b-s0-123', '00010-cfg-xa-s0-1234']) mkdirSync(join(root, n));
  writeFileSync(join(root, '00009-cfg-a-s0-123'), 'a file, not a run');
  t.is(findRunDir(root, 'a-s0-123'), join(root, '00003-cfg-a-s0-123'));
  t.is(findRunDir(root, 'c-s0-123'), null);
  t.is(findRunDir(join(root, 'missing'), 'a'), null);
});

test('sweep.json round trip, and a file that is not one', (t) => {
  const root = tempDir(t);
  t.is(readState(root), null);
  const s = emptyState('demo', 'experiments/demo.yaml', 'smoke');
  s.cells.push({ key: 'a s0', id: '0123456789', seed: 0, config: 'configs/x.yaml', flags: ['train.seed=0'], desc: 'a-s0-0123456789', run_dir: null, status: 'pending', exit_code: null, attempts: 0, started_at: null, ended_at: null, seconds: null, previous: [] });
  writeState(root, s);
  t.deepEqual(readState(root), s);
  writeFileSync(join(root, 'sweep.json'), '{"format": "other"}');
  t.throws(() => readState(root), { instanceOf: RunError, message: /not an sg3 sweep state/ });
});
