// `sg3 run` in-process (executeRun with a stand-in train()): what train() receives, how the run
// directory ends (done / stopped / failed), resume, and the usage rules, before the loop exists.
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkRunFlags, executeRun, type RunFlags } from '../../src/cli/run.ts';
import { ConfigError, RunError, UsageError } from '../../src/errors.ts';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { RunDirectory, readJsonLines, readRunInfo, type TrainContext, type TrainEntry } from '../../src/train/run/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { awkwardTensors, smokeConfig } from '../train/run/_helpers.ts';
import { testTempDir } from '../_tmp.ts';

const CONFIG = join(REPO_ROOT, 'configs', 'stylegan3-t.yaml');

/** executeRun with a stand-in train that records its context and then does `body`. */
async function run(file: string | undefined, flags: RunFlags, body: (ctx: TrainContext) => Promise<void> | void = () => {}) {
  const seen: TrainContext[] = [];
  const train: TrainEntry = async (ctx) => { seen.push(ctx); await body(ctx); };
  const error = await executeRun(file, { backend: 'cpu', ...flags }, { loadTrain: async () => train, stderr: false, isTTY: false, command: ['sg3', 'test'] })
    .then(() => null, (e: unknown) => e);
  return { ctx: (seen[0] ?? null) as TrainContext | null, error };
}

const checkpoint = (ctx: TrainContext, kimg: number) =>
  ctx.runDir.writeCheckpoint(String(kimg).padStart(6, '0'), awkwardTensors(kimg), { step: kimg, cur_nimg: kimg * 1000 });

test.serial('a new run: train() gets the flags applied, the plan, the run directory and the backend; the run ends done', async (t) => {
  const runsDir = testTempDir(t, 'sg3-run-');
  const { ctx, error } = await run(CONFIG, { profile: 'smoke', kimg: '3', runsDir, desc: 'first' }, (c) => { checkpoint(c, 1); c.runDir.appendMetric({ kimg: 1 }); });
  t.is(error, null);
  t.like(ctx!, { resume: null, resumeFrom: null, backendName: 'cpu', isTTY: false, logFormat: 'json' });
  t.is(ctx!.config.train.kimg, 3);
  t.is(ctx!.plan.training.total_kimg, 3);
  t.is(ctx!.config.runtime.runs_dir, runsDir);
  t.false(ctx!.shouldStop());
  t.is(ctx!.runDir.path, join(runsDir, `00000-${ctx!.config.name}-first`));
  const info = readRunInfo(join(ctx!.runDir.path, 'run.json'));
  t.like(info, { status: 'done', command: ['sg3', 'test'], backend: { name: 'cpu', tf_backend: 'cpu' } });
  t.false(existsSync(join(ctx!.runDir.path, '.lock')));
  const msgs = readJsonLines<{ msg: string }>(join(ctx!.runDir.path, 'log.jsonl')).map((l) => l.msg);
  t.true(msgs.includes('backend cpu (@tensorflow/tfjs-backend-cpu)'));
  t.is(msgs.at(-1), `run done: ${ctx!.runDir.path}`);

  const resumed = await run(undefined, { resume: ctx!.runDir.path, kimg: '5' });
  t.is(resumed.error, null);
  t.is(resumed.ctx!.resume!.checkpoint.label, '000001');
  t.is(resumed.ctx!.config.train.kimg, 5);
  t.is(resumed.ctx!.plan.training.total_kimg, 5);
  const after = readRunInfo(join(ctx!.runDir.path, 'run.json'));
  t.like(after.resumes[0], { checkpoint: '000001', total_kimg: 5, status: 'done', backend: { name: 'cpu' } });
});

test.serial('SIGINT during train(): the loop sees shouldStop, checkpoints, and the verb exits 130 saying how to resume', async (t) => {
  const before = process.listenerCount('SIGINT');
  const { ctx, error } = await run(CONFIG, { profile: 'smoke', runsDir: testTempDir(t, 'sg3-run-') }, (c) => {
    // deliver the signal to the handler executeRun installed (the last one), as the process would
    (process.listeners('SIGINT').at(-1) as (s: string) => void)('SIGINT');
    if (!c.shouldStop()) throw new Error('the stop flag was not set');
    checkpoint(c, 2);
  });
  t.true(error instanceof RunError);
  t.is((error as RunError).exitCode, 130);
  t.is((error as RunError).message, `sg3 run: stopped by SIGINT (last checkpoint: 000002); continue with: sg3 run --resume ${ctx!.runDir.path}`);
  t.is(readRunInfo(join(ctx!.runDir.path, 'run.json')).status, 'stopped');
  t.is(process.listenerCount('SIGINT'), before);
});

