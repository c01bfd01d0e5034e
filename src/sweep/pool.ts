/**
 * The local launcher: a pool of at most N child processes, one per cell. With GPUs, one process
 * per GPU: each child gets a free GPU index as CUDA_VISIBLE_DEVICES. A child's stdout and stderr go
 * to its log file, so parallel cells never interleave on the terminal. A failing child is reported
 * as soon as it ends and the pool goes on with the others.
 *
 * Children run in their own process group: a Ctrl-C at the terminal reaches only the sweep, which
 * forwards it once (`stop`), so each run finishes its step and writes a checkpoint (a second
 * signal to a run means "exit at once").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PoolJob {
  label: string;
  argv: string[];                    // executable first
  env: Record<string, string>;
  logFile: string;
  cwd: string;
}

export interface PoolStart { pid: number | null; gpu: string | null }

export interface PoolResult {
  job: PoolJob;
  index: number;
  code: number | null;               // null: killed by a signal, or could not start
  signal: NodeJS.Signals | null;
  error: string | null;              // spawn failure
  seconds: number;
  gpu: string | null;
}

export interface PoolOptions {
  jobs: number;
  gpus: string[] | null;
  onStart?: (index: number, job: PoolJob, start: PoolStart) => void;
  onEnd?: (result: PoolResult) => void;
}

export interface Pool {
  done: Promise<PoolResult[]>;
  /** Launch nothing more and forward `signal` to every running child. */
  stop(signal: NodeJS.Signals): void;
}

export function runPool(jobs: PoolJob[], opts: PoolOptions): Pool {
  const width = Math.max(1, opts.gpus ? Math.min(opts.jobs, opts.gpus.length) : opts.jobs);
  const freeGpus = opts.gpus ? [...opts.gpus] : null;
  const running = new Map<number, ChildProcess>();
  const results: PoolResult[] = [];
  let next = 0;
  let stopped = false;
  let finish!: (r: PoolResult[]) => void;
  const done = new Promise<PoolResult[]>((res) => { finish = res; });

  const launch = (): void => {
    while (!stopped && running.size < width && next < jobs.length) start(next++);
    if (running.size === 0 && (stopped || next >= jobs.length)) finish(results.sort((a, b) => a.index - b.index));
  };

  const start = (index: number): void => {
    const job = jobs[index]!;
    const gpu = freeGpus ? freeGpus.shift()! : null;
    mkdirSync(dirname(job.logFile), { recursive: true });
    const fd = openSync(job.logFile, 'a');
    writeSync(fd, `# ${new Date().toISOString()} ${job.argv.join(' ')}\n`);
    const env = { ...process.env, ...job.env, ...(gpu !== null ? { CUDA_VISIBLE_DEVICES: gpu } : {}) };
    const t0 = performance.now();
    let ended = false;
    const end = (code: number | null, signal: NodeJS.Signals | null, error: string | null): void => {
      if (ended) return;
      ended = true;
      closeSync(fd);
      running.delete(index);
      if (freeGpus && gpu !== null) freeGpus.push(gpu);
      const result: PoolResult = { job, index, code, signal, error, seconds: (performance.now() - t0) / 1000, gpu };
      results.push(result);
      opts.onEnd?.(result);
      launch();
    };
    const child = spawn(job.argv[0]!, job.argv.slice(1), { cwd: job.cwd, env, stdio: ['ignore', fd, fd], detached: true });
    running.set(index, child);
    child.on('error', (e) => end(null, null, e.message));
    child.on('close', (code, signal) => end(code, signal, null));
    opts.onStart?.(index, job, { pid: child.pid ?? null, gpu });
  };

  queueMicrotask(launch);
  return {
    done,
    stop(signal) {
      stopped = true;
      for (const child of running.values()) {
        try { child.kill(signal); } catch { /* already gone */ }
      }
      if (running.size === 0) launch();
    },
  };
}
