/**
 * sweep/: experiment files -> cells (case x grid x seed, each a resolved, checked config with a
 * content-addressed id) -> runs, each a separate `sg3 run` process, launched by a local process
 * pool or as a Slurm job array, resumable from sweep.json and the run directories.
 */
export { loadExperiment, parseExperiment, flattenOverrides, EXPERIMENT_SCHEMA, type Experiment, type ExperimentCase, type Override, type GridAxis, type PaperValues, type SlurmOptions } from './experiment.ts';
export { expandCells, slug, type Cell, type CellOptions, type Expansion, type SetFlag, type FlagOrigin } from './cells.ts';
export { yamlFlow, setArg, canonicalJson, cellId, identityOf, describeChanges, IDENTITY_EXCLUDED } from './overrides.ts';
export { decide, describeAction, type Action, type DecideOptions } from './decide.ts';
export { runArgs, runCommandPrefix, cellEnv, shellQuote, shellLine, cellLogFile, SG3_BIN, SWEEP_ENV, type CellLaunch } from './command.ts';
export { runPool, type Pool, type PoolJob, type PoolResult, type PoolOptions } from './pool.ts';
export { slurmScript, submitSlurm, querySlurm, type SlurmTask, type SlurmScriptOptions } from './slurm.ts';
export {
  readState, writeState, emptyState, inspectRun, findRunDir, STATE_FILE, SWEEP_FORMAT, SWEEP_VERSION,
  type SweepState, type CellRecord, type CellStatus, type RunInspection, type RunState, type SlurmRecord,
} from './state.ts';
export { prepareSweep, sweepRoot, cellCost, displayDir, refusalLine, type PreparedSweep, type CellPlan, type PrepareOptions, type CellCost } from './prepare.ts';
export { dryRunLines, statusLines, summaryLines, formatFlops, columns, type SummaryCounts } from './listing.ts';
export { SLURM_COMMAND_PREFIX } from './execute.ts';
export { runSweep, outcomeError, type SweepOptions, type SweepOutcome, type Launcher } from './sweep.ts';
