/**
 * Small file helpers of a run directory: JSON-lines append and tolerant read (metrics.jsonl), and
 * the clean-up of temp files that a killed writer left behind.
 */
import { appendFileSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from './lock.ts';

/**
 * Appends one JSON object as one line. A single small append(2) with O_APPEND: concurrent readers
 * see whole lines, and a crash can at worst leave a torn last line, which readJsonLines skips.
 */
export function appendJsonLine(path: string, record: object): void {
  const line = JSON.stringify(record);
  if (line === undefined || !line.startsWith('{')) throw new Error(`appendJsonLine: record must be a JSON object (got ${String(record)})`);
  appendFileSync(path, `${line}\n`);
}

/** Every complete JSON line of `path` ([] when absent); a torn or corrupt line is skipped. */
export function readJsonLines<T = Record<string, unknown>>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try { out.push(JSON.parse(line) as T); } catch { /* torn by a crash */ }
  }
  return out;
}

/**
 * Removes temp files of writers that are gone: `.<name>.<pid>.tmp` (io/atomic.ts),
 * `.lock.<pid>.<token>.tmp` and `.lock.stale.<pid>.<rand>` (lock.ts). Files of live pids stay.
 * Returns the names removed.
 */
export function removeDeadTemps(dir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^\.lock\.(?:stale\.)?(\d+)\.[0-9a-f]+(?:\.tmp)?$/.exec(name) ?? /^\..*\.(\d+)\.tmp$/.exec(name);
    if (!m || Number(m[1]) === process.pid || isProcessAlive(Number(m[1]))) continue;
    try { unlinkSync(join(dir, name)); removed.push(name); } catch { /* raced with another cleaner */ }
  }
  return removed;
}
