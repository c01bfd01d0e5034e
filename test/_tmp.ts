// Temporary directories for tests. Each one is removed when its owner ends: a test's directory in
// that test's t.teardown, a file-wide one in an after.always hook, so a run leaves nothing in the
// system temp dir (it used to leave hundreds of sg3-* folders there), failed tests included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';

const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** A fresh directory `<tmpdir>/<prefix>XXXXXX`, deleted when test `t` ends. */
export function testTempDir(t: ExecutionContext, prefix = 'sg3-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => remove(dir));
  return dir;
}

/** A directory shared by the tests of one file, deleted after all of them; call at module level. */
export function fileTempDir(prefix = 'sg3-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  test.after.always(() => remove(dir));
  return dir;
}
