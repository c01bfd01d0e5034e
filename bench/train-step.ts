/**
 * Timings of one training session for `npm run bench`: the cases of one (row, setting), each the
 * real code path of the loop on a session in a temporary run directory (the backend must already
 * be initialised):
 *
 *   G_forward  G.forward(z) (mapping + synthesis), read back
 *   G_phase    the G phase (Gmain: G forward + D forward + backward to G, Adam step) — runPhase
 *   D_phase    Dmain (G forward with update_emas, D forward+backward on fakes and reals, Adam step)
 *   R1_phase   Dreg (D forward, input gradient, its gradient to D's weights, gain 16, Adam step)
 *   iteration  runStep on a batch index where Dreg is not due: data fetch, Gmain, Dmain, G_ema
 *
 * A case runs `warmup` untimed times, then `runs` timed ones (wall and this process's CPU time, all
 * threads). `memoryRun` instead runs whole steps (Dreg every 16 as the loop does) and samples the
 * tensor count, the wasm and V8 heaps and the RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planExperiment, tf } from '../src/index.ts';
import type { ResolvedConfig } from '../src/config/index.ts';
import type { Plan } from '../src/plan/types.ts';
import { RunDirectory } from '../src/train/run/index.ts';
import { createSession, disposeSession, type Session } from '../src/train/session.ts';
import { phaseLatents, realRounds, runPhase, runStep } from '../src/train/step.ts';

export type SessionCase = 'G_forward' | 'G_phase' | 'D_phase' | 'R1_phase' | 'iteration';
export const SESSION_CASES: SessionCase[] = ['G_forward', 'G_phase', 'D_phase', 'R1_phase', 'iteration'];

export interface Samples { wall: number[]; cpu: number[] }  // seconds per timed run

/** Runs `fn` with a session on `config` in a throw-away run directory. */
export async function withSession<T>(config: ResolvedConfig, fn: (s: Session, plan: Plan) => Promise<T>): Promise<T> {
  const plan = planExperiment(config);
  const runsDir = mkdtempSync(join(tmpdir(), 'sg3-bench-'));
  const runDir = RunDirectory.create({ config, plan, runsDir, log: { format: 'json', stderr: false }, command: ['bench'] });
  try {
    const s = await createSession({ config, plan, runDir, resume: null, resumeFrom: null, backendName: 'wasm', isTTY: false, logFormat: 'json', shouldStop: () => false });
    try {
      return await fn(s, plan);
    } finally {
      disposeSession(s);
    }
  } finally {
    runDir.close('done');
    rmSync(runsDir, { recursive: true, force: true });
  }
}

/** One timed call: wall and this process's CPU seconds. */
export async function timeOnce(fn: () => Promise<void> | void): Promise<{ wall: number; cpu: number }> {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

/** One phase of the plan on a fresh batch and fresh latents (runPhase does the Adam step). */
async function phaseOnce(s: Session, pick: (terms: string[]) => boolean): Promise<void> {
  const phase = s.training.phases.find((p) => pick(p.terms));
  if (!phase) throw new Error(`bench: the plan has no such phase (got ${s.training.phases.map((p) => p.name).join(', ')})`);
  const reals = realRounds(await s.loader.next(), s.training.accumulation_rounds);
  const zs = phaseLatents(s, s.training.accumulation_rounds);
  try {
    runPhase(s, phase, reals, zs);
  } finally {
    for (const t of [...reals, ...zs]) t.dispose();
  }
}

/** A function per case that runs it once on the session. */
export function caseRunners(s: Session): Record<SessionCase, () => Promise<void> | void> {
  const batch = s.training.batch;
  let seed = 0;
  return {
    G_forward: () => {
      const z = tf.randomNormal([batch, s.plan.mapping.z_dim], 0, 1, 'float32', ++seed) as tf.Tensor2D;
      tf.tidy(() => { s.G.forward(z).dataSync(); });
      z.dispose();
    },
    G_phase: () => phaseOnce(s, (t) => t.includes('Gmain')),
    D_phase: () => phaseOnce(s, (t) => t.includes('Dgen')),
    R1_phase: () => phaseOnce(s, (t) => t.includes('Dr1')),
    iteration: async () => {
      const dreg = s.training.phases.find((p) => p.terms.includes('Dr1'));
      if (dreg && s.step % dreg.interval === 0) s.step += 1;   // a batch index where Dreg is not due
      await runStep(s);
    },
  };
}

/** Times the given cases on one session (warm-up runs first); returns the samples by case. */
export async function timeCases(s: Session, cases: SessionCase[], runs: number, warmup: number): Promise<Map<SessionCase, Samples>> {
  const run = caseRunners(s), out = new Map<SessionCase, Samples>();
  for (const c of cases) {
    for (let i = 0; i < warmup; i++) await run[c]();
    const samples: Samples = { wall: [], cpu: [] };
    for (let i = 0; i < runs; i++) {
      const r = await timeOnce(run[c]);
      samples.wall.push(r.wall);
      samples.cpu.push(r.cpu);
    }
    out.set(c, samples);
  }
  return out;
}

export interface MemorySample {
  step: number;
  tensors: number;       // tf.memory().numTensors
  tfjsMb: number;        // bytes tfjs holds in tensors
  wasmHeapMb: number;    // size of the wasm heap (it grows, never shrinks)
  jsHeapMb: number;      // V8 heap in use
  rssMb: number;
}

function wasmHeapMb(): number {
  const heap = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
  return heap ? heap.length / 2 ** 20 : 0;
}

/** V8's full collection (exposed at run time), so that a sample measures live memory, not garbage V8 has not collected yet. */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Whole training steps as the loop runs them (Dreg every 16), sampling every `every` steps, after a
 * full garbage collection, the tfjs tensor count, the bytes tfjs holds, and the process RSS.
 */
export async function memoryRun(s: Session, steps: number, every: number, onSample: (m: MemorySample) => void): Promise<MemorySample[]> {
  const out: MemorySample[] = [];
  for (let i = 1; i <= steps; i++) {
    await runStep(s);
    if (i === 1 || i % every === 0 || i === steps) {
      fullGc();
      const mem = process.memoryUsage();
      const m = { step: i, tensors: tf.memory().numTensors, tfjsMb: tf.memory().numBytes / 2 ** 20, wasmHeapMb: wasmHeapMb(), jsHeapMb: mem.heapUsed / 2 ** 20, rssMb: mem.rss / 2 ** 20 };
      out.push(m);
      onSample(m);
    }
  }
  return out;
}
