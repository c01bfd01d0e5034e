// The real executable (node bin/sg3.js): exit codes, no stack traces, and the --help text as a snapshot.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';

function sg3(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'sg3.js'), ...args], {
    cwd: REPO_ROOT, encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('sg3 validate --help', (t) => {
  const r = sg3('validate', '--help');
  t.is(r.code, 0);
  t.snapshot(r.out);
});

test('sg3 validate on a broken config: exit 2, the expected lines, no stack trace', (t) => {
  const r = sg3('validate', 'test/fixtures/bad/many-schema-errors.yaml');
  t.is(r.code, 2);
  t.is(r.err, readFileSync(join(REPO_ROOT, 'test/fixtures/bad/many-schema-errors.expected'), 'utf8'));
  t.false(/\n\s+at /.test(r.err));
});

test('sg3 validate with a bad --set and a good config: exit 2, the flag is named', (t) => {
  const r = sg3('validate', 'configs/stylegan3-t.yaml', '--set', 'train.batch=abc');
  t.is(r.code, 2);
  t.is(r.err, '--set train.batch=abc: train.batch: must be integer (got "abc")\n');
});

test('sg3 validate on a good config: exit 0, ok', (t) => {
  const r = sg3('validate', 'configs/stylegan3-r.yaml', '--profile', 'small');
  t.is(r.code, 0);
  t.is(r.out, 'ok configs/stylegan3-r.yaml\n');
  t.is(r.err, '');
});
