// Shared by the sweep and table tests: temporary experiment files next to the repo's configs, and
// the fake `sg3 run` (test/sweep/_fake-sg3.ts) as SG3_SWEEP_RUN_CMD.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { REPO_ROOT } from '../_golden.ts';
import { testTempDir } from '../_tmp.ts';

export const CONFIGS = join(REPO_ROOT, 'configs');
export const FAKE_SG3 = join(REPO_ROOT, 'test', 'sweep', '_fake-sg3.ts');
export const FAKE_RUN_CMD = JSON.stringify([process.execPath, '--import', 'tsx', FAKE_SG3]);

/** A fresh temporary directory, removed when test `t` ends. */
export function tempDir(t: ExecutionContext, prefix = 'sg3-sweep-'): string {
  return testTempDir(t, prefix);
}

/** Writes `text` as `<dir>/<name>` (creating dir) and returns the path. `@CONFIGS@` -> configs/. */
export function writeExperiment(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, text.replaceAll('@CONFIGS@', CONFIGS));
  return path;
}
