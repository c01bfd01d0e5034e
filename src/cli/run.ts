/**
 * `sg3 run <config> [--set k=v]... [--profile p] [--desc text] [--backend B] [--runs-dir DIR]
 *  [--log-format pretty|json] [--kimg N] [--resume-from CHECKPOINT.safetensors]`, or
 * `sg3 run --resume RUN_DIR [--kimg N] [--backend B] [--log-format ...]`.
 *
 * Resolves and plans the config (or reads them back from the run directory), starts the backend,
 * creates or re-opens the run directory and hands a TrainContext to `train()` of src/train/index.ts.
 * Exit codes: 0 done, 1 run failure, 2 config/usage error, 130/143 stopped by SIGINT/SIGTERM (after
 * the loop wrote its checkpoint). Usage problems are found before anything is created on disk.
 *
 * tfjs (~1.5 s to import) comes with the backend and the loop: both are imported inside the action,
 * so `sg3 run --help` and flag or config errors never load them.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import type { BackendInfo } from '../backend/index.ts';
import { loadConfig, type BackendName, type ResolvedConfig } from '../config/index.ts';
import { ConfigError, RunError, UsageError } from '../errors.ts';
import type { LogFormat } from '../log/index.ts';
import { metricsConfigProblems } from '../metrics/names.ts';
import { planExperiment, planProblems } from '../plan/index.ts';
import {
  RunDirectory, checkSafetensorsFile, installStopHandlers, signalExitCode, stopRequested, stopSignal,
  type BackendSummary, type RunLogOptions, type TrainContext, type TrainEntry,
} from '../train/run/index.ts';
import { addConfigOptions, BACKEND_NAMES, type ConfigFlags } from './options.ts';

export interface RunFlags extends ConfigFlags {
  desc?: string;
  backend?: string;
  runsDir?: string;
  logFormat?: string;
  resume?: string;
  resumeFrom?: string;
  kimg?: string;
}

/** What tests replace: the training entry point and where the human-facing log goes. */
export interface RunDeps {
  loadTrain?: () => Promise<TrainEntry>;
  stderr?: NodeJS.WritableStream | false;
  isTTY?: boolean;
  command?: string[];
}

export function registerRun(program: Command): void {
  const command = program.command('run')
    .description('train one experiment into a new run directory (or resume one)')
    .argument('[config]', 'YAML config file (omit with --resume)');
  addConfigOptions(command)
    .option('--desc <text>', 'suffix of the run directory name: runs/00007-<name>-<text>')
    .option('--backend <name>', `override runtime.backend (${BACKEND_NAMES.join(', ')})`)
    .option('--runs-dir <dir>', 'override runtime.runs_dir, where run directories are created')
    .option('--log-format <format>', 'stderr log format: pretty or json (default: pretty on a terminal)')
    .option('--kimg <n>', 'override train.kimg, the training length in thousands of images')
    .option('--resume <run_dir>', 'continue a run from its newest complete checkpoint, with its own config.yaml and plan.json')
    .option('--resume-from <file>', 'start a new run with G, G_ema and D initialised from a checkpoint .safetensors')
    .addHelpText('after', [
      '',
      'Exit codes: 0 done, 1 run failure, 2 config or usage error, 130/143 stopped by SIGINT/SIGTERM',
      '(Ctrl-C once: finish the step, write a checkpoint, exit; twice: exit at once).',
      '',
      'Examples:',
      '  sg3 run configs/stylegan3-t.yaml --profile smoke',
      '  sg3 run configs/stylegan3-r.yaml --set loss.r1_gamma=2 --desc gamma2',
      '  sg3 run --resume runs/00003-stylegan3-t --kimg 5000',
    ].join('\n'))
    .action((file: string | undefined, flags: RunFlags) => executeRun(file, flags));
}

