// The real executable (node bin/sg3.js run ...): exit codes and one-line errors, no stack traces.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirectory } from '../../src/train/run/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { awkwardTensors, smokeConfig } from '../train/run/_helpers.ts';
import { testTempDir } from '../_tmp.ts';

function sg3(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'sg3.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('a bad config: exit 2, one line naming the flag, no run directory', (t) => {
  const runsDir = join(testTempDir(t, 'sg3-run-'), 'runs');
  const r = sg3('run', 'configs/stylegan3-t.yaml', '--set', 'train.batch=abc', '--runs-dir', runsDir);
  t.is(r.code, 2);
  t.is(r.err, '--set train.batch=abc: train.batch: must be integer (got "abc")\n');
  t.false(existsSync(runsDir));
});

test('--resume on a run another live process holds: exit 1, one line, the run untouched', (t) => {
  const holder = RunDirectory.create({ ...smokeConfig(), log: { format: 'json', stderr: false }, runsDir: testTempDir(t, 'sg3-run-') });
  holder.writeCheckpoint('000001', awkwardTensors(), { step: 1, cur_nimg: 1000 });
  const runJson = readFileSync(join(holder.path, 'run.json'), 'utf8');
  const lock = readFileSync(join(holder.path, '.lock'), 'utf8');
  const r = sg3('run', '--resume', holder.path);
  t.is(r.code, 1);
  t.regex(r.err, new RegExp(`^${holder.path}: locked by pid ${process.pid} since \\S+ \\(another sg3 process is writing this run; if it is gone, delete \\S+\\)\\n$`));
  t.is(readFileSync(join(holder.path, 'run.json'), 'utf8'), runJson);
  t.is(readFileSync(join(holder.path, '.lock'), 'utf8'), lock);
  holder.close('done');
});

test('sg3 run --help lists every flag and the exit codes', (t) => {
  const r = sg3('run', '--help');
  t.is(r.code, 0);
  for (const flag of ['--set', '--profile', '--desc', '--backend', '--runs-dir', '--log-format', '--kimg', '--resume ', '--resume-from']) {
    t.true(r.out.includes(flag), flag);
  }
  t.true(r.out.includes('130/143'));
});
