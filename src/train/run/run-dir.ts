/**
 * A run directory, `<runs_dir>/<NNNNN>-<config name>[-<desc>]/`:
 *
 *   .lock                     held while a process writes the run (lock.ts)
 *   config.yaml               the resolved config (loads back to the same config)
 *   plan.json                 the Plan the nets were built from
 *   run.json                  where the run came from, one record per session (run-info.ts)
 *   log.jsonl                 pino log lines of every session (appended)
 *   events.out.tfevents.*     TensorBoard: one file per session; the config as text at step 0
 *   metrics.jsonl             one JSON object per line (appendMetric)
 *   checkpoint-<kimg>.*       safetensors + manifest pairs (checkpoint.ts)
 *   *.png                     image grids (writeImage)
 *
 * Every file except the two append-only logs is written atomically. The directory is the source of
 * truth for a resume: config.yaml and plan.json are read back, never the original YAML.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../../config/types.ts';
import { configToYaml, loadConfig } from '../../config/index.ts';
import { RunError } from '../../errors.ts';
import { writeFileAtomic } from '../../io/atomic.ts';
import type { NamedTensor } from '../../io/safetensors.ts';
import { EventWriter, closeLogger, createLogger, type LogFormat, type LogLevel, type Logger } from '../../log/index.ts';
import { parsePlan, planToJson } from '../../plan/index.ts';
import type { Plan } from '../../plan/types.ts';
import * as ckpt from './checkpoint.ts';
import { appendJsonLine, removeDeadTemps } from './files.ts';
import { acquireRunLock, type RunLock } from './lock.ts';
import { allocateRunDir, releaseRunDir } from './run-id.ts';
import { currentSession, inheritedTotalKimg, readRunInfo, RUN_FORMAT, RUN_VERSION, type RunInfo, type RunStatus } from './run-info.ts';
import type { BackendSummary, CheckpointRef, CheckpointState } from './types.ts';

export interface RunLogOptions {
  format: LogFormat;                          // what stderr gets; log.jsonl is always JSON lines
  level?: LogLevel;                           // default 'info'
  stderr?: NodeJS.WritableStream | false;     // default process.stderr; false = log.jsonl only
}

export interface CreateRunOptions {
  config: ResolvedConfig;
  plan: Plan;
  log: RunLogOptions;
  runsDir?: string;                 // default config.runtime.runs_dir (relative to the cwd)
  desc?: string | null;             // --desc: suffix of the directory name
  backend?: BackendSummary | null;  // recorded in run.json
  resumeFrom?: string | null;       // --resume-from weights file, recorded in run.json
  command?: string[];               // default ['sg3', ...process.argv.slice(2)]
}

export interface ResumeRunOptions {
  log: RunLogOptions;
  backend?: BackendSummary | null;
  totalKimg?: number | null;        // --kimg: new train.kimg, recorded and inherited by later resumes
  command?: string[];
}

const FILES = { config: 'config.yaml', plan: 'plan.json', run: 'run.json', log: 'log.jsonl', metrics: 'metrics.jsonl' } as const;
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.png$/;

function writeJson(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

function configText(config: ResolvedConfig): string {
  // Indented, the YAML is a code block in TensorBoard's Markdown text dashboard.
  return configToYaml(config).trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
}

/** A log line held back until the run's logger exists. */
type Note = ['warn' | 'info', object, string];

function noteLog(notes: Note[]): ckpt.CheckpointLog {
  return { warn: (f, m) => notes.push(['warn', f, m]), info: (f, m) => notes.push(['info', f, m]) };
}

function logNotes(logger: Logger, notes: Note[], close: boolean): void {
  for (const [level, fields, msg] of notes) logger[level](fields, msg);
  if (close) closeLogger(logger);
}

export class RunDirectory {
  readonly path: string;
  readonly name: string;
  readonly logger: Logger;
  readonly events: EventWriter;
  /** The effective config (with --kimg applied on resume) and the plan the nets are built from. */
  readonly config: ResolvedConfig;
  readonly plan: Plan;
  /** Set by openForResume: the newest complete checkpoint, which the loop continues from. */
  readonly resumeCheckpoint: CheckpointRef | null;
  private readonly lock: RunLock;
  private info: RunInfo;
  private closed = false;