/** A flag that must not be combined with --resume, with how it was given. */
function resumeConflicts(file: string | undefined, flags: RunFlags): string[] {
  const given: string[] = [];
  if (file !== undefined) given.push(`a config argument (${file})`);
  for (const s of flags.set ?? []) given.push(`--set ${s}`);
  if (flags.profile !== undefined) given.push(`--profile ${flags.profile}`);
  if (flags.desc !== undefined) given.push(`--desc ${flags.desc}`);
  if (flags.runsDir !== undefined) given.push(`--runs-dir ${flags.runsDir}`);
  if (flags.resumeFrom !== undefined) given.push(`--resume-from ${flags.resumeFrom}`);
  return given;
}

interface CheckedFlags { kimg: number | null; backend: BackendName | null; logFormat: LogFormat | null }

/** Every usage rule, checked before anything is read or created. */
export function checkRunFlags(file: string | undefined, flags: RunFlags): CheckedFlags {
  if (flags.resume !== undefined) {
    const conflicts = resumeConflicts(file, flags);
    if (conflicts.length > 0) {
      throw new UsageError(`sg3 run: --resume takes the config from the run directory; drop ${conflicts.join(', ')}`);
    }
  } else if (file === undefined) {
    throw new UsageError('sg3 run: missing <config> (or --resume RUN_DIR)');
  }
  let kimg: number | null = null;
  if (flags.kimg !== undefined) {
    kimg = Number(flags.kimg);
    if (flags.kimg.trim() === '' || !Number.isFinite(kimg) || kimg <= 0) throw new UsageError(`sg3 run: --kimg: must be a positive number (got ${JSON.stringify(flags.kimg)})`);
  }
  if (flags.backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(flags.backend)) {
    throw new UsageError(`sg3 run: --backend: unknown backend (got ${JSON.stringify(flags.backend)}; valid: ${BACKEND_NAMES.join(', ')})`);
  }
  if (flags.logFormat !== undefined && flags.logFormat !== 'pretty' && flags.logFormat !== 'json') {
    throw new UsageError(`sg3 run: --log-format: must be pretty or json (got ${JSON.stringify(flags.logFormat)})`);
  }
  return { kimg, backend: (flags.backend as BackendName | undefined) ?? null, logFormat: (flags.logFormat as LogFormat | undefined) ?? null };
}

/**
 * The resolved config of a new run, flags applied, and its plan; ConfigError lines name the file.
 * Metric names are checked here too (config/ cannot: it must not import metrics/), so a typo in
 * metrics.names stops the run before tfjs loads or the run directory is created.
 */
