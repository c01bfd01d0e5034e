/**
 * TensorBoard event-file writer, no TensorFlow needed. One file per writer,
 * `events.out.tfevents.<secs>.<host>.<pid>.<n>`, made of TFRecord-framed Event protos:
 * the `file_version` event first, then one Summary event per call.
 *
 * Choices: scalars are TF1 `simple_value` (float32; read by every TensorBoard and by tools like
 * tbparse), images are TF1 `Summary.Image` (PNG, declared width/height/colorspace), text and
 * hparams use the TF2 tensor form with plugin metadata on the first value of each tag.
 * Records are buffered and written synchronously on flush(), on close(), when the buffer
 * passes 1 MiB or `flushSecs` have passed, and at process exit.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { frameRecord } from './tfrecord.ts';
import { fileVersionEvent, hparamsValue, imageValue, scalarValue, summaryEvent, textValue } from './summary.ts';
import {
  HPARAMS_TAGS, encodeExperiment, encodeSessionEnd, encodeSessionStart,
  type HParamDomain, type HParamValue, type MetricSpec, type SessionStatus,
} from './hparams.ts';

export interface EventWriterOptions {
  flushSecs?: number;            // flush at the next write once this much time has passed (default 10)
  clock?: () => number;          // wall time in seconds since the epoch (tests pin it)
  filenameSuffix?: string;
}

export interface HParamsSession {
  hparams: Record<string, HParamValue>;
  /** Scalar tags the HParams dashboard shows; when given, an `experiment` is written too. */
  metrics?: Array<string | MetricSpec>;
  domains?: Record<string, HParamDomain>;
  groupName?: string;
  description?: string;
}

const MAX_BUFFERED_BYTES = 1 << 20;
const open = new Set<EventWriter>();
let fileCounter = 0;
let exitHookInstalled = false;

function checkHParams(where: string, hparams: Record<string, HParamValue>): void {
  for (const [k, v] of Object.entries(hparams)) {
    const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new Error(`${where}: ${k} must be a string, boolean or finite number (got ${String(v)})`);
  }
}

/** Writes a sweep's HParams experiment into its own event file in `dir` (the sweep's root). */
export function writeHParamsExperiment(dir: string, spec: HParamsSession & { metrics: Array<string | MetricSpec> }, options?: EventWriterOptions): string {
  const w = new EventWriter(dir, options);
  try { w.experiment(spec); } finally { w.close(); }
  return w.path;
}

function flushAllAtExit(): void {
  for (const w of open) { try { w.flush(); } catch { /* exiting anyway */ } }
}

export class EventWriter {
  readonly path: string;
  private fd: number | null;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private lastFlush: number;
  private readonly flushSecs: number;
  private readonly clock: () => number;
  private readonly taggedText = new Set<string>();

  constructor(dir: string, options: EventWriterOptions = {}) {
    this.clock = options.clock ?? (() => Date.now() / 1000);
    this.flushSecs = options.flushSecs ?? 10;
    const now = this.clock();
    mkdirSync(dir, { recursive: true });
    const host = hostname().replace(/[^A-Za-z0-9._-]/g, '_');
    this.path = join(dir, `events.out.tfevents.${Math.floor(now)}.${host}.${process.pid}.${fileCounter++}${options.filenameSuffix ?? ''}`);
    this.fd = openSync(this.path, 'wx');
    this.lastFlush = now;
    open.add(this);
    if (!exitHookInstalled) { process.on('exit', flushAllAtExit); exitHookInstalled = true; }
    this.push(fileVersionEvent(now));
    this.flush();
  }

  scalar(tag: string, value: number, step: number): void {
    this.summary(step, [scalarValue(tag, value)]);
  }

  /** Several scalars in one event (one record): `{ 'Loss/G': 1.2, 'Loss/D': 0.7 }`. */
  scalars(values: Record<string, number>, step: number): void {
    this.summary(step, Object.entries(values).map(([tag, v]) => scalarValue(tag, v)));
  }

  /** An encoded PNG (see encodePng) of `width` x `height` with `channels` 1..4. */
  image(tag: string, png: Uint8Array, width: number, height: number, channels: number, step: number): void {
    this.summary(step, [imageValue(tag, png, width, height, channels)]);
  }

  /** Markdown text (the text dashboard renders it). */
  text(tag: string, text: string, step: number): void {
    const first = !this.taggedText.has(tag);
    this.taggedText.add(tag);
    this.summary(step, [textValue(tag, text, first)]);
  }

  /**
   * Starts an HParams session (session_start_info) and, when `metrics` is given, writes the
   * experiment too. TensorBoard uses the *first* experiment of a logdir for all runs, so:
   * a lone run may carry its own; runs of a sweep give no metrics and the sweep writes one
   * experiment in its root with writeHParamsExperiment(); runs with no experiment at all are
   * still listed side by side (the dashboard then takes every scalar tag as a metric).
   */
  hparams(session: HParamsSession): void {
    checkHParams('EventWriter.hparams', session.hparams);
    const now = this.clock();
    if (session.metrics) this.experiment({ ...session, metrics: session.metrics });
    const start = encodeSessionStart(session.hparams, now, session.groupName);
    this.summary(0, [hparamsValue(HPARAMS_TAGS.sessionStart, start)]);
  }

  /** Only the experiment (hparam names, types, domains and the metric tags); see hparams(). */
  experiment(spec: HParamsSession & { metrics: Array<string | MetricSpec> }): void {
    checkHParams('EventWriter.experiment', spec.hparams);
    const experiment = encodeExperiment({
      hparams: spec.hparams, metrics: spec.metrics, domains: spec.domains,
      description: spec.description, timeCreatedSecs: this.clock(),
    });
    this.summary(0, [hparamsValue(HPARAMS_TAGS.experiment, experiment)]);
  }

  /** Ends the HParams session with a status (the dashboard's "Status" column). */
  endSession(status: SessionStatus, step = 0): void {
    this.summary(step, [hparamsValue(HPARAMS_TAGS.sessionEnd, encodeSessionEnd(status, this.clock()))]);
  }

  flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const data = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off);
    this.lastFlush = this.clock();
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
    open.delete(this);
  }

  private summary(step: number, values: Uint8Array[]): void {
    if (!Number.isSafeInteger(step) || step < 0) throw new Error(`EventWriter: step must be a non-negative integer (got ${step})`);
    const now = this.clock();
    this.push(summaryEvent(now, step, values));
    if (this.pendingBytes > MAX_BUFFERED_BYTES || now - this.lastFlush >= this.flushSecs) this.flush();
  }

  private push(event: Uint8Array): void {
    if (this.fd === null) throw new Error(`EventWriter: write after close (got ${this.path})`);
    const record = frameRecord(event);
    this.pending.push(record);
    this.pendingBytes += record.length;
  }
}
