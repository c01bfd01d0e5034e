/**
 * Running a prepared sweep: update sweep.json, write the HParams experiment at the sweep root,
 * then launch the cells that need it, locally (process pool) or on Slurm (job array). Every state
 * change is written atomically to sweep.json before the next one, so a sweep killed at any point
 * is picked up by the next `sg3 sweep` from its run directories.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { writeHParamsExperiment, type HParamValue } from '../log/index.ts';
import type { SlurmOptions } from './experiment.ts';
import type { Cell } from './cells.ts';
import { SG3_BIN, cellEnv, cellLogFile, runArgs, runCommandPrefix, type CellLaunch } from './command.ts';
import { runPool, type PoolJob, type PoolResult } from './pool.ts';
import { displayDir, type CellPlan, type PreparedSweep } from './prepare.ts';
import { slurmScript, submitSlurm } from './slurm.ts';
import { findRunDir, inspectRun, writeState, type CellRecord, type CellStatus, type SweepState } from './state.ts';

export interface Output { (line: string): void }

/** The cell's record in `state`, created when missing (kept in experiment order by `orderState`). */
function recordOf(state: SweepState, cell: Cell): CellRecord {
  let r = state.cells.find((c) => c.key === cell.key);
  if (!r) {
    r = { key: cell.key, id: cell.id, seed: cell.seed, config: cell.config, flags: [], desc: cell.desc, run_dir: null, status: 'pending', exit_code: null, attempts: 0, started_at: null, ended_at: null, seconds: null, previous: [] };
    state.cells.push(r);
  }
  return r;
}

/** Experiment cells first, in order; records of cells no longer in the file stay at the end. */
function orderState(state: SweepState, plans: CellPlan[]): void {
  const keys = plans.map((p) => p.cell.key);
  const inExp = keys.map((k) => state.cells.find((c) => c.key === k)!).filter(Boolean);
  state.cells = [...inExp, ...state.cells.filter((c) => !keys.includes(c.key))];
}

/** Brings each record up to date with its plan: skips take the run's state, launches a fresh attempt. */
export function applyPlans(state: SweepState, plans: CellPlan[], launchStatus: CellStatus): void {
  for (const p of plans) {
    if (p.action.kind === 'refuse') { recordOf(state, p.cell); continue; }
    const r = recordOf(state, p.cell);
    const nextDir = p.action.kind === 'run' ? null : p.action.kind === 'resume' ? p.action.runDir : p.runDir;
    // The record's old run is kept in `previous` when this plan moves the cell to another run.
    if (r.run_dir !== null && r.run_dir !== nextDir) r.previous.push({ id: r.id, run_dir: r.run_dir, status: r.status });
    Object.assign(r, { id: p.cell.id, seed: p.cell.seed, config: p.cell.config, flags: p.cell.flags.map((f) => f.raw), desc: p.cell.desc, run_dir: nextDir });
    if (p.action.kind === 'skip') {
      r.status = p.run.state === 'done' ? 'done' : p.run.state === 'running' ? 'running' : 'failed';
      continue;
    }
    Object.assign(r, { status: launchStatus, exit_code: null, attempts: r.attempts + 1, started_at: new Date().toISOString(), ended_at: null, seconds: null });
  }
  orderState(state, plans);
}

/** The sweep's HParams experiment (swept keys, metrics) at the root; replaces the one written before. */
export function writeSweepHParams(prep: PreparedSweep): void {
  const cells = prep.expansion.cells;
  if (cells.length === 0) return;
  if (prep.state.hparams_file) rmSync(join(prep.root, prep.state.hparams_file), { force: true });
  const domains: Record<string, HParamValue[]> = {};
  for (const key of Object.keys(cells[0]!.hparams)) {
    const values = [...new Map(cells.map((c) => [JSON.stringify(c.hparams[key]), c.hparams[key]!])).values()];
    // One type per hparam: a key whose values mix types (a number and "null") is shown as strings.
    domains[key] = new Set(values.map((v) => typeof v)).size > 1 ? values.map((v) => String(v)) : values;
  }
  const hparams = Object.fromEntries(Object.entries(domains).map(([k, values]) => [k, values[0]!]));
  const path = writeHParamsExperiment(prep.root, {
    hparams, domains, metrics: metricTags(cells), description: prep.exp.description || prep.exp.name,
  });
  prep.state.hparams_file = basename(path);
}

