/**
 * train/: the training loop (`train`, what `sg3 run` calls), the official StyleGAN2Loss, Adam with
 * serialisable moments, the schedules (D blur fade, G EMA, intervals) and the checkpointed state.
 * The run directory services are in ./run, the ADA pipeline in ./augment.
 */
export { train } from './loop.ts';
export { StyleGAN2Loss, type LossGenerator, type LossDiscriminator, type LossSettings, type RoundInputs, type RoundResult } from './loss.ts';
export { Adam, sanitizeGradient, type AdamState } from './adam.ts';
export { blurSigmaAt, emaBetaAt, phaseRuns, crossedInterval, isDone, snapshotLabel, trainingForResumeFrom } from './schedule.ts';
export { TRAIN_STATE_FORMAT, type TrainState } from './state.ts';
export { NonFiniteLossError } from './step.ts';
export { renderGrid } from './snapshots.ts';
export { Rng, type RngState } from '../io/rng.ts';
export type { TrainContext, TrainEntry } from './run/types.ts';
