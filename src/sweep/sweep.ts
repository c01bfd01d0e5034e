/**
 * `sg3 sweep` as a function: prepare (load, validate every cell, decide), then list (--dry-run),
 * report (--status) or launch (local pool or Slurm), and summarise.
 */
import { mkdirSync } from 'node:fs';
import { ConfigError, RunError, UsageError } from '../errors.ts';
import { applyPlans, refreshFromRuns, runLocal, runSlurm, writeSweepHParams, type Output } from './execute.ts';
import type { SlurmOptions } from './experiment.ts';
import { dryRunLines, statusLines, summaryLines, type SummaryCounts } from './listing.ts';
import { prepareSweep, refusalLine, type PrepareOptions, type PreparedSweep } from './prepare.ts';
import { querySlurm } from './slurm.ts';
import { writeState } from './state.ts';

export type Launcher = 'local' | 'slurm';

export interface SweepOptions extends PrepareOptions {
  jobs?: number;
  gpus?: string[] | null;
  dryRun?: boolean;
  status?: boolean;
  launcher?: Launcher;
  slurm?: SlurmOptions;            // flags; override the experiment's `slurm:` block
  sbatch?: string;                 // the sbatch executable (default: `sbatch` on PATH)
  out?: Output;
}

export interface SweepOutcome {
  root: string;
  counts: SummaryCounts | null;    // null for --dry-run and --status
  signal: NodeJS.Signals | null;
}

/**
 * The whole verb:
 * 1. load the experiment, resolve and check every cell (ConfigError lists every problem);
 * 2. read sweep.json and each cell's run directory, decide skip / run / resume / refuse;
 * 3. --status: print the table; --dry-run: print cells, flags and cost; nothing is written;
 * 4. refuse (exit 2) when a finished cell's config changed, unless --force;
 * 5. write sweep.json and the HParams experiment, launch (local pool or Slurm), summarise.
 */
export async function runSweep(opts: SweepOptions): Promise<SweepOutcome> {
  const out: Output = opts.out ?? ((line) => process.stdout.write(`${line}\n`));
  const prep = prepareSweep(opts);
  if (opts.status) {
    const states = prep.state.slurm?.job_id ? querySlurm(prep.state.slurm.job_id) : null;
    for (const line of statusLines(prep, states)) out(line);
    return { root: prep.root, counts: null, signal: null };
  }
  if (opts.dryRun) {
    for (const line of dryRunLines(prep)) out(line);
    return { root: prep.root, counts: null, signal: null };
  }
  const refused = prep.plans.filter((p) => p.action.kind === 'refuse');
  if (refused.length > 0) throw new ConfigError(refused.map(refusalLine));
  mkdirSync(prep.root, { recursive: true });
  const launcher = opts.launcher ?? 'local';
  applyPlans(prep.state, prep.plans, launcher === 'slurm' ? 'submitted' : 'running');
  prep.state.experiment = prep.exp.file;
  writeSweepHParams(prep);
  writeState(prep.root, prep.state);
  const t0 = performance.now();
  const launching = prep.plans.filter((p) => p.action.kind === 'run' || p.action.kind === 'resume');
  out(`sweep ${prep.exp.name}: ${prep.plans.length} cells, ${launching.length} to run, ${prep.plans.length - launching.length} skipped; ${launcher === 'slurm' ? 'Slurm' : `jobs ${effectiveJobs(opts)}`}`);
  let signal: NodeJS.Signals | null = null;
  const ran = new Set<string>();
  if (launcher === 'slurm') {
    runSlurm(prep, { slurm: { ...prep.exp.slurm, ...definedOnly(opts.slurm ?? {}) }, sbatch: opts.sbatch ?? 'sbatch', out });
  } else {
    for (const p of launching) ran.add(p.cell.key);
    ({ signal } = await runLocal(prep, { jobs: effectiveJobs(opts), gpus: opts.gpus ?? null, out }));
    markUnstarted(prep);
  }
  writeState(prep.root, prep.state);
  const { lines, counts } = summaryLines(prep, ran, (performance.now() - t0) / 1000);
  out('');
  for (const line of lines) out(line);
  return { root: prep.root, counts, signal };
}

/** Cells left waiting when the sweep was stopped go back to pending. */
function markUnstarted(prep: PreparedSweep): void {
  refreshFromRuns(prep);
  for (const rec of prep.state.cells) if (rec.status === 'running' && rec.run_dir === null) rec.status = 'pending';
}

function effectiveJobs(opts: SweepOptions): number {
  const jobs = opts.jobs ?? (opts.gpus ? opts.gpus.length : 1);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`sg3 sweep: --jobs: must be a positive integer (got ${jobs})`);
  if (opts.gpus && jobs > opts.gpus.length) throw new UsageError(`sg3 sweep: --jobs ${jobs} exceeds the ${opts.gpus.length} GPU(s) of --gpus (one process per GPU)`);
  return jobs;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The exit a finished sweep asks for: failures are exit 1, a stop by signal 130/143. */
export function outcomeError(o: SweepOutcome): RunError | null {
  if (o.signal !== null) return new RunError(`sg3 sweep: stopped by ${o.signal}; run the same command again to resume`, o.signal === 'SIGINT' ? 130 : 143);
  if (o.counts && o.counts.failed > 0) return new RunError(`sg3 sweep: ${o.counts.failed} cell(s) failed; see the logs above (sg3 sweep --retry-failed reruns them)`);
  return null;
}
