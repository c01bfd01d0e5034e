/**
 * `run.json`: where a run came from. The top level describes the session that created the run
 * (command line, sg3 version and git commit, backend, seed, host, node, pid, start time); each
 * `--resume` appends a session of the same shape to `resumes`. The top-level `status` / `ended_at`
 * are the run's state now (set by whichever session ended last; each resume also keeps its own),
 * so a reader can tell a finished run from a stopped or failed one; `running` with no live lock
 * means the process was killed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError } from '../../errors.ts';
import { VERSION } from '../../version.ts';
import type { BackendSummary } from './types.ts';

export const RUN_FORMAT = 'sg3-run';
export const RUN_VERSION = 1;

export type RunStatus = 'running' | 'done' | 'stopped' | 'failed';

export interface GitInfo {
  commit: string;    // `git rev-parse HEAD` of the sg3 checkout
  dirty: boolean;    // tracked files modified (`git status --porcelain --untracked-files=no`)
}

/** One process's work on a run: the creating one, or a resume. */
export interface SessionInfo {
  command: string[];          // argv after the executable: ['sg3', 'run', 'configs/x.yaml', ...]
  cwd: string;
  sg3_version: string;
  git: GitInfo | null;        // null: sg3 is not running from a git checkout (or git is absent)
  backend: BackendSummary | null;
  started_at: string;         // ISO 8601
  ended_at: string | null;
  status: RunStatus;
  host: string;
  pid: number;
  node: string;               // process.version
  platform: string;           // `${process.platform}-${process.arch}`
}

export interface ResumeInfo extends SessionInfo {
  checkpoint: string;         // label of the checkpoint resumed from
  total_kimg: number | null;  // --kimg given with this resume (carried to later resumes), else null
}

export interface RunInfo extends SessionInfo {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  name: string;               // the run directory's base name, e.g. 00003-stylegan3-t-gamma2
  config_name: string;
  desc: string | null;
  seed: number;               // train.seed
  resume_from: string | null; // --resume-from weights file, absolute
  resumes: ResumeInfo[];
}

const SG3_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The commit of the sg3 checkout that is running, or null outside a git checkout. */
export function gitInfo(dir: string = SG3_ROOT): GitInfo | null {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  const head = git('rev-parse', '--verify', 'HEAD');
  if (head.status !== 0 || !/^[0-9a-f]{40,64}$/.test(head.stdout.trim())) return null;
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim() !== '' };
}

/** The session fields for this process. `command` defaults to `sg3` + the CLI arguments. */
export function currentSession(backend: BackendSummary | null, command?: string[]): SessionInfo {
  return {
    command: command ?? ['sg3', ...process.argv.slice(2)],
    cwd: process.cwd(),
    sg3_version: VERSION,
    git: gitInfo(),
    backend,
    started_at: new Date().toISOString(),
    ended_at: null,
    status: 'running',
    host: hostname(),
    pid: process.pid,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Reads and checks `run.json`; a RunError names the file when it is not an sg3 run. */
export function readRunInfo(path: string): RunInfo {
  let value: Partial<RunInfo>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunInfo>;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RunError(`${path}: cannot read the run record (got ${code ?? (e as Error).message})`);
  }
  if (value?.format !== RUN_FORMAT) throw new RunError(`${path}: not an sg3 run record (got format ${JSON.stringify(value?.format ?? null)})`);
  if (value.version !== RUN_VERSION) throw new RunError(`${path}: unsupported run record version (got ${value.version}, expected ${RUN_VERSION})`);
  return value as RunInfo;
}

/** The latest session of a run: the last resume, or the run itself. */
export function lastSession(info: RunInfo): SessionInfo {
  return info.resumes.length > 0 ? info.resumes[info.resumes.length - 1]! : info;
}

/** The total kimg a resume inherits: the latest `--kimg` given to an earlier resume, or null. */
export function inheritedTotalKimg(info: RunInfo): number | null {
  for (let i = info.resumes.length - 1; i >= 0; i--) {
    const kimg = info.resumes[i]!.total_kimg;
    if (kimg !== null) return kimg;
  }
  return null;
}
