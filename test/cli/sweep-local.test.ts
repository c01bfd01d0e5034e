// `sg3 sweep` end to end through the real CLI with a fake `sg3 run` (SG3_SWEEP_RUN_CMD): a failing
// cell does not stop the others, a killed cell is resumed, failed cells rerun only with
// --retry-failed, a changed finished cell is refused unless --force; parallel jobs with one GPU each.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';
import { FAKE_RUN_CMD, tempDir, writeExperiment } from '../sweep/_helpers.ts';
import { tbcheck } from '../log/_tbcheck.ts';

function sg3(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'sg3.js'), ...args], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SG3_SWEEP_RUN_CMD: FAKE_RUN_CMD, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const EXPERIMENT = (sizeA: number) => [
  'name: demo',
  'base: @CONFIGS@/stylegan3-t.yaml',
  'profile: smoke',
  'metrics: [eqt50k_int]',
  'cases:',
  `  - {name: a, set: {generator.filter.size: ${sizeA}}}`,
  '  - {name: b, set: {generator.filter.size: 8}}',
  '  - {name: c, set: {generator.nonlinearity.upsampling: 4}}',
  '',
].join('\n');

interface LogLine { argv: string[]; dir: string; cell: string; gpu: string | null; start: number; end: number; status: string; hparams: string }
const readLog = (file: string): LogLine[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : []);
const state = (root: string) => JSON.parse(readFileSync(join(root, 'sweep.json'), 'utf8'));
const statusOf = (root: string) => Object.fromEntries(state(root).cells.map((c: any) => [c.key, c.status]));

test.serial('sweep lifecycle: fail + kill, resume, retry-failed, refuse a changed cell, --force', (t) => {
  const dir = tempDir(t);
  const exp = writeExperiment(dir, 'demo.yaml', EXPERIMENT(4));
  const runs = join(dir, 'runs');
  const root = join(runs, 'demo-smoke');
  const log = join(dir, 'fake.log');
  const base = [exp, '--runs-dir', runs];

  // 1. Two GPUs: two processes at a time, each with its own CUDA_VISIBLE_DEVICES. b fails, c dies.
  let r = sg3(['sweep', ...base, '--gpus', '0,1'], { FAKE_SG3_LOG: log, FAKE_SG3_FAIL: 'b-s0', FAKE_SG3_DIE: 'c-s0', FAKE_SG3_SLEEP_MS: '1500' });
  t.is(r.code, 1, r.err);
  t.regex(r.out, /FAILED  b s0 \(exit 1\)/);
  t.regex(r.out, /fake sg3: this cell was told to fail/);
  t.regex(r.out, /stopped c s0 .*SIGKILL/);
  t.regex(r.out, /done    a s0 in/);
  t.regex(r.out, /3 cells: 1 done, 0 skipped, 1 failed, 1 interrupted in/);
  t.regex(r.err, /1 cell\(s\) failed/);
  t.deepEqual(statusOf(root), { 'a s0': 'done', 'b s0': 'failed', 'c s0': 'interrupted' });
  let lines = readLog(log);
  const a = lines.find((l) => l.cell === 'a s0')!;
  const b = lines.find((l) => l.cell === 'b s0')!;
  t.true(a.start < b.end && b.start < a.end, 'a and b ran at the same time');
  t.deepEqual([a.gpu, b.gpu].sort(), ['0', '1']);
  t.deepEqual(JSON.parse(a.hparams), { case: 'a', 'generator.filter.size': 4, 'generator.nonlinearity.upsampling': 2, 'train.seed': 0 });
  t.deepEqual(a.argv.slice(0, 4), ['run', 'configs/stylegan3-t.yaml', '--profile', 'smoke']);
  t.true(a.argv.includes('generator.filter.size=4'));
  const hparams = readdirSync(root).filter((n) => n.startsWith('events.out.tfevents.'));
  t.deepEqual(hparams, [state(root).hparams_file]);
  // The HParams experiment as TensorBoard reads it: the swept keys with their values, the metric tags.
  const tb = tbcheck([join(root, hparams[0]!)]);
  t.is(tb.status, 0, tb.stderr);
  const experiment = tb.files[0].hparams.experiment;
  t.deepEqual(experiment.hparam_infos.map((h: any) => [h.name, h.domain_discrete]), [
    ['case', ['a', 'b', 'c']], ['generator.filter.size', [4, 8, 6]], ['generator.nonlinearity.upsampling', [2, 4]], ['train.seed', [0]],
  ]);
  t.deepEqual(experiment.metric_infos.map((m: any) => m.tag), ['Metrics/eqt50k_int', 'Metrics/eqt_int@16']);

  // 2. Again: a is skipped, c resumes from its checkpoint, b stays failed (exit 1 says so).
  r = sg3(['sweep', ...base], { FAKE_SG3_LOG: log });
  t.is(r.code, 1);
  lines = readLog(log);
  t.is(lines.length, 4);
  const cDir = state(root).cells.find((c: any) => c.key === 'c s0').run_dir;
  t.deepEqual(lines[3]!.argv, ['run', '--resume', cDir]);
  t.regex(r.out, /a s0 +skipped \(done\)/);
  t.regex(r.out, /b s0 +skipped \(failed before\)/);
  t.deepEqual(statusOf(root), { 'a s0': 'done', 'b s0': 'failed', 'c s0': 'done' });
  t.is(readdirSync(root).filter((n) => n.startsWith('events.out.tfevents.')).length, 1, 'the HParams file is replaced, not added');

  // 3. --retry-failed reruns b in a new run directory; the failed one is remembered.
  const failedDir = state(root).cells.find((c: any) => c.key === 'b s0').run_dir;
  r = sg3(['sweep', ...base, '--retry-failed'], { FAKE_SG3_LOG: log });
  t.is(r.code, 0, r.out + r.err);
  const bRec = state(root).cells.find((c: any) => c.key === 'b s0');
  t.is(bRec.status, 'done');
  t.not(bRec.run_dir, failedDir);
  t.deepEqual(bRec.previous.map((p: any) => [p.run_dir, p.status]), [[failedDir, 'failed']]);
  t.is(readLog(log).length, 5);

  // 4. The experiment changes a finished cell: refused (exit 2) at the case's line, nothing runs.
  writeFileSync(exp, EXPERIMENT(6).replaceAll('@CONFIGS@', join(REPO_ROOT, 'configs')));
  r = sg3(['sweep', ...base], { FAKE_SG3_LOG: log });
  t.is(r.code, 2);
  const aDir = state(root).cells.find((c: any) => c.key === 'a s0').run_dir;
  t.is(r.err, `${exp}:6:5: cell "a s0": changed since its run finished (generator.filter.size: 4 -> 6; run ${aDir}); sg3 sweep --force reruns it, keeping the old run\n`);
  t.is(readLog(log).length, 5);

  // 5. --force reruns it; the old run is kept and listed.
  r = sg3(['sweep', ...base, '--force'], { FAKE_SG3_LOG: log });
  t.is(r.code, 0, r.err);
  const aRec = state(root).cells.find((c: any) => c.key === 'a s0');
  t.not(aRec.run_dir, aDir);
  t.true(existsSync(aDir));
  t.deepEqual(aRec.previous.map((p: any) => p.run_dir), [aDir]);
  t.is(readLog(log).length, 6);

  r = sg3(['sweep', ...base, '--status']);
  t.is(r.code, 0);
  t.regex(r.out, /3 cells: 3 done$/m);
});

