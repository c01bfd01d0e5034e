// Shared fixtures for the run-directory tests: temp dirs, a small real config + plan, a recording log,
// tensors with awkward bit patterns, and a child-process runner (node + tsx) for crash/signal/race tests.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, type ResolvedConfig } from '../../../src/config/index.ts';
import type { NamedTensor } from '../../../src/io/safetensors.ts';
import { planExperiment, type Plan } from '../../../src/plan/index.ts';
import type { CheckpointLog } from '../../../src/train/run/index.ts';
import { REPO_ROOT } from '../../_golden.ts';
import { processTempDir } from '../../_tmp.ts';

export const tmp = (prefix = 'sg3-run-'): string => processTempDir(prefix);

/** The smoke profile of StyleGAN3-T: a real config and plan, cheap to make. */
export function smokeConfig(): { config: ResolvedConfig; plan: Plan } {
  const config = loadConfig(join(REPO_ROOT, 'configs', 'stylegan3-t.yaml'), { profile: 'smoke' });
  return { config, plan: planExperiment(config) };
}

export interface Recorded { level: 'warn' | 'info'; msg: string; fields: object }

/** A CheckpointLog that keeps what it was told. */
export function recordingLog(): CheckpointLog & { lines: Recorded[] } {
  const lines: Recorded[] = [];
  return {
    lines,
    warn: (fields, msg) => { lines.push({ level: 'warn', fields, msg }); },
    info: (fields, msg) => { lines.push({ level: 'info', fields, msg }); },
  };
}

/** Tensors of every dtype, with NaN payloads, -0, infinities and subnormals in the floats. */
export function awkwardTensors(seed = 1): Map<string, NamedTensor> {
  const f32 = new Float32Array(37);
  for (let i = 0; i < f32.length; i++) f32[i] = Math.sin(i * 12.9898 + seed) * 43758.5453 % 1;
  new Uint32Array(f32.buffer).set([0x7fc00001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001], 0);
  const f64 = new Float64Array([Math.PI, -0, Number.MIN_VALUE, 1e308, seed]);
  return new Map<string, NamedTensor>([
    ['G.synthesis.L0_36_512.weight', { dtype: 'F32', shape: [37], data: f32 }],
    ['G_ema.mapping.w_avg', { dtype: 'F64', shape: [5], data: f64 }],
    ['D.b16.conv0.weight', { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) }],
    ['opt.G.step', { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]) }],
    ['data.order', { dtype: 'I32', shape: [2, 2], data: new Int32Array([-1, 2 ** 31 - 1, 0, seed]) }],
    ['rng.state', { dtype: 'U8', shape: [4], data: new Uint8Array([0, 255, 128, seed & 255]) }],
  ]);
}

/** Raw bytes of a tensor's data, for bit-exact comparison. */
export function bytesOf(t: NamedTensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The pid of a process that has already exited (so it is dead, on this host). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Starts `node --import tsx <script> ...args` from this folder. */
export function spawnChild(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'train', 'run', script), ...args], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface ChildResult { code: number | null; signal: NodeJS.Signals | null; out: string; err: string }

/** Collects a child's output and waits for it to end; `onLine` sees each stdout line as it comes. */
export function waitChild(child: ChildProcess, onLine?: (line: string) => void): Promise<ChildResult> {
  let out = '';
  let err = '';
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) { onLine?.(pending.slice(0, nl)); pending = pending.slice(nl + 1); }
  });
  child.stderr!.on('data', (d: Buffer) => { err += d; });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, out, err })));
}
