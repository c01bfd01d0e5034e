// RunDirectory: what a new run writes at start, the append-only files, resume, and failure paths.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../../../src/config/index.ts';
import { RunError } from '../../../src/errors.ts';
import { encodePng } from '../../../src/log/index.ts';
import { parsePlan } from '../../../src/plan/index.ts';
import { RunDirectory, readJsonLines, readRunInfo, type BackendSummary } from '../../../src/train/run/index.ts';
import { VERSION } from '../../../src/version.ts';
import { tbcheck } from '../../log/_tbcheck.ts';
import { awkwardTensors, deadPid, smokeConfig, tmp } from './_helpers.ts';

const log = { format: 'json' as const, stderr: false as const };
const backend: BackendSummary = { name: 'cpu', tf_backend: 'cpu', package: '@tensorflow/tfjs-backend-cpu', simd: null, native: null };

function newRun(runsDir = tmp(), desc: string | null = null): RunDirectory {
  const { config, plan } = smokeConfig();
  return RunDirectory.create({ config, plan, log, runsDir, desc, backend, command: ['sg3', 'run', 'configs/stylegan3-t.yaml', '--profile', 'smoke'] });
}

const logLines = (run: RunDirectory) => readJsonLines<{ level: number; msg: string }>(join(run.path, 'log.jsonl'));

test('create writes config.yaml, plan.json, run.json, the lock, the log and the config as TensorBoard text', (t) => {
  const { config, plan } = smokeConfig();
  const runsDir = tmp();
  const run = newRun(runsDir, 'first try');
  t.is(run.path, join(runsDir, `00000-${config.name}-first-try`));
  t.deepEqual(loadConfig(join(run.path, 'config.yaml')), config);
  t.deepEqual(parsePlan(readFileSync(join(run.path, 'plan.json'), 'utf8')), plan);
  const info = readRunInfo(join(run.path, 'run.json'));
  t.like(info, {
    format: 'sg3-run', name: basename(run.path), config_name: config.name, desc: 'first try', seed: config.train.seed,
    command: ['sg3', 'run', 'configs/stylegan3-t.yaml', '--profile', 'smoke'], cwd: process.cwd(), sg3_version: VERSION,
    backend, host: hostname(), pid: process.pid, node: process.version, status: 'running', ended_at: null, resumes: [], resume_from: null,
  });
  t.true(Math.abs(Date.parse(info.started_at) - Date.now()) < 60_000);
  t.regex(info.git!.commit, /^[0-9a-f]{40}$/);   // the tests run from the sg3 git checkout
  t.is(typeof info.git!.dirty, 'boolean');
  t.is(JSON.parse(readFileSync(join(run.path, '.lock'), 'utf8')).pid, process.pid);
  t.deepEqual(logLines(run).map((l) => l.msg), [`run directory ${run.path}`]);

  const events = readdirSync(run.path).filter((f) => f.startsWith('events.out.tfevents.'));
  t.is(events.length, 1);
  const tb = tbcheck([join(run.path, events[0]!)]);
  t.is(tb.status, 0, tb.stderr);
  const text = tb.files[0].text.config;
  t.deepEqual(text.map((x: any) => x.step), [0]);
  t.true(text[0].value.includes(`    name: ${config.name}`) && text[0].value.includes(`    kimg: ${config.train.kimg}`));
  run.close('done');
});

test('metrics append as JSON lines, images are written whole, close records the end and frees the lock', (t) => {
  const run = newRun();
  run.appendMetric({ kimg: 4, 'Metrics/fid': 123.5 });
  run.appendMetric({ kimg: 8, 'Metrics/fid': 99.25, nested: { a: [1, 2] } });
  t.deepEqual(readJsonLines(join(run.path, 'metrics.jsonl')), [{ kimg: 4, 'Metrics/fid': 123.5 }, { kimg: 8, 'Metrics/fid': 99.25, nested: { a: [1, 2] } }]);
  const png = encodePng(new Uint8Array(2 * 3 * 3).fill(7), 3, 2, 3);
  t.true(readFileSync(run.writeImage('fakes000008.png', png)).equals(Buffer.from(png)));
  t.throws(() => run.writeImage('../escape.png', png), { message: /plain file name ending in \.png/ });
  run.close('done');
  run.close('failed');   // second close is a no-op
  const info = readRunInfo(join(run.path, 'run.json'));
  t.is(info.status, 'done');
  t.true(Date.parse(info.ended_at!) >= Date.parse(info.started_at));
  t.false(existsSync(join(run.path, '.lock')));
});

test('a torn last metrics line (crash mid-append) is skipped by the reader', (t) => {
  const run = newRun();
  run.appendMetric({ kimg: 4 });
  writeFileSync(join(run.path, 'metrics.jsonl'), '{"kimg": 8, "Metr', { flag: 'a' });
  t.deepEqual(readJsonLines(join(run.path, 'metrics.jsonl')), [{ kimg: 4 }]);
  run.close('done');
});

