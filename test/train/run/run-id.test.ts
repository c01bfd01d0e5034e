// Run directory ids: the official rule (1 + the largest numeric prefix), gaps, names, and no collisions.
import test from 'ava';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UsageError } from '../../../src/errors.ts';
import { allocateRunDir, nextRunId, runDirName, sanitizeDesc } from '../../../src/train/run/index.ts';
import { spawnChild, tmp, waitChild } from './_helpers.ts';

test('the first run of a missing runs dir is 00000 (official cur_run_id starts at 0)', (t) => {
  const root = join(tmp(), 'runs', 'nested');
  t.is(nextRunId(root), 0);
  t.is(basename(allocateRunDir(root, 'stylegan3-t')), '00000-stylegan3-t');
  t.is(basename(allocateRunDir(root, 'stylegan3-t', 'gamma2')), '00001-stylegan3-t-gamma2');
});

test('ids continue after the largest existing one; gaps, files and non-numeric names do not count', (t) => {
  const root = tmp();
  for (const d of ['00000-a', '00007-b', '00002-c', 'notes', '12x']) mkdirSync(join(root, d));
  writeFileSync(join(root, '00099-file-not-dir'), '');
  t.is(nextRunId(root), 13);   // '12x' has the numeric prefix 12, as in the official regex ^\d+
  t.is(basename(allocateRunDir(root, 'cfg')), '00013-cfg');
});

test('a name taken between the scan and the mkdir is skipped, never reused', (t) => {
  const root = tmp();
  mkdirSync(join(root, '00002-cfg'));
  writeFileSync(join(root, '00003-cfg'), 'a file: not counted by the scan, but mkdir of that name fails');
  const path = allocateRunDir(root, 'cfg');
  t.is(basename(path), '00004-cfg');
  t.deepEqual(readdirSync(path), []);
});

test('descriptions become safe name suffixes', (t) => {
  t.is(sanitizeDesc('my test: r1=2/4'), 'my-test-r1-2-4');
  t.is(runDirName(42, 'stylegan3-r', ' lr 0.002 '), '00042-stylegan3-r-lr-0.002');
  t.is(runDirName(100000, 'x'), '100000-x');
  t.throws(() => allocateRunDir(tmp(), 'cfg', '///'), { instanceOf: UsageError, message: 'sg3 run: --desc: needs at least one letter, digit, \'.\', \'_\' or \'-\' (got "///")' });
});

test('four processes creating 4 runs each at the same moment get 16 distinct directories 00000..00015', async (t) => {
  const root = tmp();
  const startAt = Date.now() + 2500;   // after every child has started node + tsx
  const results = await Promise.all(Array.from({ length: 4 }, () => waitChild(spawnChild('_alloc-child.ts', [root, String(startAt), '4']))));
  for (const r of results) t.is(r.code, 0, r.err);
  const paths = results.flatMap((r) => JSON.parse(r.out) as string[]);
  t.is(new Set(paths).size, 16);
  t.deepEqual(readdirSync(root).filter((n) => !n.startsWith('.')).sort(), Array.from({ length: 16 }, (_, i) => runDirName(i, 'race')));
});

test('four processes with four different config names at the same moment still get 16 distinct ids', async (t) => {
  // The run directories' names differ, so their mkdir alone cannot collide: the id claim must.
  const root = tmp();
  const startAt = Date.now() + 2500;
  const names = ['a', 'b', 'c', 'd'];
  const results = await Promise.all(names.map((n) => waitChild(spawnChild('_alloc-child.ts', [root, String(startAt), '4', n]))));
  for (const r of results) t.is(r.code, 0, r.err);
  const ids = results.flatMap((r) => (JSON.parse(r.out) as string[]).map((p) => basename(p).slice(0, 5)));
  t.deepEqual([...ids].sort(), Array.from({ length: 16 }, (_, i) => String(i).padStart(5, '0')));
  t.is(nextRunId(root), 16);
});

test('an id claimed by a run that died before its directory existed is not reused', (t) => {
  const root = tmp();
  mkdirSync(join(root, '.run-ids', '00000'), { recursive: true });
  t.is(basename(allocateRunDir(root, 'cfg')), '00001-cfg');
});
