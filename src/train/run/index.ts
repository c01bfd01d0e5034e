/**
 * train/run/: the services a training session runs in. The run directory (create, resume, logs,
 * events, metrics, images, checkpoints), its lock, the SIGINT/SIGTERM stop flag, and the types the
 * `sg3 run` verb hands to `train()`.
 */
export { RunDirectory, type CreateRunOptions, type ResumeRunOptions, type RunLogOptions } from './run-dir.ts';
export {
  checkpointLabel, writeCheckpoint, latestCheckpoint, listCheckpoints, readCheckpoint, verifyCheckpoint,
  pruneCheckpoints, checkSafetensorsFile, hashFile, tensorsFileName, manifestFileName,
  type WriteCheckpointOptions, type CheckpointLog,
} from './checkpoint.ts';
export { installStopHandlers, stopRequested, stopSignal, signalExitCode, type StopSignal } from './signals.ts';
export { acquireRunLock, readRunLock, isProcessAlive, LOCK_FILE, type LockInfo, type RunLock } from './lock.ts';
export { allocateRunDir, nextRunId, runDirName, sanitizeDesc } from './run-id.ts';
export { readRunInfo, gitInfo, RUN_FORMAT, RUN_VERSION, type RunInfo, type SessionInfo, type ResumeInfo, type GitInfo, type RunStatus } from './run-info.ts';
export { appendJsonLine, readJsonLines } from './files.ts';
export type { TrainContext, TrainEntry, CheckpointState, CheckpointRef, BackendSummary } from './types.ts';
