/**
 * Training throughput for `npm run bench`: images/s of one training iteration (official batch_idx:
 * every due phase, G_ema update) for rows T and R at the `small` profile, through the real loop
 * (src/train/step.ts) on a session in a temporary run directory. The first step (which also runs
 * Dreg, lazily every 16 steps) is the warm-up; the median of the next `steps` is reported, wall
 * and CPU time (the machine may be shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, planExperiment } from '../src/index.ts';
import { RunDirectory } from '../src/train/run/index.ts';
import { createSession, disposeSession } from '../src/train/session.ts';
import { runStep } from '../src/train/step.ts';

const ROWS = [
  { row: 'T', file: 'configs/stylegan3-t.yaml' },
  { row: 'R', file: 'configs/stylegan3-r.yaml' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Prints one line per row; the backend must already be initialised. */
export async function benchTrainStep(root: string, steps: number): Promise<void> {
  console.log(`\ntraining step, small profile (32x32, batch 4), median of ${steps} after a warm-up step: images/s wall (images/s per CPU-second)`);
  for (const r of ROWS) {
    const config = loadConfig(join(root, r.file), { profile: 'small' });
    const plan = planExperiment(config);
    const runsDir = mkdtempSync(join(tmpdir(), 'sg3-bench-'));
    const runDir = RunDirectory.create({ config, plan, runsDir, log: { format: 'json', stderr: false }, command: ['bench'] });
    const s = await createSession({ config, plan, runDir, resume: null, resumeFrom: null, backendName: 'wasm', isTTY: false, logFormat: 'json', shouldStop: () => false });
    try {
      await runStep(s);
      const wall: number[] = [], cpu: number[] = [];
      for (let i = 0; i < steps; i++) {
        const [t0, c0] = [performance.now(), process.cpuUsage()];
        await runStep(s);
        const c = process.cpuUsage(c0);
        wall.push((performance.now() - t0) / 1000);
        cpu.push((c.user + c.system) / 1e6);
      }
      const batch = plan.training.batch;
      const phases = plan.training.phases.filter((p) => p.interval === 1).map((p) => p.name).join('+');
      console.log(`${r.row.padEnd(4)} ${(batch / median(wall)).toFixed(2).padStart(6)} (${(batch / median(cpu)).toFixed(2)})   ${median(wall).toFixed(2)} s/step, phases ${phases}`);
    } finally {
      disposeSession(s);
      runDir.close('done');
      rmSync(runsDir, { recursive: true, force: true });
    }
  }
}
