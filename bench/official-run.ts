/**
 * Drives bench/official.py (the official StyleGAN3 code, timed by our own script that imports it
 * from `dir`) for one row and setting. Python: $SG3_PYTHON, else /usr/bin/python3 (Debian's
 * python3-torch), else python3 on PATH.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
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

/**
 * bench/official.py --serve: the official networks built once in a child process, then one timed
 * run per request, so that bench.ts can alternate its own runs with the official ones (on a shared
 * machine the load changes from minute to minute; alternating exposes both sides to the same load).
 */
export class OfficialServer {
  private constructor(private readonly child: ChildProcessWithoutNullStreams, private readonly lines: AsyncIterator<string>, readonly info: Omit<OfficialResult, 'cases'>) {}

  /** Starts the server for `row` at `config`'s setting, or returns `{ error }` saying why not. */
  static async start(root: string, dir: string, row: Row, config: ResolvedConfig, threads: number): Promise<OfficialServer | { error: string }> {
    if (!existsSync(join(dir, 'training', 'networks_stylegan3.py'))) return { error: `--official ${dir}: not a NVlabs/stylegan3 checkout (no training/networks_stylegan3.py)` };
    const args = [join(root, 'bench', 'official.py'), '--official', dir, ...officialFlags(row, config), '--threads', String(threads), '--serve'];
    const child = spawn(python(), args, { env: { ...process.env, CUDA_VISIBLE_DEVICES: '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const failed = new Promise<{ error: string }>((resolve) => {
      child.on('error', (e) => resolve({ error: `${python()}: ${e.message}` }));
      child.on('exit', (code, signal) => resolve({ error: `bench/official.py exited with ${code ?? signal} (got: ${stderr.trim().split('\n').slice(-1)[0] ?? ''})` }));
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([lines.next(), failed]);
    if ('error' in first) return first;
    if (first.done) return { error: `bench/official.py ended before it was ready (got: ${stderr.trim().split('\n').slice(-1)[0] ?? ''})` };
    return new OfficialServer(child, lines, JSON.parse(first.value) as OfficialResult);
  }

  /** One timed run of `name` on the official side. */
  async run(name: SessionCase): Promise<{ wall: number; cpu: number }> {
    this.child.stdin.write(`${name}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`bench/official.py stopped answering (case ${name})`);
    const r = JSON.parse(next.value) as { wall: number; cpu: number; error?: string };
    if (r.error) throw new Error(`bench/official.py: ${r.error}`);
    return r;
  }

  close(): void {
    this.child.stdin.end('quit\n');
  }
}
