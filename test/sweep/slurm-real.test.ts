// Opt-in (SG3_TEST_SLURM=1, as root with slurm-wlm and munge installed): a one-node Slurm cluster on
// this machine (test/sweep/_slurm-local.sh), a two-cell smoke sweep submitted with --launcher
// slurm, each array task running the real `sg3 run` (training included, about a minute per cell on
// two cores), then --status and sg3 table from the finished runs. .ci/run installs the packages and sets
// SG3_TEST_SLURM=1; elsewhere it is skipped unless asked for (see docs/sweeps.md).
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';
import { tempDir, writeExperiment } from './_helpers.ts';

const enabled = process.env.SG3_TEST_SLURM === '1';
const slurmTest = enabled ? test.serial : test.skip;

slurmTest('real Slurm: a two-cell smoke sweep as a job array, then --status and table', async (t) => {
  t.timeout(15 * 60_000);
  const dir = tempDir(t, 'sg3-slurm-real-');
  const helper = join(REPO_ROOT, 'test', 'sweep', '_slurm-local.sh');
  const up = spawnSync(helper, ['start', join(dir, 'slurm')], { encoding: 'utf8' });
  t.is(up.status, 0, up.stderr);
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: up.stdout.trim() };
  delete env.SG3_SWEEP_RUN_CMD;
  t.teardown(() => { spawnSync(helper, ['stop', join(dir, 'slurm')]); });
  const exp = writeExperiment(dir, 'pair.yaml', [
    'name: pair', 'base: @CONFIGS@/stylegan3-t.yaml', 'profile: smoke', 'metrics: [eqt50k_int]',
    'cases:', '  - {name: T, paper: {fid: 4.62, eqt: 63.01, eqr: 13.12}}', '  - {name: n=4, set: {generator.filter.size: 4}, paper: {fid: null, eqt: null, eqr: null}}',
    'slurm: {throttle: 2, time: "00:20:00"}', '',
  ].join('\n'));
  const runs = join(dir, 'runs');
  const sg3 = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'sg3.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  const r = sg3('sweep', exp, '--launcher', 'slurm', '--runs-dir', runs);
  t.is(r.status, 0, r.stderr);
  const jobId = /submitted Slurm job (\d+)/.exec(r.stdout)![1]!;
  for (let i = 0; i < 600; i++) {
    const q = spawnSync('squeue', ['-h', '-j', jobId], { encoding: 'utf8', env });
    if (q.stdout.trim() === '') break;
    await new Promise((res) => setTimeout(res, 2000));
  }
  const status = sg3('sweep', exp, '--status', '--runs-dir', runs);
  t.regex(status.stdout, /2 cells: 2 done/, status.stdout + readFileSync(join(runs, 'pair-smoke', 'sweep.json'), 'utf8'));
  const table = sg3('table', exp, '--runs-dir', runs);
  t.is(table.status, 0, table.stderr);
  t.regex(table.stdout, /^\| T \| 4\.62 \| — \| — \| 63\.01 \| \d+\.\d\d \| [+-]\d+\.\d\d \|/m);
});
