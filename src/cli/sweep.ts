/**
 * `sg3 sweep <experiment> [--profile p] [--jobs N] [--gpus 0,1] [--dry-run] [--retry-failed]
 * [--force] [--launcher local|slurm] [--status] [--runs-dir DIR]`: run every cell of an experiment
 * file as a separate `sg3 run`, skipping finished cells and resuming interrupted ones.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { outcomeError, runSweep, type Launcher } from '../sweep/index.ts';

interface SweepFlags {
  profile?: string;
  jobs?: string;
  gpus?: string;
  dryRun?: boolean;
  retryFailed?: boolean;
  force?: boolean;
  launcher?: string;
  status?: boolean;
  runsDir?: string;
  partition?: string;
  time?: string;
  gres?: string;
  account?: string;
  throttle?: string;
}

export function registerSweep(program: Command): void {
  program.command('sweep')
    .description('run every cell (case x grid x seed) of an experiment file as a separate sg3 run; resumable')
    .argument('<experiment>', 'experiment YAML file (experiments/*.yaml)')
    .option('--profile <name>', 'profile of every cell (overrides the file\'s profile:), e.g. smoke')
    .option('--jobs <n>', 'cells run in parallel, each its own process (default 1; with --gpus, one per GPU)')
    .option('--gpus <list>', 'GPU indices, e.g. 0,1: one process per GPU with CUDA_VISIBLE_DEVICES set')
    .option('--dry-run', 'list the cells, their overrides, what would be done and the estimated cost; run nothing')
    .option('--retry-failed', 'rerun cells whose run failed (otherwise they are skipped)')
    .option('--force', 'rerun finished cells whose config changed since (their old runs are kept)')
    .option('--launcher <name>', 'local (process pool, default) or slurm (an sbatch job array)')
    .option('--status', 'print each cell\'s state from its run directory (and squeue/sacct); run nothing')
    .option('--runs-dir <dir>', 'parent of the sweep directory <dir>/<name>[-<profile>] (default runs)')
    .option('--partition <name>', 'Slurm partition (overrides slurm.partition)')
    .option('--time <limit>', 'Slurm time limit per cell, e.g. 2-00:00:00 (overrides slurm.time)')
    .option('--gres <spec>', 'Slurm generic resources per cell, e.g. gpu:1 (overrides slurm.gres)')
    .option('--account <name>', 'Slurm account (overrides slurm.account)')
    .option('--throttle <n>', 'Slurm: at most n array tasks at once (overrides slurm.throttle)')
    .addHelpText('after', [
      '',
      'Each cell runs in runs/<sweep>[-<profile>]/ (sweep.json keeps the cells, ids, run directories',
      'and status). Rerunning skips finished cells, resumes interrupted ones from their last',
      'checkpoint and reruns failed ones only with --retry-failed. Exit codes: 0 all done or skipped,',
      '1 a cell failed, 2 invalid experiment or a finished cell\'s config changed (see --force).',
      '',
      'Examples:',
      '  sg3 sweep experiments/fig3-left.yaml --profile smoke --jobs 2',
      '  sg3 sweep experiments/fig3-right.yaml --dry-run',
      '  sg3 sweep experiments/fig5-right.yaml --launcher slurm --partition gpu --throttle 8',
      '  sg3 sweep experiments/fig5-right.yaml --launcher slurm --status',
    ].join('\n'))
    .action(async (file: string, flags: SweepFlags) => {
      const outcome = await runSweep({
        experiment: file,
        profile: flags.profile ?? null,
        runsDir: flags.runsDir ?? null,
        jobs: flags.jobs === undefined ? undefined : positiveInt('--jobs', flags.jobs),
        gpus: flags.gpus === undefined ? null : gpuList(flags.gpus),
        dryRun: flags.dryRun ?? false,
        status: flags.status ?? false,
        retryFailed: flags.retryFailed ?? false,
        force: flags.force ?? false,
        launcher: launcher(flags.launcher),
        slurm: {
          partition: flags.partition, time: flags.time, gres: flags.gres, account: flags.account,
          throttle: flags.throttle === undefined ? undefined : positiveInt('--throttle', flags.throttle),
        },
      });
      const error = outcomeError(outcome);
      if (error) throw error;
    });
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1) throw new UsageError(`sg3 sweep: ${flag}: must be a positive integer (got ${JSON.stringify(text)})`);
  return n;
}

function gpuList(text: string): string[] {
  const gpus = text.split(',').map((s) => s.trim());
  if (gpus.length === 0 || gpus.some((g) => !/^\d+$/.test(g)) || new Set(gpus).size !== gpus.length) {
    throw new UsageError(`sg3 sweep: --gpus: must be distinct GPU indices separated by commas, e.g. 0,1 (got ${JSON.stringify(text)})`);
  }
  return gpus;
}

function launcher(text: string | undefined): Launcher {
  if (text === undefined || text === 'local' || text === 'slurm') return text ?? 'local';
  throw new UsageError(`sg3 sweep: --launcher: must be local or slurm (got ${JSON.stringify(text)})`);
}
