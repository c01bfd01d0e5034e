/**
 * Test helpers: real training sessions in-process (RunDirectory + train(), as `sg3 run` does),
 * and readers for what a run directory holds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { planExperiment } from '../../src/plan/index.ts';
import { train } from '../../src/train/index.ts';
import { RunDirectory } from '../../src/train/run/index.ts';
import { REPO_ROOT } from '../_golden.ts';
import { processTempDir } from '../_tmp.ts';

export function tmp(): string {
  return processTempDir('sg3-train-');
}

export interface RunOptions {
  config?: string;                  // configs/<file>; default stylegan2.yaml (the cheapest smoke network)
  set?: string[];
  runsDir: string;
  stopAfter?: number;               // shouldStop() answers true at its n-th call (once per step)
  resume?: string;                  // a run directory to continue
  resumeFrom?: string;              // a new run from these weights (--resume-from)
  onStep?: (step: number) => void;  // called from shouldStop, i.e. after each step
}

/** Runs one session in-process; returns the run directory's path (closed as done or stopped). */
export async function runSession(o: RunOptions): Promise<string> {
  await initBackend('wasm');
  const log = { format: 'json' as const, stderr: false as const };
  let runDir: RunDirectory;
  if (o.resume) {
    runDir = RunDirectory.openForResume(o.resume, { log, command: ['sg3', 'run', '--resume', o.resume] });
  } else {
    const file = join(REPO_ROOT, 'configs', o.config ?? 'stylegan2.yaml');
    const config = loadConfig(file, { profile: 'smoke', set: o.set ?? [] });
    const command = ['sg3', 'run', file, '--profile', 'smoke', ...(o.set ?? []).flatMap((s) => ['--set', s])];
    runDir = RunDirectory.create({ config, plan: planExperiment(config), log, runsDir: o.runsDir, command });
  }
  let calls = 0;
  let stopped = false;
  try {
    await train({
      config: runDir.config, plan: runDir.plan, runDir,
      resume: runDir.resumeCheckpoint ? { checkpoint: runDir.resumeCheckpoint } : null,
      resumeFrom: o.resumeFrom ?? null, backendName: 'wasm', isTTY: false, logFormat: 'json',
      shouldStop: () => {
        calls += 1;
        o.onStep?.(calls);
        stopped = o.stopAfter !== undefined && calls >= o.stopAfter;
        return stopped;
      },
    });
  } catch (e) {
    runDir.close('failed', e);
    throw e;
  }
  runDir.close(stopped ? 'stopped' : 'done');
  return runDir.path;
}

/** The `progress` log lines' losses, in order (one per tick). */
export function progressLosses(runPath: string): Record<string, number>[] {
  return readFileSync(join(runPath, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"msg":"progress"'))
    .map((l) => JSON.parse(l) as { losses: Record<string, number>; kimg: number }).map((r) => ({ kimg: r.kimg, ...r.losses }));
}

export interface Manifest { label: string; tensors: { sha256: string; bytes: number }; state: Record<string, unknown> }

/** Every checkpoint manifest of a run, by label. */
export function manifests(runPath: string): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  for (const name of readdirSync(runPath).sort()) {
    const m = /^checkpoint-(.+)\.json$/.exec(name);
    if (m) out.set(m[1]!, JSON.parse(readFileSync(join(runPath, name), 'utf8')) as Manifest);
  }
  return out;
}

export function numTensors(): number {
  return tf.memory().numTensors;
}
