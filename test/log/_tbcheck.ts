// Runs the independent TensorBoard event-file checker (../shared/tools/tbcheck) and parses its JSON.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';

export const TBCHECK = resolve(REPO_ROOT, '..', 'shared', 'tools', 'tbcheck', 'tbcheck');

/** `files` is always the list of per-file reports (tbcheck prints a bare report for a single file). */
export interface TbcheckRun { status: number; json: any; files: any[]; stderr: string }

function wrap(status: number, stdout: string, stderr: string): TbcheckRun {
  const json = stdout ? JSON.parse(stdout) : null;
  return { status, json, files: json ? (json.files ?? [json]) : [], stderr };
}

export function tbcheck(paths: string[], strict = true): TbcheckRun {
  if (!existsSync(TBCHECK)) throw new Error(`tbcheck not found at ${TBCHECK}: the TensorBoard tests need ../shared/tools/tbcheck`);
  const args = [...(strict ? ['--strict'] : []), '--compact', ...paths];
  try {
    const stdout = execFileSync(TBCHECK, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return wrap(0, stdout, '');
  } catch (e: any) {
    if (typeof e.status !== 'number' || e.status === 2) throw new Error(`tbcheck failed to run: ${e.stderr ?? e.message}`);
    return wrap(e.status, e.stdout ?? '', String(e.stderr));
  }
}