  private constructor(path: string, config: ResolvedConfig, plan: Plan, info: RunInfo, lock: RunLock, log: RunLogOptions, resume: CheckpointRef | null) {
    this.path = path;
    this.name = basename(path);
    this.config = config;
    this.plan = plan;
    this.info = info;
    this.lock = lock;
    this.resumeCheckpoint = resume;
    this.logger = createLogger({ file: join(path, FILES.log), format: log.format, level: log.level, stderr: log.stderr });
    this.events = new EventWriter(path);
  }

  /**
   * Creates a new run directory and everything written at start.
   * 1. allocate `<runs_dir>/<NNNNN>-<name>[-<desc>]` (a fresh mkdir, never an existing directory);
   * 2. take its lock; write config.yaml, plan.json and run.json atomically;
   * 3. open log.jsonl and the TensorBoard event file; the resolved config goes in as text at step 0.
   * If a step fails, the new directory is removed again and the error rethrown.
   */
  static create(opts: CreateRunOptions): RunDirectory {
    const { config, plan } = opts;
    const path = allocateRunDir(opts.runsDir ?? config.runtime.runs_dir, config.name, opts.desc ?? null);
    let lock: RunLock | null = null;
    try {
      lock = acquireRunLock(path, { command: (opts.command ?? process.argv).join(' ') });
      const info: RunInfo = {
        format: RUN_FORMAT, version: RUN_VERSION, name: basename(path), config_name: config.name,
        desc: opts.desc ?? null, seed: config.train.seed, resume_from: opts.resumeFrom ?? null,
        ...currentSession(opts.backend ?? null, opts.command), resumes: [],
      };
      writeFileAtomic(join(path, FILES.config), configToYaml(config));
      writeFileAtomic(join(path, FILES.plan), planToJson(plan));
      writeJson(join(path, FILES.run), info);
      const run = new RunDirectory(path, config, plan, info, lock, opts.log, null);
      run.events.text('config', configText(config), 0);
      run.events.flush();
      run.logger.info({ run_dir: path }, `run directory ${path}`);
      return run;
    } catch (e) {
      lock?.release();
      releaseRunDir(path);
      throw e;
    }
  }

  /**
   * Re-opens a run for `sg3 run --resume`.
   * 1. check `path` is an sg3 run (run.json); take its lock (a live writer refuses, a dead one's
   *    stale lock is taken over with a warning);
   * 2. read config.yaml and plan.json back; apply `totalKimg` (or the one an earlier resume set);
   * 3. open the logs, find the newest complete checkpoint (RunError when there is none), drop the
   *    temp files of dead writers and append this session to run.json.
   * On failure the lock is released and nothing in the directory has changed but log.jsonl.
   */
  static openForResume(dir: string, opts: ResumeRunOptions): RunDirectory {
    const path = resolve(dir);
    if (!existsSync(path) || !statSync(path).isDirectory()) throw new RunError(`--resume: ${dir}: no such run directory`);
    const info = readRunInfo(join(path, FILES.run));
    const notes: Note[] = [];
    const lock = acquireRunLock(path, {
      command: (opts.command ?? process.argv).join(' '),
      onStale: (s) => notes.push(['warn', { lock: s }, `took over a stale lock of pid ${s.pid} (started ${s.started_at}), which is no longer running`]),
    });
    let run: RunDirectory | null = null;
    try {
      const config = structuredClone(loadConfig(join(path, FILES.config)));
      const plan = parsePlan(readFileSync(join(path, FILES.plan), 'utf8'), join(path, FILES.plan));
      const totalKimg = opts.totalKimg ?? inheritedTotalKimg(info);
      if (totalKimg !== null) { config.train.kimg = totalKimg; plan.training.total_kimg = totalKimg; }
      const latest = ckpt.latestCheckpoint(path, noteLog(notes));
      if (latest === null) {
        logNotes(createLogger({ file: join(path, FILES.log), ...opts.log }), notes, true);
        throw new RunError(`--resume: ${dir}: no complete checkpoint to resume from (start a new run instead)`);
      }
      run = new RunDirectory(path, config, plan, info, lock, opts.log, latest);
      logNotes(run.logger, notes, false);
      for (const name of removeDeadTemps(path)) run.logger.info({ file: name }, `removed ${name}, left by a writer that is gone`);
      info.resumes.push({ ...currentSession(opts.backend ?? null, opts.command), checkpoint: latest.label, total_kimg: opts.totalKimg ?? null });
      info.status = 'running';
      info.ended_at = null;
      writeJson(join(path, FILES.run), info);
      run.logger.info({ run_dir: path, checkpoint: latest.label, cur_nimg: latest.state.cur_nimg }, `resuming ${path} from checkpoint ${latest.label}`);
      return run;
    } catch (e) {
      if (run) run.abort(e);
      else lock.release();
      throw e;
    }
  }

