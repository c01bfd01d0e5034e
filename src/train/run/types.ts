/**
 * Types shared by the run directory, the `sg3 run` verb and the training loop. The loop
 * (src/train/index.ts) exports `train: TrainEntry`; the verb builds the TrainContext.
 */
import type { ResolvedConfig } from '../../config/types.ts';
import type { LogFormat } from '../../log/index.ts';
import type { Plan } from '../../plan/types.ts';
import type { ResolvedBackendName } from '../../backend/init.ts';
import type { RunDirectory } from './run-dir.ts';

/**
 * What the loop saves next to the tensors of a checkpoint, as JSON. `step` and `cur_nimg` order
 * checkpoints (newest = largest cur_nimg, then step); everything else is the loop's own: kimg,
 * tick, ADA p, RNG states, EMA / pl_mean state, blur ramp, data loader state. Values must be
 * JSON: finite numbers, strings, booleans, null, arrays and plain objects (writeCheckpoint checks).
 * Large arrays belong in the tensor map instead.
 */
export interface CheckpointState {
  step: number;       // optimizer steps done (official batch_idx)
  cur_nimg: number;   // real images shown to D so far
  [key: string]: unknown;
}

/** A checkpoint on disk, as its manifest describes it (tensors not loaded). */
export interface CheckpointRef {
  label: string;          // the kimg label, e.g. "000040": files checkpoint-<label>.{safetensors,json}
  tensorsPath: string;    // absolute path of checkpoint-<label>.safetensors
  manifestPath: string;   // absolute path of checkpoint-<label>.json
  bytes: number;          // size of the safetensors file the manifest vouches for
  sha256: string;         // its hex SHA-256
  writtenAt: string;      // ISO time the manifest was written
  state: CheckpointState;
}

/** Where a run came from, as run.json records each session. */
export interface BackendSummary {
  name: ResolvedBackendName;
  tf_backend: string;
  package: string;
  simd: boolean | null;
  native: string | null;   // wasm: "on" when the native conv kernels are active, else why not
}

/**
 * Everything `train()` receives. The loop:
 *  - builds G, D, G_ema from `plan` (nets/), reads numbers only from `plan` and `config`;
 *  - when `resume` is set, loads `runDir.readCheckpoint(resume.checkpoint)` (weights, optimizer
 *    moments under `opt.G.*` / `opt.D.*`, and `state`) and continues from `state.cur_nimg`;
 *  - when `resumeFrom` is set (a new run), initialises G, G_ema and D from that safetensors file
 *    only, like the official `--resume` (optimizer and counters start fresh);
 *  - polls `shouldStop()` once per step; when true, finishes the step, writes a checkpoint with
 *    `runDir.writeCheckpoint` and returns normally (the verb then exits 130 / 143);
 *  - logs through `runDir.logger`, scalars through `runDir.events`, metrics through
 *    `runDir.appendMetric`, image grids through `runDir.writeImage`; it never prints directly.
 * It resolves when training is complete or stopped; it throws RunError for a failure the user can
 * act on (exit 1) and anything else for a bug.
 */
export interface TrainContext {
  config: ResolvedConfig;          // effective config: --kimg / --backend already applied
  plan: Plan;                      // for --resume, the run's plan.json (the run dir is the source of truth)
  runDir: RunDirectory;
  resume: { checkpoint: CheckpointRef } | null;
  resumeFrom: string | null;       // absolute path of a .safetensors weights file, new runs only
  backendName: ResolvedBackendName;
  isTTY: boolean;                  // stderr is a terminal: the loop may draw a progress bar
  logFormat: LogFormat;
  shouldStop: () => boolean;       // SIGINT / SIGTERM received: checkpoint and return
}

/** The signature of `train` exported by src/train/index.ts. */
export type TrainEntry = (ctx: TrainContext) => Promise<void>;
