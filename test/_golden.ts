import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';

/** ../shared/golden relative to the repository root; SG3_GOLDEN overrides it. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GOLDEN = process.env.SG3_GOLDEN ?? resolve(REPO_ROOT, '..', 'shared', 'golden');

export function readGoldenJson<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(GOLDEN, name), 'utf8')) as T;
}