  /** The run record as written so far. */
  get runInfo(): RunInfo { return this.info; }

  /** Records the backend this session runs on in run.json (a resume learns it after opening). */
  recordBackend(backend: BackendSummary): void {
    (this.info.resumes.at(-1) ?? this.info).backend = backend;
    writeJson(join(this.path, FILES.run), this.info);
  }

  /** Writes `<run>/<name>` (e.g. `fakes000040.png`) atomically; returns its path. */
  writeImage(name: string, png: Uint8Array): string {
    if (!IMAGE_NAME.test(name)) throw new Error(`RunDirectory.writeImage: name must be a plain file name ending in .png (got ${JSON.stringify(name)})`);
    const path = join(this.path, name);
    writeFileAtomic(path, png);
    return path;
  }

  /** Appends one record to metrics.jsonl, e.g. `{ kimg: 40, 'Metrics/fid': 12.3, timestamp: ... }`. */
  appendMetric(record: object): void {
    appendJsonLine(join(this.path, FILES.metrics), record);
  }

  /** Writes checkpoint `<label>` (see checkpoint.ts), then keeps the newest train.keep_checkpoints. */
  writeCheckpoint(kimgLabel: string, tensors: Map<string, NamedTensor>, state: CheckpointState): CheckpointRef {
    const ref = ckpt.writeCheckpoint(this.path, kimgLabel, tensors, state, { keep: this.config.train.keep_checkpoints, log: this.logger });
    this.logger.info({ checkpoint: ref.label, bytes: ref.bytes, cur_nimg: state.cur_nimg }, `checkpoint ${ref.label} written`);
    return ref;
  }

  /** The newest complete checkpoint (size and SHA-256 verified), or null; skipped ones are logged. */
  latestCheckpoint(): CheckpointRef | null {
    return ckpt.latestCheckpoint(this.path, this.logger);
  }

  /** Every checkpoint with a readable manifest, oldest first (not verified). */
  listCheckpoints(): CheckpointRef[] {
    return ckpt.listCheckpoints(this.path, this.logger);
  }

  /** The tensors and state of `ref`, checked against its manifest. */
  readCheckpoint(ref: CheckpointRef): ReturnType<typeof ckpt.readCheckpoint> {
    return ckpt.readCheckpoint(ref);
  }

  /** Closes everything without touching run.json: a resume that failed before it began. */
  private abort(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.logger.error({ err: error }, `resume failed: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      this.events.close();
      closeLogger(this.logger);
      this.lock.release();
    }
  }

  /**
   * Ends this session: records `status` and the end time in run.json, logs `error` if given,
   * closes the event file and log.jsonl, and releases the lock. Safe to call twice.
   */
  close(status: Exclude<RunStatus, 'running'>, error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (error !== undefined) this.logger.error({ err: error }, `run ${status}: ${(error as Error)?.message ?? String(error)}`);
      const ended = new Date().toISOString();
      const session = this.info.resumes.at(-1) ?? null;
      if (session) { session.status = status; session.ended_at = ended; }
      this.info.status = status;
      this.info.ended_at = ended;
      writeJson(join(this.path, FILES.run), this.info);
    } finally {
      this.events.close();
      closeLogger(this.logger);
      this.lock.release();
    }
  }
}
