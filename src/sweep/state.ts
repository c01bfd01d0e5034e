/**
 * What a sweep knows between invocations: `<sweep root>/sweep.json` (cells, ids, run directories,
 * status; written atomically after every change by the one process that runs the sweep), and what
 * each run directory says about itself (run.json status, checkpoints, the live `.lock`). The run
 * directory is the source of truth; sweep.json only remembers which directory belongs to which cell.
 * Files written by `sg3 run` are parsed defensively: a missing or odd field never throws here.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunError } from '../errors.ts';
import { writeFileAtomic } from '../io/atomic.ts';

export const SWEEP_FORMAT = 'sg3-sweep';
export const SWEEP_VERSION = 1;
export const STATE_FILE = 'sweep.json';

export type CellStatus = 'pending' | 'running' | 'submitted' | 'done' | 'failed' | 'interrupted';

export interface CellRecord {
  key: string;
  id: string;
  seed: number;
  config: string;
  flags: string[];                 // the --set flags (key=value)
  desc: string;
  run_dir: string | null;
  status: CellStatus;
  exit_code: number | null;
  attempts: number;
  started_at: string | null;
  ended_at: string | null;
  seconds: number | null;
  previous: Array<{ id: string; run_dir: string | null; status: CellStatus }>;   // runs replaced by --force / --retry-failed / a restart
}

export interface SlurmRecord {
  job_id: string | null;
  script: string;
  submitted_at: string;
  tasks: Array<{ index: number; key: string; action: 'run' | 'resume' }>;
}

export interface SweepState {
  format: typeof SWEEP_FORMAT;
  version: typeof SWEEP_VERSION;
  name: string;
  experiment: string;
  profile: string | null;
  updated_at: string;
  hparams_file: string | null;
  cells: CellRecord[];
  slurm: SlurmRecord | null;
}

export function emptyState(name: string, experiment: string, profile: string | null): SweepState {
  return { format: SWEEP_FORMAT, version: SWEEP_VERSION, name, experiment, profile, updated_at: new Date().toISOString(), hparams_file: null, cells: [], slurm: null };
}

/** sweep.json of `root`, or null when the sweep never ran; RunError for a file that is not one. */
export function readState(root: string): SweepState | null {
  const path = join(root, STATE_FILE);
  if (!existsSync(path)) return null;
  let value: Partial<SweepState>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SweepState>;
  } catch (e) {
    throw new RunError(`${path}: cannot read the sweep state (got ${(e as Error).message}); move it away to start the sweep afresh`);
  }
  if (value?.format !== SWEEP_FORMAT || value.version !== SWEEP_VERSION || !Array.isArray(value.cells)) {
    throw new RunError(`${path}: not an sg3 sweep state (got format ${JSON.stringify(value?.format ?? null)}, version ${JSON.stringify(value?.version ?? null)})`);
  }
  return value as SweepState;
}

export function writeState(root: string, state: SweepState): void {
  state.updated_at = new Date().toISOString();
  writeFileAtomic(join(root, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

// ---- run directories ---------------------------------------------------------------------------

export type RunState = 'done' | 'failed' | 'interrupted' | 'running' | 'missing';

export interface RunInspection {
  state: RunState;
  checkpoints: number;             // complete-looking checkpoints (manifest files)
  detail: string;                  // for messages: "stopped", "crashed (dead lock pid 123)", ...
}

function readJson(path: string): Record<string, any> | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Whether a `.lock` in `dir` belongs to a live process on this host. */
function liveLock(dir: string): number | null {
  const lock = readJson(join(dir, '.lock'));
  if (!lock || typeof lock.pid !== 'number') return null;
  if (typeof lock.host === 'string' && lock.host !== hostname()) return lock.pid;   // cannot check: assume alive
  try {
    process.kill(lock.pid, 0);
    return lock.pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? lock.pid : null;
  }
}

/**
 * The state of a run directory:
 * done / failed / stopped (-> interrupted) from run.json's latest session; `running` with a live
 * lock -> running; `running` with no live lock (the process was killed) -> interrupted.
 */
export function inspectRun(dir: string | null): RunInspection {
  if (dir === null || !existsSync(dir)) return { state: 'missing', checkpoints: 0, detail: 'no run directory' };
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { /* unreadable: no checkpoints */ }
  const checkpoints = names.filter((n) => /^checkpoint-.+\.json$/.test(n)).length;
  const info = readJson(join(dir, 'run.json'));
  const resumes = Array.isArray(info?.resumes) ? info!.resumes : [];
  const status = (resumes.length > 0 ? resumes[resumes.length - 1]?.status : info?.status) as unknown;
  const pid = liveLock(dir);
  if (status === 'done') return { state: 'done', checkpoints, detail: 'done' };
  if (status === 'failed') return { state: 'failed', checkpoints, detail: 'failed' };
  if (pid !== null) return { state: 'running', checkpoints, detail: `running (pid ${pid})` };
  if (status === 'stopped') return { state: 'interrupted', checkpoints, detail: 'stopped' };
  return { state: 'interrupted', checkpoints, detail: info ? 'killed while running' : 'no run.json (died at start)' };
}

/** The newest run directory of a cell in `root`: `<NNNNN>-<config name>-<desc>`, largest NNNNN. */
export function findRunDir(root: string, desc: string): string | null {
  let names: string[];
  try { names = readdirSync(root); } catch { return null; }
  const mine = names
    .filter((n) => /^\d+-/.test(n) && n.endsWith(`-${desc}`))
    .filter((n) => { try { return statSync(join(root, n)).isDirectory(); } catch { return false; } })
    .sort((a, b) => Number(/^\d+/.exec(b)![0]) - Number(/^\d+/.exec(a)![0]));
  return mine.length > 0 ? join(root, mine[0]!) : null;
}
