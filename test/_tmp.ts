// Temporary directories for tests, each removed in its test's t.teardown (failed tests included), so
// a run leaves nothing in the system temp dir (it used to leave hundreds of sg3-* folders there).
// A directory shared by a whole file is made at module level and removed in test.after.always.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

// Retries: a daemon or child a test stopped may still be finishing a write inside (ENOTEMPTY).
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });

/** A fresh directory `<tmpdir>/<prefix>XXXXXX`, deleted when test `t` ends. */
export function testTempDir(t: ExecutionContext, prefix = 'sg3-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => remove(dir));
  return dir;
}


const atExit: string[] = [];
process.on('exit', () => { for (const dir of atExit) remove(dir); });

/** A fresh directory removed when the test process exits: for helpers that have no test context. */
export function processTempDir(prefix = 'sg3-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  atExit.push(dir);
  return dir;
}