test.serial('a failing train() marks the run failed, logs the error and rethrows it unchanged', async (t) => {
  const boom = new RunError('data.path: no images found (got /nowhere)');
  const { ctx, error } = await run(CONFIG, { profile: 'smoke', runsDir: testTempDir(t, 'sg3-run-') }, () => { throw boom; });
  t.is(error, boom);
  t.is(readRunInfo(join(ctx!.runDir.path, 'run.json')).status, 'failed');
  const last = readJsonLines<{ msg: string; level: number }>(join(ctx!.runDir.path, 'log.jsonl')).at(-1)!;
  t.is(last.msg, 'run failed: data.path: no images found (got /nowhere)');
  t.is(last.level, 50);
  t.false(existsSync(join(ctx!.runDir.path, '.lock')));
});

test.serial('--resume-from passes the absolute weights path on and records it; a missing file creates nothing', async (t) => {
  const dir = testTempDir(t, 'sg3-run-');
  const weights = join(dir, 'w.safetensors');
  writeFileSync(weights, serializeSafetensors(awkwardTensors()));
  const { ctx, error } = await run(CONFIG, { profile: 'smoke', runsDir: join(dir, 'runs'), resumeFrom: weights });
  t.is(error, null);
  t.is(ctx!.resumeFrom, weights);
  t.is(readRunInfo(join(ctx!.runDir.path, 'run.json')).resume_from, weights);
  const runsDir = join(dir, 'other-runs');
  const missing = await run(CONFIG, { profile: 'smoke', runsDir, resumeFrom: join(dir, 'nope.safetensors') });
  t.true(missing.error instanceof RunError);
  t.is(missing.ctx, null);
  t.false(existsSync(runsDir));
});

test.serial('a bad config is a ConfigError before anything exists on disk', async (t) => {
  const runsDir = join(testTempDir(t, 'sg3-run-'), 'runs');
  const { ctx, error } = await run(CONFIG, { set: ['train.batch=abc'], runsDir });
  t.true(error instanceof ConfigError);
  t.deepEqual((error as ConfigError).lines, ['--set train.batch=abc: train.batch: must be integer (got "abc")']);
  t.is(ctx, null);
  t.false(existsSync(runsDir));
});

test.serial('resume of a run locked by a live process is refused and leaves it alone', async (t) => {
  const holder = RunDirectory.create({ ...smokeConfig(), log: { format: 'json', stderr: false }, runsDir: testTempDir(t, 'sg3-run-') });
  holder.writeCheckpoint('000001', awkwardTensors(), { step: 1, cur_nimg: 1000 });
  const { ctx, error } = await run(undefined, { resume: holder.path });
  t.is(ctx, null);
  t.true(error instanceof RunError);
  t.regex((error as Error).message, new RegExp(`^${holder.path}: locked by pid ${process.pid} since \\S+ \\(another sg3 process is writing this run; if it is gone, delete ${join(holder.path, '.lock')}\\)$`));
  t.is(readRunInfo(join(holder.path, 'run.json')).resumes.length, 0);
  holder.close('done');
});

const badFlags = test.macro({
  exec(t, file: string | undefined, flags: RunFlags, message: string) {
    t.throws(() => checkRunFlags(file, flags), { instanceOf: UsageError, message });
  },
  title: (provided, file, flags) => `${provided ?? 'usage'}: file=${file ?? '-'} flags=${JSON.stringify(flags)}`,
});

test('missing config', badFlags, undefined, {}, 'sg3 run: missing <config> (or --resume RUN_DIR)');
test('resume with a config', badFlags, 'a.yaml', { resume: 'runs/00001-x' }, 'sg3 run: --resume takes the config from the run directory; drop a config argument (a.yaml)');
test('resume with overrides', badFlags, undefined, { resume: 'r', set: ['a=1', 'b=2'], profile: 'smoke', desc: 'd', runsDir: 'x', resumeFrom: 'w.safetensors' },
  'sg3 run: --resume takes the config from the run directory; drop --set a=1, --set b=2, --profile smoke, --desc d, --runs-dir x, --resume-from w.safetensors');
for (const kimg of ['0', '-1', 'abc', ' ', 'Infinity']) {
  test(`kimg=${JSON.stringify(kimg)}`, badFlags, 'a.yaml', { kimg }, `sg3 run: --kimg: must be a positive number (got ${JSON.stringify(kimg)})`);
}
test('unknown backend', badFlags, 'a.yaml', { backend: 'gpu' }, 'sg3 run: --backend: unknown backend (got "gpu"; valid: auto, tensorflow-gpu, tensorflow, wasm, cpu)');
test('unknown log format', badFlags, 'a.yaml', { logFormat: 'xml' }, 'sg3 run: --log-format: must be pretty or json (got "xml")');

test('valid flags pass through parsed', (t) => {
  t.deepEqual(checkRunFlags('a.yaml', { kimg: '2.5', backend: 'wasm', logFormat: 'pretty' }), { kimg: 2.5, backend: 'wasm', logFormat: 'pretty' });
  t.deepEqual(checkRunFlags(undefined, { resume: 'r', kimg: '10' }), { kimg: 10, backend: null, logFormat: null });
});
