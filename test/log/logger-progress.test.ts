import test from 'ava';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { createLogger, closeLogger } from '../../src/log/logger.ts';
import { createProgress, formatDuration, formatProgressLine } from '../../src/log/progress.ts';
import { testTempDir } from '../_tmp.ts';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c) => chunks.push(String(c)));
  return { stream, text: () => chunks.join('') };
}

const readLines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

test('createLogger json: the same JSON lines in log.jsonl and on stderr; level filters', (t) => {
  const file = join(testTempDir(t, 'sg3-log-'), 'run', 'log.jsonl');
  const err = sink();
  const log = createLogger({ file, format: 'json', level: 'info', stderr: err.stream });
  log.debug('hidden');
  log.info({ kimg: 1.5, losses: { G: 0.5 } }, 'tick');
  log.warn('careful');
  // Synchronous: the file is complete before closeLogger.
  const lines = readLines(file);
  closeLogger(log);
  t.deepEqual(lines.map((l) => [l.level, l.msg]), [[30, 'tick'], [40, 'careful']]);
  t.deepEqual(lines[0].losses, { G: 0.5 });
  t.is(lines[0].kimg, 1.5);
  t.regex(lines[0].time, /^\d{4}-\d\d-\d\dT/);
  const errLines = err.text().trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(errLines.map((l) => l.msg), ['tick', 'careful']);
});

test('createLogger pretty: human lines on stderr, still JSON in the file', (t) => {
  const file = join(testTempDir(t, 'sg3-log-'), 'log.jsonl');
  const err = sink();
  const log = createLogger({ file, format: 'pretty', level: 'debug', stderr: err.stream, colorize: false });
  log.debug({ step: 3 }, 'hello pretty');
  closeLogger(log);
  t.regex(err.text(), /DEBUG.*hello pretty/);
  t.regex(err.text(), /step: 3/);
  t.throws(() => JSON.parse(err.text()));
  t.deepEqual(readLines(file).map((l) => [l.level, l.msg, l.step]), [[20, 'hello pretty', 3]]);
});

test('createLogger rejects an unknown format', (t) => {
  t.throws(() => createLogger({ format: 'xml' as 'json' }), { message: "createLogger: format must be 'pretty' or 'json' (got xml)" });
});

test('formatDuration and the progress line: bar, kimg, img/s, ETA, losses', (t) => {
  t.is(formatDuration(42.4), '42s');
  t.is(formatDuration(506), '8m26s');
  t.is(formatDuration(3720), '1h02m');
  t.is(formatDuration(null), '?');
  const line = formatProgressLine({ kimg: 250, images_per_s: 500, losses: { G: 1.23456, D: 0.5 } }, 1000, 8);
  // 750 kimg left at 500 img/s = 1500 s = 25m00s.
  t.is(line, ' 25.0% [##------]  250.0/1000 kimg  500.0 img/s  ETA 25m00s  G 1.235  D 0.500');
  t.regex(formatProgressLine({ kimg: 0, images_per_s: 0 }, 10), /ETA \?/);
});

test('createProgress on a TTY rewrites one line; done() ends it', (t) => {
  const out = sink();
  const logFile = join(testTempDir(t, 'sg3-log-'), 'log.jsonl');
  const logger = createLogger({ file: logFile, format: 'json', stderr: false });
  const p = createProgress({ total_kimg: 10, isTTY: true, logger, stream: out.stream });
  p.update({ kimg: 1, images_per_s: 100 });
  p.update({ kimg: 2, images_per_s: 100, losses: { G: 1 } });
  p.done();
  closeLogger(logger);
  const text = out.text();
  t.is(text.split('\r').length, 3);
  t.true(text.endsWith('\n'));
  t.regex(text, /2\.0\/10 kimg.*ETA 1m20s.*G 1\.000/);
  // Progress lines do not go to the log on a TTY; the final summary does.
  t.deepEqual(readLines(logFile).map((l) => l.msg), ['training done']);
});

test('createProgress without a TTY logs structured lines', (t) => {
  const logFile = join(testTempDir(t, 'sg3-log-'), 'log.jsonl');
  const logger = createLogger({ file: logFile, format: 'json', stderr: false });
  const out = sink();
  const p = createProgress({ total_kimg: 10, isTTY: false, logger, stream: out.stream });
  p.update({ kimg: 4, images_per_s: 200, losses: { D: 0.25 } });
  p.done();
  closeLogger(logger);
  t.is(out.text(), '');
  const lines = readLines(logFile);
  t.like(lines[0], { msg: 'progress', kimg: 4, total_kimg: 10, images_per_s: 200, eta_s: 30, losses: { D: 0.25 } });
  t.like(lines[1], { msg: 'training done', kimg: 4 });
});
