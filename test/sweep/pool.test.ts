// The local process pool with plain node children: at most N at once, one GPU each, output to the
// log file, a failing child reported without stopping the rest, stop() forwarding the signal once
// and launching nothing more.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPool, type PoolJob, type PoolResult } from '../../src/sweep/index.ts';
import { tempDir } from './_helpers.ts';

const job = (dir: string, label: string, code: string): PoolJob => ({
  label, argv: [process.execPath, '-e', code], env: { CELL: label }, logFile: join(dir, 'logs', `${label}.log`), cwd: dir,
});

test('at most N at once, GPUs handed out and back, failures do not stop the others', async (t) => {
  const dir = tempDir(t);
  const body = 'console.log(process.env.CELL, process.env.CUDA_VISIBLE_DEVICES); setTimeout(() => process.exit(process.env.CELL === "b" ? 3 : 0), 300)';
  const jobs = ['a', 'b', 'c', 'd'].map((l) => job(dir, l, body));
  let running = 0;
  let peak = 0;
  const ended: string[] = [];
  const results = await runPool(jobs, {
    jobs: 2, gpus: ['0', '1'],
    onStart: () => { running++; peak = Math.max(peak, running); },
    onEnd: (r) => { running--; ended.push(r.job.label); },
  }).done;
  t.is(peak, 2);
  t.is(ended.length, 4);
  t.deepEqual(results.map((r: PoolResult) => [r.job.label, r.code]), [['a', 0], ['b', 3], ['c', 0], ['d', 0]]);
  t.true(results.every((r) => r.gpu === '0' || r.gpu === '1'));
  t.deepEqual(new Set(results.slice(0, 2).map((r) => r.gpu)), new Set(['0', '1']));
  const log = readFileSync(join(dir, 'logs', 'c.log'), 'utf8').split('\n');
  t.regex(log[0]!, /^# \d{4}-.* -e /);
  t.is(log[1], `c ${results[2]!.gpu}`);
});

test('stop(SIGINT): running children get the signal once, nothing else starts', async (t) => {
  const dir = tempDir(t);
  // A child that counts SIGINTs, as sg3 run does (the first one: finish the step and exit 130).
  const body = 'let n = 0; process.on("SIGINT", () => { n++; setTimeout(() => { console.log("sigints", n); process.exit(130); }, 200); }); setTimeout(() => {}, 20000); console.log("up")';
  const jobs = ['a', 'b', 'c'].map((l) => job(dir, l, body));
  let started = 0;
  const pool = runPool(jobs, { jobs: 2, gpus: null, onStart: () => { started++; } });
  await new Promise((r) => setTimeout(r, 1500));
  pool.stop('SIGINT');
  const results = await pool.done;
  t.is(started, 2);
  t.deepEqual(results.map((r) => [r.job.label, r.code]), [['a', 130], ['b', 130]]);
  t.regex(readFileSync(join(dir, 'logs', 'a.log'), 'utf8'), /sigints 1\n/);
});

test('a command that cannot start is a result, not a crash', async (t) => {
  const dir = tempDir(t);
  const results = await runPool([{ ...job(dir, 'x', ''), argv: [join(dir, 'no-such-program')] }], { jobs: 1, gpus: null }).done;
  t.is(results[0]!.code, null);
  t.regex(results[0]!.error!, /ENOENT/);
});
