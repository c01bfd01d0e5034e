/**
 * The run-directory lock: `<run>/.lock`, JSON `{pid, host, started_at, command, token}`, present
 * while a process writes the run. It appears atomically and complete (written to a temp file,
 * then hard-linked to `.lock`, which fails if `.lock` exists), so a reader never sees half a lock.
 *
 * A lock whose pid is dead on this host is stale (the writer was killed): it is taken over, and the
 * caller is told so it can warn. A live pid, or a lock from another host (whose pid cannot be
 * checked), refuses the second writer with a one-line RunError.
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunError } from '../../errors.ts';

export const LOCK_FILE = '.lock';

export interface LockInfo {
  pid: number;
  host: string;
  started_at: string;   // ISO time the lock was taken
  command: string;
  token: string;        // random: tells our lock from a later one with a recycled pid
}

/** A held lock. `release()` removes `.lock` if it is still ours; it also runs at process exit. */
export interface RunLock {
  readonly path: string;
  readonly info: LockInfo;
  release(): void;
}

/** Whether `pid` is a live process on this host (EPERM: alive, owned by someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of `dir`, null when unlocked; throws RunError when `.lock` is not a lock we wrote. */
export function readRunLock(dir: string): LockInfo | null {
  const path = join(dir, LOCK_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new RunError(`${path}: cannot read the lock (got ${(e as NodeJS.ErrnoException).code})`);
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    if (Number.isSafeInteger(info.pid) && typeof info.host === 'string' && typeof info.token === 'string') return info;
  } catch { /* reported below */ }
  throw new RunError(`${path}: not an sg3 lock (got ${JSON.stringify(text.slice(0, 60))}); delete it if no sg3 process is writing ${dir}`);
}

/** Links a complete lock file into place; false when `.lock` already exists. */
function tryCreate(path: string, info: LockInfo): boolean {
  const tmp = `${path}.${process.pid}.${info.token}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info)}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new RunError(`${path}: cannot create the lock (got ${(e as NodeJS.ErrnoException).code})`);
  } finally {
    try { unlinkSync(tmp); } catch { /* gone */ }
  }
}

/**
 * Moves a stale lock out of the way. The rename claims it atomically against other takers; if
 * what we moved is not the stale lock we inspected (someone took over and relocked in between),
 * it is put back and we report the directory as locked.
 */
function removeStale(path: string, stale: LockInfo): boolean {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch {
    return false;   // another process moved it first; look again
  }
  let moved: LockInfo | null = null;
  try { moved = JSON.parse(readFileSync(aside, 'utf8')) as LockInfo; } catch { /* treat as not ours */ }
  if (moved?.token === stale.token) {
    unlinkSync(aside);
    return true;
  }
  try { linkSync(aside, path); } catch { /* someone relocked meanwhile; theirs stays */ }
  unlinkSync(aside);
  return false;
}

function refusal(dir: string, held: LockInfo): RunError {
  const where = held.host === hostname() ? `pid ${held.pid}` : `pid ${held.pid} on host ${held.host}`;
  return new RunError(`${dir}: locked by ${where} since ${held.started_at} (another sg3 process is writing this run; if it is gone, delete ${join(dir, LOCK_FILE)})`);
}

/**
 * Takes the lock of run directory `dir`.
 * 1. link a fresh lock into place; done if `.lock` did not exist;
 * 2. otherwise read it: a live pid on this host, or any other host, refuses (RunError, exit 1);
 * 3. a dead pid on this host is stale: `onStale(info)` is called (log a warning), the stale lock
 *    is moved aside and step 1 is retried.
 */
export function acquireRunLock(dir: string, opts: { command?: string; onStale?: (stale: LockInfo) => void } = {}): RunLock {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    started_at: new Date().toISOString(),
    command: opts.command ?? process.argv.join(' '),
    token: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    if (tryCreate(path, info)) return heldLock(path, info);
    const held = readRunLock(dir);
    if (held === null) continue;   // released between our link and our read
    if (held.host !== info.host || isProcessAlive(held.pid)) throw refusal(dir, held);
    if (removeStale(path, held)) opts.onStale?.(held);
  }
  throw new RunError(`${dir}: could not take the lock after 10 attempts (other processes keep taking it)`);
}

function heldLock(path: string, info: LockInfo): RunLock {
  let held = true;
  const release = (): void => {
    if (!held) return;
    held = false;
    process.removeListener('exit', release);
    try {
      if (JSON.parse(readFileSync(path, 'utf8')).token === info.token) unlinkSync(path);
    } catch { /* already gone or replaced: not ours to remove */ }
  };
  process.on('exit', release);
  return { path, info, release };
}
