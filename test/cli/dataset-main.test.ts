// `sg3 dataset` through the real program: registration, exit codes and one-line errors.
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runMain as run } from './_main.ts';
import { makePng, tmp, writeTree } from '../data/_fixtures.ts';

test.serial('sg3 dataset: exit 0 and a summary line; 1 for a bad source; 2 for bad flags', async (t) => {
  const src = writeTree(tmp(t), { 'a.png': makePng(0, 8, 8, 3) });
  const dest = join(tmp(t), 'ds.zip');
  const ok = await run(['dataset', '--source', src, '--dest', dest, '--resolution', '4']);
  t.is(ok.code, 0, ok.err);
  t.is(ok.out, `sg3 dataset: wrote 1 images (4x4, 3 channel(s), labels: no) to ${dest}\n`);
  t.true(existsSync(dest));
  const missing = await run(['dataset', '--source', '/nonexistent/src', '--dest', join(tmp(t), 'x.zip'), '--resolution', '4']);
  t.is(missing.code, 1);
  t.is(missing.err, '/nonexistent/src: no such file or folder\n');
  const usage = await run(['dataset', '--source', src, '--dest', join(tmp(t), 'y.zip'), '--resolution', 'big']);
  t.is(usage.code, 2);
  t.is(usage.err, 'sg3 dataset: --resolution must be a positive integer (got big)\n');
});
