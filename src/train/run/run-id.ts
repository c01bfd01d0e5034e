/**
 * Run directory names: `<runs_dir>/<NNNNN>-<config name>[-<desc>]`, NNNNN = 1 + the largest
 * numeric prefix among the existing directories (00000 for the first), as the official train.py
 * allocates `cur_run_id`. Before its directory, a run claims its id with a mkdir of
 * `<runs_dir>/.run-ids/<NNNNN>`: mkdir is atomic, and the run directory's own mkdir could not see a
 * rival that took the same id under another config name. A process that loses either race moves on
 * to the next id, so two runs never share an id, a directory, or overwrite one.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { RunError, UsageError } from '../../errors.ts';

const MAX_ATTEMPTS = 1000;
const CLAIMS = '.run-ids';

/** `--desc` text as a directory-name suffix: runs of other characters become '-'. */
export function sanitizeDesc(desc: string): string {
  return desc.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
}

/** The run-directory base name for an id: `00042-stylegan3-t` or `00042-stylegan3-t-gamma2`. */
export function runDirName(id: number, configName: string, desc: string | null = null): string {
  const suffix = desc ? sanitizeDesc(desc) : '';
  return `${String(id).padStart(5, '0')}-${configName}${suffix ? `-${suffix}` : ''}`;
}

/** The largest numeric prefix among the directories in `dir` (-1 when none or no such dir). */
function largestPrefix(dir: string): number {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return -1;
    throw e;
  }
  let max = -1;
  for (const entry of entries) {
    const m = /^\d+/.exec(entry.name);
    if (m && entry.isDirectory()) max = Math.max(max, Number(m[0]));
  }
  return max;
}

/** The next free id: 1 + the largest numeric prefix of the directories and id claims in `runsDir` (0 when none). */
export function nextRunId(runsDir: string): number {
  return Math.max(largestPrefix(runsDir), largestPrefix(join(runsDir, CLAIMS))) + 1;
}

/** Claims `id` for this process; false when another process holds it. */
function claimId(root: string, id: number): boolean {
  const path = join(root, CLAIMS, String(id).padStart(5, '0'));
  try {
    mkdirSync(path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new RunError(`${path}: cannot claim the run id (got ${code ?? (e as Error).message})`);
  }
}

/**
 * Creates a new, empty run directory and returns its absolute path.
 * 1. make `runsDir` and its `.run-ids` (recursive; may already exist);
 * 2. id = nextRunId(runsDir); claim it (mkdir `.run-ids/<id>`), then mkdir `<id>-<name>[-<desc>]`,
 *    both without `recursive`, so each fails when the name exists;
 * 3. on EEXIST (a concurrent run took the id or the name), rescan and try again with a larger id.
 */
export function allocateRunDir(runsDir: string, configName: string, desc: string | null = null): string {
  if (desc !== null && sanitizeDesc(desc) === '') {
    throw new UsageError(`sg3 run: --desc: needs at least one letter, digit, '.', '_' or '-' (got ${JSON.stringify(desc)})`);
  }
  const root = resolve(runsDir);
  try {
    mkdirSync(join(root, CLAIMS), { recursive: true });
  } catch (e) {
    throw new RunError(`${runsDir}: cannot create the runs directory (got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let id = nextRunId(root);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!claimId(root, id)) {
      id = Math.max(id + 1, nextRunId(root));
      continue;
    }
    const path = join(root, runDirName(id, configName, desc));
    try {
      mkdirSync(path);
      return path;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new RunError(`${path}: cannot create the run directory (got ${code ?? (e as Error).message})`);
      id = Math.max(id + 1, nextRunId(root));
    }
  }
  throw new Error(`allocateRunDir: no free run id after ${MAX_ATTEMPTS} attempts in ${root} (got last id ${id})`);
}

/**
 * Removes a run directory allocateRunDir created (a run whose creation failed) and its id claim,
 * so that the next run takes the id again.
 */
export function releaseRunDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
  const id = /^\d+/.exec(basename(path))?.[0];
  if (id !== undefined) rmSync(join(dirname(path), CLAIMS, id), { recursive: true, force: true });
}
