/**
 * The `sg3 run` command line of a cell: a new run (`<config> --profile p --set k=v ... --runs-dir
 * <sweep root> --desc <cell>-<id>`) or a resume (`--resume <run dir>`), plus the environment that
 * tells the run which sweep cell it is. Each cell runs as a separate process of the real CLI;
 * SG3_SWEEP_RUN_CMD replaces the executable (tests use a fake `sg3 run`).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.ts';
import type { Cell } from './cells.ts';

/** bin/sg3.js of this checkout. */
export const SG3_BIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'sg3.js');

/** Env variables a cell's process receives (the training loop may record them as HParams). */
export const SWEEP_ENV = {
  name: 'SG3_SWEEP',                // the sweep's name
  cell: 'SG3_SWEEP_CELL',           // the cell's key, e.g. "n=4 s0"
  hparams: 'SG3_SWEEP_HPARAMS',     // JSON {swept key: value} of this cell
  runCmd: 'SG3_SWEEP_RUN_CMD',      // replaces `node bin/sg3.js` (JSON array, or words split on spaces)
} as const;

/** The executable prefix: `node bin/sg3.js`, or SG3_SWEEP_RUN_CMD. */
export function runCommandPrefix(env: NodeJS.ProcessEnv = process.env): string[] {
  const custom = env[SWEEP_ENV.runCmd];
  if (custom === undefined || custom.trim() === '') return [process.execPath, SG3_BIN];
  if (custom.trim().startsWith('[')) {
    let parsed: unknown;
    try { parsed = JSON.parse(custom); } catch { parsed = null; }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((s) => typeof s === 'string')) {
      throw new UsageError(`${SWEEP_ENV.runCmd}: must be a JSON array of strings or words separated by spaces (got ${JSON.stringify(custom)})`);
    }
    return parsed as string[];
  }
  return custom.trim().split(/\s+/);
}

export type CellLaunch = { kind: 'new' } | { kind: 'resume'; runDir: string };

/** The arguments after the executable prefix. */
export function runArgs(cell: Cell, launch: CellLaunch, sweepRoot: string): string[] {
  if (launch.kind === 'resume') return ['run', '--resume', launch.runDir];
  return [
    'run', cell.config,
    ...(cell.profile !== null ? ['--profile', cell.profile] : []),
    ...cell.flags.flatMap((f) => ['--set', f.raw]),
    '--runs-dir', sweepRoot,
    '--desc', cell.desc,
  ];
}

export function cellEnv(sweepName: string, cell: Cell): Record<string, string> {
  return {
    [SWEEP_ENV.name]: sweepName,
    [SWEEP_ENV.cell]: cell.key,
    [SWEEP_ENV.hparams]: JSON.stringify(cell.hparams),
  };
}

/** A word for a POSIX shell: as is when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellLine(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

/** Where a cell's stdout and stderr go: one log file per cell under the sweep root. */
export function cellLogFile(sweepRoot: string, cell: Cell): string {
  return join(sweepRoot, 'logs', `${cell.desc}.log`);
}
