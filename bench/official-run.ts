/**
 * Runs bench/official.py (the official StyleGAN3 code, timed by our own script that imports it
 * from `dir`) for one row and setting and returns its samples, or the reason it could not run.
 * Python: $SG3_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3 on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedConfig } from '../src/config/index.ts';
import { officialFlags, type Row } from './settings.ts';
import type { SessionCase, Samples } from './train-step.ts';

export interface OfficialResult {
  torch: string;
  threads: number;
  g_params: number;
  d_params: number;
  max_rss_mb: number;
  cases: Partial<Record<SessionCase, Samples>>;
}

function python(): string {
  if (process.env.SG3_PYTHON) return process.env.SG3_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** The official timings, or `{ error }` with one line saying why there are none. */
export function runOfficial(root: string, dir: string, row: Row, config: ResolvedConfig, o: { runs: number; warmup: number; threads: number; cases: SessionCase[] }): OfficialResult | { error: string } {
  if (!existsSync(join(dir, 'training', 'networks_stylegan3.py'))) return { error: `--official ${dir}: not a NVlabs/stylegan3 checkout (no training/networks_stylegan3.py)` };
  const args = [join(root, 'bench', 'official.py'), '--official', dir, ...officialFlags(row, config),
    '--runs', String(o.runs), '--warmup', String(o.warmup), '--threads', String(o.threads), '--cases', o.cases.join(',')];
  const r = spawnSync(python(), args, { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
  if (r.error) return { error: `${python()}: ${r.error.message}` };
  if (r.status !== 0) {
    const last = (r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? '';
    return { error: `bench/official.py exited with ${r.status ?? r.signal} (got: ${last})` };
  }
  const line = r.stdout.trim().split('\n').slice(-1)[0] ?? '';
  try {
    return JSON.parse(line) as OfficialResult;
  } catch {
    return { error: `bench/official.py printed no JSON (got: ${line.slice(0, 200)})` };
  }
}
