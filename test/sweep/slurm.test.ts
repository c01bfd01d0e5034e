// The Slurm launcher: the sbatch job-array script (one index per cell, the real `sg3 run` command
// line), submitted to a fake sbatch that executes the array tasks; --status reads the run
// directories and sacct.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { slurmScript, shellQuote, SG3_BIN } from '../../src/sweep/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { tempDir, writeExperiment } from './_helpers.ts';
import { FAKE_JOB_ID, fakeSlurmBin } from './_fake-slurm.ts';

test('slurmScript: header, one case per task, env exported, quoting survives bash -n', (t) => {
  const script = slurmScript({
    jobName: 'sg3-demo', cwd: '/work/my repo', outputDir: '/runs/demo/slurm',
    slurm: { partition: 'gpu', time: '1-00:00:00', gres: 'gpu:1', account: 'lab', throttle: 2, cpus_per_task: 8, mem: '32G', setup: ['module load nodejs'] },
    tasks: [
      { label: 'a s0', argv: ['node', '/x/bin/sg3.js', 'run', 'configs/t.yaml', '--set', 'metrics.names=[fid50k_full, eqr50k]'], env: { SG3_SWEEP_CELL: 'a s0', SG3_SWEEP_HPARAMS: '{"k":"it\'s"}' }, logFile: '/runs/demo/logs/a.log' },
      { label: 'b s0', argv: ['node', '/x/bin/sg3.js', 'run', '--resume', '/runs/demo/00001-t-b'], env: {}, logFile: '/runs/demo/logs/b.log' },
    ],
  });
  const lines = script.split('\n');
  t.deepEqual(lines.slice(0, 11), [
    '#!/bin/bash',
    '#SBATCH --job-name=sg3-demo',
    '#SBATCH --array=0-1%2',
    '#SBATCH --output=/runs/demo/slurm/%A_%a.out',
    '#SBATCH --partition=gpu',
    '#SBATCH --account=lab',
    '#SBATCH --time=1-00:00:00',
    '#SBATCH --gres=gpu:1',
    '#SBATCH --cpus-per-task=8',
    '#SBATCH --mem=32G',
    '',
  ]);
  t.true(lines.includes("cd '/work/my repo'"));
  t.true(lines.includes('module load nodejs'));
  t.true(lines.includes(`    export SG3_SWEEP_HPARAMS=${shellQuote('{"k":"it\'s"}')}`));
  t.true(lines.includes("    exec node /x/bin/sg3.js run configs/t.yaml --set 'metrics.names=[fid50k_full, eqr50k]' >> /runs/demo/logs/a.log 2>&1 ;;"));
  t.is(spawnSync('bash', ['-n'], { input: script }).status, 0);
  // What bash makes of the quoted words: exactly the argv.
  const echo = spawnSync('bash', ['-c', `printf '%s\\n' ${shellQuote('{"k":"it\'s"}')} ${shellQuote('a b')}`], { encoding: 'utf8' });
  t.is(echo.stdout, '{"k":"it\'s"}\na b\n');
  t.throws(() => slurmScript({ jobName: 'x', cwd: '/', outputDir: '/', slurm: {}, tasks: [] }), { message: /no tasks/ });
});

test.serial('--launcher slurm: the array script runs each cell\'s real command; --status reads the runs and sacct', (t) => {
  const dir = tempDir(t);
  const exp = writeExperiment(dir, 'two.yaml', [
    'name: two', 'base: @CONFIGS@/stylegan3-t.yaml', 'profile: smoke', 'metrics: [eqt50k_int]',
    'cases:', '  - {name: a, set: {generator.filter.size: 4}}', '  - {name: b}',
    'slurm: {partition: debug, time: "00:10:00", throttle: 1}', '',
  ].join('\n'));
  const runs = join(dir, 'runs');
  const root = join(runs, 'two-smoke');
  const bin = fakeSlurmBin(t, { withNode: true });
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  delete env.SG3_SWEEP_RUN_CMD;
  const sg3 = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'sg3.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8', env });
  const r = sg3('sweep', exp, '--launcher', 'slurm', '--runs-dir', runs, '--gres', 'gpu:1');
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`submitted Slurm job ${FAKE_JOB_ID}: 2 array task\\(s\\), script `));
  t.false(existsSync(join(bin, 'task-failures')), existsSync(join(bin, 'task-failures')) ? readFileSync(join(bin, 'task-failures'), 'utf8') : '');
  const state = JSON.parse(readFileSync(join(root, 'sweep.json'), 'utf8'));
  t.is(state.slurm.job_id, FAKE_JOB_ID);
  t.deepEqual(state.slurm.tasks.map((x: any) => [x.index, x.key, x.action]), [[0, 'a s0', 'run'], [1, 'b s0', 'run']]);
  const script = readFileSync(resolve(REPO_ROOT, state.slurm.script), 'utf8');
  t.regex(script, /^#SBATCH --array=0-1%1$/m);
  t.regex(script, /^#SBATCH --partition=debug$/m);
  t.regex(script, /^#SBATCH --gres=gpu:1$/m);
  // The real CLI, as a person would run it: node bin/sg3.js run <config> --profile ... --set ... --runs-dir ... --desc ...
  const cellA = state.cells[0];
  t.true(script.includes(`exec node ${SG3_BIN} run configs/stylegan3-t.yaml --profile smoke ${cellA.flags.map((f: string) => `--set ${shellQuote(f)}`).join(' ')} --runs-dir ${shellQuote(root)} --desc ${cellA.desc}`));
  const dirs = readdirSync(root).filter((n) => /^\d{5}-/.test(n)).sort();
  t.is(dirs.length, 2);
  t.true(dirs[0]!.endsWith(cellA.desc));

  const status = sg3('sweep', exp, '--status', '--runs-dir', runs);
  t.is(status.status, 0, status.stderr);
  t.regex(status.stdout, /^a s0 +[0-9a-f]{10} +done +COMPLETED +/m);
  t.regex(status.stdout, new RegExp(`2 cells: 2 done; Slurm job ${FAKE_JOB_ID}$`, 'm'));

  // Nothing left to submit: a second launch submits nothing.
  const again = sg3('sweep', exp, '--launcher', 'slurm', '--runs-dir', runs);
  t.is(again.status, 0, again.stderr);
  t.notRegex(again.stdout, /submitted/);
  t.regex(again.stdout, /2 cells: 0 done, 2 skipped, 0 failed/);
});