/**
 * Scalar tags the training loop writes for each cell's metrics: `Metrics/<name>`, and
 * `Metrics/<family>@<num>` when metrics.num renames them (src/metrics registry rule).
 */
function metricTags(cells: Cell[]): string[] {
  const tags = new Set<string>();
  for (const c of cells) {
    for (const name of c.resolved.metrics.names) {
      tags.add(`Metrics/${name}`);
      const m = /^([a-z]+)\d+k(?:_([a-z]+))?$/.exec(name);
      if (c.resolved.metrics.num !== null && m) tags.add(`Metrics/${m[1]}${m[2] ? `_${m[2]}` : ''}@${c.resolved.metrics.num}`);
    }
  }
  return [...tags];
}

function launchOf(p: CellPlan): CellLaunch {
  return p.action.kind === 'resume' ? { kind: 'resume', runDir: p.action.runDir } : { kind: 'new' };
}

export interface LocalOptions { jobs: number; gpus: string[] | null; out: Output }

export interface LocalOutcome { results: PoolResult[]; signal: NodeJS.Signals | null }

/** Runs the launchable cells in a local pool; returns when every started cell has ended. */
export async function runLocal(prep: PreparedSweep, opts: LocalOptions): Promise<LocalOutcome> {
  const todo = prep.plans.filter((p) => p.action.kind === 'run' || p.action.kind === 'resume');
  const prefix = runCommandPrefix();
  const jobs: PoolJob[] = todo.map((p) => ({
    label: p.cell.key,
    argv: [...prefix, ...runArgs(p.cell, launchOf(p), prep.root)],
    env: cellEnv(prep.exp.name, p.cell),
    logFile: cellLogFile(prep.root, p.cell),
    cwd: process.cwd(),
  }));
  const n = todo.length;
  const tag = (i: number) => `[${String(i + 1).padStart(String(n).length)}/${n}]`;
  let signal: NodeJS.Signals | null = null;
  const pool = runPool(jobs, {
    jobs: opts.jobs,
    gpus: opts.gpus,
    onStart: (i, _job, s) => opts.out(`${tag(i)} start   ${todo[i]!.cell.key}${todo[i]!.action.kind === 'resume' ? ' (resume)' : ''} (pid ${s.pid ?? '?'}${s.gpu !== null ? `, gpu ${s.gpu}` : ''})`),
    onEnd: (r) => finishCell(prep, todo[r.index]!, r, tag(r.index), opts.out),
  });
  const onSignal = (sig: NodeJS.Signals) => {
    signal = sig;
    opts.out(`sg3 sweep: ${sig}: stopping; each running cell finishes its step and writes a checkpoint`);
    pool.stop(sig);
  };
  const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
  process.on('SIGINT', handlers.SIGINT);
  process.on('SIGTERM', handlers.SIGTERM);
  try {
    return { results: await pool.done, signal };
  } finally {
    process.off('SIGINT', handlers.SIGINT);
    process.off('SIGTERM', handlers.SIGTERM);
  }
}

