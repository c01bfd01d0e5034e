/**
 * Run directory names: `<runs_dir>/<NNNNN>-<config name>[-<desc>]`, NNNNN = 1 + the largest
 * numeric prefix among the existing directories (00000 for the first), as the official train.py
 * allocates `cur_run_id`. The directory is claimed with a plain mkdir, which fails when the name
 * exists; another process that raced us to the same id makes us move on to the next one, so two
 * runs never share or overwrite a directory.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunError, UsageError } from '../../errors.ts';

const MAX_ATTEMPTS = 1000;

/** `--desc` text as a directory-name suffix: runs of other characters become '-'. */
export function sanitizeDesc(desc: string): string {
  return desc.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
}

/** The run-directory base name for an id: `00042-stylegan3-t` or `00042-stylegan3-t-gamma2`. */
export function runDirName(id: number, configName: string, desc: string | null = null): string {
  const suffix = desc ? sanitizeDesc(desc) : '';
  return `${String(id).padStart(5, '0')}-${configName}${suffix ? `-${suffix}` : ''}`;
}

/** The next free id: 1 + the largest numeric prefix of the directories in `runsDir` (0 when none). */
export function nextRunId(runsDir: string): number {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(runsDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let max = -1;
  for (const entry of entries) {
    const m = /^\d+/.exec(entry.name);
    if (m && entry.isDirectory()) max = Math.max(max, Number(m[0]));
  }
  return max + 1;
}

/**
 * Creates a new, empty run directory and returns its absolute path.
 * 1. make `runsDir` (recursive; may already exist);
 * 2. id = nextRunId(runsDir); mkdir `<id>-<name>[-<desc>]` without `recursive`, so it fails when
 *    the name exists;
 * 3. on EEXIST (a concurrent run took the id), rescan and try again with a larger id.
 */
export function allocateRunDir(runsDir: string, configName: string, desc: string | null = null): string {
  if (desc !== null && sanitizeDesc(desc) === '') {
    throw new UsageError(`sg3 run: --desc: needs at least one letter, digit, '.', '_' or '-' (got ${JSON.stringify(desc)})`);
  }
  const root = resolve(runsDir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new RunError(`${runsDir}: cannot create the runs directory (got ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let id = nextRunId(root);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
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
