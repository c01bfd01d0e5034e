/**
 * `sg3 run` as a user runs it (the real executable, separate processes): SIGKILL after the first
 * checkpoint then --resume completes; SIGINT finishes the step, checkpoints and exits 130; and a
 * complete run directory (images, checkpoints, TensorBoard files that pass ../shared/tools/tbcheck)
 * for config R (D blur) on Fashion-MNIST, with EQ-T computed and FID skipped (no Inception weights).
 */
import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';
import { manifests, tmp } from './_run.ts';

const SG3 = join(REPO_ROOT, 'bin', 'sg3.js');
const TBCHECK = join(REPO_ROOT, '..', 'shared', 'tools', 'tbcheck', 'tbcheck');

function sg3(...args: string[]) {
  const env = { ...process.env };
  delete env.SG3_INCEPTION;                              // no FID weights: FID must be skipped, not fail the run
  const r = spawnSync(process.execPath, [SG3, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  return { code: r.status, err: r.stderr };
}

function onlyRun(runsDir: string): string {
  const dirs = readdirSync(runsDir).filter((d) => !d.startsWith('.'));
  if (dirs.length !== 1) throw new Error(`expected one run in ${runsDir} (got ${dirs.join(', ')})`);
  return join(runsDir, dirs[0]!);
}

/** Starts a run and sends `signal` once its first checkpoint manifest exists; resolves with the exit code. */
function runAndSignal(runsDir: string, signal: NodeJS.Signals, args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, [SG3, 'run', ...args, '--runs-dir', runsDir, '--log-format', 'json'], { cwd: REPO_ROOT, stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const poll = setInterval(() => {
      const dirs = existsSync(runsDir) ? readdirSync(runsDir).filter((d) => !d.startsWith('.')) : [];
      if (dirs.length === 1 && readdirSync(join(runsDir, dirs[0]!)).some((f) => /^checkpoint-.*\.json$/.test(f))) {
        clearInterval(poll);
        child.kill(signal);
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code, sig) => { clearInterval(poll); resolve(code ?? (sig === 'SIGKILL' ? -9 : null)); });
  });
}

// 40 steps of the stylegan2 smoke network (a few seconds), a checkpoint every 2 steps.
const SMOKE = ['configs/stylegan2.yaml', '--profile', 'smoke', '--kimg', '0.16', '--set', 'train.image_kimg=1'];

test.serial('SIGKILL after the first checkpoint, then --resume: the run completes from the newest complete checkpoint', async (t) => {
  const runsDir = tmp();
  t.is(await runAndSignal(runsDir, 'SIGKILL', SMOKE), -9);
  const path = onlyRun(runsDir);
  const before = [...manifests(path).keys()];
  t.true(before.length >= 1 && !before.includes('000000.160'), `killed mid-run (checkpoints ${before.join(', ')})`);
  const r = sg3('run', '--resume', path, '--log-format', 'json');
  t.is(r.code, 0, r.err.slice(-2000));
  const after = manifests(path);
  t.is(after.get('000000.160')!.state.step, 40);
  const run = JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')) as { status: string; resumes: { checkpoint: string }[] };
  t.is(run.status, 'done');
  t.is(run.resumes.length, 1);
  t.true(before.includes(run.resumes[0]!.checkpoint));
  t.true(existsSync(join(path, 'fakes000000.160.png')));
});

test.serial('SIGINT: the step finishes, a checkpoint is written, exit 130; --resume completes', async (t) => {
  const runsDir = tmp();
  t.is(await runAndSignal(runsDir, 'SIGINT', SMOKE), 130);
  const path = onlyRun(runsDir);
  const labels = [...manifests(path).keys()];
  const last = manifests(path).get(labels.at(-1)!)!;
  t.is(JSON.parse(readFileSync(join(path, 'run.json'), 'utf8')).status, 'stopped');
  t.true((last.state.step as number) < 40);
  t.is(sg3('run', '--resume', path, '--log-format', 'json').code, 0);
  t.is(manifests(path).get('000000.160')!.state.step, 40);
});

function assertCompleteRunDir(t: import('ava').ExecutionContext, path: string, finalLabel: string): void {
  const files = readdirSync(path);
  for (const f of ['config.yaml', 'plan.json', 'run.json', 'log.jsonl', 'reals.png', 'fakes_init.png', `fakes${finalLabel}.png`,
    `checkpoint-${finalLabel}.safetensors`, `checkpoint-${finalLabel}.json`]) t.true(files.includes(f), `${f} in ${files.join(' ')}`);
  t.true(files.some((f) => f.startsWith('events.out.tfevents.')));
  const tb = spawnSync(TBCHECK, ['--compact', path], { encoding: 'utf8' });
  t.is(tb.status, 0, `${tb.stdout.slice(-1500)}${tb.stderr.slice(-1500)}`);
  const report = JSON.parse(tb.stdout.split('\n')[0]!) as { files: { scalars?: Record<string, unknown>; images?: Record<string, unknown> }[] };
  const scalars = new Set(report.files.flatMap((f) => Object.keys(f.scalars ?? {})));
  for (const tag of ['Loss/G/loss', 'Loss/D/loss', 'Loss/r1_penalty', 'Loss/signs/real', 'Progress/kimg', 'Progress/augment', 'Timing/sec_per_kimg', 'Resources/rss_mb']) {
    t.true(scalars.has(tag), `TensorBoard scalar ${tag} (got ${[...scalars].join(', ')})`);
  }
  const images = new Set(report.files.flatMap((f) => Object.keys(f.images ?? {})));
  t.true(images.has('fakes') && images.has('reals'), `TensorBoard images (got ${[...images].join(', ')})`);
}

test.serial('config R on Fashion-MNIST (D blur, radial filters): a complete run directory; event files pass tbcheck', async (t) => {
  const runsDir = tmp();
  const r = sg3('run', 'configs/stylegan3-r.yaml', '--profile', 'smoke', '--set', 'data.kind=fashion-mnist', '--set', 'data.channels=1',
    '--set', 'train.snapshot_kimg=0.016', '--set', 'train.image_kimg=0.016', '--set', 'metrics.names=[fid50k_full, eqt50k_int]', '--runs-dir', runsDir, '--log-format', 'json');
  t.is(r.code, 0, r.err.slice(-2000));
  const path = onlyRun(runsDir);
  assertCompleteRunDir(t, path, '000000.016');
  const log = readFileSync(join(path, 'log.jsonl'), 'utf8');
  t.regex(log, /"dataset":\{"name":"fashion-mnist/);
  const metrics = readFileSync(join(path, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { metric: string; results: Record<string, number>; kimg: number });
  t.deepEqual(metrics.map((m) => [m.metric, m.kimg]), [['eqt_int@16', 0.016]], 'EQ-T at the end; FID skipped');
  t.regex(log, /skipping metric fid_full@16: metrics\.inception: FID\/KID need the Inception-v3 weights/);
  t.true(Number.isFinite(metrics[0]!.results['eqt_int@16']));
});