/** Records how a cell's process ended and prints its line (with the log's tail on failure). */
function finishCell(prep: PreparedSweep, p: CellPlan, r: PoolResult, tag: string, out: Output): void {
  const rec = recordOf(prep.state, p.cell);
  const dir = p.action.kind === 'resume' ? p.action.runDir : findRunDir(prep.root, p.cell.desc);
  const stopped = r.code === 130 || r.code === 143 || r.signal !== null;
  const status: CellStatus = r.code === 0 ? 'done' : stopped ? 'interrupted' : 'failed';
  Object.assign(rec, { run_dir: dir, status, exit_code: r.code, ended_at: new Date().toISOString(), seconds: Math.round(r.seconds * 10) / 10 });
  writeState(prep.root, prep.state);
  const time = `${r.seconds.toFixed(1)}s`;
  if (status === 'done') { out(`${tag} done    ${p.cell.key} in ${time} -> ${displayDir(dir)}`); return; }
  if (status === 'interrupted') { out(`${tag} stopped ${p.cell.key} after ${time} (${r.signal ?? `exit ${r.code}`}); the next sg3 sweep picks it up`); return; }
  out(`${tag} FAILED  ${p.cell.key} (${r.error ?? `exit ${r.code}`}) after ${time}; log ${displayDir(r.job.logFile)}:`);
  for (const line of logTail(r.job.logFile, 5)) out(`    ${line}`);
}

function logTail(file: string, n: number): string[] {
  try {
    const text = readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').filter((l) => !l.startsWith('# ')).slice(-n);
  } catch {
    return [];
  }
}

/**
 * A Slurm task runs `node` from the job's PATH (sbatch passes the submitting shell's environment;
 * `slurm.setup` lines can load a module) with this checkout's bin/sg3.js: the real CLI, always.
 */
export const SLURM_COMMAND_PREFIX = ['node', SG3_BIN] as const;

export interface SlurmLaunchOptions { slurm: SlurmOptions; sbatch: string; out: Output }

/** Writes the job-array script for the launchable cells and submits it; returns the job id. */
export function runSlurm(prep: PreparedSweep, opts: SlurmLaunchOptions): string | null {
  const todo = prep.plans.filter((p) => p.action.kind === 'run' || p.action.kind === 'resume');
  if (todo.length === 0) return null;
  const outputDir = join(prep.root, 'slurm');
  mkdirSync(outputDir, { recursive: true });
  mkdirSync(join(prep.root, 'logs'), { recursive: true });
  const script = slurmScript({
    jobName: `sg3-${prep.exp.name}`,
    cwd: process.cwd(),
    outputDir,
    slurm: opts.slurm,
    tasks: todo.map((p) => ({
      label: p.cell.key,
      argv: [...SLURM_COMMAND_PREFIX, ...runArgs(p.cell, launchOf(p), prep.root)],
      env: cellEnv(prep.exp.name, p.cell),
      logFile: cellLogFile(prep.root, p.cell),
    })),
  });
  const scriptPath = join(outputDir, `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}.sbatch`);
  writeFileSync(scriptPath, script);
  chmodSync(scriptPath, 0o755);
  const jobId = submitSlurm(scriptPath, opts.sbatch);
  prep.state.slurm = {
    job_id: jobId, script: displayDir(scriptPath), submitted_at: new Date().toISOString(),
    tasks: todo.map((p, index) => ({ index, key: p.cell.key, action: p.action.kind === 'resume' ? 'resume' : 'run' })),
  };
  writeState(prep.root, prep.state);
  opts.out(`submitted Slurm job ${jobId}: ${todo.length} array task(s), script ${displayDir(scriptPath)}`);
  return jobId;
}

/** Refreshes each record from its run directory (for --status and the Slurm launcher). */
export function refreshFromRuns(prep: PreparedSweep): void {
  for (const rec of prep.state.cells) {
    const dir = rec.run_dir ?? (existsSync(prep.root) ? findRunDir(prep.root, rec.desc) : null);
    const run = inspectRun(dir);
    if (run.state === 'missing') continue;
    rec.run_dir = dir;
    rec.status = run.state === 'done' ? 'done' : run.state === 'failed' ? 'failed' : run.state === 'running' ? 'running' : 'interrupted';
  }
}
