// The run-directory lock: refusal while the holder lives, takeover of a dead holder's lock, release.
import test from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RunError } from '../../../src/errors.ts';
import { acquireRunLock, readRunLock, type LockInfo } from '../../../src/train/run/index.ts';
import { deadPid, spawnChild, tmp, waitChild } from './_helpers.ts';

const fakeLock = (over: Partial<LockInfo>): string =>
  JSON.stringify({ pid: process.pid, host: hostname(), started_at: '2024-01-02T03:04:05.000Z', command: 'x', token: 'abcd', ...over });

test('a held lock records pid, host and time; a second taker is refused in one line; release frees it', (t) => {
  const dir = tmp();
  const lock = acquireRunLock(dir, { command: 'sg3 run a.yaml' });
  const info = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8'));
  t.like(info, { pid: process.pid, host: hostname(), command: 'sg3 run a.yaml' });
  t.true(Math.abs(Date.parse(info.started_at) - Date.now()) < 60_000);
  const err = t.throws(() => acquireRunLock(dir), { instanceOf: RunError });
  t.is(err.message, `${dir}: locked by pid ${process.pid} since ${info.started_at} (another sg3 process is writing this run; if it is gone, delete ${join(dir, '.lock')})`);
  lock.release();
  t.false(existsSync(join(dir, '.lock')));
  acquireRunLock(dir).release();
  t.deepEqual(readdirSync(dir), []);
});

test('a stale lock of a dead pid on this host is taken over and reported', (t) => {
  const dir = tmp();
  const pid = deadPid();
  writeFileSync(join(dir, '.lock'), fakeLock({ pid, token: 'dead' }));
  const stale: LockInfo[] = [];
  const lock = acquireRunLock(dir, { onStale: (s) => stale.push(s) });
  t.deepEqual(stale.map((s) => [s.pid, s.token]), [[pid, 'dead']]);
  t.is(readRunLock(dir)!.pid, process.pid);
  t.deepEqual(readdirSync(dir), ['.lock']);
  lock.release();
});

test('a lock from another host is refused (its pid cannot be checked from here)', (t) => {
  const dir = tmp();
  writeFileSync(join(dir, '.lock'), fakeLock({ pid: deadPid(), host: 'elsewhere.example' }));
  t.throws(() => acquireRunLock(dir), { instanceOf: RunError, message: /: locked by pid \d+ on host elsewhere\.example since 2024-01-02T03:04:05\.000Z / });
});

test('a .lock that is not ours is refused, not overwritten', (t) => {
  const dir = tmp();
  writeFileSync(join(dir, '.lock'), 'hello');
  t.throws(() => acquireRunLock(dir), { instanceOf: RunError, message: `${join(dir, '.lock')}: not an sg3 lock (got "hello"); delete it if no sg3 process is writing ${dir}` });
  t.is(readFileSync(join(dir, '.lock'), 'utf8'), 'hello');
});

test('release leaves a lock that another process has since taken', (t) => {
  const dir = tmp();
  const lock = acquireRunLock(dir);
  writeFileSync(join(dir, '.lock'), fakeLock({ token: 'someone-else' }));
  lock.release();
  t.is(readRunLock(dir)!.token, 'someone-else');
});

test('child process: a normal exit removes its lock; a SIGKILL leaves a stale one that is taken over', async (t) => {
  const dir = tmp();
  const exited = await waitChild(spawnChild('_lock-child.ts', [dir]));
  t.is(exited.code, 0, exited.err);
  t.false(existsSync(join(dir, '.lock')));
  const killed = await waitChild(spawnChild('_lock-child.ts', [dir, 'kill']));
  t.is(killed.signal, 'SIGKILL', killed.err);
  const held = JSON.parse(killed.out) as LockInfo;
  t.is(readRunLock(dir)!.token, held.token);
  const stale: LockInfo[] = [];
  acquireRunLock(dir, { onStale: (s) => stale.push(s) }).release();
  t.deepEqual(stale.map((s) => s.token), [held.token]);
});