function resolveNewRun(file: string, flags: RunFlags, checked: CheckedFlags) {
  const config: ResolvedConfig = loadConfig(file, { set: flags.set ?? [], profile: flags.profile ?? null });
  if (checked.kimg !== null) config.train.kimg = checked.kimg;
  if (checked.backend !== null) config.runtime.backend = checked.backend;
  if (flags.runsDir !== undefined) config.runtime.runs_dir = flags.runsDir;
  const problems = [...planProblems(config), ...metricsConfigProblems(config.metrics)];
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${file}: ${p}`));
  return { config, plan: planExperiment(config) };
}

/** The loop (and tfjs behind it) loads only when a run really starts, after the config checked out. */
async function importTrain(): Promise<TrainEntry> {
  return (await import('../train/index.ts')).train;
}

function summarize(info: BackendInfo): BackendSummary {
  return { name: info.name, tf_backend: info.tfBackend, package: info.package, simd: info.simd, native: info.native };
}

/** Starts the backend; importing backend/ is what loads tfjs, so it waits until a run really starts. */
async function startBackend(name: BackendName): Promise<BackendInfo> {
  return (await import('../backend/index.ts')).initBackend(name);
}

async function logBackend(runDir: RunDirectory, info: BackendInfo): Promise<void> {
  const { describeBackend } = await import('../backend/index.ts');
  runDir.logger.info({ backend: summarize(info), kernels_added: info.kernelsAdded.length }, `backend ${describeBackend(info)}`);
  for (const skipped of info.skipped) runDir.logger.info(`backend auto skipped ${skipped}`);
}

/**
 * The whole verb:
 * 1. check the flags (UsageError, exit 2);
 * 2. new run: resolve and plan the config, check its metric names (ConfigError, exit 2), check
 *    --resume-from, import train, start the backend, then create the run directory;
 *    resume: open the run directory (lock, config.yaml, plan.json, newest checkpoint), check its
 *    metric names, then import train and start the backend (recorded in run.json);
 * 3. install the stop handlers and await train(context);
 * 4. close the run as done / stopped / failed; a stop exits 130 or 143.
 */
export async function executeRun(file: string | undefined, flags: RunFlags, deps: RunDeps = {}): Promise<void> {
  const checked = checkRunFlags(file, flags);
  const isTTY = deps.isTTY ?? process.stderr.isTTY === true;
  const logFormat: LogFormat = checked.logFormat ?? (isTTY ? 'pretty' : 'json');
  const log: RunLogOptions = { format: logFormat, stderr: deps.stderr };
  const loadTrain = deps.loadTrain ?? importTrain;
  let runDir: RunDirectory;
  let train: TrainEntry;
  let backend: BackendInfo;
  let resumeFrom: string | null = null;
  if (flags.resume === undefined) {
    const { config, plan } = resolveNewRun(file!, flags, checked);
    if (flags.resumeFrom !== undefined) resumeFrom = checkSafetensorsFile(flags.resumeFrom);
    train = await loadTrain();
    backend = await startBackend(config.runtime.backend);
    runDir = RunDirectory.create({ config, plan, log, desc: flags.desc ?? null, backend: summarize(backend), resumeFrom, command: deps.command });
    await logBackend(runDir, backend);
  } else {
    runDir = RunDirectory.openForResume(flags.resume, { log, totalKimg: checked.kimg, command: deps.command });
    try {
      if (checked.backend !== null) runDir.config.runtime.backend = checked.backend;
      // a resumed run skips the start-of-training uses of the names: without this, the first evaluation finds a typo
      const metricProblems = metricsConfigProblems(runDir.config.metrics);
      if (metricProblems.length > 0) throw new ConfigError(metricProblems.map((p) => `${join(runDir.path, 'config.yaml')}: ${p}`));
      train = await loadTrain();
      backend = await startBackend(runDir.config.runtime.backend);
      runDir.recordBackend(summarize(backend));
      await logBackend(runDir, backend);
    } catch (e) {
      runDir.close('failed', e);
      throw e;
    }
  }
  await trainInRunDir(runDir, train, { resumeFrom, isTTY, logFormat, backendName: backend.name });
}

async function trainInRunDir(runDir: RunDirectory, train: TrainEntry, extra: Pick<TrainContext, 'resumeFrom' | 'isTTY' | 'logFormat' | 'backendName'>): Promise<void> {
  const uninstall = installStopHandlers({
    onStop: (signal) => runDir.logger.warn({ signal }, `${signal}: finishing this step and writing a checkpoint; press Ctrl-C again to exit at once`),
  });
  const ctx: TrainContext = {
    config: runDir.config,
    plan: runDir.plan,
    runDir,
    resume: runDir.resumeCheckpoint ? { checkpoint: runDir.resumeCheckpoint } : null,
    shouldStop: stopRequested,
    ...extra,
  };
  try {
    await train(ctx);
  } catch (e) {
    runDir.close('failed', e);
    throw e;
  } finally {
    uninstall();
  }
  const signal = stopSignal();
  if (signal === null) {
    runDir.logger.info({ run_dir: runDir.path }, `run done: ${runDir.path}`);
    runDir.close('done');
    return;
  }
  const last = runDir.listCheckpoints().at(-1)?.label ?? 'none';
  runDir.close('stopped');
  throw new RunError(`sg3 run: stopped by ${signal} (last checkpoint: ${last}); continue with: sg3 run --resume ${runDir.path}`, signalExitCode(signal));
}
