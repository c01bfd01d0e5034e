/**
 * The run logger: pino writing JSON lines to the run's `log.jsonl` and, at the same time, to
 * stderr (pretty via pino-pretty when asked, JSON lines otherwise).
 *
 * Both destinations are synchronous: a line is on disk when the call returns, so an exit, a
 * signal or a crash loses nothing and there is nothing to flush. Logging is a few lines per
 * tick, so the cost of synchronous writes does not matter here.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type DestinationStream, type Level, type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';
export type LogFormat = 'pretty' | 'json';
export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  file?: string;                   // the run's log.jsonl; always JSON lines
  format: LogFormat;               // what stderr gets
  level?: LogLevel;                // default 'info'
  /** Where the human-facing copy goes: default stderr (fd 2); false = nowhere. */
  stderr?: NodeJS.WritableStream | false;
  colorize?: boolean;              // pretty only; default: stderr is a TTY
}

const closers = new WeakMap<Logger, () => void>();

export function createLogger(options: LoggerOptions): Logger {
  const level = options.level ?? 'info';
  if (options.format !== 'pretty' && options.format !== 'json') {
    throw new Error(`createLogger: format must be 'pretty' or 'json' (got ${String(options.format)})`);
  }
  const streams: StreamEntry[] = [];
  const files: Array<ReturnType<typeof pino.destination>> = [];
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true });
    const dest = pino.destination({ dest: options.file, sync: true, append: true });
    files.push(dest);
    streams.push({ level: 'trace', stream: dest });
  }
  if (options.stderr !== false) {
    streams.push({ level: 'trace', stream: consoleStream(options) });
  }
  const logger = pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.multistream(streams),
  );
  closers.set(logger, () => { for (const f of files) { f.flushSync(); f.end(); } });
  return logger;
}

function consoleStream(options: LoggerOptions): DestinationStream {
  const target = options.stderr || null;
  if (options.format === 'json') {
    return target ? (target as unknown as DestinationStream) : pino.destination({ dest: 2, sync: true });
  }
  const colorize = options.colorize ?? (target === null && process.stderr.isTTY === true);
  return pretty({
    destination: target ?? 2,
    sync: true,
    colorize,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname',
  });
}

/** Closes the log file (the stderr copy stays open). Safe to call twice. */
export function closeLogger(logger: Logger): void {
  closers.get(logger)?.();
  closers.delete(logger);
}