test('writeCheckpoint keeps train.keep_checkpoints and logs; resume reads config and plan back from the directory', (t) => {
  const { config, plan } = smokeConfig();
  config.train.keep_checkpoints = 2;
  const run = RunDirectory.create({ config, plan, log, runsDir: tmp() });
  for (const kimg of [1, 2, 3]) run.writeCheckpoint(`00000${kimg}`, awkwardTensors(kimg), { step: kimg, cur_nimg: kimg * 1000 });
  t.deepEqual(run.listCheckpoints().map((r) => r.label), ['000002', '000003']);
  t.true(logLines(run).some((l) => l.msg === 'removed checkpoint 000001 (train.keep_checkpoints = 2)'));
  run.close('stopped');

  const resumed = RunDirectory.openForResume(run.path, { log, backend, totalKimg: 7.5, command: ['sg3', 'run', '--resume', run.path] });
  t.is(resumed.resumeCheckpoint!.label, '000003');
  t.deepEqual(resumed.readCheckpoint(resumed.resumeCheckpoint!).state, { step: 3, cur_nimg: 3000 });
  t.is(resumed.config.train.kimg, 7.5);
  t.is(resumed.plan.training.total_kimg, 7.5);
  t.deepEqual({ ...resumed.config, train: config.train }, config);   // nothing else changed
  t.is(loadConfig(join(run.path, 'config.yaml')).train.kimg, config.train.kimg);   // the file is untouched
  resumed.close('done');

  const info = readRunInfo(join(run.path, 'run.json'));
  t.is(info.status, 'done');
  t.is(info.resumes.length, 1);
  t.like(info.resumes[0], { checkpoint: '000003', total_kimg: 7.5, status: 'done', backend, pid: process.pid, command: ['sg3', 'run', '--resume', run.path] });
  // a later resume without --kimg inherits 7.5
  const again = RunDirectory.openForResume(run.path, { log });
  t.is(again.config.train.kimg, 7.5);
  again.close('done');
  t.deepEqual(readRunInfo(join(run.path, 'run.json')).resumes.map((r) => r.total_kimg), [7.5, null]);
});

test('resume is refused while the run is locked by a live process, and works after a stale lock', (t) => {
  const run = newRun();
  run.writeCheckpoint('000001', awkwardTensors(), { step: 1, cur_nimg: 1000 });
  const before = readFileSync(join(run.path, 'run.json'), 'utf8');
  t.throws(() => RunDirectory.openForResume(run.path, { log }), { instanceOf: RunError, message: new RegExp(`^${run.path}: locked by pid ${process.pid} since `) });
  t.is(readFileSync(join(run.path, 'run.json'), 'utf8'), before);
  run.close('done');
  // a writer that died holding the lock, and its temp files
  const pid = deadPid();
  writeFileSync(join(run.path, '.lock'), JSON.stringify({ pid, host: hostname(), started_at: 'then', command: 'x', token: 'dead' }));
  writeFileSync(join(run.path, `.checkpoint-000002.safetensors.${pid}.tmp`), 'partial');
  const resumed = RunDirectory.openForResume(run.path, { log });
  const msgs = logLines(resumed).map((l) => l.msg);
  t.true(msgs.includes(`took over a stale lock of pid ${pid} (started then), which is no longer running`));
  t.true(msgs.includes(`removed .checkpoint-000002.safetensors.${pid}.tmp, left by a writer that is gone`));
  t.false(existsSync(join(run.path, `.checkpoint-000002.safetensors.${pid}.tmp`)));
  resumed.close('done');
});

test('resume without a complete checkpoint fails in one line, logs why, and leaves run.json and the lock alone', (t) => {
  const run = newRun();
  run.writeCheckpoint('000001', awkwardTensors(), { step: 1, cur_nimg: 1000 });
  run.close('failed');
  writeFileSync(join(run.path, 'checkpoint-000001.safetensors'), 'truncated');
  const before = readFileSync(join(run.path, 'run.json'), 'utf8');
  t.throws(() => RunDirectory.openForResume(run.path, { log }), {
    instanceOf: RunError, message: `--resume: ${run.path}: no complete checkpoint to resume from (start a new run instead)`,
  });
  t.is(readFileSync(join(run.path, 'run.json'), 'utf8'), before);
  t.false(existsSync(join(run.path, '.lock')));
  t.true(logLines(run).some((l) => l.msg.startsWith('skipping checkpoint 000001: checkpoint-000001.safetensors has 9 bytes')));
});

test('resume of something that is not a run directory names it', (t) => {
  const dir = tmp();
  t.throws(() => RunDirectory.openForResume(join(dir, 'nope'), { log }), { instanceOf: RunError, message: `--resume: ${join(dir, 'nope')}: no such run directory` });
  t.throws(() => RunDirectory.openForResume(dir, { log }), { instanceOf: RunError, message: `${join(dir, 'run.json')}: cannot read the run record (got ENOENT)` });
  t.deepEqual(readdirSync(dir), []);
});

test('a failure while creating removes the new directory and never touches existing runs', (t) => {
  const runsDir = tmp();
  newRun(runsDir).close('done');
  const { config } = smokeConfig();
  const badPlan = { cost: 1n } as never;   // planToJson cannot serialise a BigInt
  t.throws(() => RunDirectory.create({ config, plan: badPlan, log, runsDir }), { message: /BigInt/ });
  t.deepEqual(readdirSync(runsDir).filter((n) => !n.startsWith('.')), [`00000-${config.name}`]);
  const next = newRun(runsDir);
  t.is(basename(next.path), `00001-${config.name}`);
  next.close('done');
});
