/**
 * plan/ is pure (DESIGN.md): no tfjs, no file system, no Node built-ins; it may import only its own
 * files, the config types and the error classes.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../_golden.ts';

const PLAN_DIR = join(REPO_ROOT, 'src', 'plan');
const ALLOWED_OUTSIDE = new Set(['../config/types.ts', '../errors.ts']);

/** Every module specifier in import/export-from statements and dynamic import() calls. */
function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of source.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  for (const m of source.matchAll(/\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const files = readdirSync(PLAN_DIR).filter((f) => f.endsWith('.ts'));

test('src/plan has its modules', (t) => {
  for (const f of ['index.ts', 'types.ts', 'filters.ts', 'schedule.ts', 'layers.ts', 'cost.ts']) t.true(files.includes(f), f);
});

for (const file of files) {
  test(`file=src/plan/${file}: imports no tfjs, no fs, no Node built-ins`, (t) => {
    const found = specifiers(readFileSync(join(PLAN_DIR, file), 'utf8'));
    t.true(Array.isArray(found)); // a file without imports is pure too
    for (const spec of found) {
      t.false(spec.startsWith('@tensorflow/'), `${file} imports ${spec}`);
      t.false(spec.startsWith('node:') || spec === 'fs' || spec === 'fs/promises' || spec === 'path', `${file} imports ${spec}`);
      t.true(spec.startsWith('./') || ALLOWED_OUTSIDE.has(spec), `${file} imports ${spec} from outside plan/`);
    }
  });
}

test('the import scanner finds the forbidden forms', (t) => {
  const src = "import * as tf from '@tensorflow/tfjs-core';\nimport { readFileSync } from 'node:fs';\nexport { x } from './x.ts';\nconst m = await import('fs');\nimport 'node:path';";
  t.deepEqual(specifiers(src).sort(), ['./x.ts', '@tensorflow/tfjs-core', 'fs', 'node:fs', 'node:path'].sort());
});
